package importer

import (
	"fmt"
	"strings"
)

// Sides of a ticket a non-canonical column goes to: known when the ticket
// opened (Ticket.Extra) or only once it was worked on or closed
// (Ticket.Closing). The difference keeps an evaluation honest: a query
// never sees what was written after it opened (see data.Ticket.AsOf).
const (
	SideOpen  = "open"
	SideClose = "close"
)

// closingWords are parts of a normalised column name that mark a column
// written while or after the ticket was worked on: who it went to, how it
// was resolved, its notes, its state, the time spent on it.
var closingWords = []string{
	"assignee", "assignedto", "resolution", "resolved", "resolve", "closecode", "closenote",
	"closedby", "closed", "closing", "closure", "worknote", "comment", "timeworked",
	"timespent", "worklog", "classification", "status", "parent", "stage",
	"timeto", "updated", "modified", "lastchange", "owner", "watcher", "watches",
	"history", "changelog", "reaction", "votes", "isopen", "zugewiesen", "bearbeiter",
}

// closingWordsWhole are words that mark a closing column only as a whole
// word of a key (see words): "cc" in cc[] or cc_detail, not in "account";
// "events" (a timeline) but not the "event" of ECS fields.
var closingWordsWhole = map[string]bool{"cc": true, "events": true, "assigned": true}

// closingPrefixes mark a closing column when a name starts with them
// ("close_code", "state", "sla_at_close" is caught by "close" below).
var closingPrefixes = []string{"close", "state", "incidentstate"}

// DefaultSide is the side a column goes to unless the user says
// otherwise: closing for owner and assignee, cc and watchers, resolution,
// close/resolve fields, comments and work notes, history, events and
// changelogs, last-modified and updated times, parent and other related
// entities (see relatedKeys), state/status, time worked and SLA at close;
// opening for everything else.
func DefaultSide(col string) string {
	if underRelatedKey(col) {
		return SideClose
	}
	for _, w := range words(col) {
		if closingWordsWhole[w] {
			return SideClose
		}
	}
	for _, a := range aliases(col) {
		for _, w := range closingWords {
			if strings.Contains(a, w) {
				return SideClose
			}
		}
		for _, p := range closingPrefixes {
			if strings.HasPrefix(a, p) {
				return SideClose
			}
		}
		if strings.HasSuffix(a, "state") || strings.HasSuffix(a, "atclose") {
			return SideClose
		}
	}
	return SideOpen
}

// ParseSide reads a user's side: open|opening|extra or close|closing.
func ParseSide(s string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "open", "opening", "opened", "extra":
		return SideOpen, nil
	case "close", "closing", "closed":
		return SideClose, nil
	}
	return "", fmt.Errorf("visibility %q: want open or close", s)
}

// sideOf is col's side under the user's overrides (matched by exact name,
// then ignoring case and spacing, then as the object or array holding it,
// the longest such wins), else its default.
func sideOf(col string, overrides map[string]string) (side string, given bool) {
	if s, ok := overrides[col]; ok {
		return s, true
	}
	n := norm(col)
	for k, s := range overrides {
		if norm(k) == n {
			return s, true
		}
	}
	best := ""
	for k, s := range overrides {
		if len(k) > len(best) && (strings.HasPrefix(col, k+".") || strings.HasPrefix(col, k+"[]")) {
			best, side = k, s
		}
	}
	if best != "" {
		return side, true
	}
	return DefaultSide(col), false
}
