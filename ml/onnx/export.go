// Package onnx exports a Precedent model (package ml/model, either head) as
// an ONNX model (opset 17, standard ai.onnx operators only) that computes
// what the GoMLX graph computes: post-LN BERT or XLM-RoBERTa encoder,
// additive attention mask of model.MaskedScore, exact-erf GELU, the
// LayerNorm epsilon of the config, then the cross-encoder logit or the
// pooled, L2-normalised embedding.
//
// The exported graph has three int64 inputs shaped [batch, seq] with both
// dimensions dynamic — InputIDs, TokenTypeIDs, AttentionMask — and one
// float32 output: Logits [batch] for a cross-encoder, Embeddings
// [batch, hidden] for a bi-encoder. The weights are initializers holding a
// copy of the model's values at export time; later training does not change
// an exported model.
package onnx

import (
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/precedent/precedent/ml/model"
	"github.com/precedent/precedent/ml/safetensors"
)

// Names of the graph's inputs and outputs.
const (
	InputIDs      = "input_ids"
	TokenTypeIDs  = "token_type_ids"
	AttentionMask = "attention_mask"
	Logits        = "logits"
	Embeddings    = "embeddings"
)

// Output selects what the exported graph computes.
type Output int

const (
	// OutputLogits is the cross-encoder logit per row (model.Scorer).
	OutputLogits Output = iota
	// OutputEmbeddings is the bi-encoder embedding per row (model.Embedder);
	// any model can embed, as with model.NewEmbedder.
	OutputEmbeddings
)

// Name is the graph output's name for o.
func (o Output) Name() string {
	if o == OutputEmbeddings {
		return Embeddings
	}
	return Logits
}

// Export returns the serialized ONNX ModelProto of m computing out. It
// fails for OutputLogits on a bi-encoder, and when the model's weights
// cannot be read.
func Export(m *model.Model, out Output) ([]byte, error) {
	if m == nil {
		return nil, fmt.Errorf("onnx: nil model")
	}
	spec := m.Spec()
	if out == OutputLogits && spec.Head != model.CrossEncoder {
		return nil, fmt.Errorf("onnx: logits need a cross-encoder, this model is a %s", spec.Head)
	}
	weights, err := m.Weights()
	if err != nil {
		return nil, fmt.Errorf("onnx: %w", err)
	}
	b := &builder{spec: spec, weights: weights, used: map[string]bool{}}
	g, err := b.build(out)
	if err != nil {
		return nil, err
	}
	return encodeModel(g, "precedent"), nil
}

// Write writes Export(m, out) to w.
func Write(w io.Writer, m *model.Model, out Output) error {
	buf, err := Export(m, out)
	if err != nil {
		return err
	}
	if _, err := w.Write(buf); err != nil {
		return fmt.Errorf("onnx: write model: %w", err)
	}
	return nil
}

// builder accumulates nodes and initializers; each value gets a fresh name.
type builder struct {
	spec    model.Spec
	weights map[string]safetensors.Tensor
	g       graph
	n       int
	used    map[string]bool
	err     error
}

func (b *builder) build(out Output) (graph, error) {
	s := b.spec
	b.g.name = "precedent_" + s.Head.String()
	for _, in := range []string{InputIDs, TokenTypeIDs, AttentionMask} {
		b.g.inputs = append(b.g.inputs, valueInfo{name: in, elemType: typeInt64, dims: []any{"batch", "seq"}})
	}
	hidden := b.encoder()
	var result string
	var dims []any
	if out == OutputEmbeddings {
		result = b.embedding(hidden)
		dims = []any{"batch", s.Hidden}
	} else {
		result = b.crossEncoderHead(hidden)
		dims = []any{"batch"}
	}
	b.op("Identity", []string{result}, nil, out.Name())
	b.g.outputs = []valueInfo{{name: out.Name(), elemType: typeFloat, dims: dims}}
	if b.err != nil {
		return graph{}, b.err
	}
	return b.g, nil
}

// op appends a node and returns its (first) output's name: outName if
// given, else a fresh one.
func (b *builder) op(opType string, inputs []string, attrs []attribute, outName ...string) string {
	b.n++
	out := opType + "_" + strconv.Itoa(b.n)
	if len(outName) > 0 {
		out = outName[0]
	}
	b.g.nodes = append(b.g.nodes, node{op: opType, name: opType + "_" + strconv.Itoa(b.n), inputs: inputs, outputs: []string{out}, attrs: attrs})
	return out
}

