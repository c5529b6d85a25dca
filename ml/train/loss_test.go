package train

import (
	"math"
	"testing"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX house style for graph code.
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBCEWithLogits(t *testing.T) {
	ln2 := math.Log(2)
	tests := []struct {
		name      string
		logits    []float32
		labels    []float32
		weights   []float32
		posWeight float64
		want      float64
	}{
		{"zero logit positive", []float32{0}, []float32{1}, []float32{1}, 1, ln2},
		{"zero logit negative", []float32{0}, []float32{0}, []float32{1}, 1, ln2},
		// max(2,0) − 0 + log(1+e^−2)
		{"confident wrong negative", []float32{2}, []float32{0}, []float32{1}, 1, 2 + math.Log1p(math.Exp(-2))},
		// log(1+e^−2)
		{"confident right positive", []float32{2}, []float32{1}, []float32{1}, 1, math.Log1p(math.Exp(-2))},
		// 2 · (3 + log(1+e^−3))
		{"pos weight doubles positives", []float32{-3}, []float32{1}, []float32{1}, 2, 2 * (3 + math.Log1p(math.Exp(-3)))},
		{"pos weight ignores negatives", []float32{-3}, []float32{0}, []float32{1}, 5, math.Log1p(math.Exp(-3))},
		{"no overflow large positive logit", []float32{100}, []float32{0}, []float32{1}, 1, 100},
		{"no overflow large negative logit", []float32{-100}, []float32{1}, []float32{1}, 1, 100},
		{"soft label", []float32{1}, []float32{0.25}, []float32{1}, 1, 1 - 0.25 + math.Log1p(math.Exp(-1))},
		{"mean over rows", []float32{0, 2}, []float32{1, 0}, []float32{1, 1}, 1, (ln2 + 2 + math.Log1p(math.Exp(-2))) / 2},
		{"zero weight drops padding row", []float32{0, 50}, []float32{1, 0}, []float32{1, 0}, 1, ln2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := len(tc.logits)
			out, err := ExecOnce(testBackend(), func(x, y, w *Node) *Node {
				return BCEWithLogits(x, y, w, tc.posWeight)
			},
				tensors.FromFlatDataAndDimensions(tc.logits, n),
				tensors.FromFlatDataAndDimensions(tc.labels, n),
				tensors.FromFlatDataAndDimensions(tc.weights, n))
			require.NoError(t, err)
			got := float64(tensors.ToScalar[float32](out))
			assert.InDelta(t, tc.want, got, 1e-5)
		})
	}
}

func TestSchedule(t *testing.T) {
	tests := []struct {
		name  string
		s     Schedule
		steps []int
		want  []float64
	}{
		{"warmup then decay", Schedule{Peak: 1, Warmup: 2, Total: 10},
			[]int{0, 1, 2, 5, 9, 10, -1}, []float64{0.5, 1, 1, 5.0 / 8, 1.0 / 8, 0, 0}},
		{"no warmup", Schedule{Peak: 2, Warmup: 0, Total: 4},
			[]int{0, 1, 3}, []float64{2, 1.5, 0.5}},
		{"all warmup", Schedule{Peak: 1, Warmup: 4, Total: 4},
			[]int{0, 3}, []float64{0.25, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for i, step := range tc.steps {
				assert.InDelta(t, tc.want[i], tc.s.At(step), 1e-12, "step %d", step)
			}
		})
	}
	s := newSchedule(2e-5, 0.1, 95)
	assert.Equal(t, 10, s.Warmup, "10%% of 95 steps rounds to 10")
}

func TestBucketLen(t *testing.T) {
	for _, tc := range []struct{ in, want int }{
		{1, 16}, {16, 16}, {17, 32}, {33, 48}, {50, 64}, {65, 96}, {100, 128}, {129, 192}, {300, 384}, {512, 512}, {513, 768},
	} {
		assert.Equal(t, tc.want, bucketLen(tc.in), "len %d", tc.in)
		assert.Zero(t, bucketLen(tc.in)%16, "len %d", tc.in)
	}
}
