package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/app"
	"github.com/precedent/precedent/data/synth"
)

// `precedent show` prints one ticket's fields with role and visibility, its
// entities and links, and the model text as of --as-of.
func TestCLIShow(t *testing.T) {
	t.Setenv("PRECEDENT_HOME", t.TempDir())
	export := filepath.Join(t.TempDir(), "export")
	code, out := capture(t, "synth", "--tickets", "300", "--out", export)
	require.Equal(t, 0, code, out)
	code, out = capture(t, "import", filepath.Join(export, synth.TicketsCSVName))
	require.Equal(t, 0, code, out)
	code, out = capture(t, "mine")
	require.Equal(t, 0, code, out)

	a, err := synth.Generate(synth.Config{Tickets: 300})
	require.NoError(t, err)
	var tk = a.Tickets[0]
	for _, x := range a.Tickets {
		if len(x.Links) > 0 && !x.Closed.IsZero() && x.CloseNotes != "" {
			tk = x
			break
		}
	}
	require.NotEmpty(t, tk.Links, "a ticket with a link field")

	// As of its opening: the close notes and closing fields are hidden.
	code, out = capture(t, "show", tk.ID, "--as-of", tk.Opened.Format("2006-01-02 15:04:05"), "--json")
	require.Equal(t, 0, code, out)
	var v app.TicketView
	require.NoError(t, json.Unmarshal([]byte(out), &v), out)
	assert.Equal(t, tk.ID, v.ID)
	byRole := map[string]app.FieldView{}
	for _, f := range v.Fields {
		byRole[f.Role] = f
	}
	assert.Equal(t, app.FieldView{Field: "title", Column: "Short description", Role: "title", Visibility: "open", Visible: true, Value: tk.Title}, byRole["title"])
	assert.Equal(t, "close", byRole["close_notes"].Visibility)
	assert.False(t, byRole["close_notes"].Visible, "written after the as-of time")
	assert.Equal(t, "closing", byRole["closing"].Role)
	assert.False(t, byRole["closing"].Visible)
	assert.NotContains(t, v.Document, "notes:", "the model does not see later notes")
	require.NotEmpty(t, v.Links)
	assert.Equal(t, app.LinkView{To: tk.Links[0].To, Source: "link field", Kind: tk.Links[0].Kind, Mined: v.Links[0].Mined,
		Cue: v.Links[0].Cue, InArchive: true, Training: v.Links[0].Training}, v.Links[0])
	assert.NotEmpty(t, v.Entities)

	// Now: everything visible, and the text says so.
	code, out = capture(t, "show", tk.ID)
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, "Short description")
	assert.Contains(t, out, "link field")
	assert.Contains(t, out, "as a precedent for a query opened now")
	assert.True(t, strings.Contains(out, "notes: ") || tk.CloseNotes == "", out)

	code, _ = capture(t, "show", "INC9999999")
	assert.NotEqual(t, 0, code, "an unknown ticket is an error")
	code, _ = capture(t, "show", tk.ID, "--as-of", "yesterday-ish")
	assert.NotEqual(t, 0, code, "an unreadable time is an error")
}
