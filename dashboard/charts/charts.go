// Package charts builds ECharts options for the dashboard with go-echarts
// types and returns them as plain values ready for encoding/json.
//
// The options are never rendered into HTML by go-echarts (its Render and
// RenderSnippet inline data into a <script> without escaping). The
// dashboard sends them as JSON and one static script, uptake.js, draws
// them. Nothing here computes a statistic: builders take numbers that the
// queries package has already worked out and disclosure-controlled (the
// one tally, PercentBands, counts units into bands to draw them).
//
// Conventions every chart follows (see docs/architecture.md, "Charts"):
//
//   - Every category label is drawn (interval 0). uptake.js rotates the
//     labels of a crowded category axis, and gives horizontal bars a line
//     each (Chart.Rows) with long names cut to fit; the tooltip has the
//     full name.
//   - A withheld value (Withheld) is drawn as a hollow marker labelled
//     "withheld" on the axis, never as a gap that reads as zero; a value
//     that does not exist (Gap) is a gap.
//   - Provisional values are drawn differently in shape, not colour alone:
//     dashed line segments and hollow points on lines, lighter bars, and a
//     shaded band labelled "provisional".
//   - Tooltips give values rounded with their unit (Chart.Format, applied
//     by uptake.js), or a text worked out here.
//   - The chart's accessible name is its title plus Chart.Description, one
//     sentence of what it shows; the table beneath is the detail.
//   - A chart whose items are practices, quarters or languages says so in
//     Chart.Filter, and clicking an item filters the page to it.
package charts

import (
	"encoding/json"
	"html"
	"strconv"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// Chart is what uptake.js receives for one chart: the ECharts option and
// what it needs to draw it well and to act on clicks.
type Chart struct {
	Option map[string]any `json:"option"`
	// Links are the pages items open, keyed by the item's name (a
	// practice's bar opens the practice's page).
	Links map[string]string `json:"links,omitempty"`
	// Caption, when set, is a sentence the page shows above the chart,
	// e.g. to say that it draws only some of the table's rows.
	Caption string `json:"caption,omitempty"`
	// Description is one sentence saying what the chart shows, such as
	// "Conversion for 6 age bands, from 12.3% (80+) to 41.0% (18-39).".
	// With the panel's title it is the chart's accessible name.
	Description string `json:"description,omitempty"`
	// Clickable says that data items carry their own links, as "url"
	// (funnel plots, where a map of thousands of names would double the
	// data).
	Clickable bool `json:"clickable,omitempty"`
	// Rows is the number of categories on a vertical category axis
	// (horizontal bars): the page gives each a line of its own.
	Rows int `json:"rows,omitempty"`
	// Format is how tooltips write the values: unit and decimals.
	Format *Format `json:"format,omitempty"`
	// Filter, when set, makes a click on an item filter the page to it.
	Filter *Filter `json:"filter,omitempty"`
	// Funnel words a funnel plot's tooltips.
	Funnel *FunnelWords `json:"funnel,omitempty"`
}

// Format is how uptake.js writes a value in a tooltip: rounded to Decimals,
// with thousands separators, followed by Unit ("%", " days", " people").
type Format struct {
	Unit     string `json:"unit,omitempty"`
	Decimals int    `json:"decimals"`
}

// Filter says which filter of the page each item of a chart stands for:
// clicking the item filters the page to it. Items maps an item's name (its
// category) to its filter; items that carry a "filter" value of their own
// (funnel plot points, where a map of thousands of names would double the
// data) take Field.
type Filter struct {
	Field string                `json:"field,omitempty"`
	Items map[string]FilterItem `json:"items,omitempty"`
}

// FilterItem is one filter value: Field is a filter of the page
// ("practice", "language", "mode") or "quarter", which sets both ends of
// the quarter range; Label names the value in words for the filter bar,
// e.g. "Archway Medical Centre (F83004)".
type FilterItem struct {
	Field string `json:"field"`
	Value string `json:"value"`
	Label string `json:"label,omitempty"`
}

// FilterBy returns c whose items, named in values, filter the page by
// field, each to its value.
func (c Chart) FilterBy(field string, values map[string]string) Chart {
	if c.Filter == nil {
		c.Filter = &Filter{}
	}
	if c.Filter.Items == nil {
		c.Filter.Items = map[string]FilterItem{}
	}
	for name, v := range values {
		c.Filter.Items[name] = FilterItem{Field: field, Value: v}
	}
	return c
}

// MarshalIndent is the chart as indented JSON, for golden files.
func (c Chart) MarshalIndent() ([]byte, error) { return json.MarshalIndent(c, "", "  ") }

// Number is one plotted value: a value to draw, a value withheld by
// disclosure control (drawn as withheld), or no value at all (a gap).
type Number struct {
	V        float64
	OK       bool
	Withheld bool
}

// Num is a value that can be drawn.
func Num(v float64) Number { return Number{V: v, OK: true} }

// Gap is a value that does not exist (no one to count): nothing is drawn.
func Gap() Number { return Number{} }

// Withheld is a value that exists but may not be shown (disclosure
// control): it is drawn as a marker labelled "withheld", never as zero.
func Withheld() Number { return Number{Withheld: true} }

// FromPtr draws a value that the queries package returns as a pointer,
// nil meaning "not available".
func FromPtr(p *float64) Number {
	if p == nil {
		return Gap()
	}
	return Num(*p)
}

// MarshalJSON writes the value rounded to two decimals, or "-", which
// ECharts draws as a gap (withheld values get a marker of their own).
func (n Number) MarshalJSON() ([]byte, error) {
	if !n.OK {
		return []byte(`"-"`), nil
	}
	return strconv.AppendFloat(nil, round2(n.V), 'f', -1, 64), nil
}

func round2(v float64) float64 {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'f', 2, 64), 64)
	return r
}

