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
