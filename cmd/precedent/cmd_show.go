package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/precedent/precedent/app"
	"github.com/precedent/precedent/data/importer"
)

func init() {
	register(command{"show", "one ticket as Precedent reads it: fields with role and visibility, entities, links, model text", cmdShow})
}

func cmdShow(ctx context.Context, args []string) error {
	f := newFlags("show", "ID [flags]", "Shows one ticket: every field with its role and visibility (open/close), its entities by kind\n"+
		"(stop-entities marked), its links with their source, and the ticket rendered as the model sees it:\n"+
		"as a new query, and as a precedent for a query opened at --as-of.", 1, 1)
	asOf := f.String("as-of", "", "render as of this time (any date the importer reads; default: now, everything visible)")
	p, err := f.parseOpen(args)
	if err != nil {
		return err
	}
	defer p.Close()
	var at time.Time
	if *asOf != "" {
		if at, err = importer.ParseTime(*asOf, nil); err != nil {
			return fmt.Errorf("--as-of %q: %w", *asOf, err)
		}
	}
	v, err := p.ShowTicket(f.positional[0], at)
	if err != nil {
		return err
	}
	if f.json() {
		return printJSON(v)
	}
	printShow(v)
	return nil
}

func printShow(v app.TicketView) {
	when := "now (everything visible)"
	if !v.AsOf.IsZero() {
		when = v.AsOf.UTC().Format(time.RFC3339)
	}
	fmt.Printf("ticket %s as of %s\n\nfields\n", v.ID, when)
	rows := [][]string{{"  FIELD", "COLUMN", "ROLE", "VISIBILITY", "AS OF", "VALUE"}}
	for _, fv := range v.Fields {
		vis := fv.Visibility
		if !fv.WrittenAt.IsZero() {
			vis += " " + fv.WrittenAt.Format("2006-01-02 15:04")
		}
		seen := "visible"
		if !fv.Visible {
			seen = "hidden"
		}
		rows = append(rows, []string{"  " + fv.Field, fv.Column, fv.Role, vis, seen, oneLine(fv.Value, 70)})
	}
	table(os.Stdout, rows)
	fmt.Println("\nentities")
	if len(v.Entities) == 0 {
		fmt.Println("  (none)")
	}
	byKind := map[string][]string{}
	var kinds []string
	for _, e := range v.Entities {
		if _, ok := byKind[e.Kind]; !ok {
			kinds = append(kinds, e.Kind)
		}
		s := e.Value
		if e.Stop {
			s += " (stop-entity: never shared evidence)"
		}
		byKind[e.Kind] = append(byKind[e.Kind], s)
	}
	for _, k := range kinds {
		fmt.Printf("  %-8s %s\n", k, strings.Join(byKind[k], ", "))
	}
	fmt.Println("\nlinks")
	if len(v.Links) == 0 {
		fmt.Println("  (none)")
	}
	rows = [][]string{{"  TO", "SOURCE", "LINK TYPE", "MINED AS", "CUE", "IN ARCHIVE", "TRAINING"}}
	for _, l := range v.Links {
		src := l.Source
		if l.From != "" {
			src += " " + l.From
		}
		rows = append(rows, []string{"  " + l.To, src, l.Kind, l.Mined, l.Cue, yesNo(l.InArchive), yesNo(l.Training)})
	}
	if len(v.Links) > 0 {
		table(os.Stdout, rows)
	}
	fmt.Printf("\nas a query (%s pair text)\n%s\n\nas a precedent for a query opened %s\n%s\n", v.Format, indent(v.Query), when, indent(v.Document))
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func indent(s string) string { return "  " + strings.ReplaceAll(s, "\n", "\n  ") }
