package data

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestAsOf(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2025, 1, d, 9, 0, 0, 0, time.UTC) }
	tk := Ticket{
		ID: "A", Opened: day(1), Closed: day(5), Title: "t", CloseNotes: "see B",
		Comments: []Comment{{Time: day(2), Body: "early"}, {Time: day(4), Body: "late"}, {Body: "undated"}},
		Extra:    map[string]string{"src": "x"}, Closing: map[string]string{"resolution": "fixed"},
	}
	tests := []struct {
		name     string
		at       time.Time
		notes    string
		closing  bool
		comments int
	}{
		{"before any comment", day(2), "", false, 0},
		{"after the first comment", day(3), "early", false, 1},
		{"at the close instant", day(5), "early\nlate", false, 2},
		{"after close", day(6), "see B\nearly\nlate\nundated", true, 3},
		{"now", time.Time{}, "see B\nearly\nlate\nundated", true, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := tk.AsOf(tc.at)
			assert.Equal(t, tc.notes, v.NotesText())
			assert.Equal(t, tc.closing, v.Closing != nil)
			assert.Len(t, v.Comments, tc.comments)
			assert.Equal(t, "x", v.Extra["src"], "opening-time fields are always visible")
		})
	}
	unknown := tk
	unknown.Closed = time.Time{}
	assert.Empty(t, unknown.AsOf(day(30)).CloseNotes, "with no close time, close-notes are never shown to a query")
	assert.Equal(t, "t", tk.Opening().DocumentText())
}

func TestEarlier(t *testing.T) {
	d := time.Date(2019, 3, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		a, b Ticket
		want bool
	}{
		{Ticket{ID: "B", Opened: d}, Ticket{ID: "A", Opened: d.Add(time.Second)}, true},
		{Ticket{ID: "A", Opened: d.Add(time.Second)}, Ticket{ID: "B", Opened: d}, false},
		{Ticket{ID: "CVE-2019-1", Opened: d}, Ticket{ID: "CVE-2019-2", Opened: d}, true},
		{Ticket{ID: "CVE-2019-2", Opened: d}, Ticket{ID: "CVE-2019-1", Opened: d}, false},
		{Ticket{ID: "X", Opened: d}, Ticket{ID: "X", Opened: d}, false},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, Earlier(tc.a, tc.b), "%s@%s vs %s@%s", tc.a.ID, tc.a.Opened, tc.b.ID, tc.b.Opened)
	}
}

func TestVersions(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2025, 1, d, 9, 0, 0, 0, time.UTC) }
	tk := Ticket{ID: "A", Opened: day(1), Closed: day(5), CloseNotes: "see B",
		Comments: []Comment{{Time: day(4), Body: "late"}, {Time: day(2), Body: "early"}, {Time: day(9), Body: "after close"}}}
	vs := tk.Versions()
	if assert.Len(t, vs, 4) {
		assert.Equal(t, []time.Time{day(1), day(2), day(4), day(5)}, []time.Time{vs[0].From, vs[1].From, vs[2].From, vs[3].From})
		assert.Equal(t, []time.Time{day(2), day(4), day(5), {}}, []time.Time{vs[0].Until, vs[1].Until, vs[2].Until, vs[3].Until})
		assert.Equal(t, "", vs[0].Ticket.NotesText())
		assert.Equal(t, "early", vs[1].Ticket.NotesText())
		assert.Equal(t, "see B\nlate\nearly\nafter close", vs[3].Ticket.NotesText(), "comments in stored order")
	}
	// Every query time sees exactly the version AsOf gives.
	for _, at := range []time.Time{day(1).Add(time.Hour), day(2), day(3), day(5), day(6)} {
		n := 0
		for _, v := range vs {
			if v.From.Before(at) && (v.Until.IsZero() || !at.After(v.Until)) {
				n++
				assert.Equal(t, tk.AsOf(at).NotesText(), v.Ticket.NotesText(), "at %s", at)
			}
		}
		assert.Equal(t, 1, n, "at %s exactly one version is visible", at)
	}
	open := Ticket{ID: "B", Opened: day(1), CloseNotes: "x"}
	assert.Len(t, open.Versions(), 1, "no close time: one version, never showing close-notes")
	assert.Empty(t, open.Versions()[0].Ticket.CloseNotes)
}
