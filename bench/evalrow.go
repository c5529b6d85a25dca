package bench

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/precedent/precedent/app"
	"github.com/precedent/precedent/data/synth"
	"github.com/precedent/precedent/ml/backend"
	"github.com/precedent/precedent/platform/fsutil"
)

// evalRow times `precedent eval` with its defaults as a user meets it right
// after training: on a copy of a cached project of Sizes.EvalTickets
// synthetic tickets taken through the demo's pipeline up to a short
// training (Sizes.EvalSteps steps; evaluation cost does not depend on how
// long it trained), it runs Evaluate twice — first (starting and fine-tuned
// models scored, training's validation scores reused) and again (all
// cached) — and compares the ETA shown at 10% of the fine-tuned test phase
// with the time that phase actually took.
func (b *runner) evalRow(ctx context.Context) (Row, error) {
	n, steps := b.sizes.EvalTickets, b.sizes.EvalSteps
	what := fmt.Sprintf("eval, %s archive, defaults: first evaluation after training", count(n))
	cache, err := benchCache()
	if err != nil {
		return Row{}, err
	}
	cached, err := evalProject(ctx, b.rt, filepath.Join(cache, fmt.Sprintf("eval-%d-steps%d", n, steps)), n, steps, b.log)
	if err != nil {
		return Row{}, err
	}
	// Evaluation stores its scores in the project: a fresh copy each time
	// keeps the first evaluation first.
	tmp, err := os.MkdirTemp("", "precedent-eval-*")
	if err != nil {
		return Row{}, fmt.Errorf("eval row: %w", err)
	}
	defer os.RemoveAll(tmp)
	home := filepath.Join(tmp, "project")
	if err := copyTree(cached, home); err != nil {
		return Row{}, fmt.Errorf("eval row: copying the cached project: %w", err)
	}
	p, err := app.OpenWith(home, b.rt)
	if err != nil {
		return Row{}, err
	}
	defer p.Close()
	var eta etaWatch
	eta.phase = app.SysFinetuned + " test"
	start := time.Now()
	res, err := p.Evaluate(ctx, app.EvalOptions{}, eta.event)
	if err != nil {
		return Row{}, fmt.Errorf("first evaluation: %w", err)
	}
	first := time.Since(start).Seconds()
	fmt.Fprintf(b.log, "(first evaluation %.1f s; %s) ", first, eta.String())
	start = time.Now()
	if _, err := p.Evaluate(ctx, app.EvalOptions{}, nil); err != nil {
		return Row{}, fmt.Errorf("second evaluation: %w", err)
	}
	second := time.Since(start).Seconds()
	return Row{What: what, Value: first, Unit: "s", Target: "< 300 s",
		Note: fmt.Sprintf("%d test queries × depth %d; second evaluation (scores cached) %.1f s; %s; project build and %d-step training not timed",
			res.Queries, res.Depth, second, eta.String(), steps)}, nil
}

// etaWatch records, for one progress phase, the ETA shown once 10% of it
// was done and when the phase started, reached 10% and ended.
type etaWatch struct {
	phase string

	mu                sync.Mutex
	start, at10, end  time.Time
	eta               time.Duration
	doneAt10, totalAt int64
}

func (w *etaWatch) event(e app.Event) {
	if e.Step != "evaluate" || e.Phase != w.phase {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	now := time.Now()
	if w.start.IsZero() {
		w.start = now
	}
	w.end = now
	if w.at10.IsZero() && e.Total > 0 && e.Done*10 >= e.Total && e.ETA > 0 {
		w.at10, w.eta, w.doneAt10, w.totalAt = now, e.ETA, e.Done, e.Total
	}
}

// String states the ETA at 10% against the time the phase actually took
// from then on, or why there is no comparison.
func (w *etaWatch) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case w.start.IsZero():
		return fmt.Sprintf("no %q progress (all scores cached?)", w.phase)
	case w.at10.IsZero():
		return fmt.Sprintf("%q showed no ETA by 10%% done (phase took %.1f s)", w.phase, w.end.Sub(w.start).Seconds())
	}
	return fmt.Sprintf("ETA at 10%% of %q (%d/%d): %.1f s, actual: %.1f s (whole phase %.1f s)", w.phase, w.doneAt10, w.totalAt,
		w.eta.Seconds(), w.end.Sub(w.at10).Seconds(), w.end.Sub(w.start).Seconds())
}

// evalProject returns dir holding a project of n synthetic tickets taken
// through the demo's steps (import, mine, BM25 first stage with the
// demo's pivot, hard negatives, a steps-step training of the demo's
// options) with rt, building it when dir is not marked complete.
func evalProject(ctx context.Context, rt *backend.Runtime, dir string, n, steps int, log io.Writer) (string, error) {
	if _, err := os.Stat(filepath.Join(dir, readyMark)); err == nil {
		return dir, nil
	}
	fmt.Fprintf(log, "(building the %s-ticket eval project in %s) ", count(n), dir)
	if err := os.RemoveAll(dir); err != nil {
		return "", fmt.Errorf("eval project: %w", err)
	}
	export := dir + ".synth"
	defer os.RemoveAll(export)
	res, err := app.Synth(ctx, synth.Config{Tickets: n, Seed: 1}, export, nil)
	if err != nil {
		return "", fmt.Errorf("eval project: %w", err)
	}
	p, err := app.OpenWith(dir, rt)
	if err != nil {
		return "", fmt.Errorf("eval project: %w", err)
	}
	err = buildEvalProject(ctx, p, filepath.Join(res.Dir, synth.TicketsCSVName), steps)
	if cerr := p.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("eval project: %w", err)
	}
	return dir, os.WriteFile(filepath.Join(dir, readyMark), nil, 0o644)
}

func buildEvalProject(ctx context.Context, p *app.Project, csv string, steps int) error {
	if _, err := p.Import(ctx, csv, app.ImportOptions{}, nil); err != nil {
		return err
	}
	if _, err := p.Mine(ctx, app.MineOptions{}, nil); err != nil {
		return err
	}
	// The demo's first stage and negatives (precedent demo's defaults).
	if _, err := p.FirstStage(ctx, app.FirstStageOptions{Source: "bm25", K: 50, Pivot: 10}, nil); err != nil {
		return err
	}
	no := app.NegativesOptions{}
	no.PerQuery = 7
	if _, err := p.MineNegatives(ctx, no, nil); err != nil {
		return err
	}
	to := app.DemoTrainOptions()
	to.MaxSteps = steps
	_, err := p.Train(ctx, to, nil)
	return err
}

// copyTree copies the regular files and folders under src to dst.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		to := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(to, 0o755)
		case !d.Type().IsRegular():
			return nil
		}
		return fsutil.CopyFile(path, to)
	})
}
