package ui

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/data/binding"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/precedent/precedent/app"
)

// evalMetrics are the table's columns after the system name.
var evalMetrics = []string{"MRR@10", "nDCG@10", "R@1", "R@5", "R@10", "MAP"}

// evaluationPanel compares the first stage, the starting reranker and the
// fine-tuned reranker on the test window.
type evaluationPanel struct {
	d *desktop

	runBtn   *widget.Button
	progress *widget.ProgressBar
	status   *widget.Label
	done     binding.Float  // bound to progress
	state    binding.String // bound to status: the evaluation's state
	rows     [][]string     // system, then one cell per metric
	table    *widget.Table
	uplift   *widget.Label
	perRule  *barChart
	queries  *widget.List
	qids     []string
	ranks    map[string]map[string]int // query → system → rank of the first relevant (0 = missing)
	why      *widget.RichText

	root fyne.CanvasObject
}

func newEvaluationPanel(d *desktop) *evaluationPanel {
	p := &evaluationPanel{d: d}
	p.runBtn = widget.NewButtonWithIcon("Run evaluation", theme.MediaPlayIcon(), func() { p.evaluate() })
	p.runBtn.Importance = widget.HighImportance
	p.done, p.state = binding.NewFloat(), binding.NewString()
	p.progress = widget.NewProgressBarWithData(p.done)
	p.status = widget.NewLabelWithData(p.state)
	p.status.Wrapping = fyne.TextWrapWord
	p.table = widget.NewTableWithHeaders(
		func() (int, int) { return len(p.rows), len(evalMetrics) + 1 },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis // long system labels must not run into the figures
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) { o.(*widget.Label).SetText(p.rows[id.Row][id.Col]) })
	p.table.ShowHeaderColumn = false
	p.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		l := o.(*widget.Label)
		l.TextStyle.Bold = true
		switch {
		case id.Col == 0:
			l.SetText("System")
		case id.Col > 0 && id.Col <= len(evalMetrics):
			l.SetText(evalMetrics[id.Col-1])
		default:
			l.SetText("")
		}
	}
	p.table.SetColumnWidth(0, 420)
	for i := range evalMetrics {
		p.table.SetColumnWidth(i+1, 80)
	}
	p.uplift = widget.NewLabel("")
	p.uplift.Wrapping = fyne.TextWrapWord
	p.perRule = newBarChart(true, "Uplift per rule appears after evaluation.")
	p.queries = widget.NewList(func() int { return len(p.qids) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			q := p.qids[i]
			r := p.ranks[q]
			o.(*widget.Label).SetText(fmt.Sprintf("%s   %s → %s", q, rankText(r[app.SysFirstStage]), rankText(r[app.SysFinal])))
		})
	p.queries.OnSelected = func(i widget.ListItemID) { p.showQuery(i) }
	p.why = widget.NewRichTextWithText("Select a query to see its rank before and after, and why its precedent matches.")
	p.why.Wrapping = fyne.TextWrapWord

	top := container.NewVBox(container.NewBorder(nil, nil, p.runBtn, nil, p.progress), p.status,
		container.NewGridWrap(fyne.NewSize(420+80*float32(len(evalMetrics))+12, 200), p.table), p.uplift)
	bottom := container.NewHSplit(
		container.NewBorder(heading("Uplift per rule (MRR@10, fine-tuned − first stage)"), nil, nil, nil, container.NewVScroll(p.perRule)),
		container.NewHSplit(
			container.NewBorder(heading("Test queries (rank before → after)"), nil, nil, nil, p.queries),
			container.NewBorder(heading("Why this match"), nil, nil, nil, container.NewVScroll(p.why))))
	p.root = container.NewBorder(top, nil, nil, nil, bottom)
	return p
}

func (p *evaluationPanel) title() string           { return "Evaluation" }
func (p *evaluationPanel) icon() fyne.Resource     { return theme.InfoIcon() }
func (p *evaluationPanel) view() fyne.CanvasObject { return p.root }

