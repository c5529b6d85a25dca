package importer

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRelatedEntities(t *testing.T) {
	cols := []string{"key", "fields.summary", "fields.parent.key", "fields.parent.fields.summary", "fields.parent.fields.status.name",
		"fields.issuetype.id", "fields.issuetype.name", "fields.issuetype.description", "fields.project.key", "fields.project.name",
		"milestone.id", "milestone.title", "milestone.description", "pull_request.url", "user.login", "user.id",
		"properties.title", "properties.incidentNumber", "fields.epic.key", "fields.epic.summary",
		"caller_id.display_value", "caller_id.value", "custom.linked.id", "custom.linked.title"}
	assert.Equal(t, map[string]bool{"fields.parent": true, "milestone": true, "pull_request": true, "fields.epic": true, "custom.linked": true},
		relatedEntities(cols), "by name, and any object with its own id and title; never containers, issue types, projects or people")
}

// A record wrapped in an object of its own is not another entity.
func TestRelatedEntitiesWrappedRecord(t *testing.T) {
	cols := []string{"incident.id", "incident.title", "incident.created_at", "incident.urgency", "incident.service.id",
		"incident.service.summary", "log_entries"}
	assert.Equal(t, map[string]bool{"incident.service": true}, relatedEntities(cols))
	m := DetectMapping(cols)
	assert.Equal(t, []string{"incident.id"}, m["id"])
	assert.Equal(t, []string{"incident.title"}, m["title"])
}

func TestWords(t *testing.T) {
	assert.Equal(t, []string{"cc", "detail", "email"}, words("cc_detail[].email"))
	assert.Equal(t, []string{"last", "modified", "time", "utc"}, words("lastModifiedTimeUtc"))
	assert.Equal(t, []string{"customfield", "rule"}, words("customfield_rule"))
	assert.Equal(t, []string{"http", "status"}, words("HTTPStatus"))
	assert.Equal(t, []string{"account"}, words("account"))
}

// rows builds sampled JSON-like rows from columns and per-row values.
func rows(cols []string, vals func(i int) []string, n int) []row {
	out := make([]row, n)
	for i := range out {
		out[i] = row{names: cols, values: vals(i)}
	}
	return out
}

func TestDetectPrefersValuesThatFit(t *testing.T) {
	cols := []string{"key", "fields.created", "fields.issuetype.name", "fields.customfield_rule", "fields.summary",
		"fields.environment", "fields.description"}
	sample := rows(cols, func(i int) []string {
		return []string{fmt.Sprintf("SEC-%d", i), "2024-01-02T10:00:00Z", []string{"Incident", "Task"}[i%2], fmt.Sprintf("Rule %d", i%7),
			"Title", "prod", "Long text describing what the detection saw on the host, in words."}
	}, 30)
	m, choices := detectMapping(cols, sampleStats(sample), nil)
	assert.Equal(t, []string{"fields.customfield_rule"}, m["rule"])
	var rule Choice
	for _, c := range choices {
		if c.Field == "rule" {
			rule = c
		}
	}
	assert.Equal(t, "fields.issuetype.name", rule.RunnerUp)
	assert.Contains(t, rule.By, "fit better")

	// With nothing better, the doubtful column stays and says so.
	cols2 := []string{"id", "created", "category", "title"}
	sample2 := rows(cols2, func(i int) []string { return []string{fmt.Sprint(i), "2024-01-02", "Incident", "t"} }, 20)
	m, choices = detectMapping(cols2, sampleStats(sample2), nil)
	assert.Equal(t, []string{"category"}, m["rule"])
	var doubt []string
	for _, c := range choices {
		if c.Doubt != "" {
			doubt = append(doubt, c.String())
		}
	}
	require.Len(t, doubt, 1)
	assert.Contains(t, doubt[0], "rule=category (name) DOUBTFUL: category: only 1 distinct values in 20 sampled rows")
}

