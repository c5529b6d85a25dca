package eval

import (
	"bytes"
	"html/template"
)

// htmlData is what the HTML template renders.
type htmlData struct {
	view
	MetricsChart   svgChart
	RuleChart      svgChart
	ChangeChart    svgChart
	HasRuleChart   bool
	HiddenRules    int
	RulesEach      int // best and worst rules charted when some are hidden
	MetricLabels   []string
	SystemRows     [][]cell
	HeadComparison *comparisonView
}

type cell struct {
	Text string
	Best bool
}

const maxChartRules = 24 // more rules than this: the chart shows the best and worst 12

func writeHTML(w *bytes.Buffer, v view) error {
	d := htmlData{view: v, MetricsChart: metricsChart(v)}
	if v.HasPair && len(v.Rules) > 0 {
		top, bottom, hidden := rulesEnds(v.Rules, maxChartRules/2)
		shown := append(append([]ruleUplift(nil), top...), bottom...)
		d.RuleChart, d.HasRuleChart, d.HiddenRules, d.RulesEach = ruleChart(shown), true, hidden, len(top)
	}
	if v.HasPair {
		d.ChangeChart = changeChart(v.Changes)
	}
	for _, c := range metricCols {
		d.MetricLabels = append(d.MetricLabels, c.Label)
	}
	for _, s := range v.Systems {
		var row []cell
		for j, c := range metricCols {
			x := c.Get(s.Mean)
			row = append(row, cell{f3(x), x == v.Best[j] && len(v.Systems) > 1})
		}
		d.SystemRows = append(d.SystemRows, row)
	}
	if len(v.Comparisons) > 0 {
		d.HeadComparison = &v.Comparisons[0]
	}
	return reportTemplate.Execute(w, d)
}

var reportTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"f3": f3, "sf3": sf3, "pct": pct, "pvalue": pvalue, "rank": rank,
	"move": func(before, after int) string {
		switch {
		case before == after:
			return "same"
		case after > 0 && (before == 0 || after < before):
			return "up"
		default:
			return "down"
		}
	},
	"plural": plural,
	"inc":    func(i int) int { return i + 1 },
}).Parse(reportHTML))

const reportHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
:root{--fg:#1f2933;--muted:#616e7c;--line:#e4e7eb;--soft:#f5f7fa}
*{box-sizing:border-box}
body{margin:0;background:var(--soft);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1200px;margin:0 auto;padding:28px 32px 48px}
header{margin:0 0 20px}
h1{font-size:28px;line-height:1.2;margin:0 0 4px}
h2{font-size:19px;margin:0 0 12px}
section{background:#fff;border:1px solid var(--line);border-radius:10px;padding:20px 24px;margin:0 0 20px}
p{margin:0 0 10px}
.muted{color:var(--muted)}
.small{font-size:13px}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{padding:7px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{font-size:13px;color:var(--muted);font-weight:600}
.n{text-align:right;white-space:nowrap}
.best{font-weight:700}
.swatch{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:8px;vertical-align:-1px}
.tiles{display:grid;grid-template-columns:repeat(4,1fr);gap:14px;margin:0 0 14px}
.tile{border:1px solid var(--line);border-radius:8px;padding:12px 16px;background:var(--soft)}
.tile .k{font-size:13px;color:var(--muted)}
.tile .big{font-size:26px;font-weight:700;font-variant-numeric:tabular-nums}
.pos{color:#2f7d32}.neg{color:#b3261e}
svg{display:block;width:100%;height:auto;margin:6px 0}
svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;font-size:12px;fill:#3e4c59}
svg .value{font-weight:600;fill:#1f2933}
svg .group{font-size:14px;font-weight:600;fill:#1f2933}
svg .legend{font-size:13px}
svg .label{font-size:12.5px}
svg .grid{stroke:#e4e7eb;stroke-width:1}
svg .axisline{stroke:#7b8794;stroke-width:1.2}
.settings td:first-child{width:30%;color:var(--muted)}
.ex{border-top:1px solid var(--line);padding:16px 0 6px}
.ex:first-of-type{border-top:0;padding-top:4px}
.ex h3{font-size:16px;margin:0 0 6px;display:flex;gap:10px;align-items:baseline;flex-wrap:wrap}
.badge{font-size:13px;font-weight:700;padding:2px 10px;border-radius:999px;font-variant-numeric:tabular-nums}
.badge.up{background:#e3f4e4;color:#2f7d32}.badge.down{background:#fbe4e2;color:#b3261e}.badge.same{background:#eceff3;color:#52606d}
.chips{display:flex;gap:8px;flex-wrap:wrap;margin:0 0 8px}
.chip{font-size:12.5px;border:1px solid var(--line);border-radius:6px;padding:1px 8px;background:#fff}
.qtext{font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;color:#52606d;background:var(--soft);border-radius:6px;padding:8px 10px;margin:0 0 8px;white-space:pre-wrap;overflow-wrap:anywhere}
.note{margin:6px 0 0;padding:8px 12px;border-left:3px solid #cbd2d9;background:#fbfbfc}
mark{background:#ffe08a;color:inherit;padding:0 3px;border-radius:3px;font-weight:600}
ul{margin:0;padding-left:20px}
</style>
</head>
<body>
<main>
<header>
<h1>{{.Title}}</h1>
<p class="muted">{{if .Created}}Created {{.Created}} · {{end}}{{.Queries}} queries with at least one relevant ticket</p>
{{if .Verdict}}<p><strong>Verdict.</strong> {{.Verdict}}</p>{{end}}
</header>
{{with .HeadComparison}}
<section>
<h2>{{.Name}}</h2>
<div class="tiles">
<div class="tile"><div class="k">{{.MetricLabel}} uplift</div><div class="big {{if ge .Delta 0.0}}pos{{else}}neg{{end}}">{{pct .UpliftPct}}</div><div class="small muted">{{f3 .MeanA}} → {{f3 .MeanB}}</div></div>
<div class="tile"><div class="k">Δ {{.MetricLabel}} (B − A)</div><div class="big">{{sf3 .Delta}}</div><div class="small muted">95% CI [{{sf3 .CILow}}, {{sf3 .CIHigh}}]</div></div>
<div class="tile"><div class="k">p-value</div><div class="big">{{pvalue .PValue}}</div><div class="small muted">paired randomization, {{.Permutations}} permutations</div></div>
<div class="tile"><div class="k">Bootstrap</div><div class="big">{{.Resamples}}</div><div class="small muted">resamples for the percentile CI</div></div>
</div>
</section>
{{end}}
<section>
<h2>Systems</h2>
<table>
<thead><tr><th>System</th>{{range .MetricLabels}}<th class="n">{{.}}</th>{{end}}</tr></thead>
<tbody>
{{range $i, $s := .Systems}}<tr><td><span class="swatch" style="background:{{$s.Color}}"></span>{{$s.Label}}</td>{{range index $.SystemRows $i}}<td class="n{{if .Best}} best{{end}}">{{.Text}}</td>{{end}}</tr>
{{end}}</tbody>
</table>
{{template "chart" .MetricsChart}}
<p class="small muted">Best value per column in bold. Recall and nDCG count every relevant ticket, retrieved or not.</p>
</section>
{{if .Comparisons}}
<section>
<h2>Significance</h2>
<table>
<thead><tr><th>Comparison</th><th>Metric</th><th class="n">A</th><th class="n">B</th><th class="n">Δ (B − A)</th><th class="n">Uplift</th><th class="n">p-value</th><th class="n">95% CI of Δ</th></tr></thead>
<tbody>
{{range .Comparisons}}<tr><td>{{.Name}}</td><td>{{.MetricLabel}}</td><td class="n">{{f3 .MeanA}}</td><td class="n">{{f3 .MeanB}}</td><td class="n">{{sf3 .Delta}}</td><td class="n">{{pct .UpliftPct}}</td><td class="n">{{pvalue .PValue}} <span class="muted small">({{.Permutations}} perm.)</span></td><td class="n">[{{sf3 .CILow}}, {{sf3 .CIHigh}}] <span class="muted small">({{.Resamples}} resamples)</span></td></tr>
{{end}}</tbody>
</table>
<p class="small muted" style="margin-top:10px">p-value: two-sided paired randomization test (random sign flips of the per-query differences; the observed assignment counts as one permutation). CI: percentile bootstrap of the mean per-query difference.</p>
{{if .TieBreak}}<p class="small"><strong>Tie-breaking:</strong> {{.TieBreak}}</p>{{end}}
</section>
{{else}}{{if .TieBreak}}<section><h2>Tie-breaking</h2><p>{{.TieBreak}}</p></section>{{end}}
{{end}}
{{if .HasRuleChart}}
<section>
<h2>Uplift per rule</h2>
<p class="muted small">ΔMRR@10 = {{.BLabel}} − {{.ALabel}} per detection rule, rules with at least 3 queries (query count in brackets){{if .RulesFew}}; {{plural .RulesFew "rule"}} with fewer left out{{end}}{{if .HiddenRules}}; showing the {{.RulesEach}} best and {{.RulesEach}} worst, {{.HiddenRules}} in between hidden{{end}}.</p>
{{template "chart" .RuleChart}}
</section>
{{end}}
{{if .HasPair}}
<section>
<h2>Rank changes</h2>
<p>Rank of the first relevant ticket, {{.ALabel}} → {{.BLabel}}: <strong class="pos">{{.Improved}} improved</strong>, {{.Same}} same, <strong class="neg">{{.Worse}} worse</strong>.</p>
{{template "chart" .ChangeChart}}
<p class="small muted">Each query falls in exactly one bar; the top-1 and list-membership bars take precedence over the distance bars.</p>
</section>
{{end}}
{{if .Examples}}
<section>
<h2>Example queries</h2>
{{if .HasPair}}<p class="muted small">The largest gains and losses in reciprocal rank, {{.ALabel}} → {{.BLabel}}. — = the relevant ticket is not in the candidate list.</p>{{end}}
{{range $i, $e := .Examples}}<div class="ex">
<h3><span>{{inc $i}}. {{$e.Query}}</span>{{if $e.Rule}}<span class="muted small">{{$e.Rule}}</span>{{end}}{{if $.HasPair}}<span class="badge {{move $e.Before $e.After}}">{{rank $e.Before}} → {{rank $e.After}}</span>{{end}}</h3>
<div class="chips">{{range $e.AllRanks}}<span class="chip">{{.Label}}: <strong>{{rank .Rank}}</strong></span>{{end}}</div>
{{if $e.Text}}<div class="qtext">{{$e.Text}}</div>{{end}}
{{if $e.Positive}}<div class="small"><strong>Relevant:</strong> {{$e.Positive}}{{if $e.PositiveTitle}} — {{$e.PositiveTitle}}{{end}}{{if gt (len $e.Relevant) 1}} <span class="muted">(and {{len (slice $e.Relevant 1)}} more)</span>{{end}}</div>{{end}}
{{if $e.Note}}<div class="note small"><strong>Close note:</strong> {{$e.Pre}}{{if $e.Mid}}<mark>{{$e.Mid}}</mark>{{end}}{{$e.Post}}</div>{{end}}
{{if and $e.Cue (not $e.Mid)}}<div class="small">Cue: <mark>{{$e.Cue}}</mark></div>{{end}}
{{if $e.Why}}<div class="small"><strong>Why:</strong> {{$e.Why}}</div>{{end}}
</div>
{{end}}</section>
{{end}}
{{if .Settings}}
<section>
<h2>Settings</h2>
<table class="settings"><tbody>
{{range .Settings}}<tr><td>{{index . 0}}</td><td>{{index . 1}}</td></tr>
{{end}}</tbody></table>
</section>
{{end}}
{{if .Notes}}
<section>
<h2>Notes</h2>
<ul>{{range .Notes}}<li>{{.}}</li>{{end}}</ul>
</section>
{{end}}
</main>
</body>
</html>
{{define "chart"}}<svg viewBox="0 0 {{.W}} {{.H}}" width="{{.W}}" height="{{.H}}" role="img" aria-label="{{.Label}}">
{{range .Lines}}<line x1="{{.X1}}" y1="{{.Y1}}" x2="{{.X2}}" y2="{{.Y2}}" class="{{.Class}}"/>
{{end}}{{range .Rects}}<rect x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}" rx="2" fill="{{.Fill}}"><title>{{.Tip}}</title></rect>
{{end}}{{range .Texts}}<text x="{{.X}}" y="{{.Y}}" text-anchor="{{.Anchor}}" class="{{.Class}}">{{.Text}}</text>
{{end}}</svg>
{{end}}`
