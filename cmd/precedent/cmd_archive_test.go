package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Several exports in one command: each gets its own summary (mapping,
// open/closing columns, comments and links); a broken file does not stop
// the others, and the exit code says one failed.
func TestCLIImportSeveralFiles(t *testing.T) {
	t.Setenv("PRECEDENT_HOME", t.TempDir())
	fixtures := filepath.Join("..", "..", "data", "importer", "testdata")
	broken := filepath.Join(t.TempDir(), "broken.json")
	require.NoError(t, os.WriteFile(broken, []byte(`{"results":[{"event_id":"E1","_time":"2024-01-01T00:00:00Z"},{"event_id":`), 0o644))

	code, out := capture(t, "import", filepath.Join(fixtures, "jira.csv"), broken, filepath.Join(fixtures, "servicenow-records.json"),
		"--visible", "Updated=open")
	assert.Equal(t, 1, code, out)
	assert.Contains(t, out, "jira.csv (csv): 3 rows, 3 imported (3 new, 0 updated)")
	assert.Contains(t, out, `comments=Comment`)
	assert.Contains(t, out, "known at opening (extra): Issue Type, Issue id, Labels, Updated")
	assert.Contains(t, out, "known only at closing: Assignee, Resolution, Status")
	assert.Contains(t, out, "3 comments, 4 links")
	assert.Contains(t, out, "servicenow-records.json (json): 2 rows, 2 imported (2 new, 0 updated)")
	assert.Contains(t, out, "3 files, 1 failed; 6 tickets in the project", "the broken file's first record is kept")

	// The --visible choice is remembered.
	code, out = capture(t, "import", filepath.Join(fixtures, "jira.csv"))
	assert.Equal(t, 0, code, out)
	assert.Contains(t, out, "known at opening (extra): Issue Type, Issue id, Labels, Updated")
	assert.Contains(t, out, "(0 new, 0 updated)")
}
