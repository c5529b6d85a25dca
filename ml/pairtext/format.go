package pairtext

import (
	"fmt"
	"strings"
)

// Field names a Format may list, in the order they should appear. Short
// fields come out as "name: value"; title and description as bare text.
const (
	FieldRule        = "rule"
	FieldSeverity    = "severity"
	FieldUser        = "user"
	FieldHost        = "host"
	FieldTitle       = "title"
	FieldDescription = "description"
	FieldNotes       = "notes"  // close-notes and comments: document side only, never the query
	FieldExtraPrefix = "extra." // "extra.<column>" reads Ticket.Extra[column], or Ticket.Closing[column] where visible
)

// Format says what goes into each side of the pair text.
type Format struct {
	Name     string   `json:"name,omitempty"`
	Fields   []string `json:"fields"`              // ticket fields in order (Field* names)
	Entities bool     `json:"entities"`            // list extracted entities; on the document side, shared ones first
	TimeGap  bool     `json:"time_gap"`            // document side says how long before the query it opened
	Labels   bool     `json:"labels"`              // "rule: x | user: y" segments; false joins bare values with spaces
	MaxChars int      `json:"max_chars,omitempty"` // per side, in characters; 0 = no limit; description is cut first

	// StopEntities are the archive's stop-entities (FindStops): listed with
	// a document's other entities, never among those it shares with the
	// query. Part of the format so serving renders as training did.
	StopEntities []Entity `json:"stop_entities,omitempty"`

	// FutureText shows each document's full text, close-notes and closing
	// fields written after the query opened included. Only the evaluation's
	// leak probe sets it, to show how much a leaky yardstick would flatter a
	// model; training, evaluation and serving never do.
	FutureText bool `json:"-"`

	// Mask rewrites free text (title, description, notes, extra values) on
	// both sides before rendering and entity extraction, e.g. to hide ticket
	// IDs that would give the answer away.
	Mask func(string) string `json:"-"`
}

// Plain is title and description; the document side adds the close notes.
func Plain() Format {
	return Format{Name: "plain", Fields: []string{FieldTitle, FieldDescription, FieldNotes}}
}

// Structured is the default: rule, user, host, entities, and on the document
// side the time gap and the entities it shares with the query.
func Structured() Format {
	return Format{
		Name:     "structured",
		Fields:   []string{FieldRule, FieldUser, FieldHost, FieldTitle, FieldDescription, FieldNotes},
		Entities: true,
		TimeGap:  true,
		Labels:   true,
		// ~150 tokens a side, so a 256-token pair keeps the header, most of
		// the description, and the document's notes.
		MaxChars: 600,
	}
}

// ByName returns a preset: "plain" or "structured" ("" means structured).
func ByName(name string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "", "structured":
		return Structured(), nil
	case "plain":
		return Plain(), nil
	default:
		return Format{}, fmt.Errorf("pair text format %q: want plain or structured", name)
	}
}

// Validate reports the first unknown field or bad limit.
func (f Format) Validate() error {
	for i, name := range f.Fields {
		switch name {
		case FieldRule, FieldSeverity, FieldUser, FieldHost, FieldTitle, FieldDescription, FieldNotes:
		default:
			if !strings.HasPrefix(name, FieldExtraPrefix) || len(name) == len(FieldExtraPrefix) {
				return fmt.Errorf("pair text format %q: fields[%d] %q unknown", f.Name, i, name)
			}
		}
	}
	if f.MaxChars < 0 {
		return fmt.Errorf("pair text format %q: max_chars %d < 0", f.Name, f.MaxChars)
	}
	return nil
}
