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
	"github.com/precedent/precedent/data/importer"
	"github.com/precedent/precedent/data/synth"
	"github.com/precedent/precedent/internal/tally"
)

func init() {
	register(command{"synth", "generate the built-in synthetic SOC archive (export files + ground truth)", cmdSynth})
	register(command{"import", "import exports of closed tickets (CSV, TSV, .xlsx, JSON lines, JSON)", cmdImport})
	register(command{"stats", "archive statistics: tickets by rule, by month, close-note coverage", cmdStats})
}

func cmdSynth(ctx context.Context, args []string) error {
	f := newFlags("synth", "--out DIR [flags]", "Writes tickets.csv (ServiceNow export), tickets.jsonl, ground_truth.jsonl and manifest.json.", 0, 0)
	out := f.String("out", "", "output folder (required)")
	n := f.Int("tickets", synth.DefaultTickets, "number of tickets")
	seed := f.Int64("seed", synth.DefaultSeed, "random seed (same seed, same archive)")
	years := f.Float64("years", 0, "time span in years (default 2, as the demo)")
	dateOnly := f.Bool("date-only", false, "write dates without times, as many exports do (same-day tickets then share their opened instant)")
	drift := f.String("drift", "", "from this `DATE` (YYYY-MM-DD) on, rules retire and are replaced, wording changes and a weekly vulnerability scanner joins the queue: a model trained before it ages (see precedent monitor)")
	if err := f.parse(args); err != nil {
		return err
	}
	if *out == "" {
		fmt.Fprintln(os.Stderr, "precedent synth: --out is required")
		return errUsage
	}
	cfg := synth.Config{Tickets: *n, Seed: *seed, DateOnly: *dateOnly}
	if *drift != "" {
		at, err := time.Parse(time.DateOnly, *drift)
		if err != nil {
			return fmt.Errorf("synth --drift %q: want YYYY-MM-DD: %w", *drift, err)
		}
		cfg.DriftAt = at
	}
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

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func cmdImport(ctx context.Context, args []string) error {
	f := newFlags("import", "FILE... [flags]",
		"Imports closed tickets from CSV, TSV, .xlsx, JSON lines or JSON (arrays, or documents such as\n"+
			"{\"results\": [...]}). Columns are auto-detected unless --map or --preset is given; nested JSON\n"+
			"is addressed by dotted paths (fields.created, fields.comment.comments[]). The mapping used, the\n"+
			"columns known at opening or only at closing, and the links found are printed per file.\n"+
			"Re-importing a file updates tickets by ID (idempotent).\n"+
			"SPEC: id=Number,opened=Opened,title=\"Short description\",comments=fields.comment.comments[],...", 1, -1)
	mapping := f.String("map", "", "column mapping: field=Column,... (fields: "+strings.Join(importer.Fields, " ")+")")
	preset := f.String("preset", "", "column preset: "+strings.Join(importer.Presets(), ", "))
	format := f.String("format", "", "csv, tsv, xlsx, jsonl or json (default: from the extension, then the content)")
	sheet := f.String("sheet", "", ".xlsx: the worksheet to read (default: the first with a header row)")
	tz := f.String("tz", "", "zone of times written without one, e.g. Europe/Paris (default: UTC)")
	dateOrder := f.String("date-order", "", "dmy or mdy for numeric dates such as 02/01/2025 (default: detect from the data)")
	delimiter := f.String("delimiter", "", "CSV separator: one character, or comma, semicolon, tab, pipe (default: sniffed from the first lines)")
	var visible stringList
	f.Var(&visible, "visible", "COLUMN=open|close: when a column was known (repeatable; remembered by the project)")
	if err := f.parse(args); err != nil {
		return err
	}
	o := app.ImportOptions{Format: *format, Mapping: *mapping, Preset: *preset, Sheet: *sheet, TZ: *tz, DateOrder: *dateOrder, Delimiter: *delimiter, Visibility: visible}
	if err := o.Validate(); err != nil { // its errors name the flag already
		fmt.Fprintf(os.Stderr, "precedent import: %v\n", err)
		return errUsage
	}
	p, err := f.open()
	if err != nil {
		return err
	}
	defer p.Close()
	if len(f.positional) > 1 && len(visible) > 0 {
		// Each file may hold some of the --visible columns; none may name
		// a column no file holds.
		if err := app.CheckVisibility(f.positional, o); err != nil {
			return err
		}
		o.VisibilityChecked = true
	}
	var reports []any
	var failed []string
	for _, path := range f.positional {
		start := time.Now()
		rep, err := p.Import(ctx, path, o, newBar().progress())
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			// Other files still import; what this one committed is kept.
			failed = append(failed, path)
			fmt.Fprintf(os.Stderr, "precedent import: %v\n", err)
			if rep.Imported > 0 {
				fmt.Fprintf(os.Stderr, "  %d tickets read before the error are kept\n", rep.Imported)
			}
			reports = append(reports, map[string]any{"file": path, "error": err.Error(), "report": rep})
			continue
		}
		reports = append(reports, rep)
		if f.json() {
			continue
		}
		printImportReport(rep, time.Since(start))
	}
	n, _ := p.Store.CountTickets()
	if f.json() {
		if len(reports) == 1 {
			if err := printJSON(map[string]any{"report": reports[0], "tickets": n}); err != nil {
				return err
			}
		} else if err := printJSON(map[string]any{"reports": reports, "tickets": n}); err != nil {
			return err
		}
	} else if len(f.positional) > 1 {
		fmt.Printf("%d files, %d failed; %d tickets in the project\n", len(f.positional), len(failed), n)
	}
	if len(failed) > 0 {
		return fmt.Errorf("import failed for %s", strings.Join(failed, ", "))
	}
	return nil
}

