package ui

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/data/binding"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/precedent/precedent/app"
	"github.com/precedent/precedent/data/negatives"
)

// Review queue filters.
const (
	queueUnreviewed = "Unreviewed"
	queueHeld       = "Held for review"
	queueAll        = "All queries"
	anyRule         = "Any rule"
)

// negativesPanel retrieves candidates, mines hard negatives and lets the
// analyst review them with the keyboard.
type negativesPanel struct {
	d *desktop

	fsBtn, negBtn *widget.Button
	perQuery      *widget.Entry
	progress      *widget.ProgressBar
	done          binding.Float // bound to progress: the running step's share done
	summary       *widget.Label

	state, rule        *widget.Select
	minScore, maxScore *widget.Entry
	queue              []string
	queueList          *widget.List
	qi                 int // selected query in queue; -1 none
	reviewBar          *widget.ProgressBar
	reviewCounts       *widget.Label
	reviewShare        binding.Float  // bound to reviewBar: share of negatives reviewed
	reviewText         binding.String // bound to reviewCounts

	cur       app.QueryReview
	ni        int // selected negative; -1 none
	queryCard *widget.Label
	positives *widget.Label
	negList   *widget.List
	why       *widget.Label

	root fyne.CanvasObject
}

func newNegativesPanel(d *desktop) *negativesPanel {
	p := &negativesPanel{d: d, qi: -1, ni: -1}
	p.fsBtn = widget.NewButtonWithIcon("1 · Retrieve candidates (first stage)", theme.SearchIcon(), func() { p.firstStage() })
	p.negBtn = widget.NewButtonWithIcon("2 · Mine hard negatives", theme.MediaPlayIcon(), func() { p.mineNegatives() })
	p.negBtn.Importance = widget.HighImportance
	p.perQuery = widget.NewEntry()
	p.perQuery.SetText(strconv.Itoa(app.DefaultNegativesOptions().PerQuery))
	p.done = binding.NewFloat()
	p.progress = widget.NewProgressBarWithData(p.done)
	p.progress.Hide()
	p.summary = widget.NewLabel("")
	p.summary.Wrapping = fyne.TextWrapWord

	p.state = widget.NewSelect([]string{queueUnreviewed, queueHeld, queueAll}, func(string) { p.loadQueue() })
	p.rule = widget.NewSelect([]string{anyRule}, func(string) { p.loadQueue() })
	p.minScore = widget.NewEntry()
	p.minScore.SetPlaceHolder("min score")
	p.maxScore = widget.NewEntry()
	p.maxScore.SetPlaceHolder("max score")
	p.minScore.OnSubmitted = func(string) { p.loadQueue() }
	p.maxScore.OnSubmitted = func(string) { p.loadQueue() }
	p.queueList = widget.NewList(
		func() int { return len(p.queue) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(p.queue[i]) })
	p.queueList.OnSelected = func(i widget.ListItemID) {
		p.d.win.Canvas().Unfocus()
		p.selectQuery(i)
	}
	p.reviewShare, p.reviewText = binding.NewFloat(), binding.NewString()
	p.reviewBar = widget.NewProgressBarWithData(p.reviewShare)
	p.reviewCounts = widget.NewLabelWithData(p.reviewText)
	p.reviewCounts.Wrapping = fyne.TextWrapWord

	p.queryCard = widget.NewLabel("Mine hard negatives, then pick a query to review.")
	p.queryCard.Wrapping = fyne.TextWrapWord
	p.positives = widget.NewLabel("")
	p.positives.Wrapping = fyne.TextWrapWord
	p.negList = widget.NewList(
		func() int { return len(p.cur.Negatives) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			n := p.cur.Negatives[i]
			held := ""
			if n.Held {
				held = " · held"
			}
			l := o.(*widget.Label)
			l.SetText(fmt.Sprintf("[%s] #%d  %.2f  %s  %s%s — %s", stateBadge(n.State), n.Rank, n.Score, n.Candidate, n.Rule, held, n.Ticket.Title))
			l.Importance = stateImportance(n.State)
			l.Refresh()
		})
	p.negList.OnSelected = func(i widget.ListItemID) {
		p.d.win.Canvas().Unfocus()
		p.ni = i
		p.showWhy()
	}
	p.why = widget.NewLabel("")
	p.why.Wrapping = fyne.TextWrapWord

	mark := func(label string, st negatives.ReviewState, icon fyne.Resource) *widget.Button {
		return widget.NewButtonWithIcon(label, icon, func() { p.mark(st) })
	}
	marks := container.NewHBox(
		mark("Negative (N)", negatives.ConfirmedNegative, theme.ConfirmIcon()),
		mark("Positive (P)", negatives.PromotedPositive, theme.ContentAddIcon()),
		mark("Exclude (X)", negatives.Excluded, theme.ContentClearIcon()),
		mark("Clear (U)", negatives.Unreviewed, theme.ContentUndoIcon()),
	)
	hint := widget.NewLabel("Keys: N negative · P positive · X exclude · U clear · J/K or ↓/↑ next/previous · ] / [ next/previous query")
	hint.Wrapping = fyne.TextWrapWord
	hint.Importance = widget.LowImportance
	steps := container.NewVBox(container.NewHBox(p.fsBtn, p.negBtn, widget.NewLabel("negatives per query"),
		container.NewGridWrap(fyne.NewSize(70, p.perQuery.MinSize().Height), p.perQuery)), p.progress, p.summary)
	filters := container.NewVBox(
		container.NewGridWithColumns(2, p.state, p.rule),
		container.NewGridWithColumns(2, p.minScore, p.maxScore),
	)
	left := container.NewBorder(container.NewVBox(heading("Queries to review"), filters), container.NewVBox(p.reviewBar, p.reviewCounts), nil, nil, p.queueList)
	sides := container.NewHSplit(
		container.NewBorder(heading("Positives"), nil, nil, nil, container.NewVScroll(p.positives)),
		container.NewBorder(heading("Hard negatives (rank · first-stage score · ticket · rule)"), container.NewVBox(marks, hint, p.why), nil, nil, p.negList))
	sides.Offset = 0.33
	right := container.NewVSplit(container.NewBorder(heading("Query"), nil, nil, nil, container.NewVScroll(p.queryCard)), sides)
	right.Offset = 0.3
	body := container.NewHSplit(left, right)
	body.Offset = 0.22
	p.root = container.NewBorder(steps, nil, nil, nil, body)
	p.state.SetSelected(queueUnreviewed)
	p.rule.SetSelected(anyRule)
	return p
}

