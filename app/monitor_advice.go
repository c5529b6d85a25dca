package app

import (
	"fmt"
	"strings"

	"github.com/precedent/precedent/ml/eval"
)

// AdviceThresholds say when monitoring advises retraining. Every field is
// stated in the advice it produces; zero fields take
// DefaultAdviceThresholds.
type AdviceThresholds struct {
	// MinQueries: a period with fewer labelled queries is too noisy to
	// judge on MRR@10 (its label-free signals still count).
	MinQueries int `json:"min_queries"`
	// Periods: how many consecutive recent judged periods a drop must last.
	Periods int `json:"periods"`
	// BelowFirst: Δ MRR@10 (final − first stage) at or below −BelowFirst
	// counts as the final system being below the first stage.
	BelowFirst float64 `json:"below_first"`
	// Drop: the final system's lead over the first stage (Δ MRR@10)
	// shrunk by at least this much, for Periods consecutive judged periods,
	// from its lead over its first 2×MinQueries monitored queries (the
	// queries right after the model's data, on which nothing was chosen),
	// counts as a drop when the shrinkage is also beyond chance (an
	// unpaired bootstrap 95% CI below zero). The lead, not the MRR@10
	// itself: as an archive grows every system's MRR@10 falls (more
	// candidates compete), which retraining cannot mend.
	Drop float64 `json:"drop"`
	// UnseenRules: the latest period's share of tickets from rules the
	// model never saw, this far above the usual share (the validation
	// window's share of rules new to the train window), calls for
	// retraining. Archives where new rules are routine (a CVE tracker's
	// packages) are not flagged for what is normal for them.
	UnseenRules float64 `json:"unseen_rules"`
	// Shift: a Kolmogorov–Smirnov distance of text lengths or top scores at
	// or above this, against the training window, is worth watching when
	// chance does not explain it (eval.Distribution.Shifted).
	Shift float64 `json:"shift"`
}

// DefaultAdviceThresholds are the thresholds monitoring uses unless told
// otherwise (`precedent monitor --min-queries ... --unseen-rules ...`).
func DefaultAdviceThresholds() AdviceThresholds {
	return AdviceThresholds{MinQueries: 20, Periods: 2, BelowFirst: 0.02, Drop: 0.1, UnseenRules: 0.2, Shift: 0.3}
}

func (t AdviceThresholds) withDefaults() AdviceThresholds {
	d := DefaultAdviceThresholds()
	for _, f := range []struct{ v, d *float64 }{{&t.BelowFirst, &d.BelowFirst}, {&t.Drop, &d.Drop}, {&t.UnseenRules, &d.UnseenRules}, {&t.Shift, &d.Shift}} {
		if *f.v <= 0 {
			*f.v = *f.d
		}
	}
	if t.MinQueries <= 0 {
		t.MinQueries = d.MinQueries
	}
	if t.Periods <= 0 {
		t.Periods = d.Periods
	}
	return t
}

// Validate says which threshold is out of range (an *OptionError naming
// its JSON field), or returns nil. Zero values are valid: they take
// DefaultAdviceThresholds'. The shares and differences are of MRR@10,
// shares of tickets and KS distances, all between 0 and 1.
func (t AdviceThresholds) Validate() error {
	d := DefaultAdviceThresholds()
	share := func(v float64) bool { return finite(v) && v >= 0 && v <= 1 }
	want := func(what string, def float64) string { return fmt.Sprintf("%s, 0 to 1 (0 = %g)", what, def) }
	return firstBadField(
		fieldCheck{t.MinQueries >= 0, "min_queries", t.MinQueries, fmt.Sprintf("labelled queries, 1 or more (0 = %d)", d.MinQueries)},
		fieldCheck{t.Periods >= 0, "periods", t.Periods, fmt.Sprintf("consecutive periods, 1 or more (0 = %d)", d.Periods)},
		fieldCheck{share(t.BelowFirst), "below_first", t.BelowFirst, want("a difference of MRR@10", d.BelowFirst)},
		fieldCheck{share(t.Drop), "drop", t.Drop, want("a difference of MRR@10", d.Drop)},
		fieldCheck{share(t.UnseenRules), "unseen_rules", t.UnseenRules, want("a share of tickets", d.UnseenRules)},
		fieldCheck{share(t.Shift), "shift", t.Shift, want("a Kolmogorov-Smirnov distance", d.Shift)},
	)
}

