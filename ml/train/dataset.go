package train

import (
	"cmp"
	"math/rand/v2"
	"slices"

	"github.com/precedent/precedent/ml/model"
)

// TrainSet is the tokenized training data, indexed 0..Len()-1.
type TrainSet interface {
	Len() int
	// Batch returns the rows for indices (in that order) and their labels in
	// {0, 1}; rows may be padded to any common Len with Mask 0.
	Batch(indices []int) (model.Batch, []float32, error)
}

// Lengths is optionally implemented by a TrainSet to turn on length
// bucketing: it returns the token count of every example.
type Lengths interface {
	Lengths() []int
}

// Labeled is optionally implemented by a TrainSet so that a zero
// Config.PosWeight becomes negatives per positive.
type Labeled interface {
	Labels() []float32
}

// bucketSpan is how many batches are sorted by length together: large
// enough to group similar lengths, small enough to keep batches shuffled.
const bucketSpan = 50

// epochOrder returns the batches of one epoch as lists of example indices.
// It depends only on (n, batchSize, seed, epoch, lengths), so a resumed run
// replays the same order. With lengths, indices are shuffled, sorted by
// length within spans of bucketSpan batches, cut into batches, and the
// batches shuffled again.
func epochOrder(n, batchSize int, seed int64, epoch int, lengths []int) [][]int {
	rng := rand.New(rand.NewPCG(uint64(seed), uint64(epoch)))
	perm := rng.Perm(n)
	if lengths != nil {
		span := batchSize * bucketSpan
		for start := 0; start < n; start += span {
			chunk := perm[start:min(start+span, n)]
			slices.SortStableFunc(chunk, func(a, b int) int { return cmp.Compare(lengths[b], lengths[a]) })
		}
	}
	batches := make([][]int, 0, (n+batchSize-1)/batchSize)
	for start := 0; start < n; start += batchSize {
		batches = append(batches, perm[start:min(start+batchSize, n)])
	}
	if lengths != nil {
		rng.Shuffle(len(batches), func(i, j int) { batches[i], batches[j] = batches[j], batches[i] })
	}
	return batches
}

// stepsPerEpoch is the number of (possibly partial) batches in one epoch.
func stepsPerEpoch(n, batchSize int) int {
	return (n + batchSize - 1) / batchSize
}

// totalSteps is the length of the run: all epochs, capped by maxSteps.
func totalSteps(n, batchSize, epochs, maxSteps int) int {
	total := stepsPerEpoch(n, batchSize) * epochs
	if maxSteps > 0 && maxSteps < total {
		return maxSteps
	}
	return total
}

// defaultPosWeight is negatives per positive from labels (1 when either class is absent).
func defaultPosWeight(labels []float32) float64 {
	var pos, neg int
	for _, y := range labels {
		if y > 0.5 {
			pos++
		} else {
			neg++
		}
	}
	if pos == 0 || neg == 0 {
		return 1
	}
	return float64(neg) / float64(pos)
}
