package central

import (
	"encoding/xml"
	"math"
	"strconv"
	"strings"
	"testing"
)

// svgNode is any element of a chart, with its attributes and children.
type svgNode struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Children []svgNode  `xml:",any"`
	Text     string     `xml:",chardata"`
}

func (n svgNode) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func (n svgNode) float(t *testing.T, name string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(n.attr(name), 64)
	if err != nil {
		t.Fatalf("<%s %s=%q>: %v", n.XMLName.Local, name, n.attr(name), err)
	}
	return v
}

// find returns the elements named name whose class starts with class.
func (n svgNode) find(name, class string) []svgNode {
	var out []svgNode
	if n.XMLName.Local == name && strings.HasPrefix(n.attr("class"), class) {
		out = append(out, n)
	}
	for _, c := range n.Children {
		out = append(out, c.find(name, class)...)
	}
	return out
}

func parseSVG(t *testing.T, s string) svgNode {
	t.Helper()
	var root svgNode
	if err := xml.Unmarshal([]byte(s), &root); err != nil {
		t.Fatalf("the chart is not XML: %v\n%s", err, s)
	}
	if root.XMLName.Local != "svg" || root.XMLName.Space != "http://www.w3.org/2000/svg" {
		t.Fatalf("root %v, want svg", root.XMLName)
	}
	return root
}

func near(a, b float64) bool { return math.Abs(a-b) < 0.02 }

// TestBarChartScales: every bar stands on the x axis, its height is
// proportional to its value, the series of a category sit side by side in
// their category's band, and the chart says what it shows.
func TestBarChartScales(t *testing.T) {
	c := chart{ID: "c1", Title: "Espera per hora <mitjana & p90>", Unit: "min",
		Labels: []string{"9 h", "10 h", "11 h"},
		Series: []series{{"mitjana", []float64{3, 12, 6}}, {"p90", []float64{9, 30, 0}}}}
	root := parseSVG(t, string(barChart(c)))
	if root.attr("role") != "img" || root.attr("aria-labelledby") != "c1" {
		t.Errorf("svg attributes %v", root.Attrs)
	}
	titles := root.find("title", "")
	if len(titles) == 0 || titles[0].attr("id") != "c1" || titles[0].Text != c.Title {
		t.Errorf("title %+v, want %q", titles, c.Title)
	}
	bars := root.find("rect", "bar")
	if len(bars) != 6 {
		t.Fatalf("%d bars, want 6 (3 hours × 2 series)", len(bars))
	}
	// The tallest value, 30, sets the scale: a nice axis top at or above it.
	var unit float64 // height per unit of value
	base := -1.0
	for i, b := range bars {
		v := b.float(t, "data-value")
		want := [][]float64{{3, 12, 6}, {9, 30, 0}}[i/3][i%3]
		if v != want {
			t.Errorf("bar %d: value %v, want %v", i, v, want)
		}
		h, y := b.float(t, "height"), b.float(t, "y")
		if base < 0 {
			base = y + h
		}
		if !near(y+h, base) {
			t.Errorf("bar %d ends at %v, want on the axis at %v", i, y+h, base)
		}
		if v > 0 {
			if unit == 0 {
				unit = h / v
			}
			if !near(h/v, unit) {
				t.Errorf("bar %d: height %v for %v, want %v (proportional)", i, h, v, v*unit)
			}
		} else if h != 0 {
			t.Errorf("bar %d: height %v for zero", i, h)
		}
	}
	plotH := 240.0 - chartTop - chartBottom
	if top := 30 * unit; top > plotH+0.01 || top < plotH*0.75 {
		t.Errorf("the tallest bar is %v high in a plot of %v: the scale wastes or overflows it", top, plotH)
	}
	// Side by side: category i's bars are left of category i+1's, and a
	// category's second series is right of its first.
	x := func(s, i int) float64 { return bars[s*3+i].float(t, "x") }
	for i := range 3 {
		if !(x(0, i) < x(1, i)) {
			t.Errorf("hour %d: p90 at %v not right of the mean at %v", i, x(1, i), x(0, i))
		}
		if i < 2 && !(x(1, i) < x(0, i+1)) {
			t.Errorf("hour %d overlaps the next", i)
		}
	}
	if got := bars[4].Children; len(got) != 1 || got[0].Text != "10 h · p90: 30 min" {
		t.Errorf("the 10 h p90 bar says %+v", got)
	}
	labels := root.find("text", "label")
	if len(labels) != 3 || labels[1].Text != "10 h" {
		t.Errorf("labels %+v", labels)
	}
	// Doubling every value keeps the picture (the axis follows) and the
	// proportions.
	for i := range c.Series {
		for j := range c.Series[i].Values {
			c.Series[i].Values[j] *= 2
		}
	}
	bars2 := parseSVG(t, string(barChart(c))).find("rect", "bar")
	for i := range bars {
		if !near(bars[i].float(t, "height"), bars2[i].float(t, "height")) {
			t.Errorf("bar %d: %v high, then %v after doubling every value", i, bars[i].float(t, "height"), bars2[i].float(t, "height"))
		}
	}
}

