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

// TestEmbedGranularity embeds the embed row's texts (lengths drawn from
// each saved histogram) on xla:cpu with MiniLM's weights, with batch lengths
// padded to multiples of 16 (the step before) and as the engine pads them
// now (multiples of 8 below 128): the embeddings must agree. With
// PRECEDENT_GRAN_ROUNDS=N it also times both, N rounds alternating so that
// other load hits both alike, and logs the median texts/s of each.
func TestEmbedGranularity(t *testing.T) {
	if testing.Short() {
		t.Skip("runs MiniLM on xla:cpu")
	}
	rounds := envRounds(t, "PRECEDENT_GRAN_ROUNDS")
	dir := miniLMDir(t)
	be, _, err := backend.New("xla:cpu")
	if err != nil {
		testenv.SkipOrFail(t, "xla:cpu: %v", err)
	}
	ck, err := hf.Load(dir)
	require.NoError(t, err)
	m, err := model.FromCheckpoint(ck, model.Options{Head: model.BiEncoder})
	require.NoError(t, err)
	em, err := model.NewEmbedder(m, be, model.F32)
	require.NoError(t, err)
	tok, err := tokenizer.Load(ck.TokenizerPath)
	require.NoError(t, err)
	defer tok.Close()
	for _, source := range lengthSources {
		il, err := loadLengths(source)
		require.NoError(t, err)
		in, err := buildRealInputs(source, il, defaultRealSizes(false), filepath.Join(dir, "vocab.txt"), ck.TokenizerPath)
		require.NoError(t, err)
		encs := make([]tokenizer.Encoding, len(in.Embed.Texts))
		lengths := make([]int, len(encs))
		for i, s := range in.Embed.Texts {
			encs[i] = tok.Encode(s, in.Embed.MaxLen)
			lengths[i] = encs[i].Len()
		}
		run := func(mult int) ([][]float32, float64) {
			out := make([][]float32, len(encs))
			start := time.Now()
			for _, idx := range tokenizer.Buckets(lengths, in.Embed.Batch) {
				tb := tok.PadPicked(encs, idx)
				b := model.TokenBatch(tb)
				if l := (tb.Len + mult - 1) / mult * mult; l != tb.Len {
					b = model.PadBatch(b, mult, 0)
					b.Rows = tb.Rows
					b.IDs, b.TypeIDs, b.Mask = b.IDs[:b.Rows*b.Len], b.TypeIDs[:b.Rows*b.Len], b.Mask[:b.Rows*b.Len]
				}
				vecs, err := em.Embed(b)
				require.NoError(t, err)
				for j, i := range idx {
					out[i] = vecs[j]
				}
			}
			return out, time.Since(start).Seconds()
		}
		// Warm-up (every shape compiled) and the check.
		e16, _ := run(16)
		e8, _ := run(8)
		for i := range e16 {
			assert.InDeltaSlice(t, e16[i], e8[i], 1e-4, "%s text %d: padding must not change the embedding", source, i)
		}
		times := map[int][]float64{}
		for range rounds {
			for _, mult := range []int{16, 8} {
				_, sec := run(mult)
				times[mult] = append(times[mult], float64(len(encs))/sec)
			}
		}
		for _, mult := range []int{16, 8} {
			ts := times[mult]
			if len(ts) == 0 {
				continue
			}
			slices.Sort(ts)
			t.Logf("%s lengths, batch lengths padded to multiples of %d (8: as the engine pads below 128): median %.1f texts/s over %d (min %.1f, max %.1f)", source, mult, ts[len(ts)/2], len(ts), ts[0], ts[len(ts)-1])
		}
	}
}
