package ui

import (
	"context"
	"fmt"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/data/binding"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/precedent/precedent/app"
	"github.com/precedent/precedent/ml/eval"
)

// monitorColumns are the monitoring table's columns.
var monitorColumns = []string{"Period", "Queries", "First stage", "Model", "Final", "Δ final − first [95% CI]", "Unseen rules", "New entities", "Length KS", "Model top KS", "First top KS"}

// monitoringPanel shows how the deployed model ages after its training
// data: MRR@10 per period of the first stage, the model and the final
// system, the label-free drift signals and the advice, all as
// app.Project.Monitor returns them.
type monitoringPanel struct {
	d *desktop

	runBtn   *widget.Button
	period   *widget.Select
	progress *widget.ProgressBar
	done     binding.Float
	state    binding.String
	status   *widget.Label
	advice   *widget.Label
	chart    *seriesChart
	rows     [][]string
	table    *widget.Table

	root fyne.CanvasObject
}

func newMonitoringPanel(d *desktop) *monitoringPanel {
	p := &monitoringPanel{d: d}
	p.runBtn = widget.NewButtonWithIcon("Run monitoring", theme.MediaPlayIcon(), func() { p.monitor() })
	p.runBtn.Importance = widget.HighImportance
	p.period = widget.NewSelect([]string{string(eval.Week), string(eval.Month), string(eval.Quarter)}, nil)
	p.period.SetSelected(app.DefaultMonitorOptions().Period)
	p.done, p.state = binding.NewFloat(), binding.NewString()
	p.progress = widget.NewProgressBarWithData(p.done)
	p.status = widget.NewLabelWithData(p.state)
	p.status.Wrapping = fyne.TextWrapWord
	p.advice = widget.NewLabel("")
	p.advice.Wrapping = fyne.TextWrapWord
	p.advice.TextStyle.Bold = true
	p.chart = newSeriesChart("MRR@10 per period", "Monitoring results appear here after a run.",
		[]string{"first stage", "model", "final"}, []color.Color{colGrey, colBlue, colGreen})
	p.table = widget.NewTableWithHeaders(
		func() (int, int) { return len(p.rows), len(monitorColumns) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(id widget.TableCellID, o fyne.CanvasObject) { o.(*widget.Label).SetText(p.rows[id.Row][id.Col]) })
	p.table.ShowHeaderColumn = false
	p.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		l := o.(*widget.Label)
		l.TextStyle.Bold = true
		if id.Col >= 0 && id.Col < len(monitorColumns) {
			l.SetText(monitorColumns[id.Col])
		}
	}
	for i, w := range []float32{90, 80, 100, 80, 80, 210, 110, 110, 95, 110, 110} {
		p.table.SetColumnWidth(i, w)
	}
	top := container.NewVBox(container.NewBorder(nil, nil, container.NewHBox(p.runBtn, widget.NewLabel("by"), p.period), nil, p.progress),
		p.status, p.advice)
	p.root = container.NewBorder(top, nil, nil, nil, container.NewVSplit(p.chart, p.table))
	return p
}

func (p *monitoringPanel) title() string           { return "Monitoring" }
func (p *monitoringPanel) icon() fyne.Resource     { return theme.HistoryIcon() }
func (p *monitoringPanel) view() fyne.CanvasObject { return p.root }

// refresh shows the last monitoring run, or what to do first.
func (p *monitoringPanel) refresh() {
	proj, err := p.d.project()
	if err != nil {
		_ = p.state.Set(err.Error())
		return
	}
	res, ok, err := proj.LastMonitor()
	if err != nil {
		_ = p.state.Set("Could not read the last monitoring run: " + err.Error())
		return
	}
	if !ok {
		p.show(app.MonitorResult{})
		_ = p.state.Set("After importing newer tickets (Archive tab), press Run monitoring: it evaluates the deployed model month by month since its training data ended, and says when to retrain.")
		return
	}
	p.show(res)
}

