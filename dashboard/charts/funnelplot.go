package charts

import (
	"math"
	"strconv"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// Unit is one practice (or other unit) on a funnel plot.
type Unit struct {
	// Name labels the point and keys its link; it must be unique, so it
	// includes the practice code.
	Name string
	// Href is the page of the unit; empty for none.
	Href string
	// Code is the unit's value for the page's filter (a practice's ODS
	// code), so that the reader can filter the page to it.
	Code string
	// Denominator is the x value (e.g. eligible referrals).
	Denominator float64
	// Value is the y value in percent; Low and High its 95% interval.
	Value     Number
	Low, High Number
	// Numerator is the published numerator as the table shows it, e.g.
	// "45", for the tooltip.
	Numerator string
	// Label is the unit's significance label, e.g. "High (0.025)"; points
	// are grouped (and coloured) by it, and the legend says it in words.
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
	// Measure, NumeratorName and DenominatorName word the tooltip:
	// "Conversion: 45.0% (95% CI ...)", "45 started of 100 eligible
	// referrals".
	Measure, NumeratorName, DenominatorName string
	// Field is the page filter a unit's Code sets, e.g. "practice".
	Field string
	// Noun names the units in the plural, e.g. "practices".
	Noun string
	// Withheld counts the units that cannot be drawn because a value of
	// theirs is withheld; the description says how many.
	Withheld int
	// Adjusted says the limits are widened for overdispersion (the
	// queries package decides); the legend and description say so.
	Adjusted bool
	// Against names the comparator mid-sentence, e.g. "similar
	// practices", for the legend and description; "" is the borough.
	Against string
	// References are figures from outside the data (a national value),
	// drawn as labelled dashed lines across the plot.
	References []Reference
	// Selected is the Code of a unit always drawn as a point, even among
	// a density (the practice the page is filtered to).
	Selected string
}

// noun is d.Noun, or "units".
func (d FunnelPlotData) noun() string {
	if d.Noun == "" {
		return "units"
	}
	return d.Noun
}

// against is d.Against, or "the borough".
func (d FunnelPlotData) against() string {
	if d.Against == "" {
		return "the borough"
	}
	return d.Against
}

// LabelOrder lists the significance labels in the order the legend shows
// them.
var LabelOrder = []string{"High (0.001)", "High (0.025)", "Not significant", "Low (0.025)", "Low (0.001)"}

// LabelWords says each significance label in words, for legends and
// tooltips: readers should not need to know what a p-value is.
var LabelWords = map[string]string{
	"High (0.001)":    "Higher than the borough, beyond the 99.8% limit",
	"High (0.025)":    "Higher than the borough, beyond the 95% limit",
	"Not significant": "Within the limits: no clear difference",
	"Low (0.025)":     "Lower than the borough, beyond the 95% limit",
	"Low (0.001)":     "Lower than the borough, beyond the 99.8% limit",
}

var labelColour = map[string]string{
	"High (0.001)":    "#003087",
	"High (0.025)":    "#005eb8",
	"Not significant": "#768692",
	"Low (0.025)":     "#ed8b00",
	"Low (0.001)":     "#d5281b",
}

// labelSymbol gives each label a shape of its own, so that the key is
// read without colour.
var labelSymbol = map[string]string{
	"High (0.001)":    "triangle",
	"High (0.025)":    "triangle",
	"Not significant": "circle",
	"Low (0.025)":     "diamond",
	"Low (0.001)":     "diamond",
}

// Funnel plot tooltips are written by uptake.js from each point's fields
// (its tooltip renderer funnelPoint), not stored per point: an England
// plot has 6,500 points.
const funnelTooltip = "funnelPoint"

// FunnelPlot draws units against the borough baseline with 95% and 99.8%
// control limits. The value axis is fitted to the points, not 0-100%.
// Clicking a point lets the reader open the unit's page or filter the
// page to it; where points lie on top of each other, uptake.js lists
// every unit under the pointer.
func FunnelPlot(d FunnelPlotData) Chart {
	line := charts.NewLine()
	line.SetGlobalOptions(base(opts.Grid{Left: "3%", Right: "4%", Bottom: "36", Top: "72", ContainLabel: opts.Bool(true)})...)
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
		centre := strings.TrimPrefix(d.against(), "the ")
		line.AddSeries(strings.ToUpper(centre[:1])+centre[1:], []opts.LineData{
			{Value: [2]Number{Num(first), Num(d.Baseline)}},
			{Value: [2]Number{Num(last), Num(d.Baseline)}},
		}, charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false)}),
			charts.WithLineStyleOpts(opts.LineStyle{Color: "#212b32", Width: 2}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: "#212b32"}))
		grey95 := opts.LineStyle{Color: "#768692", Type: "dashed", Width: 1}
		grey998 := opts.LineStyle{Color: "#425563", Type: "dotted", Width: 1.5}
		name95, name998 := "95% limits", "99.8% limits"
		if d.Adjusted {
			name95, name998 = name95+", adjusted for overdispersion", name998+", adjusted for overdispersion"
		}
		limitLine(name95, func(l Limit) float64 { return l.Upper95 }, grey95)
		limitLine(name95, func(l Limit) float64 { return l.Lower95 }, grey95)
		limitLine(name998, func(l Limit) float64 { return l.Upper998 }, grey998)
		limitLine(name998, func(l Limit) float64 { return l.Lower998 }, grey998)
	}

	clickable := false
	counts := map[string]int{}
	lo, hi := d.Baseline, d.Baseline
	scatter := charts.NewScatter()
	// Above DensityAbove units, those within the limits are drawn as a
	// density; every unit still counts in the description.
	dense := len(d.Units) > DensityAbove
	var within []DensityPoint
	for _, label := range LabelOrder {
		var data []scatterPoint
		for _, u := range d.Units {
			if u.Label != label || !u.Value.OK {
				continue
			}
			if dense && label == "Not significant" && u.Code != d.Selected {
				counts[label]++
				within = append(within, DensityPoint{u.Denominator, u.Value.V})
				lo, hi = math.Min(lo, u.Value.V), math.Max(hi, u.Value.V)
				continue
			}
			clickable = clickable || u.Href != "" || u.Code != ""
			lo, hi = math.Min(lo, u.Value.V), math.Max(hi, u.Value.V)
			p := scatterPoint{Name: u.Name, Value: [2]Number{Num(u.Denominator), u.Value}, URL: u.Href, Filter: u.Code, Numerator: u.Numerator}
			if u.Low.OK && u.High.OK {
				p.CI = &[2]Number{u.Low, u.High}
			}
			data = append(data, p)
		}
		if data == nil {
			continue
		}
		counts[label] += len(data)
		// An England plot has 6,500 points. The symbol size is the
		// series', not each point's, and a series of more than
		// largePoints is drawn as one shape rather than a shape per
		// point, which is many times faster; uptake.js finds the points
		// under a click itself.
		scatter.AddSeries(strings.Replace(LabelWords[label], "the borough", d.against(), 1), nil,
			charts.WithScatterChartOpts(opts.ScatterChart{SymbolSize: 11, Symbol: labelSymbol[label]}),
			charts.WithSeriesOpts(func(s *charts.SingleSeries) {
				s.Data = data
				s.Large, s.LargeThreshold = opts.Bool(true), largePoints
			}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: labelColour[label], BorderColor: "#fff"}))
	}
	line.Overlap(scatter)
	for _, r := range d.References {
		if r.Value.OK {
			lo, hi = math.Min(lo, r.Value.V), math.Max(hi, r.Value.V)
		}
	}
	o := finish(line)
	// Fit the value axis to the points and the baseline, with a margin,
	// on a 5-point grid: a 0-100% axis leaves referral rates of a few
	// percent in a sliver at the bottom.
	pad := math.Max(2, (hi-lo)*0.1)
	if y := list(o, "yAxis"); len(y) > 0 && (len(d.Units) > 0 || len(d.Limits) > 0) {
		y[0]["min"] = math.Max(0, math.Floor((lo-pad)/5)*5)
		y[0]["max"] = math.Min(100, math.Ceil((hi+pad)/5)*5)
	}
	if dense {
		o["series"] = append(o["series"].([]any), densitySeries(Density(within), densityName(len(within), d.noun())))
	}
	for _, s := range list(o, "series") {
		if s["silent"] == true {
			continue // the density: no tooltip, no click
		}
		if s["type"] == "scatter" {
			s["uptakeTooltip"] = funnelTooltip
			s["z"] = dotZ
		} else {
			// Limit lines are a backdrop: hovering them says nothing.
			s["silent"] = true
			s["tooltip"] = obj{"show": false}
		}
	}
	c := Chart{Option: o, Clickable: clickable, Format: &Format{Unit: "%", Decimals: 1}, Description: describeFunnelPlot(d, counts)}
	if clickable {
		c.Filter = &Filter{Field: d.Field}
	}
	c.Funnel = &FunnelWords{Measure: d.Measure, Numerator: d.NumeratorName, Denominator: d.DenominatorName}
	if len(d.Limits) > 0 {
		first, last := d.Limits[0].Denominator, d.Limits[len(d.Limits)-1].Denominator
		var refs []ReferenceLine
		for _, r := range d.References {
			if r.Value.OK {
				refs = append(refs, ReferenceLine{Name: r.Name, Points: [][2]any{{Num(first), r.Value}, {Num(last), r.Value}}})
			}
		}
		c = WithReferenceLines(c, refs)
	}
	return c
}

