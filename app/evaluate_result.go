package app

import (
	"fmt"
	"strings"
)

// evalResult gathers the steps' outputs into the evaluation's record, with
// the verdict in words. Report paths, Created and Seconds are left to
// Evaluate and writeEvaluation.
func evalResult(in evalInputs, s scoredSystems, c chosenSystems, cmp comparisons, labels map[string]string) EvalResult {
	res := EvalResult{
		Run: in.run.ID, Queries: len(in.test), ValQueries: len(in.val), Depth: in.depth, Precision: in.precisionNote,
		BaselineSkipped: s.baselineSkipped,
		FinalFrom:       c.from, FinalWhy: c.why,
		RankerFit: s.ranker, RankerFusion: c.rankerFusion, RankerVal: c.rankerVal,
		Why:     s.why,
		Ceiling: hitRate(in.test, in.depth), ValCeiling: hitRate(in.val, in.depth),
		Fusion: c.fusion, FusionTrials: c.fusionTrials, BaselineFusionSetting: c.baselineFusion,
		LeakPairs:    s.leakPairs,
		BestBaseline: cmp.bestBaseline, VsBest: cmp.vsBest,
		UpliftPct: cmp.vsBest.UpliftPct, PValue: cmp.vsBest.PValue, CI95: [2]float64{cmp.vsBest.CILow, cmp.vsBest.CIHigh},
		VsFirst: cmp.vsFirst, PureVsFirst: cmp.pureVsFirst, VsBaseline: cmp.vsBaseline, VsFusion: cmp.vsFusion, RankerVsFirst: cmp.rankerVsFirst,
		PerRule:  cmp.perRule,
		TieBreak: TieBreak, Relevance: Relevance,
	}
	for _, sr := range cmp.systems {
		se := SystemEval{Name: sr.Name, Label: sr.Label, Metrics: sr.Mean}
		switch sr.Name {
		case SysFirstStage:
			res.FirstStage = se
		case SysBaseline:
			res.Baseline = &se
		case SysBaselineFusion:
			res.BaselineFusion = &se
		case SysFinetuned:
			res.Finetuned = se
		case SysRanker:
			res.Ranker = &se
		case SysFusion:
			res.FusionSystem = se
		case SysFinal:
			res.Final = se
		case SysLeakProbe:
			res.LeakProbe = &se
		}
	}
	res.Verdict = verdict(res, labels, in.run)
	return res
}

// fusionLine says how the final system was chosen.
func fusionLine(r EvalResult) string {
	best := 0.0
	for _, t := range r.FusionTrials {
		if t.Fusion == r.Fusion {
			best = t.MRR10
		}
	}
	s := fmt.Sprintf("%s, chosen on %d validation queries (validation MRR@10 %.3f; %d settings tried)", r.Fusion, r.ValQueries, best, len(r.FusionTrials))
	if r.Fusion.Weight == 0 {
		s += "; weight 0: the fine-tuned model did not help on validation, so this fusion is the first stage itself"
	}
	if r.FinalFrom == FinalFromRanker && r.RankerFusion != nil {
		s += fmt.Sprintf("; the final system is the learned ranker with the fine-tuned score fused in (%s, validation MRR@10 %.3f) instead", r.RankerFusion, r.rankerFusionVal())
	}
	return s
}

// verdict says in words how the final system compares with the best
// baseline, and when it does not win, the likely reason and what to try.
func verdict(r EvalResult, labels map[string]string, run RunRecord) string {
	c := r.VsBest
	head := fmt.Sprintf("Final system vs the best baseline, %s: MRR@10 %.3f → %.3f (%+.1f%%, Δ %+.3f, 95%% CI [%+.3f, %+.3f], p = %.3g, %d test queries).",
		labels[r.BestBaseline], c.MeanA, c.MeanB, c.UpliftPct, c.Delta, c.CILow, c.CIHigh, c.PValue, r.Queries)
	significant := c.PValue < 0.05
	var why []string
	if run.Positives < 1000 {
		why = append(why, fmt.Sprintf("only %d labelled training pairs", run.Positives))
	}
	if r.ValQueries < 100 {
		why = append(why, fmt.Sprintf("only %d validation queries to choose the fusion on", r.ValQueries))
	}
	if r.FinalFrom != FinalFromRanker && r.RankerFit != nil {
		why = append(why, "the learned ranker was not chosen: "+r.FinalWhy)
	}
	if r.Finetuned.MRR10 < r.FirstStage.MRR10 {
		why = append(why, fmt.Sprintf("the fine-tuned reranker alone is below the first stage (%.3f vs %.3f)", r.Finetuned.MRR10, r.FirstStage.MRR10))
	}
	reason := ""
	if len(why) > 0 {
		reason = " Likely reason: " + strings.Join(why, "; ") + "."
	}
	try := " What to try: mine more labels (comments, explicit link fields, more ID patterns), review hard negatives, or start from a stronger checkpoint (a downloaded cross-encoder, or a fine-tuned bi-encoder)."
	switch {
	case significant && c.Delta > 0:
		return "Better than the best baseline. " + head
	case significant && c.Delta < 0:
		return "WORSE than the best baseline: do not ship this model. " + head + reason + try
	case r.FinalFrom != FinalFromRanker && r.Fusion.Weight == 0:
		return "Not better than the first stage: the fine-tuned model did not help on the validation window, so the final ranking is the first stage's own. " + head + reason + try
	default:
		return "Not significantly different from the best baseline. " + head + reason + try
	}
}