// monitor runs the monitoring of the best run with app's default options
// by the chosen period. It returns nil when monitoring could not start
// (the reason is shown).
func (p *monitoringPanel) monitor() *app.Job {
	o := app.DefaultMonitorOptions()
	o.Period = p.period.Selected
	if err := o.Validate(); err != nil {
		p.d.showError("monitoring", err)
		return nil
	}
	p.runBtn.Disable()
	_ = p.done.Set(0)
	var res app.MonitorResult
	job := p.d.run("monitoring", func(ctx context.Context, proj *app.Project, progress app.Progress) error {
		var err error
		res, err = proj.Monitor(ctx, o, progress)
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

// show renders one monitoring result (the zero result clears the panel).
func (p *monitoringPanel) show(r app.MonitorResult) {
	p.rows = nil
	var series [][]float64
	var labels []string
	for _, row := range r.Rows {
		s := row.Signals
		cells := []string{row.Period, fmt.Sprint(row.Queries), "–", "–", "–", "–"}
		if row.Queries > 0 {
			cells = []string{row.Period, fmt.Sprint(row.Queries), f3(row.FirstStage), f3(row.Model), f3(row.Final),
				fmt.Sprintf("%+.3f [%+.3f, %+.3f]", row.VsFirst.Delta, row.VsFirst.CILow, row.VsFirst.CIHigh)}
			series = append(series, []float64{row.FirstStage, row.Model, row.Final})
			labels = append(labels, row.Period)
		}
		cells = append(cells, fmt.Sprintf("%.0f%%", 100*s.UnseenRules), fmt.Sprintf("%.0f%%", 100*s.NewEntities),
			fmt.Sprintf("%.2f", s.Length.KS), fmt.Sprintf("%.2f", s.ModelTop.KS), fmt.Sprintf("%.2f", s.FirstStageTop.KS))
		p.rows = append(p.rows, cells)
	}
	p.table.Refresh()
	p.chart.set(labels, series)
	if r.Model == "" {
		p.advice.SetText("")
		return
	}
	_ = p.state.Set(fmt.Sprintf("Model %s · queries opened since %s · by %s · final = %s; validation MRR@10 %.3f · %.0f s",
		r.Model, r.Since.Format(time.DateOnly), r.Period, r.FinalSystem(), r.Reference.Final, r.Seconds))
	p.advice.SetText(r.Advice.Text + "\nReport: " + r.ReportHTML)
}

// seriesChart draws several series over the same labelled x positions,
// with a legend.
type seriesChart struct {
	widget.BaseWidget
	title  string
	names  []string
	colors []color.Color
	labels []string
	points [][]float64 // per x position, one value per series
	empty  string
}

func newSeriesChart(title, empty string, names []string, colors []color.Color) *seriesChart {
	c := &seriesChart{title: title, names: names, colors: colors, empty: empty}
	c.ExtendBaseWidget(c)
	return c
}

func (c *seriesChart) set(labels []string, points [][]float64) {
	c.labels, c.points = labels, points
	c.Refresh()
}

func (c *seriesChart) CreateRenderer() fyne.WidgetRenderer {
	r := &seriesRenderer{c: c}
	r.rebuild()
	return r
}

type seriesRenderer struct {
	c       *seriesChart
	objects []fyne.CanvasObject
	frame   *canvas.Rectangle
	title   *canvas.Text
	msg     *canvas.Text
	legend  []*canvas.Text
	xlabels []*canvas.Text
	lines   [][]*canvas.Line // per series
	dots    [][]*canvas.Circle
	ticks   []*canvas.Text
}

func (r *seriesRenderer) rebuild() {
	c := r.c
	r.frame = canvas.NewRectangle(color.Transparent)
	r.frame.StrokeWidth, r.frame.StrokeColor = 1, theme.Color(theme.ColorNameShadow)
	r.title = canvas.NewText(c.title, theme.Color(theme.ColorNameForeground))
	r.title.TextStyle.Bold = true
	r.msg = canvas.NewText(c.empty, theme.Color(theme.ColorNamePlaceHolder))
	r.msg.Hidden = len(c.points) > 0
	r.objects = []fyne.CanvasObject{r.frame, r.title, r.msg}
	r.legend = nil
	for i, n := range c.names {
		t := canvas.NewText("— "+n, c.colors[i])
		t.TextStyle.Bold = true
		r.legend = append(r.legend, t)
		r.objects = append(r.objects, t)
	}
	r.ticks = nil
	for _, v := range []string{"0", "0.5", "1"} {
		t := canvas.NewText(v, theme.Color(theme.ColorNamePlaceHolder))
		t.TextSize = theme.TextSize() * 0.8
		r.ticks = append(r.ticks, t)
		r.objects = append(r.objects, t)
	}
	r.xlabels = nil
	for _, l := range c.labels {
		t := canvas.NewText(l, theme.Color(theme.ColorNamePlaceHolder))
		t.TextSize = theme.TextSize() * 0.8
		r.xlabels = append(r.xlabels, t)
		r.objects = append(r.objects, t)
	}
	r.lines, r.dots = make([][]*canvas.Line, len(c.names)), make([][]*canvas.Circle, len(c.names))
	for s := range c.names {
		for i := range c.points {
			d := canvas.NewCircle(c.colors[s])
			r.dots[s] = append(r.dots[s], d)
			r.objects = append(r.objects, d)
			if i > 0 {
				l := canvas.NewLine(c.colors[s])
				l.StrokeWidth = 2
				r.lines[s] = append(r.lines[s], l)
				r.objects = append(r.objects, l)
			}
		}
	}
}

func (r *seriesRenderer) Layout(size fyne.Size) {
	th := r.title.MinSize().Height
	r.title.Move(fyne.NewPos(4, 0))
	x := r.title.MinSize().Width + 24
	for _, t := range r.legend {
		t.Move(fyne.NewPos(x, 0))
		x += t.MinSize().Width + 16
	}
	lh := theme.TextSize()
	plot := fyne.NewPos(36, th+6)
	ps := fyne.NewSize(max(size.Width-48, 1), max(size.Height-th-lh-16, 1))
	r.frame.Move(plot)
	r.frame.Resize(ps)
	r.msg.Move(fyne.NewPos(plot.X+8, plot.Y+8))
	for i, t := range r.ticks {
		y := plot.Y + ps.Height*(1-float32(i)/2) - t.MinSize().Height/2
		t.Move(fyne.NewPos(4, y))
	}
	n := len(r.c.points)
	xAt := func(i int) float32 {
		if n == 1 {
			return plot.X + ps.Width/2
		}
		return plot.X + 8 + float32(i)/float32(n-1)*(ps.Width-16)
	}
	yAt := func(v float64) float32 { return plot.Y + ps.Height*(1-float32(min(max(v, 0), 1))) }
	step := max(1, n/8) // at most about 8 labels fit
	for i, t := range r.xlabels {
		t.Hidden = i%step != 0
		t.Move(fyne.NewPos(xAt(i)-t.MinSize().Width/2, plot.Y+ps.Height+2))
	}
	for s := range r.c.names {
		for i, d := range r.dots[s] {
			p := fyne.NewPos(xAt(i)-3, yAt(r.c.points[i][s])-3)
			d.Move(p)
			d.Resize(fyne.NewSize(6, 6))
		}
		for i, l := range r.lines[s] {
			l.Position1 = fyne.NewPos(xAt(i), yAt(r.c.points[i][s]))
			l.Position2 = fyne.NewPos(xAt(i+1), yAt(r.c.points[i+1][s]))
		}
	}
}

func (r *seriesRenderer) MinSize() fyne.Size { return fyne.NewSize(400, 220) }

func (r *seriesRenderer) Refresh() {
	r.rebuild()
	r.Layout(r.c.Size())
	canvas.Refresh(r.c)
}

func (r *seriesRenderer) Objects() []fyne.CanvasObject { return r.objects }
func (r *seriesRenderer) Destroy()                     {}
