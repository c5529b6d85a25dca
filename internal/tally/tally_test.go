package tally

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRanked(t *testing.T) {
	tests := []struct {
		name   string
		counts map[string]int
		want   []Entry
	}{
		{"empty", nil, []Entry{}},
		{"largest first", map[string]int{"a": 1, "b": 3, "c": 2}, []Entry{{"b", 3}, {"c", 2}, {"a", 1}}},
		{"ties by name", map[string]int{"phish": 2, "beacon": 2, "malware": 5}, []Entry{{"malware", 5}, {"beacon", 2}, {"phish", 2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Ranked(tt.counts))
		})
	}
}
