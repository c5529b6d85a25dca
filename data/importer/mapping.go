package importer

import (
	"fmt"
	"sort"
	"strings"
)

// Fields are the canonical ticket fields a Mapping can fill, in display
// order. comments takes every column it lists (a list of timestamped
// comments or work notes, or repeated comment columns); the others take
// the first non-empty one.
var Fields = []string{"id", "opened", "closed", "rule", "severity", "host", "user", "title", "description", "close_notes", "comments"}

// Mapping maps a canonical field to the source columns that may hold it, in
// order of preference: per row, the first one with a non-empty value wins.
// A field present with no columns is deliberately left unmapped. For JSON
// records a column is a dotted path (see flatten).
type Mapping map[string][]string

var presets = map[string]Mapping{
	"servicenow": {
		"id": {"Number"}, "opened": {"Opened"}, "closed": {"Closed"}, "rule": {"Category"},
		"severity": {"Priority"}, "host": {"Configuration item"}, "user": {"Caller"},
		"title": {"Short description"}, "description": {"Description"}, "close_notes": {"Close notes"},
		"comments": {"Comments and Work notes", "Work notes", "Additional comments"},
	},
	// ServiceNow's internal names, as its JSON export (records / result)
	// and some CSV exports write them; reference fields may arrive as
	// {"display_value": .., "value": ..} objects.
	"servicenow-json": {
		"id": {"number"}, "opened": {"opened_at", "sys_created_on"}, "closed": {"closed_at", "resolved_at"},
		"rule": {"category", "category.display_value"}, "severity": {"priority", "priority.display_value"},
		"host": {"cmdb_ci.display_value", "cmdb_ci"}, "user": {"caller_id.display_value", "caller_id"},
		"title": {"short_description"}, "description": {"description"}, "close_notes": {"close_notes"},
		"comments": {"comments_and_work_notes", "work_notes", "comments"},
	},
	"jira": {
		"id": {"Issue key"}, "opened": {"Created"}, "closed": {"Resolved"}, "rule": {"Component/s"},
		"severity": {"Priority"}, "host": {"Custom field (Host)"}, "user": {"Reporter"},
		"title": {"Summary"}, "description": {"Description"}, "close_notes": {"Custom field (Resolution notes)"},
		"comments": {"Comment"},
	},
	// Jira's REST API and JSON export plugins: one issue per record.
	"jira-json": {
		"id": {"key"}, "opened": {"fields.created"}, "closed": {"fields.resolutiondate"},
		"rule": {"fields.components[].name", "fields.issuetype.name"}, "severity": {"fields.priority.name"},
		"user": {"fields.reporter.displayName", "fields.reporter.name"}, "title": {"fields.summary"},
		"description": {"fields.description"}, "close_notes": {"fields.resolution_comment"},
		"comments": {"fields.comment.comments[]"},
	},
	// TheHive cases name no affected user; their owner / assignee is the
	// analyst the case went to, known only once it was worked on.
	"thehive": {
		"id": {"_id", "caseId", "id"}, "opened": {"createdAt", "_createdAt", "startDate", "date"}, "closed": {"endDate"},
		"rule": {"tags"}, "severity": {"severity"},
		"title": {"title"}, "description": {"description"}, "close_notes": {"summary"},
	},
	"splunk": {
		"id": {"event_id"}, "opened": {"_time"}, "rule": {"rule_name", "search_name"}, "severity": {"urgency"},
		"host": {"dest"}, "user": {"user"}, "title": {"rule_title"}, "description": {"rule_description"},
		"close_notes": {"comment"},
	},
	// Elastic / OpenSearch search hits (ECS fields under _source; Elastic
	// Security alerts keep theirs under kibana.alert).
	"elastic": {
		"id": {"_id"}, "opened": {"_source.@timestamp", "_source.event.created"}, "closed": {"_source.kibana.alert.workflow_status_updated_at", "_source.event.end"},
		"rule": {"_source.kibana.alert.rule.name", "_source.rule.name"}, "severity": {"_source.kibana.alert.severity", "_source.event.severity"},
		"host": {"_source.host.name", "_source.host.hostname"}, "user": {"_source.user.name"},
		"title":       {"_source.kibana.alert.rule.name", "_source.rule.name", "_source.message"},
		"description": {"_source.kibana.alert.reason", "_source.message", "_source.rule.description"},
		"close_notes": {"_source.kibana.alert.workflow_reason"},
	},
	// Microsoft Sentinel incidents as the REST API lists them. Sentinel
	// has no close time of its own: lastModifiedTimeUtc is not one (an
	// Active incident is modified too), so it is never taken for closed;
	// map it with --map closed=properties.lastModifiedTimeUtc to use it,
	// and the status keeps it from counting for New and Active incidents.
	"sentinel": {
		"id": {"properties.incidentNumber"}, "opened": {"properties.createdTimeUtc"},
		"closed": {"properties.closedTimeUtc"},
		"rule":   {"properties.relatedAnalyticRuleIds"}, "severity": {"properties.severity"},
		"title": {"properties.title"}, "description": {"properties.description"},
		"close_notes": {"properties.classificationComment"},
	},
	// GitHub issues as the REST API lists them: the issue number is what
	// people cite (#123), not the global id; comments come embedded as an
	// array when the export adds them (the API's own comments is a count).
	// The gh CLI (gh issue list --json ...) writes the same in camelCase,
	// with author for user and the comments embedded.
	"github": {
		"id": {"number"}, "opened": {"created_at"}, "closed": {"closed_at"}, "rule": {"labels[].name", "labels"},
		"user": {"user.login", "author.login"}, "title": {"title"}, "description": {"body"}, "comments": {"comments[]"},
	},
	// Bugzilla's REST API (GET /rest/bug), with comments embedded per bug.
	"bugzilla": {
		"id": {"id"}, "opened": {"creation_time"}, "closed": {"cf_last_resolved"}, "rule": {"component"},
		"severity": {"severity"}, "user": {"creator"}, "title": {"summary"}, "comments": {"comments[]"},
	},
}