// Advice levels.
const (
	AdviceOK      = "ok"      // nothing calls for action
	AdviceWatch   = "watch"   // label-free signals moved, or one period dipped: look again next period
	AdviceRetrain = "retrain" // retrain (`precedent train --from MODEL`) and compare with `monitor --compare`
)

// Advice is monitoring's conclusion in words, with the evidence.
type Advice struct {
	Level string `json:"level"`
	// Drop is set when labelled figures show the deployed system aging:
	// below the first stage, or its lead over it shrunk since it went live, for
	// Thresholds.Periods consecutive periods.
	Drop       bool             `json:"drop"`
	Text       string           `json:"text"`
	Reasons    []string         `json:"reasons"`
	Thresholds AdviceThresholds `json:"thresholds"`
}

// Advise reads the rows (oldest first) against the reference the model was
// chosen on, with the stated thresholds.
func Advise(rows []PeriodRow, ref Reference, period eval.Period, th AdviceThresholds) Advice {
	th = th.withDefaults()
	adv := Advice{Level: AdviceOK, Thresholds: th}
	unit := string(period) + "s"
	judged := judgedRows(rows, th.MinQueries)
	below := trailing(judged, func(r PeriodRow) bool { return r.VsFirst.Delta <= -th.BelowFirst })
	if len(below) >= th.Periods {
		c := pooled(below, func(r PeriodRow) ([]float64, []float64) { return r.first, r.final })
		adv.Drop = true
		adv.Reasons = append(adv.Reasons, fmt.Sprintf("the final system has been below the first stage for %d %s (Δ MRR@10 %+.3f, 95%% CI [%+.3f, %+.3f], over %d queries; threshold: Δ ≤ −%.2f for %d %s)",
			len(below), unit, c.Delta, c.CILow, c.CIHigh, queriesOf(below), th.BelowFirst, th.Periods, unit))
	}
	// The lead is compared with the system's first monitored queries, not
	// with validation: the fusion weight, the checkpoint and the final
	// system were all chosen on the validation queries, so their figure
	// there is optimistic (a 3,000-ticket synthetic archive without drift
	// read +0.37 on 32 validation queries and +0.14 every month after).
	if fresh, k := freshLeads(rows, 2*th.MinQueries); fresh != nil {
		refLead := mean(fresh)
		shrunk := trailing(judgedRows(rows[k:], th.MinQueries), func(r PeriodRow) bool { return leadOf(r) <= refLead-th.Drop })
		if len(shrunk) >= th.Periods {
			var now []float64
			for _, r := range shrunk {
				now = append(now, leads(r.first, r.final)...)
			}
			c := eval.CompareUnpaired(fresh, now, 2000, 2000, 1)
			if c.CIHigh < 0 {
				adv.Drop = true
				adv.Reasons = append(adv.Reasons, fmt.Sprintf("the final system's lead over the first stage shrank from %+.3f MRR@10 over its first %d monitored queries (%s) to %+.3f over the last %d %s (%d queries; change %+.3f, 95%% CI [%+.3f, %+.3f]; threshold: %.2f less for %d %s)",
					c.MeanA, len(fresh), periodSpan(rows[:k]), c.MeanB, len(shrunk), unit, queriesOf(shrunk), c.Delta, c.CILow, c.CIHigh, th.Drop, th.Periods, unit))
			}
		}
	}
	if len(rows) > 0 {
		last := rows[len(rows)-1]
		if s := last.Signals.UnseenRules; s-ref.ValUnseenRules >= th.UnseenRules {
			adv.Reasons = append(adv.Reasons, fmt.Sprintf("%.0f%% of %s's tickets come from rules added since training (%.0f%% is usual here: the validation window's share of rules new to the train window; threshold: %.0f points above it)",
				100*s, last.Period, 100*ref.ValUnseenRules, 100*th.UnseenRules))
		}
	}
	retrain := len(adv.Reasons) > 0
	if !retrain && len(judged) > 0 && judged[len(judged)-1].VsFirst.Delta <= -th.BelowFirst {
		r := judged[len(judged)-1]
		adv.Reasons = append(adv.Reasons, fmt.Sprintf("%s: the final system is below the first stage (Δ %+.3f, 95%% CI [%+.3f, %+.3f]); one %s is not a trend",
			r.Period, r.VsFirst.Delta, r.VsFirst.CILow, r.VsFirst.CIHigh, period))
	}
	if len(rows) > 0 {
		last := rows[len(rows)-1]
		for _, s := range []struct {
			name string
			d    eval.Distribution
		}{{"text length", last.Signals.Length}, {"the model's top scores", last.Signals.ModelTop}, {"the first stage's top scores", last.Signals.FirstStageTop}} {
			if s.d.Shifted(th.Shift) {
				adv.Reasons = append(adv.Reasons, fmt.Sprintf("%s: %s shifted from the training window (KS %.2f ≥ %.2f, above chance: %.2f)", last.Period, s.name, s.d.KS, th.Shift, s.d.Critical))
			}
		}
	}
	switch {
	case retrain:
		adv.Level = AdviceRetrain
		adv.Text = "Retrain: " + strings.Join(adv.Reasons, "; ") + ". Continue from the deployed model with `precedent train --from MODEL`, then compare with `precedent monitor --compare RUN`."
	case len(adv.Reasons) > 0:
		adv.Level = AdviceWatch
		adv.Text = "Watch: " + strings.Join(adv.Reasons, "; ") + ". No retraining needed yet; run monitor again next " + string(period) + "."
	case len(judged) == 0:
		adv.Text = fmt.Sprintf("No retraining needed, but no %s has %d labelled queries yet to judge MRR@10 on (label-free signals are within thresholds).", period, th.MinQueries)
	default:
		r := judged[len(judged)-1]
		adv.Text = fmt.Sprintf("No retraining needed: in %s the final system scores MRR@10 %.3f (first stage %.3f, Δ %+.3f, 95%% CI [%+.3f, %+.3f]; %.3f on validation) and the label-free signals are within thresholds.",
			r.Period, r.Final, r.FirstStage, r.VsFirst.Delta, r.VsFirst.CILow, r.VsFirst.CIHigh, ref.Final)
	}
	return adv
}

