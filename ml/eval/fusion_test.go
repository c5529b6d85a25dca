package eval

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFusionApply(t *testing.T) {
	first := []Scored{{ID: "a", Score: 9, Rank0: 1}, {ID: "b", Score: 5, Rank0: 2}, {ID: "c", Score: 1, Rank0: 3}}
	model := []Scored{{ID: "c", Score: 3}, {ID: "b", Score: 2}, {ID: "a", Score: -1}}
	tests := []struct {
		f    Fusion
		want []string
	}{
		{Fusion{"rrf", 0}, []string{"a", "b", "c"}},
		{Fusion{"rrf", 1}, []string{"c", "b", "a"}},
		{Fusion{"score", 0}, []string{"a", "b", "c"}},
		{Fusion{"score", 1}, []string{"c", "b", "a"}},
		// b: 0.5·0.75 + 0.5·0.5 = 0.625 beats a (0.5) and c (0.5); a and c tie, first stage breaks it.
		{Fusion{"score", 0.5}, []string{"b", "a", "c"}},
	}
	for _, tc := range tests {
		t.Run(tc.f.String(), func(t *testing.T) {
			assert.Equal(t, tc.want, Order(tc.f.Apply(first, model)))
		})
	}
}

func TestChooseFusion(t *testing.T) {
	first := [][]Scored{
		{{ID: "a", Score: 3, Rank0: 1}, {ID: "b", Score: 2, Rank0: 2}},
		{{ID: "c", Score: 3, Rank0: 1}, {ID: "d", Score: 2, Rank0: 2}},
	}
	rel := []map[string]bool{{"b": true}, {"c": true}}
	// A model that puts the answer first everywhere wins with a full weight.
	good := [][]Scored{{{ID: "a", Score: 0}, {ID: "b", Score: 1}}, {{ID: "c", Score: 1}, {ID: "d", Score: 0}}}
	f, trials := ChooseFusion(first, good, rel, FusionGrid())
	assert.Len(t, trials, 22)
	assert.InDelta(t, 1.0, trials[len(trials)-1].MRR10, 1e-9)
	assert.Greater(t, f.Weight, 0.5)
	// A model that is always wrong gets no say: the first stage itself.
	bad := [][]Scored{{{ID: "a", Score: 1}, {ID: "b", Score: 0}}, {{ID: "c", Score: 0}, {ID: "d", Score: 1}}}
	f, _ = ChooseFusion(first, bad, rel, FusionGrid())
	assert.Equal(t, 0.0, f.Weight)
	// A model equal to the first stage: ties go to the smaller weight.
	same := [][]Scored{{{ID: "a", Score: 1}, {ID: "b", Score: 0}}, {{ID: "c", Score: 1}, {ID: "d", Score: 0}}}
	f, _ = ChooseFusion(first, same, rel, FusionGrid())
	assert.Equal(t, 0.0, f.Weight)
}
