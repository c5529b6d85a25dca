package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/data"
)

// The Archive panel's ticket box shows what app.ShowTicket returns: fields
// with role and visibility, entities, links, and the model text as of the
// typed time; an unknown ID or time says so.
func TestArchiveTicketView(t *testing.T) {
	d := newTestDesktop(t)
	opened := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	tk := data.Ticket{ID: "INC0000002", Opened: opened, Closed: opened.Add(3 * time.Hour), Rule: "Okta - Brute Force",
		Host: "SOC L2", User: "jdoe", Title: "Brute force on WS-FIN-0231", Description: "from 203.0.113.7",
		CloseNotes: "Duplicate of INC0000001.", Links: []data.Link{{Kind: "duplicate", To: "INC0000001"}},
		Closing: map[string]string{"Assigned to": "asmith"}}
	_, _, err := d.proj.Store.PutTickets([]data.Ticket{{ID: "INC0000001", Opened: opened.Add(-time.Hour), Title: "earlier"}, tk})
	require.NoError(t, err)

	tv := d.archive.ticket
	tv.id.SetText("INC0000002")
	tv.asOf.SetText("2024-05-01 11:00")
	test.Tap(tv.show)
	require.Contains(t, tv.status.Text, "INC0000002 as of 2024-05-01T11:00:00Z")
	body := tv.body.Text
	assert.Contains(t, body, "title: title · open · visible")
	assert.Contains(t, body, "close_notes: close_notes · close · hidden")
	assert.Contains(t, body, "Assigned to: closing · close · hidden")
	_, rest, _ := strings.Cut(body, "\nENTITIES\n")
	entities, _, _ := strings.Cut(rest, "\nLINKS\n")
	assert.Equal(t, "user: jdoe\nhost: WS-FIN-0231\nip: 203.0.113.7\n", entities, "a group name in the host field is no host entity")
	assert.Contains(t, body, "INC0000001 ← link field  type duplicate")
	assert.Contains(t, body, "INC0000001 ← close_notes")
	assert.NotContains(t, body, "notes: Duplicate", "notes written after the as-of time are not in the model text")

	tv.asOf.SetText("")
	test.Tap(tv.show)
	assert.Contains(t, tv.status.Text, "as of now")
	assert.Contains(t, tv.body.Text, "close_notes: close_notes · close · visible")

	tv.id.SetText("INC7654321")
	test.Tap(tv.show)
	assert.Contains(t, tv.status.Text, "no such ticket")
	tv.id.SetText("INC0000002")
	tv.asOf.SetText("someday")
	test.Tap(tv.show)
	assert.Contains(t, tv.status.Text, `As of "someday"`)
}