// Series is one named row of values, one per category.
type Series struct {
	Name   string
	Values []Number
	// Stack names the stack the series belongs to in a bar chart; series
	// with the same Stack are drawn on top of each other.
	Stack string
	// Provisional marks values that may still change (for example a cohort
	// whose conversion window is open): lines draw them dashed with hollow
	// points, bars lighter, both under a band labelled "provisional". The
	// table beneath says "provisional" in words. Nil means none.
	Provisional []bool
}

// provisional reports whether value i of s is marked provisional.
func (s Series) provisional(i int) bool { return i < len(s.Provisional) && s.Provisional[i] }

// provisionalOpacity is how strongly a provisional bar is filled.
const provisionalOpacity = 0.45

// Axis describes the value axis.
type Axis struct {
	// Name is shown along the axis, e.g. "Conversion (%)".
	Name string
	// Percent starts the axis at 0 and adds a % to its labels.
	Percent bool
	// Full fixes a percent axis to 0-100, for shares that readers compare
	// against the whole (e.g. fill rates).
	Full bool
	// Unit follows a value in tooltips when the axis is not a percentage,
	// e.g. " days" or " people"; Decimals rounds it (percentages get one).
	Unit     string
	Decimals int
}

// format is how tooltips write the axis's values.
func (a Axis) format() *Format {
	if a.Percent {
		return &Format{Unit: "%", Decimals: 1}
	}
	return &Format{Unit: a.Unit, Decimals: a.Decimals}
}

// Palette is the NHS identity colour set, in an order where neighbours
// are easy to tell apart; the first is NHS Blue.
var Palette = opts.Colors{"#005eb8", "#ed8b00", "#00a499", "#330072", "#ae2573", "#425563", "#ffb81c", "#006747"}

// zoomAfter is how many categories a time axis shows before it gets a
// slider to zoom with.
const zoomAfter = 12

