package app

import (
	"fmt"
	"sort"
	"time"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/data/importer"
	"github.com/precedent/precedent/ml/pairtext"
)

// TicketView is one stored ticket as Precedent reads it: every field with
// its role and visibility, its entities, its links and where each came
// from, and the text the model sees — what `precedent show` prints and the
// Archive panel shows.
type TicketView struct {
	ID string `json:"id"`
	// AsOf is the time the view is taken at: fields written later are
	// marked not visible and left out of Document. Zero means "now": all.
	AsOf     time.Time    `json:"as_of,omitzero"`
	Fields   []FieldView  `json:"fields"`
	Entities []EntityView `json:"entities"`
	Links    []LinkView   `json:"links"`
	// Query is the ticket rendered as a new query (what was known when it
	// opened); Document is it rendered as a precedent for a query opened at
	// AsOf. Both in the project's pair format, IDs masked.
	Format   string `json:"format"`
	Query    string `json:"query_text"`
	Document string `json:"document_text"`
}

// FieldView is one field of a ticket.
type FieldView struct {
	Field  string `json:"field"`            // ticket field ("title"), "comment N", or the column of an extra field
	Column string `json:"column,omitempty"` // the export column it was read from (the last import's mapping), when known
	// Role is what Precedent uses it as: id, opened, closed, rule, severity,
	// host, user, title, description, close_notes, comment, extra (another
	// column known when the ticket opened) or closing (one known only once
	// it was worked on).
	Role string `json:"role"`
	// Visibility is when the field became known: "open" (when the ticket
	// opened), "close" (once it closed) or, for a timestamped comment,
	// "written" (at WrittenAt).
	Visibility string    `json:"visibility"`
	WrittenAt  time.Time `json:"written_at,omitzero"`
	Visible    bool      `json:"visible"` // known at AsOf
	Value      string    `json:"value"`
}

// EntityView is one entity of the ticket (opening-time fields only, as
// pairtext.Entities reads them).
type EntityView struct {
	Kind  string `json:"kind"`
	Value string `json:"value"`
	Stop  bool   `json:"stop,omitempty"` // a stop-entity of the archive: shown, never shared evidence
}

// LinkView is one link of the ticket to another ticket.
type LinkView struct {
	To string `json:"to"`
	// Source is where the link was read: "link field" (the source system's
	// own link, Kind its type), "close_notes" or "comment N" (an ID cited
	// in the text), or "cited by" (another ticket's note or link names this
	// one; From is that ticket).
	Source    string `json:"source"`
	Kind      string `json:"kind,omitempty"`  // the link field's type (duplicate, parent, relates...)
	Mined     string `json:"mined,omitempty"` // the class of the mined pair between the two (last mining run), by label precedence
	Cue       string `json:"cue,omitempty"`   // the cue phrase behind that class
	From      string `json:"from,omitempty"`  // the citing ticket, for "cited by"
	InArchive bool   `json:"in_archive"`      // the other ticket is in the archive
	Training  bool   `json:"training"`        // a mined training positive ties the two
}

// ShowTicket builds the view of ticket id as of asOf (zero: now). Mined
// citations come from the last mining run; before one, the project's ID
// patterns find the IDs in the ticket's own notes.
func (p *Project) ShowTicket(id string, asOf time.Time) (TicketView, error) {
	t, ok, err := p.Store.Ticket(id)
	if err != nil {
		return TicketView{}, fmt.Errorf("show %s: %w", id, err)
	}
	if !ok {
		return TicketView{}, fmt.Errorf("show %s: no such ticket in the archive", id)
	}
	v := TicketView{ID: t.ID, AsOf: asOf}
	columns, err := p.lastImportColumns()
	if err != nil {
		return v, fmt.Errorf("show %s: %w", id, err)
	}
	v.Fields = ticketFields(t, asOf, columns)
	stops, err := p.StopEntities()
	if err != nil {
		return v, fmt.Errorf("show %s: %w", id, err)
	}
	for _, e := range pairtext.Entities(t) {
		v.Entities = append(v.Entities, EntityView{Kind: e.Kind.String(), Value: e.Value, Stop: stops[e]})
	}
	if v.Links, err = p.ticketLinks(t); err != nil {
		return v, fmt.Errorf("show %s: %w", id, err)
	}
	f, err := p.pairFormat("")
	if err != nil {
		return v, fmt.Errorf("show %s: %w", id, err)
	}
	v.Format = f.Name
	v.Query = pairtext.QuerySide(t, f)
	v.Document = pairtext.DocSide(data.Ticket{Opened: asOf}, t, f)
	return v, nil
}

