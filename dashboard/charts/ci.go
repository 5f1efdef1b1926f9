package charts

import (
	"html"
	"strconv"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/go-echarts/go-echarts/v2/types"
)

// CISeries is a series of percentages with their 95% confidence
// intervals, worked out by package queries.
type CISeries struct {
	Name        string
	Values      []Number
	Low, High   []Number
	Provisional []bool
}

// Reference is a value drawn across a chart as a labelled line, such as
// the rate for everyone that each group is compared with.
type Reference struct {
	Name  string
	Value Number
}

// Whisker renderers. ECharts draws error bars only with a custom series
// whose renderItem is a function; options here are pure data, so the
// series names a renderer that uptake.js supplies (see its renderers).
const (
	whiskerVertical   = "ciWhisker"
	whiskerHorizontal = "ciWhiskerH"
)

// Bar layout, written out on every bar series (ECharts' defaults) because
// uptake.js's whisker renderer reads them from there to place each
// whisker over its bar.
const (
	barGap         = "30%"
	barCategoryGap = "20%"
)

// whiskerZ draws the intervals over their bars and under the dots of
// DotsCI (ECharts draws series of a higher z on top).
const (
	whiskerZ = 4
	dotZ     = 5
)

// ciText is a value with its interval in words, for tooltips:
// "23.4% (95% CI 20.1% to 26.8%)", "withheld (too few people to show)".
func ciText(s CISeries, i int) string {
	v := at(s.Values, i)
	switch {
	case v.Withheld:
		return "withheld (too few people to show)"
	case !v.OK:
		return "not available"
	}
	text := percentText(v)
	if lo, hi := at(s.Low, i), at(s.High, i); lo.OK && hi.OK {
		text += " (95% CI " + percentText(lo) + " to " + percentText(hi) + ")"
	}
	if i < len(s.Provisional) && s.Provisional[i] {
		text += ", provisional"
	}
	return text
}

func at(ns []Number, i int) Number {
	if i < len(ns) {
		return ns[i]
	}
	return Gap()
}

// itemTooltip is a data item's own tooltip text: the category, then the
// series and its value in words. Names are escaped: ECharts writes
// tooltips as HTML.
func itemTooltip(category, name, value string) obj {
	return obj{"formatter": html.EscapeString(category) + "<br/>" + html.EscapeString(name) + ": " + html.EscapeString(value)}
}

// whiskers is the custom series that draws s's intervals.
func whiskers(categories []string, s CISeries, si, count int, horizontal bool) *charts.SingleSeries {
	render, encode := whiskerVertical, opts.Encode{X: 0, Y: []int{1, 2}}
	if horizontal {
		render, encode = whiskerHorizontal, opts.Encode{X: []int{1, 2}, Y: 0}
	}
	var data []opts.CustomData
	for ci := range categories {
		lo, hi := at(s.Low, ci), at(s.High, ci)
		if !lo.OK || !hi.OK {
			continue
		}
		data = append(data, opts.CustomData{
			Name:  categories[ci] + ": 95% interval " + percentText(lo) + " to " + percentText(hi),
			Value: []any{ci, lo, hi, si, count},
		})
	}
	if data == nil {
		return nil
	}
	// The whiskers share their values' name, so the legend has one entry
	// for both, in the values' colour, and hides both together.
	return &charts.SingleSeries{
		Name: s.Name, Type: types.ChartCustom, Data: data,
		RenderItem: types.FuncStr(render), Encode: &encode,
		SeriesTooltip: &opts.SeriesTooltip{Formatter: "{b}"},
	}
}

func plainSeries(series []CISeries) []Series {
	plain := make([]Series, len(series))
	for i, s := range series {
		plain[i] = Series{Name: s.Name, Values: s.Values, Provisional: s.Provisional}
	}
	return plain
}