// defaultGrid leaves room for the legend above the plot; uptake.js moves
// the plot down when the legend wraps onto more lines.
var defaultGrid = opts.Grid{Left: "3%", Right: "4%", Bottom: "3%", Top: "48", ContainLabel: opts.Bool(true)}

// base is what every chart shares. WithGridOpts appends, so the one grid
// is given here. The legend wraps (uptake.js makes room for it) rather
// than paging, so that every entry, such as a significance key, stays in
// sight. ECharts' own aria text (thousands of characters read out) is
// replaced by uptake.js with the panel's title and Chart.Description.
func base(grid opts.Grid) []charts.GlobalOpts {
	return []charts.GlobalOpts{
		charts.WithInitializationOpts(opts.Initialization{Theme: "white"}),
		charts.WithColorsOpts(Palette),
		charts.WithAnimation(false),
		charts.WithAriaOpts(&opts.Aria{Enabled: opts.Bool(true), Decal: &opts.AriaDecal{Show: opts.Bool(true)}}),
		charts.WithToolboxOpts(opts.Toolbox{Show: opts.Bool(false)}),
		charts.WithGridOpts(grid),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Type: "plain", Top: "0"}),
	}
}

func valueAxis(a Axis) opts.YAxis {
	y := opts.YAxis{Type: "value", Name: a.Name, NameLocation: "end"}
	if a.Percent {
		y.Min = 0
		y.AxisLabel = &opts.AxisLabel{Formatter: "{value}%"}
		if a.Full {
			y.Max = 100
		}
	}
	return y
}

// obj is a JSON object of an option, once finish has made it plain maps.
type obj = map[string]any

// finish turns a go-echarts chart into its option as plain maps and
// slices (through JSON), so that the builders can set what go-echarts has
// no field for. Validate copies axis data into place, as Render would.
func finish(c interface {
	Validate()
	JSON() map[string]interface{}
}) map[string]any {
	c.Validate()
	b, err := json.Marshal(c.JSON())
	if err != nil {
		panic("charts: an option that cannot be written as JSON: " + err.Error())
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		panic("charts: " + err.Error())
	}
	return out
}

// list returns the option's key as a list of objects, whether ECharts
// was given one object or a list.
func list(o obj, key string) []obj {
	switch v := o[key].(type) {
	case []any:
		var out []obj
		for _, x := range v {
			if m, ok := x.(obj); ok {
				out = append(out, m)
			}
		}
		return out
	case obj:
		return []obj{v}
	}
	return nil
}

// showEveryLabel makes a category axis draw every label: ECharts would
// otherwise drop every other one when they crowd (uptake.js rotates or
// shortens them to fit instead).
func showEveryLabel(axis obj) {
	label, _ := axis["axisLabel"].(obj)
	if label == nil {
		label = obj{}
	}
	label["interval"] = 0
	delete(label, "hideOverlap")
	axis["axisLabel"] = label
}

// categoryAxes applies showEveryLabel to every category axis of o.
func categoryAxes(o obj) {
	for _, key := range []string{"xAxis", "yAxis"} {
		for _, a := range list(o, key) {
			if a["type"] == "category" {
				showEveryLabel(a)
			}
		}
	}
}

func barData(s Series) []opts.BarData {
	out := make([]opts.BarData, len(s.Values))
	for i, v := range s.Values {
		out[i] = opts.BarData{Value: v}
		if s.provisional(i) {
			out[i].ItemStyle = &opts.ItemStyle{Opacity: opts.Float(provisionalOpacity)}
		}
	}
	return out
}

// withheldName is the legend entry of the withheld markers.
const withheldName = "Withheld (too few people to show)"