// ticketFields lists t's fields in a fixed order, each with its role,
// visibility and whether a query opened at asOf could see it.
func ticketFields(t data.Ticket, asOf time.Time, columns map[string]string) []FieldView {
	seen := t.AsOf(asOf)
	var out []FieldView
	add := func(role, value, side string) {
		if value == "" {
			return
		}
		visible := side == importer.SideOpen || asOf.IsZero() || t.ClosedBefore(asOf)
		out = append(out, FieldView{Field: role, Column: columns[role], Role: role, Visibility: side, Visible: visible, Value: value})
	}
	timeText := func(tm time.Time) string {
		if tm.IsZero() {
			return ""
		}
		return tm.UTC().Format(time.RFC3339)
	}
	add("id", t.ID, importer.SideOpen)
	add("opened", timeText(t.Opened), importer.SideOpen)
	add("closed", timeText(t.Closed), importer.SideClose)
	add("rule", t.Rule, importer.SideOpen)
	add("severity", t.Severity, importer.SideOpen)
	add("host", t.Host, importer.SideOpen)
	add("user", t.User, importer.SideOpen)
	add("title", t.Title, importer.SideOpen)
	add("description", t.Description, importer.SideOpen)
	for _, k := range sortedMapKeys(t.Extra) {
		out = append(out, FieldView{Field: k, Column: k, Role: "extra", Visibility: importer.SideOpen, Visible: true, Value: t.Extra[k]})
	}
	add("close_notes", t.CloseNotes, importer.SideClose)
	for _, k := range sortedMapKeys(t.Closing) {
		_, visible := seen.Closing[k]
		out = append(out, FieldView{Field: k, Column: k, Role: "closing", Visibility: importer.SideClose, Visible: visible, Value: t.Closing[k]})
	}
	for i, c := range t.Comments {
		fv := FieldView{Field: fmt.Sprintf("comment %d", i+1), Column: columns["comments"], Role: "comment",
			Visibility: importer.SideClose, Visible: asOf.IsZero() || t.ClosedBefore(asOf), Value: c.Body}
		if !c.Time.IsZero() {
			fv.Visibility, fv.WrittenAt = "written", c.Time.UTC()
			fv.Visible = fv.Visible || c.Time.Before(asOf)
		}
		if c.Author != "" {
			fv.Value = c.Author + ": " + c.Body
		}
		out = append(out, fv)
	}
	return out
}

// ticketLinks lists t's link fields, the IDs its notes cite and the
// tickets whose notes cite it, with the mined class where mining ran.
func (p *Project) ticketLinks(t data.Ticket) ([]LinkView, error) {
	exists := func(id string) bool {
		_, ok, err := p.Store.Ticket(id)
		return err == nil && ok
	}
	var out []LinkView
	for _, l := range t.Links {
		out = append(out, LinkView{To: l.To, Source: "link field", Kind: l.Kind, InArchive: exists(l.To)})
	}
	m, err := p.matcher()
	if err != nil {
		return nil, err
	}
	cited := func(source, text string) {
		for _, mm := range m.Find(text) {
			if mm.ID != t.ID {
				out = append(out, LinkView{To: mm.ID, Source: source, InArchive: exists(mm.ID)})
			}
		}
	}
	cited("close_notes", t.CloseNotes)
	for i, c := range t.Comments {
		cited(fmt.Sprintf("comment %d", i+1), c.Body)
	}
	pairs, err := p.Pairs()
	if err != nil {
		return nil, err
	}
	for _, sp := range pairs {
		if sp.Query != t.ID && sp.Positive != t.ID {
			continue
		}
		other := sp.Positive
		if other == t.ID {
			other = sp.Query
		}
		matched := false
		for i := range out {
			if out[i].To == other {
				out[i].Mined, out[i].Cue, out[i].Training = sp.Class.String(), sp.Cue, sp.Training()
				matched = true
			}
		}
		if !matched && sp.Source != "" && sp.Source != t.ID {
			out = append(out, LinkView{To: other, Source: "cited by", From: sp.Source, Mined: sp.Class.String(),
				Cue: sp.Cue, InArchive: true, Training: sp.Training()})
		}
	}
	return out, nil
}

// lastImportColumns maps each ticket field to the export column the last
// import read it from.
func (p *Project) lastImportColumns() (map[string]string, error) {
	var lastKey string
	var last importer.Report
	err := forEachJSON(p.Store, "imports", func(key string, r importer.Report) error {
		if key > lastKey {
			lastKey, last = key, r
		}
		return nil
	})
	out := map[string]string{}
	for field, cols := range last.Mapping {
		if len(cols) > 0 {
			out[field] = cols[0]
		}
	}
	return out, err
}

func sortedMapKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
