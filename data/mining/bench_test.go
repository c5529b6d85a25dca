package mining

import "testing"

// BenchmarkMine140k mines a 140k-ticket archive; the target is < 10 s per op.
func BenchmarkMine140k(b *testing.B) {
	tickets, _ := fakeArchive(140_000, 1)
	opts := DefaultOptions()
	b.ResetTimer()
	for b.Loop() {
		res, err := Mine(tickets, opts)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(res.Pairs)), "pairs")
	}
}
