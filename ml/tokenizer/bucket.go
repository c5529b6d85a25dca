package tokenizer

import "sort"

// The engine pads sequence lengths to multiples of shortLenStep below
// shortLen tokens and of lenStep from there: a coarser step compiles fewer
// graphs, a finer one wastes less compute on padding, and short inputs
// (ticket texts: a mean of 54 tokens on the demo, 86 on the real archive)
// lose the most to a coarse one.
const (
	shortLenStep = 8
	shortLen     = 128
	lenStep      = 16
)

// PaddedRows is the row count the engine runs a batch of n rows at: powers
// of two below 8, then multiples of 8, so few shapes are compiled.
func PaddedRows(n int) int {
	if n <= 0 {
		return 1
	}
	if n < 8 {
		p := 1
		for p < n {
			p *= 2
		}
		return p
	}
	return (n + 7) / 8 * 8
}

// PaddedLen is the sequence length the engine runs a batch whose longest
// row has n tokens at (before any model maximum): a multiple of 8 below
// 128 tokens, of 16 from 128 on.
func PaddedLen(n int) int {
	if n < shortLen {
		return (n + shortLenStep - 1) / shortLenStep * shortLenStep
	}
	return (n + lenStep - 1) / lenStep * lenStep
}

// plannedBatches bounds the inputs whose split Buckets plans: up to this
// many batches' worth. Longer inputs fill every batch but the last with
// neighbours in length, which already pads little.
const plannedBatches = 4

// callCost is what Buckets charges each batch, in padded tokens, on top of
// its padded shape: it keeps a planned split from cutting many small
// batches (each a call and possibly a new compiled shape) to save a
// little padding.
const callCost = 1024

// Buckets groups indices of lengths into batches of at most batchSize whose
// members have similar lengths, so dynamic padding wastes little. Batches
// come shortest first and are deterministic (ties keep index order); callers
// shuffle batch order themselves when training. batchSize <= 0 means one
// batch.
//
// Up to plannedBatches×batchSize inputs (one query's candidates, a short
// request) are split where the engine's padded shapes (PaddedRows ×
// PaddedLen) plus callCost per batch cost the least; longer inputs are cut
// into full batches in length order, the last one partial.
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
	if len(order) <= plannedBatches*batchSize {
		return plannedSplit(order, lengths, batchSize)
	}
	out := make([][]int, 0, (len(order)+batchSize-1)/batchSize)
	for start := 0; start < len(order); start += batchSize {
		end := min(start+batchSize, len(order))
		out = append(out, order[start:end:end])
	}
	return out
}

// plannedSplit cuts order (sorted by length) into consecutive batches of at
// most batchSize that minimise the padded tokens plus callCost per batch.
// On a tie it keeps earlier batches full, as the plain cut does.
func plannedSplit(order, lengths []int, batchSize int) [][]int {
	n := len(order)
	cost := make([]int, n+1) // cost[i]: best split of order[:i]
	from := make([]int, n+1) // where the last batch of that split starts
	for i := 1; i <= n; i++ {
		cost[i] = -1
		length := PaddedLen(lengths[order[i-1]]) // the longest of any batch ending at i
		for j := i - 1; j >= max(0, i-batchSize); j-- {
			c := cost[j] + PaddedRows(i-j)*length + callCost
			if cost[i] < 0 || c < cost[i] {
				cost[i], from[i] = c, j
			}
		}
	}
	var out [][]int
	for i := n; i > 0; i = from[i] {
		out = append(out, order[from[i]:i:i])
	}
	for a, b := 0, len(out)-1; a < b; a, b = a+1, b-1 {
		out[a], out[b] = out[b], out[a]
	}
	return out
}
