package split

import (
	"strings"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/data/mining"
)

// QueryFields chooses what, besides title and description, a query text holds.
type QueryFields struct {
	Rule, Host, User bool
}

// QueryText is what was known when the ticket opened: title and description,
// plus rule, host and user as chosen. It NEVER includes close-notes, which
// are written after the fact and name the answer.
func QueryText(t data.Ticket, fields QueryFields) string {
	parts := make([]string, 0, 5)
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	add(t.Title)
	add(t.Description)
	if fields.Rule && t.Rule != "" {
		add("rule: " + t.Rule)
	}
	if fields.Host && t.Host != "" {
		add("host: " + t.Host)
	}
	if fields.User && t.User != "" {
		add("user: " + t.User)
	}
	return strings.Join(parts, "\n")
}

// MaskIDs replaces every ticket ID that m recognises in text with "[ID]", so a
// query cannot point at its own answer.
func MaskIDs(text string, m *mining.Matcher) string {
	if m == nil {
		return text
	}
	return m.Replace(text, "[ID]")
}
