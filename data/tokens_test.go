package data

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestTokensJaccard(t *testing.T) {
	tests := []struct {
		a, b string
		want float64
	}{
		{"Impossible travel for j.smith", "impossible TRAVEL j.smith", 4.0 / 5},
		{"a b", "c d", 0},
		{"", "", 0},
		{"x", "", 0},
		{"same same", "same", 1},
	}
	for _, tc := range tests {
		assert.InDelta(t, tc.want, Tokens(tc.a).Jaccard(Tokens(tc.b)), 1e-12, "%q vs %q", tc.a, tc.b)
	}
}
