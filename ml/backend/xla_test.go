//go:build cgo && !noxla && ((linux && (amd64 || arm64)) || (darwin && arm64))

package backend

import (
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/internal/testenv"
	"github.com/precedent/precedent/platform"
)

// With the CPU plugin installed (make pjrt), auto picks XLA and it computes
// the same numbers as the pure-Go backend.
func TestXLAMatchesGo(t *testing.T) {
	found := false
	for _, p := range platform.PJRTPlugins() {
		found = found || p.Name == "cpu"
	}
	if !found {
		testenv.SkipOrFail(t, "no PJRT CPU plugin installed (run `make pjrt`)")
	}
	xb, info, err := New("auto")
	require.NoError(t, err)
	assert.True(t, info.Accelerated, info.Description)
	gb, _, err := New("go")
	require.NoError(t, err)
	// A tensor is bound to the first backend that uses it: one input each.
	x := func() *tensors.Tensor { return tensors.FromFlatDataAndDimensions([]float32{1, 2, 3, 4, 5, 6}, 2, 3) }
	fn := func(a *graph.Node) *graph.Node { return graph.Tanh(graph.MatMul(a, graph.Transpose(a, 0, 1))) }
	want := graph.MustNewExec(gb, fn).MustExec1(x()).Value().([][]float32)
	got := graph.MustNewExec(xb, fn).MustExec1(x()).Value().([][]float32)
	for i := range want {
		assert.InDeltaSlice(t, want[i], got[i], 1e-5)
	}
}
