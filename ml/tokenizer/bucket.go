package tokenizer

import "sort"

// Buckets groups indices of lengths into batches of at most batchSize whose
// members have similar lengths, so dynamic padding wastes little. Batches
// come shortest first and are deterministic (ties keep index order); callers
// shuffle batch order themselves when training. batchSize <= 0 means one
// batch.
func Buckets(lengths []int, batchSize int) [][]int {
	if len(lengths) == 0 {
		return nil
	}
	if batchSize <= 0 {
		batchSize = len(lengths)
	}
	order := make([]int, len(lengths))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return lengths[order[a]] < lengths[order[b]] })
	out := make([][]int, 0, (len(order)+batchSize-1)/batchSize)
	for start := 0; start < len(order); start += batchSize {
		end := min(start+batchSize, len(order))
		out = append(out, order[start:end:end])
	}
	return out
}
