package retrieve

import "testing"

// BenchmarkTile measures each tile kernel on L1-resident data of 384
// dimensions.
func BenchmarkTile(b *testing.B) {
	const dim = 384
	q, d := make([]float32, tileQ*dim), make([]float32, tileD*dim)
	var thr [tileQ]float32
	var out [tileQ * tileD]float32
	var mask [tileQ]uint32
	for _, kern := range kernels() {
		b.Run(kern.name, func(b *testing.B) {
			for b.Loop() {
				kern.fn(q, d, dim, &thr, &out, &mask)
			}
			b.ReportMetric(2*tileQ*tileD*dim*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
