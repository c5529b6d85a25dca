package importer

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/data/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readFixture reads testdata/name with zero configuration.
func readFixture(t *testing.T, name string, opts Options) (map[string]data.Ticket, Report) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	require.NoError(t, err)
	defer f.Close()
	got := map[string]data.Ticket{}
	rep, err := Read(context.Background(), f, name, opts, func(b []data.Ticket) error {
		for _, tk := range b {
			got[tk.ID] = tk
		}
		return nil
	})
	require.NoError(t, err)
	require.Zero(t, rep.Rejected, "rejects: %v", rep.Rejects)
	return got, rep
}

func utcAt(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

// Every fixture is a realistic export of one system; each must import
// with auto-detection alone and land its text, times, comments, links and
// open/close columns where they belong.
func TestFixturesZeroConfig(t *testing.T) {
	tests := []struct {
		file    string
		format  string
		tickets int
		id      string
		check   func(t *testing.T, tk data.Ticket, rep Report)
	}{
		{"jira-rest.jsonl", "jsonl", 2, "SOC-101", func(t *testing.T, tk data.Ticket, rep Report) {
			assert.Equal(t, utcAt("2021-09-15T12:43:10.123Z"), tk.Opened)
			assert.Equal(t, utcAt("2021-09-16T08:02:40Z"), tk.Closed)
			assert.Equal(t, "High", tk.Severity)
			assert.Equal(t, "Windows Auth", tk.Rule)
			assert.Equal(t, "Multiple failed logins for svc-backup on FS-02", tk.Title)
			assert.Equal(t, []data.Comment{
				{Time: utcAt("2021-09-15T13:05:00Z"), Author: "Jane Doe", Body: "Looking at the DC logs now."},
				{Time: utcAt("2021-09-16T08:01:00Z"), Author: "Jane Doe", Body: "Same password-rotation job as SOC-87; closing as duplicate."},
			}, tk.Comments)
			assert.Equal(t, []data.Link{{Kind: "duplicate", To: "SOC-87"}}, tk.Links)
			assert.Equal(t, "FS-02", tk.Extra["fields.customfield_10042"])
			assert.Equal(t, "brute-force, windows", tk.Extra["fields.labels"])
			assert.Equal(t, "Jane Doe", tk.Closing["fields.assignee.displayName"])
			assert.Equal(t, "Duplicate", tk.Closing["fields.resolution.name"])
			assert.Equal(t, "Done", tk.Closing["fields.status.name"])
			assert.NotContains(t, tk.Extra, "fields.comment.comments[].body", "comments are not copied to Extra")
			assert.Equal(t, SideClose, rep.Visibility["fields.status.name"])
			assert.Equal(t, SideOpen, rep.Visibility["fields.customfield_10042"])
			assert.Equal(t, 3, rep.Comments)
			assert.Equal(t, 2, rep.Links)
		}},
		{"jira-rest.jsonl", "jsonl", 2, "SOC-102", func(t *testing.T, tk data.Ticket, rep Report) {
			assert.True(t, tk.Closed.IsZero())
			assert.Equal(t, []data.Comment{{Time: utcAt("2021-09-15T14:30:00Z"), Author: "Alex Smith", Body: "Isolated the host."}}, tk.Comments,
				"rich-text (ADF) bodies give their text")
			assert.Equal(t, []data.Link{{Kind: "relates", To: "SOC-101"}}, tk.Links)
		}},
		{"jira.csv", "csv", 3, "SOC-101", func(t *testing.T, tk data.Ticket, rep Report) {
			assert.Equal(t, utcAt("2021-09-15T12:43:00Z"), tk.Opened, "Jira's 15/Sep/21 12:43")
			assert.Equal(t, utcAt("2021-09-16T08:02:00Z"), tk.Closed)
			assert.Equal(t, "Password rotation job, see SOC-87", tk.CloseNotes)
			assert.Equal(t, []data.Comment{
				{Time: utcAt("2021-09-15T13:05:00Z"), Author: "jdoe", Body: "Looking at the DC logs now."},
				{Time: utcAt("2021-09-16T08:01:00Z"), Author: "jdoe", Body: "Same job as SOC-87; closing as duplicate."},
			}, tk.Comments, "repeated Comment columns, date;author;body")
			assert.Equal(t, []data.Link{{Kind: "duplicate", To: "SOC-87"}, {Kind: "relates", To: "SOC-99"}, {Kind: "relates", To: "SOC-98"}}, tk.Links)
			assert.Equal(t, "brute-force, windows", tk.Extra["Labels"], "repeated Labels columns join")
			assert.Equal(t, "10412", tk.Extra["Issue id"])
			assert.Equal(t, map[string]string{"Assignee": "Jane Doe", "Resolution": "Duplicate", "Status": "Done", "Updated": "16/Sep/21 8:02 AM"}, tk.Closing)
			assert.Equal(t, "duplicate", rep.LinkColumns["Outward issue link (Duplicate)"])
		}},
		{"thehive4-cases.json", "json", 2, "~41025640", func(t *testing.T, tk data.Ticket, rep Report) {
			assert.Equal(t, "Merged into #1204", tk.CloseNotes)
			assert.Equal(t, time.UnixMilli(1633083010000).UTC(), tk.Opened)
			assert.Equal(t, []data.Link{{Kind: "merged", To: "~41017512"}}, tk.Links)
			assert.Equal(t, "Duplicated", tk.Closing["resolutionStatus"])
			assert.Equal(t, "1205", tk.Extra["caseId"])
		}},
		{"thehive5-cases.json", "json", 1, "~8256", func(t *testing.T, tk data.Ticket, rep Report) {
			assert.Equal(t, "Ransomware note found on FS-03", tk.Title)
			assert.Empty(t, tk.User, "the assignee is no opening-time user")
			assert.Equal(t, "analyst@soc.local", tk.Closing["assignee"])
			assert.Equal(t, []data.Link{{Kind: "merged", To: "~8100"}, {Kind: "merged", To: "~8101"}}, tk.Links)
			assert.Equal(t, "Closed", tk.Closing["stage"])
			assert.Equal(t, "87", tk.Extra["number"])
		}},
		{"thehive-alerts.json", "json", 1, "~123456", func(t *testing.T, tk data.Ticket, rep Report) {
			assert.Equal(t, "Impossible travel for b.khan", tk.Title)
			assert.Equal(t, "notable-5a1f", tk.Extra["sourceRef"])
		}},
		{"elastic-hits.json", "json", 2, "a3f9c2", func(t *testing.T, tk data.Ticket, rep Report) {
			assert.Equal(t, utcAt("2024-02-01T10:15:00Z"), tk.Opened)
			assert.Equal(t, utcAt("2024-02-01T12:00:00Z"), tk.Closed)
			assert.Equal(t, "Credential Dumping - LSASS", tk.Rule)
			assert.Equal(t, "WS-22", tk.Host)
			assert.Equal(t, "it-admin", tk.User)
			assert.Equal(t, "Admin troubleshooting, approved change CHG-1182", tk.CloseNotes)
			assert.Equal(t, "closed", tk.Closing["_source.kibana.alert.workflow_status"])
		}},
		{"elastic-hits.jsonl", "jsonl", 2, "x2", func(t *testing.T, tk data.Ticket, rep Report) {
			assert.Equal(t, "Unusual Network Connection", tk.Rule)
			assert.Equal(t, "SRV-3", tk.Host)
			assert.Equal(t, "svc-web", tk.User)
			assert.Equal(t, "Outbound connection to a rare domain", tk.Title)
		}},
		{"sentinel-incidents.json", "json", 1, "4188", func(t *testing.T, tk data.Ticket, rep Report) {
			assert.Equal(t, "Mass download by a single user", tk.Title)
			assert.Equal(t, "Migration project, see incident 4121.", tk.CloseNotes)
			assert.Equal(t, utcAt("2024-05-02T08:10:00Z"), tk.Opened)
			assert.Equal(t, "BenignPositive", tk.Closing["properties.classification"])
			assert.Equal(t, "SOC Analyst", tk.Closing["properties.owner.assignedTo"])
			assert.Equal(t, "Exfiltration", tk.Extra["properties.additionalData.tactics"])
		}},
		{"splunk-results.json", "json", 2, "5A1F3C0B-2@@notable@@77c0", func(t *testing.T, tk data.Ticket, rep Report) {
			assert.Equal(t, utcAt("2024-01-02T10:15:00Z"), tk.Opened, "epoch seconds")
			assert.Equal(t, "Endpoint - Malware Detected - Rule", tk.Rule)
			assert.Equal(t, "New", tk.Closing["status_label"])
		}},
		{"servicenow-records.json", "json", 2, "INC0010001", func(t *testing.T, tk data.Ticket, rep Report) {
			assert.Equal(t, "Reimaged. Same dropper as INC0009981.", tk.CloseNotes)
			assert.Equal(t, []data.Comment{
				{Time: utcAt("2024-03-01T09:00:00Z"), Author: "Jane Doe", Body: "Host isolated."},
				{Time: utcAt("2024-03-01T10:30:00Z"), Author: "Jane Doe", Body: "Reimage scheduled."},
			}, tk.Comments, "journal text splits into dated entries")
			assert.Equal(t, []data.Link{{Kind: "parent", To: "INC0009981"}}, tk.Links)
			assert.Equal(t, map[string]string{"assigned_to": "Jane Doe", "close_code": "Solved (Permanently)", "state": "7"}, tk.Closing)
			assert.Equal(t, "CrowdStrike", tk.Extra["u_detection_source"])
		}},
		{"servicenow-records.json", "json", 2, "INC0010002", func(t *testing.T, tk data.Ticket, rep Report) {
			assert.Equal(t, []data.Link{{Kind: "duplicate", To: "INC0010001"}}, tk.Links)
		}},
		{"servicenow-result.json", "json", 1, "INC0020001", func(t *testing.T, tk data.Ticket, rep Report) {
			assert.Equal(t, utcAt("2024-03-01T08:15:00Z"), tk.Opened, "slashes month-first when the data cannot tell")
			assert.Contains(t, rep.DateOrderNote, "ambiguous")
			assert.Equal(t, "2 - High", tk.Severity)
			assert.Equal(t, "vpn01", tk.Host)
			assert.Equal(t, []data.Link{{Kind: "parent", To: "INC0019990"}}, tk.Links, "display_value, not the sys_id")
			assert.Equal(t, "Jane Doe", tk.Closing["assigned_to.display_value"])
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file+"/"+tc.id, func(t *testing.T) {
			got, rep := readFixture(t, tc.file, Options{})
			assert.Equal(t, tc.format, rep.Format)
			assert.Len(t, got, tc.tickets, "mapping %s", rep.Mapping)
			tk, ok := got[tc.id]
			require.True(t, ok, "ticket %s missing; mapping %s", tc.id, rep.Mapping)
			tc.check(t, tk, rep)
		})
	}
}

// Each fixture goes into a store and back unchanged, and importing it
// again changes nothing.
func TestFixturesRoundTrip(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			want, _ := readFixture(t, filepath.Base(path), Options{})
			st, err := store.Open(t.TempDir())
			require.NoError(t, err)
			defer st.Close()
			rep, err := ImportFile(context.Background(), st, path, Options{})
			require.NoError(t, err)
			assert.Equal(t, len(want), rep.Added)
			rep, err = ImportFile(context.Background(), st, path, Options{})
			require.NoError(t, err)
			assert.Equal(t, len(want), rep.Unchanged, "a re-import changes nothing")
			n := 0
			require.NoError(t, st.ForEachTicket(func(tk data.Ticket) error {
				n++
				assert.Equal(t, want[tk.ID], tk)
				return nil
			}))
			assert.Equal(t, len(want), n)
		})
	}
}

