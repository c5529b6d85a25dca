package importer

import (
	"net/url"
	"path"
	"regexp"
	"strings"

	"github.com/precedent/precedent/data"
)

// jiraLinkColumn matches Jira CSV's link columns, e.g. "Outward issue link
// (Duplicate)" or "Inward issue link (Relates) #2" (repeated).
var jiraLinkColumn = regexp.MustCompile(`(?i)^(outward|inward) issue link \((.+)\)( #\d+)?$`)

// Link kinds the importer writes to data.Link.Kind. Every source's own
// names (Jira's link types and their inward/outward wordings, Bugzilla's
// and ServiceNow's reference fields) are classified into these; a name
// that fits none is kept as the source wrote it, lower-case.
const (
	LinkDuplicate = "duplicate" // duplicates, is duplicated by, dupe_of, duplicate_of
	LinkRelates   = "relates"   // relates to, see also
	LinkCauses    = "causes"    // causes, is caused by, problem/incident, problem_id
	LinkBlocks    = "blocks"    // blocks, is blocked by, depends on
	LinkClones    = "clones"    // clones, is cloned by (Jira "Cloners")
	LinkParent    = "parent"    // parent, sub-task, child, epic, parent_incident
	LinkMerged    = "merged"    // TheHive's merged cases
)

// linkWords classify a link's name by the words in it, first match wins:
// "is duplicated by" is a duplicate, "Problem/Incident" a cause.
var linkWords = []struct{ word, kind string }{
	{"dup", LinkDuplicate},
	{"clon", LinkClones},
	{"merge", LinkMerged},
	{"caus", LinkCauses}, {"problem", LinkCauses},
	{"block", LinkBlocks}, {"depend", LinkBlocks},
	{"parent", LinkParent}, {"child", LinkParent}, {"subtask", LinkParent}, {"sub-task", LinkParent}, {"epic", LinkParent},
	{"relat", LinkRelates}, {"see also", LinkRelates}, {"seealso", LinkRelates}, {"see_also", LinkRelates},
}

// ClassifyLink maps a source's name for a link (a Jira link type or its
// wording, a reference field's name) to one of the Link* kinds; a name
// that fits none comes back lower-case and trimmed.
func ClassifyLink(name string) string {
	n := strings.ToLower(strings.TrimSpace(name))
	for _, w := range linkWords {
		if strings.Contains(n, w.word) {
			return w.kind
		}
	}
	return n
}

// knownKind reports whether kind is one of the Link* kinds.
func knownKind(kind string) bool {
	for _, w := range linkWords {
		if w.kind == kind {
			return true
		}
	}
	return false
}

// linkKinds maps normalised column names that hold a linked ticket's ID to
// the link's kind: ServiceNow's parent, parent_incident, duplicate_of and
// problem_id, Bugzilla's dupe_of, blocks, depends_on and see_also,
// TheHive's merged cases, Jira CSV's parent and sub-task columns.
var linkKinds = map[string]string{
	"parent": LinkParent, "parentincident": LinkParent, "parentcase": LinkParent,
	"parentkey": LinkParent, "parentissue": LinkParent, "subtasks": LinkParent,
	"duplicateof": LinkDuplicate, "duplicate": LinkDuplicate, "dupeof": LinkDuplicate, "duplicates": LinkDuplicate,
	"problemid": LinkCauses, "problem": LinkCauses, "causedby": LinkCauses,
	"blocks": LinkBlocks, "dependson": LinkBlocks, "blockedby": LinkBlocks,
	"seealso": LinkRelates, "relatedissues": LinkRelates,
	"mergedinto": LinkMerged, "mergeinto": LinkMerged, "mergedfrom": LinkMerged, "mergefrom": LinkMerged,
}

// linkColumn reports whether col holds explicit links and their kind. A
// ServiceNow reference exported with display values ({"display_value":
// "INC0012345", "value": "<sys_id>", "link": "<url>"}) counts through its
// display_value and value; the link URL is not an ID.
func linkColumn(col string) (kind string, ok bool) {
	if m := jiraLinkColumn.FindStringSubmatch(col); m != nil {
		return ClassifyLink(m[2]), true
	}
	ref := col
	segs := strings.Split(col, ".")
	if len(segs) > 1 {
		switch norm(segs[len(segs)-1]) {
		case "displayvalue", "value":
			ref = strings.Join(segs[:len(segs)-1], ".")
		case "link":
			return "", false
		}
	}
	a := aliases(ref)
	for _, n := range a[:min(2, len(a))] {
		if k, ok := linkKinds[n]; ok && k != "" {
			return k, true
		}
	}
	return "", false
}

// linkIDs splits a cell into the IDs it lists (one per cell, or separated
// by commas, semicolons or spaces). A URL gives the ticket it points to
// when that can be told (see urlID) and nothing otherwise.
func linkIDs(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\t' || r == '\r'
	})
	out := parts[:0]
	for _, p := range parts {
		if id := urlID(p); id != "" {
			out = append(out, id)
		}
	}
	return out
}

// issueKey is a Jira-style key, which names its project and so cannot be
// mistaken for another tracker's number.
var issueKey = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*-[0-9]+$`)

// urlID is the ticket a link URL points to: a Bugzilla show_bug.cgi?id=N
// or a Jira-style key at the end of the path (/browse/SEC-12). Other URLs
// (a GitHub issue's bare number, a web page) give "": their number could
// be any ticket of this archive. Anything not a URL is returned as is.
func urlID(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	if path.Base(u.Path) == "show_bug.cgi" {
		return u.Query().Get("id")
	}
	if last := path.Base(strings.TrimRight(u.Path, "/")); issueKey.MatchString(last) {
		return last
	}
	return ""
}

// objectLinks reads the links a JSON record keeps in objects of other
// tickets: Jira's fields.issuelinks[] ({type: {name, inward, outward},
// outwardIssue: {key}} or inwardIssue), its sub-task's fields.parent and
// its fields.subtasks[], and data.Ticket's own links[] ({kind, to}).
func objectLinks(obj map[string]any) []data.Link {
	var out []data.Link
	for _, path := range []string{"fields.issuelinks[]", "issuelinks[]"} {
		for _, e := range lookup(obj, path) {
			name := lookupText(e, "type.name")
			for _, side := range []string{"outward", "inward"} {
				to := strings.TrimSpace(lookupText(e, side+"Issue.key"))
				if to == "" {
					continue
				}
				kind := ClassifyLink(name)
				if !knownKind(kind) { // an unnamed or custom type: its wording may tell
					if k := ClassifyLink(lookupText(e, "type."+side)); knownKind(k) || kind == "" {
						kind = k
					}
				}
				if kind != "" {
					out = append(out, data.Link{Kind: kind, To: to})
				}
			}
		}
	}
	for _, path := range []string{"fields.parent.key", "parent.key", "fields.subtasks[].key", "subtasks[].key"} {
		for _, v := range lookup(obj, path) {
			if to := strings.TrimSpace(jsonText(v)); to != "" {
				out = append(out, data.Link{Kind: LinkParent, To: to})
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

// objectLinkPrefixes are the objects objectLinks reads whole.
var objectLinkPrefixes = []string{"fields.issuelinks[]", "issuelinks[]", "links[]", "fields.subtasks[]", "fields.parent."}

// objectLinkColumn reports whether a flattened column lies inside one of
// the objects objectLinks reads (so it is not copied to Extra too): the
// linked tickets' own fields are theirs, not this ticket's.
func objectLinkColumn(col string) bool {
	for _, p := range objectLinkPrefixes {
		if strings.HasPrefix(col, p) {
			return true
		}
	}
	return false
}
