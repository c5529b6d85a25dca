package train

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEpochOrderIsDeterministicPermutation(t *testing.T) {
	lengths := newToySet(203, 1).Lengths()
	for _, tc := range []struct {
		name    string
		lengths []int
	}{{"shuffled", nil}, {"length-bucketed", lengths}} {
		t.Run(tc.name, func(t *testing.T) {
			a := epochOrder(203, 16, 42, 3, tc.lengths)
			b := epochOrder(203, 16, 42, 3, tc.lengths)
			assert.Equal(t, a, b, "same (seed, epoch) gives the same order")
			assert.NotEqual(t, a, epochOrder(203, 16, 42, 4, tc.lengths), "epochs differ")
			assert.NotEqual(t, a, epochOrder(203, 16, 43, 3, tc.lengths), "seeds differ")
			require.Len(t, a, stepsPerEpoch(203, 16))
			var all []int
			for _, batch := range a {
				assert.LessOrEqual(t, len(batch), 16)
				all = append(all, batch...)
			}
			slices.Sort(all)
			for i, v := range all {
				require.Equal(t, i, v, "every example exactly once")
			}
		})
	}
}

func TestEpochOrderBucketsByLength(t *testing.T) {
	lengths := newToySet(800, 2).Lengths()
	spread := func(order [][]int) float64 {
		total := 0
		for _, batch := range order {
			lo, hi := lengths[batch[0]], lengths[batch[0]]
			for _, i := range batch {
				lo, hi = min(lo, lengths[i]), max(hi, lengths[i])
			}
			total += hi - lo
		}
		return float64(total) / float64(len(order))
	}
	plain := spread(epochOrder(800, 16, 1, 0, nil))
	bucketed := spread(epochOrder(800, 16, 1, 0, lengths))
	assert.Less(t, bucketed, plain/4, "bucketed batches have similar lengths (spread %.1f vs %.1f)", bucketed, plain)
}

func TestTotalStepsAndPosWeight(t *testing.T) {
	assert.Equal(t, 22, totalSteps(101, 10, 2, 0), "11 batches (the last partial) × 2 epochs")
	assert.Equal(t, 5, totalSteps(101, 10, 2, 5))
	assert.Equal(t, 3.0, defaultPosWeight([]float32{1, 0, 0, 0}))
	assert.Equal(t, 1.0, defaultPosWeight([]float32{0, 0}))
}