// Tickets written as data.Ticket JSON (as `precedent synth` and exports
// of a project write them) come back whole: comments with their times,
// links, and the opening/closing split of the other columns.
func TestTicketJSONRoundTrip(t *testing.T) {
	want := []data.Ticket{{
		ID: "INC1", Opened: utcAt("2024-03-01T08:15:00Z"), Closed: utcAt("2024-03-02T09:00:00Z"),
		Rule: "Brute force", Severity: "High", Host: "srv-1", User: "jdoe", Title: "Failed logins", Description: "Many",
		CloseNotes: "dup of INC0",
		Comments:   []data.Comment{{Time: utcAt("2024-03-01T09:00:00Z"), Author: "ana", Body: "looking"}, {Body: "undated"}},
		Links:      []data.Link{{Kind: "duplicate", To: "INC0"}},
		Extra:      map[string]string{"src_ip": "10.0.0.1"},
		Closing:    map[string]string{"assigned_to": "ana", "disposition": "benign"},
	}, {ID: "INC2", Opened: utcAt("2024-03-03T08:00:00Z"), Title: "Other"}}
	var b strings.Builder
	for _, tk := range want {
		line, err := json.Marshal(tk)
		require.NoError(t, err)
		b.Write(line)
		b.WriteByte('\n')
	}
	got, rep, err := readAll(t, "tickets.jsonl", b.String(), Options{})
	require.NoError(t, err)
	require.Zero(t, rep.Rejected, "%v", rep.Rejects)
	assert.Equal(t, want, got, "mapping %s", rep.Mapping)
}