// withheldSeries is a series of markers, one for each withheld value of
// series, drawn at zero on the category axis and labelled "withheld", so
// that a withheld value is never read as 0. horizontal puts the categories
// on the vertical axis. It returns nil when nothing is withheld.
func withheldSeries(categories []string, series []Series, horizontal bool) obj {
	var data []any
	for _, s := range series {
		for i, v := range s.Values {
			if !v.Withheld || i >= len(categories) {
				continue
			}
			value := []any{categories[i], 0}
			if horizontal {
				value = []any{0, categories[i]}
			}
			data = append(data, obj{"name": categories[i], "value": value, "series": s.Name,
				"tooltip": obj{"formatter": html.EscapeString(categories[i]) + "<br/>" + html.EscapeString(s.Name) + ": withheld (too few people to show)"}})
		}
	}
	if data == nil {
		return nil
	}
	label := obj{"show": true, "formatter": "withheld", "color": "#212b32", "fontSize": 11}
	if horizontal {
		label["position"] = "right"
	} else {
		label["position"] = "top"
		label["rotate"] = 90
		label["align"] = "left"
		label["verticalAlign"] = "middle"
		label["distance"] = 8
	}
	return obj{
		"type": "scatter", "name": withheldName, "data": data, "z": 5,
		"symbol": "emptyDiamond", "symbolSize": 12,
		"itemStyle": obj{"color": "#212b32", "borderWidth": 2},
		"label":     label,
		"tooltip":   obj{"trigger": "item"},
	}
}

// addSeries appends s to the option's series.
func addSeries(o obj, s obj) {
	if s == nil {
		return
	}
	series, _ := o["series"].([]any)
	o["series"] = append(series, s)
}

// provisionalBand shades the categories from the first provisional value
// of any series to the end, labelled "provisional", on the series at
// index seriesIndex. horizontal puts the categories on the vertical axis.
func provisionalBand(o obj, categories []string, series []Series, seriesIndex int, horizontal bool) {
	first := -1
	for _, s := range series {
		for i := range s.Values {
			if s.provisional(i) && i < len(categories) && (first < 0 || i < first) {
				first = i
			}
		}
	}
	all := list(o, "series")
	if first < 0 || seriesIndex >= len(all) {
		return
	}
	key := "xAxis"
	if horizontal {
		key = "yAxis"
	}
	all[seriesIndex]["markArea"] = obj{
		"silent":    true,
		"itemStyle": obj{"color": "rgba(174, 183, 189, 0.18)"},
		"label":     obj{"show": true, "position": "insideTop", "color": "#425563", "formatter": "provisional"},
		"data":      []any{[]any{obj{key: categories[first]}, obj{key: categories[len(categories)-1]}}},
	}
}

// Bars draws one bar per category for each series. Horizontal bars suit
// long category names such as ethnic groups or practices.
func Bars(categories []string, series []Series, y Axis, horizontal bool) Chart {
	o := finish(newBars(categories, series, y, horizontal, "axis"))
	categoryAxes(o)
	addSeries(o, withheldSeries(categories, series, horizontal))
	provisionalBand(o, categories, series, 0, horizontal)
	c := Chart{Option: o, Format: y.format(), Description: describeSeries(categories, series, y)}
	if horizontal {
		c.Rows = len(categories) * max(1, len(stacks(series)))
	}
	return c
}

// stacks counts the bars a category has: one per stack, one per series
// that is in none.
func stacks(series []Series) []string {
	var out []string
	seen := map[string]bool{}
	for i, s := range series {
		key := s.Stack
		if key == "" {
			key = "\x00" + strconv.Itoa(i)
		}
		if !seen[key] {
			seen[key] = true
			out = append(out, key)
		}
	}
	return out
}

