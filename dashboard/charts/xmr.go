package charts

import (
	"html"
	"strconv"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// XmRPoint is one month of an XmR chart (statistical process control, as
// NHS England's Making Data Count draws it). The queries package has
// worked out every number; this only draws them.
type XmRPoint struct {
	// Period names the month, e.g. "2025-04".
	Period string
	// Value is the month's figure: Withheld() for a value withheld by
	// disclosure control, drawn as a marker labelled "withheld" at the foot
	// of the chart, never as zero; a gap for a month with nothing to
	// divide by.
	Value Number
	// Provisional months may still change: drawn hollow, on a dashed line.
	Provisional bool
	// Segment numbers the limits the month belongs to: a rebase (a
	// service change) starts a new segment, and the mean and limit lines
	// break there.
	Segment int
	// Mean, Lower and Upper are the segment's mean and process limits, as
	// drawn (gaps where the segment has none).
	Mean, Lower, Upper Number
	// Cause is CauseImprovement, CauseConcern or "" for common cause.
	Cause string
	// Tooltip is what hovering the point says, in words.
	Tooltip string
}

// The special causes a point is coloured for.
const (
	CauseImprovement = "improvement"
	CauseConcern     = "concern"
)

// XmRData is one measure's XmR chart.
type XmRData struct {
	Points []XmRPoint
	// Target, when OK, is drawn as a line across the chart.
	Target Number
	// YName names the value axis, e.g. "Conversion (%)"; Percent adds a %
	// to its labels.
	YName   string
	Percent bool
}

// Colours of the XmR chart. Special causes take Making Data Count's
// convention, improvement blue and concern orange (here the NHS blue and
// orange the funnel plots use); common cause is grey.
const (
	xmrLine        = "#425563"
	xmrImprovement = "#005eb8"
	xmrConcern     = "#ed8b00"
	xmrMean        = "#212b32"
	xmrLimit       = "#768692"
	xmrTarget      = "#d5281b"
)

// xmrItem is one drawn point with its own symbol and tooltip text.
type xmrItem struct {
	Value      Number      `json:"value"`
	Symbol     string      `json:"symbol,omitempty"`
	SymbolSize int         `json:"symbolSize,omitempty"`
	Tooltip    *xmrTooltip `json:"tooltip,omitempty"`
}

type xmrTooltip struct {
	Formatter string `json:"formatter"`
}

// XmR draws an XmR chart: the monthly values joined by a line, the mean
// and the process limits of each segment (broken at a rebase), a target
// line if there is one, and special-cause months coloured and shaped by
// their cause (improvement: blue circles; concern: orange diamonds), so
// colour is never the only sign. Provisional months are hollow on a
// dashed line; withheld months are gaps. Hovering a month says it all in
// words; the lines do not answer hovers.
func XmR(d XmRData) Chart {
	line := charts.NewLine()
	line.SetGlobalOptions(base(defaultGrid)...)
	y := valueAxis(Axis{Name: d.YName})
	y.Scale = opts.Bool(true)
	if d.Percent {
		y.AxisLabel = &opts.AxisLabel{Formatter: "{value}%"}
	}
	categories := make([]string, len(d.Points))
	for i, p := range d.Points {
		categories[i] = p.Period
	}
	line.SetGlobalOptions(
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", BoundaryGap: opts.Bool(false), AxisLabel: &opts.AxisLabel{HideOverlap: opts.Bool(true)}}),
		charts.WithYAxisOpts(y),
	)
	line.SetXAxis(categories)

	item := func(p XmRPoint) xmrItem {
		return xmrItem{Value: p.Value, Tooltip: &xmrTooltip{p.Tooltip}}
	}
	gap := xmrItem{Value: Gap()}
	add := func(name string, data []xmrItem, color string, style opts.LineStyle, symbol string, size int, show bool) {
		line.AddSeries(name, nil,
			charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(show), Symbol: symbol, SymbolSize: size}),
			charts.WithLineStyleOpts(style),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: color}),
			charts.WithSeriesOpts(func(s *charts.SingleSeries) { s.Data = data }))
	}

	// The months, final ones on a solid line.
	values := make([]xmrItem, len(d.Points))
	anyProvisional := false
	for i, p := range d.Points {
		values[i] = gap
		if !p.Provisional {
			values[i] = item(p)
		} else if p.Value.OK {
			anyProvisional = true
		}
	}
	add("Monthly value", values, xmrLine, opts.LineStyle{Color: xmrLine, Width: 2}, "circle", 6, true)

	// Provisional months, hollow on a dashed line that joins on from the
	// month before when that one is drawn.
	if anyProvisional {
		prov := make([]xmrItem, len(d.Points))
		for i, p := range d.Points {
			prov[i] = gap
			switch {
			case p.Provisional && p.Value.OK:
				it := item(p)
				it.Symbol, it.SymbolSize = "emptyCircle", 8
				prov[i] = it
			case !p.Provisional && p.Value.OK && i+1 < len(d.Points) && d.Points[i+1].Provisional && d.Points[i+1].Value.OK:
				prov[i] = xmrItem{Value: p.Value, Symbol: "none"}
			}
		}
		add("Provisional (may still change)", prov, xmrLine, opts.LineStyle{Color: xmrLine, Width: 2, Type: "dashed"}, "emptyCircle", 8, true)
	}

	// Special causes, drawn over the line.
	for _, c := range []struct{ cause, name, color, symbol string }{
		{CauseImprovement, "Special cause: improvement", xmrImprovement, "circle"},
		{CauseConcern, "Special cause: concern", xmrConcern, "diamond"},
	} {
		data := make([]xmrItem, len(d.Points))
		found := false
		for i, p := range d.Points {
			data[i] = gap
			if p.Cause == c.cause && p.Value.OK {
				data[i], found = item(p), true
			}
		}
		if found {
			add(c.name, data, c.color, opts.LineStyle{Color: c.color, Opacity: opts.Float(0)}, c.symbol, 11, true)
		}
	}

	// Mean and limits, one line per segment so that a rebase breaks them;
	// the series of one kind share a name, so the legend lists each once.
	for _, seg := range segments(d.Points) {
		level := func(pick func(XmRPoint) Number) []xmrItem {
			data := make([]xmrItem, len(d.Points))
			for i := range d.Points {
				data[i] = gap
				if i >= seg[0] && i < seg[1] {
					data[i] = xmrItem{Value: pick(d.Points[i])}
				}
			}
			return data
		}
		if d.Points[seg[0]].Mean.OK {
			add("Mean", level(func(p XmRPoint) Number { return p.Mean }), xmrMean, opts.LineStyle{Color: xmrMean, Width: 1.5}, "none", 0, false)
		}
		if d.Points[seg[0]].Upper.OK {
			limit := opts.LineStyle{Color: xmrLimit, Width: 1.5, Type: "dashed"}
			add("Process limits", level(func(p XmRPoint) Number { return p.Upper }), xmrLimit, limit, "none", 0, false)
			add("Process limits", level(func(p XmRPoint) Number { return p.Lower }), xmrLimit, limit, "none", 0, false)
		}
	}
	if d.Target.OK && len(d.Points) > 0 {
		data := make([]xmrItem, len(d.Points))
		for i := range data {
			data[i] = xmrItem{Value: d.Target}
		}
		add("Target", data, xmrTarget, opts.LineStyle{Color: xmrTarget, Width: 1.5, Type: "dotted"}, "none", 0, false)
	}
	o := finish(line)
	categoryAxes(o)
	withheldMarkers(o, d.Points)
	return Chart{Option: o, Description: describeXmR(d)}
}

