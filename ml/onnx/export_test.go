package onnx

import (
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/precedent/precedent/ml/hf"
	"github.com/precedent/precedent/ml/model"
)

// fields decodes one protobuf message into field number → raw values
// (varints as uint64, length-delimited as []byte, fixed32 as uint32).
func fields(t *testing.T, msg []byte) map[protowire.Number][]any {
	t.Helper()
	out := map[protowire.Number][]any{}
	for len(msg) > 0 {
		num, typ, n := protowire.ConsumeTag(msg)
		require.GreaterOrEqual(t, n, 0, "tag")
		msg = msg[n:]
		var v any
		switch typ {
		case protowire.VarintType:
			v, n = protowire.ConsumeVarint(msg)
		case protowire.BytesType:
			v, n = protowire.ConsumeBytes(msg)
		case protowire.Fixed32Type:
			v, n = protowire.ConsumeFixed32(msg)
		default:
			t.Fatalf("unexpected wire type %d", typ)
		}
		require.GreaterOrEqual(t, n, 0, "field %d", num)
		msg = msg[n:]
		out[num] = append(out[num], v)
	}
	return out
}

func load(t *testing.T, folder string, head model.HeadKind) *model.Model {
	t.Helper()
	ck, err := hf.Load(filepath.Join("..", "hf", "testdata", folder))
	require.NoError(t, err)
	m, err := model.FromCheckpoint(ck, model.Options{Head: head})
	require.NoError(t, err)
	return m
}

// standardOps are the ai.onnx operators an export may use: nothing
// contrib, nothing beyond opset 17.
var standardOps = map[string]bool{"Add": true, "Cast": true, "CumSum": true, "Div": true, "Erf": true, "Gather": true,
	"Identity": true, "LayerNormalization": true, "MatMul": true, "Max": true, "Mul": true, "Range": true, "ReduceSum": true,
	"Reshape": true, "Shape": true, "Softmax": true, "Sqrt": true, "Sub": true, "Tanh": true, "Transpose": true, "Unsqueeze": true}

func TestExportStructure(t *testing.T) {
	cases := []struct {
		folder   string
		head     model.HeadKind
		out      Output
		wantOut  string
		wantDims int
	}{
		{"bert-tiny-cross", model.CrossEncoder, OutputLogits, Logits, 1},
		{"bert-tiny-cross", model.CrossEncoder, OutputEmbeddings, Embeddings, 2},
		{"xlmr-tiny-cross", model.CrossEncoder, OutputLogits, Logits, 1},
		{"bert-tiny", model.BiEncoder, OutputEmbeddings, Embeddings, 2},
	}
	for _, c := range cases {
		t.Run(c.folder+"/"+c.wantOut, func(t *testing.T) {
			m := load(t, c.folder, c.head)
			buf, err := Export(m, c.out)
			require.NoError(t, err)
			top := fields(t, buf)
			assert.Equal(t, []any{uint64(irVersion)}, top[1], "ir_version")
			require.Len(t, top[8], 1)
			assert.Equal(t, []any{uint64(opset)}, fields(t, top[8][0].([]byte))[2], "opset version")
			require.Len(t, top[7], 1)
			g := fields(t, top[7][0].([]byte))

			var inputs []string
			for _, v := range g[11] {
				inputs = append(inputs, string(fields(t, v.([]byte))[1][0].([]byte)))
			}
			assert.Equal(t, []string{InputIDs, TokenTypeIDs, AttentionMask}, inputs)
			require.Len(t, g[12], 1)
			out := fields(t, g[12][0].([]byte))
			assert.Equal(t, c.wantOut, string(out[1][0].([]byte)))
			tensorType := fields(t, fields(t, out[2][0].([]byte))[1][0].([]byte))
			assert.Len(t, fields(t, tensorType[2][0].([]byte))[1], c.wantDims, "output rank")

			ops := map[string]bool{}
			for _, n := range g[1] {
				op := string(fields(t, n.([]byte))[4][0].([]byte))
				assert.True(t, standardOps[op], "operator %s", op)
				ops[op] = true
			}
			assert.True(t, ops["Erf"] && ops["LayerNormalization"], "exact GELU and LayerNormalization are in the graph")
			assert.Equal(t, c.folder == "xlmr-tiny-cross", ops["CumSum"], "only RoBERTa counts positions over the mask")

			// Every initializer is named once; the weights it holds are the model's.
			weights, err := m.Weights()
			require.NoError(t, err)
			var names []string
			raw := 0
			for _, tv := range g[5] {
				tf := fields(t, tv.([]byte))
				name := string(tf[8][0].([]byte))
				names = append(names, name)
				if _, ok := weights[trimT(name)]; ok {
					raw += len(tf[9][0].([]byte))
				}
			}
			sorted := append([]string(nil), names...)
			sort.Strings(sorted)
			assert.Equal(t, len(sorted), len(compact(sorted)), "initializer names are unique")
			assert.Positive(t, raw)
		})
	}
}

func trimT(name string) string {
	if len(name) > 2 && name[len(name)-2:] == ".T" {
		return name[:len(name)-2]
	}
	return name
}

func compact(s []string) []string {
	var out []string
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

func TestExportRefuses(t *testing.T) {
	_, err := Export(nil, OutputLogits)
	assert.ErrorContains(t, err, "nil model")
	_, err = Export(load(t, "bert-tiny", model.BiEncoder), OutputLogits)
	assert.ErrorContains(t, err, "logits need a cross-encoder")
}
