package ui

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/app"
	"github.com/precedent/precedent/data/negatives"
	"github.com/precedent/precedent/data/synth"
)

// newTestDesktop opens a fresh project in a temporary folder in a headless window.
// visitAll selects every tab in turn, as a user would, so each panel loads
// (panels load lazily when their tab is selected), then goes back to the first.
func visitAll(d *desktop) {
	for i := range d.panels {
		d.tabs.SelectIndex(i)
	}
	d.tabs.SelectIndex(0)
}

func newTestDesktop(t *testing.T) *desktop {
	t.Helper()
	a := test.NewTempApp(t)
	w := test.NewWindow(nil)
	w.Resize(fyne.NewSize(1280, 800))
	d := newDesktop(a, w)
	require.NoError(t, d.openProject(t.TempDir()))
	visitAll(d)
	t.Cleanup(func() {
		// Cancel on another goroutine: the jobs end through uiDoAndWait,
		// which this one runs.
		cancelled := make(chan struct{})
		go func() { d.jobs.CancelAll(); close(cancelled) }()
		for stop := false; !stop; {
			select {
			case f := <-uiQueue:
				f()
			case <-cancelled:
				drainUI()
				stop = true
			}
		}
		if d.proj != nil {
			_ = d.proj.Close()
		}
	})
	return d
}

// waitJobs waits until no background job runs.
func waitJobs(t *testing.T, d *desktop) {
	t.Helper()
	eventually(t, func() bool { return len(d.jobs.Running()) == 0 }, 2*time.Minute)
}

// selectTab opens the tab showing p.
func selectTab(d *desktop, p panel) {
	d.tabs.SelectIndex(slices.Index(d.panels, p))
}

func key(d *desktop, name fyne.KeyName) { d.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: name}) }

