package importer

import (
	"regexp"
	"strings"

	"github.com/precedent/precedent/data"
)

// jiraLinkColumn matches Jira CSV's link columns, e.g. "Outward issue link
// (Duplicate)" or "Inward issue link (Relates) #2" (repeated).
var jiraLinkColumn = regexp.MustCompile(`(?i)^(outward|inward) issue link \((.+)\)( #\d+)?$`)

// linkKinds maps normalised column names that hold a linked ticket's ID to
// the link's kind: ServiceNow's parent, parent_incident and duplicate_of,
// TheHive's merged cases.
var linkKinds = map[string]string{
	"parent": "parent", "parentincident": "parent", "parentcase": "parent",
	"duplicateof": "duplicate", "duplicate": "duplicate",
	"mergedinto": "merged", "mergeinto": "merged", "mergedfrom": "merged", "mergefrom": "merged",
}

// linkColumn reports whether col holds explicit links and their kind. A
// ServiceNow reference exported with display values ({"display_value":
// "INC0012345", "value": "<sys_id>", "link": "<url>"}) counts through its
// display_value and value; the link URL is not an ID.
func linkColumn(col string) (kind string, ok bool) {
	if m := jiraLinkColumn.FindStringSubmatch(col); m != nil {
		return strings.ToLower(strings.TrimSpace(m[2])), true
	}
	path := col
	segs := strings.Split(col, ".")
	if len(segs) > 1 {
		switch norm(segs[len(segs)-1]) {
		case "displayvalue", "value":
			path = strings.Join(segs[:len(segs)-1], ".")
		case "link":
			return "", false
		}
	}
	a := aliases(path)
	for _, n := range a[:min(2, len(a))] {
		if k, ok := linkKinds[n]; ok {
			return k, true
		}
	}
	return "", false
}

// linkIDs splits a cell into the IDs it lists (one per cell, or separated
// by commas, semicolons or spaces).
func linkIDs(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\t' || r == '\r'
	})
}

// objectLinks reads the link lists a JSON record keeps as arrays of
// objects: Jira's fields.issuelinks[] ({type: {name}, outwardIssue: {key}}
// or inwardIssue) and data.Ticket's own links[] ({kind, to}).
func objectLinks(obj map[string]any) []data.Link {
	var out []data.Link
	for _, path := range []string{"fields.issuelinks[]", "issuelinks[]"} {
		for _, e := range lookup(obj, path) {
			kind := strings.ToLower(strings.TrimSpace(lookupText(e, "type.name")))
			for _, side := range []string{"outwardIssue.key", "inwardIssue.key"} {
				if to := strings.TrimSpace(lookupText(e, side)); to != "" && kind != "" {
					out = append(out, data.Link{Kind: kind, To: to})
				}
			}
		}
	}
	for _, e := range lookup(obj, "links[]") {
		kind, to := strings.ToLower(strings.TrimSpace(lookupText(e, "kind"))), strings.TrimSpace(lookupText(e, "to"))
		if kind != "" && to != "" {
			out = append(out, data.Link{Kind: kind, To: to})
		}
	}
	return out
}

// objectLinkColumn reports whether a flattened column lies inside one of
// the arrays objectLinks reads (so it is not copied to Extra too).
func objectLinkColumn(col string) bool {
	return strings.HasPrefix(col, "fields.issuelinks[]") || strings.HasPrefix(col, "issuelinks[]") || strings.HasPrefix(col, "links[]")
}
