package central

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// chart is the data of one SVG chart that central draws itself for the
// dashboard and the report: categories along the x axis, one or more
// series of values over them, a y axis from zero. Nothing is loaded from
// elsewhere, so the chart prints and works offline.
type chart struct {
	// ID is unique on the page: the <title>'s id.
	ID string
	// Title names the chart for screen readers (the SVG's <title>).
	Title string
	// Labels are the categories, one per value of each series.
	Labels []string
	Series []series
	// Unit follows the y axis's figures and the values in the tooltips.
	Unit string
	// Empty is drawn when there is no value above zero.
	Empty string
	// Number formats a value. Default strconv's shortest form, rounded to
	// one decimal.
	Number func(float64) string
	// Width and Height are the viewBox's size. Default 640 × 240.
	Width, Height int
}

type series struct {
	Name   string
	Values []float64
}

// The series' colours, in order; they read on paper in grey too.
var chartColours = []string{"#1f5fa8", "#e07b00", "#2e7d32", "#8e24aa"}

// The plot area's margins inside the viewBox.
const (
	chartLeft   = 52
	chartRight  = 12
	chartTop    = 30
	chartBottom = 34
)

// frame is a chart's geometry once its data is known.
type frame struct {
	c             chart
	w, h          float64
	left, top     float64
	plotW, plotH  float64
	max, step     float64 // the y axis's top and its tick spacing
	band          float64 // the width of one category
	everyNthLabel int
	labelChars    int // the longest label drawn
}

func (c chart) frame() frame {
	if c.Width == 0 {
		c.Width = 640
	}
	if c.Height == 0 {
		c.Height = 240
	}
	if c.Number == nil {
		c.Number = func(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) }
	}
	f := frame{c: c, w: float64(c.Width), h: float64(c.Height), left: chartLeft, top: chartTop}
	f.plotW = f.w - chartLeft - chartRight
	f.plotH = f.h - chartTop - chartBottom
	top := 0.0
	for _, s := range c.Series {
		for _, v := range s.Values {
			top = max(top, v)
		}
	}
	f.step = niceStep(top / 4)
	f.max = f.step * math.Max(1, math.Ceil(top/f.step))
	if n := len(c.Labels); n > 0 {
		f.band = f.plotW / float64(n)
	}
	// A label needs about 7 units per character and a little air: a
	// long one is cut to its category's width (the bars' titles say it
	// whole) when at least a few characters fit, else only every nth
	// category is labelled (many days).
	longest := 1
	for _, l := range c.Labels {
		longest = max(longest, len([]rune(l)))
	}
	f.everyNthLabel, f.labelChars = 1, longest
	if f.band > 0 {
		if fit := int((f.band - 6) / 7); fit >= 6 {
			f.labelChars = min(longest, fit)
		} else {
			f.everyNthLabel = max(1, int(math.Ceil(float64(longest*7+6)/f.band)))
		}
	}
	return f
}

// label is category i's label, cut to fit.
func (f frame) label(i int) string {
	r := []rune(f.c.Labels[i])
	if len(r) <= f.labelChars {
		return string(r)
	}
	return strings.TrimSpace(string(r[:f.labelChars-1])) + "…"
}

// niceStep is the smallest of 1, 2, 2.5 or 5 times a power of ten that is
// at least v (1 when v is not positive).
func niceStep(v float64) float64 {
	if v <= 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*p >= v*(1-1e-9) {
			return m * p
		}
	}
	return 10 * p
}

// y is where value v is drawn; the baseline is y(0).
func (f frame) y(v float64) float64 {
	return f.top + f.plotH - f.height(v)
}

// height is the length of a bar of value v.
func (f frame) height(v float64) float64 {
	if v <= 0 || f.max <= 0 {
		return 0
	}
	return f.plotH * math.Min(v, f.max) / f.max
}

func (f frame) empty() bool {
	for _, s := range f.c.Series {
		for _, v := range s.Values {
			if v > 0 {
				return false
			}
		}
	}
	return true
}

func num(v float64) string { return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64) }

func esc(s string) string { return html.EscapeString(s) }