// newBars builds the bar chart of Bars with the given tooltip trigger.
func newBars(categories []string, series []Series, y Axis, horizontal bool, trigger string) *charts.Bar {
	bar := charts.NewBar()
	bar.SetGlobalOptions(base(defaultGrid)...)
	bar.SetGlobalOptions(
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: trigger}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category"}),
		charts.WithYAxisOpts(valueAxis(y)),
	)
	bar.SetXAxis(categories)
	for _, s := range series {
		var so []charts.SeriesOpts
		if s.Stack != "" {
			so = append(so, charts.WithBarChartOpts(opts.BarChart{Stack: s.Stack}))
		}
		bar.AddSeries(s.Name, barData(s), so...)
	}
	if horizontal {
		bar.XYReversal()
		// A reversed bar chart swaps the axes: categories go on y, values on x.
		// The value axis's name goes under its middle: at the end it
		// would be cut off at the chart's right edge.
		bar.XAxisList[0] = opts.XAxis{Type: "value", Name: y.Name, NameLocation: "middle", NameGap: 28}
		bar.GridList[0].Bottom = "36"
		if y.Percent {
			bar.XAxisList[0].Min = 0
			bar.XAxisList[0].AxisLabel = &opts.AxisLabel{Formatter: "{value}%"}
			if y.Full {
				bar.XAxisList[0].Max = 100
			}
		}
		bar.YAxisList[0] = opts.YAxis{Type: "category", Inverse: opts.Bool(true)}
	}
	if !horizontal && len(categories) > zoomAfter {
		bar.SetGlobalOptions(zoom(len(categories))...)
		// The slider sits under the axis labels; leave room for it.
		bar.GridList[0].Bottom = "56"
	}
	return bar
}

// Lines draws a line per series over ordered categories such as quarters.
// Long axes get a zoom slider showing the most recent categories.
func Lines(categories []string, series []Series, y Axis) Chart {
	return lines(categories, series, y, len(categories) > zoomAfter)
}

// TrendLines is Lines for quarterly trends: it always has the zoom slider,
// so readers can narrow the range however few quarters are loaded, and
// shows the most recent zoomAfter quarters at first.
func TrendLines(categories []string, series []Series, y Axis) Chart {
	return lines(categories, series, y, len(categories) > 0)
}

// lines draws each series as a solid line through its final values and a
// dashed one on to its provisional values, in the same colour and under
// the same legend entry, so that a provisional drop is never read as a
// fall: the dashed part joins the last final value to the provisional
// ones.
func lines(categories []string, series []Series, y Axis, withZoom bool) Chart {
	line := charts.NewLine()
	grid := defaultGrid
	if withZoom {
		// The slider sits under the axis; leave room for it.
		grid.Bottom = "56"
	}
	line.SetGlobalOptions(base(grid)...)
	line.SetGlobalOptions(
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", BoundaryGap: opts.Bool(false)}),
		charts.WithYAxisOpts(valueAxis(y)),
	)
	if withZoom {
		line.SetGlobalOptions(zoom(len(categories))...)
	}
	line.SetXAxis(categories)
	type dashed struct {
		at int // index in the option's series
	}
	var provisional []dashed
	n := 0
	for si, s := range series {
		colour := Palette[si%len(Palette)]
		solid := make([]opts.LineData, len(s.Values))
		var dash []opts.LineData
		for i, v := range s.Values {
			solid[i] = opts.LineData{Value: v}
			if !s.provisional(i) {
				continue
			}
			if dash == nil {
				dash = make([]opts.LineData, len(s.Values))
				for j := range dash {
					dash[j] = opts.LineData{Value: Gap()}
				}
				// Join the dashed line to the last final value before it.
				for j := i - 1; j >= 0; j-- {
					if s.Values[j].OK && !s.provisional(j) {
						dash[j] = opts.LineData{Value: s.Values[j], Symbol: "none"}
						break
					}
				}
			}
			solid[i] = opts.LineData{Value: Gap()}
			dash[i] = opts.LineData{Value: v, Symbol: "emptyCircle", SymbolSize: 9}
		}
		line.AddSeries(s.Name, solid,
			charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(true), Symbol: "circle", SymbolSize: 7}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: colour}),
			charts.WithLineStyleOpts(opts.LineStyle{Color: colour, Width: 2}))
		n++
		if dash != nil {
			line.AddSeries(s.Name, dash,
				charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(true), Symbol: "emptyCircle", SymbolSize: 9}),
				charts.WithItemStyleOpts(opts.ItemStyle{Color: colour}),
				charts.WithLineStyleOpts(opts.LineStyle{Color: colour, Width: 2, Type: "dashed"}))
			provisional = append(provisional, dashed{at: n})
			n++
		}
	}
	o := finish(line)
	categoryAxes(o)
	// The dashed series repeat the last final value only to join the
	// line (with no symbol); uptake.js's axis tooltip lists each series
	// once, saying "provisional" for the dashed values.
	for _, d := range provisional {
		list(o, "series")[d.at]["uptakeProvisional"] = true
	}
	addSeries(o, withheldSeries(categories, series, false))
	provisionalBand(o, categories, series, 0, false)
	legendNames(o, series)
	return Chart{Option: o, Format: y.format(), Description: describeLines(categories, series, y)}
}

