package importer

import (
	"fmt"
	"sort"
	"strings"
)

// Fields are the canonical ticket fields a Mapping can fill, in display order.
var Fields = []string{"id", "opened", "closed", "rule", "severity", "host", "user", "title", "description", "close_notes"}

// Mapping maps a canonical field to the source columns that may hold it, in
// order of preference: per row, the first one with a non-empty value wins.
// A field present with no columns is deliberately left unmapped.
type Mapping map[string][]string

var presets = map[string]Mapping{
	"servicenow": {
		"id": {"Number"}, "opened": {"Opened"}, "closed": {"Closed"}, "rule": {"Category"},
		"severity": {"Priority"}, "host": {"Configuration item"}, "user": {"Caller"},
		"title": {"Short description"}, "description": {"Description"}, "close_notes": {"Close notes"},
	},
	"jira": {
		"id": {"Issue key"}, "opened": {"Created"}, "closed": {"Resolved"}, "rule": {"Component/s"},
		"severity": {"Priority"}, "host": {"Custom field (Host)"}, "user": {"Reporter"},
		"title": {"Summary"}, "description": {"Description"}, "close_notes": {"Custom field (Resolution notes)"},
	},
	"thehive": {
		"id": {"_id", "caseId", "id"}, "opened": {"createdAt", "startDate"}, "closed": {"endDate"},
		"rule": {"tags"}, "severity": {"severity"}, "user": {"owner"},
		"title": {"title"}, "description": {"description"}, "close_notes": {"summary"},
	},
	"splunk": {
		"id": {"event_id"}, "opened": {"_time"}, "rule": {"rule_name", "search_name"}, "severity": {"urgency"},
		"host": {"dest"}, "user": {"user"}, "title": {"rule_title"}, "description": {"rule_description"},
		"close_notes": {"comment"},
	},
}

// presetOrder breaks ties when auto-detection scores presets equally.
var presetOrder = []string{"servicenow", "jira", "thehive", "splunk"}

// synonyms are normalised column names (see norm) that auto-detection
// accepts for each field, most specific first.
var synonyms = map[string][]string{
	"id": {"id", "number", "issuekey", "key", "ticketid", "ticketnumber", "ticket", "incidentid",
		"incidentnumber", "incident", "caseid", "casenumber", "eventid", "alertid", "sysid"},
	"opened": {"opened", "openedat", "openedon", "created", "createdat", "createdon", "createddate",
		"creationdate", "syscreatedon", "time", "timestamp", "eventtime", "starttime", "startdate",
		"firstseen", "reported", "reportedat", "date"},
	"closed": {"closed", "closedat", "closedon", "resolved", "resolvedat", "resolvedon", "resolutiondate",
		"closedate", "closetime", "enddate", "endtime"},
	"rule": {"rule", "rulename", "category", "detection", "detectionrule", "alertname", "alerttype",
		"signature", "searchname", "usecase", "components", "component", "tags"},
	"severity": {"severity", "priority", "urgency", "risk", "risklevel", "level", "impact"},
	"host": {"host", "hostname", "configurationitem", "cmdbci", "ci", "dest", "desthost", "destination",
		"device", "devicename", "asset", "computer", "computername", "customfieldhost", "endpoint"},
	"user": {"user", "username", "caller", "callerid", "reporter", "account", "accountname", "srcuser",
		"affecteduser"},
	"title": {"title", "shortdescription", "summary", "subject", "ruletitle", "alerttitle", "name", "headline"},
	"description": {"description", "details", "detail", "body", "ruledescription", "longdescription",
		"message", "text"},
	"close_notes": {"closenotes", "closenote", "closingnotes", "resolutionnotes", "customfieldresolutionnotes",
		"resolution", "resolutionnote", "closecomment", "closecomments", "comments", "comment", "worknotes",
		"notes", "summary"},
}

// Presets lists the names Preset accepts.
func Presets() []string { return append([]string(nil), presetOrder...) }

// Preset returns a copy of a named mapping (servicenow, jira, thehive, splunk).
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

// DetectMapping guesses a mapping from a file's column names: the preset
// that matches most columns, then synonyms for the fields still missing.
func DetectMapping(columns []string) Mapping {
	byNorm := map[string][]string{}
	for _, c := range columns {
		byNorm[norm(c)] = append(byNorm[norm(c)], c)
	}
	used := map[string]bool{}
	take := func(n string) (string, bool) {
		for _, c := range byNorm[n] {
			if !used[c] {
				used[c] = true
				return c, true
			}
		}
		return "", false
	}
	m := Mapping{}
	best, bestScore := "", 0
	for _, name := range presetOrder {
		score := 0
		for _, alts := range presets[name] {
			for _, a := range alts {
				if len(byNorm[norm(a)]) > 0 {
					score++
					break
				}
			}
		}
		if score > bestScore {
			best, bestScore = name, score
		}
	}
	if bestScore >= 3 {
		for _, f := range Fields {
			for _, a := range presets[best][f] {
				if c, ok := take(norm(a)); ok {
					m[f] = append(m[f], c)
				}
			}
		}
	}
	for _, f := range Fields {
		if len(m[f]) > 0 {
			continue
		}
		for _, syn := range synonyms[f] {
			if c, ok := take(syn); ok {
				m[f] = []string{c}
				break
			}
		}
	}
	return m
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
			if exact[a] {
				found = append(found, a)
			} else if c, ok := byNorm[norm(a)]; ok {
				found = append(found, c)
			}
		}
		if len(found) > 0 {
			out[f] = found
		} else if explicit[f] && len(want[f]) > 0 {
			return nil, fmt.Errorf("mapping %s=%s: no such column (columns: %s)", f, quoteCols(want[f]), listColumns(columns))
		}
	}
	for _, f := range []string{"id", "opened"} {
		if len(out[f]) == 0 {
			return nil, fmt.Errorf("no column for required field %q (columns: %s); give a mapping such as %s=<column>",
				f, listColumns(columns), f)
		}
	}
	return out, nil
}

func listColumns(columns []string) string {
	if len(columns) == 0 {
		return "none"
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
