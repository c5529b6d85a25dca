package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/precedent/precedent/app"
	"github.com/precedent/precedent/data/synth"
)

func init() {
	register(command{"synth", "generate the built-in synthetic SOC archive (export files + ground truth)", cmdSynth})
	register(command{"import", "import a CSV / JSONL / JSON export of closed tickets", cmdImport})
	register(command{"stats", "archive statistics: tickets by rule, by month, close-note coverage", cmdStats})
}

func cmdSynth(ctx context.Context, args []string) error {
	f := newFlags("synth", "--out DIR [flags]", "Writes tickets.csv (ServiceNow export), tickets.jsonl, ground_truth.jsonl and manifest.json.", 0, 0)
	out := f.String("out", "", "output folder (required)")
	n := f.Int("tickets", 20000, "number of tickets")
	seed := f.Int64("seed", 1, "random seed (same seed, same archive)")
	years := f.Float64("years", 0, "time span in years (default 2, as the demo)")
	if err := f.parse(args); err != nil {
		return err
	}
	if *out == "" {
		fmt.Fprintln(os.Stderr, "precedent synth: --out is required")
		return errUsage
	}
	cfg := synth.Config{Tickets: *n, Seed: *seed}
	if *years > 0 {
		cfg.Span = time.Duration(*years * 365.25 * 24 * float64(time.Hour))
	}
	res, err := app.Synth(ctx, cfg, *out, newBar().progress())
	if err != nil {
		return err
	}
	if f.json() {
		return printJSON(res)
	}
	fmt.Printf("wrote %d tickets in %.1fs to %s\n", res.Tickets, res.Seconds, res.Dir)
	for _, p := range res.Files {
		fmt.Println("  " + p)
	}
	return nil
}

func cmdImport(ctx context.Context, args []string) error {
	f := newFlags("import", "FILE... [flags]",
		"Imports closed tickets. Columns are auto-detected unless --map or --preset is given;\n"+
			"the mapping used is printed. Re-importing a file updates tickets by ID (idempotent).\n"+
			"SPEC: id=Number,opened=Opened,rule=Category,title=\"Short description\",...", 1, -1)
	mapping := f.String("map", "", "column mapping: field=Column,... (fields: id opened closed rule severity host user title description close_notes)")
	preset := f.String("preset", "", "column preset: servicenow, jira, thehive, splunk")
	format := f.String("format", "", "csv, tsv, jsonl or json (default: from the extension)")
	p, err := f.parseOpen(args)
	if err != nil {
		return err
	}
	defer p.Close()
	var reports []any
	failed := 0
	for _, path := range f.positional {
		start := time.Now()
		rep, err := p.Import(ctx, path, app.ImportOptions{Format: *format, Mapping: *mapping, Preset: *preset}, newBar().progress())
		if err != nil {
			return err
		}
		if rep.Rejected > 0 {
			failed++
		}
		reports = append(reports, rep)
		if f.json() {
			continue
		}
		fmt.Printf("%s (%s): %d rows, %d imported (%d new, %d updated), %d rejected, %d duplicate IDs in file, in %.1fs\n",
			rep.File, rep.Format, rep.Rows, rep.Imported, rep.Added, rep.Updated, rep.Rejected, rep.DuplicateIDs, time.Since(start).Seconds())
		fmt.Printf("  mapping: %s\n", rep.Mapping)
		if rep.Recoded > 0 {
			fmt.Printf("  %d rows were not UTF-8 and were decoded as Windows-1252\n", rep.Recoded)
		}
		for i, r := range rep.Rejects {
			if i == 10 {
				fmt.Printf("  ... %d more in %s\n", rep.Rejected-10, rep.RejectsFile)
				break
			}
			fmt.Printf("  rejected %s line %d: %s\n", filepath.Base(r.File), r.Line, r.Reason)
		}
	}
	if f.json() {
		n, _ := p.Store.CountTickets()
		if len(reports) == 1 {
			return printJSON(map[string]any{"report": reports[0], "tickets": n})
		}
		return printJSON(map[string]any{"reports": reports, "tickets": n})
	}
	return nil
}

func cmdStats(ctx context.Context, args []string) error {
	f := newFlags("stats", "[flags]", "Counts tickets by rule and by month, and the share with close-notes.", 0, 0)
	top := f.Int("top", 15, "rules to list")
	p, err := f.parseOpen(args)
	if err != nil {
		return err
	}
	defer p.Close()
	s, err := p.Stats()
	if err != nil {
		return err
	}
	if f.json() {
		return printJSON(s)
	}
	fmt.Printf("tickets: %d   rules: %d   with close-notes: %.1f%%\n", s.Tickets, len(s.ByRule), 100*s.CloseNoteCoverage)
	if s.Tickets == 0 {
		fmt.Println("the archive is empty: import an export with `precedent import FILE`")
		return nil
	}
	fmt.Printf("opened: %s … %s\n\n", s.Earliest.Format("2006-01-02"), s.Latest.Format("2006-01-02"))
	type kv struct {
		k string
		v int
	}
	var rules []kv
	for k, v := range s.ByRule {
		rules = append(rules, kv{k, v})
	}
	sort.Slice(rules, func(i, j int) bool {
		return rules[i].v > rules[j].v || rules[i].v == rules[j].v && rules[i].k < rules[j].k
	})
	rows := [][]string{{"RULE", "TICKETS"}}
	for i, r := range rules {
		if i == *top {
			rows = append(rows, []string{fmt.Sprintf("(%d more rules)", len(rules)-*top), ""})
			break
		}
		rows = append(rows, []string{r.k, fmt.Sprint(r.v)})
	}
	table(os.Stdout, rows)
	fmt.Println()
	var months []string
	maxN := 0
	for m, n := range s.ByMonth {
		months = append(months, m)
		maxN = max(maxN, n)
	}
	sort.Strings(months)
	for _, m := range months {
		n := s.ByMonth[m]
		fmt.Printf("%s %6d %s\n", m, n, strings.Repeat("▇", max(1, 40*n/max(1, maxN))))
	}
	return nil
}
