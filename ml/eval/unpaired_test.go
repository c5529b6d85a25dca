package eval

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCompareUnpaired(t *testing.T) {
	spread := func(n int, lo, hi float64) []float64 {
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = lo + (hi-lo)*float64(i)/float64(n-1)
		}
		return xs
	}
	for _, tc := range []struct {
		name        string
		a, b        []float64
		delta       float64
		significant bool
	}{
		// Hand-computed: means 0.5 and 0.2; every value differs, so only
		// splits as extreme as the observed one count.
		{"a clear fall over many queries", spread(80, 0.3, 0.7), spread(80, 0, 0.4), -0.3, true},
		{"a smaller fall against ten noisy reference queries", spread(10, 0, 1), spread(80, 0.2, 0.6), -0.1, false},
		{"no difference", spread(60, 0, 1), spread(90, 0, 1), 0, false},
		{"constant samples", []float64{0.6, 0.6}, []float64{0.4, 0.4, 0.4}, -0.2, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := CompareUnpaired(tc.a, tc.b, 2000, 2000, 1)
			assert.InDelta(t, tc.delta, c.Delta, 1e-9)
			assert.InDelta(t, c.MeanB-c.MeanA, c.Delta, 1e-12)
			assert.LessOrEqual(t, c.CILow, c.Delta+1e-9)
			assert.GreaterOrEqual(t, c.CIHigh, c.Delta-1e-9)
			assert.Equal(t, tc.significant, c.CIHigh < 0 || c.CILow > 0, "CI [%.3f, %.3f]", c.CILow, c.CIHigh)
			assert.Equal(t, c, CompareUnpaired(tc.a, tc.b, 2000, 2000, 1), "deterministic by seed")
		})
	}
	// Five values against three, all different: of the 56 relabellings only
	// the observed one is as extreme (|Δ| = 11; the mirror {12, 13, 14} gives
	// 8.2), so p ≈ 1/56.
	c := CompareUnpaired([]float64{10, 11, 12, 13, 14}, []float64{0, 1, 2}, 20000, 0, 3)
	assert.InDelta(t, 1.0/56, c.PValue, 0.005)
	assert.Equal(t, 1.0, CompareUnpaired(nil, []float64{1}, 100, 100, 1).PValue, "nothing to compare")
}
