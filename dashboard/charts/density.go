package charts

import (
	"math"
	"strconv"
)

// DensityAbove is the number of units above which a funnel plot draws
// only the units beyond its limits (and the one selected) as points, and
// the units within the limits as a density: 6,500 points are megabytes
// of JSON and an unreadable cloud, while the question a funnel plot asks
// is which units lie outside.
const DensityAbove = 500

// densityCells is how many bins a density has along each axis.
const densityCells = 24

// DensityPoint is one unit's position: its denominator (X, above 0) and
// its value (Y, in percent).
type DensityPoint struct{ X, Y float64 }

// DensityBin counts the units with X in [XLow, XHigh) and Y in [YLow,
// YHigh) (the last bin of each axis includes its upper end).
type DensityBin struct {
	XLow, XHigh, YLow, YHigh float64
	N                        int
}

// Density bins points on a grid of densityCells by densityCells, log-spaced
// along X (denominators span orders of magnitude) and even along Y, and
// returns the bins that hold any, in order of X then Y.
func Density(points []DensityPoint) []DensityBin {
	var xlo, xhi, ylo, yhi float64 = math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, p := range points {
		if p.X <= 0 {
			continue
		}
		xlo, xhi = math.Min(xlo, p.X), math.Max(xhi, p.X)
		ylo, yhi = math.Min(ylo, p.Y), math.Max(yhi, p.Y)
	}
	if math.IsInf(xlo, 1) {
		return []DensityBin{}
	}
	lx0, lx1 := math.Log(xlo), math.Log(xhi)
	cell := func(v, lo, hi float64) int {
		if hi <= lo {
			return 0
		}
		return min(densityCells-1, int((v-lo)/(hi-lo)*densityCells))
	}
	edge := func(i int, lo, hi float64) float64 { return lo + (hi-lo)*float64(i)/densityCells }
	counts := map[[2]int]int{}
	for _, p := range points {
		if p.X > 0 {
			counts[[2]int{cell(math.Log(p.X), lx0, lx1), cell(p.Y, ylo, yhi)}]++
		}
	}
	var out []DensityBin
	for i := range densityCells {
		for j := range densityCells {
			n := counts[[2]int{i, j}]
			if n == 0 {
				continue
			}
			b := DensityBin{XLow: math.Exp(edge(i, lx0, lx1)), XHigh: math.Exp(edge(i+1, lx0, lx1)), YLow: edge(j, ylo, yhi), YHigh: edge(j+1, ylo, yhi), N: n}
			if i == 0 {
				b.XLow = xlo // exactly, not exp(log(xlo))
			}
			if i == densityCells-1 {
				b.XHigh = xhi
			}
			if lx1 == lx0 {
				b.XLow, b.XHigh = xlo, xhi
			}
			if yhi == ylo {
				b.YLow, b.YHigh = ylo, yhi
			}
			out = append(out, b)
		}
	}
	return out
}

// densitySeries draws bins as grey dots at their centres, sized by how
// many units each holds. They are silent: a dot is many units, and the
// table and the practice filter find any one of them.
func densitySeries(bins []DensityBin, name string) obj {
	data := make([]any, 0, len(bins))
	for _, b := range bins {
		x := math.Sqrt(b.XLow * b.XHigh) // the middle on a log scale
		y := (b.YLow + b.YHigh) / 2
		data = append(data, obj{"value": [2]Number{Num(round2(x)), Num(round2(y))}, "symbolSize": math.Round(4 + 2*math.Sqrt(float64(b.N))), "n": b.N})
	}
	return obj{"type": "scatter", "name": name, "data": data, "silent": true, "tooltip": obj{"show": false},
		"itemStyle": obj{"color": "#aeb7bd", "opacity": 0.6}, "z": 1}
}

// densityName names a density in the legend.
func densityName(n int, noun string) string {
	return "Within the limits: " + strconv.Itoa(n) + " " + noun + " (dot size: how many)"
}
