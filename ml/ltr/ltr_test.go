package ltr

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRR10(t *testing.T) {
	for _, c := range []struct {
		name   string
		scores []float64
		rel    []bool
		want   float64
	}{
		{"top", []float64{3, 2, 1}, []bool{true, false, false}, 1},
		{"second", []float64{3, 2, 1}, []bool{false, true, false}, 0.5},
		{"best relevant counts", []float64{1, 3, 2}, []bool{true, false, true}, 0.5},
		{"tie keeps given order", []float64{2, 2, 2}, []bool{false, true, false}, 0.5},
		{"none relevant", []float64{1, 2}, []bool{false, false}, 0},
		{"beyond 10", append(make([]float64, 10), -1), append(make([]bool, 10), true), 0},
	} {
		assert.InDelta(t, c.want, RR10(c.scores, c.rel), 1e-12, c.name)
	}
}

// synthetic makes queries where relevance depends on feature 0 (strongly),
// feature 1 (weakly, negatively), not on feature 2 (noise), and feature 3 is
// constant.
func synthetic(seed uint64, nq int) []Query {
	r := rand.New(rand.NewPCG(seed, 1))
	qs := make([]Query, nq)
	for q := range qs {
		n := 20
		rows := make([][]float64, n)
		rel := make([]bool, n)
		best, bestS := 0, math.Inf(-1)
		for i := range rows {
			rows[i] = []float64{r.NormFloat64(), r.NormFloat64(), r.NormFloat64(), 7}
			s := 2*rows[i][0] - 0.5*rows[i][1] + 0.3*r.NormFloat64()
			if s > bestS {
				best, bestS = i, s
			}
		}
		rel[best] = true
		qs[q] = Query{Rows: rows, Relevant: rel}
	}
	return qs
}

func TestTrainLearnsEvidence(t *testing.T) {
	feats := []string{"strong", "weak_negative", "noise", "constant"}
	train, test := synthetic(1, 300), synthetic(2, 200)
	for _, loss := range []string{Pairwise, Listwise} {
		m, err := Train(feats, train, Options{Loss: loss, L2: 0.01})
		require.NoError(t, err)
		require.NoError(t, m.Check(4))
		assert.Greater(t, m.Weights[0], 0.0, loss)
		assert.Less(t, m.Weights[1], 0.0, loss)
		assert.Greater(t, m.Weights[0], 3*math.Abs(m.Weights[2]), loss+": the strong feature outweighs noise")
		assert.Zero(t, m.Weights[3], loss+": a constant feature gets no weight")
		assert.Greater(t, MeanRR10(m, test), 0.6, loss)
		// Unlearned (all-zero) weights keep the given order: chance here.
		zero := &Model{Features: feats, Weights: make([]float64, 4), Mean: make([]float64, 4), Scale: []float64{1, 1, 1, 1}}
		assert.Less(t, MeanRR10(zero, test), 0.4)
		assert.Equal(t, 300, m.Queries)
	}
}

func TestTrainIsDeterministicAndRegularised(t *testing.T) {
	feats := []string{"a", "b", "c", "d"}
	qs := synthetic(3, 100)
	m1, err := Train(feats, qs, Options{})
	require.NoError(t, err)
	m2, err := Train(feats, qs, Options{})
	require.NoError(t, err)
	assert.Equal(t, m1.Weights, m2.Weights)
	strong, err := Train(feats, qs, Options{L2: 10})
	require.NoError(t, err)
	norm := func(w []float64) float64 { return math.Hypot(math.Hypot(w[0], w[1]), w[2]) }
	assert.Less(t, norm(strong.Weights), norm(m1.Weights)/2, "more L2, smaller weights")
}

func TestExplainAddsUpToScore(t *testing.T) {
	m, err := Train([]string{"a", "b", "c", "d"}, synthetic(4, 50), Options{})
	require.NoError(t, err)
	x := []float64{1.5, -0.2, 0.7, 7}
	sum := 0.0
	cs := m.Explain(x)
	for _, c := range cs {
		sum += c.Score
	}
	assert.InDelta(t, m.Score(x), sum, 1e-9)
	assert.Equal(t, "a", cs[0].Feature, "largest share first")
	assert.Equal(t, 1.5, cs[0].Value)
	assert.Equal(t, "a", m.Ranked()[0].Feature)
}

func TestTrainRejectsBadInput(t *testing.T) {
	_, err := Train([]string{"a"}, []Query{{Rows: [][]float64{{1}, {2}}, Relevant: []bool{true}}}, Options{})
	assert.ErrorContains(t, err, "query 0")
	_, err = Train([]string{"a", "b"}, []Query{{Rows: [][]float64{{1}, {2}}, Relevant: []bool{true, false}}}, Options{})
	assert.ErrorContains(t, err, "row 0")
	_, err = Train([]string{"a"}, []Query{{Rows: [][]float64{{1}, {2}}, Relevant: []bool{false, false}}}, Options{})
	assert.ErrorContains(t, err, "no training query")
	_, err = Train([]string{"a"}, synthetic(1, 1), Options{Loss: "pointwise"})
	assert.ErrorContains(t, err, "unknown loss")
	var m *Model
	assert.Error(t, m.Check(1))
}

func TestSelectPrefersSimplerOnTies(t *testing.T) {
	feats := []string{"a", "b", "c", "d"}
	qs := synthetic(5, 240)
	folds := []Fold{{Name: "1", Train: qs[:120], Valid: qs[120:180]}, {Name: "2", Train: qs[:180], Valid: qs[180:]}}
	trials, best, err := Select(feats, folds, Grid(), nil)
	require.NoError(t, err)
	require.Len(t, trials, len(Grid()))
	assert.Equal(t, 120, trials[best].Queries)
	assert.Len(t, trials[best].PerFold, 2)
	for _, tr := range trials {
		assert.LessOrEqual(t, tr.MRR10, trials[best].MRR10+0.001+1e-12)
	}
	// A grid of identical settings but L2 ties to the most regularised.
	same := []Options{{L2: 1e-4, Iterations: 1, Rate: 1e-9}, {L2: 5, Iterations: 1, Rate: 1e-9}}
	_, best, err = Select(feats, folds, same, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, best)
	_, _, err = Select(feats, nil, Grid(), nil)
	assert.Error(t, err)
}
