package ui

import (
	"fmt"
	"image/color"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Chart colours that read on both the light and the dark theme.
var (
	colBlue   = color.NRGBA{R: 0x3b, G: 0x82, B: 0xf6, A: 0xff}
	colGreen  = color.NRGBA{R: 0x22, G: 0xa0, B: 0x5a, A: 0xff}
	colOrange = color.NRGBA{R: 0xf5, G: 0x9e, B: 0x0b, A: 0xff}
	colPurple = color.NRGBA{R: 0x8b, G: 0x5c, B: 0xf6, A: 0xff}
	colRed    = color.NRGBA{R: 0xdc, G: 0x26, B: 0x26, A: 0xff}
	colGrey   = color.NRGBA{R: 0x80, G: 0x80, B: 0x80, A: 0xff}
)

// bar is one labelled value of a bar chart.
type bar struct {
	label string
	value float64
	text  string      // the value as shown; "" = the value formatted
	color color.Color // nil = blue
}

// barChart draws labelled bars drawn with canvas rectangles: horizontal
// (label, bar, value per row) or vertical (columns over their labels).
type barChart struct {
	widget.BaseWidget
	horizontal bool
	bars       []bar
	empty      string // shown when there are no bars
	height     float32
}

func newBarChart(horizontal bool, empty string) *barChart {
	c := &barChart{horizontal: horizontal, empty: empty, height: 170}
	c.ExtendBaseWidget(c)
	return c
}

// set replaces the bars.
func (c *barChart) set(bars []bar) {
	c.bars = bars
	c.Refresh()
}

func (c *barChart) CreateRenderer() fyne.WidgetRenderer {
	r := &barRenderer{c: c}
	r.rebuild()
	return r
}

type barRenderer struct {
	c       *barChart
	objects []fyne.CanvasObject
	rects   []*canvas.Rectangle
	labels  []*canvas.Text
	values  []*canvas.Text
	msg     *canvas.Text
}

func (r *barRenderer) rebuild() {
	r.rects, r.labels, r.values = nil, nil, nil
	fg := theme.Color(theme.ColorNameForeground)
	size := theme.TextSize() * 0.85
	for _, b := range r.c.bars {
		col := b.color
		if col == nil {
			col = colBlue
		}
		rect := canvas.NewRectangle(col)
		rect.CornerRadius = 2
		lt := canvas.NewText(b.label, fg)
		lt.TextSize = size
		txt := b.text
		if txt == "" {
			txt = formatCount(b.value)
		}
		vt := canvas.NewText(txt, fg)
		vt.TextSize = size
		r.rects, r.labels, r.values = append(r.rects, rect), append(r.labels, lt), append(r.values, vt)
	}
	r.msg = canvas.NewText(r.c.empty, theme.Color(theme.ColorNamePlaceHolder))
	r.msg.Hidden = len(r.c.bars) > 0
	r.objects = []fyne.CanvasObject{r.msg}
	for i := range r.rects {
		r.objects = append(r.objects, r.rects[i], r.labels[i], r.values[i])
	}
}

func (r *barRenderer) maxValue() float64 {
	m := 0.0
	for _, b := range r.c.bars {
		m = math.Max(m, b.value)
	}
	return m
}

func (r *barRenderer) Layout(size fyne.Size) {
	r.msg.Move(fyne.NewPos(4, 4))
	if len(r.c.bars) == 0 {
		return
	}
	maxV := r.maxValue()
	if maxV <= 0 {
		maxV = 1
	}
	if r.c.horizontal {
		var labelW, valueW float32
		for i := range r.labels {
			labelW = max(labelW, r.labels[i].MinSize().Width)
			valueW = max(valueW, r.values[i].MinSize().Width)
		}
		labelW = min(labelW, size.Width*0.45)
		for i, b := range r.c.bars {
			fitText(r.labels[i], b.label, labelW)
		}
		rowH := size.Height / float32(len(r.c.bars))
		barW := max(size.Width-labelW-valueW-16, 1)
		for i, b := range r.c.bars {
			y := float32(i) * rowH
			th := r.labels[i].MinSize().Height
			r.labels[i].Move(fyne.NewPos(0, y+(rowH-th)/2))
			w := float32(b.value/maxV) * barW
			r.rects[i].Move(fyne.NewPos(labelW+8, y+rowH*0.15))
			r.rects[i].Resize(fyne.NewSize(max(w, 1), rowH*0.7))
			r.values[i].Move(fyne.NewPos(labelW+12+w, y+(rowH-th)/2))
		}
		return
	}
	labelH := r.labels[0].MinSize().Height
	valueH := r.values[0].MinSize().Height
	colW := size.Width / float32(len(r.c.bars))
	plotH := max(size.Height-labelH-valueH-4, 1)
	// Show every k-th label so that labels never overlap.
	var widest float32
	for _, l := range r.labels {
		widest = max(widest, l.MinSize().Width)
	}
	every := int(math.Ceil(float64((widest + 6) / max(colW, 1))))
	for i, b := range r.c.bars {
		x := float32(i) * colW
		h := float32(b.value/maxV) * plotH
		r.rects[i].Move(fyne.NewPos(x+colW*0.1, valueH+plotH-h))
		r.rects[i].Resize(fyne.NewSize(max(colW*0.8, 1), max(h, 1)))
		lw := r.labels[i].MinSize().Width
		lx := min(max(x+(colW-lw)/2, 0), size.Width-lw)
		r.labels[i].Move(fyne.NewPos(lx, size.Height-labelH))
		r.labels[i].Hidden = every > 1 && i%every != 0
		vw := r.values[i].MinSize().Width
		r.values[i].Move(fyne.NewPos(x+(colW-vw)/2, valueH+plotH-h-valueH))
		r.values[i].Hidden = vw > colW
	}
}

// fitText sets t to s, cut with an ellipsis until it is at most w wide.
func fitText(t *canvas.Text, s string, w float32) {
	t.Text = s
	for r := []rune(s); len(r) > 4 && t.MinSize().Width > w; {
		r = r[:len(r)-1]
		t.Text = string(r) + "…"
	}
}

func (r *barRenderer) MinSize() fyne.Size {
	if r.c.horizontal {
		n := max(len(r.c.bars), 1)
		return fyne.NewSize(260, float32(n)*(theme.TextSize()+8))
	}
	return fyne.NewSize(260, r.c.height)
}

func (r *barRenderer) Refresh() {
	r.rebuild()
	r.Layout(r.c.Size())
	canvas.Refresh(r.c)
}

func (r *barRenderer) Objects() []fyne.CanvasObject { return r.objects }
func (r *barRenderer) Destroy()                     {}

// lineChart draws one series as connected segments, with its range and the
// latest value in the title.
type lineChart struct {
	widget.BaseWidget
	title  string
	format string // printf verb for values, e.g. "%.3f"
	color  color.Color
	xs, ys []float64
	empty  string
}

func newLineChart(title, format string, col color.Color, empty string) *lineChart {
	c := &lineChart{title: title, format: format, color: col, empty: empty}
	c.ExtendBaseWidget(c)
	return c
}

// add appends one point (x grows left to right).
func (c *lineChart) add(x, y float64) {
	if math.IsNaN(y) || math.IsInf(y, 0) {
		return
	}
	c.xs, c.ys = append(c.xs, x), append(c.ys, y)
	c.Refresh()
}

// reset drops every point.
func (c *lineChart) reset() {
	c.xs, c.ys = nil, nil
	c.Refresh()
}

func (c *lineChart) CreateRenderer() fyne.WidgetRenderer {
	r := &lineRenderer{c: c, frame: canvas.NewRectangle(color.Transparent)}
	r.frame.StrokeWidth = 1
	r.title = canvas.NewText("", theme.Color(theme.ColorNameForeground))
	r.lo = canvas.NewText("", theme.Color(theme.ColorNamePlaceHolder))
	r.hi = canvas.NewText("", theme.Color(theme.ColorNamePlaceHolder))
	r.msg = canvas.NewText(c.empty, theme.Color(theme.ColorNamePlaceHolder))
	r.rebuild()
	return r
}

type lineRenderer struct {
	c                  *lineChart
	frame              *canvas.Rectangle
	title, lo, hi, msg *canvas.Text
	lines              []*canvas.Line
	objects            []fyne.CanvasObject
}

func (r *lineRenderer) rebuild() {
	c := r.c
	r.frame.StrokeColor = theme.Color(theme.ColorNameShadow)
	r.title.Color = theme.Color(theme.ColorNameForeground)
	r.title.TextStyle.Bold = true
	r.title.Text = c.title
	if n := len(c.ys); n > 0 {
		r.title.Text = fmt.Sprintf("%s  "+c.format, c.title, c.ys[n-1])
	}
	lo, hi := r.yRange()
	r.lo.Text, r.hi.Text = fmt.Sprintf(c.format, lo), fmt.Sprintf(c.format, hi)
	r.lo.TextSize, r.hi.TextSize = theme.TextSize()*0.8, theme.TextSize()*0.8
	r.msg.Hidden = len(c.ys) > 0
	r.lo.Hidden, r.hi.Hidden = len(c.ys) == 0, len(c.ys) == 0
	for len(r.lines) < max(len(c.ys)-1, 0) {
		l := canvas.NewLine(c.color)
		l.StrokeWidth = 2
		r.lines = append(r.lines, l)
	}
	r.lines = r.lines[:max(len(c.ys)-1, 0)]
	r.objects = []fyne.CanvasObject{r.frame, r.title, r.lo, r.hi, r.msg}
	for _, l := range r.lines {
		r.objects = append(r.objects, l)
	}
}

func (r *lineRenderer) yRange() (float64, float64) {
	if len(r.c.ys) == 0 {
		return 0, 1
	}
	lo, hi := r.c.ys[0], r.c.ys[0]
	for _, y := range r.c.ys {
		lo, hi = math.Min(lo, y), math.Max(hi, y)
	}
	if hi == lo {
		hi = lo + 1
	}
	return lo, hi
}

func (r *lineRenderer) Layout(size fyne.Size) {
	th := r.title.MinSize().Height
	r.title.Move(fyne.NewPos(4, 0))
	plot := fyne.NewPos(4, th+2)
	ps := fyne.NewSize(size.Width-8, max(size.Height-th-4, 1))
	r.frame.Move(plot)
	r.frame.Resize(ps)
	r.msg.Move(fyne.NewPos(plot.X+8, plot.Y+8))
	r.hi.Move(fyne.NewPos(plot.X+4, plot.Y+2))
	r.lo.Move(fyne.NewPos(plot.X+4, plot.Y+ps.Height-r.lo.MinSize().Height-2))
	if len(r.c.ys) < 2 {
		return
	}
	lo, hi := r.yRange()
	x0, x1 := r.c.xs[0], r.c.xs[len(r.c.xs)-1]
	if x1 == x0 {
		x1 = x0 + 1
	}
	pt := func(i int) fyne.Position {
		fx := float32((r.c.xs[i] - x0) / (x1 - x0))
		fy := float32((r.c.ys[i] - lo) / (hi - lo))
		return fyne.NewPos(plot.X+6+fx*(ps.Width-12), plot.Y+6+(1-fy)*(ps.Height-12))
	}
	for i, l := range r.lines {
		l.Position1, l.Position2 = pt(i), pt(i+1)
	}
}

func (r *lineRenderer) MinSize() fyne.Size { return fyne.NewSize(280, 160) }

func (r *lineRenderer) Refresh() {
	r.rebuild()
	r.Layout(r.c.Size())
	canvas.Refresh(r.c)
}

func (r *lineRenderer) Objects() []fyne.CanvasObject { return r.objects }
func (r *lineRenderer) Destroy()                     {}

// segment is one coloured span of a timeline.
type segment struct {
	name   string
	weight float64 // share of the width
	lines  []string
	color  color.Color
}

// newTimeline lays segments side by side, each as wide as its weight, with
// its text over its colour.
func newTimeline(segs []segment) fyne.CanvasObject {
	var objs []fyne.CanvasObject
	weights := make([]float64, len(segs))
	for i, s := range segs {
		weights[i] = s.weight
		rect := canvas.NewRectangle(s.color)
		rect.CornerRadius = 4
		texts := []fyne.CanvasObject{}
		for j, l := range append([]string{s.name}, s.lines...) {
			t := canvas.NewText(l, color.White)
			t.TextStyle.Bold = j == 0
			t.TextSize = theme.TextSize() * 0.9
			texts = append(texts, t)
		}
		objs = append(objs, textBlock(rect, texts))
	}
	return container.New(&weightLayout{weights: weights}, objs...)
}

// textBlock stacks texts over a background rectangle with a little padding.
func textBlock(bg *canvas.Rectangle, texts []fyne.CanvasObject) fyne.CanvasObject {
	return container.New(&paddedStack{}, append([]fyne.CanvasObject{bg}, texts...)...)
}

// paddedStack sizes the first object to fill and lists the rest as lines.
type paddedStack struct{}

func (paddedStack) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	objs[0].Resize(size)
	objs[0].Move(fyne.NewPos(0, 0))
	y := float32(6)
	for _, o := range objs[1:] {
		o.Move(fyne.NewPos(8, y))
		y += o.MinSize().Height + 2
	}
}

func (paddedStack) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var w, h float32 = 0, 12
	for _, o := range objs[1:] {
		w = max(w, o.MinSize().Width)
		h += o.MinSize().Height + 2
	}
	return fyne.NewSize(min(w+16, 120), h)
}

// weightLayout places objects in a row, widths proportional to weights but
// never below a readable minimum.
type weightLayout struct{ weights []float64 }

func (l *weightLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	total := 0.0
	for _, w := range l.weights {
		total += w
	}
	const minShare = 0.2
	shares := make([]float64, len(objs))
	sum := 0.0
	for i := range objs {
		s := 1 / float64(len(objs))
		if total > 0 {
			s = l.weights[i] / total
		}
		shares[i] = math.Max(s, minShare)
		sum += shares[i]
	}
	x := float32(0)
	gap := float32(2)
	for i, o := range objs {
		w := float32(shares[i]/sum) * (size.Width - gap*float32(len(objs)-1))
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(w, size.Height))
		x += w + gap
	}
}

func (l *weightLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var h float32
	for _, o := range objs {
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(300, h)
}

// formatCount writes integers without decimals and other values with two.
func formatCount(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return fmt.Sprintf("%d", int64(v))
	}
	return fmt.Sprintf("%.2f", v)
}
