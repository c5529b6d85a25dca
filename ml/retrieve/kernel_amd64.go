//go:build amd64 && !purego

package retrieve

import "golang.org/x/sys/cpu"

var haveAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// dot2x4AVX2 computes out[4i+j] = q_i · d_j for queries q0, q1 and the four
// rows d, d+stride, d+2·stride, d+3·stride; n is a multiple of 8.
//
//go:noescape
func dot2x4AVX2(q0, q1, d *float32, stride, n int, out *[8]float32)

// dot2x4 is the inner kernel of the blocked product; see dot2x4Go.
func dot2x4(q0, q1, d []float32, stride, n int, out *[8]float32) {
	if haveAVX2 && n > 0 {
		_ = d[3*stride+n-1]
		_ = q0[n-1]
		_ = q1[n-1]
		dot2x4AVX2(&q0[0], &q1[0], &d[0], stride, n, out)
		return
	}
	dot2x4Go(q0, q1, d, stride, n, out)
}
