package retrieve

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/data"
)

// A ticket's close-notes reach BM25 only for queries opened after it closed:
// a later query that its notes name cannot find it through those notes
// before then.
func TestBM25VersionsFollowQueryTime(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2025, 3, d, 10, 0, 0, 0, time.UTC) }
	old := data.Ticket{ID: "A", Opened: day(1), Closed: day(10), Title: "login alert",
		CloseNotes: "incomplete fix, see kerberoast follow-up"}
	other := data.Ticket{ID: "B", Opened: day(2), Closed: day(3), Title: "kerberoast spn request", CloseNotes: "benign"}
	var docs []Doc
	for _, tk := range []data.Ticket{old, other} {
		for i, v := range tk.Versions() {
			docs = append(docs, Doc{ID: tk.ID, Text: v.Ticket.DocumentText(), Opened: v.From, Until: v.Until, Strict: i > 0})
		}
	}
	ix, err := NewBM25(docs, BM25Params{})
	require.NoError(t, err)
	require.Equal(t, 4, ix.Len(), "two versions each")
	tests := []struct {
		name string
		at   time.Time
		want []string
	}{
		{"before A closed: its notes are unseen", day(5), []string{"B"}},
		{"at the close instant: still unseen", day(10), []string{"B"}},
		{"after A closed: its notes are found", day(11), []string{"A", "B"}},
		{"no time limit: the closed version", time.Time{}, []string{"A", "B"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ix.Search(context.Background(), Query{ID: "Q", Text: "kerberoast", Before: tc.at}, 10)
			require.NoError(t, err)
			ids := []string{}
			for _, c := range got {
				ids = append(ids, c.ID)
			}
			assert.ElementsMatch(t, tc.want, ids)
		})
	}
	_, err = NewBM25([]Doc{{ID: "A", Text: "x", Opened: day(1)}, {ID: "A", Text: "y", Opened: day(2), Strict: true}}, BM25Params{})
	assert.ErrorContains(t, err, "overlap", "an open-ended version followed by another overlaps")
}

// Tickets opened at the same instant (date-only exports) are ordered by ID:
// the smaller ID is visible to the larger, never the reverse.
func TestSameInstantOrderedByID(t *testing.T) {
	d := time.Date(2019, 5, 1, 0, 0, 0, 0, time.UTC)
	docs := []Doc{{ID: "CVE-2019-1", Text: "overflow", Opened: d}, {ID: "CVE-2019-2", Text: "overflow", Opened: d}, {ID: "CVE-2019-3", Text: "overflow", Opened: d}}
	ix, err := NewBM25(docs, BM25Params{})
	require.NoError(t, err)
	got, err := ix.Search(context.Background(), Query{ID: "CVE-2019-2", Text: "overflow", Before: d}, 10)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, "CVE-2019-1", got[0].ID)
}
