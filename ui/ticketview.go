package ui

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/precedent/precedent/app"
	"github.com/precedent/precedent/data/importer"
)

// ticketView is the Archive panel's "one ticket" box: a ticket ID and an
// optional time in, app.ShowTicket's view out — every field with its role
// and visibility, the entities by kind, the links with their source, and the
// text the model sees as of that time.
type ticketView struct {
	d      *desktop
	id     *widget.Entry
	asOf   *widget.Entry
	show   *widget.Button
	status *widget.Label
	body   *widget.Label
	root   fyne.CanvasObject
}

func newTicketView(d *desktop) *ticketView {
	v := &ticketView{d: d}
	v.id = widget.NewEntry()
	v.id.SetPlaceHolder("Ticket ID")
	v.id.OnSubmitted = func(string) { v.load() }
	v.asOf = widget.NewEntry()
	v.asOf.SetPlaceHolder("As of (blank: now)")
	v.asOf.OnSubmitted = func(string) { v.load() }
	v.show = widget.NewButtonWithIcon("Show", theme.SearchIcon(), v.load)
	v.status = widget.NewLabel("Type a ticket ID to see it as the model sees it.")
	v.status.Wrapping = fyne.TextWrapWord
	v.body = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	v.body.Wrapping = fyne.TextWrapWord
	inputs := container.NewBorder(nil, nil, nil, v.show, container.NewGridWithColumns(2, v.id, v.asOf))
	v.root = container.NewVBox(heading("One ticket"), inputs, v.status, v.body)
	return v
}

// load shows the ticket typed in, as of the time typed in.
func (v *ticketView) load() {
	p, err := v.d.project()
	if err != nil {
		v.status.SetText(err.Error())
		return
	}
	id := strings.TrimSpace(v.id.Text)
	if id == "" {
		v.status.SetText("Type a ticket ID.")
		return
	}
	var at time.Time
	if s := strings.TrimSpace(v.asOf.Text); s != "" {
		if at, err = importer.ParseTime(s, nil); err != nil {
			v.status.SetText(fmt.Sprintf("As of %q: %v", s, err))
			return
		}
	}
	tv, err := p.ShowTicket(id, at)
	if err != nil {
		v.status.SetText(err.Error())
		v.body.SetText("")
		return
	}
	when := "now (everything visible)"
	if !at.IsZero() {
		when = at.UTC().Format(time.RFC3339)
	}
	v.status.SetText(fmt.Sprintf("%s as of %s: %d fields, %d entities, %d links", tv.ID, when, len(tv.Fields), len(tv.Entities), len(tv.Links)))
	v.body.SetText(ticketViewText(tv))
}

// ticketViewText lays out a view as plain text, section by section.
func ticketViewText(tv app.TicketView) string {
	var b strings.Builder
	b.WriteString("FIELDS (role · visibility · as of)\n")
	for _, f := range tv.Fields {
		col := ""
		if f.Column != "" && f.Column != f.Field {
			col = " [" + f.Column + "]"
		}
		vis := f.Visibility
		if !f.WrittenAt.IsZero() {
			vis += " " + f.WrittenAt.Format("2006-01-02 15:04")
		}
		seen := "visible"
		if !f.Visible {
			seen = "hidden"
		}
		fmt.Fprintf(&b, "%s%s: %s · %s · %s\n    %s\n", f.Field, col, f.Role, vis, seen, oneLine(f.Value))
	}
	b.WriteString("\nENTITIES\n")
	if len(tv.Entities) == 0 {
		b.WriteString("(none)\n")
	}
	for _, e := range tv.Entities {
		stop := ""
		if e.Stop {
			stop = "  (stop-entity: shown, never shared evidence)"
		}
		fmt.Fprintf(&b, "%s: %s%s\n", e.Kind, e.Value, stop)
	}
	b.WriteString("\nLINKS\n")
	if len(tv.Links) == 0 {
		b.WriteString("(none)\n")
	}
	for _, l := range tv.Links {
		src := l.Source
		if l.From != "" {
			src += " " + l.From
		}
		var extra []string
		if l.Kind != "" {
			extra = append(extra, "type "+l.Kind)
		}
		if l.Mined != "" {
			extra = append(extra, "mined as "+l.Mined)
		}
		if !l.InArchive {
			extra = append(extra, "not in the archive")
		}
		if l.Training {
			extra = append(extra, "training positive")
		}
		fmt.Fprintf(&b, "%s ← %s  %s\n", l.To, src, strings.Join(extra, ", "))
	}
	fmt.Fprintf(&b, "\nAS A QUERY (%s pair text)\n%s\n\nAS A PRECEDENT, AS OF THE TIME ABOVE\n%s\n", tv.Format, tv.Query, tv.Document)
	return b.String()
}
