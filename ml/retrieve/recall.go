package retrieve

import "context"

// EvalDepth is the default candidate depth for evaluation and reranking.
const EvalDepth = 50

// RecallAtK is the mean, over queries with at least one relevant document,
// of the share of relevant documents found in the first k candidates
// (macro-averaged; queries with none relevant are skipped; 0 if none count).
func RecallAtK(cands [][]Candidate, relevant []map[string]bool, k int) float64 {
	var sum float64
	n := 0
	for i, rel := range relevant {
		if len(rel) == 0 {
			continue
		}
		n++
		if i >= len(cands) {
			continue
		}
		hit := 0
		for j, c := range cands[i] {
			if j >= k {
				break
			}
			if rel[c.ID] {
				hit++
			}
		}
		sum += float64(hit) / float64(len(rel))
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// FirstStageRecall is RecallAtK at EvalDepth: how much of the relevant set
// the reranker can possibly see.
func FirstStageRecall(cands [][]Candidate, relevant []map[string]bool) float64 {
	return RecallAtK(cands, relevant, EvalDepth)
}

// EvalCandidates builds each test query's candidate list for reranking and
// evaluation: the index's top k (EvalDepth when k ≤ 0), time-aware as always.
func EvalCandidates(ctx context.Context, ix Index, qs []Query, k int, progress func(done, total int)) ([][]Candidate, error) {
	if k <= 0 {
		k = EvalDepth
	}
	return ix.SearchBatch(ctx, qs, k, progress)
}
