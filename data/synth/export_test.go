package synth

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/precedent/precedent/data"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriteExportRoundTrip(t *testing.T) {
	a := generate(t, Config{Tickets: 1000, Seed: 2})
	f, err := a.WriteExport(filepath.Join(t.TempDir(), "out"))
	require.NoError(t, err)

	t.Run("csv", func(t *testing.T) {
		fh, err := os.Open(f.TicketsCSV)
		require.NoError(t, err)
		defer fh.Close()
		rows, err := csv.NewReader(fh).ReadAll()
		require.NoError(t, err)
		require.Len(t, rows, len(a.Tickets)+1)
		assert.Equal(t, []string{"Number", "Opened", "Closed", "Category", "Priority", "Configuration item", "Caller",
			"Short description", "Description", "Close notes", "Assigned to", "Resolution code", "Work notes", "Duplicate of", "Parent"}, rows[0])
		multiline, notes, dups, parents := 0, 0, 0, 0
		for i, row := range rows[1:] {
			tk := a.Tickets[i]
			opened, err := time.Parse("2006-01-02 15:04:05", row[1])
			require.NoError(t, err, "row %d", i+2)
			closed, err := time.Parse("2006-01-02 15:04:05", row[2])
			require.NoError(t, err, "row %d", i+2)
			assert.True(t, opened.Equal(tk.Opened))
			assert.True(t, closed.Equal(tk.Closed))
			assert.Equal(t, []string{tk.ID, tk.Rule, tk.Host, tk.User, tk.Title, tk.Description, tk.CloseNotes},
				[]string{row[0], row[3], row[5], row[6], row[7], row[8], row[9]})
			assert.Regexp(t, `^[1-4] - (Critical|High|Moderate|Low)$`, row[4])
			assert.True(t, strings.HasSuffix(row[4], tk.Severity))
			if strings.Contains(row[9], "\n") {
				multiline++
			}
			assert.Equal(t, tk.Closing["Assigned to"], row[10])
			assert.NotEmpty(t, row[10])
			assert.Equal(t, tk.Closing["Resolution code"], row[11])
			entries := journalEntries(t, row[12])
			require.Len(t, entries, len(tk.Comments), "row %d", i+2)
			for k, c := range tk.Comments {
				assert.Equal(t, c, entries[k], "row %d", i+2)
				assert.True(t, c.Time.After(tk.Opened) && !c.Time.After(tk.Closed), "work note inside the ticket's life, row %d", i+2)
				notes++
			}
			if row[13] != "" {
				dups++
				assert.Equal(t, []data.Link{{Kind: "duplicate", To: row[13]}}, tk.Links)
			}
			if row[14] != "" {
				parents++
				assert.Equal(t, []data.Link{{Kind: "parent", To: row[14]}}, tk.Links)
			}
		}
		assert.Positive(t, multiline, "some close notes span lines")
		assert.Positive(t, notes, "work notes")
		assert.Positive(t, dups, "Duplicate of links")
		assert.Positive(t, parents, "Parent links")
	})

	t.Run("jsonl", func(t *testing.T) {
		b, err := os.ReadFile(f.TicketsJSONL)
		require.NoError(t, err)
		sc := bufio.NewScanner(bytes.NewReader(b))
		sc.Buffer(nil, 1<<20)
		i := 0
		for ; sc.Scan(); i++ {
			var m map[string]any
			require.NoError(t, json.Unmarshal(sc.Bytes(), &m), "line %d", i+1)
			for k := range m {
				assert.Contains(t, []string{"id", "opened", "closed", "rule", "severity", "host", "user", "title", "description", "close_notes",
					"comments", "links", "closing"}, k)
			}
			_, err := time.Parse(time.RFC3339, m["opened"].(string))
			require.NoError(t, err)
			var tk data.Ticket
			require.NoError(t, json.Unmarshal(sc.Bytes(), &tk))
			assert.Equal(t, a.Tickets[i].ID, tk.ID)
			assert.True(t, tk.Opened.Equal(a.Tickets[i].Opened))
			assert.Equal(t, a.Tickets[i].CloseNotes, tk.CloseNotes)
			assert.Equal(t, a.Tickets[i].Links, tk.Links)
			assert.Equal(t, a.Tickets[i].Closing, tk.Closing)
		}
		assert.Equal(t, len(a.Tickets), i)
	})

	t.Run("truth", func(t *testing.T) {
		got, err := ReadTruth(f.Truth)
		require.NoError(t, err)
		assert.Equal(t, a.Truth, got)
	})

	t.Run("manifest", func(t *testing.T) {
		b, err := os.ReadFile(f.Manifest)
		require.NoError(t, err)
		var m Manifest
		require.NoError(t, json.Unmarshal(b, &m))
		assert.Equal(t, Version, m.Generator)
		assert.Equal(t, int64(2), m.Seed)
		assert.Equal(t, 1000, m.Config.Tickets)
		assert.Equal(t, "2024-01-01T00:00:00Z", m.Config.Start)
		assert.Equal(t, a.Counts(), m.Counts)
	})
}

