package eval

import (
	"fmt"
	"math"
	"unicode/utf8"
)

// svgChart is a chart reduced to primitives; the HTML template draws it, so
// every label passes through html/template's escaping.
type svgChart struct {
	W, H  int
	Label string // accessible name
	Lines []svgLine
	Rects []svgRect
	Texts []svgText
}

type svgLine struct{ X1, Y1, X2, Y2, Class string }

type svgRect struct{ X, Y, W, H, Fill, Tip string }

type svgText struct{ X, Y, Anchor, Class, Text string }

const chartW = 1100

func px(x float64) string { return fmt.Sprintf("%.1f", x) }

func (c *svgChart) line(x1, y1, x2, y2 float64, class string) {
	c.Lines = append(c.Lines, svgLine{px(x1), px(y1), px(x2), px(y2), class})
}

func (c *svgChart) rect(x, y, w, h float64, fill, tip string) {
	if h < 0 {
		y, h = y+h, -h
	}
	if w < 0 {
		x, w = x+w, -w
	}
	c.Rects = append(c.Rects, svgRect{px(x), px(y), px(w), px(h), fill, tip})
}

func (c *svgChart) text(x, y float64, anchor, class, s string) {
	c.Texts = append(c.Texts, svgText{px(x), px(y), anchor, class, s})
}

// metricsChart is a grouped bar chart of each system's MRR@10, nDCG@10 and
// Recall@10 on a 0–1 scale.
func metricsChart(v view) svgChart {
	groups := []metricCol{metricCols[0], metricCols[1], metricCols[4]}
	const left, right, top, bottom, plotH = 48.0, 16.0, 44.0, 36.0, 260.0
	c := svgChart{W: chartW, H: int(top + plotH + bottom), Label: "MRR@10, nDCG@10 and Recall@10 per system"}
	plotW := float64(chartW) - left - right
	y := func(val float64) float64 { return top + plotH*(1-math.Max(0, math.Min(1, finite(val)))) }
	for i := 0; i <= 5; i++ {
		val := float64(i) / 5
		c.line(left, y(val), left+plotW, y(val), "grid")
		c.text(left-8, y(val)+4, "end", "axis", fmt.Sprintf("%.1f", val))
	}
	// Legend across the top.
	lx := left
	for _, s := range v.Systems {
		c.rect(lx, 8, 14, 14, s.Color, s.Label)
		c.text(lx+20, 20, "start", "legend", s.Label)
		lx += 28 + 7.5*float64(utf8.RuneCountInString(s.Label))
	}
	n := float64(max(1, len(v.Systems)))
	groupW := plotW / float64(len(groups))
	barW := math.Min(72, groupW*0.72/n)
	for g, col := range groups {
		x0 := left + groupW*float64(g) + (groupW-barW*n)/2
		for i, s := range v.Systems {
			val := col.Get(s.Mean)
			x := x0 + barW*float64(i)
			c.rect(x+2, y(val), barW-4, y(0)-y(val), s.Color, fmt.Sprintf("%s %s %s", s.Label, col.Label, f3(val)))
			c.text(x+barW/2, y(val)-6, "middle", "value", f3(val))
		}
		c.text(left+groupW*(float64(g)+0.5), top+plotH+24, "middle", "group", col.Label)
	}
	c.line(left, y(0), left+plotW, y(0), "axisline")
	return c
}

// ruleChart is a horizontal bar chart of ΔMRR@10 per rule around a zero line.
func ruleChart(rules []ruleUplift) svgChart {
	const labelW, valueW, top, rowH, bottom = 300.0, 64.0, 10.0, 26.0, 30.0
	c := svgChart{W: chartW, H: int(top + rowH*float64(len(rules)) + bottom), Label: "ΔMRR@10 per rule"}
	lo, hi := 0.0, 0.0
	for _, r := range rules {
		lo, hi = math.Min(lo, finite(r.Delta)), math.Max(hi, finite(r.Delta))
	}
	if hi-lo < 1e-9 {
		hi = lo + 0.1
	}
	x0, x1 := labelW+valueW, float64(chartW)-valueW
	x := func(d float64) float64 { return x0 + (x1-x0)*(d-lo)/(hi-lo) }
	for i, r := range rules {
		yc := top + rowH*(float64(i)+0.5)
		c.text(labelW-8, yc+4, "end", "label", fmt.Sprintf("%s (%d)", shorten(r.Rule, 40), r.Queries))
		fill, anchor, dx := "#54a24b", "start", 6.0
		d := finite(r.Delta)
		if d < 0 {
			fill, anchor, dx = "#d6404e", "end", -6
		}
		c.rect(x(0), yc-rowH*0.36, x(d)-x(0), rowH*0.72, fill,
			fmt.Sprintf("%s: %s → %s (%s)", r.Rule, f3(r.A), f3(r.B), plural(r.Queries, "query")))
		c.text(x(d)+dx, yc+4, anchor, "value", sf3(r.Delta))
	}
	yb := top + rowH*float64(len(rules))
	c.line(x(0), top-4, x(0), yb+4, "axisline")
	c.text(x(0), yb+20, "middle", "axis", "0")
	if lo < 0 {
		c.text(x(lo), yb+20, "middle", "axis", sf3(lo))
	}
	if hi > 0 {
		c.text(x(hi), yb+20, "middle", "axis", sf3(hi))
	}
	return c
}

// changeChart is a histogram of the rank-change buckets, coloured by
// direction.
func changeChart(buckets []changeBucket) svgChart {
	const left, right, top, bottom, plotH = 16.0, 16.0, 24.0, 40.0, 200.0
	c := svgChart{W: chartW, H: int(top + plotH + bottom), Label: "Rank changes of the first relevant ticket"}
	peak := 1
	for _, b := range buckets {
		peak = max(peak, b.Count)
	}
	slot := (float64(chartW) - left - right) / float64(max(1, len(buckets)))
	base := top + plotH
	for i, b := range buckets {
		fill := map[int]string{-1: "#d6404e", 0: "#8d99a6", 1: "#54a24b"}[b.Kind]
		h := plotH * float64(b.Count) / float64(peak)
		xc := left + slot*(float64(i)+0.5)
		c.rect(xc-slot*0.34, base-h, slot*0.68, h, fill, fmt.Sprintf("%s: %s (%s)", b.Label, plural(b.Count, "query"), b.Desc))
		c.text(xc, base-h-6, "middle", "value", fmt.Sprint(b.Count))
		c.text(xc, base+20, "middle", "label", b.Label)
	}
	c.line(left, base, float64(chartW)-right, base, "axisline")
	return c
}

// finite maps NaN and infinities to 0 so that a broken metric cannot break
// the chart geometry.
func finite(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	return x
}
