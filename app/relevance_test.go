package app

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/data/mining"
	"github.com/precedent/precedent/data/negatives"
	"github.com/precedent/precedent/data/split"
)

// Evaluation queries do not depend on the training caps: a test-window
// query whose only link was sampled out is still a query with that link
// relevant; a trivial duplicate is neither relevant nor left in its list;
// a negated mention is never relevant.
func TestRelevanceIndependentOfTrainingCaps(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2025, 1, d, 0, 0, 0, 0, time.UTC) }
	ts := []data.Ticket{{ID: "A", Opened: day(1)}, {ID: "B", Opened: day(2)}, {ID: "C", Opened: day(20)}, {ID: "D", Opened: day(21)}, {ID: "E", Opened: day(22)}}
	a := &archive{Tickets: ts, Index: map[string]int{}}
	for i, tk := range ts {
		a.Index[tk.ID] = i
	}
	w := split.Windows{Start: day(1), TrainEnd: day(10), ValEnd: day(15), End: day(30)}
	pairs := []StoredPair{
		{Pair: mining.Pair{Query: "B", Positive: "A", Class: mining.ClassDuplicate, Direct: true}, Window: "train"},
		{Pair: mining.Pair{Query: "C", Positive: "A", Class: mining.ClassProcedural, Direct: true, Filters: []string{"sampling"}}},
		{Pair: mining.Pair{Query: "D", Positive: "C", Class: mining.ClassDuplicate, Direct: true, Trivial: true, Filters: []string{mining.FilterTrivial}}},
		{Pair: mining.Pair{Query: "D", Positive: "B", Class: mining.ClassNegated, Direct: true, Filters: []string{"negated"}}},
		{Pair: mining.Pair{Query: "E", Positive: "A", Class: mining.ClassMention, Direct: true}, Window: "test"},
	}
	rel, win, trivial := relevance(pairs, a, w)
	assert.Equal(t, map[string][]string{"B": {"A"}, "C": {"A"}, "E": {"A"}}, rel)
	assert.Equal(t, map[string]string{"B": "train", "C": "test", "E": "test"}, win, "C is a test query although sampling left its pair out of training")
	assert.Equal(t, map[string][]string{"D": {"C"}}, trivial)

	list, dropped := dropTrivial([]negatives.Candidate{{ID: "X", Rank: 1}, {ID: "C", Rank: 2}, {ID: "B", Rank: 3}}, trivial["D"])
	assert.Equal(t, 1, dropped)
	assert.Equal(t, []negatives.Candidate{{ID: "X", Rank: 1}, {ID: "B", Rank: 2}}, list, "ranks renumbered")
}

// By default candidates that share a user, host or IP with the query are
// negatives like any other (the pivot puts such tickets in every test list);
// --link-window turns the filter back on.
func TestNegativesKeepEntitySharingCandidatesByDefault(t *testing.T) {
	ctx := context.Background()
	p := newTestProject(t, 800)
	_, err := p.Mine(ctx, MineOptions{}, nil)
	require.NoError(t, err)
	_, err = p.FirstStage(ctx, FirstStageOptions{K: 30, Pivot: 10}, nil)
	require.NoError(t, err)
	def, err := p.MineNegatives(ctx, NegativesOptions{}, nil)
	require.NoError(t, err)
	assert.Zero(t, def.Stats.Linked, "no candidate dropped for sharing an entity")
	on, err := p.MineNegatives(ctx, NegativesOptions{LinkWindow: 30 * 24 * time.Hour}, nil)
	require.NoError(t, err)
	assert.Positive(t, on.Stats.Linked, "the filter, when asked for, drops entity-sharing candidates")
}
