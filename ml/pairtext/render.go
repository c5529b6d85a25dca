package pairtext

import (
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/precedent/precedent/data"
)

// maxPerKind bounds each entity list so one noisy ticket cannot fill the
// token budget with IPs.
const maxPerKind = 6

// hashShown is how many hex digits of a hash the entity lists show: enough
// to tell hashes apart, a fraction of the tokens.
const hashShown = 12

// QuerySide renders the new ticket: what was known when it opened. It never
// includes q.CloseNotes, whatever f.Fields says.
func QuerySide(q data.Ticket, f Format) string {
	q = masked(q.Opening(), f.Mask)
	var r renderer
	r.fields(q, f, false, func() {
		if f.Entities {
			r.entityLists(Entities(q).Without(shownInFields(q, f)), f)
		}
	})
	return r.finish(f)
}

// DocSide renders an archived ticket d as a precedent for query q: its
// fields, how long before q it opened, the entities it shares with q (first),
// its other entities, its text and its analysts' notes — as of q's opened
// time (data.Ticket.AsOf): notes, comments and closing-time fields written
// after q opened are never shown (unless f.FutureText, the leak probe). A
// query with a zero opened time (serving "now") sees everything.
func DocSide(q, d data.Ticket, f Format) string {
	if !f.FutureText {
		d = d.AsOf(q.Opened)
	}
	q, d = masked(q.Opening(), f.Mask), masked(d, f.Mask)
	var r renderer
	r.fields(d, f, true, func() {
		if f.TimeGap {
			r.add("", TimeGap(q.Opened, d.Opened), f)
		}
		if f.Entities {
			de := Entities(d)
			shared := de.Shared(Entities(q)).Evidence(StopsOf(f.StopEntities))
			if len(shared) > 0 {
				parts := make([]string, 0, len(shared))
				for _, e := range shared[:min(len(shared), 2*maxPerKind)] {
					parts = append(parts, e.Kind.String()+" "+display(e))
				}
				r.add("shared", strings.Join(parts, ", "), f)
			}
			r.entityLists(de.Without(shared).Without(shownInFields(d, f)), f)
		}
	})
	return r.finish(f)
}

// renderer collects the segments of one side.
type renderer struct {
	segs []segment
}

type segment struct {
	label, text string
	free        bool // description: cut first when over MaxChars
}

func (r *renderer) add(label, text string, f Format) { r.addSeg(label, text, false, f) }

func (r *renderer) addSeg(label, text string, free bool, f Format) {
	text = squash(text)
	if text == "" {
		return
	}
	if !f.Labels {
		label = ""
	}
	r.segs = append(r.segs, segment{label: label, text: text, free: free})
}

// fields renders f.Fields in order; extras (time gap, entities) go right
// before the first free-text field, after the short header fields.
func (r *renderer) fields(t data.Ticket, f Format, doc bool, extras func()) {
	done := false
	flush := func() {
		if !done {
			done = true
			extras()
		}
	}
	for _, name := range f.Fields {
		switch name {
		case FieldRule:
			r.add("rule", t.Rule, f)
		case FieldSeverity:
			r.add("severity", t.Severity, f)
		case FieldUser:
			r.add("user", t.User, f)
		case FieldHost:
			r.add("host", t.Host, f)
		case FieldTitle:
			flush()
			r.add("", t.Title, f)
		case FieldDescription:
			flush()
			r.addSeg("", t.Description, true, f)
		case FieldNotes:
			if doc {
				flush()
				r.add("notes", t.NotesText(), f)
			}
		default:
			if key, ok := strings.CutPrefix(name, FieldExtraPrefix); ok {
				v, ok := t.Extra[key]
				if !ok && doc {
					v = t.Closing[key] // empty unless visible (AsOf)
				}
				r.add(key, v, f)
			}
		}
	}
	flush()
}

// entityLists adds "ips: a, b" segments, one per kind.
func (r *renderer) entityLists(s EntitySet, f Format) {
	for k := range numKinds {
		var vals []string
		for _, e := range s {
			if e.Kind == k && len(vals) < maxPerKind {
				vals = append(vals, display(e))
			}
		}
		if len(vals) > 0 {
			r.add(kindPlurals[k], strings.Join(vals, ", "), f)
		}
	}
}

// finish joins the segments, cutting free text first to fit MaxChars.
func (r *renderer) finish(f Format) string {
	sep := " "
	if f.Labels {
		sep = " | "
	}
	join := func() string {
		parts := make([]string, 0, len(r.segs))
		for _, s := range r.segs {
			if s.text == "" {
				continue
			}
			if s.label != "" {
				parts = append(parts, s.label+": "+s.text)
			} else {
				parts = append(parts, s.text)
			}
		}
		return strings.Join(parts, sep)
	}
	out := join()
	over := utf8.RuneCountInString(out) - f.MaxChars
	if f.MaxChars <= 0 || over <= 0 {
		return out
	}
	for i := range r.segs {
		if r.segs[i].free {
			n := utf8.RuneCountInString(r.segs[i].text)
			r.segs[i].text = cutRunes(r.segs[i].text, max(n-over, 0))
		}
	}
	return cutRunes(join(), f.MaxChars)
}

// shownInFields is what the user/host fields already say, so entity lists
// do not repeat it.
func shownInFields(t data.Ticket, f Format) EntitySet {
	var s EntitySet
	for _, name := range f.Fields {
		switch {
		case name == FieldUser && t.User != "":
			s = append(s, userField(t.User))
		case name == FieldHost && t.Host != "":
			s = append(s, Entity{Host, normHost(t.Host)})
		}
	}
	return s
}

// display is how an entity reads in pair text.
func display(e Entity) string {
	if e.Kind == Hash && len(e.Value) > hashShown {
		return e.Value[:hashShown]
	}
	return e.Value
}

// masked applies mask to t's free text.
func masked(t data.Ticket, mask func(string) string) data.Ticket {
	if mask == nil {
		return t
	}
	t.Title, t.Description, t.CloseNotes = mask(t.Title), mask(t.Description), mask(t.CloseNotes)
	maskMap := func(m map[string]string) map[string]string {
		if len(m) == 0 {
			return m
		}
		out := make(map[string]string, len(m))
		for k, v := range m {
			out[k] = mask(v)
		}
		return out
	}
	t.Extra, t.Closing = maskMap(t.Extra), maskMap(t.Closing)
	if len(t.Comments) > 0 {
		cs := make([]data.Comment, len(t.Comments))
		for i, c := range t.Comments {
			c.Body = mask(c.Body)
			cs[i] = c
		}
		t.Comments = cs
	}
	return t
}

// squash collapses runs of white space (newlines included) to one space.
func squash(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// cutRunes keeps the first n characters of s.
func cutRunes(s string, n int) string {
	if n <= 0 {
		return ""
	}
	i := 0
	for pos := range s {
		if i == n {
			return strings.TrimRight(s[:pos], " ")
		}
		i++
	}
	return s
}

func sortedKeys(m map[string]string) []string {
	return slices.Sorted(maps.Keys(m))
}
