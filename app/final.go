package app

import (
	"fmt"

	"github.com/precedent/precedent/ml/eval"
)

// How the final system was chosen, for EvalResult.FinalFrom.
const (
	FinalFromRanker = "ranker" // the learned ranker over evidence, with the fine-tuned score fused in (chosen on validation)
	FinalFromFusion = "fusion" // the first stage fused with the fine-tuned score, one weight (chosen on validation)
)

// byRank re-scores a list so its order is kept as first-stage order: Rank0
// becomes each candidate's rank under Score. Fusing it with a model then
// treats it as the "first stage" (RRF uses Rank0, ties follow it).
func byRank(list []eval.Scored) []eval.Scored {
	order := eval.Order(list)
	rank := make(map[string]int, len(order))
	for i, id := range order {
		rank[id] = i + 1
	}
	out := make([]eval.Scored, len(list))
	for i, s := range list {
		out[i] = eval.Scored{ID: s.ID, Score: s.Score, Rank0: rank[s.ID]}
	}
	return out
}

func byRankAll(lists [][]eval.Scored) [][]eval.Scored {
	out := make([][]eval.Scored, len(lists))
	for i, l := range lists {
		out[i] = byRank(l)
	}
	return out
}

// finalChoice is the final system's choice between the two candidates, made
// without the test window. The learned ranker is eligible when it beat the
// first stage on the rolling-origin folds (hundreds of queries), and then it
// is the final system unless the single-weight fusion beats it on
// validation in a paired randomization test (p < 0.05): the fusion's weight
// was picked as the best of a grid on those same few dozen queries, so its
// validation score is optimistic, and a lead that is not significant is
// that optimism, not evidence (on the CVE tracker's 2017 split a fusion that
// led 0.660 to 0.645 on 78 validation queries scored 0.532 on the test
// window, the ranker 0.619).
type finalChoice struct {
	From         string
	RankerFusion eval.Fusion        // the fine-tuned score's share in the ranker (weight 0: the ranker alone)
	RankerTrials []eval.FusionTrial // validation MRR@10 of each share
	Why          string
}

// chooseFinal decides from the folds and from the per-query validation
// MRR@10 of the ranker (with the fine-tuned share f) and of the single-
// weight fusion (the same queries, in the same order).
func chooseFinal(fit RankerFit, rankerVal, fusionVal []float64, f eval.Fusion, trials []eval.FusionTrial) finalChoice {
	c := finalChoice{RankerFusion: f, RankerTrials: trials}
	switch {
	case fit.Model == nil:
		c.From, c.Why = FinalFromFusion, "no learned ranker (too few labelled training queries)"
		return c
	case fit.FoldQueries > 0 && fit.FoldRanker <= fit.FoldFirstStage:
		c.From = FinalFromFusion
		c.Why = fmt.Sprintf("the learned ranker did not beat the first stage on %d rolling-origin fold queries (MRR@10 %.3f vs %.3f)", fit.FoldQueries, fit.FoldRanker, fit.FoldFirstStage)
		return c
	}
	folds := fmt.Sprintf("the learned ranker beat the first stage on %d rolling-origin fold queries (MRR@10 %.3f vs %.3f)", fit.FoldQueries, fit.FoldRanker, fit.FoldFirstStage)
	if len(rankerVal) == 0 || len(rankerVal) != len(fusionVal) {
		c.From, c.Why = FinalFromRanker, folds+", and there are no validation queries to weigh the single-weight fusion against it"
		return c
	}
	test := choiceTest()
	cmp := eval.Compare(rankerVal, fusionVal, test.Permutations, test.Resamples, 11)
	if cmp.MeanB > cmp.MeanA && cmp.PValue < 0.05 {
		c.From = FinalFromFusion
		c.Why = fmt.Sprintf("%s, but on validation the single-weight fusion beat it significantly: MRR@10 %.3f vs %.3f (p = %.3f, %d queries)", folds, cmp.MeanB, cmp.MeanA, cmp.PValue, len(rankerVal))
		return c
	}
	c.From = FinalFromRanker
	ranker := "on validation it"
	if f.Weight > 0 {
		ranker = fmt.Sprintf("on validation, with the fine-tuned score fused in (%s), it", f)
	}
	switch {
	case cmp.MeanB > cmp.MeanA:
		c.Why = fmt.Sprintf("%s; %s scored %.3f against the single-weight fusion's %.3f (p = %.2f for the fusion's lead, %d queries: a fusion must beat it significantly to be chosen)",
			folds, ranker, cmp.MeanA, cmp.MeanB, cmp.PValue, len(rankerVal))
	case cmp.MeanB == cmp.MeanA:
		c.Why = fmt.Sprintf("%s, and %s tied with the single-weight fusion at %.3f (%d queries: a fusion must beat it significantly to be chosen)",
			folds, ranker, cmp.MeanA, len(rankerVal))
	default:
		c.Why = fmt.Sprintf("%s, and %s scored %.3f against the single-weight fusion's %.3f (%d queries)", folds, ranker, cmp.MeanA, cmp.MeanB, len(rankerVal))
	}
	return c
}