func TestWriteExportDeterministic(t *testing.T) {
	dir := t.TempDir()
	for _, sub := range []string{"a", "b"} {
		a := generate(t, Config{Tickets: 800, Seed: 77})
		_, err := a.WriteExport(filepath.Join(dir, sub))
		require.NoError(t, err)
	}
	for _, name := range []string{TicketsCSVName, TicketsJSONLName, TruthName, ManifestName} {
		x, err := os.ReadFile(filepath.Join(dir, "a", name))
		require.NoError(t, err)
		y, err := os.ReadFile(filepath.Join(dir, "b", name))
		require.NoError(t, err)
		assert.True(t, bytes.Equal(x, y), "%s differs between runs", name)
	}
}

func TestWriteExportBadDir(t *testing.T) {
	a := generate(t, Config{Tickets: 100})
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	_, err := a.WriteExport(filepath.Join(file, "sub"))
	assert.Error(t, err)
}

// journalEntries reads a ServiceNow journal cell the way the export writes it:
// "2006-01-02 15:04:05 - author (Work notes)\nbody", blank-line separated.
func journalEntries(t *testing.T, cell string) []data.Comment {
	t.Helper()
	if cell == "" {
		return nil
	}
	head := regexp.MustCompile(`^(\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}:\d{2})?) - (\S+) \(Work notes\)\n`)
	var out []data.Comment
	for _, e := range strings.Split(cell, "\n\n") {
		m := head.FindStringSubmatch(e)
		require.NotNil(t, m, "entry %q", e)
		layout := "2006-01-02 15:04:05"
		if len(m[1]) == 10 {
			layout = "2006-01-02"
		}
		at, err := time.Parse(layout, m[1])
		require.NoError(t, err)
		out = append(out, data.Comment{Time: at, Author: m[2], Body: e[len(m[0]):]})
	}
	return out
}

func TestWriteExportDateOnly(t *testing.T) {
	a := generate(t, Config{Tickets: 1000, Seed: 2, DateOnly: true})
	full := generate(t, Config{Tickets: 1000, Seed: 2})
	require.Len(t, a.Tickets, len(full.Tickets))
	sameDay := 0
	for i, tk := range a.Tickets {
		assert.Equal(t, full.Tickets[i].ID, tk.ID, "the same archive, only times coarser")
		assert.Equal(t, full.Tickets[i].Opened.Truncate(24*time.Hour), tk.Opened)
		assert.Equal(t, tk.Opened, tk.Opened.Truncate(24*time.Hour))
		assert.False(t, tk.Closed.Before(tk.Opened))
		if i > 0 && tk.Opened.Equal(a.Tickets[i-1].Opened) {
			sameDay++
		}
	}
	assert.Positive(t, sameDay, "tickets of one day share their opened instant")
	f, err := a.WriteExport(filepath.Join(t.TempDir(), "out"))
	require.NoError(t, err)
	fh, err := os.Open(f.TicketsCSV)
	require.NoError(t, err)
	defer fh.Close()
	rows, err := csv.NewReader(fh).ReadAll()
	require.NoError(t, err)
	for i, row := range rows[1:] {
		assert.Regexp(t, `^\d{4}-\d{2}-\d{2}$`, row[1], "row %d", i+2)
		assert.Regexp(t, `^\d{4}-\d{2}-\d{2}$`, row[2], "row %d", i+2)
		assert.Equal(t, a.Tickets[i].Comments, journalEntries(t, row[12]))
	}
	b, err := os.ReadFile(f.Manifest)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"date_only": true`)
}
