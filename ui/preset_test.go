package ui

import (
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// jiraCSV is a Jira export with the columns of the jira preset and two
// columns no preset reads.
const jiraCSV = `Issue key,Summary,Description,Created,Resolved,Component/s,Priority,Reporter,Custom field (Host),Custom field (Resolution notes),Comment,Sprint,Votes
SEC-1,Impossible travel j.smith,Sign-in from two countries,2024-01-02T10:00:00Z,2024-01-02T12:00:00Z,Identity,High,j.smith,WS-FIN-0231,Benign: VPN egress,checked VPN logs,S1,0
SEC-2,Impossible travel j.smith,Sign-in from two countries again,2024-01-09T10:00:00Z,2024-01-09T11:00:00Z,Identity,High,j.smith,WS-FIN-0231,Same as SEC-1,,S2,0
SEC-3,Malware on host,EDR alert,2024-01-10T08:00:00Z,2024-01-10T09:30:00Z,Endpoint,Critical,a.lee,WS-HR-0007,Reimaged,EDR isolated host,S2,1
`

// TestArchivePresetMapping checks the mapping each preset applies to a
// previewed Jira export, field by field, and that the Jira mapping imports.
func TestArchivePresetMapping(t *testing.T) {
	d := newTestDesktop(t)
	ar := d.archive
	selectTab(d, ar)
	path := filepath.Join(t.TempDir(), "jira.csv")
	require.NoError(t, os.WriteFile(path, []byte(jiraCSV), 0o644))
	ar.loadPreview(path)
	selected := func() map[string]string {
		out := map[string]string{}
		for f, s := range ar.fieldSel {
			out[f] = s.Selected
		}
		return out
	}

	ar.preset.SetSelected("jira")
	assert.Equal(t, map[string]string{
		"id": "Issue key", "opened": "Created", "closed": "Resolved", "rule": "Component/s",
		"severity": "Priority", "host": "Custom field (Host)", "user": "Reporter",
		"title": "Summary", "description": "Description", "close_notes": "Custom field (Resolution notes)",
		"comments": "Comment",
	}, selected())

	// ServiceNow's preset lacks this file's ID and opened columns: it maps
	// nothing, rather than the two column names the formats share.
	ar.preset.SetSelected("servicenow")
	none := map[string]string{}
	for f := range ar.fieldSel {
		none[f] = unmapped
	}
	assert.Equal(t, none, selected())

	ar.preset.SetSelected("jira")
	test.Tap(ar.importBtn)
	waitJobs(t, d)
	assert.Contains(t, ar.result.Text, "3 imported")
	tk, ok, err := d.proj.Store.Ticket("SEC-2")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "Same as SEC-1", tk.CloseNotes)
	assert.Equal(t, "WS-FIN-0231", tk.Host)
	assert.Equal(t, "Identity", tk.Rule)
}
