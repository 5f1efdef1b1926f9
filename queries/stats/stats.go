// Package stats holds the statistics uptake uses: Wilson score intervals
// for proportions and funnel-plot control limits, as in the Fingertips
// method used across English public health (this file); funnel limits
// widened for overdispersion (overdispersion.go); and XmR statistical
// process control charts as NHS England's "Making Data Count" draws them
// (spc.go). It knows nothing of the database or of HTTP and works on true
// (unrounded) counts.
//
// References:
//   - Public Health England, Technical Guide: Confidence intervals (2018):
//     Wilson score method for proportions.
//   - Public Health England, Fingertips funnel plot methodology, and
//     D. J. Spiegelhalter, "Funnel plots for comparing institutional
//     performance", Statistics in Medicine 24 (2005) 1185-1202.
//   - D. J. Spiegelhalter, "Handling over-dispersion of performance
//     indicators", Quality and Safety in Health Care 14 (2005) 347-351;
//     the NHS-R Community's FunnelPlotR (MIT) as the reference
//     implementation.
//   - NHS England, Making Data Count; the NHS-R Community's
//     NHSRplotthedots (MIT) as the reference implementation.
package stats

import "math"

// z values for two-sided confidence levels, as Fingertips uses them.
const (
	// Z95 gives a 95% interval: 2.5% in each tail.
	Z95 = 1.959964
	// Z998 gives a 99.8% interval: 0.1% in each tail.
	Z998 = 3.090232
)

// Significance labels of a unit compared with a baseline, by which control
// limits its value lies beyond. The probabilities are one-tailed, as
// Fingertips writes them.
const (
	HighSevere     = "High (0.001)"
	High           = "High (0.025)"
	NotSignificant = "Not significant"
	Low            = "Low (0.025)"
	LowSevere      = "Low (0.001)"
	// NotCompared is the label of a unit with no denominator (or a
	// numerator outside 0..denominator), which has no interval and so
	// cannot be compared.
	NotCompared = "Not compared"
)

// Wilson returns the Wilson score interval for k successes out of n at the
// given z, as proportions (0-1). ok is false, and lo and hi are 0, when
// there is no interval: n is not positive, or k is outside 0..n. k = 0
// gives lo = 0 exactly and k = n gives hi = 1 exactly.
//
// The interval is the set of proportions π for which the score test does
// not reject: (k/n - π)² <= z² π(1-π)/n. Solved for π:
//
//	(k/n + z²/2n ± z sqrt(k/n (1-k/n)/n + z²/4n²)) / (1 + z²/n)
func Wilson(k, n int64, z float64) (lo, hi float64, ok bool) {
	if n <= 0 || k < 0 || k > n {
		return 0, 0, false
	}
	nf := float64(n)
	p := float64(k) / nf
	z2 := z * z
	denom := 1 + z2/nf
	centre := (p + z2/(2*nf)) / denom
	half := z * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf)) / denom
	lo, hi = centre-half, centre+half
	if k == 0 {
		lo = 0 // exact in theory; avoid -1e-17 from rounding
	}
	if k == n {
		hi = 1
	}
	return clamp01(lo), clamp01(hi), true
}

// FunnelLimits returns the control limits of a funnel plot at denominator
// n around baseline (a proportion, 0-1): the lowest and highest
// proportions whose Wilson interval at z does not exclude the baseline.
// A proportion below lo is significantly low, above hi significantly high.
//
// Because the Wilson interval is the inversion of the score test, a
// proportion p has a Wilson bound equal to the baseline B exactly when
// (p - B)² = z² B(1-B)/n, so the limits have the closed form
//
//	B ± z sqrt(B(1-B)/n)
//
// (Spiegelhalter's normal-approximation limits for a proportion), clamped
// to 0-1. When n is not positive there is no test: lo = 0 and hi = 1.
func FunnelLimits(baseline float64, n int64, z float64) (lo, hi float64) {
	if n <= 0 {
		return 0, 1
	}
	b := clamp01(baseline)
	half := z * math.Sqrt(b*(1-b)/float64(n))
	return clamp01(b - half), clamp01(b + half)
}

// Label says whether k out of n differs significantly from baseline (a
// proportion), comparing the unit's Wilson intervals with the baseline as
// Fingertips does: "High (0.001)" when even the 99.8% interval lies above
// it, "High (0.025)" when the 95% interval does, and the same downwards.
// An interval that touches the baseline is not significant. This is the
// same as comparing k/n with FunnelLimits at n.
func Label(k, n int64, baseline float64) string {
	lo95, hi95, ok := Wilson(k, n, Z95)
	if !ok {
		return NotCompared
	}
	lo998, hi998, _ := Wilson(k, n, Z998)
	switch {
	case lo998 > baseline:
		return HighSevere
	case lo95 > baseline:
		return High
	case hi998 < baseline:
		return LowSevere
	case hi95 < baseline:
		return Low
	default:
		return NotSignificant
	}
}

// FunnelDenominators returns up to points denominators from 1 to max,
// spaced evenly on a log scale and without repeats, at which to draw
// funnel-plot limit curves (they change fastest at small n). The last is
// always max. It returns nil when max is below 1.
func FunnelDenominators(max int64, points int) []int64 {
	if max < 1 {
		return nil
	}
	if points < 2 {
		points = 2
	}
	out := []int64{1}
	step := math.Log(float64(max)) / float64(points-1)
	for i := 1; i < points; i++ {
		n := int64(math.Round(math.Exp(step * float64(i))))
		if i == points-1 {
			n = max
		}
		if n > out[len(out)-1] && n <= max {
			out = append(out, n)
		}
	}
	return out
}

func clamp01(x float64) float64 {
	return math.Min(1, math.Max(0, x))
}
