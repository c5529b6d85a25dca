package eval

import (
	"errors"
	"flag"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

// rankedWith returns a candidate list of n IDs with "rel" at rank r (0 = absent).
func rankedWith(r, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = "x" + string(rune('a'+i))
	}
	if r > 0 {
		ids[r-1] = "rel"
	}
	return ids
}

// sampleReport is 3 systems over 8 queries in 3 rules; the per-query
// metrics are computed from the ranks so the means are real.
func sampleReport(t *testing.T) Report {
	t.Helper()
	type q struct {
		id, rule     string
		fs, base, ft int
	}
	qs := []q{
		{"INC-101", "Impossible travel", 3, 2, 1},
		{"INC-102", "Impossible travel", 5, 3, 1},
		{"INC-103", "Impossible travel", 1, 1, 1},
		{"INC-104", "Admin login off-hours", 0, 12, 2},
		{"INC-105", "Admin login off-hours", 2, 2, 4},
		{"INC-106", "Admin login off-hours", 10, 4, 2},
		{"INC-107", "Phishing URL clicked", 1, 2, 2},
		{"INC-108", "Phishing URL clicked", 0, 0, 0},
	}
	names := []string{"first_stage", "baseline", "finetuned"}
	per := make([][]Metrics, 3)
	r := Report{
		Title:    "Precedent evaluation — test archive",
		Created:  time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC),
		TieBreak: "Equal scores keep the first-stage order (earlier rank wins), then ticket ID.",
		Settings: map[string]string{"model": "xlm-roberta-base", "backend": "xla:cpu", "archive": "2000 tickets", "steps": "300"},
		Notes:    []string{"Synthetic archive; labels come from close-note cues."},
	}
	for _, x := range qs {
		ranks := map[string]int{"first_stage": x.fs, "baseline": x.base, "finetuned": x.ft}
		for i, n := range names {
			m, ok := Score(rankedWith(ranks[n], 20), rel("rel"))
			require.True(t, ok)
			per[i] = append(per[i], m)
		}
		r.Queries = append(r.Queries, QueryDetail{
			Query: x.id, Rule: x.rule, Text: "alert: " + x.rule + "\nuser: j.doe host: WS-17",
			Relevant: []string{"INC-9" + x.id[4:]}, Ranks: ranks,
			Positive: "INC-9" + x.id[4:], PositiveTitle: "Earlier " + x.rule,
			Note: "Closed: same pattern as before.", Cue: "same pattern",
		})
	}
	r.Queries[0].Note = "User was on a business trip to Lisbon, see INC-9101."
	r.Queries[0].Cue = "Business trip"
	r.Queries[1].PositiveTitle = `VPN <script>alert(1)</script> & "login"`
	for i, n := range names {
		r.Systems = append(r.Systems, SystemResult{Name: n, Mean: Mean(per[i]), PerQuery: per[i]})
	}
	r.Systems[0].Label = "BM25 (first stage)"
	a, b := r.Systems[0].Mean.MRR10, r.Systems[2].Mean.MRR10
	r.Comparisons = []NamedComparison{
		{Name: "finetuned vs first_stage", A: "first_stage", B: "finetuned", Metric: "mrr@10",
			Comparison: Comparison{MeanA: a, MeanB: b, Delta: b - a, UpliftPct: 100 * (b - a) / a,
				PValue: 0.0123, Permutations: 10000, CILow: 0.05, CIHigh: 0.35, Resamples: 5000}},
		{Name: "finetuned vs baseline", A: "baseline", B: "finetuned", Metric: "mrr@10",
			Comparison: Comparison{MeanA: 0.385, MeanB: b, Delta: b - 0.385, UpliftPct: 54.2,
				PValue: 0.00001, Permutations: 10000, CILow: 0.01, CIHigh: 0.4, Resamples: 5000}},
	}
	r.PerRule = []RuleRow{
		{"Impossible travel", 3, map[string]float64{"first_stage": (1.0/3 + 0.2 + 1) / 3, "baseline": (0.5 + 1.0/3 + 1) / 3, "finetuned": 1}},
		{"Admin login off-hours", 3, map[string]float64{"first_stage": 0.2, "baseline": 0.25, "finetuned": 1.25 / 3}},
		{"Phishing URL clicked", 2, map[string]float64{"first_stage": 0.5, "baseline": 0.25, "finetuned": 0.25}},
	}
	return r
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}

