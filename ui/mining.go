package ui

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/precedent/precedent/app"
	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/data/mining"
)

// Pair browser filters.
const (
	pairsTraining = "Training positives"
	pairsTrivial  = "Trivial duplicates"
	pairsFiltered = "Capped or sampled out"
	pairsAll      = "All pairs"
)

// miningPanel runs mining and browses the pairs it found.
type miningPanel struct {
	d *desktop

	presets   *widget.CheckGroup
	custom    *widget.Entry
	patErr    *widget.Label
	runBtn    *widget.Button
	progress  *widget.ProgressBarInfinite
	summary   *widget.Label
	funnel    *barChart
	timeline  *fyne.Container
	filter    *widget.Select
	list      *widget.List
	pairs     []app.StoredPair // all stored pairs
	shown     []app.StoredPair // after the filter
	queryCard *widget.Label
	posCard   *widget.Label
	note      *widget.RichText
	pairInfo  *widget.Label

	root fyne.CanvasObject
}

// presetLabel is how a preset is shown beside its checkbox.
func presetLabel(name string) string { return name + "   " + mining.Presets[name].Expr }

func newMiningPanel(d *desktop) *miningPanel {
	p := &miningPanel{d: d}
	var labels []string
	for _, n := range mining.PresetNames() {
		labels = append(labels, presetLabel(n))
	}
	p.presets = widget.NewCheckGroup(labels, func([]string) { p.validate() })
	p.custom = widget.NewMultiLineEntry()
	p.custom.SetPlaceHolder("custom ID patterns, one RE2 expression a line, e.g. SEC-\\d{4}")
	p.custom.SetMinRowsVisible(3)
	p.custom.OnChanged = func(string) { p.validate() }
	p.patErr = widget.NewLabel("")
	p.patErr.Importance = widget.DangerImportance
	p.patErr.Wrapping = fyne.TextWrapWord
	p.runBtn = widget.NewButtonWithIcon("Run mining", theme.MediaPlayIcon(), p.start)
	p.runBtn.Importance = widget.HighImportance
	p.progress = widget.NewProgressBarInfinite()
	p.progress.Stop()
	p.progress.Hide()
	p.summary = widget.NewLabel("")
	p.summary.Wrapping = fyne.TextWrapWord
	p.funnel = newBarChart(true, "Run mining to see the funnel.")
	p.timeline = container.NewStack(widget.NewLabel("Run mining to see the time split."))

	p.filter = widget.NewSelect([]string{pairsTraining, pairsTrivial, pairsFiltered, pairsAll}, func(string) { p.applyFilter() })
	p.list = widget.NewList(
		func() int { return len(p.shown) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			sp := p.shown[i]
			w := sp.Window
			if w == "" {
				w = "—"
			}
			o.(*widget.Label).SetText(fmt.Sprintf("%s → %s  · %s · %s", sp.Query, sp.Positive, sp.Class, w))
		})
	p.list.OnSelected = func(i widget.ListItemID) { p.showPair(i) }
	p.queryCard = widget.NewLabel("")
	p.queryCard.Wrapping = fyne.TextWrapWord
	p.posCard = widget.NewLabel("")
	p.posCard.Wrapping = fyne.TextWrapWord
	p.note = widget.NewRichText()
	p.note.Wrapping = fyne.TextWrapWord
	p.pairInfo = widget.NewLabel("Select a pair to see both tickets and the note that links them.")
	p.pairInfo.Wrapping = fyne.TextWrapWord

	left := container.NewVScroll(container.NewVBox(
		heading("Ticket ID patterns"), p.presets, p.custom, p.patErr,
		container.NewBorder(nil, nil, nil, p.runBtn, p.progress),
		p.summary,
		heading("Funnel"), p.funnel,
		heading("Time split"), p.timeline,
	))
	cards := container.NewGridWithColumns(2,
		container.NewBorder(heading("Query (later ticket)"), nil, nil, nil, container.NewVScroll(p.queryCard)),
		container.NewBorder(heading("Positive (earlier ticket)"), nil, nil, nil, container.NewVScroll(p.posCard)))
	detail := container.NewVSplit(cards, container.NewBorder(container.NewVBox(p.pairInfo, heading("Close-note that links them")), nil, nil, nil, container.NewVScroll(p.note)))
	browser := container.NewBorder(container.NewBorder(nil, nil, heading("Pairs"), nil, p.filter), nil, nil, nil,
		container.NewHSplit(p.list, detail))
	split := container.NewHSplit(left, browser)
	split.Offset = 0.4
	p.root = split
	p.filter.SetSelected(pairsTraining)
	return p
}