// choiceTest sizes the paired tests the final choice rests on
// (chooseFinal, modelShare): the default evaluation's, whatever an
// evaluation's own options, so a quick evaluation (fewer permutations)
// chooses the same final system as a full one.
func choiceTest() EvalOptions { return DefaultEvalOptions() }

// fusedRR is the per-query MRR@10 of f fusing model into base, on queries
// whose relevant sets are rel.
func fusedRR(f eval.Fusion, base, model [][]eval.Scored, rel []map[string]bool) []float64 {
	out := make([]float64, len(base))
	for i := range base {
		m, _ := eval.Score(eval.Order(f.Apply(base[i], model[i])), rel[i])
		out[i] = m.MRR10
	}
	return out
}

// bestTrial is the validation MRR@10 of setting f among trials.
func bestTrial(f eval.Fusion, trials []eval.FusionTrial) float64 {
	for _, t := range trials {
		if t.Fusion == f {
			return t.MRR10
		}
	}
	return 0
}

// hitRate is the share of queries with a relevant candidate among the first
// depth of its list: the ceiling any reranker of those lists has.
func hitRate(qcs []QueryCandidates, depth int) float64 {
	if len(qcs) == 0 {
		return 0
	}
	n := 0
	for _, qc := range qcs {
		if listHits(qc.Candidates[:min(depth, len(qc.Candidates))], qc.Relevant) {
			n++
		}
	}
	return float64(n) / float64(len(qcs))
}

// rankerFusionVal is the validation MRR@10 of the ranker fusion chosen.
func (r EvalResult) rankerFusionVal() float64 {
	if r.RankerFit == nil || r.RankerFusion == nil {
		return 0
	}
	return r.RankerVal
}

// alignLists returns lists (one per rankerQuery of qs) in the order of
// qcs, matched by query ID; a query the ranker skipped keeps its
// first-stage list.
func alignLists(qcs []QueryCandidates, qs []rankerQuery, lists [][]eval.Scored) [][]eval.Scored {
	by := make(map[string][]eval.Scored, len(qs))
	for i, q := range qs {
		by[q.qc.Query] = lists[i]
	}
	out := make([][]eval.Scored, len(qcs))
	for i, qc := range qcs {
		if l, ok := by[qc.Query]; ok {
			out[i] = l
		} else {
			out[i] = firstStageScored(qc, len(qc.Candidates))
		}
	}
	return out
}

// modelShare chooses the fine-tuned model's share in the learned ranker on
// validation, and keeps it only when it is worth it there: a share above 0
// must beat the ranker alone on the validation queries in a paired
// randomization test (p < 0.05). A few dozen validation queries cannot tell
// a useful share from noise, and a weak model fused in on such evidence can
// cost more on the test window than it gained on validation; so without
// significant evidence the final system is the ranker alone.
func modelShare(ranker, model [][]eval.Scored, rel []map[string]bool) (eval.Fusion, []eval.FusionTrial, string) {
	base := byRankAll(ranker)
	f, trials := eval.ChooseFusion(base, model, rel, eval.FusionGrid())
	if f.Weight == 0 {
		return f, trials, "the fine-tuned score did not help the learned ranker on validation"
	}
	alone := eval.Fusion{Method: f.Method}
	test := choiceTest()
	c := eval.Compare(fusedRR(alone, base, model, rel), fusedRR(f, base, model, rel), test.Permutations, test.Resamples, 7)
	if c.PValue >= 0.05 {
		return alone, trials, fmt.Sprintf("the fine-tuned score's best share (%s) lifted validation MRR@10 %.3f → %.3f, not significantly (p = %.2f, %d queries): the ranker alone", f, c.MeanA, c.MeanB, c.PValue, len(base))
	}
	return f, trials, fmt.Sprintf("the fine-tuned score's share %s lifted validation MRR@10 %.3f → %.3f (p = %.3f, %d queries)", f, c.MeanA, c.MeanB, c.PValue, len(base))
}