func TestWriteReportMarkdown(t *testing.T) {
	dir := t.TempDir()
	mdPath, _, err := WriteReport(dir, sampleReport(t))
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "report.md"), mdPath)
	md := readFile(t, mdPath)

	for _, want := range []string{
		"# Precedent evaluation — test archive",
		"| model | xlm-roberta-base |",
		"| BM25 (first stage) | 0.392 |", // MRR@10 = 3.1333/8
		"| finetuned | **0.594** |",      // MRR@10 = 4.75/8, best
		"| baseline | 0.385 |",           // 3.0833/8; rank 12 is outside @10
		"**+51.6 %** (Δ +0.202), p = 0.0123 (paired randomization test, 10000 permutations)",
		"95% CI of Δ [+0.050, +0.350] (bootstrap, 5000 resamples)",
		"| 10000 | [+0.050, +0.350] | 5000 |",
		"< 0.0001", // second comparison's tiny p-value
		"## Tie-breaking\n\nEqual scores keep the first-stage order",
		"| Impossible travel | 3 | 0.511 | 0.611 | 1.000 | +0.489 |",
		"| Admin login off-hours | 3 | 0.200 | 0.250 | 0.417 | +0.217 |",
		"(1 rule with fewer left out)",
		"**4 improved**, 2 same, **2 worse**",
		"| into top-1 | now at rank 1, was lower | 2 |",
		"| found | was missing, now in the list | 1 |",
		"| out of top-1 | was at rank 1, now lower | 1 |",
		"| both missing | not in either list | 1 |",
		"### 1. INC-102 · Impossible travel · rank 5 → 1",
		"### 2. INC-101 · Impossible travel · rank 3 → 1",
		"### 6. INC-105 · Admin login off-hours · rank 2 → 4",
		"User was on a **business trip** to Lisbon, see INC-9101.",
		`VPN \<script\>alert(1)\</script\> \& "login"`,
		"- Synthetic archive; labels come from close-note cues.",
	} {
		assert.Contains(t, md, want)
	}
	assert.NotContains(t, md, "<script>")
	assert.NotContains(t, md, "Phishing URL clicked | 2 |", "rules under 3 queries are left out")

	golden := filepath.Join("testdata", "report.md")
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(golden, []byte(md), 0o644))
	}
	assert.Equal(t, readFile(t, golden), md, "run go test -run TestWriteReportMarkdown -update to accept")
}

func TestWriteReportHTML(t *testing.T) {
	dir := t.TempDir()
	_, htmlPath, err := WriteReport(dir, sampleReport(t))
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "report.html"), htmlPath)
	raw := readFile(t, htmlPath)
	h := html.UnescapeString(raw) // html/template writes "+" as "&#43;"

	for _, want := range []string{
		"<!DOCTYPE html>",
		"<style>",
		`<svg viewBox="0 0 1100`,
		">0.594<",
		">+51.6 %<",
		"0.0123",
		"10000 permutations",
		"[+0.050, +0.350]",
		"Impossible travel (3)",
		"Admin login off-hours (3)",
		"<mark>business trip</mark>",
		`<span class="badge up">3 → 1</span>`,
		`<span class="badge down">2 → 4</span>`,
		"into top-1",
		"xlm-roberta-base",
		"Equal scores keep the first-stage order",
	} {
		assert.Contains(t, h, want)
	}
	assert.Contains(t, raw, "VPN &lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;login&#34;")
	assert.NotContains(t, raw, "<script")
	assert.Equal(t, 3, strings.Count(raw, "<svg "), "metrics, rules and rank-change charts")
	assert.NotContains(t, h, "ZgotmplZ", "html/template rejected a value")
	for _, external := range []string{"http", "src=", "href=", "url(", "@import"} {
		assert.NotContains(t, raw, external, "the report must be self-contained")
	}
	assert.NotContains(t, h, "Phishing URL clicked (2)", "rules under 3 queries are not charted")
}

func TestWriteReportDeterministic(t *testing.T) {
	r := sampleReport(t)
	d1, d2 := t.TempDir(), t.TempDir()
	md1, html1, err := WriteReport(d1, r)
	require.NoError(t, err)
	md2, html2, err := WriteReport(d2, r)
	require.NoError(t, err)
	assert.Equal(t, readFile(t, md1), readFile(t, md2))
	assert.Equal(t, readFile(t, html1), readFile(t, html2))

	// Rewriting in place replaces the files and leaves no temporary files.
	_, _, err = WriteReport(d1, r)
	require.NoError(t, err)
	entries, err := os.ReadDir(d1)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.Equal(t, []string{"report.html", "report.md"}, names)
}

