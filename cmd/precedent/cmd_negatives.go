package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/precedent/precedent/app"
	"github.com/precedent/precedent/data/negatives"
)

func init() {
	register(command{"negatives", "mine, list, show and review hard negatives (negatives mine|list|show|mark)", cmdNegatives})
}

func cmdNegatives(ctx context.Context, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(os.Stderr, "Usage: precedent negatives mine|list|show|mark [flags]\n\n"+
			"  mine                 select hard negatives from the first-stage lists\n"+
			"  list [--state S]     queries to review (S: all, unreviewed, held)\n"+
			"  show QUERY           a query's positives and negatives with provenance and verdicts\n"+
			"  mark QUERY CANDIDATE negative|positive|excluded|clear")
		return errUsage
	}
	switch args[0] {
	case "mine":
		return negativesMine(ctx, args[1:])
	case "list":
		return negativesList(args[1:])
	case "show":
		return negativesShow(args[1:])
	case "mark":
		return negativesMark(args[1:])
	}
	fmt.Fprintf(os.Stderr, "precedent negatives: unknown subcommand %q (mine, list, show, mark)\n", args[0])
	return errUsage
}

func negativesMine(ctx context.Context, args []string) error {
	f := newFlags("negatives mine", "[flags]", "Top-k first-stage neighbours of each train/validation query, minus its known positives and\n"+
		"their group, minus same-rule near-duplicates; candidates scoring close to the best positive are held for review.", 0, 0)
	def := app.DefaultNegativesOptions()
	o := def
	f.IntVar(&o.TopK, "top-k", def.TopK, "candidates considered per query")
	f.IntVar(&o.PerQuery, "per-query", def.PerQuery, "negatives per query")
	f.IntVar(&o.Random, "random", def.Random, "random negatives added per query")
	f.Float64Var(&o.GuardFraction, "guard", def.GuardFraction, "hold candidates scoring at least this fraction of the best positive")
	f.DurationVar(&o.NearDup.SameRuleWithin, "near-dup-window", def.NearDup.SameRuleWithin, "same rule within this time of the query or a positive counts as a near-duplicate (0: this rule off)")
	f.Float64Var(&o.NearDup.SameRuleMinSimilarity, "near-dup-similarity", def.NearDup.SameRuleMinSimilarity, "same rule and token Jaccard at least this counts as a near-duplicate (0: this rule off)")
	f.DurationVar(&o.LinkWindow, "link-window", def.LinkWindow, "drop candidates sharing a user, host or IP with the query within this time, e.g. 720h (0: off; they are negatives like any other)")
	if err := f.parse(args); err != nil {
		return err
	}
	if err := o.Validate(); err != nil {
		return f.optionError(err, map[string]string{"top_k": "top-k", "per_query": "per-query", "random": "random",
			"guard_fraction": "guard", "near_dup.same_rule_within": "near-dup-window", "near_dup.same_rule_min_similarity": "near-dup-similarity",
			"link_window": "link-window"})
	}
	p, err := f.open()
	if err != nil {
		return err
	}
	defer p.Close()
	res, err := p.MineNegatives(ctx, o, newBar().progress())
	if err != nil {
		return err
	}
	if f.json() {
		return printJSON(res)
	}
	s := res.Stats
	fmt.Printf("hard negatives for %d queries in %.1fs: %d usable, %d held for review\n", res.Queries, res.Seconds, res.Negatives, res.Held)
	fmt.Printf("  considered %d candidates: %d known positives or group members dropped, %d same-rule near-duplicates dropped,\n  %d entity-linked dropped, %d held by the false-negative guard, %d random added, %d queries short of %d\n",
		s.Considered, s.Positives, s.NearDup, s.Linked, s.Held, s.Random, s.Short, res.Options.PerQuery)
	if res.FalseNegativeShare != nil {
		fmt.Printf("\nfalse negatives (related per the synthetic ground truth): %.2f%%\n", 100**res.FalseNegativeShare)
		rows := [][]string{{"  FILTERS", "NEGATIVES", "HELD", "FALSE", "SHARE"}}
		for _, r := range res.Ablation {
			rows = append(rows, []string{"  " + r.Name, fmt.Sprint(r.Negatives), fmt.Sprint(r.Held), fmt.Sprint(r.FalseNegatives), fmt.Sprintf("%.2f%%", 100*r.Share)})
		}
		table(os.Stdout, rows)
	}
	return nil
}