// presetOrder breaks ties when auto-detection scores presets equally.
var presetOrder = []string{"servicenow", "servicenow-json", "jira", "jira-json", "thehive", "splunk", "elastic", "sentinel", "github", "bugzilla"}

// synonyms are normalised column names (see norm) that auto-detection
// accepts for each field, most specific first. A nested column also
// answers to its path without container prefixes and to its last key (or,
// for a generic last key such as name or displayName, its parent's key);
// see aliases.
var synonyms = map[string][]string{
	"id": {"id", "number", "issuekey", "key", "ticketid", "ticketnumber", "ticket", "incidentid",
		"incidentnumber", "incident", "caseid", "casenumber", "eventid", "alertid", "sysid", "issueid",
		"nummer", "numero", "numéro", "cd", "messageid"},
	"opened": {"opened", "openedat", "openedon", "created", "createdat", "createdon", "createddate",
		"creationdate", "syscreatedon", "createdtimeutc", "createdtime", "timecreated", "time", "timestamp",
		"eventtime", "starttime", "startdate", "firstseen", "reported", "reportedat", "date",
		"creationtime", "geöffnet", "erstellt", "ouvert", "créé", "creado"},
	"closed": {"closed", "closedat", "closedon", "resolved", "resolvedat", "resolvedon", "resolutiondate",
		"closedate", "closetime", "closedtimeutc", "closeddate", "enddate", "endtime", "lastresolved", "cflastresolved",
		"geschlossen", "gelöst", "fermé", "résolu", "cerrado"},
	"rule": {"rule", "rulename", "category", "detection", "detectionrule", "alertname", "alerttype",
		"signature", "searchname", "usecase", "components", "component", "tags", "kategorie", "catégorie"},
	"severity": {"severity", "priority", "urgency", "risk", "risklevel", "level", "impact", "priorität", "priorité", "schweregrad"},
	"host": {"host", "hostname", "configurationitem", "cmdbci", "ci", "dest", "desthost", "destination",
		"device", "devicename", "asset", "computer", "computername", "customfieldhost", "endpoint"},
	"user": {"user", "username", "caller", "callerid", "reporter", "account", "accountname", "srcuser",
		"affecteduser", "creator", "anrufer", "appelant"},
	"title": {"title", "shortdescription", "summary", "subject", "ruletitle", "alerttitle", "name", "headline",
		"kurzbeschreibung", "descriptioncourte", "titel"},
	"description": {"description", "details", "detail", "body", "ruledescription", "longdescription",
		"message", "text", "beschreibung"},
	"close_notes": {"closenotes", "closenote", "closingnotes", "closurenotes", "resolutionnotes",
		"customfieldresolutionnotes", "resolutioncomment", "resolutioncomments", "resolutionnote",
		"closecomment", "closecomments", "classificationcomment", "notes", "summary"},
	"comments": {"commentsandworknotes", "comments", "comment", "commentcomments", "worknotes",
		"additionalcomments", "journal"},
}

// Presets lists the names Preset accepts.
func Presets() []string { return append([]string(nil), presetOrder...) }

// Preset returns a copy of a named mapping (see Presets).
func Preset(name string) (Mapping, error) {
	p, ok := presets[strings.ToLower(strings.TrimSpace(name))]
	if !ok {
		return nil, fmt.Errorf("unknown mapping preset %q (known: %s)", name, strings.Join(presetOrder, ", "))
	}
	return p.clone(), nil
}

func (m Mapping) clone() Mapping {
	c := make(Mapping, len(m))
	for f, cols := range m {
		c[f] = append([]string{}, cols...)
	}
	return c
}