func (p *miningPanel) title() string           { return "Mining" }
func (p *miningPanel) icon() fyne.Resource     { return theme.SearchIcon() }
func (p *miningPanel) view() fyne.CanvasObject { return p.root }

// refresh loads the project's patterns and its last mining result.
func (p *miningPanel) refresh() {
	proj, err := p.d.project()
	if err != nil {
		p.summary.SetText(err.Error())
		return
	}
	s := proj.SettingsSnapshot()
	presets, patterns := s.IDPresets, s.IDPatterns
	res, ok, err := proj.LastMine()
	if err != nil {
		p.summary.SetText("Could not read the last mining result: " + err.Error())
		return
	}
	if ok {
		presets, patterns = res.Options.Presets, res.Options.Patterns
	}
	var sel []string
	for _, n := range presets {
		if _, known := mining.Presets[n]; known {
			sel = append(sel, presetLabel(n))
		}
	}
	p.presets.SetSelected(sel)
	p.custom.SetText(strings.Join(patterns, "\n"))
	p.validate()
	if !ok {
		if n, _ := proj.TicketCount(); n == 0 {
			p.summary.SetText("Import an archive first (Archive tab), then run mining.")
		} else {
			p.summary.SetText(fmt.Sprintf("%d tickets imported: choose the ID patterns your analysts write and run mining.", n))
		}
		p.funnel.set(nil)
		p.pairs = nil
		p.applyFilter()
		return
	}
	p.showResult(res)
	pairs, err := proj.Pairs()
	if err != nil {
		p.summary.SetText("Could not read the pairs: " + err.Error())
		return
	}
	p.pairs = pairs
	p.applyFilter()
}

// chosen returns the selected presets and custom patterns.
func (p *miningPanel) chosen() (presets, patterns []string) {
	for _, l := range p.presets.Selected {
		presets = append(presets, strings.Fields(l)[0])
	}
	for _, line := range strings.Split(p.custom.Text, "\n") {
		if s := strings.TrimSpace(line); s != "" {
			patterns = append(patterns, s)
		}
	}
	return presets, patterns
}

// validate compiles the patterns as the user edits them; a broken one
// disables Run and is named in red.
func (p *miningPanel) validate() {
	presets, patterns := p.chosen()
	if _, err := mining.CompilePatterns(presets, patterns); err != nil {
		p.patErr.SetText(err.Error())
		p.patErr.Show()
		p.runBtn.Disable()
		return
	}
	p.patErr.SetText("")
	p.patErr.Hide()
	if len(p.d.jobs.Running()) == 0 || !slices.Contains(p.d.jobs.Running(), "mining") {
		p.runBtn.Enable()
	}
}

// start runs mining with the chosen patterns and remembers them in settings.
func (p *miningPanel) start() { p.mine() }

func (p *miningPanel) mine() *app.Job {
	presets, patterns := p.chosen()
	if _, err := mining.CompilePatterns(presets, patterns); err != nil {
		p.d.showError("Mining", fmt.Errorf("%w\nFix the pattern, then run again", err))
		return nil
	}
	o := app.DefaultMineOptions()
	o.Presets, o.Patterns = presets, patterns
	if err := o.Validate(); err != nil {
		p.d.showError("Mining", err)
		return nil
	}
	p.runBtn.Disable()
	p.progress.Show()
	p.progress.Start()
	job := p.d.run("mining", func(ctx context.Context, proj *app.Project, progress app.Progress) error {
		if err := proj.UpdateSettings(func(s *app.Settings) error {
			s.IDPresets, s.IDPatterns = presets, patterns
			return nil
		}); err != nil {
			return err
		}
		_, err := proj.Mine(ctx, o, progress)
		return err
	}, func(e app.Event) {
		if e.Message != "" {
			p.summary.SetText(e.Phase + ": " + e.Message)
		}
	}, func(err error) {
		p.progress.Stop()
		p.progress.Hide()
		p.runBtn.Enable()
		if err == nil {
			p.refresh()
		}
	})
	if job == nil { // it did not start: done is never called
		p.progress.Stop()
		p.progress.Hide()
		p.runBtn.Enable()
	}
	return job
}

