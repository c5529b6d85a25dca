package model

import (
	"math"
	"math/rand"
	"testing"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX house style for graph code.
	"github.com/gomlx/gomlx/core/tensors"
	gmodel "github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/loss"
	"github.com/gomlx/gomlx/ml/train/optimizer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/ml/safetensors"
)

func batchTensors(b Batch) []any {
	return []any{tensors.FromFlatDataAndDimensions(b.IDs, b.Rows, b.Len),
		tensors.FromFlatDataAndDimensions(b.TypeIDs, b.Rows, b.Len), tensors.FromFlatDataAndDimensions(b.Mask, b.Rows, b.Len)}
}

// refBCE is the mean binary cross-entropy of the naive reference.
func refBCE(a arch, w map[string]safetensors.Tensor, b Batch, labels []float32) float64 {
	logits := refLogits(a, w, refForward(a, w, b))
	sum := 0.0
	for i, z := range logits {
		y := float64(labels[i])
		sum += math.Max(z, 0) - z*y + math.Log1p(math.Exp(-math.Abs(z)))
	}
	return sum / float64(len(logits))
}

// TestGradientMatchesFiniteDifference checks autodiff through the whole
// encoder against central differences of the float64 reference.
func TestGradientMatchesFiniteDifference(t *testing.T) {
	be := newTestBackend(t)
	a := tinyArch(false)
	a.layers = 1
	// Larger weights than BERT's init, so attention is far from uniform and
	// every probed gradient is well above float32 noise.
	large := func() map[string]safetensors.Tensor {
		w := randomWeights(a, CrossEncoder, 8)
		perturb(w, rand.New(rand.NewSource(9)), 10, 0.1)
		return w
	}
	w0 := large()
	require.Equal(t, w0, large(), "the same seeds must give the same weights")
	m, err := newModel(a, CrossEncoder, w0)
	require.NoError(t, err)
	b := randomBatch(m.arch, rand.New(rand.NewSource(5)), []int{6, 4, 6}, 6)
	labels := []float32{1, 0, 1}
	probes := []struct {
		name  string
		index int
	}{
		// index -1 probes the entry with the largest gradient.
		{"encoder.layer.0.attention.self.query.weight", -1},
		{"encoder.layer.0.attention.self.key.weight", -1},
		{"encoder.layer.0.intermediate.dense.weight", -1},
		{"encoder.layer.0.output.LayerNorm.weight", -1},
		{"embeddings.word_embeddings.weight", int(b.IDs[1])*16 + 3},
		{"embeddings.position_embeddings.weight", -1},
		{"classifier.bias", 0},
	}
	exec, err := gmodel.NewExec(be, m.Store(), func(scope *gmodel.Scope, ids, types, mask, y *Node) []*Node {
		l := loss.BinaryCrossentropyLogits([]*Node{y}, []*Node{m.LogitsGraph(scope, ids, types, mask)})
		var wrt []*Node
		for _, p := range probes {
			wrt = append(wrt, m.param(scope, ids.Graph(), p.name))
		}
		return Gradient(l, wrt...)
	})
	require.NoError(t, err)
	grads, err := exec.Call(append(batchTensors(b), tensors.FromValue(labels))...)
	require.NoError(t, err)

	w, err := m.Weights()
	require.NoError(t, err)
	const eps = 1e-4
	for i, p := range probes {
		flat := tensors.MustCopyFlatData[float32](grads[i])
		if p.index < 0 {
			for j, v := range flat {
				if p.index < 0 || math.Abs(float64(v)) > math.Abs(float64(flat[p.index])) {
					p.index = j
				}
			}
		}
		g := flat[p.index]
		orig := w[p.name].Data[p.index]
		w[p.name].Data[p.index] = orig + eps
		up := refBCE(m.arch, w, b, labels)
		w[p.name].Data[p.index] = orig - eps
		down := refBCE(m.arch, w, b, labels)
		w[p.name].Data[p.index] = orig
		fd := (up - down) / (2 * eps)
		t.Logf("%s[%d]: autodiff %.6g, central difference %.6g, |diff|/allowed %.3f", p.name, p.index, g, fd, math.Abs(fd-float64(g))/(1e-4+1e-3*math.Abs(fd)))
		assert.InDelta(t, fd, g, 1e-4+1e-3*math.Abs(fd), "%s[%d]", p.name, p.index)
		assert.Greater(t, math.Abs(float64(g)), 1e-6, "%s: a zero gradient proves nothing", p.name)
	}
}

// TestTrainingStepLearns runs Adam with dropout on a fixed batch: the loss
// falls, the Scorer sees the new weights, and Weights stays HF-only.
func TestTrainingStepLearns(t *testing.T) {
	be := newTestBackend(t)
	m, err := FromScratch(tinyConfig(true), CrossEncoder, 2)
	require.NoError(t, err)
	require.NoError(t, m.Store().SetRNGStateFromSeed(1))
	b := randomBatch(m.arch, rand.New(rand.NewSource(6)), []int{8, 5, 8, 3}, 8)
	labels := []float32{1, 0, 0, 1}
	opt := optimizer.Adam().LearningRate(3e-3).Done()
	step, err := gmodel.NewExec(be, m.Store(), func(scope *gmodel.Scope, ids, types, mask, y *Node) *Node {
		g := ids.Graph()
		scope.Store().SetTraining(g, true)
		l := loss.BinaryCrossentropyLogits([]*Node{y}, []*Node{m.LogitsGraph(scope, ids, types, mask)})
		opt.UpdateGraph(scope, g, l)
		return l
	})
	require.NoError(t, err)
	s, err := NewScorer(m, be, F32)
	require.NoError(t, err)
	before, err := s.Score(b)
	require.NoError(t, err)

	var first, last float32
	for i := range 30 {
		l, err := step.Call1(append(batchTensors(b), tensors.FromValue(labels))...)
		require.NoError(t, err)
		v := l.Value().(float32)
		require.False(t, math.IsNaN(float64(v)), "step %d", i)
		if i == 0 {
			first = v
		}
		last = v
	}
	assert.Less(t, last, first*0.5, "loss should fall on a memorisable batch")

	after, err := s.Score(b)
	require.NoError(t, err)
	assert.NotEqual(t, before, after, "scorer reads the trained weights")
	assert.Greater(t, after[0], after[1])

	w, err := m.Weights()
	require.NoError(t, err)
	assert.Len(t, w, len(m.arch.tensorShapes(CrossEncoder)))
}
