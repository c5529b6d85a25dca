package eval

import (
	"math"
	"slices"
)

// Distribution summarises one period's values of a label-free signal (a
// text length, a top score) against the same signal in a reference window:
// its quartiles and the two-sample Kolmogorov–Smirnov distance, the largest
// gap between the two empirical CDFs (0 = same distribution, 1 = disjoint).
type Distribution struct {
	N   int     `json:"n"`
	P25 float64 `json:"p25"`
	P50 float64 `json:"p50"`
	P75 float64 `json:"p75"`
	KS  float64 `json:"ks"` // against the reference; 0 when either side is empty
	// Critical is the KS distance two samples of these sizes exceed by
	// chance only 1% of the time (KSCritical): a smaller KS is noise.
	Critical float64 `json:"ks_critical"`
}

// Shifted reports whether the distribution moved by at least min in KS
// distance and more than chance explains.
func (d Distribution) Shifted(min float64) bool { return d.N > 0 && d.KS >= min && d.KS > d.Critical }

// Describe summarises xs against ref.
func Describe(xs, ref []float64) Distribution {
	s := slices.Clone(xs)
	slices.Sort(s)
	d := Distribution{N: len(s)}
	if len(s) > 0 {
		d.P25, d.P50, d.P75 = quantile(s, 0.25), quantile(s, 0.5), quantile(s, 0.75)
	}
	d.KS = KS(xs, ref)
	d.Critical = KSCritical(len(xs), len(ref))
	return d
}

// KS is the two-sample Kolmogorov–Smirnov statistic sup |F_a − F_b|; 0 when
// either sample is empty.
func KS(a, b []float64) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	i, j, best := 0, 0, 0.0
	for i < len(x) && j < len(y) {
		v := min(x[i], y[j])
		for i < len(x) && x[i] == v {
			i++
		}
		for j < len(y) && y[j] == v {
			j++
		}
		best = max(best, math.Abs(float64(i)/float64(len(x))-float64(j)/float64(len(y))))
	}
	return best
}

// UnseenShare is the share of items not in seen (0 for no items): the share
// of a period's queries whose rule training never saw, or of its entity
// mentions never seen in the training window.
func UnseenShare(items []string, seen map[string]bool) float64 {
	if len(items) == 0 {
		return 0
	}
	n := 0
	for _, it := range items {
		if !seen[it] {
			n++
		}
	}
	return float64(n) / float64(len(items))
}

// KSCritical is the asymptotic two-sample KS critical value at level 0.01,
// 1.628·√((n+m)/(n·m)), capped at 1; 1 when either sample is empty.
func KSCritical(n, m int) float64 {
	if n == 0 || m == 0 {
		return 1
	}
	return min(1, 1.628*math.Sqrt(float64(n+m)/float64(n*m)))
}
