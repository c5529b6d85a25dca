package app

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLengthHistogramSummary(t *testing.T) {
	cases := []struct {
		name    string
		lengths []int
		cap     int
		maxLen  int
		want    LengthSummary
	}{
		{"ten lengths below max", []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 16, 12,
			LengthSummary{Inputs: 10, P10: 1, P50: 5, P90: 9, P99: 10, Mean: 5.5}},
		{"longer inputs truncated to max", []int{4, 4, 20, 30}, 32, 8,
			LengthSummary{Inputs: 4, P10: 4, P50: 4, P90: 8, P99: 8, Mean: 6, Truncated: 0.5}},
		{"inputs past the cap count as longer", []int{100, 600}, 512, 256,
			LengthSummary{Inputs: 2, P10: 100, P50: 100, P90: 256, P99: 256, Mean: 178, Truncated: 0.5}},
		{"exactly max is not truncated", []int{8, 8}, 16, 8,
			LengthSummary{Inputs: 2, P10: 8, P50: 8, P90: 8, P99: 8, Mean: 8}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := NewLengthHistogram("k", c.cap, c.lengths)
			require.NoError(t, h.Validate())
			require.Equal(t, len(c.lengths), h.Total())
			got := h.Summary(c.maxLen)
			c.want.Kind, c.want.MaxLen = "k", c.maxLen
			assert.Equal(t, c.want, got)
		})
	}
}

func TestLengthHistogramValidate(t *testing.T) {
	cases := []struct {
		name string
		h    LengthHistogram
		ok   bool
	}{
		{"counts match cap", LengthHistogram{Cap: 2, Counts: []int{0, 1, 0}}, true},
		{"wrong count length", LengthHistogram{Cap: 2, Counts: []int{0, 1}}, false},
		{"negative count", LengthHistogram{Cap: 2, Counts: []int{0, 2, -1}}, false},
		{"empty", LengthHistogram{Cap: 2, Counts: []int{0, 0, 0}}, false},
		{"no cap", LengthHistogram{}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.h.Validate()
			if c.ok {
				assert.NoError(t, err)
			} else {
				assert.Error(t, err)
			}
		})
	}
}
