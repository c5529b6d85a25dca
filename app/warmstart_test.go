package app

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/data/negatives"
	"github.com/precedent/precedent/data/split"
	"github.com/precedent/precedent/ml/eval"
)

func TestWarmTargets(t *testing.T) {
	e := func(r int) float32 { return float32(math.Exp(-float64(r) / 2)) } // target of 0-based fused rank r, τ = 2
	for _, c := range []struct {
		name string
		bm25 []int
		cos  []float64
		want []float32
	}{
		{"teachers agree: fused rank is the shared rank",
			[]int{1, 2, 3}, []float64{0.9, 0.5, 0.1}, []float32{e(0), e(1), e(2)}},
		{"bi-encoder reverses BM25: the two ends tie (first-stage rank first), the middle falls last",
			[]int{1, 2, 3}, []float64{0.1, 0.5, 0.9}, []float32{e(0), e(2), e(1)}},
		{"the bi-encoder's favourite that BM25 puts last ranks behind the one both put second",
			[]int{1, 2, 3, 4}, []float64{0.1, 0.8, 0.0, 0.9}, []float32{e(0), e(1), e(3), e(2)}},
		{"ranks are re-ranked within the list, gaps ignored; order of the input does not matter",
			[]int{30, 1, 7}, []float64{0.2, 0.3, 0.9}, []float32{e(2), e(0), e(1)}},
		{"equal cosines keep first-stage order",
			[]int{2, 1}, []float64{0.5, 0.5}, []float32{e(1), e(0)}},
		{"one candidate", []int{5}, []float64{0.3}, []float32{1}},
		{"empty", nil, nil, []float32{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := warmTargets(c.bm25, c.cos, 10, 2)
			require.Len(t, got, len(c.want))
			for i := range got {
				assert.InDelta(t, c.want[i], got[i], 1e-6, "candidate %d", i)
				assert.True(t, got[i] > 0 && got[i] <= 1)
			}
		})
	}
}

func TestWarmQueriesOnlyTrainingWindow(t *testing.T) {
	t0 := time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)
	w := split.Windows{TrainEnd: t0.AddDate(0, 0, 10), ValEnd: t0.AddDate(0, 0, 15)}
	var ts []data.Ticket
	for i := range 20 { // days 0..19: 10 train, 5 validation, 5 test
		ts = append(ts, data.Ticket{ID: fmt.Sprintf("T%02d", i), Opened: t0.AddDate(0, 0, i)})
	}
	// The same instant as the training window's first ticket, a smaller ID: it comes first.
	ts = append(ts, data.Ticket{ID: "S00", Opened: t0})
	for _, c := range []struct {
		name string
		n    int
		want int
	}{
		{"all (n = 0)", 0, 10},
		{"more than there are", 50, 10},
		{"a sample", 4, 4},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := warmQueries(ts, w, c.n, 42)
			require.Len(t, got, c.want)
			for i, q := range got {
				assert.Equal(t, split.Train, w.Of(q.Opened), q.ID)
				assert.NotEqual(t, "S00", q.ID, "the earliest ticket has no precedent")
				if i > 0 {
					assert.True(t, data.Earlier(got[i-1], q), "archive order")
				}
			}
			assert.Equal(t, got, warmQueries(ts, w, c.n, 42), "deterministic")
		})
	}
	assert.NotEqual(t, warmQueries(ts, w, 4, 1), warmQueries(ts, w, 4, 2), "the seed draws")
	assert.Empty(t, warmQueries(ts, split.Windows{TrainEnd: t0, ValEnd: t0.AddDate(0, 0, 1)}, 0, 42), "empty training window")
}

func TestWarmPickCandidates(t *testing.T) {
	list := make([]negatives.Candidate, 30)
	for i := range list {
		list[i] = negatives.Candidate{ID: fmt.Sprint("C", i), Rank: i + 1}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	got := warmPickCandidates(list, 4, 8, rng)
	require.Len(t, got, 8)
	assert.Equal(t, list[:4], got[:4], "the first-stage top is always kept")
	for i := 1; i < len(got); i++ {
		assert.Less(t, got[i-1].Rank, got[i].Rank, "list order, no repeats")
	}
	short := list[:5]
	assert.Equal(t, short, warmPickCandidates(short, 4, 8, rng), "a short list is kept whole")
}

func TestWarmTeacherInputs(t *testing.T) {
	qc := QueryCandidates{Candidates: []negatives.Candidate{{ID: "a", Rank: 1}, {ID: "b", Rank: 5}}}
	ranks, cs := warmTeacherInputs(qc, []eval.Scored{{ID: "b", Score: 0.7}, {ID: "a", Score: 0.2}})
	assert.Equal(t, []int{1, 5}, ranks)
	assert.Equal(t, []float64{0.2, 0.7}, cs)
}

func TestWarmQueriesFor(t *testing.T) {
	assert.Equal(t, 400, warmQueriesFor(200, 16))
	assert.Equal(t, 1, warmQueriesFor(1, 1))
}

// Train with a warm start: cancelled during the distillation, the run is
// recorded as cancelled with the warm start unfinished; resumed, it runs
// the warm start again and then fine-tunes, and the record says what the
// warm start did.
func TestTrainWarmStartCancelAndResume(t *testing.T) {
	ctx := context.Background()
	p := newTestProject(t, 1000)
	prepareTraining(t, p, 10)
	haveRealModel(t, p)
	opts := TrainOptions{RunOptions: RunOptions{MaxLen: 48, BatchSize: 8, MaxSteps: 2, EvalEvery: 2, ValQueries: 4, ValDepth: 5,
		Backend: "go", LR: 1e-3}, FromScratch: true, ScratchLayers: 1, ScratchHidden: 32, WarmStart: 3}

	cctx, cancel := context.WithCancel(ctx)
	_, err := p.Train(cctx, opts, func(e Event) {
		if e.Step == "warm-start" && e.Phase == "train" && e.Done >= 1 {
			cancel()
		}
	})
	cancel()
	require.ErrorIs(t, err, context.Canceled)
	runs, err := p.Runs()
	require.NoError(t, err)
	require.Len(t, runs, 1)
	assert.Equal(t, "cancelled", runs[0].Status)
	require.NotNil(t, runs[0].WarmStart)
	assert.False(t, runs[0].WarmStart.Finished)

	var phases []string
	tr, err := p.Train(ctx, TrainOptions{RunOptions: RunOptions{Resume: "last", Backend: "go"}}, func(e Event) {
		if e.Step == "warm-start" && (len(phases) == 0 || phases[len(phases)-1] != e.Phase) {
			phases = append(phases, e.Phase)
		}
	})
	require.NoError(t, err)
	assert.Equal(t, runs[0].ID, tr.Run.ID)
	assert.Equal(t, 2, tr.Run.Steps)
	w := tr.Run.WarmStart
	require.NotNil(t, w)
	assert.True(t, w.Finished)
	assert.Equal(t, 3, w.Steps)
	assert.Equal(t, 3, w.Done)
	assert.Equal(t, warmTeacher, w.Teacher)
	assert.Positive(t, w.Pairs)
	assert.LessOrEqual(t, w.Queries, warmQueriesFor(3, 8))
	assert.Positive(t, w.Seconds)
	assert.Subset(t, phases, []string{"prepare", "index", "search", "teacher", "train", "done", "validate"})
	assert.FileExists(t, filepath.Join(tr.Run.ModelDir, "model.safetensors"))
}
