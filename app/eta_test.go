package app

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/internal/testenv"
	"github.com/precedent/precedent/ml/hf"
	"github.com/precedent/precedent/ml/model"
	"github.com/precedent/precedent/ml/pairtext"
	"github.com/precedent/precedent/ml/tokenizer"
)

func TestETAClockIgnoresTheFirstBatch(t *testing.T) {
	now := time.Unix(0, 0)
	c := &etaClock{now: func() time.Time { return now }}
	now = now.Add(60 * time.Second) // compiling the graph: one slow first batch
	assert.Zero(t, c.left(10, 100), "one report: no rate yet")
	now = now.Add(10 * time.Second) // then 10 items per 10 s
	assert.Equal(t, 80*time.Second, c.left(20, 100), "the rate counts from the first report, not the phase start")
	now = now.Add(10 * time.Second)
	assert.Equal(t, 70*time.Second, c.left(30, 100))
	assert.Zero(t, c.left(100, 100), "finished")
}

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
	b, _, err := Backend("go")
	require.NoError(t, err)
	rr, err := newReranker(m, ck.TokenizerPath, b, pairtext.Format{}, 64, model.F32)
	if err != nil {
		testenv.SkipOrFail(t, "tokenizer library not available: %v", err)
	}
	defer rr.Close()
	rr.batch = 4
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
	_, err = rr.scoreEncodings(context.Background(), encs, func(done int, work float64) { got = append(got, report{done, work}) })
	require.NoError(t, err)
	require.Len(t, got, 16)
	half := got[7]
	assert.Equal(t, 32, half.done)
	assert.InDelta(t, 0.5, half.work, 0.2, "half the batches, about half the work")
	for i := 1; i < len(got); i++ {
		assert.Greater(t, got[i].work, got[i-1].work, "work only grows")
	}
	assert.Equal(t, report{64, 1}, got[15])
}
