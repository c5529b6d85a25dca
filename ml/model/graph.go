package model

import (
	"math"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX house style for graph code.
	"github.com/gomlx/gomlx/ml/layers"
	"github.com/gomlx/gomlx/ml/layers/activation"
	gmodel "github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/nn"
	"github.com/gomlx/gomlx/support/exceptions"
)

// maskedScore is added to attention scores of padded keys: large enough that
// exp underflows to exactly 0, finite so a fully padded row gives no NaN.
const maskedScore = -1e9

// LogitsGraph builds the cross-encoder forward pass over int32 ids, typeIDs
// and mask shaped [rows, len] and returns float32 logits shaped [rows]; see
// the package documentation for the scope and training contract.
func (m *Model) LogitsGraph(scope *gmodel.Scope, ids, typeIDs, mask *Node) *Node {
	if m.head != CrossEncoder {
		exceptions.Panicf("model: LogitsGraph needs a cross-encoder, this model is a %s", m.head)
	}
	hidden := m.encoderGraph(scope, ids, typeIDs, mask)
	return m.crossEncoderHead(scope, hidden)
}

// EmbeddingsGraph builds the bi-encoder forward pass over int32 ids, typeIDs
// and mask shaped [rows, len] and returns L2-normalised float32 embeddings
// shaped [rows, hidden].
func (m *Model) EmbeddingsGraph(scope *gmodel.Scope, ids, typeIDs, mask *Node) *Node {
	hidden := m.encoderGraph(scope, ids, typeIDs, mask)
	var pooled *Node
	if m.arch.pooling == PoolCLS {
		pooled = Squeeze(Slice(hidden, AxisRange(), AxisElem(0), AxisRange()), 1)
	} else {
		maskF := ExpandAxes(ConvertDType(mask, dtypes.Float32), -1) // [rows, len, 1]
		sum := ReduceSum(Mul(hidden, maskF), 1)                     // [rows, hidden]
		count := Max(ReduceSum(maskF, 1), Scalar(hidden.Graph(), dtypes.Float32, 1e-9))
		pooled = Div(sum, count)
	}
	// torch.nn.functional.normalize: x / max(‖x‖, 1e-12).
	norm := Max(Sqrt(ReduceAndKeep(Square(pooled), ReduceSum, -1)), Scalar(pooled.Graph(), dtypes.Float32, 1e-12))
	return Div(pooled, norm)
}

// ModelFn has the signature of train.ModelFn: inputs are ids, typeIDs and
// mask; it returns the logits of a cross-encoder or the embeddings of a
// bi-encoder.
func (m *Model) ModelFn(scope *gmodel.Scope, _ any, inputs []*Node) []*Node {
	if len(inputs) != 3 {
		exceptions.Panicf("model: ModelFn needs 3 inputs (ids, typeIDs, mask), got %d", len(inputs))
	}
	if m.head == BiEncoder {
		return []*Node{m.EmbeddingsGraph(scope, inputs[0], inputs[1], inputs[2])}
	}
	return []*Node{m.LogitsGraph(scope, inputs[0], inputs[1], inputs[2])}
}

// param returns the graph value of the HF tensor name.
func (m *Model) param(scope *gmodel.Scope, g *Graph, name string) *Node {
	v := scope.Store().GetVariable(varPath(name))
	if v == nil {
		exceptions.Panicf("model: variable %q (HF tensor %q) is not in the scope's store: build graphs over Model.Store()", varPath(name), name)
	}
	return v.NodeValue(g)
}

// dense applies an HF Linear (weight [out, in], bias [out]) named prefix.
func (m *Model) dense(scope *gmodel.Scope, x *Node, prefix string, act activation.Type) *Node {
	g := x.Graph()
	w, b := m.param(scope, g, prefix+".weight"), m.param(scope, g, prefix+".bias")
	if m.matmul != dtypes.BFloat16 {
		return nn.Dense(x, w, b, compute.DenseLayoutOutputsInput, act)
	}
	// Round the product's inputs to bfloat16; it accumulates and returns
	// float32, so only the inputs are rounded.
	y := Dot(ConvertDType(x, dtypes.BFloat16), ConvertDType(w, dtypes.BFloat16)).WithOutputDType(dtypes.Float32).
		General([]int{x.Rank() - 1}, nil, []int{1}, nil)
	y = Add(y, ExpandLeftToRank(b, x.Rank()))
	return activation.Apply(act, y)
}

// layerNorm applies an HF LayerNorm named prefix over the last axis.
func (m *Model) layerNorm(scope *gmodel.Scope, x *Node, prefix string) *Node {
	g := x.Graph()
	return nn.LayerNorm(x, []int{-1}, m.arch.eps, m.param(scope, g, prefix+".weight"), m.param(scope, g, prefix+".bias"), nil)
}

// dropout is a no-op unless scope.IsTraining(g).
func dropout(scope *gmodel.Scope, x *Node, rate float64) *Node {
	if rate <= 0 || !scope.IsTraining(x.Graph()) {
		return x
	}
	return layers.DropoutStatic(scope, x, rate)
}

