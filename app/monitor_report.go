package app

import (
	"fmt"
	"html"
	"strings"
	"time"
)

// monitorReport renders a monitoring result as the Markdown section and a
// standalone HTML page (with a line chart of the three systems).
func monitorReport(r MonitorResult) (md, page string) {
	var b strings.Builder
	fmt.Fprintf(&b, "## Monitoring: %s\n\n", r.Model)
	fmt.Fprintf(&b, "Queries opened since %s (the end of the model's validation window), by %s; %d candidates per query. "+
		"Final system: %s, chosen on %d validation queries, where it scored MRR@10 %.3f (first stage %.3f).\n\n",
		r.Since.Format(time.DateOnly), r.Period, r.Depth, r.FinalSystem(), r.Reference.ValQueries, r.Reference.Final, r.Reference.FirstStage)
	fmt.Fprintf(&b, "**Advice (%s).** %s\n\n", r.Advice.Level, r.Advice.Text)
	b.WriteString("| period | tickets | queries | labels | first stage | model | final | Δ final − first [95% CI] |")
	if r.Compare != "" {
		b.WriteString(" retrained final | Δ retrained − deployed [95% CI] |")
	}
	b.WriteString("\n|---|--:|--:|--:|--:|--:|--:|---|")
	if r.Compare != "" {
		b.WriteString("--:|---|")
	}
	b.WriteString("\n")
	for _, row := range r.Rows {
		if row.Queries == 0 {
			fmt.Fprintf(&b, "| %s | %d | 0 | 0 | – | – | – | – |", row.Period, row.Tickets)
			if r.Compare != "" {
				b.WriteString(" – | – |")
			}
			b.WriteString("\n")
			continue
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %.3f | %.3f | %.3f | %+.3f [%+.3f, %+.3f] |", row.Period, row.Tickets, row.Queries, row.Labels,
			row.FirstStage, row.Model, row.Final, row.VsFirst.Delta, row.VsFirst.CILow, row.VsFirst.CIHigh)
		if c := row.Compare; c != nil {
			fmt.Fprintf(&b, " %.3f | %+.3f [%+.3f, %+.3f] |", c.Final, c.VsCurrent.Delta, c.VsCurrent.CILow, c.VsCurrent.CIHigh)
		}
		b.WriteString("\n")
	}
	b.WriteString("\n### Label-free drift signals\n\n")
	fmt.Fprintf(&b, "Against the %d tickets opened before %s (%d rules) and, for scores, the validation queries. KS: Kolmogorov–Smirnov distance to the training window (0 = same distribution).\n\n",
		r.Reference.TrainingTickets, r.Since.Format(time.DateOnly), r.Reference.Rules)
	b.WriteString("| period | tickets from unseen rules | new entities | words (median, KS) | model top score (median, KS) | first-stage top score (median, KS) |\n|---|--:|--:|---|---|---|\n")
	for _, row := range r.Rows {
		s := row.Signals
		fmt.Fprintf(&b, "| %s | %.0f%% | %.0f%% | %.0f, %.2f | %s | %s |\n", row.Period, 100*s.UnseenRules, 100*s.NewEntities,
			s.Length.P50, s.Length.KS, distText(s.ModelTop.N, s.ModelTop.P50, s.ModelTop.KS), distText(s.FirstStageTop.N, s.FirstStageTop.P50, s.FirstStageTop.KS))
	}
	t := r.Advice.Thresholds
	fmt.Fprintf(&b, "\nThresholds: periods with fewer than %d labelled queries are not judged on MRR@10; a drop lasts %d %ss: Δ ≤ −%.2f vs the first stage, or MRR@10 %.2f below validation; retrain when the share of tickets from unseen rules is %.0f points above the validation window's; watch when a KS distance ≥ %.2f.\n",
		t.MinQueries, t.Periods, r.Period, t.BelowFirst, t.Drop, 100*t.UnseenRules, t.Shift)
	md = b.String()

	var h strings.Builder
	h.WriteString("<!doctype html><html><head><meta charset=\"utf-8\"><title>Precedent monitoring</title><style>body{font-family:sans-serif;max-width:1000px;margin:2em auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th:first-child,td:first-child{text-align:left}</style></head><body>\n")
	fmt.Fprintf(&h, "<h2>Monitoring: %s</h2>\n<p><b>Advice (%s).</b> %s</p>\n", html.EscapeString(r.Model), html.EscapeString(r.Advice.Level), html.EscapeString(r.Advice.Text))
	h.WriteString(monitorSVG(r.Rows))
	h.WriteString("<table><tr><th>period</th><th>queries</th><th>first stage</th><th>model</th><th>final</th><th>Δ final − first [95% CI]</th><th>unseen rules</th><th>new entities</th></tr>\n")
	for _, row := range r.Rows {
		fmt.Fprintf(&h, "<tr><td>%s</td><td>%d</td><td>%.3f</td><td>%.3f</td><td>%.3f</td><td>%+.3f [%+.3f, %+.3f]</td><td>%.0f%%</td><td>%.0f%%</td></tr>\n",
			html.EscapeString(row.Period), row.Queries, row.FirstStage, row.Model, row.Final, row.VsFirst.Delta, row.VsFirst.CILow, row.VsFirst.CIHigh,
			100*row.Signals.UnseenRules, 100*row.Signals.NewEntities)
	}
	h.WriteString("</table>\n<pre>" + html.EscapeString(md) + "</pre></body></html>\n")
	return md, h.String()
}

func distText(n int, p50, ks float64) string {
	if n == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f, %.2f", p50, ks)
}

// monitorSVG draws MRR@10 per period for the three systems.
func monitorSVG(rows []PeriodRow) string {
	const w, hgt, pad = 720.0, 240.0, 40.0
	var pts [3][]string
	n := max(1, len(rows)-1)
	for i, r := range rows {
		if r.Queries == 0 {
			continue
		}
		x := pad + (w-2*pad)*float64(i)/float64(n)
		for k, v := range []float64{r.FirstStage, r.Model, r.Final} {
			pts[k] = append(pts[k], fmt.Sprintf("%.1f,%.1f", x, hgt-pad-(hgt-2*pad)*v))
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" role=\"img\" aria-label=\"MRR@10 per period\">", w, hgt)
	fmt.Fprintf(&b, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#888\"/>", pad, hgt-pad, w-pad, hgt-pad)
	for k, c := range []string{"#888", "#1f77b4", "#d62728"} {
		fmt.Fprintf(&b, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>", c, strings.Join(pts[k], " "))
	}
	b.WriteString("<text x=\"40\" y=\"20\" font-size=\"12\">MRR@10: first stage (grey), model (blue), final (red)</text></svg>\n")
	return b.String()
}