// BarsCI draws one bar per category for each series, with a whisker for
// its 95% confidence interval drawn over the bar. Provisional bars are
// drawn lighter under a band labelled "provisional" (and the caller names
// them as provisional in the category label and the table). A Reference,
// when given, is drawn as a dashed labelled line.
func BarsCI(categories []string, series []CISeries, y Axis, horizontal bool, ref *Reference) Chart {
	plain := plainSeries(series)
	// Item tooltips: an axis tooltip would list the whiskers' raw values.
	bar := newBars(categories, plain, y, horizontal, "item")
	for i := range bar.MultiSeries {
		bar.MultiSeries[i].BarGap, bar.MultiSeries[i].BarCategoryGap = barGap, barCategoryGap
	}
	if ref != nil && ref.Value.OK && len(bar.MultiSeries) > 0 {
		bar.MultiSeries[0].MarkLines = referenceLine(ref, horizontal)
	}
	for si, s := range series {
		if w := whiskers(categories, s, si, len(series), horizontal); w != nil {
			bar.MultiSeries = append(bar.MultiSeries, *w)
		}
	}
	bar.SetGlobalOptions(charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Type: "plain", Top: "0", Data: seriesNames(plain)}))
	o := finish(bar)
	finishCI(o, categories, series, plain, horizontal)
	c := Chart{Option: o, Format: y.format(), Description: describeCI(categories, series, ref)}
	if horizontal {
		c.Rows = len(categories) * len(series)
	}
	return c
}

// finishCI gives each value its tooltip in words, puts the whiskers over
// the bars, and adds the withheld markers, the provisional band and the
// legend.
func finishCI(o obj, categories []string, series []CISeries, plain []Series, horizontal bool) {
	all := list(o, "series")
	for si, s := range series {
		if si >= len(all) {
			break
		}
		data, _ := all[si]["data"].([]any)
		for i, d := range data {
			item, ok := d.(obj)
			if !ok || i >= len(categories) {
				continue
			}
			item["tooltip"] = itemTooltip(categories[i], s.Name, ciText(s, i))
		}
	}
	for _, s := range all {
		if s["type"] == "custom" {
			s["z"] = whiskerZ
		}
	}
	categoryAxes(o)
	addSeries(o, withheldSeries(categories, plain, horizontal))
	provisionalBand(o, categories, plain, 0, horizontal)
	legendNames(o, plain)
}

// DotsCI draws each category's value as a dot with a whisker for its 95%
// confidence interval, categories down the side: where bars would hide
// the intervals or invite comparing lengths (conversion by group against
// everyone's), dots and whiskers show both. A Reference, when given, is
// drawn as a dashed labelled line.
func DotsCI(categories []string, series []CISeries, y Axis, ref *Reference) Chart {
	plain := plainSeries(series)
	bar := newBars(categories, plain, y, true, "item")
	if ref != nil && ref.Value.OK && len(bar.MultiSeries) > 0 {
		bar.MultiSeries[0].MarkLines = referenceLine(ref, true)
	}
	for si, s := range series {
		// Every dot of a category sits on the category's line: count 1.
		if w := whiskers(categories, s, si, 1, true); w != nil {
			w.Data = reindex(w.Data.([]opts.CustomData))
			bar.MultiSeries = append(bar.MultiSeries, *w)
		}
	}
	bar.SetGlobalOptions(charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Type: "plain", Top: "0", Data: seriesNames(plain)}))
	o := finish(bar)
	all := list(o, "series")
	for si, s := range series {
		if si >= len(all) {
			break
		}
		dots := all[si]
		dots["type"] = "scatter"
		dots["z"] = dotZ
		dots["symbolSize"] = 11
		var data []any
		for i, v := range s.Values {
			if i >= len(categories) {
				break
			}
			item := obj{"name": categories[i], "value": []any{v, categories[i]}}
			if i < len(s.Provisional) && s.Provisional[i] {
				item["symbol"] = "emptyCircle"
			}
			data = append(data, item)
		}
		dots["data"] = data
		delete(dots, "barGap")
		delete(dots, "barCategoryGap")
	}
	finishCI(o, categories, series, plain, true)
	// A scatter's value is [x, category]; the tooltips set above stay.
	return Chart{Option: o, Format: y.format(), Description: describeCI(categories, series, ref), Rows: len(categories)}
}

