package ui

import (
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/data/importer"
)

// The Archive panel previews a Jira CSV through the importer: fields are
// selected as detection chose them, the columns' sides and links are
// listed, a typed override moves a column, and the import remembers it.
func TestArchivePanelJiraCSV(t *testing.T) {
	d := newTestDesktop(t)
	ar := d.archive
	path, err := filepath.Abs(filepath.Join("..", "data", "importer", "testdata", "jira.csv"))
	require.NoError(t, err)
	ar.loadPreview(path)
	require.Nil(t, d.win.Canvas().Overlays().Top(), "no error dialog")
	assert.False(t, ar.sheet.Visible(), "no sheet choice for a CSV")
	assert.Equal(t, "Issue key", ar.fieldSel["id"].Selected)
	assert.Equal(t, "Comment", ar.fieldSel["comments"].Selected)
	assert.Contains(t, ar.sidesInfo.Text, "Known at opening: Issue Type, Issue id, Labels")
	assert.Contains(t, ar.sidesInfo.Text, "Known only at closing: Assignee, Resolution, Status, Updated")
	assert.Contains(t, ar.sidesInfo.Text, "Links: Inward issue link (Relates) → relates, Outward issue link (Duplicate) → duplicate")

	ar.visibility.SetText("Updated=open")
	assert.Contains(t, ar.sidesInfo.Text, "Known at opening: Issue Type, Issue id, Labels, Updated")

	test.Tap(ar.importBtn)
	waitJobs(t, d)
	assert.Contains(t, ar.result.Text, "3 imported (3 new")
	assert.Contains(t, ar.result.Text, "4 links")
	assert.Equal(t, map[string]string{"Updated": importer.SideOpen}, d.proj.SettingsSnapshot().Visibility)
	var got data.Ticket
	require.NoError(t, d.proj.Store.ForEachTicket(func(tk data.Ticket) error {
		if tk.ID == "SOC-101" {
			got = tk
		}
		return nil
	}))
	assert.Len(t, got.Comments, 2)
	assert.Equal(t, "16/Sep/21 8:02 AM", got.Extra["Updated"])
}