// withheldMarkers adds, for the withheld months, markers labelled
// "withheld" at the foot of the plot. They sit on a hidden second value
// axis running 0 to 1, so that they neither stretch the measure's own
// axis down to zero nor sit at a value the month may have had.
func withheldMarkers(o obj, points []XmRPoint) {
	var data []any
	for _, p := range points {
		if p.Value.Withheld {
			data = append(data, obj{"name": p.Period, "value": []any{p.Period, 0.04},
				"tooltip": obj{"formatter": html.EscapeString(p.Period) + "<br/>withheld (too few people to show)"}})
		}
	}
	if data == nil {
		return
	}
	axes := list(o, "yAxis")
	o["yAxis"] = append(toAny(axes), obj{"type": "value", "show": false, "min": 0, "max": 1})
	addSeries(o, obj{
		"type": "scatter", "name": withheldName, "data": data, "yAxisIndex": len(axes), "z": 5,
		"symbol": "emptyDiamond", "symbolSize": 12,
		"itemStyle": obj{"color": "#212b32", "borderWidth": 2},
		"label":     obj{"show": true, "formatter": "withheld", "position": "top", "color": "#212b32", "fontSize": 11},
		"tooltip":   obj{"trigger": "item"},
	})
}

func toAny(os []obj) []any {
	out := make([]any, len(os))
	for i, o := range os {
		out[i] = o
	}
	return out
}

// describeXmR says what an XmR chart holds: its months, how many special
// causes of each kind it marks, and how many months are withheld.
func describeXmR(d XmRData) string {
	if len(d.Points) == 0 {
		return "No months to draw."
	}
	improvement, concern, withheld, provisional := 0, 0, 0, 0
	for _, p := range d.Points {
		switch {
		case p.Value.Withheld:
			withheld++
		case p.Provisional:
			provisional++
		}
		switch p.Cause {
		case CauseImprovement:
			improvement++
		case CauseConcern:
			concern++
		}
	}
	var b strings.Builder
	b.WriteString(d.YName + " by month over " + strconv.Itoa(len(d.Points)) + " months, " + d.Points[0].Period + " to " + d.Points[len(d.Points)-1].Period +
		", with the mean and process limits; special causes: " + strconv.Itoa(improvement) + " improvement, " + strconv.Itoa(concern) + " concern")
	if provisional > 0 {
		b.WriteString("; " + strconv.Itoa(provisional) + " provisional")
	}
	if withheld > 0 {
		b.WriteString("; " + strconv.Itoa(withheld) + " withheld")
	}
	b.WriteString(".")
	return b.String()
}

// segments returns the [start, end) index ranges of the points' segments.
func segments(points []XmRPoint) [][2]int {
	var out [][2]int
	for i := 0; i < len(points); {
		j := i
		for j < len(points) && points[j].Segment == points[i].Segment {
			j++
		}
		out = append(out, [2]int{i, j})
		i = j
	}
	return out
}
