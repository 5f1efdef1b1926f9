package charts

import (
	"strconv"
	"strings"
)

// MaxBars is how many categories a chart draws one bar each for. Beyond
// it (an England-scale list of practices, venues or campaigns) a bar
// chart is thousands of hairlines that take seconds to draw and cannot
// be read; the views draw a summary instead and say so in the caption.
const MaxBars = 60

// bandWidth is the width of a band of PercentBands, in percentage points.
const bandWidth = 10

// PercentBands draws how many units (practices, venues) have a
// percentage in each 10-point band: 0 to under 10%, 10 to under 20%, and
// so on to 90% or more. (A percentage worked out from rounded counts can
// pass 100%, e.g. 15 of 13 places booked.) Gaps (a percentage that is not
// available) are left out; the caller says how many. Counting the units
// into bands is the only arithmetic here: the percentages themselves come
// from package queries.
//
// units names what is counted, e.g. "Practices"; measure names the
// percentage, e.g. "Follow-up rate (%)".
func PercentBands(values []Number, units, measure string) Chart {
	counts := make([]int, 100/bandWidth)
	for _, v := range values {
		if !v.OK {
			continue
		}
		i := int(v.V) / bandWidth
		i = max(0, min(i, len(counts)-1))
		counts[i]++
	}
	categories := make([]string, len(counts))
	s := Series{Name: units, Values: make([]Number, len(counts))}
	for i, n := range counts {
		lo, hi := strconv.Itoa(i*bandWidth), strconv.Itoa((i+1)*bandWidth)
		categories[i] = lo + "–<" + hi + "%"
		if i == len(counts)-1 {
			categories[i] = lo + "% or more"
		}
		s.Values[i] = Num(float64(n))
	}
	bar := newBars(categories, []Series{s}, Axis{Name: units}, false, "axis")
	bar.XAxisList[0].Name = measure
	bar.XAxisList[0].NameLocation = "middle"
	bar.XAxisList[0].NameGap = 28
	// Room under the axis for its name.
	bar.GridList[0].Bottom = "36"
	o := finish(bar)
	categoryAxes(o)
	return Chart{Option: o, Format: &Format{Unit: " " + strings.ToLower(units)},
		Description: "How many " + strings.ToLower(units) + " have a " + strings.ToLower(strings.TrimSuffix(measure, " (%)")) + " in each 10-point band."}
}
