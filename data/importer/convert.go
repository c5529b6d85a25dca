package importer

import (
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/precedent/precedent/data"
)

// Field indexes into Fields, for the converter.
const (
	fID = iota
	fOpened
	fClosed
	fRule
	fSeverity
	fHost
	fUser
	fTitle
	fDescription
	fCloseNotes
	fComments
)

// maxReportedColumns caps Report.Visibility and Report.LinkColumns: JSON
// exports may carry hundreds of custom fields.
const maxReportedColumns = 500

// converter maps one row to a ticket under a resolved mapping.
type converter struct {
	mapping  Mapping
	loc      *time.Location
	opened   timeParser
	closed   timeParser
	comments commentReader
	sides    map[string]string // the user's visibility overrides
	// colIdx holds, for CSV, each field's candidate column groups (a
	// column and its repeats, "Labels", "Labels #2", ...), which columns
	// are mapped, and the name each column's value is kept under; nil
	// for JSON, whose keys vary per record.
	colIdx  [][][]int
	mapped  []bool
	keyName []string
	// roles caches, per column name, where its values go.
	roles map[string]role
	// badClosed reports, for the last ticket, a mapped closed time that
	// was missing or unparsable, and closedText its text.
	badClosed  bool
	closedText string
	// openStatus is, for the last ticket, the status that voided its
	// close time ("" when none did).
	openStatus string
	// visibility and linkCols record the sides and link kinds columns
	// went to, for the report.
	visibility map[string]string
	linkCols   map[string]string
	// related are the paths of nested other entities (relatedEntities),
	// whose columns go to Closing unless the user says otherwise.
	related map[string]bool
	// status reads whether a ticket's status says it is still open.
	status statusReader
}

// role is where a non-canonical column's values go.
type role struct {
	side string // SideOpen or SideClose; "" when not a side
	link string // link kind, when the column holds links
	skip bool   // read elsewhere (inside comments or link objects)
}

func newConverter(m Mapping, loc *time.Location, order string, sides map[string]string) converter {
	c := converter{mapping: m, loc: loc, sides: sides, roles: map[string]role{},
		visibility: map[string]string{}, linkCols: map[string]string{}}
	c.setDateOrder(order)
	c.comments.loc = loc
	return c
}

func (c *converter) setDateOrder(order string) {
	c.opened.order, c.closed.order, c.comments.times.order = order, order, order
}

func (c *converter) indexColumns(columns []string) {
	at := map[string]int{}
	for i, col := range columns {
		at[col] = i
	}
	c.keyName = make([]string, len(columns))
	repeats := map[string][]int{}
	for i, col := range columns {
		c.keyName[i] = col
		if base, ok := repeatBase(col); ok {
			if _, real := at[base]; real {
				c.keyName[i] = base
				repeats[base] = append(repeats[base], i)
			}
		}
	}
	c.colIdx = make([][][]int, len(Fields))
	c.mapped = make([]bool, len(columns))
	for f, name := range Fields {
		for _, col := range c.mapping[name] {
			i, ok := at[col]
			if !ok || c.mapped[i] {
				continue
			}
			group := append([]int{i}, repeats[col]...)
			for _, j := range group {
				c.mapped[j] = true
			}
			c.colIdx[f] = append(c.colIdx[f], group)
		}
	}
}

// value is field f's first non-empty candidate; used marks the columns read.
func (c *converter) value(rw *row, f int, used []bool) string {
	if c.colIdx != nil {
		for _, g := range c.colIdx[f] {
			var parts []string
			for _, i := range g {
				if i < len(rw.values) && rw.values[i] != "" {
					parts = append(parts, rw.values[i])
					used[i] = true
				}
			}
			if len(parts) > 0 {
				return strings.Join(parts, ", ")
			}
		}
		return ""
	}
	for _, col := range c.mapping[Fields[f]] {
		if isIndexedPath(col) {
			if v := lookupText(rw.obj, col); v != "" {
				return v
			}
			continue
		}
		for i, n := range rw.names {
			if n == col && rw.values[i] != "" {
				used[i] = true
				return rw.values[i]
			}
		}
	}
	return ""
}

// commentsOf reads every column mapped to comments.
func (c *converter) commentsOf(rw *row, used []bool) []data.Comment {
	var out []data.Comment
	if c.colIdx != nil {
		for _, g := range c.colIdx[fComments] {
			for _, i := range g {
				if i < len(rw.values) && rw.values[i] != "" {
					out = c.comments.fromText(rw.values[i], out)
					used[i] = true
				}
			}
		}
		return out
	}
	for _, col := range c.mapping["comments"] {
		vals := lookup(rw.obj, col)
		if len(vals) == 0 { // a key holding dots is only found flattened
			for i, n := range rw.names {
				if n == col && rw.values[i] != "" {
					out = c.comments.fromText(rw.values[i], out)
					used[i] = true
				}
			}
			continue
		}
		for _, v := range vals {
			out = c.comments.fromValue(v, out)
		}
	}
	return out
}

// roleOf decides, once per column name, where its values go.
func (c *converter) roleOf(name string, closing bool) role {
	if r, ok := c.roles[name]; ok {
		return r
	}
	var r role
	switch {
	case c.underComments(name), c.colIdx == nil && objectLinkColumn(name):
		r.skip = true
	default:
		if kind, ok := linkColumn(name); ok {
			r.link = kind
		} else if closing {
			r.side = SideClose
		} else {
			var given bool
			r.side, given = sideOf(name, c.sides)
			if !given && underAny(name, c.related) {
				r.side = SideClose // another entity's fields: known later, if ever
			}
		}
	}
	if len(c.roles) < 10*maxReportedColumns {
		c.roles[name] = r
	}
	return r
}