// norm folds case and drops everything but letters and digits, so
// "Short description", "short_description" and "ShortDescription" agree.
func norm(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r > 127 {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// containers are the keys exports nest their records' fields under.
var containers = map[string]bool{"fields": true, "_source": true, "properties": true, "result": true,
	"data": true, "attributes": true, "extra": true, "closing": true}

// genericLeaves are last keys that say less than their parent's key:
// fields.priority.name is the priority.
var genericLeaves = map[string]bool{"name": true, "displayname": true, "value": true, "displayvalue": true, "key": true, "login": true}

// aliases are the normalised names a column answers to in auto-detection,
// most telling first: the whole path, the path without container
// prefixes, then its last key (or its parent's, for a generic last key).
func aliases(col string) []string {
	out := []string{norm(col)}
	segs := strings.Split(strings.ReplaceAll(col, "[]", ""), ".")
	i := 0
	for i < len(segs)-1 && containers[strings.ToLower(segs[i])] {
		i++
	}
	if i > 0 {
		out = append(out, norm(strings.Join(segs[i:], ".")))
	}
	if len(segs) > 1 {
		last := norm(segs[len(segs)-1])
		if genericLeaves[last] {
			last = norm(segs[len(segs)-2])
		}
		out = append(out, last)
	}
	return out
}

// detectOrder fills comments before close_notes, so that a list of
// comments is not taken for one close-note.
var detectOrder = []string{"id", "opened", "closed", "rule", "severity", "host", "user", "title", "description", "comments", "close_notes"}

// repeatBase reads the "Name #2" names that headerNames gives repeated
// columns.
func repeatBase(col string) (string, bool) {
	i := strings.LastIndex(col, " #")
	if i <= 0 {
		return "", false
	}
	for _, r := range col[i+2:] {
		if r < '0' || r > '9' {
			return "", false
		}
	}
	return col[:i], i+2 < len(col)
}

// resolve turns the wanted mapping into actual column names of the file:
// exact names first, then case/space-insensitive ones. explicit names the
// fields the user typed, whose missing columns are errors rather than
// silently dropped.
func resolve(want Mapping, explicit map[string]bool, columns []string) (Mapping, error) {
	exact := map[string]bool{}
	byNorm := map[string]string{}
	for _, c := range columns {
		exact[c] = true
		if _, ok := byNorm[norm(c)]; !ok {
			byNorm[norm(c)] = c
		}
	}
	out := Mapping{}
	for _, f := range Fields {
		var found []string
		for _, a := range want[f] {
			switch c, ok := byNorm[norm(a)]; {
			case exact[a]:
				found = append(found, a)
			case isIndexedPath(a) && hasPathPrefix(columns, a):
				found = append(found, a) // answered per record by lookup
			case ok:
				found = append(found, c)
			}
		}
		if len(found) > 0 {
			out[f] = found
		} else if explicit[f] && len(want[f]) > 0 {
			return nil, fmt.Errorf("mapping %s=%s: no such column%s (columns: %s)", f, quoteCols(want[f]), didYouMean(want[f][0], columns), listColumns(columns))
		}
	}
	var missing, example []string
	for _, f := range []string{"id", "opened"} {
		if len(out[f]) == 0 {
			missing = append(missing, fmt.Sprintf("%q", f))
			example = append(example, f+"=<column>")
		}
	}
	switch len(missing) {
	case 1:
		return nil, fmt.Errorf("no column for required field %s (columns: %s); give a mapping such as %s",
			missing[0], listColumns(columns), example[0])
	case 2:
		return nil, fmt.Errorf("no column for required fields %s (columns: %s); give a mapping such as %s",
			strings.Join(missing, " and "), listColumns(columns), strings.Join(example, ","))
	}
	return out, nil
}

// hasPathPrefix reports whether some column lies under the part of an
// indexed path before its first index.
func hasPathPrefix(columns []string, path string) bool {
	base := path[:strings.IndexByte(path, '[')]
	for _, c := range columns {
		if strings.HasPrefix(c, base+"[") || c == base {
			return true
		}
	}
	return false
}

// maxListedColumns caps the columns an error message lists.
const maxListedColumns = 60

func listColumns(columns []string) string {
	if len(columns) == 0 {
		return "none"
	}
	if len(columns) > maxListedColumns {
		return quoteCols(columns[:maxListedColumns]) + fmt.Sprintf("|... (%d more)", len(columns)-maxListedColumns)
	}
	return quoteCols(columns)
}

func quoteCols(cols []string) string {
	q := make([]string, len(cols))
	for i, c := range cols {
		q[i] = quoteName(c)
	}
	return strings.Join(q, "|")
}

// quoteName writes a column name so that ParseMapping reads it back.
func quoteName(s string) string {
	if s != "" && strings.TrimSpace(s) == s && !strings.ContainsAny(s, " ,|=\"\t") {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// String writes the mapping in ParseMapping syntax, fields in display order.
func (m Mapping) String() string {
	var parts []string
	keys := append([]string(nil), Fields...)
	for f := range m {
		if !contains(Fields, f) {
			keys = append(keys, f)
		}
	}
	sort.SliceStable(keys[len(Fields):], func(i, j int) bool { return keys[len(Fields)+i] < keys[len(Fields)+j] })
	for _, f := range keys {
		if cols, ok := m[f]; ok {
			parts = append(parts, f+"="+quoteCols(cols))
		}
	}
	return strings.Join(parts, ",")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