// reindex sets each whisker's bar number to 0 of 1: dots share their
// category's line.
func reindex(data []opts.CustomData) []opts.CustomData {
	for i := range data {
		if v, ok := data[i].Value.([]any); ok && len(v) == 5 {
			v[3], v[4] = 0, 1
		}
	}
	return data
}

// describeCI says what an interval chart holds: each series' lowest and
// highest value, and how many intervals lie wholly above or below the
// reference.
func describeCI(categories []string, series []CISeries, ref *Reference) string {
	s := describeSeries(categories, plainSeries(series), Axis{Percent: true})
	s = s[:len(s)-1] + ", each with its 95% confidence interval"
	if ref != nil && ref.Value.OK && len(series) == 1 {
		above, below := 0, 0
		for i := range categories {
			lo, hi := at(series[0].Low, i), at(series[0].High, i)
			switch {
			case lo.OK && lo.V > ref.Value.V:
				above++
			case hi.OK && hi.V < ref.Value.V:
				below++
			}
		}
		s += "; against " + ref.Name + " at " + percentText(ref.Value) + ", " + strconv.Itoa(above) + " wholly above and " + strconv.Itoa(below) + " wholly below"
	}
	return s + "."
}

// referenceLine is the mark line for ref, labelled with its name and
// value so that it is read without colour.
func referenceLine(ref *Reference, horizontal bool) *opts.MarkLines {
	label := ref.Name + ": " + percentText(ref.Value)
	var item any = opts.MarkLineNameYAxisItem{Name: label, YAxis: ref.Value}
	position := "insideEndTop"
	if horizontal {
		// Across the top of an upright line, where it hides no dot and no
		// value of the axis below. The categories run down the side
		// (an inverse axis), so the line starts at the top.
		item = opts.MarkLineNameXAxisItem{Name: label, XAxis: ref.Value}
		position = "start"
	}
	return &opts.MarkLines{
		Data: []any{item},
		MarkLineStyle: opts.MarkLineStyle{
			Symbol:    []string{"none", "none"},
			LineStyle: &opts.LineStyle{Color: "#212b32", Type: "dashed", Width: 1.5},
			Label:     &opts.Label{Show: opts.Bool(true), Formatter: "{b}", Position: position, Color: "#212b32"},
		},
	}
}

// percentText writes a plotted percentage as people read it, e.g. "23.4%".
func percentText(n Number) string {
	if !n.OK {
		return "not available"
	}
	return strconv.FormatFloat(round2(n.V), 'f', 1, 64) + "%"
}

// ReferenceLine is a figure from outside the data, such as a national
// value with its source, drawn across a chart as a labelled dashed line.
type ReferenceLine struct {
	// Name labels the line in the legend and at its end.
	Name string
	// Points are where it is drawn: (category or x value, percentage).
	// A value for one quarter is one point, drawn as a marker.
	Points [][2]any
}

// referenceColour is the reference lines' colour: dark grey, like the
// funnel plot's centre line, so that they read as a backdrop.
const referenceColour = "#425563"

// WithReferenceLines draws lines across c as dashed lines (silent: hovering
// them says nothing; their label says what they are), each with an entry
// in the legend.
func WithReferenceLines(c Chart, lines []ReferenceLine) Chart {
	if len(lines) == 0 {
		return c
	}
	series, _ := c.Option["series"].([]any)
	legend, _ := c.Option["legend"].(obj)
	for _, l := range lines {
		symbol := "none"
		if len(l.Points) == 1 {
			symbol = "rect"
		}
		series = append(series, obj{
			"type": "line", "name": l.Name, "data": l.Points, "symbol": symbol, "symbolSize": 8,
			"lineStyle": obj{"type": "dashed", "width": 1.5, "color": referenceColour},
			"itemStyle": obj{"color": referenceColour},
			"endLabel":  obj{"show": true, "formatter": "{a}", "color": referenceColour},
			"silent":    true, "tooltip": obj{"show": false}, "z": 1,
		})
		if legend != nil {
			if data, ok := legend["data"].([]any); ok {
				legend["data"] = append(data, l.Name)
			}
		}
	}
	c.Option["series"] = series
	return c
}
