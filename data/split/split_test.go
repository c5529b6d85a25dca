package split

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/data/mining"
)

var day0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// daily builds n tickets T000.. opened one per day.
func daily(n int) []data.Ticket {
	ts := make([]data.Ticket, n)
	for i := range ts {
		ts[i] = data.Ticket{ID: fmt.Sprintf("T%03d", i), Opened: day0.AddDate(0, 0, i), Title: "t", Description: "d"}
	}
	return ts
}

func TestByFraction(t *testing.T) {
	tests := []struct {
		name             string
		n                int
		train, val       float64
		trainEnd, valEnd int // day index of the cut
		err              string
	}{
		{"default", 100, DefaultTrain, DefaultVal, 80, 90, ""},
		{"halves", 10, 0.5, 0.3, 5, 8, ""},
		{"bad fractions", 10, 0.9, 0.2, 0, 0, "need train>0"},
		{"zero val", 10, 0.9, 0, 0, 0, "need train>0"},
		{"too few", 2, 0.5, 0.3, 0, 0, "need at least 3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w, err := ByFraction(daily(tc.n), tc.train, tc.val)
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, day0.AddDate(0, 0, tc.trainEnd), w.TrainEnd)
			assert.Equal(t, day0.AddDate(0, 0, tc.valEnd), w.ValEnd)
			assert.Equal(t, day0, w.Start)
			assert.Equal(t, day0.AddDate(0, 0, tc.n-1), w.End)
		})
	}
}

func TestByDatesAndBoundaries(t *testing.T) {
	_, err := ByDates(nil, day0, day0)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "is not before")

	w, err := ByDates(daily(5), day0.AddDate(0, 0, 2), day0.AddDate(0, 0, 3))
	require.NoError(t, err)
	tests := []struct {
		at   time.Time
		want Window
	}{
		{day0, Train},
		{w.TrainEnd.Add(-time.Nanosecond), Train},
		{w.TrainEnd, Validation}, // a cut point opens the next window
		{w.ValEnd.Add(-time.Nanosecond), Validation},
		{w.ValEnd, Test},
		{day0.AddDate(1, 0, 0), Test},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, w.Of(tc.at), tc.at.String())
	}
	assert.Equal(t, day0.AddDate(0, 0, 4), w.End)
}

func TestAssignLeakageGuard(t *testing.T) {
	ts := daily(10)
	ts[9].Description = "same as t001 earlier" // query text naming its positive
	ts = append(ts, data.Ticket{ID: "SAME", Opened: ts[5].Opened})
	w, err := ByDates(ts, day0.AddDate(0, 0, 6), day0.AddDate(0, 0, 8))
	require.NoError(t, err)
	pairs := []mining.Pair{
		{Query: "T003", Positive: "T001"},                               // train
		{Query: "T005", Positive: "T004"},                               // train
		{Query: "T006", Positive: "T002"},                               // validation, positive from train
		{Query: "T007", Positive: "T006"},                               // validation
		{Query: "T008", Positive: "T007"},                               // test
		{Query: "T009", Positive: "T001"},                               // test, text leak
		{Query: "T002", Positive: "T004"},                               // positive opened later
		{Query: "T005", Positive: "SAME"},                               // same instant, smaller ID: earlier in the archive's order
		{Query: "SAME", Positive: "T005"},                               // same instant, larger ID: after its query
		{Query: "T004", Positive: "NOPE"},                               // unknown
		{Query: "T004", Positive: "T003", Filters: []string{"trivial"}}, // not a positive
	}
	s, rep := Assign(pairs, ts, w)
	assert.Len(t, s.Train, 3)
	assert.Len(t, s.Validation, 2)
	assert.Len(t, s.Test, 2)
	assert.Equal(t, 2, rep.NotEarlier)
	assert.Equal(t, 1, rep.Unknown)
	assert.Equal(t, 1, rep.Filtered)
	assert.Equal(t, 1, rep.TextLeaks)
	assert.Equal(t, 0, rep.LaterWindow)
	assert.Equal(t, [3]int{7, 2, 2}, [3]int{rep.Windows[0].Tickets, rep.Windows[1].Tickets, rep.Windows[2].Tickets})
	assert.Equal(t, [3]int{2, 2, 2}, [3]int{rep.Windows[0].Queries, rep.Windows[1].Queries, rep.Windows[2].Queries})
	assert.Equal(t, w.TrainEnd, rep.Windows[Validation].Start)
	for _, sp := range [][]mining.Pair{s.Train, s.Validation, s.Test} {
		for _, p := range sp {
			q, pos := find(ts, p.Query), find(ts, p.Positive)
			assert.True(t, data.Earlier(pos, q), "%s > %s", p.Query, p.Positive)
			assert.False(t, q.Opened.Before(pos.Opened), "%s > %s", p.Query, p.Positive)
		}
	}
	for _, p := range s.Train {
		assert.True(t, find(ts, p.Positive).Opened.Before(w.TrainEnd))
	}
}

