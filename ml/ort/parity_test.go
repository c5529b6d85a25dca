//go:build cgo

package ort

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/internal/testenv"
	"github.com/precedent/precedent/ml/backend"
	"github.com/precedent/precedent/ml/hf"
	"github.com/precedent/precedent/ml/model"
	"github.com/precedent/precedent/platform"
)

// fixtureDir holds the PyTorch reference fixtures made by scripts/torch_reference.py.
const fixtureDir = "../hf/testdata"

// miniLMDir holds the real all-MiniLM-L6-v2 fetched by scripts/fetch-weights.sh.
const miniLMDir = "../../models/all-MiniLM-L6-v2"

// parityTol is issue 16's bound on |ONNX Runtime − reference|.
const parityTol = 1e-4

// loadORT loads the library `make onnxruntime` installs, or skips (fails
// under PRECEDENT_REQUIRE_ASSETS).
func loadORT(t *testing.T) {
	t.Helper()
	lib := platform.ORTLibrary()
	if lib == "" {
		testenv.SkipOrFail(t, "no ONNX Runtime library (run `make onnxruntime`)")
	}
	_, err := Load(lib)
	require.NoError(t, err)
}

// reference is the part of a fixture's expected.json the parity checks read.
type reference struct {
	InputIDs      [][]int32   `json:"input_ids"`
	AttentionMask [][]int32   `json:"attention_mask"`
	TokenTypeIDs  [][]int32   `json:"token_type_ids"`
	MeanPooled    [][]float64 `json:"mean_pooled_normalized"`
	Logits        [][]float64 `json:"logits"`
}

func readReference(t *testing.T, path string) (reference, model.Batch) {
	t.Helper()
	buf, err := os.ReadFile(path)
	require.NoError(t, err, "PyTorch fixture missing: run scripts/torch_reference.py")
	var r reference
	require.NoError(t, json.Unmarshal(buf, &r), path)
	require.NotEmpty(t, r.InputIDs, path)
	b := model.Batch{Rows: len(r.InputIDs), Len: len(r.InputIDs[0])}
	for i := range r.InputIDs {
		b.IDs = append(b.IDs, r.InputIDs[i]...)
		b.Mask = append(b.Mask, r.AttentionMask[i]...)
		b.TypeIDs = append(b.TypeIDs, r.TokenTypeIDs[i]...)
	}
	return r, b
}

// alone is row r of b trimmed to its real tokens.
func alone(b model.Batch, r int) model.Batch {
	n := 0
	for _, v := range b.Mask[r*b.Len : (r+1)*b.Len] {
		n += int(v)
	}
	s := r * b.Len
	return model.Batch{IDs: b.IDs[s : s+n], TypeIDs: b.TypeIDs[s : s+n], Mask: b.Mask[s : s+n], Rows: 1, Len: n}
}

func run(t *testing.T, m *model.Model, embed bool, b model.Batch) ([]float32, []int) {
	t.Helper()
	f, err := Forward(m, embed)
	require.NoError(t, err)
	out, dims, err := f(b)
	require.NoError(t, err)
	return out, dims
}

func TestPyTorchParity(t *testing.T) {
	loadORT(t)
	for _, tc := range []struct {
		folder string
		head   model.HeadKind
	}{
		{"bert-tiny", model.BiEncoder},
		{"bert-tiny-cross", model.CrossEncoder},
		{"xlmr-tiny-cross", model.CrossEncoder},
	} {
		t.Run(tc.folder, func(t *testing.T) {
			dir := filepath.Join(fixtureDir, tc.folder)
			ref, b := readReference(t, filepath.Join(dir, "expected.json"))
			ck, err := hf.Load(dir)
			require.NoError(t, err)
			m, err := model.FromCheckpoint(ck, model.Options{Head: tc.head})
			require.NoError(t, err)

			emb, dims := run(t, m, true, b)
			require.Equal(t, []int{b.Rows, m.Spec().Hidden}, dims)
			h := dims[1]
			for r := range b.Rows {
				assert.InDeltaSlice(t, ref.MeanPooled[r], f64(emb[r*h:(r+1)*h]), parityTol, "embedding row %d", r)
				one, _ := run(t, m, true, alone(b, r))
				assert.InDeltaSlice(t, ref.MeanPooled[r], f64(one), parityTol, "embedding row %d alone", r)
			}
			if tc.head != model.CrossEncoder {
				return
			}
			require.Len(t, ref.Logits, b.Rows)
			logits, dims := run(t, m, false, b)
			require.Equal(t, []int{b.Rows}, dims)
			for r := range b.Rows {
				assert.InDelta(t, ref.Logits[r][0], logits[r], parityTol, "logit row %d", r)
				one, _ := run(t, m, false, alone(b, r))
				assert.InDelta(t, ref.Logits[r][0], one[0], parityTol, "logit row %d alone", r)
			}
		})
	}
}

