package retrieve

import "testing"

// BenchmarkKernel measures the 2×4 kernel on L1-resident rows of 384.
func BenchmarkKernel(b *testing.B) {
	const n = 384
	q0, q1, d := make([]float32, n), make([]float32, n), make([]float32, 4*n)
	var out [8]float32
	for b.Loop() {
		dot2x4(q0, q1, d, n, n, &out)
	}
	b.ReportMetric(float64(8*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFMA/s")
}
