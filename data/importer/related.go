package importer

import (
	"strings"
	"unicode"
)

// relatedKeys are the keys under which exports nest records of other
// entities beside a ticket's own fields: Jira's parent, sub-tasks, epics
// and linked issues, GitHub's milestone, pull request and events,
// Bugzilla's history, changelogs. Their fields describe the other entity
// (a parent's summary, a milestone's description) and are never the
// ticket's own.
var relatedKeys = map[string]bool{
	"parent": true, "subtasks": true, "issuelinks": true, "outwardissue": true, "inwardissue": true,
	"epic": true, "linkedissues": true, "relatedissues": true, "children": true, "duplicates": true,
	"milestone": true, "pullrequest": true, "events": true, "history": true, "changelog": true,
	"timeline": true, "parentincident": true, "problemid": true, "duplicateof": true,
}

// idKeys and titleKeys are what an object needs to look like a record of
// its own: an identity and a headline.
var (
	idKeys    = map[string]bool{"id": true, "key": true, "number": true, "issuekey": true}
	titleKeys = map[string]bool{"summary": true, "title": true, "shortdescription": true, "subject": true}
)

// relatedEntities finds, among a file's columns, the paths of nested
// objects that are other entities: those under a related key (see
// relatedKeys), and any object that carries both an identity and a
// headline of its own (id or key, and summary or title), as a linked
// ticket does. Objects whose keys are all containers (fields, properties,
// _source), and an object that holds most of the columns, are the ticket
// itself.
func relatedEntities(columns []string) map[string]bool {
	type marks struct{ id, title bool }
	seen := map[string]*marks{}
	out, structural := map[string]bool{}, map[string]bool{}
	for _, c := range columns {
		segs := strings.Split(c, ".")
		allContainers := true
		for i := 1; i < len(segs); i++ {
			prefix := strings.Join(segs[:i], ".")
			seg := strings.TrimSuffix(segs[i-1], "[]")
			allContainers = allContainers && containers[strings.ToLower(seg)]
			if allContainers {
				continue
			}
			if relatedKeys[norm(seg)] {
				out[prefix] = true
				continue
			}
			rest := segs[i:]
			for len(rest) > 1 && containers[strings.ToLower(rest[0])] {
				rest = rest[1:]
			}
			if len(rest) != 1 {
				continue
			}
			m := seen[prefix]
			if m == nil {
				m = &marks{}
				seen[prefix] = m
			}
			k := norm(rest[0])
			m.id = m.id || idKeys[k]
			m.title = m.title || titleKeys[k]
			if m.id && m.title {
				structural[prefix] = true
			}
		}
	}
	// An object holding most of the record is the ticket itself, wrapped
	// ({"incident": {"id": .., "title": ..}}), not another entity.
	for p := range structural {
		under := 0
		for _, c := range columns {
			if strings.HasPrefix(c, p+".") {
				under++
			}
		}
		if under*2 < len(columns) {
			out[p] = true
		}
	}
	// Keep the outermost: fields.parent covers fields.parent.fields.status.
	for p := range out {
		if underAny(p, out) {
			delete(out, p)
		}
	}
	return out
}

// underAny reports whether col lies strictly under one of the prefixes.
func underAny(col string, prefixes map[string]bool) bool {
	for i := 0; i < len(col); i++ {
		if col[i] == '.' && prefixes[col[:i]] {
			return true
		}
	}
	return false
}

// underRelatedKey reports whether some proper prefix of col is a related
// key, which needs no other column to tell (see relatedKeys).
func underRelatedKey(col string) bool {
	segs := strings.Split(col, ".")
	for _, s := range segs[:len(segs)-1] {
		if relatedKeys[norm(s)] {
			return true
		}
	}
	return false
}

// words splits a column's keys into lower-case words at separators and
// camelCase humps: "cc_detail[].email" → cc detail email,
// "lastModifiedTimeUtc" → last modified time utc.
func words(col string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(col)
	for i, r := range rs {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
		case unicode.IsUpper(r) && i > 0 && (unicode.IsLower(rs[i-1]) || i+1 < len(rs) && unicode.IsLower(rs[i+1]) && unicode.IsUpper(rs[i-1])):
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
	}
	flush()
	return out
}
