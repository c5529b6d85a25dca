package model

import (
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/gomlx/compute"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/ml/backend"
	"github.com/precedent/precedent/ml/hf"
)

// tinyConfig is a valid HF config small enough for fast tests.
func tinyConfig(xlmr bool) hf.Config {
	cfg := hf.Config{ModelType: hf.ModelTypeBERT, VocabSize: 50, HiddenSize: 16, NumHiddenLayers: 3,
		NumAttentionHeads: 4, IntermediateSize: 32, HiddenAct: "gelu", MaxPositionEmbeddings: 40,
		TypeVocabSize: 2, LayerNormEps: 1e-12}
	if xlmr {
		cfg.ModelType, cfg.TypeVocabSize, cfg.PadTokenID, cfg.LayerNormEps = hf.ModelTypeXLMR, 1, 1, 1e-5
	}
	return cfg
}

// tinyCheckpoint wraps a scratch model's weights as a checkpoint with a tokenizer file.
func tinyCheckpoint(t *testing.T, cfg hf.Config, head HeadKind) *hf.Checkpoint {
	t.Helper()
	m, err := FromScratch(cfg, head, 11)
	require.NoError(t, err)
	w, err := m.Weights()
	require.NoError(t, err)
	dir := t.TempDir()
	tok := filepath.Join(dir, hf.TokenizerFile)
	require.NoError(t, os.WriteFile(tok, []byte(`{"version":"1.0"}`), 0o644))
	return &hf.Checkpoint{Dir: dir, Config: cfg, Weights: w, TokenizerPath: tok}
}

func newTestBackend(t testing.TB) compute.Backend {
	t.Helper()
	be, _, err := backend.New("")
	require.NoError(t, err)
	return be
}

func score(t *testing.T, be compute.Backend, m *Model, b Batch) []float32 {
	t.Helper()
	s, err := NewScorer(m, be, F32)
	require.NoError(t, err)
	got, err := s.Score(b)
	require.NoError(t, err)
	return got
}

func TestSaveLoadRoundTrip(t *testing.T) {
	be := newTestBackend(t)
	for _, xlmr := range []bool{false, true} {
		cfg := tinyConfig(xlmr)
		t.Run(cfg.ModelType, func(t *testing.T) {
			// An encoder-only checkpoint gets a fresh head; saving and reloading keeps every logit.
			ck := tinyCheckpoint(t, cfg, BiEncoder)
			m, err := FromCheckpoint(ck, Options{Head: CrossEncoder, Seed: 5})
			require.NoError(t, err)
			b := randomBatch(m.arch, rand.New(rand.NewSource(1)), []int{7, 3, 12}, 12)
			before := score(t, be, m, b)

			dir := filepath.Join(t.TempDir(), "saved")
			require.NoError(t, m.Save(dir))
			loaded, err := hf.Load(dir)
			require.NoError(t, err)
			assert.True(t, loaded.HasHead())
			m2, err := FromCheckpoint(loaded, Options{Head: CrossEncoder, Seed: 99})
			require.NoError(t, err)
			assert.Equal(t, before, score(t, be, m2, b))
		})
	}
}

func TestFreshHeadIsSeeded(t *testing.T) {
	be := newTestBackend(t)
	ck := tinyCheckpoint(t, tinyConfig(false), BiEncoder)
	b := randomBatch(arch{vocab: 50, typeVocab: 2}, rand.New(rand.NewSource(1)), []int{6, 9}, 9)
	logits := map[int64][]float32{}
	for _, seed := range []int64{1, 1, 2} {
		m, err := FromCheckpoint(ck, Options{Head: CrossEncoder, Seed: seed})
		require.NoError(t, err)
		got := score(t, be, m, b)
		if prev, ok := logits[seed]; ok {
			assert.Equal(t, prev, got, "same seed, same head")
		}
		logits[seed] = got
	}
	assert.NotEqual(t, logits[1], logits[2], "different seeds, different heads")
}

func TestKeepLayers(t *testing.T) {
	be := newTestBackend(t)
	ck := tinyCheckpoint(t, tinyConfig(false), CrossEncoder)
	full, err := FromCheckpoint(ck, Options{Head: CrossEncoder})
	require.NoError(t, err)
	cut, err := FromCheckpoint(ck, Options{Head: CrossEncoder, KeepLayers: 1})
	require.NoError(t, err)
	assert.Equal(t, 1, cut.Config().NumHiddenLayers)
	assert.Equal(t, 3, full.Config().NumHiddenLayers)
	w, err := cut.Weights()
	require.NoError(t, err)
	assert.Contains(t, w, "encoder.layer.0.output.dense.weight")
	assert.NotContains(t, w, "encoder.layer.1.output.dense.weight")

	// The truncated model is the full model's first layer followed by the same head.
	b := randomBatch(cut.arch, rand.New(rand.NewSource(2)), []int{4, 8}, 8)
	want := refLogits(cut.arch, w, refForward(cut.arch, w, b))
	got := score(t, be, cut, b)
	for i := range want {
		assert.InDelta(t, want[i], got[i], 1e-4)
	}

	_, err = FromCheckpoint(ck, Options{Head: CrossEncoder, KeepLayers: 4})
	assert.ErrorContains(t, err, "n = 4")
}