// TestLineChartScales: a point per category and series, left to right in
// order, its height above the axis proportional to its value; the line
// goes through the points.
func TestLineChartScales(t *testing.T) {
	values := []float64{4, 8, 2, 0, 10}
	c := chart{ID: "c2", Title: "Espera per dia", Labels: []string{"1/3", "2/3", "3/3", "4/3", "5/3"},
		Series: []series{{"mitjana", values}}}
	root := parseSVG(t, string(lineChart(c)))
	pts := root.find("circle", "point")
	if len(pts) != len(values) {
		t.Fatalf("%d points, want %d", len(pts), len(values))
	}
	base := pts[3].float(t, "cy") // the zero
	unit := (base - pts[0].float(t, "cy")) / values[0]
	if unit <= 0 {
		t.Fatalf("4 drawn at %v, the zero at %v", pts[0].float(t, "cy"), base)
	}
	for i, p := range pts {
		if got := (base - p.float(t, "cy")) / unit; !near(got, values[i]) {
			t.Errorf("point %d drawn as %v, want %v", i, got, values[i])
		}
		if i > 0 && !(pts[i-1].float(t, "cx") < p.float(t, "cx")) {
			t.Errorf("point %d is not right of point %d", i, i-1)
		}
	}
	lines := root.find("polyline", "line")
	if len(lines) != 1 || len(strings.Fields(lines[0].attr("points"))) != len(values) {
		t.Errorf("lines %+v", lines)
	}
	if first := strings.Fields(lines[0].attr("points"))[0]; first != pts[0].attr("cx")+","+pts[0].attr("cy") {
		t.Errorf("the line starts at %s, the first point is at %s,%s", first, pts[0].attr("cx"), pts[0].attr("cy"))
	}
}

// TestChartEmptyAndMany: a chart of nothing says so, and a chart of many
// days labels only some of them so that the labels do not overlap.
func TestChartEmptyAndMany(t *testing.T) {
	root := parseSVG(t, string(barChart(chart{ID: "e", Title: "t", Empty: "Sense dades", Labels: []string{"a"}, Series: []series{{"s", []float64{0}}}})))
	if e := root.find("text", "empty"); len(e) != 1 || e[0].Text != "Sense dades" {
		t.Errorf("empty chart: %+v", e)
	}
	var labels []string
	var values []float64
	for i := range 180 {
		labels = append(labels, "2026-"+strconv.Itoa(i))
		values = append(values, float64(i))
	}
	root = parseSVG(t, string(lineChart(chart{ID: "m", Title: "t", Labels: labels, Series: []series{{"s", values}}})))
	got := root.find("text", "label")
	if len(got) < 5 || len(got) > 40 {
		t.Errorf("%d labels for 180 days on 576 units", len(got))
	}
	if n := len(root.find("circle", "point")); n != 180 {
		t.Errorf("%d points, want 180", n)
	}
	// A few long names are cut, not dropped.
	root = parseSVG(t, string(barChart(chart{ID: "l", Title: "t", Labels: []string{"Informació i registre", "OAC", "Policia Local", "Serveis tècnics municipals"},
		Series: []series{{"s", []float64{1, 2, 3, 4}}}})))
	got = root.find("text", "label")
	if len(got) != 4 || got[1].Text != "OAC" || !strings.HasSuffix(got[0].Text, "…") || len([]rune(got[0].Text)) > 20 {
		t.Errorf("long labels %+v", got)
	}
}

func TestNiceStep(t *testing.T) {
	for _, c := range []struct{ in, want float64 }{{0, 1}, {0.3, 0.5}, {1, 1}, {1.1, 2}, {2.2, 2.5}, {3, 5}, {7.5, 10}, {12, 20}, {240, 250}} {
		if got := niceStep(c.in); !near(got, c.want) {
			t.Errorf("niceStep(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}
