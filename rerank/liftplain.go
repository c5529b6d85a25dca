package rerank

import (
	"regexp"
	"strings"

	"github.com/precedent/precedent/data"
)

// LiftPlain reads a plain-text ticket, as a retrieval pipeline sends it
// ("title. description ..."), into a Ticket so a structured pair format can
// render it as in training: "rule: x", "user: x", "host: x" and
// "severity: x" written in the text fill those fields, the first line or
// sentence is the title, and the rest the description, where the format's
// entity extraction finds IPs, hosts, users, domains and hashes. Close notes
// cannot be told apart from the description in plain text and stay in it.
func LiftPlain(text string) data.Ticket {
	var t data.Ticket
	rest := liftField.ReplaceAllStringFunc(text, func(m string) string {
		sub := liftField.FindStringSubmatch(m)
		v := strings.TrimSpace(sub[2])
		switch strings.ToLower(sub[1]) {
		case "rule":
			t.Rule = v
		case "user":
			t.User = v
		case "host":
			t.Host = v
		case "severity":
			t.Severity = v
		}
		return " "
	})
	rest = strings.TrimSpace(rest)
	cut := len(rest)
	if i := strings.IndexByte(rest, '\n'); i >= 0 {
		cut = i
	}
	if i := strings.Index(rest, ". "); i >= 0 && i < cut {
		cut = i + 1
	}
	if cut > maxLiftedTitle {
		cut = 0 // no short first sentence: all of it is description
	}
	t.Title = strings.TrimSpace(rest[:cut])
	t.Description = strings.TrimSpace(rest[cut:])
	return t
}

// maxLiftedTitle bounds a lifted title, in bytes: a first sentence longer
// than this is description.
const maxLiftedTitle = 160

// liftField matches "name: value" for the header fields, the value running
// to the end of the line or to a separator.
var liftField = regexp.MustCompile(`(?i)\b(rule|user|host|severity)\s*[:=]\s*([^\n|;,]+?)\s*(?:[\n|;,]|$)`)