func TestCheckpointErrorsNameTheTensor(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(ck *hf.Checkpoint)
		want   string
	}{
		{"wrong shape", func(ck *hf.Checkpoint) {
			w := ck.Weights["encoder.layer.1.attention.self.key.weight"]
			w.Shape = []int{16, 8}
			w.Data = w.Data[:128]
			ck.Weights["encoder.layer.1.attention.self.key.weight"] = w
		}, `"encoder.layer.1.attention.self.key.weight" has shape [16 8], config wants [16 16]`},
		{"missing", func(ck *hf.Checkpoint) {
			delete(ck.Weights, "encoder.layer.2.output.LayerNorm.bias")
		}, `"encoder.layer.2.output.LayerNorm.bias" missing`},
		{"data length", func(ck *hf.Checkpoint) {
			w := ck.Weights["embeddings.LayerNorm.weight"]
			w.Data = w.Data[:3]
			ck.Weights["embeddings.LayerNorm.weight"] = w
		}, `"embeddings.LayerNorm.weight" has 3 values`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ck := tinyCheckpoint(t, tinyConfig(false), CrossEncoder)
			tc.mutate(ck)
			_, err := FromCheckpoint(ck, Options{Head: CrossEncoder})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestPaddingDoesNotChangeRows(t *testing.T) {
	be := newTestBackend(t)
	for _, xlmr := range []bool{false, true} {
		cfg := tinyConfig(xlmr)
		t.Run(cfg.ModelType, func(t *testing.T) {
			m, err := FromScratch(cfg, CrossEncoder, 3)
			require.NoError(t, err)
			rng := rand.New(rand.NewSource(4))
			batch := randomBatch(m.arch, rng, []int{9, 2, 5}, 9)
			together := score(t, be, m, batch)
			for r := range batch.Rows {
				n := 0
				for _, v := range batch.Mask[r*batch.Len : (r+1)*batch.Len] {
					n += int(v)
				}
				alone := Batch{IDs: batch.IDs[r*batch.Len : r*batch.Len+n], TypeIDs: batch.TypeIDs[r*batch.Len : r*batch.Len+n],
					Mask: batch.Mask[r*batch.Len : r*batch.Len+n], Rows: 1, Len: n}
				got := score(t, be, m, alone)
				assert.InDelta(t, together[r], got[0], 1e-5, "row %d", r)
			}
		})
	}
}

func TestScoreRejectsBadBatches(t *testing.T) {
	be := newTestBackend(t)
	m, err := FromScratch(tinyConfig(false), CrossEncoder, 1)
	require.NoError(t, err)
	s, err := NewScorer(m, be, F32)
	require.NoError(t, err)
	_, err = s.Score(Batch{IDs: []int32{1, 2}, TypeIDs: []int32{0}, Mask: []int32{1, 1}, Rows: 1, Len: 2})
	assert.ErrorContains(t, err, "TypeIDs has 1 values")
	long := Batch{Rows: 1, Len: 41, IDs: make([]int32, 41), TypeIDs: make([]int32, 41), Mask: make([]int32, 41)}
	_, err = s.Score(long)
	assert.ErrorContains(t, err, "exceeds the model's maximum 40")
	_, err = s.Score(Batch{IDs: []int32{1, 50}, TypeIDs: []int32{0, 0}, Mask: []int32{1, 1}, Rows: 1, Len: 2})
	assert.ErrorContains(t, err, "token id 50 outside vocab_size 50")
	_, err = s.Score(Batch{IDs: []int32{1, 2}, TypeIDs: []int32{0, 2}, Mask: []int32{1, 1}, Rows: 1, Len: 2})
	assert.ErrorContains(t, err, "type id 2 outside type_vocab_size 2")
	got, err := s.Score(Batch{})
	require.NoError(t, err)
	assert.Empty(t, got)

	emb, err := FromScratch(tinyConfig(false), BiEncoder, 1)
	require.NoError(t, err)
	_, err = NewScorer(emb, be, F32)
	assert.ErrorContains(t, err, "needs a cross-encoder")
}