func (p *negativesPanel) title() string           { return "Negatives" }
func (p *negativesPanel) icon() fyne.Resource     { return theme.ListIcon() }
func (p *negativesPanel) view() fyne.CanvasObject { return p.root }

func stateBadge(s negatives.ReviewState) string {
	switch s {
	case negatives.ConfirmedNegative:
		return "N"
	case negatives.PromotedPositive:
		return "P"
	case negatives.Excluded:
		return "X"
	}
	return " "
}

func stateImportance(s negatives.ReviewState) widget.Importance {
	switch s {
	case negatives.ConfirmedNegative:
		return widget.SuccessImportance
	case negatives.PromotedPositive:
		return widget.WarningImportance
	case negatives.Excluded:
		return widget.LowImportance
	}
	return widget.MediumImportance
}

// refresh shows which steps have run and reloads the queue.
func (p *negativesPanel) refresh() {
	proj, err := p.d.project()
	if err != nil {
		p.summary.SetText(err.Error())
		return
	}
	if _, ok, _ := proj.LastMine(); !ok {
		p.summary.SetText("Run mining first (Mining tab): negatives are chosen around the mined positives.")
		p.fsBtn.Disable()
		p.negBtn.Disable()
		p.setQueue(nil)
		return
	}
	p.fsBtn.Enable()
	if _, err := proj.Candidates("train"); err != nil {
		p.summary.SetText(fmt.Sprintf("Next: retrieve candidates with the first stage (top %d earlier tickets per query).", app.DefaultFirstStageOptions().K))
		p.negBtn.Disable()
		p.setQueue(nil)
		return
	}
	p.negBtn.Enable()
	res, ok, err := proj.LastNegatives()
	if err != nil || !ok {
		p.summary.SetText("Candidates are ready: mine hard negatives next.")
		p.setQueue(nil)
		return
	}
	p.summary.SetText(negativesSummary(res))
	rules := []string{anyRule}
	if st, err := proj.Stats(); err == nil {
		var rs []string
		for r := range st.ByRule {
			rs = append(rs, r)
		}
		sort.Strings(rs)
		rules = append(rules, rs...)
	}
	p.rule.SetOptions(rules)
	p.loadQueue()
}

func negativesSummary(r app.NegativesResult) string {
	s := fmt.Sprintf("%d queries · %d hard negatives · %d held back as possible false negatives (review them) · %.1f s",
		r.Queries, r.Negatives, r.Held, r.Seconds)
	if r.FalseNegativeShare != nil {
		s += fmt.Sprintf("\nAgainst the synthetic ground truth: %.1f%% of the usable negatives are actually related", *r.FalseNegativeShare*100)
	}
	return s
}