// showResult renders the funnel, the split and the summary.
func (p *miningPanel) showResult(r app.MineResult) {
	f := r.Funnel
	p.funnel.set([]bar{
		{label: "ID mentions", value: float64(f.Mentions)},
		{label: "of archive tickets", value: float64(f.Existing)},
		{label: "of another ticket", value: float64(f.NonSelf)},
		{label: "distinct links", value: float64(f.Links)},
		{label: "trivial duplicates", value: float64(f.Trivial), color: colOrange},
		{label: "non-trivial links", value: float64(f.NonTrivial)},
		{label: "after expansion", value: float64(f.Expanded), color: colPurple},
		{label: "training positives", value: float64(f.Sampled), color: colGreen},
	})
	var b strings.Builder
	fmt.Fprintf(&b, "%d tickets · %d positive pairs for training · %d groups of linked tickets · %.1f s",
		r.Tickets, f.Sampled, r.Groups, r.Seconds)
	if len(r.Classes) > 0 {
		var cs []string
		for _, c := range []string{"duplicate", "master", "procedural", "mention"} {
			if n := r.Classes[c]; n > 0 {
				cs = append(cs, fmt.Sprintf("%s %d", c, n))
			}
		}
		fmt.Fprintf(&b, "\nPairs by cue: %s", strings.Join(cs, " · "))
	}
	if r.Truth != nil {
		fmt.Fprintf(&b, "\nAgainst the synthetic ground truth: precision %.1f%% · recall %.1f%% of revealable pairs · %.1f%% of revealable queries",
			r.Truth.Final.Precision*100, r.Truth.Final.Recall*100, r.Truth.Final.QueryRecall*100)
	}
	if l := r.Leakage; l.NotEarlier+l.LaterWindow > 0 {
		fmt.Fprintf(&b, "\nLeakage guard dropped %d pairs (%d positives not earlier than their query, %d from a later window)", l.NotEarlier+l.LaterWindow, l.NotEarlier, l.LaterWindow)
	}
	p.summary.SetText(b.String())
	p.timeline.Objects = []fyne.CanvasObject{timelineOf(r.Windows)}
	p.timeline.Refresh()
}

// timelineOf draws the train / validation / test windows.
func timelineOf(ws []app.WindowCount) fyne.CanvasObject {
	if len(ws) == 0 {
		return widget.NewLabel("No time split recorded.")
	}
	segs := make([]segment, len(ws))
	for i, w := range ws {
		col := colBlue
		switch w.Name {
		case "validation":
			col = colOrange
		case "test":
			col = colGreen
		}
		segs[i] = segment{
			name:   w.Name,
			weight: float64(w.Tickets),
			color:  col,
			lines: []string{
				fmt.Sprintf("%s → %s", w.Start.Format("2006-01-02"), w.End.Format("2006-01-02")),
				fmt.Sprintf("%d tickets", w.Tickets),
				fmt.Sprintf("%d queries · %d pairs", w.Queries, w.Pairs),
			},
		}
	}
	return newTimeline(segs)
}

// applyFilter narrows the pair list to the chosen kind.
func (p *miningPanel) applyFilter() {
	p.shown = p.shown[:0]
	for _, sp := range p.pairs {
		keep := false
		switch p.filter.Selected {
		case pairsTraining:
			keep = sp.Training()
		case pairsTrivial:
			keep = sp.Trivial
		case pairsFiltered:
			keep = !sp.Training() && !sp.Trivial
		default:
			keep = true
		}
		if keep {
			p.shown = append(p.shown, sp)
		}
	}
	p.list.UnselectAll()
	p.list.Refresh()
	p.queryCard.SetText("")
	p.posCard.SetText("")
	p.note.Segments = nil
	p.note.Refresh()
	if len(p.pairs) == 0 {
		p.pairInfo.SetText("No pairs yet: run mining.")
	} else {
		p.pairInfo.SetText(fmt.Sprintf("%d of %d pairs shown. Select one to see both tickets and the note that links them.", len(p.shown), len(p.pairs)))
	}
}

