package importer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPreviewReader(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "jira.csv"))
	require.NoError(t, err)
	defer f.Close()
	pv, err := PreviewReader(f, "jira.csv", Options{}, 2)
	require.NoError(t, err)
	assert.Equal(t, "csv", pv.Format)
	assert.Len(t, pv.Rows, 2)
	assert.Equal(t, "SOC-101", pv.Rows[0][1])
	assert.Equal(t, []string{"Comment"}, pv.Mapping["comments"], "repeats of Comment are read with it")
	assert.Equal(t, map[string]string{
		"Assignee": SideClose, "Issue Type": SideOpen, "Issue id": SideOpen, "Labels": SideOpen,
		"Resolution": SideClose, "Status": SideClose, "Updated": SideClose,
		"Outward issue link (Duplicate)": "link:duplicate", "Inward issue link (Relates)": "link:relates",
	}, pv.Sides)
	assert.Empty(t, pv.MappingError)

	// Nested JSON: columns are paths, and a missing required field is
	// explained rather than fatal.
	pv, err = PreviewReader(strings.NewReader(`{"a":{"when":"2024-01-01T00:00:00Z","n":1}}`+"\n"), "x.jsonl", Options{}, 5)
	require.NoError(t, err)
	assert.Equal(t, []string{"a.n", "a.when"}, pv.Columns)
	assert.Nil(t, pv.Mapping)
	assert.Contains(t, pv.MappingError, `no column for required fields "id" and "opened"`)

	// One bad record among good ones is a problem, not a failure.
	pv, err = PreviewReader(strings.NewReader("{\"id\":\"A\",\"opened\":\"2024-01-01\"}\n{oops\n"), "y.jsonl", Options{}, 5)
	require.NoError(t, err)
	assert.Len(t, pv.Rows, 1)
	require.Len(t, pv.Problems, 1)
	assert.Contains(t, pv.Problems[0], "line 2")
}
