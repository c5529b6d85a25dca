package app

import (
	"maps"
	"path/filepath"

	"github.com/precedent/precedent/ml/eval"
)

// chosenSystems are the choices made on the validation window, never the
// test window: each reranker's fusion with the first stage, and which
// candidate is the final system.
type chosenSystems struct {
	// lists holds the scored systems' test lists plus those the choices
	// make: SysFusion, SysFinal and, with a baseline, SysBaselineFusion.
	lists map[string][][]eval.Scored
	// fusion is the first stage fused with the fine-tuned reranker, and
	// fusionTrials every setting's validation MRR@10; baselineFusion the
	// same for the starting reranker (nil when it was not scored).
	fusion         eval.Fusion
	fusionTrials   []eval.FusionTrial
	baselineFusion *eval.Fusion
	// from is FinalFromRanker or FinalFromFusion, and why says why.
	from, why string
	// rankerFusion is the fine-tuned score's share in the final learned
	// ranker, and rankerVal its validation MRR@10 (nil, 0: the final
	// system is the fusion).
	rankerFusion *eval.Fusion
	rankerVal    float64
}

// chooseSystems fuses each reranker with the first stage by the setting
// best on validation, and chooses the final system as chooseFinalSystem
// does. It reads s and changes nothing in it.
func chooseSystems(s scoredSystems) chosenSystems {
	c := chosenSystems{lists: maps.Clone(s.test), from: FinalFromFusion, why: s.rankerSkipped}
	first, finetuned := s.test[SysFirstStage], s.test[SysFinetuned]
	if baseline, ok := s.test[SysBaseline]; ok {
		f, _ := eval.ChooseFusion(s.valFirst, s.valBaseline, s.valRelevant, eval.FusionGrid())
		c.baselineFusion = &f
		c.lists[SysBaselineFusion] = fuseAll(f, first, baseline)
	}
	v := chooseFinalSystem(s.valFirst, s.valRanker, s.valFinetuned, s.valRelevant, s.ranker)
	c.fusion, c.fusionTrials = v.fusion, v.fusionTrials
	c.lists[SysFusion] = fuseAll(c.fusion, first, finetuned)
	c.lists[SysFinal] = c.lists[SysFusion]
	if s.ranker == nil {
		return c
	}
	c.from, c.why = v.final.From, v.final.Why
	if v.final.From == FinalFromRanker {
		share := v.final.RankerFusion
		c.why += "; " + v.shareWhy
		c.rankerFusion, c.rankerVal = &share, bestTrial(share, v.final.RankerTrials)
		c.lists[SysFinal] = fuseAll(share, byRankAll(s.test[SysRanker]), finetuned)
	}
	return c
}

// validationChoice is what chooseFinalSystem chose on the validation window.
type validationChoice struct {
	// fusion is the first stage fused with the model, and fusionTrials
	// every setting's validation MRR@10.
	fusion       eval.Fusion
	fusionTrials []eval.FusionTrial
	// final is the final system: FinalFromRanker (with the model's share
	// final.RankerFusion) or FinalFromFusion (always, without a ranker).
	final finalChoice
	// shareWhy says why the ranker keeps the model's share it keeps ("" without a ranker).
	shareWhy string
}

// chooseFinalSystem fuses the first stage with the model (a reranker's
// validation lists) by the setting best on validation, and chooses the
// final system: the learned ranker fit (with the model's share modelShare
// keeps) where chooseFinal says so, else that fusion. fit is nil without a
// learned ranker, and valRanker is then unused. Evaluate (chooseSystems)
// and Monitor both choose through it, so a monitored model's final system
// is the one its evaluation chose.
func chooseFinalSystem(valFirst, valRanker, valModel [][]eval.Scored, valRel []map[string]bool, fit *RankerFit) validationChoice {
	v := validationChoice{final: finalChoice{From: FinalFromFusion}}
	v.fusion, v.fusionTrials = eval.ChooseFusion(valFirst, valModel, valRel, eval.FusionGrid())
	if fit == nil {
		return v
	}
	share, trials, shareWhy := modelShare(valRanker, valModel, valRel)
	rankerVal := fusedRR(share, byRankAll(valRanker), valModel, valRel)
	fusionVal := fusedRR(v.fusion, valFirst, valModel, valRel)
	v.final, v.shareWhy = chooseFinal(*fit, rankerVal, fusionVal, share, trials), shareWhy
	return v
}

// systemLabels names each system for reports: firstStage names the first
// stage's source, and the fusions and the final system say their setting.
func systemLabels(firstStage string, run RunRecord, c chosenSystems) map[string]string {
	labels := map[string]string{
		SysFirstStage:     "first stage (" + firstStage + ")",
		SysBaseline:       "starting reranker (" + filepath.Base(run.StartModel) + ")",
		SysBaselineFusion: "first stage + starting reranker",
		SysFinetuned:      "fine-tuned reranker alone (" + run.ID + ")",
		SysRanker:         "learned ranker over evidence (no fine-tuned score)",
		SysFusion:         "first stage + fine-tuned (" + c.fusion.String() + ")",
		SysFinal:          "final: first stage + fine-tuned (" + c.fusion.String() + ")",
		SysLeakProbe:      "leak probe: fine-tuned, shown future text (not honest)",
	}
	if c.rankerFusion != nil {
		labels[SysFinal] = "final: learned ranker + fine-tuned (" + c.rankerFusion.String() + ")"
		if c.rankerFusion.Weight == 0 {
			labels[SysFinal] = "final: learned ranker (the fine-tuned share did not help on validation)"
		}
	}
	if c.baselineFusion != nil {
		labels[SysBaselineFusion] += " (" + c.baselineFusion.String() + ")"
	}
	return labels
}
