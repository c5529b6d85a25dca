package eval

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// view is what both report renderers show: the Report plus everything
// derived from it (best values, rank changes, per-rule uplift, examples),
// computed once so that Markdown and HTML cannot disagree.
type view struct {
	Title, Created string
	Systems        []systemView
	Best           []float64 // per metricCols entry, the best mean over systems
	Queries        int
	Comparisons    []comparisonView
	TieBreak       string
	Verdict        string
	Settings       [][2]string // sorted by key
	Notes          []string

	HasPair      bool   // at least two systems: rank changes and uplift make sense
	A, B         string // headline "before" and "after" system names
	ALabel       string
	BLabel       string
	Changes      []changeBucket
	Improved     int
	Same, Worse  int
	Rules        []ruleUplift // rules with ≥ minRuleQueries queries, best uplift first
	RulesFew     int          // rules left out for having fewer queries
	RuleSystems  []systemView // columns of the per-rule table
	Examples     []example
	ExamplesFrom int // queries the examples were chosen from
}

type systemView struct {
	Name, Label, Color string
	Mean               Metrics
}

type comparisonView struct {
	NamedComparison
	ALabel, BLabel, MetricLabel string
}

// changeBucket counts queries whose first-relevant rank moved by a given
// amount from system A to system B. Kind is -1 worse, 0 same, +1 improved.
type changeBucket struct {
	Label, Desc string
	Kind        int
	Count       int
}

type ruleUplift struct {
	Rule    string
	Queries int
	MRR     []float64 // per view.RuleSystems
	A, B    float64
	Delta   float64 // B − A
}

type example struct {
	QueryDetail
	Before, After  int
	Text           string   // the query text, whitespace collapsed and shortened
	Pre, Mid, Post string   // the note split around the cue (Mid empty when the cue is not in it)
	AllRanks       []rankOf // every system's rank, in display order
}

type rankOf struct {
	Label string
	Rank  int
}

// metricCol is one column of the systems table.
type metricCol struct {
	Key, Label string
	Get        func(Metrics) float64
}

var metricCols = []metricCol{
	{"mrr@10", "MRR@10", func(m Metrics) float64 { return m.MRR10 }},
	{"ndcg@10", "nDCG@10", func(m Metrics) float64 { return m.NDCG10 }},
	{"recall@1", "R@1", func(m Metrics) float64 { return m.R1 }},
	{"recall@5", "R@5", func(m Metrics) float64 { return m.R5 }},
	{"recall@10", "R@10", func(m Metrics) float64 { return m.R10 }},
	{"recall@50", "R@50", func(m Metrics) float64 { return m.R50 }},
	{"map", "MAP", func(m Metrics) float64 { return m.MAP }},
}

// palette colours systems in display order; the first (usually the first
// stage) is a neutral grey.
var palette = []string{"#8d99a6", "#4c78a8", "#e8772e", "#54a24b", "#b279a2", "#d6404e", "#9d755d", "#2aa198"}

const (
	minRuleQueries = 3   // rules with fewer queries are too noisy to rank
	rulesEachEnd   = 5   // the Markdown shows this many best and worst rules
	maxExamples    = 6   // example queries shown
	maxTextRunes   = 360 // query text shown in an example
)

func metricLabel(key string) string {
	for _, c := range metricCols {
		if c.Key == strings.ToLower(key) {
			return c.Label
		}
	}
	return key
}

