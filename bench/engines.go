package bench

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/precedent/precedent/app"
)

// workload is one engine measurement as both engines run it.
type workload struct {
	name   string
	unit   string
	layers int
	rows   int
	cross  bool // cross-encoder head (else bi-encoder pooling)
	train  bool // forward + backward + AdamW
}

func (b *runner) workload(name string) workload {
	s := b.sizes
	switch name {
	case workloadTrain:
		return workload{name, "pairs/s", s.TrainLayers, s.TrainRows, true, true}
	case workloadRerank:
		return workload{name, "ms/query", s.Shape.NumHiddenLayers, s.RerankRows, true, false}
	default:
		return workload{name, "texts/s", s.Shape.NumHiddenLayers, s.EmbedRows, false, false}
	}
}

// what describes a workload with its shape.
func (b *runner) what(w workload) string {
	sh := fmt.Sprintf("%d layers, h%d", w.layers, b.sizes.Shape.HiddenSize)
	switch w.name {
	case workloadTrain:
		return fmt.Sprintf("cross-encoder train step, %d×%d tok, %s, AdamW", w.rows, b.sizes.SeqLen, sh)
	case workloadRerank:
		return fmt.Sprintf("rerank %d candidates×%d tok, %s", w.rows, b.sizes.SeqLen, sh)
	default:
		return fmt.Sprintf("bi-encoder embed %d texts×%d tok, %s", w.rows, b.sizes.SeqLen, sh)
	}
}

// measureRows is how many rows a rerank or embed call of backend runs:
// the pure-Go backend runs --go-rows and is scaled up, the rest run all.
func (b *runner) measureRows(backend string) int {
	if b.goRows > 0 && (backend == "go" || strings.HasPrefix(backend, "go:")) {
		return b.goRows
	}
	return 0
}

// value converts a per-call time into the workload's unit.
func (w workload) value(perIter float64) float64 {
	if w.unit == "ms/query" {
		return 1000 * perIter
	}
	return float64(w.rows) / perIter
}

// ratio is GoMLX / PyTorch speed: above 1 means GoMLX is faster.
func (w workload) ratio(gomlx, torch float64) float64 {
	if gomlx <= 0 || torch <= 0 {
		return 0
	}
	if w.unit == "ms/query" {
		return torch / gomlx
	}
	return gomlx / torch
}

// engineRows runs, per workload, the PyTorch reference then each GoMLX
// backend; it returns the PyTorch version or why there is no reference.
func (b *runner) engineRows(ctx context.Context, names []string, rep *Report) string {
	torchInfo := ""
	script, scriptErr := b.findScript()
	switch {
	case b.python == "":
		torchInfo = "skipped (--python \"\")"
	case scriptErr != nil:
		torchInfo = "unavailable: " + scriptErr.Error()
	default:
		if v, err := torchVersion(ctx, b.python); err != nil {
			torchInfo = "unavailable: " + err.Error()
		} else {
			torchInfo = "torch " + v + " (" + b.python + ")"
		}
	}
	haveTorch := strings.HasPrefix(torchInfo, "torch ")
	for _, be := range b.backends {
		if _, info, err := app.Backend(be); err != nil {
			rep.Backends[be] = "unavailable: " + err.Error()
		} else {
			rep.Backends[be] = info.Description
		}
	}
	for _, name := range names {
		w := b.workload(name)
		ref := 0.0
		if haveTorch {
			r := b.row(ctx, name, "pytorch", func(ctx context.Context) (Row, error) {
				return b.torchRow(ctx, script, w)
			})
			if r.Error == "" {
				ref = r.Value
			}
			rep.Rows = append(rep.Rows, r)
		}
		rep.Rows = append(rep.Rows, b.ortPythonRows(ctx, script, w, ref)...)
		for _, be := range b.backends {
			if inferenceOnly(be) && w.train {
				continue
			}
			rep.Rows = append(rep.Rows, b.row(ctx, name, be, func(ctx context.Context) (Row, error) {
				return b.gomlxRow(ctx, be, w, ref, torchInfo)
			}))
		}
	}
	return torchInfo
}

func (b *runner) gomlxRow(ctx context.Context, backend string, w workload, ref float64, torchInfo string) (Row, error) {
	shape := b.sizes.Shape
	shape.NumHiddenLayers = w.layers
	t, err := timeEngine(ctx, engineSpec{Workload: w.name, Backend: backend, Shape: shape, Rows: w.rows, SeqLen: b.sizes.SeqLen,
		MinTime: time.Duration(b.sizes.MinTime * float64(time.Second)), MaxIters: b.sizes.MaxIters,
		MaxWarmup: time.Duration(b.sizes.MaxWarmup * float64(time.Second)), MeasureRows: b.measureRows(backend)})
	if err != nil {
		return Row{}, err
	}
	r := Row{What: b.what(w), Value: w.value(t.PerIter()), Unit: w.unit, Target: "≥ PyTorch",
		PeakFrac: b.peakFrac(w, t.PerIter()),
		Note:     fmt.Sprintf("%d timed, warm-up %.1fs excluded", t.Iters, t.WarmupSeconds)}
	if t.MeasuredRows < t.Rows {
		r.Note += fmt.Sprintf("; ran %d rows per call, scaled to %d (padded rows, same work per row)", t.MeasuredRows, t.Rows)
	}
	if t.WarmupIncluded {
		r.Note = strings.Replace(r.Note, fmt.Sprintf("1 timed, warm-up %.1fs excluded", t.WarmupSeconds),
			fmt.Sprintf("slow: first call (%.0fs > %.0fs) is the measurement, compile included", t.WarmupSeconds, b.sizes.MaxWarmup), 1)
	}
	switch {
	case ref <= 0:
		r.Verdict = "no reference"
		r.Note += "; no PyTorch reference: " + strings.TrimPrefix(torchInfo, "unavailable: ")
		if strings.HasPrefix(torchInfo, "torch ") {
			r.Note = strings.TrimSuffix(r.Note, torchInfo) + "its row failed"
		}
	default:
		r.Ratio = w.ratio(r.Value, ref)
		switch {
		case b.quick:
			r.Verdict = "n/a (quick)"
		case r.Ratio >= 1:
			r.Verdict = "met"
		default:
			r.Verdict = "not met"
		}
	}
	return r, nil
}