func TestWriteReportErrors(t *testing.T) {
	blocker := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(blocker, nil, 0o644))

	tests := []struct {
		name   string
		dir    string
		mutate func(*Report)
		want   string
		bad    bool
	}{
		{"no systems", "", func(r *Report) { r.Systems = nil }, "no systems", true},
		{"duplicate system", "", func(r *Report) { r.Systems[1].Name = "first_stage" }, `"first_stage" listed twice`, true},
		{"unknown system in comparison", "", func(r *Report) { r.Comparisons[0].B = "tuned" }, `unknown system "tuned"`, true},
		{"unknown system in ranks", "", func(r *Report) { r.Queries[3].Ranks["bm25"] = 1 }, `query 3 (INC-104) ranks unknown system "bm25"`, true},
		{"per-query length", "", func(r *Report) { r.Systems[2].PerQuery = r.Systems[2].PerQuery[:5] }, "5 per-query rows for 8 queries", true},
		{"dir is a file", blocker, func(*Report) {}, blocker, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := sampleReport(t)
			tt.mutate(&r)
			dir := tt.dir
			if dir == "" {
				dir = t.TempDir()
			}
			_, _, err := WriteReport(dir, r)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Equal(t, tt.bad, errors.Is(err, ErrBadReport))
		})
	}
}

func TestWriteReportMinimal(t *testing.T) {
	// One system, no comparisons, rules or queries: still a valid report.
	r := Report{Systems: []SystemResult{{Name: "bm25", Mean: Metrics{MRR10: 0.5}}}}
	mdPath, htmlPath, err := WriteReport(t.TempDir(), r)
	require.NoError(t, err)
	md, h := readFile(t, mdPath), readFile(t, htmlPath)
	assert.Contains(t, md, "# Evaluation report")
	assert.Contains(t, md, "| bm25 | 0.500 |")
	assert.NotContains(t, md, "## Rank changes")
	assert.Equal(t, 1, strings.Count(h, "<svg "))
}

func TestChangeBucketOf(t *testing.T) {
	tests := []struct {
		before, after int
		want          string
	}{
		{3, 0, "dropped out"},
		{1, 0, "dropped out"},
		{1, 5, "out of top-1"},
		{2, 40, "-10 or more"},
		{2, 7, "-3..-9"},
		{4, 6, "-1..-2"},
		{4, 4, "same"},
		{1, 1, "same"},
		{0, 0, "both missing"},
		{4, 2, "+1..+2"},
		{12, 3, "+3..+9"},
		{30, 4, "+10 or more"},
		{30, 1, "into top-1"},
		{2, 1, "into top-1"},
		{0, 1, "found"},
		{0, 17, "found"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, changeBuckets[changeBucketOf(tt.before, tt.after)].Label, "%d → %d", tt.before, tt.after)
	}
}

func TestSplitCue(t *testing.T) {
	tests := []struct {
		note, cue, pre, mid, post string
	}{
		{"Known as Business Trip here", "business trip", "Known as ", "Business Trip", " here"},
		{"Ünïcode café – same pattern", "SAME PATTERN", "Ünïcode café – ", "same pattern", ""},
		{"no cue here", "absent", "no cue here", "", ""},
		{"empty cue", "", "empty cue", "", ""},
	}
	for _, tt := range tests {
		pre, mid, post := splitCue(tt.note, tt.cue)
		assert.Equal(t, []string{tt.pre, tt.mid, tt.post}, []string{pre, mid, post}, tt.note)
	}
}

func TestMdText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"a | b\nc", `a \| b c`},
		{"<b>*x*</b> [l](u)", `\<b\>\*x\*\</b\> \[l\](u)`},
		{"# heading", `\# heading`},
		{"- item", `\- item`},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, mdText(tt.in))
	}
}

func TestWriteReportManyRules(t *testing.T) {
	r := sampleReport(t)
	r.PerRule = nil
	for i := range 30 {
		r.PerRule = append(r.PerRule, RuleRow{fmt.Sprintf("Rule %02d", i), 3,
			map[string]float64{"first_stage": 0.5, "baseline": 0.5, "finetuned": 0.5 + float64(i-10)/100}})
	}
	mdPath, htmlPath, err := WriteReport(t.TempDir(), r)
	require.NoError(t, err)
	md, h := readFile(t, mdPath), readFile(t, htmlPath)

	// Markdown: the 5 best and 5 worst, best first.
	assert.Contains(t, md, "| Rule 29 | 3 | 0.500 | 0.500 | 0.690 | +0.190 |\n| Rule 28 |")
	assert.Contains(t, md, "| … 20 more rules … | | | | | |\n| Rule 04 |")
	assert.Contains(t, md, "| Rule 00 | 3 | 0.500 | 0.500 | 0.400 | -0.100 |\n\n")
	assert.NotContains(t, md, "| Rule 10 |")
	// HTML: the 12 best and 12 worst.
	assert.Contains(t, h, "showing the 12 best and 12 worst, 6 in between hidden")
	assert.Contains(t, h, ">Rule 18 (3)<")
	assert.NotContains(t, h, ">Rule 17 (3)<")
	assert.Contains(t, h, ">Rule 11 (3)<")
	assert.NotContains(t, h, ">Rule 12 (3)<")
}
