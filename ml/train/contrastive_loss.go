package train

import (
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX house style for graph code.
)

// excluded is added to the logit of an excluded (query, document) cell:
// exp underflows to exactly 0, and it stays finite so no row turns NaN.
const excluded = -1e9

// ContrastiveLoss is the multiple-negatives ranking loss (InfoNCE) of
// sentence-transformers' MultipleNegativesRankingLoss. queries [B, h] and
// docs [D, h] are unit vectors; docs[i] is the relevant document of
// queries[i] for i < B, the other rows are everyone's negatives (the other
// queries' positives and all hard negatives). valid [B, D] is 1 for a cell
// that takes part in query i's softmax and 0 for one left out (padding, a
// document also relevant to query i); valid[i][i] must be 1. Per query,
//
//	ℓᵢ = −log softmax(scale·cos(qᵢ, d·) over valid d)ᵢ
//
// and with symmetric each positive dᵢ also picks its query among the B
// queries (valid transposed), ℓᵢ = (ℓᵢ^q→d + ℓᵢ^d→q)/2, as
// MultipleNegativesSymmetricRankingLoss. The result is the mean of ℓᵢ
// weighted by weights [B] (0 drops a padding row).
func ContrastiveLoss(queries, docs, valid, weights *Node, scale float64, symmetric bool) *Node {
	dt := queries.DType()
	rows := queries.Shape().Dimensions[0]
	valid = ConvertDType(valid, dt)
	weights = ConvertDType(weights, dt)
	sim := MulScalar(Einsum("bh,dh->bd", queries, docs), scale) // [B, D]
	perRow := targetNLL(sim, valid)
	if symmetric {
		posSim := Transpose(Slice(sim, AxisRange(), AxisRange(0, rows)), 0, 1) // [positive, query]
		posValid := Transpose(Slice(valid, AxisRange(), AxisRange(0, rows)), 0, 1)
		perRow = MulScalar(Add(perRow, targetNLL(posSim, posValid)), 0.5)
	}
	return Div(ReduceAllSum(Mul(weights, perRow)), ReduceAllSum(weights))
}

// targetNLL is −log softmax over the valid cells of each row of logits
// [R, C ≥ R], taken at column r for row r: logsumexp − logitᵣᵣ, with the
// row maximum subtracted first so exp never overflows.
func targetNLL(logits, valid *Node) *Node {
	g := logits.Graph()
	dt := logits.DType()
	rows := logits.Shape().Dimensions[0]
	masked := Add(logits, MulScalar(OneMinus(valid), excluded))
	top := StopGradient(ReduceAndKeep(masked, ReduceMax, -1)) // [R, 1]
	lse := Add(Squeeze(top, -1), Log(ReduceSum(Exp(Sub(masked, top)), -1)))
	square := shapes.Make(dtypes.Int32, rows, rows)
	eye := ConvertDType(Equal(Iota(g, square, 0), Iota(g, square, 1)), dt)
	target := ReduceSum(Mul(Slice(logits, AxisRange(), AxisRange(0, rows)), eye), -1)
	return Sub(lse, target)
}
