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

// The summary names each field's column and runner-up, links per kind,
// open statuses and repeated IDs; --visible must name a column.
func TestCLIImportSummaryNamesChoices(t *testing.T) {
	t.Setenv("PRECEDENT_HOME", t.TempDir())
	fixtures := filepath.Join("..", "..", "data", "importer", "testdata")

	code, out := captureStderr(t, "import", filepath.Join(fixtures, "bugzilla-rest.json"), "--visible", "cc_details=open")
	assert.Equal(t, 1, code, out)
	assert.Contains(t, out, `--visible cc_details: no such column (did you mean cc_detail[]?)`)
	assert.NotContains(t, out, "tickets read before the error", "nothing is stored")

	code, out = capture(t, "import", filepath.Join(fixtures, "jira-rest-nested.json"))
	assert.Equal(t, 0, code, out)
	assert.Contains(t, out, "rule=fields.customfield_rule (word, its values fit better than fields.issuetype.name's; runner-up fields.issuetype.name)")
	assert.Contains(t, out, "8 links: 1 blocks, 1 causes, 1 clones, 1 duplicate, 1 mitigates, 2 parent, 1 relates")
	assert.Contains(t, out, "2 tickets have a close time but a status that says open (In Progress")

	dup := filepath.Join(t.TempDir(), "dup.csv")
	require.NoError(t, os.WriteFile(dup, []byte("id;opened;title\nA;2024-01-01;one\nA;2024-01-02;two\n"), 0o644))
	code, out = capture(t, "import", dup)
	assert.Equal(t, 0, code, out)
	assert.Contains(t, out, "(csv, semicolon-separated)")
	assert.Contains(t, out, "1 rows repeat an ID (A): the last row with the ID is kept")

	code, out = captureStderr(t, "import", dup, "--delimiter", ",")
	assert.Equal(t, 1, code, out)
	assert.Contains(t, out, "no column for required field")
}