func TestDetectDescriptionIsLongText(t *testing.T) {
	cols := []string{"id", "created", "title", "details", "description"}
	sample := rows(cols, func(i int) []string {
		return []string{fmt.Sprint(i), "2024-01-02", "t", "A long account of the alert, with the hosts and users it touched.", "n/a"}
	}, 10)
	m, _ := detectMapping(cols, sampleStats(sample), nil)
	assert.Equal(t, []string{"details"}, m["description"], "a 3-character description loses to long text")
	m, _ = detectMapping(cols, nil, nil)
	assert.Equal(t, []string{"description"}, m["description"], "names alone")
}

// A column the user maps is never detected for another field: Bugzilla's
// summary given as the title is not also the close-notes.
func TestExplicitColumnHasOneRole(t *testing.T) {
	cols := []string{"id", "creation_time", "summary", "alias", "resolution"}
	m, choices, err := chooseMapping(Options{Mapping: Mapping{"title": {"summary"}}}, cols, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"summary"}, m["title"])
	assert.Empty(t, m["close_notes"])
	assert.Equal(t, "given", choices[len(choices)-1].By)

	cols = []string{"_id", "createdAt", "title", "summary", "description"}
	m, _, err = chooseMapping(Options{Mapping: Mapping{"description": {"summary"}}}, cols, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"summary"}, m["description"])
	assert.Empty(t, m["close_notes"], "the thehive preset's close_notes=summary is dropped")
}

func TestDropShared(t *testing.T) {
	m := Mapping{"rule": {"a.rule"}, "title": {"a.rule", "msg"}, "description": {"msg"}, "close_notes": {"notes"}}
	dropShared(m, map[string]bool{"description": true})
	assert.Equal(t, Mapping{"rule": {"a.rule"}, "description": {"msg"}, "close_notes": {"notes"}}, m)
}

func TestUnknownColumnsSuggestNearest(t *testing.T) {
	cols := []string{"id", "creation_time", "summary", "cc[]", "cc[].email", "assigned_to", "fields.assignee.displayName"}
	tests := []struct{ name, want string }{
		{"cc", "cc[]"}, {"assignedto", "assigned_to"}, {"asigned_to", "assigned_to"}, {"creation", "creation_time"},
		{"summery", "summary"}, {"fields.assignee", "fields.assignee.displayName"}, {"zzzzzz", ""},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, nearest(tc.name, cols), tc.name)
	}
	assert.NoError(t, checkVisible([]string{"cc", "CC[]", "fields.assignee", "Assigned To"}, cols))
	err := checkVisible([]string{"watchers"}, cols)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "--visible watchers: no such column")

	_, _, err = readAll(t, "x.csv", "id,opened,Assigned to\n1,2024-01-01,ana\n", Options{CheckVisible: []string{"Assigned"}, Visibility: map[string]string{"Assigned": SideOpen}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `--visible Assigned: no such column (did you mean "Assigned to"?)`)

	_, _, err = readAll(t, "x.csv", "id,opened,Short description\n1,2024-01-01,a\n", Options{Mapping: Mapping{"title": {"Short desc"}}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `did you mean "Short description"?`)
}

// An override on an object or array covers every column under it.
func TestVisibilityOverrideCoversNested(t *testing.T) {
	text := `{"id":"1","opened":"2024-01-01T00:00:00Z","cc":[{"email":"a@x"}],"owner":{"email":"o@x"}}` + "\n"
	got, rep, err := readAll(t, "x.jsonl", text, Options{Visibility: map[string]string{"cc": SideOpen}, CheckVisible: []string{"cc"}})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, "a@x", got[0].Extra["cc[].email"])
	assert.Equal(t, "o@x", got[0].Closing["owner.email"])
	assert.Equal(t, SideOpen, rep.Visibility["cc[].email"])
}

func TestDefaultSideKnowsSchemas(t *testing.T) {
	for col, side := range map[string]string{
		"cc": SideClose, "cc[]": SideClose, "cc_detail[].email": SideClose, "fields.watches.watchCount": SideClose,
		"properties.owner.email": SideClose, "owner": SideClose, "history[].when": SideClose, "events[].event": SideClose,
		"properties.lastModifiedTimeUtc": SideClose, "updated_at": SideClose, "last_change_time": SideClose,
		"milestone.description": SideClose, "fields.parent.fields.summary": SideClose, "is_open": SideClose,
		"account": SideOpen, "src_account": SideOpen, "_source.event.category": SideOpen, "success": SideOpen,
		"properties.createdTimeUtc": SideOpen, "product": SideOpen,
	} {
		assert.Equal(t, side, DefaultSide(col), col)
	}
}

