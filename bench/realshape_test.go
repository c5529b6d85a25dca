package bench

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/app"
	"github.com/precedent/precedent/internal/testenv"
	"github.com/precedent/precedent/ml/tokenizer"
	"github.com/precedent/precedent/platform"
)

func TestEmbeddedLengths(t *testing.T) {
	tests := []struct {
		source  string
		tickets int
	}{{"demo", 20_000}, {"real", 32_215}}
	for _, tt := range tests {
		t.Run(tt.source, func(t *testing.T) {
			il, err := loadLengths(tt.source)
			require.NoError(t, err)
			assert.Equal(t, tt.tickets, il.Tickets)
			assert.Equal(t, tt.tickets, il.Texts.Total(), "one text per ticket")
			assert.Positive(t, il.Pairs.Total())
		})
	}
	_, err := loadLengths("nope")
	assert.ErrorContains(t, err, "lengths-nope.json")
}

func TestSampleLengths(t *testing.T) {
	h := app.NewLengthHistogram("k", 512, []int{10, 10, 10, 300})
	tests := []struct {
		name          string
		maxLen, least int
		allowed       []int
	}{
		{"truncated to max", 128, 3, []int{10, 128}},
		{"never below least", 128, 20, []int{20, 128}},
		{"untruncated", 512, 3, []int{10, 300}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sampleLengths(h, tt.maxLen, tt.least, 400, rand.New(rand.NewPCG(1, 2)))
			again := sampleLengths(h, tt.maxLen, tt.least, 400, rand.New(rand.NewPCG(1, 2)))
			require.Equal(t, got, again, "same seed, same lengths")
			long := 0
			for _, n := range got {
				require.Contains(t, tt.allowed, n)
				if n == tt.allowed[1] {
					long++
				}
			}
			assert.InDelta(t, 100, long, 30, "a quarter of the draws are the long length")
		})
	}
}

// plainCut is the split Buckets made before planning: full batches in
// length order, the last one partial.
func plainCut(lengths []int, batch int) [][]int {
	order := make([]int, len(lengths))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return lengths[a] - lengths[b] })
	var out [][]int
	for s := 0; s < len(order); s += batch {
		out = append(out, order[s:min(s+batch, len(order))])
	}
	return out
}

// padding is the padded tokens over the real tokens of a split, and the
// distinct padded shapes it runs.
func padding(lengths []int, split [][]int, maxLen int) (float64, map[[2]int]bool) {
	real, padded := 0, 0
	shapes := map[[2]int]bool{}
	for _, idx := range split {
		longest := 0
		for _, i := range idx {
			longest = max(longest, lengths[i])
			real += lengths[i]
		}
		s := [2]int{tokenizer.PaddedRows(len(idx)), min(tokenizer.PaddedLen(longest), maxLen)}
		shapes[s] = true
		padded += s[0] * s[1]
	}
	return float64(padded) / float64(real), shapes
}

// TestBucketsPadLessOnRealLengths measures, on lengths drawn from the
// saved histograms, the padding of tokenizer.Buckets against the plain
// cut it replaced: one query's 50 candidates (serving, the rerank rows)
// pad less; long inputs (evaluation, the dense first stage) split as before.
func TestBucketsPadLessOnRealLengths(t *testing.T) {
	tests := []struct {
		name             string
		pairs            bool
		n, batch, maxLen int
		planned          bool
		gain             float64 // least drop of padded/real tokens
	}{
		{"one query's 50 candidates, max 256", true, 50, 32, 256, true, 0.1},
		// Nearly every pair fills 128 tokens: nothing to gain.
		{"one query's 50 candidates, max 128", true, 50, 32, 128, true, 0},
		{"evaluation, 5000 pairs, max 256", true, 5000, 32, 256, false, 0},
		{"dense first stage, 1024 texts, max 128", false, 1024, 64, 128, false, 0},
	}
	for _, source := range lengthSources {
		il, err := loadLengths(source)
		require.NoError(t, err)
		for _, tt := range tests {
			t.Run(source+"/"+tt.name, func(t *testing.T) {
				h := il.Texts
				if tt.pairs {
					h = il.Pairs
				}
				rng := rand.New(rand.NewPCG(1, 2))
				var oldW, newW float64
				oldShapes, newShapes := map[[2]int]bool{}, map[[2]int]bool{}
				const groups = 20
				for range groups {
					ls := sampleLengths(h, tt.maxLen, 3, tt.n, rng)
					w, s := padding(ls, plainCut(ls, tt.batch), tt.maxLen)
					oldW += w / groups
					for k := range s {
						oldShapes[k] = true
					}
					w, s = padding(ls, tokenizer.Buckets(ls, tt.batch), tt.maxLen)
					newW += w / groups
					for k := range s {
						newShapes[k] = true
					}
				}
				t.Logf("padded/real tokens: plain cut %.3f (%d shapes), Buckets %.3f (%d shapes)", oldW, len(oldShapes), newW, len(newShapes))
				if tt.planned {
					assert.LessOrEqual(t, newW, oldW-tt.gain, "planning pads less")
				} else {
					assert.InDelta(t, oldW, newW, 1e-9, "long inputs split as before")
				}
			})
		}
	}
}

// TestBuildRealInputs generates the workloads' texts from the saved
// histograms with the bundled tokenizer: each has exactly its drawn length.
func TestBuildRealInputs(t *testing.T) {
	dir := miniLMDir(t)
	il, err := loadLengths("real")
	require.NoError(t, err)
	sz := defaultRealSizes(true)
	in, err := buildRealInputs("real", il, sz, filepath.Join(dir, "vocab.txt"), filepath.Join(dir, "tokenizer.json"))
	require.NoError(t, err)
	assert.Len(t, in.Rerank.Queries, sz.RerankQueries)
	assert.Len(t, in.Train.Pairs, sz.TrainPairs)
	assert.Len(t, in.Embed.Texts, sz.EmbedTexts)
	again, err := buildRealInputs("real", il, sz, filepath.Join(dir, "vocab.txt"), filepath.Join(dir, "tokenizer.json"))
	require.NoError(t, err)
	assert.Equal(t, in.Embed.Texts, again.Embed.Texts, "fixed seed, same texts")
}

// TestRealRowsQuick runs the real-shape rows at tiny sizes on xla:cpu
// against sentence-transformers from the reference python (make pyref).
func TestRealRowsQuick(t *testing.T) {
	if testing.Short() {
		t.Skip("loads MiniLM in Python and in GoMLX")
	}
	python := platform.PyRefPython()
	if _, err := torchVersion(context.Background(), python); err != nil {
		testenv.SkipOrFail(t, "the sentence-transformers reference cannot run (make pyref sets it up): %v", err)
	}
	rep, err := Run(context.Background(), Options{Sizes: QuickSizes(), Quick: true, RowTimeout: 4 * time.Minute,
		Only: "real", Python: python, Backends: []string{"xla:cpu"}})
	require.NoError(t, err)
	require.Len(t, rep.Rows, 2*len(lengthSources)*len(groups["real"]), "sentence-transformers and xla:cpu, per source and row")
	for _, r := range rep.Rows {
		assert.Empty(t, r.Error, "%s [%s]", r.Name, r.Engine)
		assert.Positive(t, r.Value, "%s [%s]", r.Name, r.Engine)
		if r.Engine == "xla:cpu" {
			assert.Positive(t, r.Ratio, "%s: ratio against sentence-transformers", r.Name)
		}
	}
}