// filter is the review filter the controls describe.
func (p *negativesPanel) filter() app.ReviewFilter {
	f := app.ReviewFilter{}
	switch p.state.Selected {
	case queueUnreviewed:
		f.State = "unreviewed"
	case queueHeld:
		f.State = "held"
	}
	if r := p.rule.Selected; r != anyRule {
		f.Rule = r
	}
	if v, err := strconv.ParseFloat(strings.TrimSpace(p.minScore.Text), 32); err == nil {
		f.MinScore = float32(v)
	}
	if v, err := strconv.ParseFloat(strings.TrimSpace(p.maxScore.Text), 32); err == nil {
		f.MaxScore = float32(v)
	}
	return f
}

// loadQueue lists the queries that match the filter and the review progress.
func (p *negativesPanel) loadQueue() {
	if p.d.proj == nil || p.queueList == nil {
		return
	}
	if _, ok, _ := p.d.proj.LastNegatives(); !ok {
		return
	}
	q, err := p.d.proj.ReviewQueue(p.filter())
	if err != nil {
		p.summary.SetText("Could not list queries: " + err.Error())
		return
	}
	p.setQueue(q)
	p.updateProgress()
}

func (p *negativesPanel) setQueue(q []string) {
	p.queue = q
	p.qi, p.ni = -1, -1
	p.cur = app.QueryReview{}
	p.queueList.UnselectAll()
	p.queueList.Refresh()
	p.negList.UnselectAll()
	p.negList.Refresh()
	p.positives.SetText("")
	p.why.SetText("")
	if len(q) == 0 {
		p.queryCard.SetText("No query matches: mine hard negatives, or widen the filter.")
	} else {
		p.queryCard.SetText(fmt.Sprintf("%d queries match. Pick one (or press J) to review its negatives.", len(q)))
	}
}

func (p *negativesPanel) updateProgress() {
	rp, err := p.d.proj.ReviewStatus()
	if err != nil || rp.Negatives == 0 {
		_ = p.reviewShare.Set(0)
		_ = p.reviewText.Set("")
		return
	}
	_ = p.reviewShare.Set(float64(rp.Reviewed) / float64(rp.Negatives))
	_ = p.reviewText.Set(fmt.Sprintf("%d of %d reviewed · %d confirmed · %d promoted · %d excluded · %d held",
		rp.Reviewed, rp.Negatives, rp.Confirmed, rp.Promoted, rp.Excluded, rp.Held))
}

// selectQuery loads one query's positives and negatives.
func (p *negativesPanel) selectQuery(i int) {
	if i < 0 || i >= len(p.queue) || p.d.proj == nil {
		return
	}
	qr, err := p.d.proj.NegativesFor(p.queue[i])
	if err != nil {
		p.d.showError("Review "+p.queue[i], err)
		return
	}
	p.qi, p.cur = i, qr
	p.queryCard.SetText(ticketCard(qr.Query, false))
	var b strings.Builder
	for _, t := range qr.Positives {
		fmt.Fprintf(&b, "%s · %s · %s\n%s\n\n", t.ID, t.Opened.Format("2006-01-02"), orDash(t.Rule), truncate(t.Title, 120))
	}
	if len(qr.Positives) == 0 {
		b.WriteString("No mined positives.")
	}
	p.positives.SetText(b.String())
	p.negList.UnselectAll()
	p.negList.Refresh()
	p.ni = -1
	if len(qr.Negatives) > 0 {
		p.selectNegative(0)
	}
}

func (p *negativesPanel) selectNegative(i int) {
	if i < 0 || i >= len(p.cur.Negatives) {
		return
	}
	p.ni = i
	p.negList.Select(i)
	p.negList.ScrollTo(i)
	p.showWhy()
}

func (p *negativesPanel) showWhy() {
	if p.ni < 0 || p.ni >= len(p.cur.Negatives) {
		p.why.SetText("")
		return
	}
	n := p.cur.Negatives[p.ni]
	held := ""
	if n.Held {
		held = "\nHeld back: it scores close to the best positive, so it may be related. Confirm it (N) to use it."
	}
	p.why.SetText(fmt.Sprintf("%s: %s\nWhy chosen: %s%s", n.Candidate, truncate(n.Ticket.Title, 140), n.Why, held))
}