func rankText(r int) string {
	if r == 0 {
		return "—"
	}
	return fmt.Sprintf("#%d", r)
}

// refresh shows the last evaluation, or what to do first.
func (p *evaluationPanel) refresh() {
	proj, err := p.d.project()
	if err != nil {
		_ = p.state.Set(err.Error())
		return
	}
	res, ok, err := proj.LastEval()
	if err != nil {
		_ = p.state.Set("Could not read the last evaluation: " + err.Error())
		return
	}
	if !ok {
		p.show(app.EvalResult{})
		if runs, _ := proj.Runs(); len(runs) == 0 {
			_ = p.state.Set("Train a model first (Training tab); evaluation compares it with the first stage and the starting model on the test window.")
		} else {
			_ = p.state.Set("Press Run evaluation to compare the best run with the first stage and the starting model on the test window.")
		}
		return
	}
	p.show(res)
}

// evaluate runs the evaluation of the best run with app's default options.
// It returns nil when the evaluation could not start (the reason is shown).
func (p *evaluationPanel) evaluate() *app.Job {
	o := app.DefaultEvalOptions()
	if err := o.Validate(); err != nil {
		p.d.showError("evaluation", err)
		return nil
	}
	p.runBtn.Disable()
	_ = p.done.Set(0)
	var res app.EvalResult
	job := p.d.run("evaluation", func(ctx context.Context, proj *app.Project, progress app.Progress) error {
		var err error
		res, err = proj.Evaluate(ctx, o, progress)
		return err
	}, func(e app.Event) {
		if e.Total > 0 {
			_ = p.done.Set(float64(e.Done) / float64(e.Total))
		}
		if e.Message != "" {
			_ = p.state.Set(e.Message)
		}
	}, func(err error) {
		p.runBtn.Enable()
		if err == nil {
			_ = p.done.Set(1)
			p.show(res)
		}
	})
	if job == nil {
		p.runBtn.Enable() // it did not start: done is never called
	}
	return job
}

// show renders one evaluation result (the zero result clears the panel).
func (p *evaluationPanel) show(r app.EvalResult) {
	p.rows = nil
	systems := []*app.SystemEval{&r.FirstStage, r.Baseline, r.BaselineFusion, &r.Finetuned, r.Ranker, &r.FusionSystem, &r.Final, r.LeakProbe}
	for _, s := range systems {
		if s == nil || s.Name == "" {
			continue
		}
		label := s.Label
		if label == "" {
			label = s.Name
		}
		m := s.Metrics
		p.rows = append(p.rows, []string{label, f3(m.MRR10), f3(m.NDCG10), f3(m.R1), f3(m.R5), f3(m.R10), f3(m.MAP)})
	}
	p.table.Refresh()
	if r.Run == "" {
		p.uplift.SetText("")
		p.perRule.set(nil)
		p.ranks, p.qids = nil, nil
		p.queries.Refresh()
		return
	}
	_ = p.state.Set(fmt.Sprintf("Run %s · %d test queries · top %d candidates reranked · %.0f s", r.Run, r.Queries, r.Depth, r.Seconds))
	// The verdict compares what Precedent ships (the final system) with the
	// best baseline, in words; the pure reranker's figure follows.
	txt := r.Verdict + fmt.Sprintf("\nFine-tuned reranker alone vs first stage: MRR@10 %+.1f%% (Δ %+.3f), p = %.4f",
		r.PureVsFirst.UpliftPct, r.PureVsFirst.Delta, r.PureVsFirst.PValue)
	if r.BaselineSkipped != "" {
		txt += "\nStarting reranker: " + r.BaselineSkipped
	}
	txt += fmt.Sprintf("\nCeiling: %.0f%% of test queries have a relevant ticket among their %d candidates (hit@%d); no reranker can find the rest.", 100*r.Ceiling, r.Depth, r.Depth)
	if r.FinalWhy != "" {
		txt += "\nFinal system: " + r.FinalWhy + "."
	}
	if r.RankerFit != nil {
		txt += "\nLearned ranker: " + r.RankerFit.Summary()
	}
	if r.ReportHTML != "" {
		txt += "\nReport: " + r.ReportHTML
	}
	p.uplift.SetText(txt)
	var bars []bar
	rows := append(r.PerRule[:0:0], r.PerRule...)
	sort.Slice(rows, func(i, j int) bool { return rows[i].Queries > rows[j].Queries })
	for _, rr := range rows[:min(len(rows), 12)] {
		d := rr.MRR[app.SysFinal] - rr.MRR[app.SysFirstStage]
		col := colGreen
		if d < 0 {
			col = colRed
		}
		bars = append(bars, bar{label: fmt.Sprintf("%s (%d)", truncate(rr.Rule, 32), rr.Queries), value: max(d, 0) + max(-d, 0), text: fmt.Sprintf("%+.3f", d), color: col})
	}
	p.perRule.set(bars)
	if len(bars) == 0 {
		p.perRule.empty = "No rule has 3 or more test queries: evaluate on a larger archive for a per-rule comparison."
		p.perRule.Refresh()
	}
	p.ranks = map[string]map[string]int{}
	p.qids = p.qids[:0]
	for _, d := range r.Details {
		p.ranks[d.Query] = d.Ranks
		p.qids = append(p.qids, d.Query)
	}
	sort.Strings(p.qids)
	if len(p.qids) == 0 && r.Run != "" {
		p.why.Segments = []widget.RichTextSegment{&widget.TextSegment{Text: "This evaluation holds no per-query ranks; run the evaluation again to browse them.", Style: widget.RichTextStyleInline}}
		p.why.Refresh()
	}
	p.queries.Refresh()
}

