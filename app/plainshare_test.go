package app

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPlainDraw(t *testing.T) {
	count := func(b []bool) int {
		n := 0
		for _, x := range b {
			if x {
				n++
			}
		}
		return n
	}
	for _, tc := range []struct {
		name  string
		n     int
		share float64
		want  int // plain examples
	}{
		{"none", 1000, 0, 0},
		{"half", 1000, 0.5, 500},
		{"a quarter, rounded", 10, 0.25, 3},
		{"a tenth", 307911, 0.1, 30791},
		{"all", 100, 1, 100},
		{"tiny share of a small set rounds to none", 3, 0.1, 0},
		{"empty set", 0, 0.5, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := plainDraw(tc.n, tc.share, 42)
			if tc.share == 0 || tc.n == 0 {
				assert.Nil(t, got)
				return
			}
			assert.Len(t, got, tc.n)
			assert.Equal(t, tc.want, count(got), "exactly round(share·n), not a Bernoulli count")
			assert.Equal(t, got, plainDraw(tc.n, tc.share, 42), "the same seed draws the same examples (a resumed run)")
		})
	}
	a, b := plainDraw(1000, 0.5, 42), plainDraw(1000, 0.5, 43)
	assert.NotEqual(t, a, b, "another seed draws other examples")
	// Spread over the whole set, not a block: both halves get about half.
	first := count(a[:500])
	assert.InDelta(t, 250, first, 50)
	// The draw does not follow the order of the examples (positives and
	// negatives are grouped by query): runs of plain examples stay short.
	longest, run := 0, 0
	for _, x := range a {
		if x {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	assert.Less(t, longest, 20)
}

func TestPlainShareFingerprint(t *testing.T) {
	exs := []example{{Query: "q1", Doc: "d1", Label: 1}, {Query: "q1", Doc: "d2"}}
	// A run without a plain share keeps the fingerprint it had before the
	// option existed, so runs stopped then still resume.
	assert.Equal(t, fingerprint(exs, "start", "structured", "128 2 false 2 128"),
		fingerprint(exs, "start", "structured", trainShape(TrainOptions{MaxLen: 128, KeepLayers: 2, ScratchLayers: 2, ScratchHidden: 128})))
	assert.NotEqual(t, trainShape(TrainOptions{MaxLen: 128}), trainShape(TrainOptions{MaxLen: 128, PlainShare: 0.5}))
}
