package app

import (
	"fmt"
	"path/filepath"

	"github.com/precedent/precedent/ml/hf"
)

// baselineWorth says whether the starting checkpoint is a reranker worth
// comparing with: one that ships a trained reranking head (a downloaded
// cross-encoder such as bge-reranker). A checkpoint without one (a sentence
// embedder such as all-MiniLM-L6-v2, or a from-scratch model) starts
// fine-tuning with a randomly drawn head, so "the starting model off the
// shelf" does not exist: scoring it would cost as much as scoring the
// fine-tuned model and only measure noise. why says so in words, for the
// report; evaluation then compares with the first stage, and
// EvalOptions.Baseline scores the starting checkpoint anyway.
func (p *Project) baselineWorth(o TrainOptions) (worth bool, why string) {
	if o.FromScratch {
		return false, "not scored: training started from scratch, so the starting model's weights are random; the first stage is the baseline (--baseline scores it anyway)"
	}
	dir, err := p.ResolveModel(o.Model)
	if err != nil {
		// Scoring will fail with the same error, in context.
		return true, ""
	}
	ck, err := hf.Load(dir)
	if err != nil {
		return true, ""
	}
	if ck.HasHead() {
		return true, ""
	}
	return false, fmt.Sprintf("not scored: %s has no trained reranking head (fine-tuning gave it a random one), so it is no off-the-shelf reranker; the first stage is the baseline (--baseline scores it anyway)", filepath.Base(dir))
}
