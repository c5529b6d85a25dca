package main

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/precedent/precedent/app"
	"github.com/precedent/precedent/data/mining"
	"github.com/precedent/precedent/internal/tally"
)

func init() {
	register(command{"mine", "mine positive pairs from close-note cross-references and split them by time", cmdMine})
}

// listFlag collects a repeatable or comma-separated flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

func cmdMine(ctx context.Context, args []string) error {
	f := newFlags("mine", "[flags]", "Extracts ticket IDs cited in close-notes and comments and explicit link fields, keeps links between\n"+
		"existing tickets, sets negated mentions (\"not related to\", \"ruled out\") apart, drops trivial duplicates,\n"+
		"expands master-case groups with caps, samples across rules, and splits by time.", 0, 0)
	def := app.DefaultMineOptions()
	o := def
	var presets, patterns, fields, negated, linkKinds listFlag
	f.Var(&presets, "preset", "ID pattern preset(s): "+strings.Join(mining.PresetNames(), ", ")+" (repeatable; default: the project's settings, else servicenow)")
	f.Var(&patterns, "pattern", "custom ID regular expression (repeatable)")
	f.Var(&fields, "fields", "text fields to read: "+strings.Join(mining.TextFields, ",")+" (default "+strings.Join(mining.DefaultOptions().Fields, ",")+")")
	f.Var(&negated, "negated", "extra negated cue phrase (RE2, case-insensitive), added to the built-in ones (repeatable)")
	f.Var(&linkKinds, "link-kinds", "explicit link kinds that make positives, or all (default: duplicate, relates, clones, parent, merged; not blocks, causes)")
	f.StringVar(&o.Ties, "ties", def.Ties, "links between tickets opened at the same instant (same day for date-only exports): order (by ID) or drop")
	f.IntVar(&o.MaxPartners, "max-partners", def.MaxPartners, "positives per query within a group (-1 no cap)")
	f.IntVar(&o.MaxGroupPairs, "max-group-pairs", def.MaxGroupPairs, "pairs per group (-1 no cap)")
	f.IntVar(&o.MaxPerRule, "max-per-rule", def.MaxPerRule, "training positives per query rule (0: 3× the mean per rule, at least 300; -1 no cap)")
	f.IntVar(&o.MaxPerRulePair, "max-per-rule-pair", def.MaxPerRulePair, "training positives per (query rule, positive rule) (0: 3× the mean, at least 100; -1 no cap)")
	f.Float64Var(&o.TrainFrac, "train", def.TrainFrac, "fraction of time for training")
	f.Float64Var(&o.ValFrac, "val", def.ValFrac, "fraction of time for validation (the rest is test)")
	trainEnd := f.String("train-end", "", "explicit end of the train window (YYYY-MM-DD); overrides fractions")
	valEnd := f.String("val-end", "", "explicit end of the validation window (YYYY-MM-DD)")
	if err := f.parse(args); err != nil {
		return err
	}
	o.Presets, o.Patterns, o.Fields, o.NegatedCues = presets, patterns, fields, negated
	if len(linkKinds) > 0 {
		o.LinkKinds = linkKinds
	}
	for _, d := range []struct {
		s   string
		dst *time.Time
	}{{*trainEnd, &o.TrainEnd}, {*valEnd, &o.ValEnd}} {
		if d.s == "" {
			continue
		}
		t, err := time.Parse("2006-01-02", d.s)
		if err != nil {
			return fmt.Errorf("bad date %q: want YYYY-MM-DD", d.s)
		}
		*d.dst = t
	}
	if err := o.Validate(); err != nil {
		return f.optionError(err, map[string]string{"presets": "preset", "patterns": "pattern", "fields": "fields", "negated_cues": "negated",
			"link_kinds": "link-kinds", "ties": "ties", "max_partners": "max-partners", "max_group_pairs": "max-group-pairs",
			"max_per_rule": "max-per-rule", "max_per_rule_pair": "max-per-rule-pair", "train_frac": "train", "val_frac": "val",
			"train_end": "train-end", "val_end": "val-end"})
	}
	p, err := f.open()
	if err != nil {
		return err
	}
	defer p.Close()
	res, err := p.Mine(ctx, o, newBar().progress())
	if err != nil {
		return err
	}
	if f.json() {
		out := map[string]any{"result": res, "funnel": res.Funnel, "windows": res.Windows}
		if res.Truth != nil {
			// recall: share of the queries whose notes reveal a precedent that
			// got at least one correct positive (the per-query caps bound how
			// many of a campaign's pairs can be kept; pair_recall counts pairs).
			out["precision"] = res.Truth.Final.Precision
			out["recall"] = res.Truth.Final.QueryRecall
			out["pair_recall"] = res.Truth.Final.Recall
			stages := map[string]float64{}
			for _, s := range res.Truth.Stages {
				stages[s.Name] = s.Precision
			}
			out["precision_by_stage"] = stages
			out["precision_by_class"] = res.Truth.Classes
		}
		out["negated_cues"] = res.NegatedCues
		if res.Invalidated != nil {
			out["invalidated"] = res.Invalidated
		}
		return printJSON(out)
	}
	printMine(res)
	return nil
}