// mark records a verdict on the selected negative and moves on.
func (p *negativesPanel) mark(st negatives.ReviewState) {
	if p.ni < 0 || p.ni >= len(p.cur.Negatives) || p.d.proj == nil {
		return
	}
	n := &p.cur.Negatives[p.ni]
	if err := p.d.proj.MarkReview(p.cur.Query.ID, n.Candidate, st); err != nil {
		p.d.showError("Review", err)
		return
	}
	n.State = st
	p.negList.RefreshItem(p.ni)
	p.updateProgress()
	if p.ni+1 < len(p.cur.Negatives) {
		p.selectNegative(p.ni + 1)
	} else {
		p.showWhy()
	}
}

// typedKey is the review keyboard: N/P/X/U mark, J/K or arrows move,
// ] and [ change query.
func (p *negativesPanel) typedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyN:
		p.mark(negatives.ConfirmedNegative)
	case fyne.KeyP:
		p.mark(negatives.PromotedPositive)
	case fyne.KeyX:
		p.mark(negatives.Excluded)
	case fyne.KeyU:
		p.mark(negatives.Unreviewed)
	case fyne.KeyJ, fyne.KeyDown:
		if p.qi < 0 {
			p.nextQuery(1)
		} else {
			p.selectNegative(p.ni + 1)
		}
	case fyne.KeyK, fyne.KeyUp:
		p.selectNegative(p.ni - 1)
	case fyne.KeyRightBracket, fyne.KeyPageDown:
		p.nextQuery(1)
	case fyne.KeyLeftBracket, fyne.KeyPageUp:
		p.nextQuery(-1)
	}
}

func (p *negativesPanel) nextQuery(step int) {
	i := p.qi + step
	if i < 0 || i >= len(p.queue) {
		return
	}
	p.queueList.Select(i) // calls selectQuery through OnSelected
	p.queueList.ScrollTo(i)
}

// firstStage retrieves candidates for every query with positives.
func (p *negativesPanel) firstStage() *app.Job {
	o := app.DefaultFirstStageOptions()
	if err := o.Validate(); err != nil {
		p.d.showError("first stage", err)
		return nil
	}
	p.fsBtn.Disable()
	_ = p.done.Set(0)
	p.progress.Show()
	job := p.d.run("first stage", func(ctx context.Context, proj *app.Project, progress app.Progress) error {
		_, err := proj.FirstStage(ctx, o, progress)
		return err
	}, p.onEvent, func(err error) {
		p.progress.Hide()
		p.fsBtn.Enable()
		p.refresh()
	})
	if job == nil {
		p.progress.Hide()
		p.fsBtn.Enable() // it did not start: done is never called
	}
	return job
}

// mineNegatives selects hard negatives from the stored candidates.
func (p *negativesPanel) mineNegatives() *app.Job {
	// The form shows the default, so a 0 typed over it is a slip, not a
	// request for the default; app's Validate holds the bounds.
	n, err := strconv.Atoi(strings.TrimSpace(p.perQuery.Text))
	if err != nil || n == 0 {
		p.d.showError("Negatives", fmt.Errorf("negatives per query %q: give a whole number", p.perQuery.Text))
		return nil
	}
	o := app.DefaultNegativesOptions()
	o.PerQuery = n
	if err := o.Validate(); err != nil {
		p.d.showError("Negatives", formError(err, map[string]string{"per_query": "negatives per query"}))
		return nil
	}
	p.negBtn.Disable()
	_ = p.done.Set(0)
	p.progress.Show()
	job := p.d.run("negatives", func(ctx context.Context, proj *app.Project, progress app.Progress) error {
		_, err := proj.MineNegatives(ctx, o, progress)
		return err
	}, p.onEvent, func(err error) {
		p.progress.Hide()
		p.negBtn.Enable()
		p.refresh()
	})
	if job == nil {
		p.progress.Hide()
		p.negBtn.Enable() // it did not start: done is never called
	}
	return job
}

// formError is an option app refused, named as the form names it (label:
// the form's names by the option's JSON name); any other error passes.
func formError(err error, label map[string]string) error {
	var oe *app.OptionError
	if !errors.As(err, &oe) {
		return err
	}
	return errors.New(oe.Named(func(field string) string {
		if l, ok := label[field]; ok {
			return l
		}
		return field
	}))
}

func (p *negativesPanel) onEvent(e app.Event) {
	if e.Total > 0 {
		_ = p.done.Set(float64(e.Done) / float64(e.Total))
	}
	if e.Message != "" {
		p.summary.SetText(e.Step + ": " + e.Message)
	}
}
