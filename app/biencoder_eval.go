package app

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/precedent/precedent/ml/eval"
)

// BiEncoderEvalOptions choose what BiEncoderEval compares; zero values
// take DefaultBiEncoderEvalOptions'.
type BiEncoderEvalOptions struct {
	Windows    []string `json:"windows"`     // train, validation, test
	Models     []string `json:"models"`      // bi-encoder folders or names
	Depth      int      `json:"depth"`       // candidates re-sorted per query
	MaxQueries int      `json:"max_queries"` // per window, evenly spread in time (0 = all)
	MaxLen     int      `json:"max_len"`     // tokens per ticket (0 = as each model was trained, else 128)
	Layers     int      `json:"layers"`      // keep only the first N encoder layers of every model (0 = all): quick runs
}

// DefaultBiEncoderEvalOptions are the values BiEncoderEval takes where its
// options are zero: the off-the-shelf bi-encoder (DefaultModel) re-sorting
// the first 50 candidates of every validation and test query.
func DefaultBiEncoderEvalOptions() BiEncoderEvalOptions {
	return BiEncoderEvalOptions{Windows: []string{"validation", "test"}, Models: []string{DefaultModel}, Depth: 50}
}

func (o BiEncoderEvalOptions) withDefaults() BiEncoderEvalOptions {
	d := DefaultBiEncoderEvalOptions()
	if len(o.Windows) == 0 {
		o.Windows = d.Windows
	}
	if len(o.Models) == 0 {
		o.Models = d.Models
	}
	fillInt(&o.Depth, d.Depth)
	return o
}

// Validate says which option is out of range (an *OptionError naming its
// JSON field), or returns nil. Zero values are valid.
func (o BiEncoderEvalOptions) Validate() error {
	for _, w := range o.Windows {
		if !slices.Contains([]string{"train", "validation", "test"}, w) {
			return &OptionError{Field: "windows", Value: w, Want: "windows among train, validation, test"}
		}
	}
	return firstBadField(
		fieldCheck{o.Depth >= 0, "depth", o.Depth, fmt.Sprintf("candidates per query, 1 or more (0 = %d)", DefaultBiEncoderEvalOptions().Depth)},
		fieldCheck{o.MaxQueries >= 0, "max_queries", o.MaxQueries, "queries per window, 1 or more (0 = all)"},
		fieldCheck{o.MaxLen == 0 || (o.MaxLen >= minRunMaxLen && o.MaxLen <= maxRunMaxLen), "max_len", o.MaxLen,
			fmt.Sprintf("%d to %d tokens (0 = as each model was trained)", minRunMaxLen, maxRunMaxLen)},
		fieldCheck{o.Layers >= 0 && o.Layers <= maxKeepLayers, "layers", o.Layers, fmt.Sprintf("0 (all) to %d", maxKeepLayers)},
	)
}

// BiEncoderSystem is one system's MRR@10 per window.
type BiEncoderSystem struct {
	Name  string             `json:"name"`  // "first_stage" or the model as given
	Model string             `json:"model"` // resolved folder ("" for the first stage)
	MRR10 map[string]float64 `json:"mrr@10"`
}

// BiEncoderEvalResult compares the first stage's order with bi-encoders
// re-sorting the identical stored candidate lists.
type BiEncoderEvalResult struct {
	Options BiEncoderEvalOptions `json:"options"`
	Queries map[string]int       `json:"queries"` // per window
	Systems []BiEncoderSystem    `json:"systems"`
	Seconds float64              `json:"seconds"`
}

// BiEncoderEval reports the MRR@10 of the first stage's order and of each
// bi-encoder re-sorting the first Depth stored candidates of every query
// with mined positives in each window, ties broken as Evaluate breaks them.
func (p *Project) BiEncoderEval(ctx context.Context, o BiEncoderEvalOptions, progress Progress) (BiEncoderEvalResult, error) {
	start := time.Now()
	if err := o.Validate(); err != nil {
		return BiEncoderEvalResult{}, fmt.Errorf("eval-bi: %w", err)
	}
	o = o.withDefaults()
	a, err := p.loadArchive()
	if err != nil {
		return BiEncoderEvalResult{}, err
	}
	res := BiEncoderEvalResult{Options: o, Queries: map[string]int{}}
	lists := map[string][]QueryCandidates{}
	for _, w := range o.Windows {
		qcs, err := p.Candidates(w)
		if err != nil {
			return BiEncoderEvalResult{}, err
		}
		qcs = slices.DeleteFunc(qcs, func(qc QueryCandidates) bool { return len(qc.Relevant) == 0 })
		slices.SortFunc(qcs, func(x, y QueryCandidates) int {
			qx, _ := a.get(x.Query)
			qy, _ := a.get(y.Query)
			return qx.Opened.Compare(qy.Opened)
		})
		if o.MaxQueries > 0 {
			qcs = spread(qcs, o.MaxQueries)
		}
		if len(qcs) == 0 {
			return BiEncoderEvalResult{}, fmt.Errorf("window %q has no queries with mined positives and candidates", w)
		}
		for i := range qcs {
			qcs[i].Candidates = qcs[i].Candidates[:min(o.Depth, len(qcs[i].Candidates))]
		}
		lists[w], res.Queries[w] = qcs, len(qcs)
	}
	first := BiEncoderSystem{Name: "first_stage", MRR10: map[string]float64{}}
	for _, w := range o.Windows {
		scored := make([][]eval.Scored, len(lists[w]))
		for i, qc := range lists[w] {
			scored[i] = firstStageScored(qc, o.Depth)
		}
		first.MRR10[w] = mrrAt10(lists[w], scored)
	}
	res.Systems = append(res.Systems, first)
	for _, name := range o.Models {
		dir, err := p.ResolveModel(name)
		if err != nil {
			return BiEncoderEvalResult{}, err
		}
		sys := BiEncoderSystem{Name: name, Model: dir, MRR10: map[string]float64{}}
		// One call over all windows, so a ticket in two windows' lists is embedded once.
		var all []QueryCandidates
		for _, w := range o.Windows {
			all = append(all, lists[w]...)
		}
		progress.emit(Event{Step: "bi-encoder", Phase: "score", Message: name})
		scored, err := p.biEncoderScores(ctx, dir, all, o.MaxLen, o.Layers, progress)
		if err != nil {
			return BiEncoderEvalResult{}, fmt.Errorf("bi-encoder %s: %w", name, err)
		}
		at := 0
		for _, w := range o.Windows {
			n := len(lists[w])
			sys.MRR10[w] = mrrAt10(lists[w], scored[at:at+n])
			at += n
		}
		res.Systems = append(res.Systems, sys)
	}
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}