// printImportReport writes one file's summary: counts, mapping, times,
// where the other columns went, links and rejects.
func printImportReport(rep importer.Report, took time.Duration) {
	src := rep.Format
	if rep.Sheet != "" {
		src += ", sheet " + rep.Sheet
	}
	if rep.Delimiter != "" && rep.Delimiter != "comma" && rep.Format == "csv" {
		src += ", " + rep.Delimiter + "-separated"
	}
	fmt.Printf("%s (%s): %d rows, %d imported (%d new, %d updated), %d rejected, %d duplicate IDs in file, in %.1fs\n",
		rep.File, src, rep.Rows, rep.Imported, rep.Added, rep.Updated, rep.Rejected, rep.DuplicateIDs, took.Seconds())
	fmt.Printf("  mapping: %s\n", rep.Mapping)
	for _, line := range rep.DetectionNotes() {
		fmt.Printf("  %s\n", line)
	}
	if len(rep.Mapping["closed"]) == 0 {
		fmt.Println("  no closed-time column: close-notes and closing-time columns count as written after every query (map one with --map closed=COLUMN)")
	}
	if rep.DateOrderNote != "" {
		order := rep.DateOrder
		if order == "" {
			order = "conventional"
		}
		fmt.Printf("  day/month order: %s (%s)\n", order, rep.DateOrderNote)
	}
	var open, closing []string
	for col, side := range rep.Visibility {
		if side == importer.SideClose {
			closing = append(closing, col)
		} else {
			open = append(open, col)
		}
	}
	sort.Strings(open)
	sort.Strings(closing)
	if len(open) > 0 {
		fmt.Printf("  known at opening (extra): %s\n", listCut(open, 25))
	}
	if len(closing) > 0 {
		fmt.Printf("  known only at closing: %s\n", listCut(closing, 25))
	}
	if len(open)+len(closing) > 0 {
		fmt.Println("  change with --visible COLUMN=open|close (remembered by the project)")
	}
	if rep.Comments > 0 || rep.Links > 0 {
		var lc []string
		for col, kind := range rep.LinkColumns {
			lc = append(lc, fmt.Sprintf("%s→%s", col, kind))
		}
		sort.Strings(lc)
		fmt.Printf("  %d comments, %d links", rep.Comments, rep.Links)
		if len(lc) > 0 {
			fmt.Printf(" (from %s)", listCut(lc, 10))
		}
		fmt.Println()
		if rep.Links > 0 {
			fmt.Println("  links that make positives by default: duplicate, relates, clones, parent, merged (precedent mine --link-kinds KIND,... or all)")
		}
	}
	if rep.CommentBadTimes > 0 {
		fmt.Printf("  %d comments had unreadable times: kept, visible only once their ticket closed\n", rep.CommentBadTimes)
	}
	if rep.BadClosed > 0 {
		fmt.Printf("  %d rows have no closed time, missing or unreadable", rep.BadClosed)
		if len(rep.BadClosedEx) > 0 {
			fmt.Printf(" (e.g. %q)", rep.BadClosedEx)
		}
		fmt.Println(": their closing text stays hidden from every query")
	}
	if rep.Recoded > 0 {
		fmt.Printf("  %d rows were not UTF-8 and were decoded as Windows-1252\n", rep.Recoded)
	}
	for i, r := range rep.Rejects {
		if i == 10 {
			fmt.Printf("  ... %d more in %s\n", rep.Rejected-10, rep.RejectsFile)
			break
		}
		at := fmt.Sprintf("line %d", r.Line)
		if r.Record > 0 {
			at = fmt.Sprintf("record %d", r.Record)
		}
		fmt.Printf("  rejected %s %s: %s\n", filepath.Base(r.File), at, r.Reason)
	}
}

// listCut joins up to n items and says how many more there are.
func listCut(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:n], ", ") + fmt.Sprintf(" … (%d more)", len(items)-n)
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
	rules := tally.Ranked(s.ByRule)
	rows := [][]string{{"RULE", "TICKETS"}}
	for i, r := range rules {
		if i == *top {
			rows = append(rows, []string{fmt.Sprintf("(%d more rules)", len(rules)-*top), ""})
			break
		}
		rows = append(rows, []string{r.Name, fmt.Sprint(r.Count)})
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