// weight adds the HF tensor name as an initializer (once) and returns its
// name; transposed stores a [out, in] Linear weight as [in, out] for MatMul.
func (b *builder) weight(name string, transposed bool) string {
	init := name
	if transposed {
		init += ".T"
	}
	if b.used[init] {
		return init
	}
	t, ok := b.weights[name]
	if !ok {
		if b.err == nil {
			b.err = fmt.Errorf("onnx: the model has no tensor %q", name)
		}
		return init
	}
	dims := make([]int64, len(t.Shape))
	for i, d := range t.Shape {
		dims[i] = int64(d)
	}
	data := t.Data
	if transposed {
		if len(t.Shape) != 2 {
			if b.err == nil {
				b.err = fmt.Errorf("onnx: tensor %q has shape %v, want a matrix", name, t.Shape)
			}
			return init
		}
		rows, cols := t.Shape[0], t.Shape[1]
		data = make([]float32, len(t.Data))
		for r := range rows {
			for c := range cols {
				data[c*rows+r] = t.Data[r*cols+c]
			}
		}
		dims = []int64{int64(cols), int64(rows)}
	}
	b.used[init] = true
	b.g.initializers = append(b.g.initializers, floatTensor(init, dims, data))
	return init
}

// constFloat adds a float32 scalar initializer.
func (b *builder) constFloat(v float32) string {
	b.n++
	name := "const_" + strconv.Itoa(b.n)
	b.g.initializers = append(b.g.initializers, floatTensor(name, nil, []float32{v}))
	return name
}

// constInts adds an int64 initializer of shape [len(v)], or a scalar when scalar is set.
func (b *builder) constInts(scalar bool, v ...int64) string {
	b.n++
	name := "const_" + strconv.Itoa(b.n)
	dims := []int64{int64(len(v))}
	if scalar {
		dims = nil
	}
	b.g.initializers = append(b.g.initializers, int64Tensor(name, dims, v))
	return name
}

// linear applies an HF Linear named prefix (weight [out, in], bias [out]).
func (b *builder) linear(x, prefix string) string {
	y := b.op("MatMul", []string{x, b.weight(prefix+".weight", true)}, nil)
	return b.op("Add", []string{y, b.weight(prefix+".bias", false)}, nil)
}

// layerNorm applies an HF LayerNorm named prefix over the last axis.
func (b *builder) layerNorm(x, prefix string) string {
	return b.op("LayerNormalization", []string{x, b.weight(prefix+".weight", false), b.weight(prefix+".bias", false)},
		[]attribute{{name: "axis", kind: attrInt, i: -1}, {name: "epsilon", kind: attrFloat, f: float32(b.spec.LayerNormEps)}})
}

// encoder returns the last hidden states [batch, seq, hidden].
func (b *builder) encoder() string {
	s := b.spec
	var positions string
	if s.RoBERTa {
		// RoBERTa: positions count real tokens from padding_idx+1; pads get padding_idx.
		cum := b.op("CumSum", []string{AttentionMask, b.constInts(true, 1)}, nil)
		positions = b.op("Add", []string{b.op("Mul", []string{cum, AttentionMask}, nil), b.constInts(true, int64(s.PadID))}, nil)
	} else {
		// 0..seq-1, broadcast over the batch.
		seq := b.op("Gather", []string{b.op("Shape", []string{InputIDs}, nil), b.constInts(true, 1)}, []attribute{{name: "axis", kind: attrInt, i: 0}})
		positions = b.op("Range", []string{b.constInts(true, 0), seq, b.constInts(true, 1)}, nil)
	}
	x := b.op("Gather", []string{b.weight("embeddings.word_embeddings.weight", false), InputIDs}, nil)
	x = b.op("Add", []string{x, b.op("Gather", []string{b.weight("embeddings.position_embeddings.weight", false), positions}, nil)}, nil)
	x = b.op("Add", []string{x, b.op("Gather", []string{b.weight("embeddings.token_type_embeddings.weight", false), TokenTypeIDs}, nil)}, nil)
	x = b.layerNorm(x, "embeddings.LayerNorm")

	// Additive mask over keys, broadcast over heads and queries: [batch, 1, 1, seq].
	maskF := b.op("Cast", []string{AttentionMask}, []attribute{{name: "to", kind: attrInt, i: typeFloat}})
	padded := b.op("Sub", []string{b.constFloat(1), maskF}, nil)
	bias := b.op("Mul", []string{padded, b.constFloat(model.MaskedScore)}, nil)
	bias = b.op("Unsqueeze", []string{bias, b.constInts(false, 1, 2)}, nil)
	for l := range s.Layers {
		x = b.layer(x, bias, l)
	}
	return x
}