// TestFlow taps through the app as an analyst would: synthetic archive →
// preview and re-import → mining → first stage and negatives → review with
// the keyboard → training form.
func TestFlow(t *testing.T) {
	d := newTestDesktop(t)
	ar := d.archive

	// Archive: generate and import ~1,000 synthetic tickets.
	assert.Contains(t, ar.summary.Text, "archive is empty")
	job := ar.generate(1000)
	require.NotNil(t, job)
	require.NoError(t, waitJob(t, job))
	assert.Contains(t, ar.summary.Text, "1000 tickets")
	assert.Contains(t, ar.result.Text, "1000 imported")
	assert.NotEmpty(t, ar.months.bars)
	require.NotEmpty(t, ar.rules.bars)
	assert.LessOrEqual(t, len(ar.rules.bars), 8)

	// Preview the generated CSV: ServiceNow columns are detected.
	csv := filepath.Join(d.proj.Dir, "synthetic", "tickets.csv")
	ar.loadPreview(csv)
	rows, cols := ar.table.Length()
	assert.Equal(t, previewN, rows)
	assert.Equal(t, len(synth.CSVHeader), cols)
	assert.Equal(t, "Number", ar.fieldSel["id"].Selected)
	assert.Equal(t, "Close notes", ar.fieldSel["close_notes"].Selected)
	ar.preset.SetSelected("jira") // Jira columns are absent: every field unmapped
	assert.Equal(t, unmapped, ar.fieldSel["id"].Selected)
	test.Tap(ar.importBtn)
	waitJobs(t, d)
	assert.Empty(t, d.jobs.Running())
	ar.preset.SetSelected("servicenow")
	assert.Equal(t, "Number", ar.fieldSel["id"].Selected)
	test.Tap(ar.importBtn)
	waitJobs(t, d)
	assert.Contains(t, ar.result.Text, "1000 unchanged")

	// Mining: a broken custom pattern is refused live, naming the error.
	mp := d.mining
	selectTab(d, mp)
	assert.Contains(t, mp.summary.Text, "1000 tickets imported")
	mp.custom.SetText("SEC-(\\d+")
	assert.True(t, mp.patErr.Visible())
	assert.Contains(t, mp.patErr.Text, "missing closing )")
	assert.True(t, mp.runBtn.Disabled())
	mp.custom.SetText("")
	assert.False(t, mp.patErr.Visible())
	require.False(t, mp.runBtn.Disabled())
	test.Tap(mp.runBtn)
	waitJobs(t, d)
	res, ok, err := d.proj.LastMine()
	require.NoError(t, err)
	require.True(t, ok)
	require.Len(t, mp.funnel.bars, 8)
	assert.Equal(t, float64(res.Funnel.Mentions), mp.funnel.bars[0].value)
	assert.Equal(t, "training positives", mp.funnel.bars[7].label)
	assert.Equal(t, float64(res.Funnel.Sampled), mp.funnel.bars[7].value)
	assert.Greater(t, res.Funnel.Sampled, 0)
	assert.Contains(t, mp.summary.Text, "positive pairs for training")
	require.NotEmpty(t, mp.shown)
	assert.Equal(t, res.Funnel.Sampled, len(mp.shown), "the default filter shows the training positives")
	// Select a direct pair and check the note highlights its cue.
	i := slices.IndexFunc(mp.shown, func(sp app.StoredPair) bool { return sp.Direct && sp.Cue != "" })
	require.GreaterOrEqual(t, i, 0)
	mp.list.Select(i)
	sp := mp.shown[i]
	assert.True(t, strings.HasPrefix(mp.queryCard.Text, sp.Query))
	assert.True(t, strings.HasPrefix(mp.posCard.Text, sp.Positive))
	assert.Contains(t, mp.pairInfo.Text, "Class: "+sp.Class.String())
	var bold []string
	for _, s := range mp.note.Segments {
		if ts, ok := s.(*widget.TextSegment); ok && ts.Style.TextStyle.Bold {
			bold = append(bold, strings.ToLower(ts.Text))
		}
	}
	assert.Contains(t, bold, strings.ToLower(sp.Cue))

	// Negatives: the steps unlock one after the other.
	np := d.negatives
	selectTab(d, np)
	assert.Contains(t, np.summary.Text, "first stage")
	assert.True(t, np.negBtn.Disabled())
	test.Tap(np.fsBtn)
	waitJobs(t, d)
	assert.False(t, np.negBtn.Disabled())
	test.Tap(np.negBtn)
	waitJobs(t, d)
	assert.Contains(t, np.summary.Text, "hard negatives")
	require.NotEmpty(t, np.queue)
	assert.Contains(t, np.reviewCounts.Text, "0 of")

	// Review with the keyboard: J opens the first query, N confirms its first
	// negative and moves on, X excludes the second, K goes back.
	key(d, fyne.KeyJ)
	require.Equal(t, 0, np.qi)
	require.GreaterOrEqual(t, len(np.cur.Negatives), 2)
	q := np.cur.Query.ID
	first, second := np.cur.Negatives[0].Candidate, np.cur.Negatives[1].Candidate
	assert.True(t, strings.HasPrefix(np.queryCard.Text, q))
	key(d, fyne.KeyN)
	assert.Equal(t, 1, np.ni)
	key(d, fyne.KeyX)
	key(d, fyne.KeyK)
	assert.Equal(t, 1, np.ni)
	assert.Contains(t, np.reviewCounts.Text, "2 of")
	assert.Contains(t, np.reviewCounts.Text, "1 confirmed")
	assert.Contains(t, np.reviewCounts.Text, "1 excluded")
	qr, err := d.proj.NegativesFor(q)
	require.NoError(t, err)
	states := map[string]negatives.ReviewState{}
	for _, n := range qr.Negatives {
		states[n.Candidate] = n.State
	}
	assert.Equal(t, negatives.ConfirmedNegative, states[first])
	assert.Equal(t, negatives.Excluded, states[second])
	key(d, fyne.KeyRightBracket)
	if len(np.queue) > 1 {
		assert.Equal(t, 1, np.qi)
	}
	// Keys typed on another tab do not mark anything.
	selectTab(d, d.training)
	before, err := d.proj.ReviewStatus()
	require.NoError(t, err)
	key(d, fyne.KeyN)
	after, err := d.proj.ReviewStatus()
	require.NoError(t, err)
	assert.Equal(t, before, after)

	// Training: the form keeps sane defaults and names a bad field.
	tp := d.training
	got, err := tp.params()
	require.NoError(t, err)
	assert.Equal(t, defaultTrainParams(), got)
	eventually(t, func() bool { return tp.backend.Text != "resolving…" }, 30*time.Second)
}
