package eval

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"
)

// writeMarkdown renders the report as GitHub-flavoured Markdown. Every
// piece of ticket text is escaped so that it cannot open HTML, links or
// emphasis, or break a table.
func writeMarkdown(w *bytes.Buffer, v view) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }

	p("# %s\n\n", mdText(v.Title))
	if v.Created != "" {
		p("Created %s · %d queries with at least one relevant ticket.\n\n", v.Created, v.Queries)
	} else {
		p("%d queries with at least one relevant ticket.\n\n", v.Queries)
	}
	if v.Verdict != "" {
		p("**Verdict.** %s\n\n", mdText(v.Verdict))
	}

	if len(v.Settings) > 0 {
		p("## Settings\n\n| Setting | Value |\n|---|---|\n")
		for _, kv := range v.Settings {
			p("| %s | %s |\n", mdText(kv[0]), mdText(kv[1]))
		}
		p("\n")
	}

	p("## Systems\n\n| System |")
	for _, c := range metricCols {
		p(" %s |", c.Label)
	}
	p("\n|---|")
	for range metricCols {
		p("--:|")
	}
	p("\n")
	for _, s := range v.Systems {
		p("| %s |", mdText(s.Label))
		for j, c := range metricCols {
			x := c.Get(s.Mean)
			if x == v.Best[j] && len(v.Systems) > 1 {
				p(" **%s** |", f3(x))
			} else {
				p(" %s |", f3(x))
			}
		}
		p("\n")
	}
	p("\nBest value per column in bold. Recall and nDCG count every relevant ticket, retrieved or not.\n\n")

	if len(v.Comparisons) > 0 {
		p("## Significance\n\n")
		h := v.Comparisons[0]
		p("**%s**: %s %s → %s, **%s** (Δ %s), p = %s (paired randomization test, %d permutations), "+
			"95%% CI of Δ [%s, %s] (bootstrap, %d resamples).\n\n",
			mdText(h.Name), h.MetricLabel, f3(h.MeanA), f3(h.MeanB), pct(h.UpliftPct), sf3(h.Delta),
			pvalue(h.PValue), h.Permutations, sf3(h.CILow), sf3(h.CIHigh), h.Resamples)
		p("| Comparison | Metric | A | B | Δ (B − A) | Uplift | p-value | Permutations | 95%% CI of Δ | Resamples |\n")
		p("|---|---|--:|--:|--:|--:|--:|--:|---|--:|\n")
		for _, c := range v.Comparisons {
			p("| %s | %s | %s | %s | %s | %s | %s | %d | [%s, %s] | %d |\n",
				mdText(c.Name), c.MetricLabel, f3(c.MeanA), f3(c.MeanB), sf3(c.Delta), pct(c.UpliftPct),
				pvalue(c.PValue), c.Permutations, sf3(c.CILow), sf3(c.CIHigh), c.Resamples)
		}
		p("\np-value: two-sided paired randomization test (random sign flips of the per-query differences; " +
			"the observed assignment counts as one permutation). CI: percentile bootstrap of the mean per-query difference.\n\n")
	}

	if v.TieBreak != "" {
		p("## Tie-breaking\n\n%s\n\n", mdText(v.TieBreak))
	}

	if len(v.Rules) > 0 || v.RulesFew > 0 {
		p("## Uplift per rule\n\n")
		if v.HasPair {
			p("Mean MRR@10 per detection rule; Δ = %s − %s. Rules with at least %d queries", mdText(v.BLabel), mdText(v.ALabel), minRuleQueries)
		} else {
			p("Mean MRR@10 per detection rule. Rules with at least %d queries", minRuleQueries)
		}
		if v.RulesFew > 0 {
			p(" (%s with fewer left out)", plural(v.RulesFew, "rule"))
		}
		p(".\n\n")
		top, bottom, hidden := rulesEnds(v.Rules, rulesEachEnd)
		if len(v.Rules) > 0 {
			p("| Rule | Queries |")
			for _, s := range v.RuleSystems {
				p(" %s |", mdText(s.Label))
			}
			if v.HasPair {
				p(" Δ MRR@10 |")
			}
			p("\n|---|--:|%s", strings.Repeat("--:|", len(v.RuleSystems)))
			if v.HasPair {
				p("--:|")
			}
			p("\n")
			row := func(u ruleUplift) {
				p("| %s | %d |", mdText(u.Rule), u.Queries)
				for _, x := range u.MRR {
					p(" %s |", f3(x))
				}
				if v.HasPair {
					p(" %s |", sf3(u.Delta))
				}
				p("\n")
			}
			for _, u := range top {
				row(u)
			}
			if hidden > 0 {
				cols := 1 + len(v.RuleSystems)
				if v.HasPair {
					cols++
				}
				p("| … %d more rules … |%s\n", hidden, strings.Repeat(" |", cols))
			}
			for _, u := range bottom {
				row(u)
			}
			p("\n")
		}
	}

	if v.HasPair {
		p("## Rank changes\n\n")
		p("Rank of the first relevant ticket, %s → %s, over %d queries: **%d improved**, %d same, **%d worse**.\n\n",
			mdText(v.ALabel), mdText(v.BLabel), v.Queries, v.Improved, v.Same, v.Worse)
		p("| Change | Meaning | Queries |\n|---|---|--:|\n")
		for _, b := range v.Changes {
			p("| %s | %s | %d |\n", b.Label, b.Desc, b.Count)
		}
		p("\nEach query falls in exactly one row; the top-1 and list-membership rows take precedence over the distance rows.\n\n")
	}

	if len(v.Examples) > 0 {
		p("## Example queries\n\n")
		if v.HasPair {
			p("The largest gains and losses in reciprocal rank, %s → %s. — = the relevant ticket is not in the candidate list.\n\n",
				mdText(v.ALabel), mdText(v.BLabel))
		}
		for i, e := range v.Examples {
			p("### %d. %s", i+1, mdText(e.Query))
			if e.Rule != "" {
				p(" · %s", mdText(e.Rule))
			}
			if v.HasPair {
				p(" · rank %s → %s", rank(e.Before), rank(e.After))
			}
			p("\n\n")
			ranks := make([]string, len(e.AllRanks))
			for j, r := range e.AllRanks {
				ranks[j] = mdText(r.Label) + " " + rank(r.Rank)
			}
			p("- Ranks: %s\n", strings.Join(ranks, " · "))
			if e.Text != "" {
				p("- Query: %s\n", mdText(e.Text))
			}
			if e.Positive != "" {
				p("- Relevant: %s", mdText(e.Positive))
				if e.PositiveTitle != "" {
					p(" — %s", mdText(e.PositiveTitle))
				}
				if n := len(e.Relevant); n > 1 {
					p(" (and %d more)", n-1)
				}
				p("\n")
			}
			if e.Note != "" {
				p("- Close note: ")
				if e.Mid != "" {
					p("%s**%s**%s", mdText(e.Pre), mdEscaper.Replace(e.Mid), mdEscaper.Replace(e.Post))
				} else {
					p("%s", mdText(e.Pre))
				}
				p("\n")
			}
			if e.Cue != "" && e.Mid == "" {
				p("- Cue: **%s**\n", mdText(e.Cue))
			}
			if e.Why != "" {
				p("- Why: %s\n", mdText(e.Why))
			}
			p("\n")
		}
	}

	if len(v.Notes) > 0 {
		p("## Notes\n\n")
		for _, n := range v.Notes {
			p("- %s\n", mdText(n))
		}
		p("\n")
	}
}

// mdEscaper backslash-escapes the characters that could start emphasis,
// code, links, raw HTML or entities, or end a table cell.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`,
	`<`, `\<`, `>`, `\>`, `&`, `\&`, `|`, `\|`, `~`, `\~`,
)

// mdText makes arbitrary text safe inside a Markdown paragraph, list item
// or table cell: whitespace is collapsed to one line (keeping one leading
// or trailing space, so that pieces can be joined) and markup escaped.
func mdText(s string) string {
	c := collapse(s)
	if c != "" && strings.TrimLeftFunc(s, unicode.IsSpace) != s {
		c = " " + c
	}
	if c != "" && strings.TrimRightFunc(s, unicode.IsSpace) != s {
		c += " "
	}
	s = mdEscaper.Replace(c)
	if s != "" && strings.ContainsRune("#+-=", rune(s[0])) {
		s = `\` + s
	}
	return s
}