// open writes the <svg> element, its <title>, the legend and the axes.
func (f frame) open(b *strings.Builder, kind string) {
	c := f.c
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart %s" viewBox="0 0 %d %d" role="img" aria-labelledby="%s" font-family="sans-serif" font-size="12">`,
		kind, c.Width, c.Height, esc(c.ID))
	fmt.Fprintf(b, `<title id="%s">%s</title>`, esc(c.ID), esc(c.Title))
	// The legend, top right to left.
	x := f.w - chartRight
	for i := len(c.Series) - 1; i >= 0; i-- {
		name := c.Series[i].Name
		x -= float64(len([]rune(name))*7 + 26)
		fmt.Fprintf(b, `<g class="legend"><rect x="%s" y="8" width="12" height="12" fill="%s"/><text x="%s" y="18">%s</text></g>`,
			num(x), chartColours[i%len(chartColours)], num(x+16), esc(name))
	}
	if c.Unit != "" {
		fmt.Fprintf(b, `<text class="unit" x="4" y="18">%s</text>`, esc(c.Unit))
	}
	// The y axis's grid and figures.
	for v := 0.0; v <= f.max*(1+1e-9); v += f.step {
		y := f.y(v)
		fmt.Fprintf(b, `<line class="grid" x1="%s" x2="%s" y1="%s" y2="%s" stroke="#ddd"/>`, num(f.left), num(f.left+f.plotW), num(y), num(y))
		fmt.Fprintf(b, `<text class="tick" x="%s" y="%s" text-anchor="end">%s</text>`, num(f.left-6), num(y+4), esc(c.Number(v)))
	}
	fmt.Fprintf(b, `<line class="axis" x1="%s" x2="%s" y1="%s" y2="%s" stroke="#333"/>`, num(f.left), num(f.left), num(f.top), num(f.top+f.plotH))
	fmt.Fprintf(b, `<line class="axis" x1="%s" x2="%s" y1="%s" y2="%s" stroke="#333"/>`, num(f.left), num(f.left+f.plotW), num(f.y(0)), num(f.y(0)))
	// The categories under the x axis.
	for i := range c.Labels {
		if i%f.everyNthLabel != 0 {
			continue
		}
		fmt.Fprintf(b, `<text class="label" x="%s" y="%s" text-anchor="middle">%s</text>`, num(f.left+f.band*(float64(i)+0.5)), num(f.top+f.plotH+18), esc(f.label(i)))
	}
}

func (f frame) close(b *strings.Builder) template.HTML {
	if f.empty() && f.c.Empty != "" {
		fmt.Fprintf(b, `<text class="empty" x="%s" y="%s" text-anchor="middle" fill="#666">%s</text>`, num(f.left+f.plotW/2), num(f.top+f.plotH/2), esc(f.c.Empty))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// tooltip is what hovering a bar or a point says.
func (f frame) tooltip(i int, s series, v float64) string {
	t := f.c.Labels[i]
	if len(f.c.Series) > 1 {
		t += " · " + s.Name
	}
	t += ": " + f.c.Number(v)
	if f.c.Unit != "" {
		t += " " + f.c.Unit
	}
	return esc(t)
}

// barChart draws c as grouped bars: in each category, a bar per series,
// its height proportional to its value. Each bar is a <rect class="bar">
// with data-value and a <title> that says it.
func barChart(c chart) template.HTML {
	f := c.frame()
	var b strings.Builder
	f.open(&b, "bars")
	n := max(1, len(c.Series))
	group := f.band * 0.8
	w := group / float64(n)
	for si, s := range c.Series {
		for i, v := range s.Values {
			if i >= len(c.Labels) {
				break
			}
			x := f.left + f.band*float64(i) + (f.band-group)/2 + w*float64(si)
			fmt.Fprintf(&b, `<rect class="bar s%d" x="%s" y="%s" width="%s" height="%s" fill="%s" data-value="%s"><title>%s</title></rect>`,
				si, num(x), num(f.y(v)), num(w), num(f.height(v)), chartColours[si%len(chartColours)], num(v), f.tooltip(i, s, v))
		}
	}
	return f.close(&b)
}

// lineChart draws c as a line per series through a point per category,
// each point a <circle class="point"> with data-value and a <title>.
func lineChart(c chart) template.HTML {
	f := c.frame()
	var b strings.Builder
	f.open(&b, "lines")
	for si, s := range c.Series {
		colour := chartColours[si%len(chartColours)]
		var pts []string
		for i, v := range s.Values {
			if i >= len(c.Labels) {
				break
			}
			pts = append(pts, num(f.left+f.band*(float64(i)+0.5))+","+num(f.y(v)))
		}
		fmt.Fprintf(&b, `<polyline class="line s%d" fill="none" stroke="%s" stroke-width="2" points="%s"/>`, si, colour, strings.Join(pts, " "))
		r := 3.0
		if f.band < 8 {
			r = 1.5
		}
		for i, v := range s.Values {
			if i >= len(c.Labels) {
				break
			}
			fmt.Fprintf(&b, `<circle class="point s%d" cx="%s" cy="%s" r="%s" fill="%s" data-value="%s"><title>%s</title></circle>`,
				si, num(f.left+f.band*(float64(i)+0.5)), num(f.y(v)), num(r), colour, num(v), f.tooltip(i, s, v))
		}
	}
	return f.close(&b)
}
