package app

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/data/negatives"
)

// leakyArchive is an archive whose earlier ticket's close-notes, written
// after the later ticket opened, repeat the later ticket's words: a leaky
// first stage finds the precedent through them, an honest one cannot.
func leakyArchive() []data.Ticket {
	day := func(d int) time.Time { return time.Date(2024, 2, d, 9, 0, 0, 0, time.UTC) }
	ts := []data.Ticket{
		{ID: "INC0000001", Opened: day(1), Closed: day(20), Rule: "r1", Title: "printer spooler crash",
			Description: "spooler service restarted", CloseNotes: "incomplete fix, see INC0000009 quokka zebrafish mimikatz lsass dump"},
		{ID: "INC0000009", Opened: day(10), Closed: day(11), Rule: "r2", Title: "quokka zebrafish mimikatz lsass dump",
			Description: "credential dumping tool seen", CloseNotes: "dup of INC0000001"},
	}
	for i := 2; i < 8; i++ { // distractors that share some words, closed long ago
		ts = append(ts, data.Ticket{ID: "INC000010" + string(rune('0'+i)), Opened: day(i), Closed: day(i).Add(time.Hour), Rule: "r3",
			Title: "lsass access alert", Description: "mimikatz signature", CloseNotes: "benign"})
	}
	return ts
}

func TestFirstStageDoesNotSeeFutureNotes(t *testing.T) {
	ctx := context.Background()
	p, err := Open(t.TempDir())
	require.NoError(t, err)
	defer p.Close()
	_, _, err = p.Store.PutTickets(leakyArchive())
	require.NoError(t, err)
	require.NoError(t, p.UpdateSettings(func(s *Settings) error { s.IDPresets = []string{"servicenow"}; return nil }))
	_, err = p.Mine(ctx, MineOptions{TrainEnd: time.Date(2024, 2, 5, 0, 0, 0, 0, time.UTC), ValEnd: time.Date(2024, 2, 8, 0, 0, 0, 0, time.UTC)}, nil)
	require.NoError(t, err)
	_, err = p.FirstStage(ctx, FirstStageOptions{K: 5}, nil)
	require.NoError(t, err)
	lists, err := p.Candidates("")
	require.NoError(t, err)
	var got *QueryCandidates
	for i := range lists {
		if lists[i].Query == "INC0000009" {
			got = &lists[i]
		}
	}
	require.NotNil(t, got, "the later ticket is a query with the earlier one relevant")
	assert.Equal(t, []string{"INC0000001"}, got.Relevant)
	for _, c := range got.Candidates {
		assert.NotEqual(t, "INC0000001", c.ID, "the precedent's only shared words are in notes written after the query opened")
	}

	// The same archive with the precedent closed BEFORE the query: found.
	p2, err := Open(t.TempDir())
	require.NoError(t, err)
	defer p2.Close()
	ts := leakyArchive()
	ts[0].Closed = ts[1].Opened.Add(-time.Hour)
	_, _, err = p2.Store.PutTickets(ts)
	require.NoError(t, err)
	_, err = p2.Mine(ctx, MineOptions{TrainEnd: time.Date(2024, 2, 5, 0, 0, 0, 0, time.UTC), ValEnd: time.Date(2024, 2, 8, 0, 0, 0, 0, time.UTC)}, nil)
	require.NoError(t, err)
	_, err = p2.FirstStage(ctx, FirstStageOptions{K: 5}, nil)
	require.NoError(t, err)
	lists, err = p2.Candidates("")
	require.NoError(t, err)
	found := false
	for _, qc := range lists {
		if qc.Query == "INC0000009" && len(qc.Candidates) > 0 {
			found = qc.Candidates[0].ID == "INC0000001"
		}
	}
	assert.True(t, found, "notes written before the query opened are fair game")

	// The leak probe re-scores exactly the pairs whose text differs.
	a, err := p.loadArchive()
	require.NoError(t, err)
	sub := futureOnly(a, []QueryCandidates{{Query: "INC0000009", Candidates: []negatives.Candidate{{ID: "INC0000001", Rank: 1}, {ID: "INC0000102", Rank: 2}}}}, 50)
	require.Len(t, sub, 1)
	require.Len(t, sub[0].Candidates, 1)
	assert.Equal(t, "INC0000001", sub[0].Candidates[0].ID)
}