// FunnelWords word a funnel plot's tooltips (uptake.js's funnelPoint).
type FunnelWords struct {
	Measure     string `json:"measure"`
	Numerator   string `json:"numerator"`
	Denominator string `json:"denominator"`
}

// describeFunnelPlot says how many units lie beyond each limit.
func describeFunnelPlot(d FunnelPlotData, counts map[string]int) string {
	drawn := 0
	for _, n := range counts {
		drawn += n
	}
	noun := d.Noun
	if noun == "" {
		noun = "units"
	}
	s := strconv.Itoa(drawn) + " " + noun + " against " + d.against() + "'s " + percentText(Num(d.Baseline)) + ": " +
		strconv.Itoa(counts["High (0.001)"]) + " higher and " + strconv.Itoa(counts["Low (0.001)"]) + " lower beyond the 99.8% limits, " +
		strconv.Itoa(counts["High (0.025)"]) + " higher and " + strconv.Itoa(counts["Low (0.025)"]) + " lower beyond the 95% limits only, " +
		strconv.Itoa(counts["Not significant"]) + " within the limits"
	if d.Withheld > 0 {
		s += "; " + strconv.Itoa(d.Withheld) + " not drawn because a value is withheld"
	}
	s += "."
	if d.Adjusted {
		s += " The limits are widened for overdispersion: the " + noun + " differ more than chance alone would make them."
	}
	return s
}

// scatterPoint is one unit on a funnel plot: where it is drawn, its page
// (URL), its filter value, and what its tooltip says besides (the
// published numerator and the 95% interval).
type scatterPoint struct {
	Name      string     `json:"name"`
	Value     [2]Number  `json:"value"`
	URL       string     `json:"url,omitempty"`
	Filter    string     `json:"filter,omitempty"`
	Numerator string     `json:"k,omitempty"`
	CI        *[2]Number `json:"ci,omitempty"`
}

// largePoints is the size from which ECharts draws a series of points as
// one shape (its default is 2,000).
const largePoints = 500
