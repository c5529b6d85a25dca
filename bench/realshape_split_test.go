package bench

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/internal/testenv"
	"github.com/precedent/precedent/ml/backend"
	"github.com/precedent/precedent/ml/hf"
	"github.com/precedent/precedent/ml/model"
	"github.com/precedent/precedent/ml/tokenizer"
)

// TestPlannedSplitScoresAndTime scores one query's 50 candidates, at
// lengths drawn from each saved histogram, split by the plain cut and by
// tokenizer.Buckets, on xla:cpu with MiniLM's weights: the logits must
// agree. With PRECEDENT_SPLIT_ROUNDS=N it also times both splits, N rounds
// alternating so that other load on the machine hits both alike, and logs
// the median milliseconds per query of each.
func TestPlannedSplitScoresAndTime(t *testing.T) {
	if testing.Short() {
		t.Skip("runs MiniLM on xla:cpu")
	}
	dir := miniLMDir(t)
	be, _, err := backend.New("xla:cpu")
	if err != nil {
		testenv.SkipOrFail(t, "xla:cpu: %v", err)
	}
	ck, err := hf.Load(dir)
	require.NoError(t, err)
	m, err := model.FromCheckpoint(ck, model.Options{Head: model.CrossEncoder, Seed: 1})
	require.NoError(t, err)
	sc, err := model.NewScorer(m, be, model.F32)
	require.NoError(t, err)
	tok, err := tokenizer.Load(ck.TokenizerPath)
	require.NoError(t, err)
	defer tok.Close()
	rounds := envRounds(t, "PRECEDENT_SPLIT_ROUNDS")
	sz := defaultRealSizes(false)
	for _, source := range lengthSources {
		t.Run(source, func(t *testing.T) {
			il, err := loadLengths(source)
			require.NoError(t, err)
			in, err := buildRealInputs(source, il, sz, filepath.Join(dir, "vocab.txt"), ck.TokenizerPath)
			require.NoError(t, err)
			score := func(q int, split func([]int, int) [][]int) ([]float32, float64) {
				var encs []tokenizer.Encoding
				for _, p := range in.Rerank.Queries[q] {
					encs = append(encs, tok.EncodePair(p[0], p[1], in.Rerank.MaxLen))
				}
				lengths := make([]int, len(encs))
				for i, e := range encs {
					lengths[i] = e.Len()
				}
				out := make([]float32, len(encs))
				start := time.Now()
				for _, idx := range split(lengths, in.Rerank.Batch) {
					logits, err := sc.Score(model.TokenBatch(tok.PadPicked(encs, idx)))
					require.NoError(t, err)
					for j, i := range idx {
						out[i] = logits[j]
					}
				}
				return out, time.Since(start).Seconds() * 1000
			}
			splits := map[string]func([]int, int) [][]int{"plain cut": plainCut, "Buckets": tokenizer.Buckets}
			// Warm-up: every shape of both splits compiled, and the logits compared.
			for q := range in.Rerank.Queries {
				a, _ := score(q, plainCut)
				b, _ := score(q, tokenizer.Buckets)
				assert.InDeltaSlice(t, a, b, 1e-3, "query %d: the split must not change the logits", q)
			}
			times := map[string][]float64{}
			for range rounds {
				for q := range in.Rerank.Queries {
					for _, name := range []string{"plain cut", "Buckets"} {
						_, ms := score(q, splits[name])
						times[name] = append(times[name], ms)
					}
				}
			}
			for _, name := range []string{"plain cut", "Buckets"} {
				if ts := times[name]; len(ts) > 0 {
					slices.Sort(ts)
					t.Logf("%s lengths, %s: median %.0f ms/query over %d (min %.0f, max %.0f)", source, name, ts[len(ts)/2], len(ts), ts[0], ts[len(ts)-1])
				}
			}
		})
	}
}
