package eval

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBucket(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		require.NoError(t, err)
		return v
	}
	for _, tc := range []struct {
		p          Period
		t          string
		start, end string
		label      string
	}{
		{Month, "2025-04-17T13:00:00Z", "2025-04-01T00:00:00Z", "2025-05-01T00:00:00Z", "2025-04"},
		{Month, "2025-12-31T23:59:59Z", "2025-12-01T00:00:00Z", "2026-01-01T00:00:00Z", "2025-12"},
		{Quarter, "2025-05-02T00:00:00Z", "2025-04-01T00:00:00Z", "2025-07-01T00:00:00Z", "2025-Q2"},
		{Quarter, "2025-12-02T00:00:00Z", "2025-10-01T00:00:00Z", "2026-01-01T00:00:00Z", "2025-Q4"},
		{Week, "2025-04-17T13:00:00Z", "2025-04-14T00:00:00Z", "2025-04-21T00:00:00Z", "2025-W16"}, // a Thursday
		{Week, "2025-04-13T23:00:00Z", "2025-04-07T00:00:00Z", "2025-04-14T00:00:00Z", "2025-W15"}, // a Sunday
		{Week, "2024-12-31T10:00:00Z", "2024-12-30T00:00:00Z", "2025-01-06T00:00:00Z", "2025-W01"}, // ISO year
		{Month, "2025-04-17T01:00:00+03:00", "2025-04-01T00:00:00Z", "2025-05-01T00:00:00Z", "2025-04"},
	} {
		s, e, l := tc.p.Bucket(at(tc.t))
		assert.Equal(t, at(tc.start), s, "%s %s", tc.p, tc.t)
		assert.Equal(t, at(tc.end), e, "%s %s", tc.p, tc.t)
		assert.Equal(t, tc.label, l)
	}
}

func TestParsePeriod(t *testing.T) {
	for in, want := range map[string]Period{"": Month, "week": Week, "month": Month, "quarter": Quarter} {
		got, err := ParsePeriod(in)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	_, err := ParsePeriod("year")
	assert.ErrorContains(t, err, "unknown period")
}

func TestKS(t *testing.T) {
	for _, tc := range []struct {
		name string
		a, b []float64
		want float64
	}{
		{"same", []float64{1, 2, 3}, []float64{3, 2, 1}, 0},
		{"disjoint", []float64{1, 2}, []float64{5, 6, 7}, 1},
		{"half shifted", []float64{1, 2, 3, 4}, []float64{3, 4, 5, 6}, 0.5},
		{"ties across samples", []float64{1, 1, 2}, []float64{1, 2, 2}, 1.0 / 3},
		{"empty", nil, []float64{1}, 0},
	} {
		assert.InDelta(t, tc.want, KS(tc.a, tc.b), 1e-12, tc.name)
		assert.InDelta(t, tc.want, KS(tc.b, tc.a), 1e-12, tc.name+" (symmetric)")
	}
}

func TestDescribe(t *testing.T) {
	d := Describe([]float64{4, 1, 3, 2, 5}, []float64{1, 2, 3, 4, 5})
	assert.Equal(t, Distribution{N: 5, P25: 2, P50: 3, P75: 4, KS: 0, Critical: 1}, d)
	assert.False(t, d.Shifted(0.3))
	assert.Equal(t, Distribution{Critical: 1}, Describe(nil, []float64{1}))
	small := Describe([]float64{10, 11}, []float64{1, 2})
	assert.InDelta(t, 1, small.KS, 1e-12)
	assert.False(t, small.Shifted(0.3), "two values each: disjoint, but chance explains it")
	big := make([]float64, 200)
	ref := make([]float64, 200)
	for i := range big {
		big[i], ref[i] = float64(i+60), float64(i)
	}
	d = Describe(big, ref)
	assert.InDelta(t, 0.3, d.KS, 1e-12)
	assert.True(t, d.Shifted(0.3))
	assert.False(t, d.Shifted(0.31))
}

func TestKSCritical(t *testing.T) {
	for _, tc := range []struct {
		n, m int
		want float64
	}{
		{100, 100, 0.2302}, {400, 100, 0.1820}, {1, 1, 1}, {0, 5, 1},
	} {
		assert.InDelta(t, tc.want, KSCritical(tc.n, tc.m), 1e-4, "%d, %d", tc.n, tc.m)
	}
}

func TestUnseenShare(t *testing.T) {
	seen := map[string]bool{"a": true, "b": true}
	for _, tc := range []struct {
		items []string
		want  float64
	}{
		{nil, 0},
		{[]string{"a", "b"}, 0},
		{[]string{"a", "c"}, 0.5},
		{[]string{"c", "d", "c"}, 1},
	} {
		assert.InDelta(t, tc.want, UnseenShare(tc.items, seen), 1e-12, "%v", tc.items)
	}
}