// showPair shows the selected pair's tickets and the linking note.
func (p *miningPanel) showPair(i int) {
	if i < 0 || i >= len(p.shown) {
		return
	}
	proj, err := p.d.project()
	if err != nil {
		return
	}
	sp := p.shown[i]
	pt, err := proj.PairTickets(sp)
	if err != nil {
		p.d.showError("Show pair", err)
		return
	}
	q, pos, src := pt.Query, pt.Positive, pt.Source
	p.queryCard.SetText(ticketCard(q, false))
	p.posCard.SetText(ticketCard(pos, true))
	info := fmt.Sprintf("Class: %s · cue: %q · window: %s", sp.Class, sp.Cue, orDash(sp.Window))
	if !sp.Direct {
		info += " · linked through their group (no direct citation)"
	}
	if len(sp.Filters) > 0 {
		info += " · not a training positive: " + strings.Join(sp.Filters, ", ")
	}
	if sp.TrivialWhy != "" {
		info += "\nTrivial: " + sp.TrivialWhy
	}
	p.pairInfo.SetText(info)
	other := sp.Positive
	if sp.Source == sp.Positive {
		other = sp.Query
	}
	if src.ID == "" {
		p.note.Segments = []widget.RichTextSegment{&widget.TextSegment{Text: "No direct note: the tickets are connected through other tickets of their group.", Style: widget.RichTextStyleInline}}
	} else {
		p.note.Segments = highlightNote(src.ID, src.CloseNotes, sp.Cue, other)
	}
	p.note.Refresh()
}

// highlightNote splits a close-note into segments with the cue and the cited
// ID in bold, so the analyst sees at once why the pair was mined.
func highlightNote(source, note, cue, cited string) []widget.RichTextSegment {
	head := &widget.TextSegment{Text: source + ": ", Style: widget.RichTextStyle{Inline: true, TextStyle: fyne.TextStyle{Italic: true}}}
	var marks [][2]int
	lower := strings.ToLower(note)
	if cue != "" {
		if i := strings.Index(lower, strings.ToLower(cue)); i >= 0 {
			marks = append(marks, [2]int{i, i + len(cue)})
		}
	}
	if cited != "" {
		if i := strings.Index(lower, strings.ToLower(cited)); i >= 0 {
			marks = append(marks, [2]int{i, i + len(cited)})
		}
	}
	sort.Slice(marks, func(a, b int) bool { return marks[a][0] < marks[b][0] })
	segs := []widget.RichTextSegment{head}
	prev := 0
	for _, m := range marks {
		if m[0] < prev {
			continue
		}
		if m[0] > prev {
			segs = append(segs, &widget.TextSegment{Text: note[prev:m[0]], Style: widget.RichTextStyleInline})
		}
		segs = append(segs, &widget.TextSegment{Text: note[m[0]:m[1]], Style: widget.RichTextStyle{Inline: true, ColorName: theme.ColorNamePrimary, TextStyle: fyne.TextStyle{Bold: true}}})
		prev = m[1]
	}
	if prev < len(note) {
		segs = append(segs, &widget.TextSegment{Text: note[prev:], Style: widget.RichTextStyleInline})
	}
	return segs
}

// ticketCard is a ticket as a few readable lines.
func ticketCard(t data.Ticket, withNotes bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s  ·  opened %s\n", t.ID, t.Opened.Format("2006-01-02 15:04"))
	fmt.Fprintf(&b, "Rule: %s", orDash(t.Rule))
	if t.Severity != "" {
		fmt.Fprintf(&b, "  ·  severity %s", t.Severity)
	}
	fmt.Fprintf(&b, "\nHost: %s  ·  user: %s\n\n%s", orDash(t.Host), orDash(t.User), t.Title)
	if t.Description != "" {
		fmt.Fprintf(&b, "\n%s", truncate(t.Description, 600))
	}
	if withNotes && t.CloseNotes != "" {
		fmt.Fprintf(&b, "\n\nClose-notes: %s", truncate(t.CloseNotes, 600))
	}
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