func TestStatusSaysOpen(t *testing.T) {
	cols := []string{"id", "fields.status.name", "fields.parent.fields.status.name", "state_reason"}
	s := detectStatus(cols, relatedEntities(cols))
	assert.Equal(t, []string{"fields.status.name"}, s.cols, "not the parent's status")
	for v, open := range map[string]bool{"In Progress": true, "NEW": true, "active": true, "REOPENED": true, "to_do": true,
		"Done": false, "Closed": false, "RESOLVED": false, "7": false, "": false} {
		rw := row{names: cols, values: []string{"1", v, "New", ""}}
		assert.Equal(t, open, s.openStatus(&rw) != "", v)
	}
}

// Duplicate IDs are named with the rule applied, in the report.
func TestDuplicateIDsReported(t *testing.T) {
	got, rep, err := readAll(t, "x.csv", "id,opened,title\nA,2024-01-01,first\nB,2024-01-01,b\nA,2024-01-02,second\n", Options{})
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, "second", got[0].Title)
	assert.Equal(t, 1, rep.DuplicateIDs)
	assert.Equal(t, []string{"A"}, rep.DuplicateIDEx)
	assert.True(t, strings.Contains(rep.DuplicateRule, "last row"))
}

func TestDetectionNotes(t *testing.T) {
	rep := Report{
		Choices: []Choice{
			{Field: "id", Column: "key", By: "preset jira-json", RunnerUp: "id"},
			{Field: "rule", Column: "fields.issuetype.name", By: "last key", Doubt: "fields.issuetype.name: only 2 distinct values in 200 sampled rows; a rule has many"},
			{Field: "comments", By: "not mapped", RunnerUp: "comments", Doubt: "comments: numbers only (a count?); not mapped"},
		},
		DuplicateIDs: 2, DuplicateIDEx: []string{"A", "B"}, DuplicateRule: DuplicateRule,
		OpenStatusClosed: 3, OpenStatusEx: []string{"New", "Active"}, StatusColumns: []string{"properties.status"},
		Links: 3, LinksByKind: map[string]int{"relates": 2, "blocks": 1},
	}
	assert.Equal(t, []string{
		"id=key (preset jira-json; runner-up id)",
		"rule=fields.issuetype.name (last key) DOUBTFUL: fields.issuetype.name: only 2 distinct values in 200 sampled rows; a rule has many",
		"comments not mapped: comments: numbers only (a count?); not mapped",
		"warning: rule=fields.issuetype.name may be wrong (fields.issuetype.name: only 2 distinct values in 200 sampled rows; a rule has many); choose with --map rule=COLUMN",
		"2 rows repeat an ID (A, B): the last row with the ID is kept, earlier ones are replaced",
		"3 tickets have a close time but a status that says open (New, Active, read from properties.status): kept without a close time",
		"3 links: 1 blocks, 2 relates",
	}, rep.DetectionNotes())
}

// A preset's choices are reported too, with doubts from the values.
func TestPresetChoicesReported(t *testing.T) {
	text := "Number,Opened,Category,Short description\n"
	for i := range 12 {
		text += fmt.Sprintf("INC%d,2024-01-02 10:00:00,Security,t%d\n", i, i)
	}
	_, rep, err := readAll(t, "x.csv", text, Options{Preset: "servicenow", Mapping: Mapping{"title": {"Short description"}}})
	require.NoError(t, err)
	assert.Equal(t, []string{
		"id=Number (preset servicenow)",
		"opened=Opened (preset servicenow)",
		"rule=Category (preset servicenow) DOUBTFUL: Category: only 1 distinct values in 12 sampled rows; a rule has many",
		`title="Short description" (given)`,
		"warning: rule=Category may be wrong (Category: only 1 distinct values in 12 sampled rows; a rule has many); choose with --map rule=COLUMN",
	}, rep.DetectionNotes())
}
