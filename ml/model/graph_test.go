package model

import (
	"maps"
	"math/rand"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/ml/backend"
	"github.com/precedent/precedent/ml/safetensors"
)

// tinyArch is a small BERT-like shape that runs in milliseconds.
func tinyArch(xlmr bool) arch {
	a := arch{vocab: 50, hidden: 16, layers: 2, heads: 4, intermediate: 32, maxPositions: 40,
		typeVocab: 2, eps: 1e-12, numLabels: 1, hiddenDropout: 0.1, attnDropout: 0.1}
	if xlmr {
		a.xlmr, a.typeVocab, a.padID, a.eps = true, 1, 1, 1e-5
	}
	return a
}

// randomBatch makes rows of varied lengths, right-padded with mask 0.
func randomBatch(a arch, rng *rand.Rand, lens []int, length int) Batch {
	b := Batch{Rows: len(lens), Len: length}
	b.IDs = make([]int32, b.Rows*length)
	b.TypeIDs = make([]int32, b.Rows*length)
	b.Mask = make([]int32, b.Rows*length)
	for r, n := range lens {
		for t := range length {
			i := r*length + t
			if t >= n {
				b.IDs[i] = int32(a.padID)
				continue
			}
			b.IDs[i] = int32(2 + rng.Intn(a.vocab-2))
			b.Mask[i] = 1
			if a.typeVocab > 1 && t > n/2 {
				b.TypeIDs[i] = 1
			}
		}
	}
	return b
}

// perturb multiplies every weight by scale and adds normal noise of standard
// deviation sd drawn from rng, visiting the tensors in name order. Ranging
// over the map instead hands the draws to the tensors in Go's randomised map
// order: a different model on every run, which made
// TestGradientMatchesFiniteDifference fail about one run in ten.
func perturb(w map[string]safetensors.Tensor, rng *rand.Rand, scale, sd float64) {
	for _, name := range slices.Sorted(maps.Keys(w)) {
		data := w[name].Data
		for i := range data {
			data[i] = data[i]*float32(scale) + float32(rng.NormFloat64()*sd)
		}
	}
}

func TestGraphMatchesNaiveReference(t *testing.T) {
	be, _, err := backend.New("")
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		xlmr bool
	}{{"bert", false}, {"xlmr", true}} {
		t.Run(tc.name, func(t *testing.T) {
			a := tinyArch(tc.xlmr)
			w := randomWeights(a, CrossEncoder, 7)
			// Non-trivial LayerNorm and bias values exercise every term.
			rng := rand.New(rand.NewSource(3))
			perturb(w, rng, 1, 0.05)
			m, err := newModel(a, CrossEncoder, w)
			require.NoError(t, err)
			b := randomBatch(a, rng, []int{5, 11, 1, 8}, 11)

			s, err := NewScorer(m, be, F32)
			require.NoError(t, err)
			got, err := s.Score(b)
			require.NoError(t, err)
			hidden := refForward(a, w, b)
			want := refLogits(a, w, hidden)
			require.Len(t, got, len(want))
			for i := range want {
				assert.InDelta(t, want[i], got[i], 1e-4, "row %d", i)
			}

			e, err := NewEmbedder(m, be, F32)
			require.NoError(t, err)
			emb, err := e.Embed(b)
			require.NoError(t, err)
			wantEmb := refMeanEmbed(hidden, b)
			for r := range wantEmb {
				for j := range wantEmb[r] {
					assert.InDelta(t, wantEmb[r][j], emb[r][j], 1e-4, "row %d dim %d", r, j)
				}
			}
		})
	}
}
