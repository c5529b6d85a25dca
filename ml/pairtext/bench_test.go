package pairtext

import "testing"

// BenchmarkDocSide renders one structured document side (entity extraction
// on both tickets included); training renders one per pair per epoch.
func BenchmarkDocSide(b *testing.B) {
	f := Structured()
	for b.Loop() {
		DocSide(query, precedent, f)
	}
}
