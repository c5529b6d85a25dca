package model

import (
	"math/rand"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/ml/backend"
)

func TestParsePrecision(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Precision
		err  bool
	}{
		{"", F32, false}, {"f32", F32, false}, {" BF16 ", BF16, false}, {"fp16", "", true}, {"auto", "", true},
	} {
		got, err := ParsePrecision(tc.in)
		if tc.err {
			assert.Error(t, err, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
}

// A BF16 scorer rounds each linear layer's inputs to bfloat16 and nothing
// else: it matches the naive reference run with the same rounding, and it
// does differ from the float32 scorer (so the precision is not ignored).
func TestBF16MatchesRoundedReference(t *testing.T) {
	be, _, err := backend.New("")
	require.NoError(t, err)
	a := tinyArch(false)
	w := randomWeights(a, CrossEncoder, 7)
	rng := rand.New(rand.NewSource(3))
	perturb(w, rng, 1, 0.05)
	m, err := newModel(a, CrossEncoder, w)
	require.NoError(t, err)
	b := randomBatch(a, rng, []int{5, 11, 1, 8}, 11)

	bf, err := NewScorer(m, be, BF16)
	require.NoError(t, err)
	got, err := bf.Score(b)
	require.NoError(t, err)
	f32, err := NewScorer(m, be, F32)
	require.NoError(t, err)
	exact, err := f32.Score(b)
	require.NoError(t, err)

	refRoundBF16 = true
	want := refLogits(a, w, refForward(a, w, b))
	refRoundBF16 = false
	differs := false
	for i := range want {
		assert.InDelta(t, want[i], got[i], 1e-4, "row %d: bf16 scorer vs rounded reference", i)
		differs = differs || got[i] != exact[i]
	}
	assert.True(t, differs, "the bf16 scorer computed exactly the float32 logits: the precision was ignored")

	e, err := NewEmbedder(m, be, BF16)
	require.NoError(t, err)
	emb, err := e.Embed(b)
	require.NoError(t, err)
	refRoundBF16 = true
	wantEmb := refMeanEmbed(refForward(a, w, b), b)
	refRoundBF16 = false
	for r := range wantEmb {
		for j := range wantEmb[r] {
			assert.InDelta(t, wantEmb[r][j], emb[r][j], 1e-4, "row %d dim %d", r, j)
		}
	}
}
