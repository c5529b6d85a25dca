// Package data holds the domain nouns of Precedent: closed tickets and what is
// derived from them (cross-references, positive pairs, queries, candidates).
// It never imports ml/; everything here is plain data and pure functions.
package data

import (
	"strings"
	"time"
)

// Ticket is one closed ticket of the archive, as the source system wrote it.
//
// Its fields fall in two kinds, and the difference matters for an honest
// evaluation (see AsOf): what was known when the ticket OPENED (title,
// description, rule, host, user, severity, Extra) and what was written while
// or after it was worked on (CloseNotes, Comments, Closing).
type Ticket struct {
	ID          string            `json:"id"`              // as the source system writes it, e.g. INC0012345
	Opened      time.Time         `json:"opened"`          // when the alert opened (UTC)
	Closed      time.Time         `json:"closed,omitzero"` // when the ticket closed; zero if unknown
	Rule        string            `json:"rule,omitempty"`  // detection rule / category
	Severity    string            `json:"severity,omitempty"`
	Host        string            `json:"host,omitempty"`
	User        string            `json:"user,omitempty"`
	Title       string            `json:"title,omitempty"`
	Description string            `json:"description,omitempty"`
	CloseNotes  string            `json:"close_notes,omitempty"`
	Comments    []Comment         `json:"comments,omitempty"` // timestamped analyst comments and work notes
	Links       []Link            `json:"links,omitempty"`    // explicit links the source system records (duplicate of, parent, relates to)
	Extra       map[string]string `json:"extra,omitempty"`    // other source columns known when the ticket opened
	Closing     map[string]string `json:"closing,omitempty"`  // other source columns known only once it was worked on or closed (resolution, assignee at close, ...)
}

// Comment is one timestamped note on a ticket (a Jira comment, a ServiceNow
// work note, a TheHive task log). Its time decides when it became visible.
type Comment struct {
	Time   time.Time `json:"time,omitzero"` // when it was written; zero if unknown (then visible only once the ticket closed)
	Author string    `json:"author,omitempty"`
	Body   string    `json:"body"`
}

// Link is an explicit link between two tickets that the source system keeps
// in a field of its own (Jira issue links, ServiceNow parent / duplicate_of,
// TheHive merged cases), as opposed to an ID cited in free text.
type Link struct {
	Kind string `json:"kind"` // as the source names it, lower-case: "duplicate", "relates", "parent", "merged", ...
	To   string `json:"to"`   // the linked ticket's ID
}

// ClosedBefore reports whether the ticket is known to have closed strictly
// before at. A ticket with no close time never is: when its close-notes were
// written is unknown, so they are never shown to an earlier query.
func (t Ticket) ClosedBefore(at time.Time) bool {
	return !t.Closed.IsZero() && t.Closed.Before(at)
}

// AsOf is the ticket as an analyst could have read it at time at: the
// opening-time fields always; close-notes and closing-time fields only if it
// closed before at; comments written before at (all of them once closed).
// This is the one visibility rule every consumer uses (first stage, pair
// text, review, evaluation), so no query ever sees text written after it
// opened. The zero time means "now": everything is visible.
func (t Ticket) AsOf(at time.Time) Ticket {
	if at.IsZero() || t.ClosedBefore(at) {
		return t
	}
	v := t
	v.CloseNotes = ""
	v.Closing = nil
	v.Comments = nil
	for _, c := range t.Comments {
		if !c.Time.IsZero() && c.Time.Before(at) {
			v.Comments = append(v.Comments, c)
		}
	}
	return v
}

// Opening is the ticket as it was when it opened: no close-notes, comments or
// closing-time fields. It is what a query is made of.
func (t Ticket) Opening() Ticket {
	v := t
	v.CloseNotes, v.Comments, v.Closing = "", nil, nil
	return v
}

// NotesText is the analysts' text of the ticket: close-notes, then comments
// in stored order (importers store them oldest first), one per line.
func (t Ticket) NotesText() string {
	parts := make([]string, 0, 1+len(t.Comments))
	if s := strings.TrimSpace(t.CloseNotes); s != "" {
		parts = append(parts, s)
	}
	for _, c := range t.Comments {
		if s := strings.TrimSpace(c.Body); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "\n")
}

// QueryText is what was known when the ticket opened: never its close-notes.
func (t Ticket) QueryText() string {
	s := t.Title
	if t.Description != "" {
		if s != "" {
			s += "\n"
		}
		s += t.Description
	}
	return s
}

// DocumentText is the ticket's visible text: title, description and its
// analysts' notes. Apply AsOf first to get what a query may see.
func (t Ticket) DocumentText() string {
	s := t.QueryText()
	if n := t.NotesText(); n != "" {
		if s != "" {
			s += "\n"
		}
		s += n
	}
	return s
}

// Version is what a query sees of a ticket while the query's opened time
// lies in (From, Until]: Ticket is t.AsOf any time in that range. Until is
// zero for the last version (visible ever after).
type Version struct {
	From, Until time.Time
	Ticket      Ticket
}

// Versions are the successive views of t that queries opened at different
// times see: at its opening, after each dated comment written before it
// closed, and once closed. An index holds one document per version, so a
// query picks the view of its own time without re-indexing (see AsOf).
func (t Ticket) Versions() []Version {
	changes := []time.Time{t.Opened}
	for _, c := range t.Comments {
		if c.Time.After(t.Opened) && (t.Closed.IsZero() || c.Time.Before(t.Closed)) {
			changes = append(changes, c.Time)
		}
	}
	if t.Closed.After(t.Opened) {
		changes = append(changes, t.Closed)
	}
	sortTimes(changes)
	out := make([]Version, 0, len(changes))
	for i, from := range changes {
		if i > 0 && from.Equal(changes[i-1]) {
			continue
		}
		v := Version{From: from, Ticket: t.AsOf(from.Add(time.Nanosecond))}
		if len(out) > 0 {
			out[len(out)-1].Until = from
		}
		out = append(out, v)
	}
	return out
}

func sortTimes(ts []time.Time) {
	for i := 1; i < len(ts); i++ {
		for j := i; j > 0 && ts[j].Before(ts[j-1]); j-- {
			ts[j], ts[j-1] = ts[j-1], ts[j]
		}
	}
}
