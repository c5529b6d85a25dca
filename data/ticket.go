// Package data holds the domain nouns of Precedent: closed tickets and what is
// derived from them (cross-references, positive pairs, queries, candidates).
// It never imports ml/; everything here is plain data and pure functions.
package data

import "time"

// Ticket is one closed ticket of the archive, as the source system wrote it.
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
	Extra       map[string]string `json:"extra,omitempty"` // source columns with no field of their own
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

// DocumentText is the ticket as a closed precedent: everything an analyst
// reading it later would see, close-notes included.
func (t Ticket) DocumentText() string {
	s := t.QueryText()
	if t.CloseNotes != "" {
		if s != "" {
			s += "\n"
		}
		s += t.CloseNotes
	}
	return s
}
