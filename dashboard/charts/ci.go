package charts

import (
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

// BarsCI draws one bar per category for each series, with a whisker for
// its 95% confidence interval. Provisional bars are drawn lighter (and
// the caller names them as provisional in the category label and the
// table). A Reference, when given, is drawn as a dashed labelled line.
func BarsCI(categories []string, series []CISeries, y Axis, horizontal bool, ref *Reference) Chart {
	plain := make([]Series, len(series))
	for i, s := range series {
		plain[i] = Series{Name: s.Name, Values: s.Values, Provisional: s.Provisional}
	}
	// Item tooltips: an axis tooltip would list the whiskers' raw values.
	bar := newBars(categories, plain, y, horizontal, "item")
	for i := range bar.MultiSeries {
		bar.MultiSeries[i].BarGap, bar.MultiSeries[i].BarCategoryGap = barGap, barCategoryGap
		bar.MultiSeries[i].SeriesTooltip = &opts.SeriesTooltip{Formatter: "{b}<br/>{a}: {c}%"}
	}
	if ref != nil && ref.Value.OK && len(bar.MultiSeries) > 0 {
		bar.MultiSeries[0].MarkLines = referenceLine(ref, horizontal)
	}

	render, encode := whiskerVertical, opts.Encode{X: 0, Y: []int{1, 2}}
	if horizontal {
		render, encode = whiskerHorizontal, opts.Encode{X: []int{1, 2}, Y: 0}
	}
	for si, s := range series {
		var data []opts.CustomData
		for ci := range categories {
			if ci >= len(s.Low) || ci >= len(s.High) || !s.Low[ci].OK || !s.High[ci].OK {
				continue
			}
			lo, hi := s.Low[ci], s.High[ci]
			data = append(data, opts.CustomData{
				Name:  categories[ci] + ": 95% interval " + percentText(lo) + " to " + percentText(hi),
				Value: []any{ci, lo, hi, si, len(series)},
			})
		}
		if data == nil {
			continue
		}
		// The whiskers share their bars' name, so the legend has one
		// entry for both, in the bars' colour, and hides both together.
		bar.MultiSeries = append(bar.MultiSeries, charts.SingleSeries{
			Name: s.Name, Type: types.ChartCustom, Data: data,
			RenderItem: types.FuncStr(render), Encode: &encode,
			SeriesTooltip: &opts.SeriesTooltip{Formatter: "{b}"},
		})
	}
	legend := make([]string, len(series))
	for i, s := range series {
		legend[i] = s.Name
	}
	bar.SetGlobalOptions(charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Type: "scroll", Top: "0", Data: legend}))
	return Chart{Option: finish(bar), Tall: horizontal && len(categories) > tallAfter}
}

// referenceLine is the mark line for ref, labelled with its name and
// value so that it is read without colour.
func referenceLine(ref *Reference, horizontal bool) *opts.MarkLines {
	label := ref.Name + ": " + percentText(ref.Value)
	var item any = opts.MarkLineNameYAxisItem{Name: label, YAxis: ref.Value}
	if horizontal {
		item = opts.MarkLineNameXAxisItem{Name: label, XAxis: ref.Value}
	}
	return &opts.MarkLines{
		Data: []any{item},
		MarkLineStyle: opts.MarkLineStyle{
			Symbol:    []string{"none", "none"},
			LineStyle: &opts.LineStyle{Color: "#212b32", Type: "dashed", Width: 1.5},
			Label:     &opts.Label{Show: opts.Bool(true), Formatter: "{b}", Position: "insideEndTop", Color: "#212b32"},
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
