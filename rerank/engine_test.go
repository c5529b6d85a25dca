package rerank

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/internal/testenv"
	"github.com/precedent/precedent/ml/backend"
	"github.com/precedent/precedent/ml/hf"
	"github.com/precedent/precedent/ml/model"
	"github.com/precedent/precedent/ml/pairtext"
	"github.com/precedent/precedent/ml/tokenizer"
)

// Batches are bucketed by length but run in a mixed order, and progress
// reports the estimated share of work: halfway through the batches, about
// half the work is done (run shortest first, it was a fifth).
func TestScoreProgressReportsWork(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("..", "ml", "hf", "testdata", "bert-tiny-cross"))
	require.NoError(t, err)
	ck, err := hf.Load(dir)
	require.NoError(t, err)
	m, err := model.FromCheckpoint(ck, model.Options{Head: model.CrossEncoder})
	require.NoError(t, err)
	b, _, err := backend.New("go")
	require.NoError(t, err)
	rr, err := NewEngine(m, ck.TokenizerPath, b, pairtext.Format{}, 64, model.F32)
	if err != nil {
		testenv.SkipOrFail(t, "tokenizer library not available: %v", err)
	}
	defer rr.Close()
	whole := rr
	rr = rr.WithBatch(4) // 4 pairs per pass
	var encs []tokenizer.Encoding
	for i := range 64 {
		n := 2 + 3*(i%16) // 16 lengths, 4 of each: 16 batches
		encs = append(encs, tokenizer.Encoding{IDs: make([]int32, n), TypeIDs: make([]int32, n)})
	}
	type report struct {
		done int
		work float64
	}
	var got []report
	scores, err := rr.ScoreEncodings(context.Background(), encs, func(done int, work float64) { got = append(got, report{done, work}) })
	require.NoError(t, err)
	require.Len(t, got, 16, "16 batches of 4")
	wholeScores, err := whole.ScoreEncodings(context.Background(), encs, nil)
	require.NoError(t, err)
	assert.InDeltaSlice(t, wholeScores, scores, 1e-5, "the batch changes memory and speed, not scores")
	half := got[7]
	assert.Equal(t, 32, half.done)
	assert.InDelta(t, 0.5, half.work, 0.2, "half the batches, about half the work")
	for i := 1; i < len(got); i++ {
		assert.Greater(t, got[i].work, got[i-1].work, "work only grows")
	}
	assert.Equal(t, report{64, 1}, got[15])
}
