package model

import (
	"math"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX house style for graph code.
	gmodel "github.com/gomlx/gomlx/ml/model"
)

// dropout zeroes each value of x with probability rate and scales the others
// by 1/(1−rate), as torch.nn.Dropout; it is a no-op unless scope.IsTraining(g).
//
// The mask is a counter-based hash of each value's position and a 64-bit
// seed drawn per call from the store's random state, as in-kernel dropout
// on GPUs: two rounds of MurmurHash3's 32-bit finalizer. Unlike random
// bits from RngBitGenerator (Threefry on CPU), it is a few integer
// operations per value that XLA fuses into the multiply that applies it,
// so no random tensor is written and read back: about a tenth of a
// training step on CPU. The store's seed makes it reproducible.
func dropout(scope *gmodel.Scope, x *Node, rate float64) *Node {
	if rate <= 0 || !scope.IsTraining(x.Graph()) {
		return x
	}
	if rate >= 1 {
		return ZerosLike(x)
	}
	g := x.Graph()
	seeds := scope.RandomIntN(g, int64(math.MaxUint32), shapes.Make(dtypes.Uint32, 2))
	keep := dropoutKeep(seeds, x.Shape().Dimensions, rate)
	return Where(keep, MulScalar(x, 1/(1-rate)), ZerosLike(x))
}

// dropoutKeep returns a bool mask shaped dims: true where a value survives
// dropout at rate, from the hash of its flat index and the two uint32 seeds.
func dropoutKeep(seeds *Node, dims []int, rate float64) *Node {
	g := seeds.Graph()
	n := 1
	for _, d := range dims {
		n *= d
	}
	idx := Iota(g, shapes.Make(dtypes.Uint32, n), 0)
	s0 := Squeeze(Slice(seeds, AxisElem(0)), 0)
	s1 := Squeeze(Slice(seeds, AxisElem(1)), 0)
	h := fmix32(Add(fmix32(BitwiseXor(idx, s0)), s1))
	threshold := Scalar(g, dtypes.Uint32, uint32(math.Min(rate*(1<<32), math.MaxUint32)))
	return Reshape(GreaterOrEqual(h, threshold), dims...)
}

// fmix32 is MurmurHash3's 32-bit finalizer: a bijection of uint32 whose
// every output bit depends on every input bit.
func fmix32(h *Node) *Node {
	g := h.Graph()
	h = BitwiseXor(h, BitwiseShiftRightLogicalScalar(h, 16))
	h = Mul(h, Scalar(g, dtypes.Uint32, uint32(0x85ebca6b)))
	h = BitwiseXor(h, BitwiseShiftRightLogicalScalar(h, 13))
	h = Mul(h, Scalar(g, dtypes.Uint32, uint32(0xc2b2ae35)))
	return BitwiseXor(h, BitwiseShiftRightLogicalScalar(h, 16))
}
