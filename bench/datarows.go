package bench

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/precedent/precedent/app"
	"github.com/precedent/precedent/data/synth"
)

// dataRow returns the measurement of one data row; later rows need the
// earlier ones (synth → import → mine → first stage).
func (b *runner) dataRow(name string) func(ctx context.Context) (Row, error) {
	n := b.sizes.Tickets
	needs := func(prev string) error {
		for k, v := range b.failed {
			if strings.HasPrefix(k, prev+"/") {
				return fmt.Errorf("skipped: %s failed (%s)", prev, v)
			}
		}
		return nil
	}
	switch name {
	case "synth":
		return func(ctx context.Context) (Row, error) {
			res, err := app.Synth(ctx, synth.Config{Tickets: n, Seed: 1}, filepath.Join(b.home, "synthetic-archive"), nil)
			if err != nil {
				return Row{}, err
			}
			b.synth = filepath.Join(res.Dir, synth.TicketsCSVName)
			return Row{What: fmt.Sprintf("synthetic archive, %s tickets, written as CSV+JSONL", count(n)), Value: res.Seconds, Unit: "s"}, nil
		}
	case "import":
		return func(ctx context.Context) (Row, error) {
			if b.synth == "" {
				if err := needs("synth"); err != nil {
					return Row{}, err
				}
				return Row{}, errors.New("skipped: needs the synth row (--only synth,import)")
			}
			p, err := app.OpenWith(filepath.Join(b.home, "project"), b.rt)
			if err != nil {
				return Row{}, err
			}
			b.proj = p
			start := time.Now()
			rep, err := p.Import(ctx, b.synth, app.ImportOptions{}, nil)
			if err != nil {
				return Row{}, err
			}
			return Row{What: fmt.Sprintf("import %s-ticket CSV into the store", count(n)), Value: time.Since(start).Seconds(), Unit: "s",
				Target: "< 30 s", Note: fmt.Sprintf("%d rows imported", rep.Imported)}, nil
		}
	case "mine":
		return func(ctx context.Context) (Row, error) {
			if b.proj == nil {
				return Row{}, errors.New("skipped: needs the import row")
			}
			start := time.Now()
			res, err := b.proj.Mine(ctx, app.MineOptions{}, nil)
			if err != nil {
				return Row{}, err
			}
			return Row{What: fmt.Sprintf("mine cross-references + time split, %s tickets", count(n)), Value: time.Since(start).Seconds(), Unit: "s",
				Target: "< 10 s", Note: fmt.Sprintf("%d pairs; includes reading the tickets and saving pairs", res.Funnel.Sampled)}, nil
		}
	case "firststage":
		return func(ctx context.Context) (Row, error) {
			if b.proj == nil {
				return Row{}, errors.New("skipped: needs the import and mine rows")
			}
			res, err := b.proj.FirstStage(ctx, app.FirstStageOptions{Source: "bm25", K: 50}, nil)
			if err != nil {
				return Row{}, err
			}
			queries := 0
			for _, n := range res.Queries {
				queries += n
			}
			return Row{What: fmt.Sprintf("BM25 first stage, time-aware top-%d, %s queries × %s docs", res.Options.K, count(queries), count(res.Docs)),
				Value: res.Seconds, Unit: "s",
				Note: "precedent firststage as a user runs it: reading the tickets, index build, search and storing the lists"}, nil
		}
	case "dense":
		return func(ctx context.Context) (Row, error) {
			s := b.sizes
			t, err := timeDense(ctx, s.DenseDocs, s.DenseQueries, s.DenseMeasured, s.DenseDim, 50)
			if err != nil {
				return Row{}, err
			}
			note := fmt.Sprintf("build %.1fs (not counted)", t.BuildSeconds)
			if t.Measured < t.Queries {
				note = fmt.Sprintf("ran %s queries in %.1fs, ×%.0f extrapolated; %s", count(t.Measured), t.MeasuredSeconds,
					float64(t.Queries)/float64(t.Measured), note)
			}
			return Row{What: fmt.Sprintf("dense exact top-50, %s queries × %s docs × %d dims, no time filter", count(t.Queries), count(t.Docs), t.Dim),
				Value: t.EstimatedSeconds, Unit: "s", Target: "< 20 s", Note: note}, nil
		}
	}
	return func(context.Context) (Row, error) { return Row{}, fmt.Errorf("unknown row %q", name) }
}

// describe names what a row measures, for rows that failed before saying so.
func (b *runner) describe(name string) string {
	s := b.sizes
	switch name {
	case "synth", "import", "mine":
		return fmt.Sprintf("%s, %s tickets", name, count(s.Tickets))
	case "firststage":
		return fmt.Sprintf("BM25 build + time-aware top-50, %s tickets", count(s.Tickets))
	case "dense":
		return fmt.Sprintf("dense exact top-50, %s queries × %s docs × %d dims", count(s.DenseQueries), count(s.DenseDocs), s.DenseDim)
	case "coldstart":
		return fmt.Sprintf("desktop cold start, %s tickets", count(s.ColdStartTickets))
	case "eval":
		return fmt.Sprintf("eval, %s archive, defaults", count(s.EvalTickets))
	}
	return b.what(b.workload(name))
}

func count(n int) string {
	switch {
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("%dk", n/1000)
	default:
		return strconv.Itoa(n)
	}
}

func fmtValue(v float64) string {
	switch {
	case v == 0:
		return "0"
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}
