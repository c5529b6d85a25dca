package train

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/ml/hf"
	"github.com/precedent/precedent/ml/model"
	"github.com/precedent/precedent/ml/safetensors"
)

// bertConfig is a small BERT for tests and benchmarks.
func bertConfig(layers, hidden int) hf.Config {
	return hf.Config{
		ModelType: hf.ModelTypeBERT, VocabSize: 100, HiddenSize: hidden, NumHiddenLayers: layers,
		NumAttentionHeads: 4, IntermediateSize: 2 * hidden, HiddenAct: "gelu",
		MaxPositionEmbeddings: 512, TypeVocabSize: 2, LayerNormEps: 1e-12,
	}
}

// fixedSet serves n random rows of length length, labels alternating 1, 0, 0, 0.
type fixedSet struct {
	n, length int
	seed      uint64
}

func (s fixedSet) Len() int { return s.n }

func (s fixedSet) Batch(indices []int) (model.Batch, []float32, error) {
	b := model.Batch{Rows: len(indices), Len: s.length}
	b.IDs = make([]int32, b.Rows*b.Len)
	b.TypeIDs = make([]int32, b.Rows*b.Len)
	b.Mask = make([]int32, b.Rows*b.Len)
	labels := make([]float32, len(indices))
	for r, i := range indices {
		rng := rand.New(rand.NewPCG(s.seed, uint64(i)))
		for j := range s.length {
			b.IDs[r*b.Len+j] = int32(rng.IntN(100))
			b.Mask[r*b.Len+j] = 1
			if j > s.length/2 {
				b.TypeIDs[r*b.Len+j] = 1
			}
		}
		if i%4 == 0 {
			labels[r] = 1
			b.IDs[r*b.Len+1] = 7 // a marker token makes the task learnable
		}
	}
	return b, labels, nil
}

func TestTrainRealCrossEncoder(t *testing.T) {
	m, err := model.FromScratch(bertConfig(1, 16), model.CrossEncoder, 3)
	require.NoError(t, err)
	dir := t.TempDir()
	cfg := toyConfig(dir)
	cfg.LR = 1e-3
	cfg.Epochs = 2
	cfg.EvalEvery = 3
	evals := 0
	validate := func(context.Context) (float64, error) { evals++; return float64(evals), nil }
	res, err := Train(context.Background(), testBackend(), m, fixedSet{n: 24, length: 20, seed: 1}, cfg, validate, nil)
	require.NoError(t, err)
	assert.Equal(t, StoppedFinished, res.Stopped)
	assert.Equal(t, 6, res.Steps)
	assert.Equal(t, 6, res.BestStep)

	// Every model variable got Adam moments; the store's variable names
	// decide which ones decay.
	var decayed, exempt int
	for v := range m.Store().IterVariables() {
		if isOptimizerVar(v.Path()) || v.Path() == rngPath {
			continue
		}
		if m.Store().GetVariable(optimizerScope+"/m"+v.Path()) == nil {
			continue // read by no graph (e.g. unused head weights)
		}
		if decays(v.Path()) {
			decayed++
		} else {
			exempt++
		}
	}
	assert.Positive(t, decayed)
	assert.Positive(t, exempt)

	// best/ carries HF-named weights that ml/model can load back.
	weights, _, err := safetensors.Read(filepath.Join(res.BestDir, weightsFile))
	require.NoError(t, err)
	current, err := m.Weights()
	require.NoError(t, err)
	require.Contains(t, weights, "encoder.layer.0.attention.self.query.weight")
	for name, w := range current {
		assert.Equal(t, w.Data, weights[name].Data, name)
	}
}

// BenchmarkTrainStep measures steps/s for batches of 16 × 128 tokens on a
// 2-layer, hidden-128 BERT cross-encoder with the pure-Go backend.
func BenchmarkTrainStep(b *testing.B) {
	m, err := model.FromScratch(bertConfig(2, 128), model.CrossEncoder, 1)
	require.NoError(b, err)
	set := fixedSet{n: 16, length: 128, seed: 2}
	cfg := DefaultConfig()
	st, err := newStepper(testBackend(), m, cfg, 3)
	require.NoError(b, err)
	defer st.close()
	batch, labels, err := set.Batch([]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
	require.NoError(b, err)
	in, err := padInputs(batch, labels, 16)
	require.NoError(b, err)
	_, _, err = st.run(in, 1e-4, 1) // compile outside the timer
	require.NoError(b, err)
	b.ResetTimer()
	for i := range b.N {
		if _, _, err := st.run(in, 1e-4, i+2); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
}