func find(ts []data.Ticket, id string) data.Ticket {
	for _, t := range ts {
		if t.ID == id {
			return t
		}
	}
	return data.Ticket{}
}

func TestQueryTextAndMask(t *testing.T) {
	tk := data.Ticket{ID: "INC0000009", Title: "Impossible travel for bob", Description: "see INC0000001 and https://x/browse/SEC-12",
		Rule: "Okta - Impossible Travel", Host: "ws01", User: "bob", CloseNotes: "duplicate of INC0000001"}
	m, err := mining.CompilePatterns([]string{"servicenow", "jira"}, nil)
	require.NoError(t, err)
	tests := []struct {
		name   string
		fields QueryFields
		want   string
	}{
		{"plain", QueryFields{}, "Impossible travel for bob\nsee INC0000001 and https://x/browse/SEC-12"},
		{"all", QueryFields{Rule: true, Host: true, User: true},
			"Impossible travel for bob\nsee INC0000001 and https://x/browse/SEC-12\nrule: Okta - Impossible Travel\nhost: ws01\nuser: bob"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := QueryText(tk, tc.fields)
			assert.Equal(t, tc.want, got)
			assert.NotContains(t, got, "duplicate of", "close-notes never enter a query")
		})
	}
	assert.Equal(t, "see [ID] and https://x/browse/[ID]; not INC00000011", MaskIDs("see inc0000001 and https://x/browse/SEC-12; not INC00000011", m))
	assert.Equal(t, "as is", MaskIDs("as is", nil))
}

func TestAllowedFollowsArchiveOrder(t *testing.T) {
	// A date-only export: every ticket of a day opens at midnight.
	d := day0.AddDate(0, 0, 3)
	tests := []struct {
		name       string
		query, doc data.Ticket
		want       bool
	}{
		{"earlier day", data.Ticket{ID: "INC0000009", Opened: d}, data.Ticket{ID: "INC0000010", Opened: d.AddDate(0, 0, -1)}, true},
		{"later day", data.Ticket{ID: "INC0000009", Opened: d}, data.Ticket{ID: "INC0000001", Opened: d.AddDate(0, 0, 1)}, false},
		{"same day, smaller ID", data.Ticket{ID: "INC0000009", Opened: d}, data.Ticket{ID: "INC0000008", Opened: d}, true},
		{"same day, larger ID", data.Ticket{ID: "INC0000008", Opened: d}, data.Ticket{ID: "INC0000009", Opened: d}, false},
		{"itself", data.Ticket{ID: "INC0000008", Opened: d}, data.Ticket{ID: "INC0000008", Opened: d}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Allowed(tc.query, tc.doc))
			if tc.want {
				assert.False(t, Allowed(tc.doc, tc.query), "never both ways")
			}
		})
	}
}

func TestAssignKeepsSameDayLinksOfDateOnlyExport(t *testing.T) {
	ts := daily(10)
	ts = append(ts, data.Ticket{ID: "T004b", Opened: ts[4].Opened})
	w, err := ByFraction(ts, 0.5, 0.3)
	require.NoError(t, err)
	s, rep := Assign([]mining.Pair{{Query: "T004b", Positive: "T004"}, {Query: "T004", Positive: "T004b"}}, ts, w)
	kept := append(append(append([]mining.Pair(nil), s.Train...), s.Validation...), s.Test...)
	require.Len(t, kept, 1)
	assert.Equal(t, "T004b", kept[0].Query)
	assert.Equal(t, 1, rep.NotEarlier)
}
