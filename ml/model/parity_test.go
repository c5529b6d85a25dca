package model

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	gmodel "github.com/gomlx/gomlx/ml/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/internal/testenv"
	"github.com/precedent/precedent/ml/backend"
	"github.com/precedent/precedent/ml/hf"
)

// fixtureDir holds the PyTorch reference fixtures made by scripts/torch_reference.py.
const fixtureDir = "../hf/testdata"

// miniLMDir holds the real all-MiniLM-L6-v2 fetched by scripts/fetch-weights.sh.
const miniLMDir = "../../models/all-MiniLM-L6-v2"

// expected is a fixture's expected.json (see ml/hf/testdata/README.md).
type expected struct {
	InputIDs        [][]int32     `json:"input_ids"`
	AttentionMask   [][]int32     `json:"attention_mask"`
	TokenTypeIDs    [][]int32     `json:"token_type_ids"`
	Atol            float64       `json:"atol"`
	LastHiddenState [][][]float64 `json:"last_hidden_state"`
	MeanPooled      [][]float64   `json:"mean_pooled_normalized"`
	Logits          [][]float64   `json:"logits"`
}

func readExpected(t *testing.T, path string) expected {
	t.Helper()
	buf, err := os.ReadFile(path)
	require.NoError(t, err, "PyTorch fixture missing: run scripts/torch_reference.py")
	var e expected
	require.NoError(t, json.Unmarshal(buf, &e), path)
	require.NotEmpty(t, e.InputIDs, path)
	if e.Atol == 0 {
		e.Atol = 1e-4
	}
	return e
}

// batch flattens the fixture's inputs into a Batch.
func (e expected) batch() Batch {
	b := Batch{Rows: len(e.InputIDs), Len: len(e.InputIDs[0])}
	for r := range e.InputIDs {
		b.IDs = append(b.IDs, e.InputIDs[r]...)
		b.Mask = append(b.Mask, e.AttentionMask[r]...)
		b.TypeIDs = append(b.TypeIDs, e.TokenTypeIDs[r]...)
	}
	return b
}

// row returns row r of b trimmed to its real tokens.
func row(b Batch, r int) Batch {
	n := 0
	for _, v := range b.Mask[r*b.Len : (r+1)*b.Len] {
		n += int(v)
	}
	s := r * b.Len
	return Batch{IDs: b.IDs[s : s+n], TypeIDs: b.TypeIDs[s : s+n], Mask: b.Mask[s : s+n], Rows: 1, Len: n}
}

// hiddenStates runs the encoder alone and returns [rows*len*hidden] values.
func hiddenStates(t *testing.T, be compute.Backend, m *Model, b Batch) []float32 {
	t.Helper()
	exec, err := gmodel.NewExec(be, m.Store(), func(scope *gmodel.Scope, ids, types, mask *graph.Node) *graph.Node {
		return m.encoderGraph(scope, ids, types, mask)
	})
	require.NoError(t, err)
	out, err := exec.Call1(tensors.FromFlatDataAndDimensions(b.IDs, b.Rows, b.Len),
		tensors.FromFlatDataAndDimensions(b.TypeIDs, b.Rows, b.Len), tensors.FromFlatDataAndDimensions(b.Mask, b.Rows, b.Len))
	require.NoError(t, err)
	flat, err := tensors.CopyFlatData[float32](out)
	require.NoError(t, err)
	return flat
}

// parityBackends are the backends parity is checked on: the pure-Go one
// and XLA on CPU, which `make test` promises (a backend of these that
// cannot start fails under PRECEDENT_REQUIRE_ASSETS), and XLA on Metal,
// which only an Apple GPU has (skipped, visibly, where its plugin does not
// load).
var parityBackends = []struct {
	name     string
	required bool
}{{"go", true}, {"xla:cpu", true}, {"xla:metal", false}}

func TestPyTorchParity(t *testing.T) {
	for _, pb := range parityBackends {
		t.Run(pb.name, func(t *testing.T) {
			be, _, err := backend.New(pb.name)
			switch {
			case err != nil && pb.required:
				testenv.SkipOrFail(t, "backend %s cannot start (run `make pjrt`): %v", pb.name, err)
			case err != nil:
				t.Skipf("backend %s not on this machine: %v", pb.name, err)
			}
			pyTorchParity(t, be)
		})
	}
}

func pyTorchParity(t *testing.T, be compute.Backend) {
	for _, tc := range []struct {
		folder string
		head   HeadKind
	}{
		{"bert-tiny", BiEncoder},
		{"bert-tiny-cross", CrossEncoder},
		{"xlmr-tiny-cross", CrossEncoder},
	} {
		t.Run(tc.folder, func(t *testing.T) {
			dir := filepath.Join(fixtureDir, tc.folder)
			e := readExpected(t, filepath.Join(dir, "expected.json"))
			ck, err := hf.Load(dir)
			require.NoError(t, err)
			m, err := FromCheckpoint(ck, Options{Head: tc.head})
			require.NoError(t, err)
			b := e.batch()

			hidden := hiddenStates(t, be, m, b)
			h := m.arch.hidden
			for r := range b.Rows {
				for p := range b.Len {
					if b.Mask[r*b.Len+p] == 0 {
						continue
					}
					for j := range h {
						require.InDelta(t, e.LastHiddenState[r][p][j], hidden[(r*b.Len+p)*h+j], e.Atol,
							"last_hidden_state[%d][%d][%d]", r, p, j)
					}
				}
			}

			emb, err := NewEmbedder(m, be, F32)
			require.NoError(t, err)
			vecs, err := emb.Embed(b)
			require.NoError(t, err)
			for r := range vecs {
				assert.InDeltaSlice(t, e.MeanPooled[r], toF64(vecs[r]), e.Atol, "embedding row %d", r)
				alone, err := emb.Embed(row(b, r))
				require.NoError(t, err)
				assert.InDeltaSlice(t, e.MeanPooled[r], toF64(alone[0]), e.Atol, "embedding row %d alone", r)
			}

			if tc.head != CrossEncoder {
				return
			}
			require.Len(t, e.Logits, b.Rows)
			got := score(t, be, m, b)
			for r := range got {
				assert.InDelta(t, e.Logits[r][0], got[r], e.Atol, "logit row %d", r)
				alone := score(t, be, m, row(b, r))
				assert.InDelta(t, e.Logits[r][0], alone[0], e.Atol, "logit row %d alone", r)
			}
		})
	}
}

func TestMiniLMParity(t *testing.T) {
	if _, err := os.Stat(filepath.Join(miniLMDir, hf.WeightsFile)); err != nil {
		testenv.SkipOrFail(t, "all-MiniLM-L6-v2 weights not in %s (run scripts/fetch-weights.sh): %v", miniLMDir, err)
	}
	e := readExpected(t, filepath.Join(fixtureDir, "minilm_reference.json"))
	ck, err := hf.Load(miniLMDir)
	require.NoError(t, err)
	m, err := FromCheckpoint(ck, Options{Head: BiEncoder})
	require.NoError(t, err)
	emb, err := NewEmbedder(m, newTestBackend(t), F32)
	require.NoError(t, err)
	vecs, err := emb.Embed(e.batch())
	require.NoError(t, err)
	require.Len(t, vecs, len(e.MeanPooled))
	for r := range vecs {
		assert.InDeltaSlice(t, e.MeanPooled[r], toF64(vecs[r]), e.Atol, "sentence %d", r)
	}
}

func toF64(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}
