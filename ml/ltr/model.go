package ltr

import (
	"fmt"
	"math"
	"slices"
)

// Model is a trained linear ranker. A row x scores
//
//	Σ_i Weights[i] · (x[i] − Mean[i]) / Scale[i]
//
// (standardised features, so weights are comparable across features).
type Model struct {
	Features []string  `json:"features"`
	Weights  []float64 `json:"weights"`
	Mean     []float64 `json:"mean"`
	Scale    []float64 `json:"scale"`
	Loss     string    `json:"loss"`    // "pairwise" or "listwise"
	L2       float64   `json:"l2"`      // regularisation it was trained with
	Queries  int       `json:"queries"` // training queries with a relevant candidate
	Pairs    int       `json:"pairs"`   // relevant × non-relevant pairs (pairwise) or relevant rows (listwise)
}

// Contribution is one feature's share of a score.
type Contribution struct {
	Feature string  `json:"feature"`
	Value   float64 `json:"value"` // the raw feature value
	Score   float64 `json:"score"` // weight × standardised value: its share of the score
}

// Check reports whether m is usable with rows of n features.
func (m *Model) Check(n int) error {
	if m == nil {
		return fmt.Errorf("ltr: no model")
	}
	if len(m.Features) != n || len(m.Weights) != n || len(m.Mean) != n || len(m.Scale) != n {
		return fmt.Errorf("ltr: model has %d features (%d weights), rows have %d", len(m.Features), len(m.Weights), n)
	}
	return nil
}

// Score is the model's score of one feature row.
func (m *Model) Score(x []float64) float64 {
	s := 0.0
	for i, w := range m.Weights {
		s += w * (x[i] - m.Mean[i]) / m.Scale[i]
	}
	return s
}

// Explain splits the score of x into per-feature contributions, largest
// absolute share first; they add up to Score(x).
func (m *Model) Explain(x []float64) []Contribution {
	out := make([]Contribution, len(m.Weights))
	for i, w := range m.Weights {
		out[i] = Contribution{Feature: m.Features[i], Value: x[i], Score: w * (x[i] - m.Mean[i]) / m.Scale[i]}
	}
	slices.SortStableFunc(out, func(a, b Contribution) int {
		switch {
		case math.Abs(a.Score) > math.Abs(b.Score):
			return -1
		case math.Abs(a.Score) < math.Abs(b.Score):
			return 1
		}
		return 0
	})
	return out
}

// Weight is one learned weight, for model cards and reports.
type Weight struct {
	Feature string  `json:"feature"`
	Weight  float64 `json:"weight"` // per standard deviation of the feature
}

// Ranked lists the weights, largest absolute value first.
func (m *Model) Ranked() []Weight {
	out := make([]Weight, len(m.Weights))
	for i, w := range m.Weights {
		out[i] = Weight{Feature: m.Features[i], Weight: w}
	}
	slices.SortStableFunc(out, func(a, b Weight) int {
		switch {
		case math.Abs(a.Weight) > math.Abs(b.Weight):
			return -1
		case math.Abs(a.Weight) < math.Abs(b.Weight):
			return 1
		}
		return 0
	})
	return out
}
