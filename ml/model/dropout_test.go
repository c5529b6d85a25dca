package model

import (
	"math"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX house style for graph code.
	"github.com/gomlx/gomlx/core/tensors"
	gmodel "github.com/gomlx/gomlx/ml/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dropoutMasks runs dropout twice in one graph on ones shaped [rows, cols]
// (training on unless eval) and returns both outputs, flat.
func dropoutMasks(t *testing.T, store *gmodel.Store, rows, cols int, rate float64, eval bool) (a, b []float32) {
	t.Helper()
	be := newTestBackend(t)
	exec, err := gmodel.NewExec(be, store, func(scope *gmodel.Scope, x *Node) []*Node {
		scope.Store().SetTraining(x.Graph(), !eval)
		return []*Node{dropout(scope, x, rate), dropout(scope, x, rate)}
	})
	require.NoError(t, err)
	defer exec.Finalize()
	ones := tensors.FromShape(shapes.Make(dtypes.Float32, rows, cols))
	tensors.MutableFlatData(ones, func(flat []float32) {
		for i := range flat {
			flat[i] = 1
		}
	})
	out, err := exec.Call(ones)
	require.NoError(t, err)
	return tensors.MustCopyFlatData[float32](out[0]), tensors.MustCopyFlatData[float32](out[1])
}

func TestDropout(t *testing.T) {
	const rows, cols = 512, 1024 // 2^19 values: the dropped share is within ±0.3% at 3σ
	for _, rate := range []float64{0.1, 0.5} {
		store := gmodel.NewStore()
		require.NoError(t, store.SetRNGStateFromSeed(7))
		a, b := dropoutMasks(t, store, rows, cols, rate, false)
		kept := float32(1 / (1 - rate))
		var droppedA, droppedB, both int
		rowDropped := make([]int, rows)
		colDropped := make([]int, cols)
		for i := range a {
			for _, v := range []float32{a[i], b[i]} {
				require.True(t, v == 0 || v == kept, "value %d is %v: neither dropped nor scaled by 1/(1-rate)", i, v)
			}
			if a[i] == 0 {
				droppedA++
				rowDropped[i/cols]++
				colDropped[i%cols]++
			}
			if b[i] == 0 {
				droppedB++
			}
			if a[i] == 0 && b[i] == 0 {
				both++
			}
		}
		n := float64(rows * cols)
		tol := 3 * math.Sqrt(rate*(1-rate)/n)
		assert.InDelta(t, rate, float64(droppedA)/n, tol, "rate %v: share dropped", rate)
		assert.InDelta(t, rate, float64(droppedB)/n, tol, "rate %v: share dropped by the second call", rate)
		// Two calls draw independent masks: both drop a value with probability rate².
		assert.InDelta(t, rate*rate, float64(both)/n, 3*math.Sqrt(rate*rate/n), "rate %v: masks of two calls are correlated", rate)
		// No row or column is spared or wiped out: every one drops about rate of its values.
		for r, d := range rowDropped {
			require.InDelta(t, rate, float64(d)/cols, 6*math.Sqrt(rate*(1-rate)/cols), "rate %v: row %d", rate, r)
		}
		for c, d := range colDropped {
			require.InDelta(t, rate, float64(d)/rows, 6*math.Sqrt(rate*(1-rate)/rows), "rate %v: column %d", rate, c)
		}
	}
}

func TestDropoutSeededAndFresh(t *testing.T) {
	run := func(seed int64) ([]float32, []float32) {
		store := gmodel.NewStore()
		require.NoError(t, store.SetRNGStateFromSeed(seed))
		return dropoutMasks(t, store, 64, 64, 0.1, false)
	}
	a1, b1 := run(3)
	a2, b2 := run(3)
	assert.Equal(t, a1, a2, "the same seed gives the same mask")
	assert.Equal(t, b1, b2)
	a3, _ := run(4)
	assert.NotEqual(t, a1, a3, "another seed gives another mask")

	// The store's state advances: a second execution draws new masks.
	store := gmodel.NewStore()
	require.NoError(t, store.SetRNGStateFromSeed(3))
	first, _ := dropoutMasks(t, store, 64, 64, 0.1, false)
	second, _ := dropoutMasks(t, store, 64, 64, 0.1, false)
	assert.NotEqual(t, first, second, "each step draws a fresh mask")
}

func TestDropoutOffOutsideTraining(t *testing.T) {
	store := gmodel.NewStore()
	a, b := dropoutMasks(t, store, 8, 8, 0.1, true)
	for i := range a {
		require.Equal(t, float32(1), a[i])
		require.Equal(t, float32(1), b[i])
	}
}
