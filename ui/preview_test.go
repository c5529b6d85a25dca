package ui

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/app"
	"github.com/precedent/precedent/data/importer"
	"github.com/xuri/excelize/v2"
)

// The panel's preview is the importer's: nested JSON shows as paths, the
// mapping is the one the import would use, and each other column says
// where it will go.
func TestReadPreview(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		content  string
		format   string
		columns  []string
		rows     [][]string
		mapping  string
		sides    map[string]string
		problems int
		errLike  string
	}{
		{name: "csv with BOM and short row", file: "a.csv", content: "\ufeffNumber,Opened,Close notes\nINC1,2024-01-01,\"dup of INC0, see\"\nINC2,2024-01-02,\n",
			format: "csv", columns: []string{"Number", "Opened", "Close notes"}, rows: [][]string{{"INC1", "2024-01-01", "dup of INC0, see"}, {"INC2", "2024-01-02", ""}},
			mapping: `id=Number,opened=Opened,close_notes="Close notes"`, sides: map[string]string{}},
		{name: "tsv", file: "a.tsv", content: "id\topened\tstate\nX-1\t2024-01-01\tClosed\n", format: "tsv",
			columns: []string{"id", "opened", "state"}, rows: [][]string{{"X-1", "2024-01-01", "Closed"}},
			mapping: "id=id,opened=opened", sides: map[string]string{"state": importer.SideClose}},
		{name: "nested jsonl as paths", file: "a.jsonl", content: `{"key":"A","fields":{"created":"2024-01-01T00:00:00Z","n":3,"labels":["x","y"]}}` + "\n",
			format: "jsonl", columns: []string{"fields.created", "fields.labels", "fields.n", "key"}, rows: [][]string{{"2024-01-01T00:00:00Z", "x, y", "3", "A"}},
			mapping: "id=key,opened=fields.created", sides: map[string]string{"fields.labels": importer.SideOpen, "fields.n": importer.SideOpen}},
		{name: "wrapped json document", file: "a.json", content: `{"result":[{"number":"I1","opened_at":"2024-01-01 00:00:00","parent":"I0"}]}`, format: "json",
			columns: []string{"number", "opened_at", "parent"}, rows: [][]string{{"I1", "2024-01-01 00:00:00", "I0"}},
			mapping: "id=number,opened=opened_at", sides: map[string]string{"parent": "link:parent"}},
		{name: "sniffed jsonl without extension", file: "export", content: `{"id":"A","opened":"2024-01-01"}` + "\n", format: "jsonl",
			columns: []string{"id", "opened"}, rows: [][]string{{"A", "2024-01-01"}}, mapping: "id=id,opened=opened", sides: map[string]string{}},
		{name: "one broken jsonl line among good ones", file: "b.jsonl", content: "{\"id\":\"A\",\"opened\":\"2024-01-01\"}\n{oops\n", format: "jsonl",
			columns: []string{"id", "opened"}, rows: [][]string{{"A", "2024-01-01"}}, mapping: "id=id,opened=opened", sides: map[string]string{}, problems: 1},
		{name: "empty file", file: "e.csv", content: "", errLike: "empty"},
		{name: "json lines of arrays", file: "c.jsonl", content: "[1,2]\n", errLike: "expected a JSON object"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tc.file)
			require.NoError(t, os.WriteFile(path, []byte(tc.content), 0o644))
			pv, err := readPreview(path, app.ImportOptions{}, nil, 5)
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
			assert.Equal(t, tc.mapping, pv.mapping.String(), pv.mappingErr)
			assert.Equal(t, tc.sides, pv.sides)
			assert.Len(t, pv.problems, tc.problems)
		})
	}
}

func TestReadPreviewStopsAtN(t *testing.T) {
	path := filepath.Join(t.TempDir(), "many.csv")
	content := "id,opened\n"
	for range 50 {
		content += "x,2024-01-01\n"
	}
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	pv, err := readPreview(path, app.ImportOptions{}, nil, 7)
	require.NoError(t, err)
	assert.Len(t, pv.rows, 7)
}

// A remembered or typed visibility choice moves a column in the preview.
func TestReadPreviewVisibility(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v.csv")
	require.NoError(t, os.WriteFile(path, []byte("id,opened,Assigned to,Sprint\nA,2024-01-01,jdoe,S1\n"), 0o644))
	pv, err := readPreview(path, app.ImportOptions{}, map[string]string{"Assigned to": importer.SideOpen}, 5)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"Assigned to": importer.SideOpen, "Sprint": importer.SideOpen}, pv.sides)
	pv, err = readPreview(path, app.ImportOptions{Visibility: []string{"Sprint=close"}}, nil, 5)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"Assigned to": importer.SideClose, "Sprint": importer.SideClose}, pv.sides)
	assert.Equal(t, "Known only at closing: Assigned to, Sprint", pv.sidesText())
}

// A workbook previews its first sheet with a header row and lists every
// sheet to choose from.
func TestReadPreviewXLSX(t *testing.T) {
	path := filepath.Join(t.TempDir(), "export.xlsx")
	f := excelize.NewFile()
	_, err := f.NewSheet("Page 1")
	require.NoError(t, err)
	require.NoError(t, f.SetSheetRow("Page 1", "A1", &[]any{"Number", "Opened", "Close notes"}))
	require.NoError(t, f.SetSheetRow("Page 1", "A2", &[]any{"INC1", "2024-01-01 10:00:00", "see INC0"}))
	require.NoError(t, f.SaveAs(path))
	require.NoError(t, f.Close())

	pv, err := readPreview(path, app.ImportOptions{}, nil, 5)
	require.NoError(t, err)
	assert.Equal(t, "xlsx", pv.format)
	assert.Equal(t, "Page 1", pv.sheet)
	assert.Equal(t, []string{"Sheet1", "Page 1"}, pv.sheets)
	assert.Equal(t, [][]string{{"INC1", "2024-01-01 10:00:00", "see INC0"}}, pv.rows)
	assert.Equal(t, `id=Number,opened=Opened,close_notes="Close notes"`, pv.mapping.String())

	_, err = readPreview(path, app.ImportOptions{Sheet: "Sheet1"}, nil, 5)
	assert.ErrorContains(t, err, `sheet "Sheet1" is empty`)
}
