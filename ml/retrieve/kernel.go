package retrieve

// The dense product is computed tile by tile: tileQ queries against one
// panel of tileD documents. Both sides are stored interleaved by dimension
// (query i's component k at q[tileQ·k+i], document j's at d[tileD·k+j]), so
// each step of the inner loop loads one row of tileD document components and
// broadcasts tileQ query components: a register-blocked outer product with
// no horizontal sums.
const (
	tileQ = 8  // queries per tile
	tileD = 32 // documents per panel
)

// tileFunc computes one tile: out[tileD·i+j] = Σ_k q[tileQ·k+i]·d[tileD·k+j]
// (summed in k order) and sets bit j of mask[i] when out[tileD·i+j] >=
// thr[i]. q holds tileQ·dim values, d tileD·dim, dim >= 1. Every kernel sums
// each score in the same order independently of its lane, so equal vectors
// always get exactly equal scores.
type tileFunc func(q, d []float32, dim int, thr *[tileQ]float32, out *[tileQ * tileD]float32, mask *[tileQ]uint32)

// tileKernel names a tile implementation; kernels lists those this CPU runs,
// fastest first.
type tileKernel struct {
	name string
	fn   tileFunc
}

// tileGo is the portable kernel (arm64, purego builds, and CPUs without
// AVX2+FMA). Where the compiler fuses multiply-add (arm64) it rounds exactly
// as the assembly kernels; on amd64 the product is rounded separately, so
// scores may differ from theirs in the last bit.
func tileGo(q, d []float32, dim int, thr *[tileQ]float32, out *[tileQ * tileD]float32, mask *[tileQ]uint32) {
	q, d = q[:tileQ*dim], d[:tileD*dim]
	clear(out[:])
	for k := range dim {
		qk := q[tileQ*k : tileQ*k+tileQ]
		dk := d[tileD*k : tileD*k+tileD]
		for i, a := range qk {
			row := out[tileD*i : tileD*i+tileD]
			for j, b := range dk {
				row[j] += a * b
			}
		}
	}
	for i := range tileQ {
		var m uint32
		for j, s := range out[tileD*i : tileD*i+tileD] {
			if s >= thr[i] {
				m |= 1 << j
			}
		}
		mask[i] = m
	}
}

// halvesGo converts IEEE binary16 values to float32 by table.
func halvesGo(dst []float32, src []uint16) {
	dst = dst[:len(src)]
	for i, h := range src {
		dst[i] = halfToFloat[h]
	}
}
