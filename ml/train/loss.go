package train

import (
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX house style for graph code.
)

// BCEWithLogits returns the binary cross-entropy of float32 logits [rows]
// against labels [rows] in [0, 1], averaged with row weights [rows] (0 drops
// a row), where positive targets count posWeight times:
//
//	ℓ = posWeight·y·softplus(−x) + (1−y)·softplus(x),  softplus(z) = max(z, 0) + log(1 + exp(−|z|))
//
// With posWeight 1 this is max(x, 0) − x·y + log(1 + exp(−|x|)), the form
// that never overflows exp.
func BCEWithLogits(logits, labels, weights *Node, posWeight float64) *Node {
	weights = ConvertDType(weights, dtypes.Float32)
	return Div(BCEWithLogitsSum(logits, labels, weights, posWeight), ReduceAllSum(weights))
}

// BCEWithLogitsSum is the weighted sum Σ w·ℓ that BCEWithLogits averages:
// a batch cut into parts has Σ over parts of BCEWithLogitsSum(part) / Σ w
// (the whole batch's weights) equal to BCEWithLogits of the whole batch,
// which is how gradient accumulation splits one update into passes.
func BCEWithLogitsSum(logits, labels, weights *Node, posWeight float64) *Node {
	g := logits.Graph()
	logits = ConvertDType(logits, dtypes.Float32)
	labels = ConvertDType(labels, dtypes.Float32)
	weights = ConvertDType(weights, dtypes.Float32)
	zero := ScalarZero(g, dtypes.Float32)
	tail := Log1p(Exp(Neg(Abs(logits)))) // log(1 + exp(−|x|)), shared by both terms
	spPos := Add(Max(Neg(logits), zero), tail)
	spNeg := Add(Max(logits, zero), tail)
	perRow := Add(
		MulScalar(Mul(labels, spPos), posWeight),
		Mul(OneMinus(labels), spNeg))
	return ReduceAllSum(Mul(weights, perRow))
}