func f3(v float64) string { return fmt.Sprintf("%.3f", v) }

// showQuery explains one test query: its ranks, its first relevant
// precedent, the entities they share and the note that made the label.
func (p *evaluationPanel) showQuery(i int) {
	if i < 0 || i >= len(p.qids) || p.d.proj == nil {
		return
	}
	qid := p.qids[i]
	ev, err := p.d.proj.WhyMatch(qid)
	if err != nil {
		p.d.showError("Show query", err)
		return
	}
	var segs []widget.RichTextSegment
	add := func(text string, bold bool) {
		st := widget.RichTextStyleInline
		if bold {
			st = widget.RichTextStyle{Inline: true, TextStyle: fyne.TextStyle{Bold: true}}
		}
		segs = append(segs, &widget.TextSegment{Text: text, Style: st})
	}
	r := p.ranks[qid]
	add(fmt.Sprintf("%s — first stage %s, starting model %s, fine-tuned %s, learned ranker %s, final %s\n", qid, rankText(r[app.SysFirstStage]), rankText(r[app.SysBaseline]), rankText(r[app.SysFinetuned]), rankText(r[app.SysRanker]), rankText(r[app.SysFinal])), true)
	add(ticketCard(ev.Query, false)+"\n\n", false)
	if pos := ev.Precedent; pos == nil {
		add("No relevant precedent recorded for this query.", false)
	} else {
		add("Precedent "+pos.ID+": ", true)
		add(pos.Title+"\n", false)
		if len(ev.SharedEntities) > 0 {
			add("Shared entities: ", true)
			add(strings.Join(ev.SharedEntities, ", ")+"\n", false)
		}
		if len(ev.SharedTerms) > 0 {
			add("Shared terms: ", true)
			add(strings.Join(ev.SharedTerms, ", ")+"\n", false)
		}
		if len(ev.Contributions) > 0 {
			add("Learned ranker's evidence (largest contributions to its score): ", true)
			parts := make([]string, len(ev.Contributions))
			for i, c := range ev.Contributions {
				parts[i] = fmt.Sprintf("%s %+.2f", c.Feature, c.Score)
			}
			add(strings.Join(parts, ", ")+"\n", false)
		}
		if notes := pos.NotesText(); notes != "" {
			add("Its notes (as of the query's opening): ", true)
			add(truncate(notes, 700), false)
		}
	}
	p.why.Segments = segs
	p.why.Refresh()
}