func newView(r Report) view {
	v := view{
		Title:    cmp.Or(strings.TrimSpace(r.Title), "Evaluation report"),
		Queries:  len(r.Queries),
		TieBreak: strings.TrimSpace(r.TieBreak),
		Verdict:  strings.TrimSpace(r.Verdict),
		Notes:    r.Notes,
	}
	if !r.Created.IsZero() {
		v.Created = r.Created.UTC().Format(time.RFC3339)
	}
	labels := map[string]string{}
	for i, s := range r.Systems {
		sv := systemView{Name: s.Name, Label: cmp.Or(s.Label, s.Name), Color: palette[i%len(palette)], Mean: s.Mean}
		v.Systems = append(v.Systems, sv)
		labels[s.Name] = sv.Label
	}
	v.Best = make([]float64, len(metricCols))
	for j, c := range metricCols {
		v.Best[j] = math.Inf(-1)
		for _, s := range r.Systems {
			v.Best[j] = max(v.Best[j], c.Get(s.Mean))
		}
	}
	for _, c := range r.Comparisons {
		v.Comparisons = append(v.Comparisons, comparisonView{c, labels[c.A], labels[c.B], metricLabel(c.Metric)})
	}
	for _, k := range sortedKeys(r.Settings) {
		v.Settings = append(v.Settings, [2]string{k, r.Settings[k]})
	}

	switch {
	case len(r.Comparisons) > 0:
		v.A, v.B, v.HasPair = r.Comparisons[0].A, r.Comparisons[0].B, true
	case len(r.Systems) > 1:
		v.A, v.B, v.HasPair = r.Systems[0].Name, r.Systems[len(r.Systems)-1].Name, true
	}
	v.ALabel, v.BLabel = labels[v.A], labels[v.B]
	v.RuleSystems = v.Systems
	if v.HasPair {
		v.Changes = rankChanges(r.Queries, v.A, v.B)
		for _, b := range v.Changes {
			switch b.Kind {
			case 1:
				v.Improved += b.Count
			case -1:
				v.Worse += b.Count
			default:
				v.Same += b.Count
			}
		}
	}
	v.Rules, v.RulesFew = ruleUplifts(r.PerRule, v)
	v.Examples = pickExamples(r, v)
	v.ExamplesFrom = len(r.Queries)
	return v
}

// rankChange classifies a move of the first relevant ticket from rank
// before to rank after (0 = not in the list) into one of the buckets.
var changeBuckets = []struct {
	Label, Desc string
	Kind        int
	match       func(before, after int) bool
}{
	{"dropped out", "was in the list, now missing", -1, func(b, a int) bool { return b > 0 && a == 0 }},
	{"out of top-1", "was at rank 1, now lower", -1, func(b, a int) bool { return b == 1 && a > 1 }},
	{"-10 or more", "fell 10 or more places", -1, func(b, a int) bool { return b > 0 && a-b >= 10 }},
	{"-3..-9", "fell 3 to 9 places", -1, func(b, a int) bool { return b > 0 && a-b >= 3 }},
	{"-1..-2", "fell 1 or 2 places", -1, func(b, a int) bool { return b > 0 && a > b }},
	{"same", "same rank", 0, func(b, a int) bool { return b > 0 && a == b }},
	{"both missing", "not in either list", 0, func(b, a int) bool { return b == 0 && a == 0 }},
	{"+1..+2", "rose 1 or 2 places", 1, func(b, a int) bool { return a > 0 && b-a <= 2 && a != 1 }},
	{"+3..+9", "rose 3 to 9 places", 1, func(b, a int) bool { return a > 0 && b-a <= 9 && a != 1 }},
	{"+10 or more", "rose 10 or more places", 1, func(b, a int) bool { return a > 1 }},
	{"into top-1", "now at rank 1, was lower", 1, func(b, a int) bool { return b > 1 && a == 1 }},
	{"found", "was missing, now in the list", 1, func(b, a int) bool { return b == 0 && a > 0 }},
}

// changeBucketOf returns the index of the bucket a move falls in. The
// buckets are tried from the edges inwards so each move lands in exactly one.
func changeBucketOf(before, after int) int {
	order := []int{0, 11, 1, 10, 2, 3, 4, 5, 6, 7, 8, 9}
	for _, i := range order {
		if changeBuckets[i].match(before, after) {
			return i
		}
	}
	return 5 // unreachable: every (before, after) pair matches some bucket
}

func rankChanges(qs []QueryDetail, a, b string) []changeBucket {
	out := make([]changeBucket, len(changeBuckets))
	for i, cb := range changeBuckets {
		out[i] = changeBucket{Label: cb.Label, Desc: cb.Desc, Kind: cb.Kind}
	}
	for _, q := range qs {
		out[changeBucketOf(q.Ranks[a], q.Ranks[b])].Count++
	}
	return out
}

func ruleUplifts(rows []RuleRow, v view) (ups []ruleUplift, few int) {
	for _, row := range rows {
		if row.Queries < minRuleQueries {
			few++
			continue
		}
		u := ruleUplift{Rule: row.Rule, Queries: row.Queries}
		for _, s := range v.RuleSystems {
			u.MRR = append(u.MRR, row.MRR[s.Name])
		}
		if v.HasPair {
			u.A, u.B = row.MRR[v.A], row.MRR[v.B]
			u.Delta = u.B - u.A
		}
		ups = append(ups, u)
	}
	slices.SortStableFunc(ups, func(x, y ruleUplift) int {
		if c := cmp.Compare(y.Delta, x.Delta); c != 0 {
			return c
		}
		if c := cmp.Compare(y.Queries, x.Queries); c != 0 {
			return c
		}
		return cmp.Compare(x.Rule, y.Rule)
	})
	return ups, few
}

