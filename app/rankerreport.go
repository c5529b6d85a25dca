package app

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/precedent/precedent/ml/eval"
	"github.com/precedent/precedent/ml/ltr"
)

// RankerOptions configure a learned-ranker report; zero values take
// DefaultRankerOptions'.
type RankerOptions struct {
	Depth int      `json:"depth"`          // candidates per query
	Drop  []string `json:"drop,omitempty"` // features left out (an ablation)
	// BiEncoderEvidence adds the off-the-shelf bi-encoder's cosine to the
	// evidence (as EvalOptions.BiEncoderEvidence).
	BiEncoderEvidence bool `json:"bi_encoder_evidence,omitempty"`
}

// DefaultRankerOptions are the values a learned-ranker report takes where
// its RankerOptions are zero: as deep as the first stage retrieves by
// default, every feature. The CLI's ranker flags default to them.
func DefaultRankerOptions() RankerOptions {
	return RankerOptions{Depth: DefaultFirstStageOptions().K}
}

func (o RankerOptions) withDefaults() RankerOptions {
	fillInt(&o.Depth, DefaultRankerOptions().Depth)
	return o
}

// Validate says which option is out of range or unknown (an *OptionError
// naming its JSON field), or returns nil. Zero values are valid.
func (o RankerOptions) Validate() error {
	feats := evidenceFeatures()
	for _, d := range o.Drop {
		if !slices.Contains(feats, d) {
			return &OptionError{Field: "drop", Value: d, Want: "features among " + strings.Join(feats, ", ")}
		}
	}
	return firstBadField(fieldCheck{o.Depth >= 0, "depth", o.Depth, fmt.Sprintf("candidates per query, 1 or more (0 = %d)", DefaultRankerOptions().Depth)})
}

// RankerWindow is the learned ranker against the first stage on one window.
type RankerWindow struct {
	Window     string          `json:"window"`
	Queries    int             `json:"queries"`
	Ceiling    float64         `json:"ceiling_hit@depth"`
	FirstStage float64         `json:"first_stage_mrr@10"`
	Ranker     float64         `json:"ranker_mrr@10"`
	Compare    eval.Comparison `json:"ranker_vs_first_stage"`
}

// RankerReport is what `precedent ranker` prints: the learned ranker alone
// (no fine-tuned score), fitted on the training window as evaluation fits
// it, against the first stage on the folds, validation and test.
type RankerReport struct {
	Options  RankerOptions  `json:"options"`
	Features []string       `json:"features"`
	Fit      RankerFit      `json:"fit"`
	Windows  []RankerWindow `json:"windows"`
}

// RankerReport fits the learned ranker on the training window's stored
// lists and compares it with the first stage; with Drop, as an ablation.
// It needs no trained model.
func (p *Project) RankerReport(ctx context.Context, o RankerOptions, progress Progress) (RankerReport, error) {
	if err := o.Validate(); err != nil {
		return RankerReport{}, fmt.Errorf("ranker: %w", err)
	}
	o = o.withDefaults()
	feats := evidenceFeatures()
	drop := map[int]bool{}
	for _, d := range o.Drop {
		drop[slices.Index(feats, d)] = true
	}
	a, err := p.loadArchive()
	if err != nil {
		return RankerReport{}, err
	}
	m, err := p.matcher()
	if err != nil {
		return RankerReport{}, err
	}
	progress.emit(Event{Step: "ranker", Phase: "evidence", Message: fmt.Sprintf("features over %d tickets", len(a.Tickets))})
	stops, err := p.StopEntities()
	if err != nil {
		return RankerReport{}, err
	}
	ev := newEvidence(a, stops)
	windows := map[string][]QueryCandidates{}
	for _, w := range []string{"train", "validation", "test"} {
		if windows[w], err = p.evalLists(a, w, 0); err != nil {
			return RankerReport{}, fmt.Errorf("ranker: %w", err)
		}
	}
	if o.BiEncoderEvidence {
		if err := p.embedEvidence(ctx, ev, m, progress, rankedLists{windows["train"], o.Depth}, rankedLists{windows["validation"], o.Depth}, rankedLists{windows["test"], o.Depth}); err != nil {
			return RankerReport{}, err
		}
	}
	counted := progress.counter("ranker", "evidence", int64(len(windows["train"])+len(windows["validation"])+len(windows["test"])))
	lists := func(w string) ([]rankerQuery, error) {
		qs := p.rankerQueries(a, ev, m, windows[w], o.Depth, counted)
		for _, q := range qs {
			for _, r := range q.ltr.Rows {
				for j := range drop {
					r[j] = 0
				}
			}
		}
		return qs, ctx.Err()
	}
	queries := map[string][]rankerQuery{}
	for _, w := range []string{"train", "validation", "test"} {
		if queries[w], err = lists(w); err != nil {
			return RankerReport{}, fmt.Errorf("ranker: %w", err)
		}
	}
	train := queries["train"]
	var val []rankerQuery
	refitWork := int64(len(train) + len(queries["validation"])) // the refit before test, on training and validation
	var fitted func(int64)
	fit, err := fitRanker(train, func(total int64) func(int64) {
		fitted = progress.counter("ranker", "folds", total+refitWork)
		return fitted
	})
	if err != nil {
		return RankerReport{}, err
	}
	rep := RankerReport{Options: o, Features: feats, Fit: fit}
	for i, w := range []string{"validation", "test"} {
		qs := queries[w]
		if w == "test" {
			// As evaluation does: test is scored by the ranker refit on
			// every labelled query before it.
			if err := rep.Fit.refit(train, val); err != nil {
				return RankerReport{}, err
			}
			fitted(refitWork)
		} else {
			val = qs
		}
		fit := rep.Fit
		if len(qs) == 0 {
			continue
		}
		first, ranker := make([]float64, len(qs)), make([]float64, len(qs))
		var qcs []QueryCandidates
		for k, q := range qs {
			first[k] = ltr.RR10(make([]float64, len(q.ltr.Rows)), q.ltr.Relevant)
			s := make([]float64, len(q.ltr.Rows))
			for j, r := range q.ltr.Rows {
				s[j] = fit.Model.Score(r)
			}
			ranker[k] = ltr.RR10(s, q.ltr.Relevant)
			qcs = append(qcs, q.qc)
		}
		test := DefaultEvalOptions() // tested as an evaluation is by default
		c := eval.Compare(first, ranker, test.Permutations, test.Resamples, uint64(i+1))
		rep.Windows = append(rep.Windows, RankerWindow{Window: w, Queries: len(qs), Ceiling: hitRate(qcs, o.Depth),
			FirstStage: c.MeanA, Ranker: c.MeanB, Compare: c})
	}
	progress.emit(Event{Step: "ranker", Final: true})
	return rep, nil
}
