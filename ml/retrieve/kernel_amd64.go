//go:build amd64 && !purego

package retrieve

import "golang.org/x/sys/cpu"

//go:noescape
func tileAVX512(q, d *float32, dim int, thr *[tileQ]float32, out *[tileQ * tileD]float32, mask *[tileQ]uint32)

//go:noescape
func tileAVX2(q, d *float32, dim int, thr *[tileQ]float32, out *[tileQ * tileD]float32, mask *[tileQ]uint32)

//go:noescape
func halvesAVX512(dst *float32, src *uint16, n int)

var (
	haveAVX512 = cpu.X86.HasAVX512F
	haveAVX2   = cpu.X86.HasAVX2 && cpu.X86.HasFMA
)

// kernels lists the tile kernels this CPU runs, fastest first; the last is
// always the portable one.
func kernels() []tileKernel {
	var ks []tileKernel
	if haveAVX512 {
		ks = append(ks, tileKernel{"avx512", func(q, d []float32, dim int, thr *[tileQ]float32, out *[tileQ * tileD]float32, mask *[tileQ]uint32) {
			_, _ = q[tileQ*dim-1], d[tileD*dim-1] // the assembly reads this far
			tileAVX512(&q[0], &d[0], dim, thr, out, mask)
		}})
	}
	if haveAVX2 {
		ks = append(ks, tileKernel{"avx2+fma", func(q, d []float32, dim int, thr *[tileQ]float32, out *[tileQ * tileD]float32, mask *[tileQ]uint32) {
			_, _ = q[tileQ*dim-1], d[tileD*dim-1]
			*mask = [tileQ]uint32{} // the passes OR their bits in
			tileAVX2(&q[0], &d[0], dim, thr, out, mask)
		}})
	}
	return append(ks, tileKernel{"go", tileGo})
}

// halves converts binary16 values to float32; len(src) is a multiple of
// tileD.
func halves(dst []float32, src []uint16) {
	if haveAVX512 && len(src) > 0 {
		_ = dst[len(src)-1]
		halvesAVX512(&dst[0], &src[0], len(src))
		return
	}
	halvesGo(dst, src)
}