// encoderGraph returns the last hidden states [rows, len, hidden].
func (m *Model) encoderGraph(scope *gmodel.Scope, ids, typeIDs, mask *Node) *Node {
	g := ids.Graph()
	a := m.arch
	if ids.Rank() != 2 || !ids.Shape().Equal(typeIDs.Shape()) || !ids.Shape().Equal(mask.Shape()) {
		exceptions.Panicf("model: ids, typeIDs and mask must share one [rows, len] shape, got %s, %s, %s",
			ids.Shape(), typeIDs.Shape(), mask.Shape())
	}
	rows, length := ids.Shape().Dimensions[0], ids.Shape().Dimensions[1]
	ids = ConvertDType(ids, dtypes.Int32)
	typeIDs = ConvertDType(typeIDs, dtypes.Int32)
	maskF := ConvertDType(mask, dtypes.Float32) // [rows, len]

	var positions *Node
	if a.xlmr {
		// RoBERTa: positions count real tokens from padding_idx+1; pads get padding_idx.
		cum := Mul(CumSum(maskF, 1), maskF)
		positions = AddScalar(ConvertDType(cum, dtypes.Int32), a.padID)
	} else {
		positions = Iota(g, shapes.Make(dtypes.Int32, rows, length), 1)
	}
	x := Gather(m.param(scope, g, "embeddings.word_embeddings.weight"), ExpandAxes(ids, -1))
	x = Add(x, Gather(m.param(scope, g, "embeddings.position_embeddings.weight"), ExpandAxes(positions, -1)))
	x = Add(x, Gather(m.param(scope, g, "embeddings.token_type_embeddings.weight"), ExpandAxes(typeIDs, -1)))
	x = m.layerNorm(scope, x, "embeddings.LayerNorm")
	x = dropout(scope, x, a.hiddenDropout)

	// Additive mask over keys, broadcast over heads and queries: [rows, 1, 1, len].
	bias := Reshape(MulScalar(OneMinus(maskF), maskedScore), rows, 1, 1, length)
	for l := range a.layers {
		x = m.layerGraph(scope, x, bias, l)
	}
	return x
}

// layerGraph is one post-LN transformer layer.
func (m *Model) layerGraph(scope *gmodel.Scope, x, bias *Node, l int) *Node {
	a := m.arch
	p := layerPrefix(l)
	rows, length := x.Shape().Dimensions[0], x.Shape().Dimensions[1]
	headDim := a.hidden / a.heads

	split := func(t *Node) *Node { return Reshape(t, rows, length, a.heads, headDim) }
	q := split(m.dense(scope, x, p+"attention.self.query", activation.TypeNone))
	k := split(m.dense(scope, x, p+"attention.self.key", activation.TypeNone))
	v := split(m.dense(scope, x, p+"attention.self.value", activation.TypeNone))

	// Scaling q rather than the scores touches len times fewer values.
	q = MulScalar(q, 1/math.Sqrt(float64(headDim)))
	scores := Add(Einsum("bqhd,bkhd->bhqk", q, k), bias) // [rows, heads, len, len]
	probs := dropout(scope, Softmax(scores, -1), a.attnDropout)
	ctx := Einsum("bhqk,bkhd->bqhd", probs, v) // [rows, len, heads, headDim]
	ctx = Reshape(ctx, rows, length, a.hidden)

	attn := m.dense(scope, ctx, p+"attention.output.dense", activation.TypeNone)
	attn = dropout(scope, attn, a.hiddenDropout)
	x = m.layerNorm(scope, Add(attn, x), p+"attention.output.LayerNorm")

	h := m.dense(scope, x, p+"intermediate.dense", activation.TypeGelu) // exact erf GELU
	h = m.dense(scope, h, p+"output.dense", activation.TypeNone)
	h = dropout(scope, h, a.hiddenDropout)
	return m.layerNorm(scope, Add(h, x), p+"output.LayerNorm")
}

// crossEncoderHead maps hidden states [rows, len, hidden] to logits [rows].
func (m *Model) crossEncoderHead(scope *gmodel.Scope, hidden *Node) *Node {
	a := m.arch
	// The head is a few products per row: float32 whatever the precision,
	// so rounding never reaches the logit directly.
	exact := *m
	exact.matmul = dtypes.Float32
	m = &exact
	cls := Squeeze(Slice(hidden, AxisRange(), AxisElem(0), AxisRange()), 1) // [rows, hidden]
	var logits *Node
	if a.xlmr {
		// RobertaClassificationHead: dropout → dense → tanh → dropout → out_proj.
		h := dropout(scope, cls, a.hiddenDropout)
		h = m.dense(scope, h, "classifier.dense", activation.TypeTanh)
		h = dropout(scope, h, a.hiddenDropout)
		logits = m.dense(scope, h, "classifier.out_proj", activation.TypeNone)
	} else {
		// BertForSequenceClassification: pooler (dense → tanh) → dropout → classifier.
		h := m.dense(scope, cls, "pooler.dense", activation.TypeTanh)
		h = dropout(scope, h, a.hiddenDropout)
		logits = m.dense(scope, h, "classifier", activation.TypeNone)
	}
	// logits: [rows, numLabels]
	if a.numLabels == 2 {
		return Sub(Squeeze(Slice(logits, AxisRange(), AxisElem(1)), 1), Squeeze(Slice(logits, AxisRange(), AxisElem(0)), 1))
	}
	return Squeeze(Slice(logits, AxisRange(), AxisElem(0)), 1)
}