// rulesEnds returns the best and worst n rules, or all when there are at
// most 2n, plus how many were skipped in the middle.
func rulesEnds(rs []ruleUplift, n int) (top, bottom []ruleUplift, hidden int) {
	if len(rs) <= 2*n {
		return rs, nil, 0
	}
	return rs[:n], rs[len(rs)-n:], len(rs) - 2*n
}

// pickExamples chooses up to maxExamples queries: the biggest gains in
// reciprocal rank first, then the biggest losses, then whatever is left,
// each group ordered by size of the change and then query ID.
func pickExamples(r Report, v view) []example {
	type cand struct {
		i     int
		delta float64
	}
	rr := func(rank int) float64 {
		if rank <= 0 {
			return 0
		}
		return 1 / float64(rank)
	}
	var gains, losses, rest []cand
	for i, q := range r.Queries {
		c := cand{i, rr(q.Ranks[v.B]) - rr(q.Ranks[v.A])}
		switch {
		case !v.HasPair:
			rest = append(rest, c)
		case c.delta > 0:
			gains = append(gains, c)
		case c.delta < 0:
			losses = append(losses, c)
		default:
			rest = append(rest, c)
		}
	}
	byChange := func(x, y cand) int {
		if c := cmp.Compare(math.Abs(y.delta), math.Abs(x.delta)); c != 0 {
			return c
		}
		return cmp.Compare(r.Queries[x.i].Query, r.Queries[y.i].Query)
	}
	slices.SortStableFunc(gains, byChange)
	slices.SortStableFunc(losses, byChange)
	slices.SortStableFunc(rest, byChange)
	nLoss := min(len(losses), maxExamples/3)
	nGain := min(len(gains), maxExamples-nLoss)
	nLoss = min(len(losses), maxExamples-nGain)
	chosen := slices.Concat(gains[:nGain], losses[:nLoss])
	chosen = append(chosen, rest[:min(len(rest), maxExamples-len(chosen))]...)

	out := make([]example, 0, len(chosen))
	for _, c := range chosen {
		q := r.Queries[c.i]
		e := example{QueryDetail: q, Before: q.Ranks[v.A], After: q.Ranks[v.B], Text: shorten(q.Text, maxTextRunes)}
		e.Note = collapse(q.Note)
		e.Cue = collapse(q.Cue)
		e.Pre, e.Mid, e.Post = splitCue(e.Note, e.Cue)
		for _, s := range v.Systems {
			e.AllRanks = append(e.AllRanks, rankOf{s.Label, q.Ranks[s.Name]})
		}
		out = append(out, e)
	}
	return out
}

// splitCue splits note around the first case-insensitive occurrence of cue.
// When the cue is empty or absent, the whole note is pre.
func splitCue(note, cue string) (pre, mid, post string) {
	if cue == "" {
		return note, "", ""
	}
	for i := 0; i+len(cue) <= len(note); {
		if strings.EqualFold(note[i:i+len(cue)], cue) {
			return note[:i], note[i : i+len(cue)], note[i+len(cue):]
		}
		_, size := utf8.DecodeRuneInString(note[i:])
		i += size
	}
	return note, "", ""
}

// collapse joins all whitespace runs (newlines included) into single spaces.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// shorten collapses whitespace and cuts s to n runes, marking the cut.
func shorten(s string, n int) string {
	s = collapse(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:n-1])) + "…"
}

func f3(x float64) string  { return fmt.Sprintf("%.3f", x) }
func sf3(x float64) string { return fmt.Sprintf("%+.3f", x) }
func pct(x float64) string { return fmt.Sprintf("%+.1f %%", x) }

// pvalue prints a p-value to four decimals; a randomization test with n
// permutations cannot resolve below 1/(n+1).
func pvalue(p float64) string {
	if p < 0.00005 {
		return "< 0.0001"
	}
	return fmt.Sprintf("%.4f", p)
}

// rank prints a rank, with "—" for a relevant ticket missing from the list.
func rank(r int) string {
	if r <= 0 {
		return "—"
	}
	return fmt.Sprint(r)
}

// plural prints n and the noun, adding "s" unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