func printMine(r app.MineResult) {
	fu := r.Funnel
	fmt.Printf("mined %d tickets in %.1fs\n\nfunnel\n", r.Tickets, r.Seconds)
	table(os.Stdout, [][]string{
		{"  ID mentions in notes", fmt.Sprint(fu.Mentions)},
		{"  → of existing tickets", fmt.Sprint(fu.Existing)},
		{"  → not self-references", fmt.Sprint(fu.NonSelf)},
		{"  → distinct links", fmt.Sprintf("%d   (%d with an explicit link field)", fu.Links, fu.FieldLinks)},
		{"  → non-trivial positive links", fmt.Sprint(fu.NonTrivial)},
		{"  → after group expansion", fmt.Sprintf("%d   (unbounded: %d)", fu.Expanded, fu.GroupPairs)},
		{"  → after stratified sampling", fmt.Sprint(fu.Sampled)},
	})
	fmt.Printf("  trivial duplicates: %d   links turned around: %d\n", fu.Trivial, fu.Reversed)
	fmt.Printf("  groups kept apart: %d tickets cite into two groups that no second citation or shared host/user ties together\n", fu.Unjoined)
	fmt.Printf("  negated (never positives): %d links from %d mentions; %d expanded pairs blocked by one\n", fu.Negated, fu.NegatedRefs, fu.Blocked)
	tie := "kept, ordered by ID"
	if r.Ties == mining.TiesDrop {
		tie = "dropped"
	}
	same := "same instant"
	if r.DateOnly {
		same = "same day (dates only)"
	}
	fmt.Printf("  links between tickets opened the %s: %d, %d dropped (--ties %s: %s)\n", same, fu.SameInstant, fu.SameDropped, r.Ties, tie)
	if r.CoarseTimes {
		fmt.Printf("  coarse times (%.0f%% of tickets share an opened instant): the trivial rule's time-gap test is off\n", 100*r.Shared)
	}
	fmt.Printf("  explicit link fields read: %d (%d naming no other ticket)\n", fu.LinkFields, fu.LinkMissing)
	if len(r.NegatedCues) > 0 {
		var ks []string
		for k, v := range r.NegatedCues {
			ks = append(ks, fmt.Sprintf("%q %d", k, v))
		}
		sort.Strings(ks)
		fmt.Printf("  negated cues: %s\n", strings.Join(ks, ", "))
	}
	if len(r.Missing) > 0 {
		var ks []string
		for k, v := range r.Missing {
			ks = append(ks, fmt.Sprintf("%s: %d", k, v))
		}
		sort.Strings(ks)
		fmt.Printf("  IDs not in the archive: %s\n", strings.Join(ks, ", "))
	}
	fmt.Println("\ntime split (by the query's opened time)")
	rows := [][]string{{"  WINDOW", "FROM", "TO", "TICKETS", "QUERIES", "POSITIVES"}}
	for _, w := range r.Windows {
		rows = append(rows, []string{"  " + w.Name, w.Start.Format("2006-01-02"), w.End.Format("2006-01-02"), fmt.Sprint(w.Tickets), fmt.Sprint(w.Queries), fmt.Sprint(w.Pairs)})
	}
	table(os.Stdout, rows)
	l := r.Leakage
	fmt.Printf("  leakage guard: %d positives not earlier than their query dropped, %d in a later window dropped, %d query texts masked\n", l.NotEarlier, l.LaterWindow, l.TextLeaks)
	if len(r.PerRule) > 0 {
		per := map[string]int{}
		for _, s := range r.PerRule {
			per[s.QueryRule] += s.Kept
		}
		top := tally.Ranked(per)
		fmt.Printf("\npositives per query rule (%d rules, top 10; caps: %d per rule, %d per rule pair)\n", len(top), r.Caps[0], r.Caps[1])
		for i, t := range top {
			if i == 10 {
				break
			}
			fmt.Printf("  %-50s %d\n", t.Name, t.Count)
		}
	}
	if r.TruthNote != "" {
		fmt.Printf("\n%s\n", r.TruthNote)
	}
	if r.Truth != nil {
		fmt.Printf("\nagainst the synthetic ground truth (%d queries whose notes reveal a precedent, %d revealable pairs)\n", r.Truth.Queries, r.Truth.Revealable)
		rows := [][]string{{"  SET", "PAIRS", "PRECISION", "QUERY RECALL", "PAIR RECALL"}}
		for _, s := range append([]mining.Score{r.Truth.Final}, r.Truth.Variants...) {
			rows = append(rows, []string{"  " + s.Name, fmt.Sprint(s.Pairs), fmt.Sprintf("%.3f", s.Precision), fmt.Sprintf("%.3f", s.QueryRecall), fmt.Sprintf("%.3f", s.Recall)})
		}
		table(os.Stdout, rows)
		rows = [][]string{{"  STAGE / CLASS", "PAIRS", "PRECISION"}}
		for _, s := range r.Truth.Stages {
			rows = append(rows, []string{"  " + s.Name, fmt.Sprint(s.Pairs), fmt.Sprintf("%.3f", s.Precision)})
		}
		for _, c := range r.Truth.Classes {
			name := "  class " + c.Class
			if !c.Positive {
				name += " (never positive; share related)"
			}
			rows = append(rows, []string{name, fmt.Sprint(c.Pairs), fmt.Sprintf("%.3f", c.Precision)})
		}
		table(os.Stdout, rows)
	}
	if r.Invalidated != nil {
		inv := r.Invalidated
		fmt.Printf("\n%s: cleared %d candidate lists and the negatives of %d queries; %d runs marked stale; %d reviews kept\n",
			inv.Message, inv.Candidates, inv.Negatives, len(inv.StaleRuns), inv.Reviews)
	}
}
