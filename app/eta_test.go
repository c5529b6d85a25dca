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

// Batches run shortest first: the share of work done, which the ETA uses,
// must lag the share of pairs done when the short batches come first.
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
	enc := func(n int) tokenizer.Encoding {
		return tokenizer.Encoding{IDs: make([]int32, n), TypeIDs: make([]int32, n)}
	}
	var encs []tokenizer.Encoding
	for i := range 64 {
		if i%2 == 0 {
			encs = append(encs, enc(40)) // long and short interleaved: buckets reorder them
		} else {
			encs = append(encs, enc(4))
		}
	}
	type report struct {
		done int
		work float64
	}
	var got []report
	_, err = rr.scoreEncodings(context.Background(), encs, func(done int, work float64) { got = append(got, report{done, work}) })
	require.NoError(t, err)
	require.Len(t, got, 2, "two batches of 32")
	assert.Equal(t, 32, got[0].done)
	want := batchCost(32, 4, m.Config().HiddenSize) / (batchCost(32, 4, m.Config().HiddenSize) + batchCost(32, 40, m.Config().HiddenSize))
	assert.InDelta(t, want, got[0].work, 1e-9, "the short batch is a small share of the work")
	assert.Less(t, got[0].work, 0.2, "half the pairs, far less than half the work")
	assert.Equal(t, report{64, 1}, got[1])
}
