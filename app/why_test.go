package app

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/ml/pairtext"
	"github.com/precedent/precedent/rerank"
)

// WhyMatch and PairTickets read what the panels show from the store.
func TestWhyMatchAndPairTickets(t *testing.T) {
	ctx := context.Background()
	p := newTestProject(t, 600)
	_, err := p.Mine(ctx, MineOptions{}, nil)
	require.NoError(t, err)
	_, err = p.FirstStage(ctx, FirstStageOptions{K: 10}, nil)
	require.NoError(t, err)
	qcs, err := p.Candidates("test")
	require.NoError(t, err)
	var qc QueryCandidates
	for _, c := range qcs {
		if len(c.Relevant) > 0 {
			qc = c
			break
		}
	}
	require.NotEmpty(t, qc.Query, "a test query with a relevant ticket")

	ev, err := p.WhyMatch(qc.Query)
	require.NoError(t, err)
	assert.Equal(t, qc.Query, ev.Query.ID)
	require.NotNil(t, ev.Precedent)
	assert.Equal(t, qc.Relevant[0], ev.Precedent.ID)
	var entities []string
	for _, e := range pairtext.Entities(ev.Query).Shared(pairtext.Entities(*ev.Precedent)) {
		entities = append(entities, e.Value)
	}
	assert.Equal(t, entities, ev.SharedEntities)
	assert.Equal(t, rerank.SharedTerms(ev.Query.QueryText(), ev.Precedent.DocumentText(), rerank.MaxSharedTerms), ev.SharedTerms)
	assert.Empty(t, ev.Query.NotesText(), "the query's own notes were written after it opened")
	q, _, err := p.Store.Ticket(qc.Query)
	require.NoError(t, err)
	full, _, err := p.Store.Ticket(qc.Relevant[0])
	require.NoError(t, err)
	assert.Equal(t, full.AsOf(q.Opened).NotesText(), ev.Precedent.NotesText(), "the precedent as of the query's opening")

	_, err = p.WhyMatch("NOPE-1")
	assert.ErrorContains(t, err, "NOPE-1")

	pairs, err := p.Pairs()
	require.NoError(t, err)
	require.NotEmpty(t, pairs)
	for _, sp := range pairs[:min(20, len(pairs))] {
		pt, err := p.PairTickets(sp)
		require.NoError(t, err)
		assert.Equal(t, sp.Query, pt.Query.ID)
		assert.Equal(t, sp.Positive, pt.Positive.ID)
		assert.Equal(t, sp.Source, pt.Source.ID)
	}
	bad := pairs[0]
	bad.Positive = "NOPE-2"
	_, err = p.PairTickets(bad)
	assert.ErrorContains(t, err, "NOPE-2")

	n, err := p.TicketCount()
	require.NoError(t, err)
	assert.Equal(t, 600, n)
}
