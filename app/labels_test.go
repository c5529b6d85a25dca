package app

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/data/negatives"
	"github.com/precedent/precedent/data/store"
)

func TestResolveLabelsPrecedence(t *testing.T) {
	ex := func(doc string, label float32, source string) example {
		return example{Query: "Q", Doc: doc, Label: label, Source: source}
	}
	rv := map[negatives.ReviewKey]negatives.ReviewState{
		{"Q", "EXCL"}: negatives.Excluded,
		{"Q", "PROM"}: negatives.PromotedPositive,
		{"Q", "CONF"}: negatives.ConfirmedNegative,
	}
	in := []example{
		ex("A", 0, sourceNegative), ex("A", 1, sourceMined), // mined positive > mined negative
		ex("B", 0, sourceNegative), ex("B", 0, sourceNegated), // negated mention > mined negative
		ex("C", 0, sourceNegated), ex("C", 1, sourceMined), // mined positive > negated mention
		ex("EXCL", 1, sourceMined),                                  // review excluded > mined positive
		ex("PROM", 0, sourceNegated), ex("PROM", 0, sourceNegative), // review promoted > negated
		ex("CONF", 1, sourceMined), ex("CONF", 0, sourceNegative), // review confirmed > mined positive
		ex("D", 0, sourceNegative),
	}
	want := []example{
		ex("A", 1, sourceMined), ex("B", 0, sourceNegated), ex("C", 1, sourceMined),
		ex("CONF", 0, sourceConfirm), ex("D", 0, sourceNegative), ex("PROM", 1, sourcePromoted),
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 20 {
		shuffled := append([]example(nil), in...)
		r.Shuffle(len(shuffled), func(a, b int) { shuffled[a], shuffled[b] = shuffled[b], shuffled[a] })
		if i == 0 {
			shuffled = append([]example(nil), in...)
		}
		assert.Equal(t, want, resolveLabels(shuffled, rv), "order %d", i)
	}
}

func TestRemineInvalidatesDerivedLabels(t *testing.T) {
	ctx := context.Background()
	p := newTestProject(t, 600)
	first, err := p.Mine(ctx, MineOptions{}, nil)
	require.NoError(t, err)
	assert.Nil(t, first.Invalidated, "the first mining invalidates nothing")
	require.NotEmpty(t, first.Labels)
	other, err := p.Mine(ctx, MineOptions{Ties: "drop", MaxPartners: 2}, nil)
	require.NoError(t, err)
	assert.NotEqual(t, first.Labels, other.Labels)
	assert.Nil(t, other.Invalidated, "nothing was derived from the labels yet")
	_, err = p.Mine(ctx, MineOptions{}, nil)
	require.NoError(t, err)

	// What the later steps derived from these labels, and an analyst's verdict.
	require.NoError(t, p.Store.PutRecords(collCandidates, []store.Record{{Key: "Q1", Value: QueryCandidates{Query: "Q1", Window: "train"}}}))
	require.NoError(t, p.Store.PutRecords(collNegatives, []store.Record{{Key: "Q1", Value: []negatives.HardNegative{{Candidate: "C1"}}}}))
	require.NoError(t, p.Store.PutRecords(collReviews, []store.Record{{Key: reviewKey("Q1", "C1"), Value: Review{State: negatives.Excluded, At: time.Now()}}}))
	require.NoError(t, p.saveRun(RunRecord{RunCore: RunCore{ID: "run-1", Status: "finished"}}))

	same, err := p.Mine(ctx, MineOptions{}, nil)
	require.NoError(t, err)
	assert.Nil(t, same.Invalidated, "the same labels invalidate nothing")
	assert.Equal(t, first.Labels, same.Labels)
	n, err := p.Store.CountRecords(collCandidates)
	require.NoError(t, err)
	assert.Equal(t, 1, n)

	changed, err := p.Mine(ctx, MineOptions{MaxPartners: 1}, nil)
	require.NoError(t, err)
	assert.NotEqual(t, first.Labels, changed.Labels)
	require.NotNil(t, changed.Invalidated)
	inv := changed.Invalidated
	assert.Equal(t, "labels changed: re-run firststage and negatives", inv.Message)
	assert.Equal(t, 1, inv.Candidates)
	assert.Equal(t, 1, inv.Negatives)
	assert.Equal(t, 1, inv.Reviews)
	assert.Equal(t, []string{"run-1"}, inv.StaleRuns)
	for coll, want := range map[string]int{collCandidates: 0, collNegatives: 0, collReviews: 1, collRuns: 1} {
		n, err := p.Store.CountRecords(coll)
		require.NoError(t, err)
		assert.Equal(t, want, n, coll)
	}
	runs, err := p.Runs()
	require.NoError(t, err)
	require.Len(t, runs, 1)
	assert.Contains(t, runs[0].Stale, "labels changed: re-run firststage and negatives")
	assert.Equal(t, "finished", runs[0].Status, "a stale run is kept as it was")
	_, err = p.Candidates("")
	assert.ErrorContains(t, err, "run the first stage first")

	again, err := p.Mine(ctx, MineOptions{}, nil)
	require.NoError(t, err)
	require.NotNil(t, again.Invalidated)
	assert.Empty(t, again.Invalidated.StaleRuns, "a run already stale is not marked twice")
}
