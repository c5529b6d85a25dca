package app

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/precedent/precedent/ml/eval"
)

// adviceRow is a period of n queries whose first stage and final system
// score the given MRR@10 on every query.
func adviceRow(period string, n int, first, final float64) PeriodRow {
	r := PeriodRow{Period: period, Queries: n, Tickets: 3 * n, FirstStage: first, Final: final}
	for range n {
		r.first = append(r.first, first)
		r.final = append(r.final, final)
	}
	r.VsFirst = eval.Compare(r.first, r.final, 0, 200, 1)
	return r
}

// adviceRef is a validation window of n queries whose first stage and final
// system scored the given MRR@10.
func adviceRef(n int, first, final float64) Reference {
	return Reference{ValQueries: n, FirstStage: first, Final: final}
}

func TestAdvise(t *testing.T) {
	ref := adviceRef(50, 0.55, 0.62)
	healthy := []PeriodRow{adviceRow("2025-01", 40, 0.55, 0.61), adviceRow("2025-02", 40, 0.56, 0.62)}
	below := []PeriodRow{adviceRow("2025-01", 40, 0.55, 0.62), adviceRow("2025-02", 40, 0.59, 0.55), adviceRow("2025-03", 40, 0.58, 0.54)}
	unseen := append([]PeriodRow(nil), healthy...)
	unseen[1].Signals.UnseenRules = 0.31
	shifted := append([]PeriodRow(nil), healthy...)
	shifted[1].Signals.ModelTop = eval.Distribution{N: 200, KS: 0.45, Critical: 0.16}
	noise := append([]PeriodRow(nil), healthy...)
	noise[1].Signals.ModelTop = eval.Distribution{N: 5, KS: 0.6, Critical: 0.9}
	fewQueries := []PeriodRow{adviceRow("2025-02", 5, 0.56, 0.40), adviceRow("2025-03", 5, 0.55, 0.40)}
	harder := []PeriodRow{adviceRow("2025-01", 40, 0.40, 0.47), adviceRow("2025-02", 40, 0.40, 0.48)}
	for _, tc := range []struct {
		name  string
		rows  []PeriodRow
		th    AdviceThresholds
		level string
		drop  bool
		text  []string
	}{
		{"healthy", healthy, AdviceThresholds{}, AdviceOK, false, []string{"No retraining needed: in 2025-02 the final system scores MRR@10 0.620 (first stage 0.560, Δ +0.060"}},
		{"below the first stage for two months", below, AdviceThresholds{}, AdviceRetrain, true,
			[]string{"Retrain: the final system has been below the first stage for 2 months (Δ MRR@10 -0.040, 95% CI [-0.040, -0.040], over 80 queries", "train --from"}},
		{"the same, when three months are asked for", below, AdviceThresholds{Periods: 3}, AdviceWatch, false,
			[]string{"Watch: 2025-03: the final system is below the first stage (Δ -0.040", "one month is not a trend"}},
		{"the same, with wider margins", below, AdviceThresholds{BelowFirst: 0.05, Drop: 0.2}, AdviceOK, false, nil},
		{"too few queries to judge", fewQueries, AdviceThresholds{}, AdviceOK, false, []string{"no month has 20 labelled queries"}},
		{"the same, judged from 5 queries", fewQueries, AdviceThresholds{MinQueries: 5}, AdviceRetrain, true, []string{"below the first stage for 2 months"}},
		{"the archive grew harder for every system, the lead held", harder, AdviceThresholds{}, AdviceOK, false, []string{"No retraining needed"}},
		{"new rules", unseen, AdviceThresholds{}, AdviceRetrain, false, []string{"Retrain: 31% of 2025-02's tickets come from rules added since training (0% is usual here", "threshold: 20 points above it"}},
		{"new rules under a higher threshold", unseen, AdviceThresholds{UnseenRules: 0.4}, AdviceOK, false, nil},
		{"scores shifted", shifted, AdviceThresholds{}, AdviceWatch, false, []string{"the model's top scores shifted from the training window (KS 0.45 ≥ 0.30"}},
		{"a shift chance explains", noise, AdviceThresholds{}, AdviceOK, false, nil},
		{"no rows", nil, AdviceThresholds{}, AdviceOK, false, []string{"no month has"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := Advise(tc.rows, ref, eval.Month, tc.th)
			assert.Equal(t, tc.level, a.Level, a.Text)
			assert.Equal(t, tc.drop, a.Drop, a.Text)
			for _, s := range tc.text {
				assert.Contains(t, a.Text, s)
			}
			assert.Equal(t, tc.th.withDefaults(), a.Thresholds, "the advice states its thresholds")
		})
	}
	// The final system's lead over the first stage shrank from +0.25 over
	// its first monitored month to +0.05: a drop.
	shrank := []PeriodRow{adviceRow("2025-01", 40, 0.40, 0.65), adviceRow("2025-02", 40, 0.40, 0.45), adviceRow("2025-03", 40, 0.42, 0.47)}
	a := Advise(shrank, ref, eval.Month, AdviceThresholds{})
	assert.Equal(t, AdviceRetrain, a.Level, a.Text)
	assert.True(t, a.Drop)
	assert.Contains(t, a.Text, "the final system's lead over the first stage shrank from +0.250 MRR@10 over its first 40 monitored queries (2025-01) to +0.050 over the last 2 months (80 queries; change -0.200, 95% CI [-0.200, -0.200]; threshold: 0.10 less for 2 months)")
	// However high its validation figure (where it was chosen), a lead that
	// holds since it went live is no drop.
	chosenHigh := adviceRef(32, 0.45, 0.83)
	a = Advise(shrank[1:], chosenHigh, eval.Month, AdviceThresholds{})
	assert.False(t, a.Drop, a.Text)
	// The reference takes periods until it has 2 × MinQueries queries: with
	// a thin first month, the second joins it and one month is left to judge.
	thin := append([]PeriodRow{adviceRow("2024-12", 10, 0.40, 0.65)}, shrank[1:]...)
	assert.False(t, Advise(thin, ref, eval.Month, AdviceThresholds{}).Drop)
	// A noisy start (the final system found the answer first or not at
	// all) leaves a shrinkage of 0.13 within chance.
	noisy := adviceRow("2025-01", 40, 0.40, 0.65)
	for i := range noisy.final {
		noisy.final[i] = float64(min(1, (i+14)/40)) // 14 zeros, 26 ones: mean 0.65
	}
	slowly := []PeriodRow{adviceRow("2025-02", 40, 0.40, 0.52), adviceRow("2025-03", 40, 0.40, 0.52)}
	a = Advise(append([]PeriodRow{noisy}, slowly...), ref, eval.Month, AdviceThresholds{})
	assert.False(t, a.Drop, a.Text)
	a = Advise(append([]PeriodRow{adviceRow("2025-01", 40, 0.40, 0.65)}, slowly...), ref, eval.Month, AdviceThresholds{})
	assert.True(t, a.Drop, "the same shrinkage after a steady start: %s", a.Text)

	// Where new rules are routine (18% of the validation window's tickets
	// already came from rules new to the train window), 31% is not 20
	// points above normal.
	routine := ref
	routine.ValUnseenRules = 0.18
	assert.Equal(t, AdviceOK, Advise(unseen, routine, eval.Month, AdviceThresholds{}).Level)
	routine.ValUnseenRules = 0.10
	assert.Equal(t, AdviceRetrain, Advise(unseen, routine, eval.Month, AdviceThresholds{}).Level)
}
