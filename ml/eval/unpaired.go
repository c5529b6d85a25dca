package eval

import (
	"math"
	"math/rand/v2"
	"slices"
)

// CompareUnpaired compares the means of two independent samples (different
// queries: a validation window against later months), b − a: a two-sided
// permutation test (random relabelling of the pooled values, permutations
// times, the observed split counted as one) and a bootstrap 95% CI of the
// difference that resamples each sample on its own (resamples times).
// Deterministic by seed. UpliftPct is left 0: a and b need not be MRR.
func CompareUnpaired(a, b []float64, permutations, resamples int, seed uint64) Comparison {
	c := Comparison{Permutations: permutations, Resamples: resamples, PValue: 1}
	if len(a) == 0 || len(b) == 0 {
		return c
	}
	c.MeanA, c.MeanB = mean(a), mean(b)
	c.Delta = c.MeanB - c.MeanA
	rng := rand.New(rand.NewPCG(seed, 0x85ebca6b2545d9f3))
	pool := append(append([]float64(nil), a...), b...)
	var total float64
	for _, x := range pool {
		total += x
	}
	obs := math.Abs(c.Delta)
	atLeast := 1
	for range permutations {
		// A random len(b)-subset of the pool plays b (partial Fisher–Yates).
		var sb float64
		for i := range len(b) {
			j := i + rng.IntN(len(pool)-i)
			pool[i], pool[j] = pool[j], pool[i]
			sb += pool[i]
		}
		d := sb/float64(len(b)) - (total-sb)/float64(len(a))
		if math.Abs(d) >= obs-1e-12 {
			atLeast++
		}
	}
	c.PValue = float64(atLeast) / float64(permutations+1)
	if resamples > 0 {
		ds := make([]float64, resamples)
		for r := range resamples {
			ds[r] = resampledMean(rng, b) - resampledMean(rng, a)
		}
		slices.Sort(ds)
		c.CILow, c.CIHigh = quantile(ds, 0.025), quantile(ds, 0.975)
	}
	return c
}

func mean(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func resampledMean(rng *rand.Rand, xs []float64) float64 {
	var s float64
	for range xs {
		s += xs[rng.IntN(len(xs))]
	}
	return s / float64(len(xs))
}
