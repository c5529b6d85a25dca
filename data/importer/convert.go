package importer

import (
	"errors"
	"strings"
	"time"

	"github.com/precedent/precedent/data"
)

// converter maps one row to a ticket under a resolved mapping.
type converter struct {
	mapping Mapping
	loc     *time.Location
	opened  timeParser
	closed  timeParser
	// colIdx holds, for CSV, each field's candidate column indexes and
	// which columns are mapped; nil for JSON, whose keys vary per record.
	colIdx [][]int
	mapped []bool
	// badClosed reports, for the last ticket, a mapped closed time that
	// was missing or unparsable.
	badClosed bool
}

func newConverter(m Mapping, loc *time.Location) converter {
	return converter{mapping: m, loc: loc}
}

func (c *converter) indexColumns(columns []string) {
	at := map[string]int{}
	for i, col := range columns {
		at[col] = i
	}
	c.colIdx = make([][]int, len(Fields))
	c.mapped = make([]bool, len(columns))
	for f, name := range Fields {
		for _, col := range c.mapping[name] {
			if i, ok := at[col]; ok {
				c.colIdx[f] = append(c.colIdx[f], i)
				c.mapped[i] = true
			}
		}
	}
}

// value is field f's first non-empty candidate, with the column it came from.
func (c *converter) value(rw *row, f int) (string, int) {
	if c.colIdx != nil {
		for _, i := range c.colIdx[f] {
			if i < len(rw.values) && rw.values[i] != "" {
				return rw.values[i], i
			}
		}
		return "", -1
	}
	for _, col := range c.mapping[Fields[f]] {
		for i, n := range rw.names {
			if n == col && rw.values[i] != "" {
				return rw.values[i], i
			}
		}
	}
	return "", -1
}

// ticket converts rw; a non-empty reason means the row is rejected, with
// field naming the culprit.
func (c *converter) ticket(rw *row) (t data.Ticket, field, reason string) {
	c.badClosed = false
	used := make([]bool, len(rw.values))
	get := func(f int) string {
		v, i := c.value(rw, f)
		if i >= 0 {
			used[i] = true
		}
		return clean(v)
	}
	t.ID = strings.TrimSpace(get(0))
	if rw.bad != "" {
		return t, "", rw.bad
	}
	if t.ID == "" {
		return t, "id", "empty ID"
	}
	openedText := get(1)
	opened, err := c.opened.parse(openedText, c.loc)
	if errors.Is(err, errEmptyTime) {
		return t, "opened", "missing opened time"
	} else if err != nil {
		return t, "opened", "opened: " + err.Error()
	}
	t.Opened = opened
	if len(c.mapping["closed"]) > 0 {
		closed, err := c.closed.parse(get(2), c.loc)
		c.badClosed = err != nil
		t.Closed = closed
	}
	t.Rule = get(3)
	t.Severity = get(4)
	t.Host = get(5)
	t.User = get(6)
	t.Title = get(7)
	t.Description = get(8)
	t.CloseNotes = get(9)
	// Unmapped columns go to Extra; empty values are dropped to keep
	// 140k stored tickets small.
	for i, v := range rw.values {
		if used[i] || v == "" || (c.mapped != nil && c.mapped[i]) {
			continue
		}
		if t.Extra == nil {
			t.Extra = map[string]string{}
		}
		t.Extra[rw.names[i]] = clean(v)
	}
	return t, "", ""
}

// clean removes NUL bytes, which no ticket field may hold.
func clean(s string) string {
	if strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(s, "\x00", "")
}