// pooled compares the per-query figures of several periods together.
func pooled(rows []PeriodRow, pick func(PeriodRow) ([]float64, []float64)) eval.Comparison {
	var a, b []float64
	for _, r := range rows {
		x, y := pick(r)
		a, b = append(a, x...), append(b, y...)
	}
	return eval.Compare(a, b, 0, 2000, 1)
}

// judgedRows are the rows with at least minQueries labelled queries: the
// periods judged on MRR@10.
func judgedRows(rows []PeriodRow, minQueries int) []PeriodRow {
	var out []PeriodRow
	for _, r := range rows {
		if r.Queries >= minQueries {
			out = append(out, r)
		}
	}
	return out
}

// trailing is the longest run of the most recent rows that satisfy ok.
func trailing(rows []PeriodRow, ok func(PeriodRow) bool) []PeriodRow {
	n := 0
	for n < len(rows) && ok(rows[len(rows)-1-n]) {
		n++
	}
	return rows[len(rows)-n:]
}

// freshLeads are the per-query leads (final − first stage) of the earliest
// periods, up to the first that brings them to at least n queries, and how
// many periods that took; nil when all the periods together have fewer.
func freshLeads(rows []PeriodRow, n int) ([]float64, int) {
	var out []float64
	for k, r := range rows {
		out = append(out, leads(r.first, r.final)...)
		if len(out) >= n {
			return out, k + 1
		}
	}
	return nil, 0
}

// periodSpan names the periods of rows: "2025-01", or "2025-01 to 2025-03".
func periodSpan(rows []PeriodRow) string {
	if len(rows) == 1 {
		return rows[0].Period
	}
	return rows[0].Period + " to " + rows[len(rows)-1].Period
}

// leadOf is a period's lead of the final system over the first stage.
func leadOf(r PeriodRow) float64 { return r.Final - r.FirstStage }

// leads are per-query differences final − first stage.
func leads(first, final []float64) []float64 {
	d := make([]float64, min(len(first), len(final)))
	for i := range d {
		d[i] = final[i] - first[i]
	}
	return d
}

func queriesOf(rows []PeriodRow) int {
	n := 0
	for _, r := range rows {
		n += r.Queries
	}
	return n
}
