package synth

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
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
			"Short description", "Description", "Close notes"}, rows[0])
		multiline := 0
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
		}
		assert.Positive(t, multiline, "some close notes span lines")
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
				assert.Contains(t, []string{"id", "opened", "closed", "rule", "severity", "host", "user", "title", "description", "close_notes"}, k)
			}
			_, err := time.Parse(time.RFC3339, m["opened"].(string))
			require.NoError(t, err)
			var tk data.Ticket
			require.NoError(t, json.Unmarshal(sc.Bytes(), &tk))
			assert.Equal(t, a.Tickets[i].ID, tk.ID)
			assert.True(t, tk.Opened.Equal(a.Tickets[i].Opened))
			assert.Equal(t, a.Tickets[i].CloseNotes, tk.CloseNotes)
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
