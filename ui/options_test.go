package ui

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/app"
)

// The panels start from app's defaults, and refuse what app's Validate
// refuses before a job starts, showing why and leaving their button usable.
func TestPanelsStartFromAppDefaults(t *testing.T) {
	d := newTestDesktop(t)
	assert.Equal(t, app.DefaultMonitorOptions().Period, d.monitoring.period.Selected)
	assert.Equal(t, strconv.Itoa(app.DefaultNegativesOptions().PerQuery), d.negatives.perQuery.Text)

	selectTab(d, d.negatives)
	d.negatives.negBtn.Enable()
	d.negatives.perQuery.SetText("500")
	assert.Nil(t, d.negatives.mineNegatives(), "500 negatives per query are refused")
	require.NotNil(t, d.win.Canvas().Overlays().Top(), "the reason is shown")
	assert.False(t, d.negatives.negBtn.Disabled())
	assert.False(t, d.negatives.progress.Visible())

	err := formError(app.DefaultNegativesOptions().Validate(), nil)
	assert.NoError(t, err, "the defaults are valid")
	o := app.DefaultNegativesOptions()
	o.PerQuery = 500
	assert.EqualError(t, formError(o.Validate(), map[string]string{"per_query": "negatives per query"}),
		"negatives per query 500: want negatives per query, 1 to 100 (0 = 7)")
}
