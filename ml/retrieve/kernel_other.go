//go:build !amd64 || purego

package retrieve

// dot2x4 is the inner kernel of the blocked product; see dot2x4Go.
func dot2x4(q0, q1, d []float32, stride, n int, out *[8]float32) {
	dot2x4Go(q0, q1, d, stride, n, out)
}
