package eval

import (
	"fmt"
	"math"
)

// Fusion combines a first stage's order with a model's scores for one
// candidate list. The final ranking of Precedent is a fusion whose settings
// are chosen on the validation window: with Weight 0 it IS the first stage,
// so a model that does not help there is given no say.
type Fusion struct {
	Method string  `json:"method"` // "rrf": weighted reciprocal ranks; "score": weighted min-max normalised scores
	Weight float64 `json:"weight"` // the model's share in [0, 1]: 0 = first stage alone, 1 = model alone
}

// rrfK is reciprocal-rank fusion's damping constant (Cormack et al., 2009).
const rrfK = 60

// String reads like "rrf 0.30".
func (f Fusion) String() string { return fmt.Sprintf("%s %.2f", f.Method, f.Weight) }

// Apply fuses one query's lists. first and model hold the same candidates
// (model in any order, first with Rank0 the first-stage rank and Score the
// first-stage score); the result holds them with the fused score and Rank0
// kept, so Order breaks ties by the first stage.
func (f Fusion) Apply(first, model []Scored) []Scored {
	ms := make(map[string]float64, len(model))
	for _, c := range model {
		ms[c.ID] = c.Score
	}
	out := make([]Scored, len(first))
	switch f.Method {
	case "rrf":
		mr := map[string]int{}
		for i, id := range Order(model) {
			mr[id] = i + 1
		}
		for i, c := range first {
			r := mr[c.ID]
			if r == 0 {
				r = len(first) + 1
			}
			out[i] = Scored{ID: c.ID, Rank0: c.Rank0,
				Score: f.Weight/float64(rrfK+r) + (1-f.Weight)/float64(rrfK+c.Rank0)}
		}
	default: // "score"
		fs := make([]float64, len(first))
		mv := make([]float64, len(first))
		for i, c := range first {
			fs[i], mv[i] = c.Score, ms[c.ID]
		}
		minMax(fs)
		minMax(mv)
		for i, c := range first {
			out[i] = Scored{ID: c.ID, Rank0: c.Rank0, Score: f.Weight*mv[i] + (1-f.Weight)*fs[i]}
		}
	}
	return out
}

// minMax rescales xs to [0, 1] in place (all 0 when they are equal).
func minMax(xs []float64) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range xs {
		lo, hi = min(lo, x), max(hi, x)
	}
	for i, x := range xs {
		if hi > lo {
			xs[i] = (x - lo) / (hi - lo)
		} else {
			xs[i] = 0
		}
	}
}

// FusionGrid is the settings ChooseFusion tries: both methods, weights 0 to
// 1 by 0.1.
func FusionGrid() []Fusion {
	var g []Fusion
	for _, m := range []string{"rrf", "score"} {
		for i := 0; i <= 10; i++ {
			g = append(g, Fusion{Method: m, Weight: float64(i) / 10})
		}
	}
	return g
}

// FusionTrial is one setting's mean MRR@10 on the lists it was chosen on.
type FusionTrial struct {
	Fusion
	MRR10 float64 `json:"mrr@10"`
}

// ChooseFusion picks the setting of grid with the best mean MRR@10 over the
// queries (first[i], model[i], relevant[i]); among equal ones (within 1e-9)
// the smaller weight, i.e. the one closer to the first stage, wins, so with
// no evidence for the model the choice is the first stage itself.
func ChooseFusion(first, model [][]Scored, relevant []map[string]bool, grid []Fusion) (Fusion, []FusionTrial) {
	trials := make([]FusionTrial, len(grid))
	best := -1
	for g, f := range grid {
		var sum float64
		n := 0
		for i := range first {
			m, ok := Score(Order(f.Apply(first[i], model[i])), relevant[i])
			if ok {
				sum += m.MRR10
				n++
			}
		}
		if n > 0 {
			sum /= float64(n)
		}
		trials[g] = FusionTrial{Fusion: f, MRR10: sum}
		if best < 0 || sum > trials[best].MRR10+1e-9 || (math.Abs(sum-trials[best].MRR10) <= 1e-9 && f.Weight < trials[best].Weight) {
			best = g
		}
	}
	if best < 0 {
		return Fusion{Method: "rrf"}, trials
	}
	return trials[best].Fusion, trials
}
