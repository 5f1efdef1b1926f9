// Package charts builds ECharts options for the dashboard with go-echarts
// types and returns them as plain values ready for encoding/json.
//
// The options are never rendered into HTML by go-echarts (its Render and
// RenderSnippet inline data into a <script> without escaping). The
// dashboard sends them as JSON and one static script, uptake.js, draws
// them. Nothing here computes a statistic: builders take numbers that the
// queries package has already worked out and disclosure-controlled (the
// one tally, PercentBands, counts units into bands to draw them).
package charts

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// Chart is what uptake.js receives for one chart: the ECharts option and
// the pages that clicking a data item opens, keyed by the item's name.
type Chart struct {
	Option map[string]any    `json:"option"`
	Links  map[string]string `json:"links,omitempty"`
	// Caption, when set, is a sentence the page shows above the chart,
	// e.g. to say that it draws only some of the table's rows.
	Caption string `json:"caption,omitempty"`
	// Clickable says that data items carry their own links, as "url"
	// (funnel plots, where a map of thousands of names would double the
	// data).
	Clickable bool `json:"clickable,omitempty"`
	// Tall charts get more height on the page: horizontal bars with many
	// categories.
	Tall bool `json:"tall,omitempty"`
}

// tallAfter is how many horizontal bars fit the normal chart height.
const tallAfter = 15

// MarshalIndent is the chart as indented JSON, for golden files.
func (c Chart) MarshalIndent() ([]byte, error) { return json.MarshalIndent(c, "", "  ") }

// Number is one plotted value. A value that is missing or suppressed by
// disclosure control is drawn as a gap, never as zero.
type Number struct {
	V  float64
	OK bool
}

// Num is a value that can be drawn.
func Num(v float64) Number { return Number{V: v, OK: true} }

// Gap is a value that must not be drawn.
func Gap() Number { return Number{} }

// FromPtr draws a value that the queries package returns as a pointer,
// nil meaning "not available" (for example a percentage of a suppressed
// count).
func FromPtr(p *float64) Number {
	if p == nil {
		return Gap()
	}
	return Num(*p)
}

// MarshalJSON writes the value rounded to two decimals, or "-", which
// ECharts draws as a gap.
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
	// whose conversion window is open): lines draw them as hollow points
	// and bars lighter. Shape and lightness, never colour alone; the table
	// beneath says "provisional" in words. Nil means none.
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
}

// Palette is the NHS identity colour set, in an order where neighbours
// are easy to tell apart; the first is NHS Blue.
var Palette = opts.Colors{"#005eb8", "#ed8b00", "#00a499", "#330072", "#ae2573", "#425563", "#ffb81c", "#006747"}

// zoomAfter is how many categories a time axis shows before it gets a
// slider to zoom with.
const zoomAfter = 12

// defaultGrid leaves room for the legend above the plot.
var defaultGrid = opts.Grid{Left: "3%", Right: "4%", Bottom: "3%", Top: "48", ContainLabel: opts.Bool(true)}

// base is what every chart shares. WithGridOpts appends, so the one grid
// is given here.
func base(grid opts.Grid) []charts.GlobalOpts {
	return []charts.GlobalOpts{
		charts.WithInitializationOpts(opts.Initialization{Theme: "white"}),
		charts.WithColorsOpts(Palette),
		charts.WithAnimation(false),
		charts.WithAriaOpts(&opts.Aria{Enabled: opts.Bool(true), Decal: &opts.AriaDecal{Show: opts.Bool(true)}}),
		charts.WithToolboxOpts(opts.Toolbox{Show: opts.Bool(false)}),
		charts.WithGridOpts(grid),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Type: "scroll", Top: "0"}),
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

// finish turns a go-echarts chart into its option map. Validate copies
// axis data into place, as Render would.
func finish(c interface {
	Validate()
	JSON() map[string]interface{}
}) map[string]any {
	c.Validate()
	return c.JSON()
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

func lineData(s Series) []opts.LineData {
	out := make([]opts.LineData, len(s.Values))
	for i, v := range s.Values {
		out[i] = opts.LineData{Value: v}
		if s.provisional(i) {
			out[i].Symbol, out[i].SymbolSize = "emptyCircle", 9
		}
	}
	return out
}

// Bars draws one bar per category for each series. Horizontal bars suit
// long category names such as ethnic groups or practices.
func Bars(categories []string, series []Series, y Axis, horizontal bool) Chart {
	return Chart{Option: finish(newBars(categories, series, y, horizontal, "axis")), Tall: horizontal && len(categories) > tallAfter}
}

// newBars builds the bar chart of Bars with the given tooltip trigger.
func newBars(categories []string, series []Series, y Axis, horizontal bool, trigger string) *charts.Bar {
	bar := charts.NewBar()
	bar.SetGlobalOptions(base(defaultGrid)...)
	bar.SetGlobalOptions(
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: trigger}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", AxisLabel: &opts.AxisLabel{HideOverlap: opts.Bool(true)}}),
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
	for _, s := range series {
		line.AddSeries(s.Name, lineData(s),
			charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(true), Symbol: "circle", SymbolSize: 7}))
	}
	return Chart{Option: finish(line)}
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
// Suppressed stages are left out of the drawing (the table shows them).
// The labels sit to the right of the funnel in dark text, so the narrow
// last stages stay readable.
func Funnel(stages []Stage) Chart {
	f := charts.NewFunnel()
	f.SetGlobalOptions(base(defaultGrid)...)
	f.SetGlobalOptions(
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
	)
	data := make([]funnelItem, 0, len(stages))
	for _, s := range stages {
		if s.Value.OK {
			text := s.Name + ": " + thousands(s.Value.V)
			data = append(data, funnelItem{Name: s.Name, Value: s.Value, Label: funnelText{text}, Tooltip: funnelTitle{text}})
		}
	}
	f.AddSeries("Pathway", nil, charts.WithSeriesOpts(func(s *charts.SingleSeries) {
		s.Data = data
		s.Sort = "none"
		s.Left, s.Right, s.Top, s.Bottom = "2%", "42%", "8", "8"
	}),
		charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Position: "right", Color: "#212b32", FontSize: 14}),
		charts.WithLabelLineOpts(opts.LabelLine{Show: opts.Bool(true), LineStyle: &opts.LineStyle{Color: "#768692"}}))
	return Chart{Option: finish(f)}
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
}

// Heatmap shades each cell of g by its value. Gaps are left blank.
func Heatmap(g Grid) Chart {
	h := charts.NewHeatMap()
	h.SetGlobalOptions(base(opts.Grid{Left: "3%", Right: "4%", Bottom: "64", Top: "8", ContainLabel: opts.Bool(true)})...)
	var max float64
	var data []opts.HeatMapData
	for yi, row := range g.Values {
		for xi, v := range row {
			if !v.OK {
				continue
			}
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
	return Chart{Option: finish(h)}
}
