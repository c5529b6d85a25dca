package eval

import (
	"bytes"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func rel(ids ...string) map[string]bool {
	m := map[string]bool{}
	for _, id := range ids {
		m[id] = true
	}
	return m
}

func TestScoreHandComputed(t *testing.T) {
	l2 := math.Log2
	tests := []struct {
		name     string
		ranked   []string
		relevant map[string]bool
		want     Metrics
		ok       bool
	}{
		{"first is relevant", []string{"a", "b", "c"}, rel("a"),
			Metrics{MRR10: 1, NDCG10: 1, R1: 1, R5: 1, R10: 1, R50: 1, MAP: 1}, true},
		{"third is relevant", []string{"a", "b", "c"}, rel("c"),
			Metrics{MRR10: 1.0 / 3, NDCG10: 1 / l2(4), R1: 0, R5: 1, R10: 1, R50: 1, MAP: 1.0 / 3}, true},
		{"two relevant, one missing from list", []string{"a", "b", "c"}, rel("b", "z"),
			// DCG = 1/log2(3); IDCG = 1 + 1/log2(3); AP = (1/2)/2
			Metrics{MRR10: 0.5, NDCG10: (1 / l2(3)) / (1 + 1/l2(3)), R1: 0, R5: 0.5, R10: 0.5, R50: 0.5, MAP: 0.25}, true},
		{"relevant at rank 11 is outside MRR@10", []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "r"}, rel("r"),
			Metrics{MRR10: 0, NDCG10: 0, R1: 0, R5: 0, R10: 0, R50: 1, MAP: 1.0 / 11}, true},
		{"no relevant candidate retrieved", []string{"a", "b"}, rel("z"), Metrics{}, true},
		{"no relevant at all is undefined", []string{"a"}, rel(), Metrics{}, false},
		{"empty list", nil, rel("a"), Metrics{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := Score(tc.ranked, tc.relevant)
			require.Equal(t, tc.ok, ok)
			assert.InDelta(t, tc.want.MRR10, got.MRR10, 1e-12, "mrr")
			assert.InDelta(t, tc.want.NDCG10, got.NDCG10, 1e-12, "ndcg")
			assert.InDelta(t, tc.want.R1, got.R1, 1e-12, "r1")
			assert.InDelta(t, tc.want.R5, got.R5, 1e-12, "r5")
			assert.InDelta(t, tc.want.R10, got.R10, 1e-12, "r10")
			assert.InDelta(t, tc.want.R50, got.R50, 1e-12, "r50")
			assert.InDelta(t, tc.want.MAP, got.MAP, 1e-12, "map")
		})
	}
}

func TestOrderTieBreaking(t *testing.T) {
	// b and c tie on score: c has the better first-stage rank, so it comes first.
	got := Order([]Scored{{"a", 0.1, 1}, {"b", 0.5, 3}, {"c", 0.5, 2}, {"d", 0.9, 4}})
	assert.Equal(t, []string{"d", "c", "b", "a"}, got)
	// Full tie: first-stage order is kept, so a reranker that scores
	// everything equally reproduces the first stage exactly.
	got = Order([]Scored{{"x", 0, 2}, {"y", 0, 1}})
	assert.Equal(t, []string{"y", "x"}, got)
}

func TestMean(t *testing.T) {
	m := Mean([]Metrics{{MRR10: 1, MAP: 0.5}, {MRR10: 0, MAP: 0.25}})
	assert.InDelta(t, 0.5, m.MRR10, 1e-12)
	assert.InDelta(t, 0.375, m.MAP, 1e-12)
	assert.Equal(t, Metrics{}, Mean(nil))
}

func TestCompare(t *testing.T) {
	a := make([]float64, 200)
	b := make([]float64, 200)
	for i := range a {
		a[i] = 0.5
		b[i] = 0.5
		if i%2 == 0 {
			b[i] = 1 // clearly better on half the queries
		}
	}
	c := Compare(a, b, 10000, 2000, 1)
	assert.InDelta(t, 0.25, c.Delta, 1e-12)
	assert.InDelta(t, 50, c.UpliftPct, 1e-9)
	assert.Less(t, c.PValue, 0.001)
	assert.Greater(t, c.PValue, 0.0, "the observed assignment counts, so p > 0")
	assert.Less(t, c.CILow, 0.25)
	assert.Greater(t, c.CIHigh, 0.25)
	assert.Greater(t, c.CILow, 0.15)

	// Identical systems: no difference, p = 1.
	same := Compare(a, a, 1000, 100, 1)
	assert.Equal(t, 0.0, same.Delta)
	assert.InDelta(t, 1.0, same.PValue, 1e-12)

	// Symmetric noise: not significant.
	x := []float64{1, 0, 1, 0, 1, 0, 1, 0}
	y := []float64{0, 1, 0, 1, 0, 1, 1, 0}
	assert.Greater(t, Compare(x, y, 5000, 0, 3).PValue, 0.5)

	// Deterministic by seed.
	assert.Equal(t, Compare(x, y, 500, 50, 7), Compare(x, y, 500, 50, 7))
	assert.Equal(t, 1.0, Compare(nil, nil, 10, 10, 1).PValue)
}

// TestCompareHandComputed checks Compare against values worked out by
// hand. a = (0.5, 0.25, 0.25, 0) has mean 0.25; b = a + 0.25 has mean 0.5:
// Delta 0.25, uplift 100%. Every per-query difference is 0.25, so every
// bootstrap mean is exactly 0.25 (CI [0.25, 0.25]), and a sign flip reaches
// |mean| ≥ 0.25 only when all four signs agree: 2 of the 2⁴ assignments,
// a two-sided p of 1/8 (a one-sided test would give 1/16). With 40000
// random flips the estimate's standard error is 0.0017.
func TestCompareHandComputed(t *testing.T) {
	a := []float64{0.5, 0.25, 0.25, 0}
	b := []float64{0.75, 0.5, 0.5, 0.25}
	c := Compare(a, b, 40000, 500, 11)
	assert.Equal(t, 0.25, c.MeanA)
	assert.Equal(t, 0.5, c.MeanB)
	assert.Equal(t, 0.25, c.Delta)
	assert.Equal(t, 100.0, c.UpliftPct)
	assert.Equal(t, 0.25, c.CILow)
	assert.Equal(t, 0.25, c.CIHigh)
	assert.InDelta(t, 1.0/8, c.PValue, 0.01)
	assert.Equal(t, 40000, c.Permutations)
	assert.Equal(t, 500, c.Resamples)

	// Differences (+1, +0.5, +0.5): sums over the 8 sign assignments are
	// ±2, ±1, ±1, 0, 0; only ±2 reach the observed mean 2/3: p = 2/8.
	c = Compare([]float64{0, 0.5, 0.25}, []float64{1, 1, 0.75}, 40000, 0, 12)
	assert.InDelta(t, 2.0/3, c.Delta, 1e-12)
	assert.InDelta(t, 0.25, c.PValue, 0.01)
}

func TestTRECFiles(t *testing.T) {
	var run, qrels bytes.Buffer
	require.NoError(t, WriteRun(&run, "fine tuned", map[string][]string{"q2": {"b"}, "q1": {"a", "c"}}))
	assert.Equal(t, "q1 Q0 a 1 2 fine_tuned\nq1 Q0 c 2 1 fine_tuned\nq2 Q0 b 1 1 fine_tuned\n", run.String())
	require.NoError(t, WriteQrels(&qrels, map[string]map[string]bool{"q1": {"c": true, "a": false}}))
	assert.Equal(t, "q1 0 c 1\n", qrels.String())
}