// miniLM loads the real all-MiniLM-L6-v2 with the head asked for (a
// cross-encoder gets a seeded fresh head), or skips.
func miniLM(t *testing.T, head model.HeadKind) *model.Model {
	t.Helper()
	if _, err := os.Stat(filepath.Join(miniLMDir, hf.WeightsFile)); err != nil {
		testenv.SkipOrFail(t, "all-MiniLM-L6-v2 weights not in %s (run scripts/fetch-weights.sh): %v", miniLMDir, err)
	}
	ck, err := hf.Load(miniLMDir)
	require.NoError(t, err)
	m, err := model.FromCheckpoint(ck, model.Options{Head: head, Seed: 7})
	require.NoError(t, err)
	return m
}

func TestMiniLMPyTorchParity(t *testing.T) {
	loadORT(t)
	m := miniLM(t, model.BiEncoder)
	ref, b := readReference(t, filepath.Join(fixtureDir, "minilm_reference.json"))
	emb, dims := run(t, m, true, b)
	require.Equal(t, len(ref.MeanPooled), dims[0])
	h := dims[1]
	for r := range dims[0] {
		assert.InDeltaSlice(t, ref.MeanPooled[r], f64(emb[r*h:(r+1)*h]), parityTol, "sentence %d", r)
	}
}

// randomBatch draws rows of random real tokens with random lengths in
// [1, maxLen], [CLS]-like id 101 first, padded with 0.
func randomBatch(rows, maxLen int, seed uint64) model.Batch {
	rng := rand.New(rand.NewPCG(seed, 1))
	b := model.Batch{Rows: rows, Len: maxLen}
	for range rows {
		n := 1 + rng.IntN(maxLen)
		for p := range maxLen {
			id, typ, mask := int32(0), int32(0), int32(0)
			if p < n {
				id, mask = int32(1000+rng.IntN(28000)), 1
				if p == 0 {
					id = 101
				}
				if p > n/2 {
					typ = 1
				}
			}
			b.IDs, b.TypeIDs, b.Mask = append(b.IDs, id), append(b.TypeIDs, typ), append(b.Mask, mask)
		}
	}
	return b
}

// TestMiniLMXLAParity compares ONNX Runtime with GoMLX on XLA CPU on the
// real 6-layer weights, both heads, on ragged batches.
func TestMiniLMXLAParity(t *testing.T) {
	loadORT(t)
	xla, _, err := backend.New("xla:cpu")
	switch {
	case err != nil && runtime.GOOS == "linux" && runtime.GOARCH == "amd64":
		testenv.SkipOrFail(t, "XLA CPU backend cannot start (run `make pjrt`): %v", err)
	case err != nil:
		t.Skipf("no XLA CPU plugin on %s/%s (make pjrt installs one on Linux x86-64 only): %v", runtime.GOOS, runtime.GOARCH, err)
	}
	m := miniLM(t, model.CrossEncoder)
	b := randomBatch(12, 100, 3)

	sc, err := model.NewScorer(m, xla, model.F32)
	require.NoError(t, err)
	want, err := sc.Score(b)
	require.NoError(t, err)
	got, _ := run(t, m, false, b)
	assert.InDeltaSlice(t, f64(want), f64(got), parityTol, "logits")

	em, err := model.NewEmbedder(m, xla, model.F32)
	require.NoError(t, err)
	wantE, err := em.Embed(b)
	require.NoError(t, err)
	gotE, dims := run(t, m, true, b)
	for r := range wantE {
		assert.InDeltaSlice(t, f64(wantE[r]), f64(gotE[r*dims[1]:(r+1)*dims[1]]), parityTol, "embedding row %d", r)
	}
}

// TestForwardFollowsWeights: a session exported before a weight changed
// is rebuilt, as training's validation needs.
func TestForwardFollowsWeights(t *testing.T) {
	loadORT(t)
	ck, err := hf.Load(filepath.Join(fixtureDir, "bert-tiny-cross"))
	require.NoError(t, err)
	m, err := model.FromCheckpoint(ck, model.Options{Head: model.CrossEncoder})
	require.NoError(t, err)
	b := randomBatch(3, 16, 5)
	for i := range b.IDs {
		b.IDs[i] %= int32(ck.Config.VocabSize)
	}
	f, err := Forward(m, false)
	require.NoError(t, err)
	before, _, err := f(b)
	require.NoError(t, err)

	v := m.Store().GetVariable("/classifier/bias")
	require.NotNil(t, v)
	old, err := v.Value()
	require.NoError(t, err)
	bias, err := tensors.CopyFlatData[float32](old)
	require.NoError(t, err)
	for i := range bias {
		bias[i] += 1.5
	}
	require.NoError(t, v.SetValue(tensors.FromFlatDataAndDimensions(bias, len(bias))))

	after, _, err := f(b)
	require.NoError(t, err)
	for r := range before {
		assert.InDelta(t, float64(before[r])+1.5, float64(after[r]), 1e-5, "row %d follows the new bias", r)
	}
}

func f64(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}