// layer is one post-LN transformer layer, as model's layerGraph.
func (b *builder) layer(x, bias string, l int) string {
	s := b.spec
	p := model.LayerPrefix(l)
	headDim := s.Hidden / s.Heads
	split := b.constInts(false, 0, 0, int64(s.Heads), int64(headDim)) // Reshape: 0 keeps batch and seq
	heads := func(t string, perm ...int64) string {
		return b.op("Transpose", []string{b.op("Reshape", []string{t, split}, nil)}, []attribute{{name: "perm", kind: attrInts, ints: perm}})
	}
	q := b.linear(x, p+"attention.self.query")
	// Scaling q rather than the scores, as the GoMLX graph does (same rounding).
	q = b.op("Mul", []string{q, b.constFloat(float32(1 / math.Sqrt(float64(headDim))))}, nil)
	q = heads(q, 0, 2, 1, 3)                                    // [batch, heads, seq, headDim]
	k := heads(b.linear(x, p+"attention.self.key"), 0, 2, 3, 1) // [batch, heads, headDim, seq]
	v := heads(b.linear(x, p+"attention.self.value"), 0, 2, 1, 3)
	scores := b.op("Add", []string{b.op("MatMul", []string{q, k}, nil), bias}, nil) // [batch, heads, seq, seq]
	probs := b.op("Softmax", []string{scores}, []attribute{{name: "axis", kind: attrInt, i: -1}})
	ctx := b.op("MatMul", []string{probs, v}, nil) // [batch, heads, seq, headDim]
	ctx = b.op("Transpose", []string{ctx}, []attribute{{name: "perm", kind: attrInts, ints: []int64{0, 2, 1, 3}}})
	ctx = b.op("Reshape", []string{ctx, b.constInts(false, 0, 0, int64(s.Hidden))}, nil)

	attn := b.linear(ctx, p+"attention.output.dense")
	x = b.layerNorm(b.op("Add", []string{attn, x}, nil), p+"attention.output.LayerNorm")

	h := b.gelu(b.linear(x, p+"intermediate.dense"))
	h = b.linear(h, p+"output.dense")
	return b.layerNorm(b.op("Add", []string{h, x}, nil), p+"output.LayerNorm")
}

// gelu is the exact GELU: x/2 · (1 + erf(x/√2)).
func (b *builder) gelu(x string) string {
	e := b.op("Erf", []string{b.op("Div", []string{x, b.constFloat(float32(math.Sqrt2))}, nil)}, nil)
	y := b.op("Mul", []string{x, b.op("Add", []string{e, b.constFloat(1)}, nil)}, nil)
	return b.op("Mul", []string{y, b.constFloat(0.5)}, nil)
}

// first takes position 0 along axis of x, dropping the axis.
func (b *builder) first(x string, axis int64) string {
	return b.op("Gather", []string{x, b.constInts(true, 0)}, []attribute{{name: "axis", kind: attrInt, i: axis}})
}

// crossEncoderHead maps hidden states to logits [batch].
func (b *builder) crossEncoderHead(hidden string) string {
	s := b.spec
	cls := b.first(hidden, 1) // [batch, hidden]
	var logits string
	if s.RoBERTa {
		h := b.op("Tanh", []string{b.linear(cls, "classifier.dense")}, nil)
		logits = b.linear(h, "classifier.out_proj")
	} else {
		h := b.op("Tanh", []string{b.linear(cls, "pooler.dense")}, nil)
		logits = b.linear(h, "classifier")
	}
	// logits: [batch, numLabels]
	if s.NumLabels == 2 {
		one := b.op("Gather", []string{logits, b.constInts(true, 1)}, []attribute{{name: "axis", kind: attrInt, i: 1}})
		return b.op("Sub", []string{one, b.first(logits, 1)}, nil)
	}
	return b.first(logits, 1)
}

// embedding pools hidden states and L2-normalises them: [batch, hidden].
func (b *builder) embedding(hidden string) string {
	var pooled string
	if b.spec.Pooling == model.PoolCLS {
		pooled = b.first(hidden, 1)
	} else {
		maskF := b.op("Cast", []string{AttentionMask}, []attribute{{name: "to", kind: attrInt, i: typeFloat}})
		maskF = b.op("Unsqueeze", []string{maskF, b.constInts(false, 2)}, nil) // [batch, seq, 1]
		keep := []attribute{{name: "keepdims", kind: attrInt, i: 0}}
		axis1 := b.constInts(false, 1)
		sum := b.op("ReduceSum", []string{b.op("Mul", []string{hidden, maskF}, nil), axis1}, keep)
		count := b.op("Max", []string{b.op("ReduceSum", []string{maskF, axis1}, keep), b.constFloat(1e-9)}, nil)
		pooled = b.op("Div", []string{sum, count}, nil)
	}
	// torch.nn.functional.normalize: x / max(‖x‖, 1e-12).
	sq := b.op("ReduceSum", []string{b.op("Mul", []string{pooled, pooled}, nil), b.constInts(false, -1)}, []attribute{{name: "keepdims", kind: attrInt, i: 1}})
	norm := b.op("Max", []string{b.op("Sqrt", []string{sq}, nil), b.constFloat(1e-12)}, nil)
	return b.op("Div", []string{pooled, norm}, nil)
}
