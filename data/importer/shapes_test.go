package importer

import (
	"testing"

	"github.com/precedent/precedent/data"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// choiceOf is the report's choice for field f.
func choiceOf(rep Report, f string) Choice {
	for _, c := range rep.Choices {
		if c.Field == f && c.Column != "" {
			return c
		}
	}
	return Choice{}
}

// Each fixture mirrors one real export shape that once imported wrong
// (issue 23); each imports with no option and lands its fields, their
// visibility and its links where they belong.
func TestShapesZeroConfig(t *testing.T) {
	t.Run("jira REST nested: parent, sub-tasks, every link type", func(t *testing.T) {
		got, rep := readFixture(t, "jira-rest-nested.json", Options{})
		require.Len(t, got, 12)
		assert.Equal(t, []string{"fields.customfield_rule"}, rep.Mapping["rule"], "167 rules beat 2 issue types")
		assert.Equal(t, "fields.issuetype.name", choiceOf(rep, "rule").RunnerUp)
		assert.Empty(t, rep.Mapping["close_notes"], "a parent's summary is not this ticket's close-notes")
		for _, cols := range rep.Mapping {
			for _, c := range cols {
				assert.NotContains(t, c, "parent", "no field from the parent")
				assert.NotContains(t, c, "issuelinks", "no field from a linked issue")
			}
		}
		sub := got["SEC-4"]
		assert.Equal(t, "Phishing - reported mail on host ws-104", sub.Title)
		assert.Equal(t, []data.Link{{Kind: LinkParent, To: "SEC-3"}}, sub.Links, "a sub-task's parent")
		assert.NotContains(t, sub.Extra, "fields.parent.fields.summary")
		assert.NotContains(t, sub.Closing, "fields.parent.fields.summary")
		assert.Equal(t, []data.Link{{Kind: LinkDuplicate, To: "SEC-2"}, {Kind: LinkParent, To: "SEC-4"}}, got["SEC-3"].Links, "a parent's sub-tasks")
		assert.Equal(t, []data.Link{{Kind: LinkRelates, To: "SEC-1"}}, got["SEC-2"].Links)
		assert.Equal(t, map[string]int{"relates": 1, "duplicate": 1, "blocks": 1, "clones": 1, "causes": 1, "parent": 2, "mitigates": 1},
			rep.LinksByKind, "every Jira link type read, custom ones by name")
		assert.Equal(t, []data.Link{{Kind: LinkCauses, To: "SEC-7"}}, got["SEC-8"].Links, "Problem/Incident")
		assert.Equal(t, []data.Link{{Kind: LinkClones, To: "SEC-6"}}, got["SEC-7"].Links, "Cloners")
		assert.Equal(t, SideClose, rep.Visibility["fields.watches.watchCount"])
		assert.Equal(t, SideClose, rep.Visibility["fields.updated"])
		assert.Equal(t, "Dana Analyst", got["SEC-1"].Closing["fields.assignee.displayName"])
		// In Progress issues keep no close time even with a resolution date.
		assert.True(t, got["SEC-5"].Closed.IsZero())
		assert.False(t, got["SEC-6"].Closed.IsZero())
		assert.Equal(t, 2, rep.OpenStatusClosed)
	})

	t.Run("github issues: body, labels, milestone", func(t *testing.T) {
		got, rep := readFixture(t, "github-issues.json", Options{})
		require.Len(t, got, 8)
		tk := got["5"]
		assert.Equal(t, "Our monitoring flagged event 5 at 08:00 UTC. Details and raw log lines are attached below for triage.", tk.Description,
			"the body, not the milestone's description")
		assert.Equal(t, "Alert 5: leaked token in repo", tk.Title)
		assert.Equal(t, "secret-leak\nsecurity", tk.Rule)
		assert.Equal(t, "reporter2", tk.User)
		assert.Equal(t, utcAt("2024-05-06T16:00:00Z"), tk.Closed)
		assert.Empty(t, tk.Comments, "the comments count is not a comment")
		assert.Empty(t, rep.Mapping["comments"])
		assert.Contains(t, rep.DetectionNotes(), "comments not mapped: comments: numbers only (a count?); not mapped")
		assert.Equal(t, "2", tk.Closing["comments"], "the count is known only later")
		for _, col := range []string{"milestone.description", "milestone.title", "pull_request.merged_at", "assignee.login", "closed_by.login", "state", "updated_at", "reactions.total_count"} {
			assert.Equal(t, SideClose, rep.Visibility[col], col)
		}
		assert.NotContains(t, tk.Extra, "milestone.description")
		assert.True(t, got["3"].Closed.IsZero())
	})

	t.Run("gh CLI issues: camelCase, embedded comments", func(t *testing.T) {
		got, rep := readFixture(t, "gh-cli-issues.json", Options{})
		require.Len(t, got, 3)
		assert.Equal(t, []string{"comments[]"}, rep.Mapping["comments"])
		tk := got["11"]
		assert.Equal(t, "dev11", tk.User)
		assert.Equal(t, utcAt("2024-08-12T10:00:00Z"), tk.Closed)
		assert.Equal(t, "secret-leak", tk.Rule)
		assert.Contains(t, tk.Description, "CI log of run 11")
		assert.Equal(t, []data.Comment{{Time: utcAt("2024-08-11T11:00:00Z"), Author: "sec-oncall", Body: "Rotated; scrubbing logs now."}}, tk.Comments)
		assert.Equal(t, "Done: every token rotated, logs scrubbed.", tk.Closing["milestone.description"])
		assert.Equal(t, SideClose, rep.Visibility["assignees[].login"])
		assert.True(t, got["13"].Closed.IsZero())
	})

	t.Run("sentinel: owner and New/Active statuses", func(t *testing.T) {
		got, rep := readFixture(t, "sentinel-owner-status.json", Options{})
		require.Len(t, got, 4)
		assert.Empty(t, rep.Mapping["closed"], "lastModifiedTimeUtc is no close time")
		tk := got["5001"]
		assert.Equal(t, "analyst@contoso.example", tk.Closing["properties.owner.email"], "the owner is known only later")
		assert.NotContains(t, tk.Extra, "properties.owner.email")
		assert.Equal(t, SideClose, rep.Visibility["properties.lastModifiedTimeUtc"])

		// Mapped by hand, it counts only for closed incidents.
		got, rep = readFixture(t, "sentinel-owner-status.json", Options{Mapping: Mapping{"closed": {"properties.lastModifiedTimeUtc"}}})
		assert.True(t, got["5001"].Closed.IsZero(), "New")
		assert.True(t, got["5002"].Closed.IsZero(), "Active")
		assert.Equal(t, utcAt("2024-06-04T12:00:00Z"), got["5003"].Closed)
		assert.Equal(t, 2, rep.OpenStatusClosed)
		assert.Equal(t, []string{"New", "Active"}, rep.OpenStatusEx)
	})

	t.Run("bugzilla REST: bugs, comments, cc, history, links", func(t *testing.T) {
		got, rep := readFixture(t, "bugzilla-rest.json", Options{})
		require.Len(t, got, 3)
		tk := got["4711"]
		assert.Equal(t, utcAt("2013-10-01T07:15:50Z"), tk.Opened)
		assert.Equal(t, "Login page accepts expired session cookie", tk.Title)
		assert.Equal(t, "Auth", tk.Rule)
		assert.Len(t, tk.Comments, 2)
		assert.Equal(t, "triager@example.org", tk.Comments[1].Author)
		assert.Equal(t, []data.Link{{Kind: LinkDuplicate, To: "4712"}, {Kind: LinkRelates, To: "4713"}}, tk.Links)
		assert.Equal(t, []data.Link{{Kind: LinkBlocks, To: "4713"}}, got["4712"].Links)
		assert.Equal(t, map[string]int{"duplicate": 1, "relates": 1, "blocks": 1}, rep.LinksByKind)
		for _, col := range []string{"cc", "cc_detail[].email", "history[].who", "history[].changes[].added", "assigned_to", "last_change_time", "status", "is_open"} {
			assert.Equal(t, SideClose, rep.Visibility[col], col)
		}
		assert.True(t, got["4712"].Closed.IsZero(), "REOPENED: its last resolution is no close")
		assert.Equal(t, utcAt("2013-10-13T08:59:00Z"), got["4713"].Closed)
	})

	t.Run("splunk notables: _time, _cd", func(t *testing.T) {
		got, rep := readFixture(t, "splunk-notables.json", Options{})
		require.Len(t, got, 5)
		assert.Equal(t, []string{"_cd"}, rep.Mapping["id"])
		tk := got["412:88213"]
		assert.Equal(t, utcAt("2024-03-03T10:15:00Z"), tk.Opened)
		assert.Equal(t, "Brute Force Access Behavior Detected", tk.Rule)
		assert.Equal(t, "host-3", tk.Host)
		assert.Equal(t, "Password spray from a known scanner; blocked.", tk.CloseNotes)
		assert.Equal(t, "analyst1", tk.Closing["owner"])
		assert.Equal(t, "Resolved", tk.Closing["status_label"])
	})

	t.Run("servicenow: parent_incident, problem_id, duplicate_of", func(t *testing.T) {
		got, rep := readFixture(t, "servicenow-links.json", Options{})
		require.Len(t, got, 3)
		assert.Equal(t, []data.Link{{Kind: LinkCauses, To: "PRB0040012"}}, got["INC0030001"].Links)
		assert.Equal(t, []data.Link{{Kind: LinkDuplicate, To: "INC0030001"}}, got["INC0030002"].Links)
		assert.Equal(t, []data.Link{{Kind: LinkParent, To: "INC0030001"}, {Kind: LinkCauses, To: "PRB0040012"}}, got["INC0030003"].Links)
		assert.Equal(t, map[string]int{"causes": 2, "duplicate": 1, "parent": 1}, rep.LinksByKind)
		assert.Equal(t, "laptop-1", got["INC0030001"].Host)
	})

	t.Run("excel: semicolons, Windows-1252, day-first", func(t *testing.T) {
		got, rep := readFixture(t, "excel-semicolon-cp1252.csv", Options{})
		require.Len(t, got, 2)
		assert.Equal(t, "semicolon", rep.Delimiter)
		tk := got["INC0040001"]
		assert.Equal(t, "Virus auf Réception-PC", tk.Title)
		assert.Equal(t, utcAt("2013-10-02T10:15:00Z"), tk.Opened)
		assert.Equal(t, utcAt("2013-10-03T09:00:00Z"), tk.Closed)
		assert.Equal(t, "2 - Hoch", tk.Severity)
		assert.Equal(t, "Jürgen Müller", tk.Closing["Zugewiesen an"])
		assert.Contains(t, got["INC0040002"].Description, "„dringend“")
	})

	t.Run("mail: RFC 2822 dates with one-digit days", func(t *testing.T) {
		got, rep := readFixture(t, "rfc2822-dates.csv", Options{})
		require.Len(t, got, 3)
		assert.Equal(t, []string{"Message-ID"}, rep.Mapping["id"])
		assert.Equal(t, utcAt("2013-10-02T07:15:50Z"), got["<a1@mx>"].Opened)
		assert.Equal(t, utcAt("2013-10-10T09:01:02Z"), got["<a2@mx>"].Opened)
		assert.Equal(t, utcAt("2013-10-06T06:59:59Z"), got["<a3@mx>"].Opened)
	})
}