// legendNames lists each series once in the legend, with the withheld
// marker last when there is one.
func legendNames(o obj, series []Series) {
	var names []any
	for _, s := range series {
		names = append(names, s.Name)
	}
	for _, s := range list(o, "series") {
		if s["name"] == withheldName {
			names = append(names, withheldName)
		}
	}
	legend := list(o, "legend")
	if len(legend) > 0 {
		legend[0]["data"] = names
	}
}

// zoom shows the last zoomAfter of n categories and lets the reader slide
// back in time.
func zoom(n int) []charts.GlobalOpts {
	start := float32(0)
	if n > zoomAfter {
		start = float32(100 * float64(n-zoomAfter) / float64(n))
	}
	return []charts.GlobalOpts{charts.WithDataZoomOpts(
		opts.DataZoom{Type: "slider", Start: start, End: 100, XAxisIndex: 0},
		opts.DataZoom{Type: "inside", Start: start, End: 100, XAxisIndex: 0},
	)}
}

// Stage is one step of the pathway funnel.
type Stage struct {
	Name  string
	Value Number
}

// funnelItem is one stage of a funnel with its text written out: ECharts
// formats {c} without thousands separators, so each stage carries its
// label and tooltip as text.
type funnelItem struct {
	Name    string      `json:"name"`
	Value   Number      `json:"value"`
	Label   funnelText  `json:"label"`
	Tooltip funnelTitle `json:"tooltip"`
}

type funnelText struct {
	Formatter string `json:"formatter"`
}

type funnelTitle struct {
	Formatter string `json:"formatter"`
}

// Funnel draws the pathway from referral to completion, widest first.
// A withheld stage cannot be drawn to scale, so it is named under the
// funnel as withheld; the table shows it too. The labels sit to the right
// of the funnel in dark text, so the narrow last stages stay readable.
func Funnel(stages []Stage) Chart {
	f := charts.NewFunnel()
	f.SetGlobalOptions(base(defaultGrid)...)
	f.SetGlobalOptions(
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
	)
	data := make([]funnelItem, 0, len(stages))
	var withheld, parts []string
	for _, s := range stages {
		switch {
		case s.Value.OK:
			text := s.Name + ": " + thousands(s.Value.V)
			data = append(data, funnelItem{Name: s.Name, Value: s.Value, Label: funnelText{text}, Tooltip: funnelTitle{html.EscapeString(text) + " people"}})
			parts = append(parts, strings.ToLower(s.Name[:1])+s.Name[1:]+" "+thousands(s.Value.V))
		case s.Value.Withheld:
			withheld = append(withheld, s.Name)
			parts = append(parts, strings.ToLower(s.Name[:1])+s.Name[1:]+" withheld")
		}
	}
	bottom := "8"
	if withheld != nil {
		bottom = "32"
	}
	f.AddSeries("Pathway", nil, charts.WithSeriesOpts(func(s *charts.SingleSeries) {
		s.Data = data
		s.Sort = "none"
		s.Left, s.Right, s.Top, s.Bottom = "2%", "42%", "8", bottom
	}),
		charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Position: "right", Color: "#212b32", FontSize: 14}),
		charts.WithLabelLineOpts(opts.LabelLine{Show: opts.Bool(true), LineStyle: &opts.LineStyle{Color: "#768692"}}))
	o := finish(f)
	if withheld != nil {
		o["graphic"] = []any{obj{"type": "text", "left": "2%", "bottom": 4, "silent": true,
			"style": obj{"text": "Not drawn, withheld (too few people to show): " + strings.Join(withheld, ", "), "fill": "#212b32", "fontSize": 13}}}
	}
	desc := ""
	if len(parts) > 0 {
		desc = "People at each stage: " + strings.Join(parts, ", ") + "."
	}
	return Chart{Option: o, Format: &Format{Unit: " people"}, Description: desc}
}

