package ltr

import (
	"fmt"
	"math"
)

// Query is one training query: its candidates' feature rows, in first-stage
// order, and which of them are relevant.
type Query struct {
	Rows     [][]float64
	Relevant []bool
}

// Losses the trainer knows.
const (
	Pairwise = "pairwise" // RankNet: log(1 + e^−(s_rel − s_other)) over every relevant × non-relevant pair
	Listwise = "listwise" // softmax cross-entropy: −log Σ_rel p, p = softmax of the list's scores
)

// Options configure training; zero values take the defaults.
type Options struct {
	Loss       string  // Pairwise (default) or Listwise
	L2         float64 // weight of ½‖w‖² (default 0.01)
	Iterations int     // full-batch Adam steps at most (default 200)
	Rate       float64 // Adam step size (default 0.05)
}

func (o Options) withDefaults() Options {
	if o.Loss == "" {
		o.Loss = Pairwise
	}
	if o.L2 <= 0 {
		o.L2 = 0.01
	}
	if o.Iterations <= 0 {
		o.Iterations = 200
	}
	if o.Rate <= 0 {
		o.Rate = 0.05
	}
	return o
}

// Train fits a linear ranker on queries whose rows are named by features.
// Each query weighs the same in the loss, however long its list; queries
// with no relevant or no non-relevant candidate teach nothing and are left
// out. Features are standardised on the training rows; a constant feature
// gets weight 0. Training is deterministic: the same input gives the same
// model.
func Train(features []string, queries []Query, o Options) (*Model, error) {
	o = o.withDefaults()
	if o.Loss != Pairwise && o.Loss != Listwise {
		return nil, fmt.Errorf("ltr: unknown loss %q (pairwise, listwise)", o.Loss)
	}
	n := len(features)
	var use []Query
	pairs := 0
	for qi, q := range queries {
		if len(q.Rows) != len(q.Relevant) {
			return nil, fmt.Errorf("ltr: query %d: %d rows, %d labels", qi, len(q.Rows), len(q.Relevant))
		}
		rel := 0
		for i, r := range q.Rows {
			if len(r) != n {
				return nil, fmt.Errorf("ltr: query %d row %d: %d features, want %d", qi, i, len(r), n)
			}
			if q.Relevant[i] {
				rel++
			}
		}
		if rel == 0 || rel == len(q.Rows) {
			continue
		}
		use = append(use, q)
		if o.Loss == Pairwise {
			pairs += rel * (len(q.Rows) - rel)
		} else {
			pairs += rel
		}
	}
	if len(use) == 0 {
		return nil, fmt.Errorf("ltr: no training query has both a relevant and a non-relevant candidate")
	}
	m := &Model{Features: append([]string(nil), features...), Weights: make([]float64, n),
		Mean: make([]float64, n), Scale: make([]float64, n), Loss: o.Loss, L2: o.L2, Queries: len(use), Pairs: pairs}
	standardise(m, use)
	// Only features that vary are learned (a constant one keeps weight 0);
	// the loop works on standardised copies of those columns.
	var cols []int
	for j := 0; j < n; j++ {
		if spread(use, j) {
			cols = append(cols, j)
		}
	}
	xs := make([][][]float64, len(use))
	for qi, q := range use {
		xs[qi] = make([][]float64, len(q.Rows))
		for i, r := range q.Rows {
			z := make([]float64, len(cols))
			for c, j := range cols {
				z[c] = (r[j] - m.Mean[j]) / m.Scale[j]
			}
			xs[qi][i] = z
		}
	}
	k := len(cols)
	w, grad := make([]float64, k), make([]float64, k)
	mom, vel := make([]float64, k), make([]float64, k)
	const b1, b2, eps = 0.9, 0.999, 1e-8
	for it := 1; it <= o.Iterations; it++ {
		clear(grad)
		for qi, q := range use {
			lossGrad(o.Loss, w, xs[qi], q.Relevant, grad, 1/float64(len(use)))
		}
		norm := 0.0
		for j := range w {
			grad[j] += o.L2 * w[j]
			norm = max(norm, math.Abs(grad[j]))
			mom[j] = b1*mom[j] + (1-b1)*grad[j]
			vel[j] = b2*vel[j] + (1-b2)*grad[j]*grad[j]
			mh := mom[j] / (1 - math.Pow(b1, float64(it)))
			vh := vel[j] / (1 - math.Pow(b2, float64(it)))
			w[j] -= o.Rate * mh / (math.Sqrt(vh) + eps)
		}
		if norm < gradTol {
			break
		}
	}
	for c, j := range cols {
		m.Weights[j] = w[c]
	}
	return m, nil
}

// standardise sets Mean and Scale from the rows of qs (Scale 1 for a
// constant feature).
func standardise(m *Model, qs []Query) {
	n := len(m.Mean)
	count := 0.0
	for _, q := range qs {
		for _, r := range q.Rows {
			for j := 0; j < n; j++ {
				m.Mean[j] += r[j]
			}
			count++
		}
	}
	for j := range m.Mean {
		m.Mean[j] /= count
	}
	for _, q := range qs {
		for _, r := range q.Rows {
			for j := 0; j < n; j++ {
				d := r[j] - m.Mean[j]
				m.Scale[j] += d * d
			}
		}
	}
	for j := range m.Scale {
		m.Scale[j] = math.Sqrt(m.Scale[j] / count)
		if m.Scale[j] < 1e-12 {
			m.Scale[j] = 1
		}
	}
}

// spread reports whether feature j takes more than one value in qs.
func spread(qs []Query, j int) bool {
	first, seen := 0.0, false
	for _, q := range qs {
		for _, r := range q.Rows {
			if !seen {
				first, seen = r[j], true
			} else if r[j] != first {
				return true
			}
		}
	}
	return false
}

// lossGrad adds scale × the gradient of one query's loss to grad.
func lossGrad(loss string, w []float64, x [][]float64, rel []bool, grad []float64, scale float64) {
	s := make([]float64, len(x))
	for i, r := range x {
		for j, v := range r {
			s[i] += w[j] * v
		}
	}
	switch loss {
	case Pairwise:
		npairs := 0
		for i := range x {
			if rel[i] {
				for k := range x {
					if !rel[k] {
						npairs++
					}
				}
			}
		}
		c := scale / float64(npairs)
		for i := range x {
			if !rel[i] {
				continue
			}
			for k := range x {
				if rel[k] {
					continue
				}
				// d/dw log(1+e^−(s_i−s_k)) = −σ(−(s_i−s_k)) (x_i − x_k)
				g := -sigmoid(-(s[i] - s[k])) * c
				for j := range w {
					grad[j] += g * (x[i][j] - x[k][j])
				}
			}
		}
	default: // Listwise
		mx := math.Inf(-1)
		for _, v := range s {
			mx = max(mx, v)
		}
		p := make([]float64, len(s))
		var z, zr float64
		for i, v := range s {
			p[i] = math.Exp(v - mx)
			z += p[i]
			if rel[i] {
				zr += p[i]
			}
		}
		// loss = log z − log zr; d/ds_i = p_i/z − [rel_i] p_i/zr
		for i := range x {
			d := p[i] / z
			if rel[i] {
				d -= p[i] / zr
			}
			d *= scale
			for j := range w {
				grad[j] += d * x[i][j]
			}
		}
	}
}

// gradTol stops training once no weight's gradient exceeds it: the loss is
// convex, and the optimum is then reached to well below any ranking change.
const gradTol = 1e-5

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
