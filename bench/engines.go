package bench

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/precedent/precedent/ml/model"
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
		name, prec := splitPrecision(be)
		if _, info, err := b.rt.Backend(name); err != nil {
			rep.Backends[be] = "unavailable: " + err.Error()
		} else if prec == model.BF16 {
			rep.Backends[be] = info.Description + "; rerank and embed with bfloat16 products (" + info.BF16Note + ")"
		} else {
			rep.Backends[be] = info.Description
		}
	}
	for _, name := range names {
		w := b.workload(name)
		// One PyTorch reference per precision the backends ask for: a bf16
		// row is compared with PyTorch under bf16 autocast, never with fp32.
		refs := map[model.Precision]float64{}
		for _, prec := range []model.Precision{model.F32, model.BF16} {
			if !haveTorch || !b.wantsPrecision(w, prec) {
				continue
			}
			label := "pytorch"
			if prec == model.BF16 {
				label = "pytorch@bf16"
			}
			r := b.row(ctx, name, label, func(ctx context.Context) (Row, error) {
				return b.torchRow(ctx, script, w, prec == model.BF16)
			})
			if r.Error == "" {
				refs[prec] = r.Value
			}
			rep.Rows = append(rep.Rows, r)
		}
		rep.Rows = append(rep.Rows, b.ortPythonRows(ctx, script, w, refs[model.F32])...)
		for _, be := range b.backends {
			_, prec := splitPrecision(be)
			if w.train && (prec != model.F32 || inferenceOnly(be)) {
				continue // training steps run in float32 on a GoMLX backend
			}
			rep.Rows = append(rep.Rows, b.row(ctx, name, be, func(ctx context.Context) (Row, error) {
				return b.gomlxRow(ctx, be, w, refs[prec], torchInfo)
			}))
		}
	}
	return torchInfo
}

// splitPrecision reads a backend spec "NAME[@PRECISION]" (e.g.
// "xla:cpu@bf16"); no suffix is float32.
func splitPrecision(spec string) (string, model.Precision) {
	name, prec, ok := strings.Cut(spec, "@")
	if !ok {
		return spec, model.F32
	}
	p, err := model.ParsePrecision(prec)
	if err != nil {
		return spec, model.F32 // timeEngine reports the unknown backend
	}
	return name, p
}

// wantsPrecision says whether some backend row of workload w runs at prec.
func (b *runner) wantsPrecision(w workload, prec model.Precision) bool {
	for _, be := range b.backends {
		if _, p := splitPrecision(be); p == prec && (!w.train || p == model.F32) {
			return true
		}
	}
	return false
}

func (b *runner) gomlxRow(ctx context.Context, backend string, w workload, ref float64, torchInfo string) (Row, error) {
	shape := b.sizes.Shape
	shape.NumHiddenLayers = w.layers
	name, prec := splitPrecision(backend)
	t, err := timeEngine(ctx, engineSpec{Workload: w.name, Runtime: b.rt, Backend: name, Precision: prec, Shape: shape, Rows: w.rows, SeqLen: b.sizes.SeqLen,
		MinTime: time.Duration(b.sizes.MinTime * float64(time.Second)), MaxIters: b.sizes.MaxIters,
		MaxWarmup: time.Duration(b.sizes.MaxWarmup * float64(time.Second)), MeasureRows: b.measureRows(backend)})
	if err != nil {
		return Row{}, err
	}
	r := Row{What: b.what(w), Value: w.value(t.PerIter()), Unit: w.unit, Target: "≥ PyTorch",
		PeakFrac: b.peakFrac(w, t.PerIter()),
		Note:     fmt.Sprintf("%d timed, warm-up %.1fs excluded", t.Iters, t.WarmupSeconds)}
	if prec == model.BF16 {
		r.What += ", bf16 products"
		r.Target = "≥ PyTorch bf16 autocast"
		r.PeakFrac = 0 // the fp32 peak does not bound bf16 products
	}
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
