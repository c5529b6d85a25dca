package importer

import (
	"encoding/json"
	"regexp"
	"strings"
	"time"

	"github.com/precedent/precedent/data"
)

// commentKeys name, in order of preference, where a comment object keeps
// its text, its time and its author (Jira, ServiceNow, TheHive, Sentinel,
// data.Ticket's own comments).
var (
	commentBodyKeys   = []string{"body", "text", "message", "comment", "content", "value", "note", "description"}
	commentTimeKeys   = []string{"created", "createdAt", "_createdAt", "created_at", "creation_time", "time", "timestamp", "date", "sys_created_on", "createdTimeUtc", "startDate", "updated"}
	commentAuthorKeys = []string{"author", "createdBy", "_createdBy", "user", "creator", "owner", "sys_created_by", "updateAuthor"}
	personKeys        = []string{"displayName", "name", "emailAddress", "email", "userPrincipalName", "login"}
)

// commentReader turns comment values into data.Comments, parsing their
// times like the rest of the file; unparsable times are kept as zero (the
// comment is then visible only once the ticket closed) and counted.
type commentReader struct {
	times   timeParser
	loc     *time.Location
	badTime int
}

func (c *commentReader) time(s string) time.Time {
	if strings.TrimSpace(s) == "" {
		return time.Time{}
	}
	t, err := c.times.parse(s, c.loc)
	if err != nil {
		c.badTime++
		return time.Time{}
	}
	return t
}

// fromValue reads one JSON value: an array of comments, one comment
// object, or text.
func (c *commentReader) fromValue(v any, out []data.Comment) []data.Comment {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			out = c.fromValue(e, out)
		}
	case map[string]any:
		var body string
		for _, k := range commentBodyKeys {
			if b, ok := x[k]; ok {
				if body = strings.TrimSpace(docText(b)); body != "" {
					break
				}
			}
		}
		if body == "" {
			// No known text key: keep the object's text values rather
			// than lose them.
			var n, v, a []string
			flatten("", x, &n, &v, &a)
			var parts []string
			for i, name := range n {
				if _, isNum := x[name].(json.Number); !isNum && v[i] != "" && !contains(commentTimeKeys, name) {
					parts = append(parts, v[i])
				}
			}
			body = strings.Join(parts, " ")
		}
		if body == "" {
			return out
		}
		cm := data.Comment{Body: body}
		for _, k := range commentTimeKeys {
			if t, ok := x[k]; ok {
				if s := jsonText(t); s != "" {
					cm.Time = c.time(s)
					break
				}
			}
		}
		for _, k := range commentAuthorKeys {
			if a, ok := x[k]; ok {
				if cm.Author = person(a); cm.Author != "" {
					break
				}
			}
		}
		out = append(out, cm)
	case nil:
	default:
		out = c.fromText(jsonText(x), out)
	}
	return out
}

// person is a display name from a string or a user object.
func person(v any) string {
	if m, ok := v.(map[string]any); ok {
		for _, k := range personKeys {
			if s, ok := m[k].(string); ok && s != "" {
				return s
			}
		}
		return ""
	}
	return strings.TrimSpace(jsonText(v))
}

// docText is the text of a comment body: a string as is, or the text
// nodes of a rich-text document (Jira's Atlassian Document Format).
func docText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		if t, ok := x["text"].(string); ok {
			return t
		}
		if content, ok := x["content"].([]any); ok {
			var parts []string
			for _, e := range content {
				if s := docText(e); s != "" {
					parts = append(parts, s)
				}
			}
			sep := " "
			if x["type"] == "doc" {
				sep = "\n"
			}
			return strings.Join(parts, sep)
		}
	}
	return ""
}

// journalHeader matches a ServiceNow journal entry's header line:
// "2024-01-02 10:00:00 - Jane Doe (Work notes)".
var journalHeader = regexp.MustCompile(`(?m)^(\d[\d/.: -]*\d(?: [AP]M)?) - (.+?) \(([^()\n]+)\)[ \t]*\r?$`)

// fromText reads comments written as text: Jira CSV's "15/Sep/21 12:43;
// author;body", ServiceNow journal text of several dated entries, or one
// undated comment.
func (c *commentReader) fromText(s string, out []data.Comment) []data.Comment {
	s = strings.TrimSpace(s)
	if s == "" {
		return out
	}
	if when, rest, ok := strings.Cut(s, ";"); ok && !strings.ContainsAny(when, "\n") {
		if t, err := c.times.parse(when, c.loc); err == nil {
			author, body, ok := strings.Cut(rest, ";")
			if !ok {
				author, body = "", rest
			}
			return append(out, data.Comment{Time: t, Author: strings.TrimSpace(author), Body: strings.TrimSpace(body)})
		}
	}
	heads := journalHeader.FindAllStringSubmatchIndex(s, -1)
	if len(heads) == 0 || heads[0][0] != 0 {
		return append(out, data.Comment{Body: s})
	}
	for i, h := range heads {
		end := len(s)
		if i+1 < len(heads) {
			end = heads[i+1][0]
		}
		body := strings.TrimSpace(s[h[1]:end])
		if body == "" {
			continue
		}
		out = append(out, data.Comment{Time: c.time(s[h[2]:h[3]]), Author: s[h[4]:h[5]], Body: body})
	}
	return out
}