func negativesList(args []string) error {
	f := newFlags("negatives list", "[flags]", "Lists queries with mined negatives, and review progress.", 0, 0)
	var filter app.ReviewFilter
	f.StringVar(&filter.State, "state", "all", "all, unreviewed, or held")
	f.StringVar(&filter.Rule, "rule", "", "only queries of this detection rule")
	limit := f.Int("limit", 50, "queries to print (0 = all)")
	p, err := f.parseOpen(args)
	if err != nil {
		return err
	}
	defer p.Close()
	qs, err := p.ReviewQueue(filter)
	if err != nil {
		return err
	}
	st, err := p.ReviewStatus()
	if err != nil {
		return err
	}
	if f.json() {
		return printJSON(map[string]any{"queries": qs, "count": len(qs), "progress": st})
	}
	for i, q := range qs {
		if *limit > 0 && i == *limit {
			fmt.Printf("... %d more (--limit 0 for all)\n", len(qs)-*limit)
			break
		}
		fmt.Println(q)
	}
	fmt.Printf("%d queries; reviewed %d of %d negatives (%d confirmed, %d promoted, %d excluded), %d held\n",
		len(qs), st.Reviewed, st.Negatives, st.Confirmed, st.Promoted, st.Excluded, st.Held)
	return nil
}

func negativesShow(args []string) error {
	f := newFlags("negatives show", "QUERY", "Shows a query, its positives and its mined negatives with rank, score, rule, why, and verdict.", 1, 1)
	p, err := f.parseOpen(args)
	if err != nil {
		return err
	}
	defer p.Close()
	r, err := p.NegativesFor(f.positional[0])
	if err != nil {
		return err
	}
	if f.json() {
		return printJSON(r)
	}
	fmt.Printf("query %s  [%s]  %s\n  %s\n\npositives\n", r.Query.ID, r.Query.Rule, r.Query.Opened.Format("2006-01-02 15:04"), r.Query.Title)
	for _, t := range r.Positives {
		fmt.Printf("  %s  [%s]  %s\n", t.ID, t.Rule, t.Title)
	}
	fmt.Println("\nnegatives")
	rows := [][]string{{"  CANDIDATE", "RANK", "SCORE", "VERDICT", "RULE", "WHY"}}
	for _, n := range r.Negatives {
		v := string(n.State)
		if v == "" {
			v = "-"
			if n.Held {
				v = "held"
			}
		}
		rows = append(rows, []string{"  " + n.Candidate, fmt.Sprint(n.Rank), fmt.Sprintf("%.3f", n.Score), v, n.Rule, n.Why})
	}
	table(os.Stdout, rows)
	return nil
}

func negativesMark(args []string) error {
	f := newFlags("negatives mark", "QUERY CANDIDATE negative|positive|excluded|clear", "Records a verdict on one mined negative; training respects it.", 3, 3)
	if err := f.parse(args); err != nil {
		return err
	}
	st := negatives.ReviewState(f.positional[2])
	if st == "clear" {
		st = negatives.Unreviewed
	}
	p, err := f.open()
	if err != nil {
		return err
	}
	defer p.Close()
	if err := p.MarkReview(f.positional[0], f.positional[1], st); err != nil {
		return err
	}
	if f.json() {
		return printJSON(map[string]any{"query": f.positional[0], "candidate": f.positional[1], "state": st})
	}
	fmt.Printf("%s / %s: %s\n", f.positional[0], f.positional[1], f.positional[2])
	return nil
}