// underComments reports whether a JSON column lies inside a value mapped
// to comments (fields.comment.comments[].body under fields.comment.comments[]).
func (c *converter) underComments(name string) bool {
	if c.colIdx != nil {
		return false
	}
	for _, col := range c.mapping["comments"] {
		base := strings.TrimSuffix(col, "[]")
		if name == col || name == base || strings.HasPrefix(name, base+"[]") || strings.HasPrefix(name, base+".") {
			return true
		}
	}
	return false
}

// ticket converts rw; a non-empty reason means the row is rejected, with
// field naming the culprit.
func (c *converter) ticket(rw *row) (t data.Ticket, field, reason string) {
	c.badClosed, c.closedText, c.openStatus = false, "", ""
	used := make([]bool, len(rw.values))
	get := func(f int) string { return clean(c.value(rw, f, used)) }
	t.ID = strings.TrimSpace(get(fID))
	if rw.bad != "" {
		return t, "", rw.bad
	}
	if t.ID == "" {
		return t, "id", "empty ID"
	}
	openedText := get(fOpened)
	opened, err := c.opened.parse(openedText, c.loc)
	if errors.Is(err, errEmptyTime) {
		return t, "opened", "missing opened time"
	} else if err != nil {
		return t, "opened", "opened: " + err.Error()
	}
	t.Opened = opened
	if len(c.mapping["closed"]) > 0 {
		c.closedText = get(fClosed)
		closed, err := c.closed.parse(c.closedText, c.loc)
		c.badClosed = err != nil
		t.Closed = closed
		// A close time counts only when the status does not say open: a
		// last-modified time of an Active incident is no close.
		if st := c.status.openStatus(rw); st != "" && !t.Closed.IsZero() {
			t.Closed, c.openStatus = time.Time{}, st
		}
	}
	t.Rule = get(fRule)
	t.Severity = get(fSeverity)
	t.Host = get(fHost)
	t.User = get(fUser)
	t.Title = get(fTitle)
	t.Description = get(fDescription)
	t.CloseNotes = get(fCloseNotes)
	if len(c.mapping["comments"]) > 0 {
		t.Comments = c.commentsOf(rw, used)
		for i := range t.Comments {
			t.Comments[i].Body = clean(t.Comments[i].Body)
		}
		sortComments(t.Comments)
	}
	if rw.obj != nil {
		t.Links = objectLinks(rw.obj)
	}
	// Other columns go to Extra or Closing by their side, or to Links;
	// empty values are dropped to keep 140k stored tickets small.
	for i, v := range rw.values {
		if used[i] || v == "" || (c.mapped != nil && c.mapped[i]) {
			continue
		}
		name := rw.names[i]
		key := name // a repeated CSV column ("Labels #2") is kept with its first
		if c.keyName != nil {
			key = c.keyName[i]
		}
		r := c.roleOf(key, rw.closing[name])
		switch {
		case r.skip:
		case r.link != "" && shadowedReference(rw, name):
		case r.link != "":
			for _, id := range linkIDs(v) {
				if id != t.ID {
					t.Links = append(t.Links, data.Link{Kind: r.link, To: clean(id)})
				}
			}
			c.note(c.linkCols, key, r.link)
		default:
			dst := &t.Extra
			if r.side == SideClose {
				dst = &t.Closing
			}
			if *dst == nil {
				*dst = map[string]string{}
			}
			if prev, ok := (*dst)[key]; ok { // a repeated column: join
				(*dst)[key] = prev + ", " + clean(v)
			} else {
				(*dst)[key] = clean(v)
			}
			c.note(c.visibility, key, r.side)
		}
	}
	t.Links = uniqueLinks(t.Links)
	return t, "", ""
}

// shadowedReference reports whether a ServiceNow reference's sys_id
// ("parent.value") has a display value beside it ("parent.display_value"),
// which is the ID people cite.
func shadowedReference(rw *row, name string) bool {
	base, ok := strings.CutSuffix(name, ".value")
	if !ok {
		return false
	}
	for i, n := range rw.names {
		if n == base+".display_value" && rw.values[i] != "" {
			return true
		}
	}
	return false
}

// sortComments puts comments oldest first, as data.Ticket keeps them
// (ServiceNow journals list the newest first); undated ones go last, in
// their order, since they count as written when the ticket closed.
func sortComments(cs []data.Comment) {
	sort.SliceStable(cs, func(i, j int) bool {
		a, b := cs[i].Time, cs[j].Time
		if a.IsZero() || b.IsZero() {
			return !a.IsZero() && b.IsZero()
		}
		return a.Before(b)
	})
}

func (c *converter) note(m map[string]string, k, v string) {
	if _, ok := m[k]; !ok && len(m) < maxReportedColumns {
		m[k] = v
	}
}

func uniqueLinks(ls []data.Link) []data.Link {
	if len(ls) < 2 {
		return ls
	}
	seen := map[data.Link]bool{}
	out := ls[:0]
	for _, l := range ls {
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out
}

// clean removes NUL bytes, which no ticket field may hold.
func clean(s string) string {
	if strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(s, "\x00", "")
}

// fileColumns tells the converter a file's columns (for JSON, its
// sample's paths): which are other entities' and which hold the status.
func (c *converter) fileColumns(columns []string) {
	c.related = relatedEntities(columns)
	c.status = detectStatus(columns, c.related)
}
