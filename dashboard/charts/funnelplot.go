package charts

import (
	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// Unit is one practice (or other unit) on a funnel plot.
type Unit struct {
	// Name labels the point and keys its link; it must be unique, so it
	// includes the practice code.
	Name string
	// Href is the page clicking the point opens; empty for none.
	Href string
	// Denominator is the x value (e.g. eligible referrals).
	Denominator float64
	// Value is the y value in percent.
	Value Number
	// Label is the unit's significance label, e.g. "High (0.025)"; points
	// are grouped (and coloured) by it.
	Label string
}

// Limit is the pair of control limits at one denominator, in percent.
type Limit struct {
	Denominator        float64
	Lower95, Upper95   float64
	Lower998, Upper998 float64
}

// FunnelPlotData is everything a funnel plot shows. The limits and labels
// are computed by the queries package; this only draws them.
type FunnelPlotData struct {
	Units    []Unit
	Limits   []Limit
	Baseline float64 // percent
	XName    string  // e.g. "Eligible referrals"
	YName    string  // e.g. "Conversion (%)"
}

// LabelOrder lists the significance labels in the order the legend shows
// them.
var LabelOrder = []string{"High (0.001)", "High (0.025)", "Not significant", "Low (0.025)", "Low (0.001)"}

var labelColour = map[string]string{
	"High (0.001)":    "#003087",
	"High (0.025)":    "#005eb8",
	"Not significant": "#768692",
	"Low (0.025)":     "#ed8b00",
	"Low (0.001)":     "#d5281b",
}

// FunnelPlot draws units against the borough baseline with 95% and 99.8%
// control limits. Clicking a unit opens its Href.
func FunnelPlot(d FunnelPlotData) Chart {
	line := charts.NewLine()
	line.SetGlobalOptions(base(opts.Grid{Left: "3%", Right: "4%", Bottom: "36", Top: "56", ContainLabel: opts.Bool(true)})...)
	line.SetGlobalOptions(
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Name: d.XName, NameLocation: "middle", NameGap: 28, Min: 0}),
		charts.WithYAxisOpts(valueAxis(Axis{Name: d.YName, Percent: true})),
	)
	limitLine := func(name string, pick func(Limit) float64, style opts.LineStyle) {
		data := make([]opts.LineData, len(d.Limits))
		for i, l := range d.Limits {
			data[i] = opts.LineData{Value: [2]Number{Num(l.Denominator), Num(pick(l))}}
		}
		line.AddSeries(name, data,
			charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false)}),
			charts.WithLineStyleOpts(style),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: style.Color}),
		)
	}
	if len(d.Limits) > 0 {
		first, last := d.Limits[0].Denominator, d.Limits[len(d.Limits)-1].Denominator
		line.AddSeries("Borough", []opts.LineData{
			{Value: [2]Number{Num(first), Num(d.Baseline)}},
			{Value: [2]Number{Num(last), Num(d.Baseline)}},
		}, charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false)}),
			charts.WithLineStyleOpts(opts.LineStyle{Color: "#212b32", Width: 2}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: "#212b32"}))
		grey95 := opts.LineStyle{Color: "#768692", Type: "dashed", Width: 1}
		grey998 := opts.LineStyle{Color: "#425563", Type: "dotted", Width: 1.5}
		limitLine("95% limits", func(l Limit) float64 { return l.Upper95 }, grey95)
		limitLine("95% limits", func(l Limit) float64 { return l.Lower95 }, grey95)
		limitLine("99.8% limits", func(l Limit) float64 { return l.Upper998 }, grey998)
		limitLine("99.8% limits", func(l Limit) float64 { return l.Lower998 }, grey998)
	}

	clickable := false
	scatter := charts.NewScatter()
	for _, label := range LabelOrder {
		var data []scatterPoint
		for _, u := range d.Units {
			if u.Label != label || !u.Value.OK {
				continue
			}
			clickable = clickable || u.Href != ""
			data = append(data, scatterPoint{Name: u.Name, Value: [2]Number{Num(u.Denominator), u.Value}, URL: u.Href})
		}
		if data == nil {
			continue
		}
		// An England plot has 6,500 points. The symbol size is the
		// series', not each point's, each point carries its own link, and
		// a series of more than largePoints is drawn as one shape rather
		// than a shape per point, which is many times faster; its points
		// still answer hovers and clicks.
		scatter.AddSeries(label, nil,
			charts.WithScatterChartOpts(opts.ScatterChart{SymbolSize: 11}),
			charts.WithSeriesOpts(func(s *charts.SingleSeries) {
				s.Data = data
				s.Large, s.LargeThreshold = opts.Bool(true), largePoints
			}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: labelColour[label], BorderColor: "#fff"}),
			charts.WithSeriesTooltipOpts(opts.SeriesTooltip{Formatter: "{b}<br/>{a}"}))
	}
	line.Overlap(scatter)
	return Chart{Option: finish(line), Clickable: clickable}
}

// scatterPoint is one unit on a funnel plot. uptake.js opens URL when the
// point is clicked.
type scatterPoint struct {
	Name  string    `json:"name"`
	Value [2]Number `json:"value"`
	URL   string    `json:"url,omitempty"`
}

// largePoints is the size from which ECharts draws a series of points as
// one shape (its default is 2,000).
const largePoints = 500
