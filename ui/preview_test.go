package ui

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadPreview(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		content string
		format  string
		columns []string
		rows    [][]string
		errLike string
	}{
		{"csv with BOM and short row", "a.csv", "\ufeffNumber,Opened,Close notes\nINC1,2024-01-01,\"dup of INC0, see\"\nINC2,2024-01-02\n",
			"csv", []string{"Number", "Opened", "Close notes"}, [][]string{{"INC1", "2024-01-01", "dup of INC0, see"}, {"INC2", "2024-01-02", ""}}, ""},
		{"tsv", "a.tsv", "id\topened\nX-1\t2024\n", "tsv", []string{"id", "opened"}, [][]string{{"X-1", "2024"}}, ""},
		{"jsonl keys in first-seen order", "a.jsonl", "{\"id\":\"A\",\"n\":3}\n\n{\"id\":\"B\",\"tags\":[\"x\"]}\n",
			"jsonl", []string{"id", "n", "tags"}, [][]string{{"A", "3", ""}, {"B", "", `["x"]`}}, ""},
		{"json array", "a.json", `[{"_id":"1","title":"t"},{"_id":"2"}]`, "json", []string{"_id", "title"}, [][]string{{"1", "t"}, {"2", ""}}, ""},
		{"sniffed jsonl without extension", "export", `{"id":"A"}` + "\n", "jsonl", []string{"id"}, [][]string{{"A"}}, ""},
		{"empty file", "e.csv", "", "", nil, nil, "empty"},
		{"broken jsonl names the line", "b.jsonl", "{\"id\":1}\n{oops\n", "", nil, nil, "line 2"},
		{"json lines of arrays", "c.jsonl", "[1,2]\n", "", nil, nil, "not a JSON object"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tc.file)
			require.NoError(t, os.WriteFile(path, []byte(tc.content), 0o644))
			pv, err := readPreview(path, 5)
			if tc.errLike != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.errLike)
				assert.Contains(t, err.Error(), path)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.format, pv.format)
			assert.Equal(t, tc.columns, pv.columns)
			assert.Equal(t, tc.rows, pv.rows)
		})
	}
}

func TestReadPreviewStopsAtN(t *testing.T) {
	path := filepath.Join(t.TempDir(), "many.csv")
	content := "id\n"
	for range 50 {
		content += "x\n"
	}
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	pv, err := readPreview(path, 7)
	require.NoError(t, err)
	assert.Len(t, pv.rows, 7)
}