// thousands writes a count as people read it, e.g. 1,771,860.
func thousands(v float64) string {
	s := strconv.FormatFloat(v, 'f', 0, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Grid is a table of values over two category axes, such as weekday by
// time of day.
type Grid struct {
	X, Y   []string
	Values [][]Number // Values[y][x]
	// Name is what a cell's value means, e.g. "Referrals per place".
	Name string
	// Unit follows a value in tooltips, e.g. " places".
	Unit string
}

// Heatmap shades each cell of g by its value. Gaps are left blank;
// withheld cells are outlined and labelled "withheld".
func Heatmap(g Grid) Chart {
	h := charts.NewHeatMap()
	h.SetGlobalOptions(base(opts.Grid{Left: "3%", Right: "4%", Bottom: "64", Top: "8", ContainLabel: opts.Bool(true)})...)
	var max float64
	var data []opts.HeatMapData
	var withheld []any
	cells := 0
	for yi, row := range g.Values {
		for xi, v := range row {
			if v.Withheld && xi < len(g.X) && yi < len(g.Y) {
				withheld = append(withheld, obj{"value": []any{g.X[xi], g.Y[yi]}})
			}
			if !v.OK {
				continue
			}
			cells++
			if v.V > max {
				max = v.V
			}
			data = append(data, opts.HeatMapData{Value: [3]any{xi, yi, v}})
		}
	}
	if max == 0 {
		max = 1
	}
	h.SetGlobalOptions(
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", Data: g.X, SplitArea: &opts.SplitArea{Show: opts.Bool(true)}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Data: g.Y, SplitArea: &opts.SplitArea{Show: opts.Bool(true)}}),
		charts.WithVisualMapOpts(opts.VisualMap{
			Calculable: opts.Bool(true), Min: 0, Max: float32(max), Orient: "horizontal", Left: "center", Bottom: "0",
			Text:    []string{"more", "fewer"},
			InRange: &opts.VisualMapInRange{Color: []string{"#e8edee", "#41b6e6", "#005eb8", "#003087"}},
		}),
	)
	h.SetXAxis(g.X)
	h.AddSeries(g.Name, data, charts.WithLabelOpts(opts.Label{Show: opts.Bool(true)}))
	o := finish(h)
	categoryAxes(o)
	if withheld != nil {
		addSeries(o, obj{"type": "scatter", "name": withheldName, "data": withheld, "symbol": "rect", "symbolSize": []any{44, 18},
			"itemStyle": obj{"color": "#fff", "borderColor": "#212b32", "borderType": "dashed", "borderWidth": 1},
			"label":     obj{"show": true, "formatter": "withheld", "color": "#212b32", "fontSize": 11},
			"tooltip":   obj{"formatter": "withheld (too few people to show)"}})
	}
	desc := g.Name + " in " + strconv.Itoa(cells) + " of " + strconv.Itoa(len(g.X)*len(g.Y)) + " cells of " + strconv.Itoa(len(g.Y)) + " rows by " + strconv.Itoa(len(g.X)) + " columns"
	if cells > 0 {
		desc += ", the most " + thousands(max)
	}
	return Chart{Option: o, Format: &Format{Unit: g.Unit}, Description: desc + "."}
}
