package ui

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/app"
	"github.com/precedent/precedent/ml/eval"
)

// TestMonitoringPanel checks the panel renders what app.Monitor returns:
// one table row per period, one chart point per labelled period, the advice.
func TestMonitoringPanel(t *testing.T) {
	d := newTestDesktop(t)
	d.tabs.SelectIndex(len(d.panels) - 3)
	require.Equal(t, "Monitoring", d.current().title())
	assert.Contains(t, d.monitoring.status.Text, "Run monitoring", "a project never monitored says what to do")
	assert.Empty(t, d.monitoring.rows)

	since := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	res := app.MonitorResult{Model: "run-1", Period: eval.Month, Since: since, Fusion: eval.Fusion{Method: "rrf", Weight: 0.4},
		Reference: app.Reference{Final: 0.6},
		Rows: []app.PeriodRow{
			{Period: "2025-01", Queries: 30, FirstStage: 0.5, Model: 0.55, Final: 0.6, VsFirst: eval.Comparison{Delta: 0.1, CILow: 0.02, CIHigh: 0.18},
				Signals: app.DriftSignals{UnseenRules: 0.02, NewEntities: 0.4}},
			{Period: "2025-02", Queries: 0, Signals: app.DriftSignals{UnseenRules: 0.1}},
			{Period: "2025-03", Queries: 25, FirstStage: 0.5, Model: 0.3, Final: 0.45, VsFirst: eval.Comparison{Delta: -0.05, CILow: -0.1, CIHigh: 0},
				Signals: app.DriftSignals{UnseenRules: 0.31, Length: eval.Distribution{KS: 0.42}}},
		},
		Advice: app.Advice{Level: app.AdviceRetrain, Text: "Retrain: 31% of 2025-03's tickets come from rules added since training."},
	}
	d.monitoring.show(res)
	require.Len(t, d.monitoring.rows, 3)
	assert.Equal(t, []string{"2025-01", "30", "0.500", "0.550", "0.600", "+0.100 [+0.020, +0.180]", "2%", "40%", "0.00", "0.00", "0.00"}, d.monitoring.rows[0])
	assert.Equal(t, []string{"2025-02", "0", "–", "–", "–", "–", "10%", "0%", "0.00", "0.00", "0.00"}, d.monitoring.rows[1], "a period without labels shows its signals only")
	assert.Equal(t, "0.42", d.monitoring.rows[2][8])
	assert.Equal(t, []string{"2025-01", "2025-03"}, d.monitoring.chart.labels, "the chart plots labelled periods")
	assert.Equal(t, [][]float64{{0.5, 0.55, 0.6}, {0.5, 0.3, 0.45}}, d.monitoring.chart.points)
	assert.Contains(t, d.monitoring.advice.Text, res.Advice.Text)
	assert.Contains(t, d.monitoring.status.Text, "since 2025-01-01")
	d.monitoring.show(app.MonitorResult{})
	assert.Empty(t, d.monitoring.rows)
	assert.Empty(t, d.monitoring.chart.points)
}
