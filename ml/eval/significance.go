package eval

import (
	"math"
	"math/rand/v2"
	"slices"
)

// Comparison is the paired difference b − a of one metric over the same queries.
type Comparison struct {
	MeanA, MeanB  float64
	Delta         float64 // MeanB − MeanA
	UpliftPct     float64 // 100·Delta/MeanA (0 when MeanA is 0)
	PValue        float64 // two-sided paired randomization test
	Permutations  int
	CILow, CIHigh float64 // bootstrap 95% CI on Delta (percentile method)
	Resamples     int
}

// Compare runs a two-sided paired randomization test (random sign flips of
// the per-query differences, permutations times, with the observed statistic
// counted as one permutation) and a percentile bootstrap of the mean
// difference (resamples times). a and b hold per-query values in the same
// query order. Deterministic by seed.
func Compare(a, b []float64, permutations, resamples int, seed uint64) Comparison {
	n := min(len(a), len(b))
	c := Comparison{Permutations: permutations, Resamples: resamples}
	if n == 0 {
		c.PValue = 1
		return c
	}
	d := make([]float64, n)
	for i := range n {
		c.MeanA += a[i]
		c.MeanB += b[i]
		d[i] = b[i] - a[i]
	}
	c.MeanA /= float64(n)
	c.MeanB /= float64(n)
	c.Delta = c.MeanB - c.MeanA
	if c.MeanA != 0 {
		c.UpliftPct = 100 * c.Delta / c.MeanA
	}
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	obs := math.Abs(c.Delta)
	atLeast := 1 // the observed assignment itself
	for range permutations {
		var s float64
		for _, x := range d {
			if rng.Uint64()&1 == 1 {
				s += x
			} else {
				s -= x
			}
		}
		// A small tolerance so float noise cannot split exact ties.
		if math.Abs(s/float64(n)) >= obs-1e-12 {
			atLeast++
		}
	}
	c.PValue = float64(atLeast) / float64(permutations+1)
	if resamples > 0 {
		means := make([]float64, resamples)
		for r := range resamples {
			var s float64
			for range n {
				s += d[rng.IntN(n)]
			}
			means[r] = s / float64(n)
		}
		slices.Sort(means)
		c.CILow = quantile(means, 0.025)
		c.CIHigh = quantile(means, 0.975)
	}
	return c
}

// quantile of sorted xs by linear interpolation.
func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	pos := q * float64(len(xs)-1)
	lo := int(math.Floor(pos))
	hi := min(lo+1, len(xs)-1)
	f := pos - float64(lo)
	return xs[lo]*(1-f) + xs[hi]*f
}
