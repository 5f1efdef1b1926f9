package stats

// Overdispersion of proportions on a funnel plot: D. J. Spiegelhalter,
// "Handling over-dispersion of performance indicators", Quality and Safety
// in Health Care 14 (2005) 347-351, and "Funnel plots for comparing
// institutional performance", Statistics in Medicine 24 (2005) 1185-1202,
// as the NHS-R Community's FunnelPlotR (MIT) computes them for proportions
// (data_type "PR"). File and function names in comments below are from
// FunnelPlotR's R/ directory. This is our own code written from the
// method.
//
// With many units, real differences between them (case mix, coding,
// chance that is not binomial) make plain binomial limits flag far more
// units than they should. The method measures that extra spread and widens
// the limits by it:
//
//  1. Each unit's z-score on the arcsine-square-root scale, where a
//     proportion's variance is 1/4n whatever the proportion:
//     z = (asin √p − asin √B) × 2√n. FunnelPlotR uses this transformation
//     for proportions, and only it (transformed_zscore in
//     od_adjustment.R); its other choices, log ("SHMI") and square root
//     ("CQC"), are for standardised ratios.
//  2. The z-scores winsorised at 10% at each end: those below the 10th
//     percentile are set to it, those above the 90th to it (winsorisation
//     in od_adjustment.R, with R's default quantile, type 7).
//  3. The dispersion ratio φ = (1/n) Σ z², over the winsorised z-scores of
//     all n units (phi_func): no n − k adjustment.
//  4. The between-unit variance τ² by DerSimonian and Laird (tau_func), with
//     weights w = 1/s² = 4n_i:
//     τ² = max(0, (nφ − (n − 1)) / (Σw − Σw²/Σw)), and 0 when nφ < n − 1.
//  5. Limits at denominator m and z (calculate_limits.R, "PR"):
//     sin²(asin √B ± z √(1/4m + τ²)), kept within 0-1.
//
// FunnelPlotR draws the inflated limits only when φ > 1 (funnel_plot.R:
// "if (draw_adjusted == TRUE && draw_unadjusted == FALSE && phi <= 1)
// draw_adjusted <- FALSE"), with no further test; Overdispersed follows it.

import (
	"math"
	"sort"
)

// WinsorFraction is the share of z-scores winsorised at each end.
const WinsorFraction = 0.1

// Unit is one unit of a funnel plot, such as a practice: Numerator out of
// Denominator.
type Unit struct {
	Numerator, Denominator int64
}

// ArcsineZ returns the z-score of k out of n against baseline (a
// proportion, 0-1) on the arcsine-square-root scale:
// (asin √(k/n) − asin √baseline) × 2√n. ok is false, and z 0, when n is not
// positive or k is outside 0..n.
func ArcsineZ(k, n int64, baseline float64) (z float64, ok bool) {
	if n <= 0 || k < 0 || k > n {
		return 0, false
	}
	p := float64(k) / float64(n)
	return (math.Asin(math.Sqrt(p)) - math.Asin(math.Sqrt(clamp01(baseline)))) * 2 * math.Sqrt(float64(n)), true
}

// Dispersion says how much more the units of a funnel plot spread than
// binomial variation alone would make them.
type Dispersion struct {
	// Units is the number of units with a z-score (a denominator, and a
	// numerator within 0..denominator).
	Units int
	// WinsorLow and WinsorHigh are the 10th and 90th percentiles of the
	// z-scores, at which they were winsorised.
	WinsorLow, WinsorHigh float64
	// Phi is the dispersion ratio φ, the mean of the squared winsorised
	// z-scores: about 1 when the units differ by chance alone.
	Phi float64
	// Tau2 is the between-unit variance τ² on the arcsine scale, as
	// FunnelPlotR reports it: it can be above 0 while Phi is at most 1,
	// and it is then not used.
	Tau2 float64
	// Overdispersed is true when Phi is above 1; then the limits are
	// inflated by Tau2.
	Overdispersed bool
}

// Overdispersion measures the dispersion of units around baseline (a
// proportion, 0-1; FunnelPlotR uses the pooled proportion, total numerator
// over total denominator). Units without a z-score are left out. With
// fewer than two units there is nothing to measure: Phi and Tau2 are 0 and
// the units are not overdispersed.
func Overdispersion(units []Unit, baseline float64) Dispersion {
	var z, w []float64
	for _, u := range units {
		if zi, ok := ArcsineZ(u.Numerator, u.Denominator, baseline); ok {
			z = append(z, zi)
			w = append(w, 4*float64(u.Denominator)) // 1/s², s = 1/(2√n)
		}
	}
	d := Dispersion{Units: len(z)}
	if d.Units < 2 {
		return d
	}
	wz, lo, hi := winsorise(z, WinsorFraction)
	d.WinsorLow, d.WinsorHigh = lo, hi
	n := float64(d.Units)
	for _, v := range wz {
		d.Phi += v * v
	}
	d.Phi /= n
	d.Tau2 = tau2DerSimonianLaird(n, d.Phi, w)
	d.Overdispersed = d.Phi > 1
	return d
}

// tau2DerSimonianLaird is the DerSimonian-Laird estimate of the
// between-unit variance from n units' dispersion ratio phi and weights w
// (tau_func in od_adjustment.R, whose explicit 0 when nφ < n − 1 is the
// max below).
func tau2DerSimonianLaird(n, phi float64, w []float64) float64 {
	var sw, sw2 float64
	for _, v := range w {
		sw += v
		sw2 += v * v
	}
	return math.Max(0, (n*phi-(n-1))/(sw-sw2/sw))
}

// winsorise returns z with values below its fraction quantile raised to it
// and values above its 1 - fraction quantile lowered to it, and the two
// quantiles.
func winsorise(z []float64, fraction float64) (out []float64, lo, hi float64) {
	sorted := append([]float64(nil), z...)
	sort.Float64s(sorted)
	lo, hi = quantile7(sorted, fraction), quantile7(sorted, 1-fraction)
	out = make([]float64, len(z))
	for i, v := range z {
		out[i] = math.Min(hi, math.Max(lo, v))
	}
	return out, lo, hi
}

// quantile7 is the q quantile of sorted values as R's quantile() computes
// it by default (type 7): linear interpolation between order statistics at
// position (len - 1) × q.
func quantile7(sorted []float64, q float64) float64 {
	h := float64(len(sorted)-1) * q
	i := int(math.Floor(h))
	if i+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	return sorted[i] + (h-float64(i))*(sorted[i+1]-sorted[i])
}

// AdjustedLimits returns the control limits at denominator n around
// baseline (a proportion, 0-1) inflated by the between-unit variance tau2,
// at z (Z95 or Z998): FunnelPlotR's limits for proportions,
//
//	sin²(asin √B ∓ z √(1/4n + τ²)),
//
// with the angle kept within 0..π/2 so that the limits stay within 0-1 and
// never fold back (FunnelPlotR truncates them at 0 and 1 and, where the
// arcsine limits turn back at small denominators, sets them to 0 and 1).
//
// They are never inside the plain limits FunnelLimits(baseline, n, z): the
// arcsine and plain normal limits differ slightly (at B = 0.5 and n = 100
// the arcsine upper 95% limit is 59.7%, the plain one 59.8%), so where τ²
// is too small to cover that difference the plain limit is returned. The
// inflated limits then never flag a unit that the plain ones do not. When
// n is not positive there is no test: lo = 0 and hi = 1.
func AdjustedLimits(baseline float64, n int64, z, tau2 float64) (lo, hi float64) {
	if n <= 0 {
		return 0, 1
	}
	lo, hi = arcsineLimits(baseline, n, z, tau2)
	plainLo, plainHi := FunnelLimits(baseline, n, z)
	return math.Min(lo, plainLo), math.Max(hi, plainHi)
}

// arcsineLimits are FunnelPlotR's limits for proportions at denominator n
// (positive), sin²(asin √B ∓ z √(1/4n + τ²)), with the angle kept within
// 0..π/2.
func arcsineLimits(baseline float64, n int64, z, tau2 float64) (lo, hi float64) {
	centre := math.Asin(math.Sqrt(clamp01(baseline)))
	half := z * math.Sqrt(1/(4*float64(n))+math.Max(0, tau2))
	return sinSquared(math.Max(0, centre-half)), sinSquared(math.Min(math.Pi/2, centre+half))
}

func sinSquared(a float64) float64 {
	s := math.Sin(a)
	return clamp01(s * s)
}

// Limits returns the control limits that apply at denominator n around
// baseline at z: AdjustedLimits with d.Tau2 when the units are
// overdispersed, FunnelLimits otherwise.
func (d Dispersion) Limits(baseline float64, n int64, z float64) (lo, hi float64) {
	if !d.Overdispersed {
		return FunnelLimits(baseline, n, z)
	}
	return AdjustedLimits(baseline, n, z, d.Tau2)
}

// Label says whether k out of n differs significantly from baseline
// against the limits that apply (Dispersion.Limits), with the labels of
// the package-level Label: "High (0.001)" above the upper 99.8% limit,
// "High (0.025)" above the upper 95% limit, and the same downwards; a
// value on a limit is not significant. When the units are not
// overdispersed it is Label(k, n, baseline).
func (d Dispersion) Label(k, n int64, baseline float64) string {
	if !d.Overdispersed {
		return Label(k, n, baseline)
	}
	if n <= 0 || k < 0 || k > n {
		return NotCompared
	}
	p := float64(k) / float64(n)
	lo95, hi95 := AdjustedLimits(baseline, n, Z95, d.Tau2)
	lo998, hi998 := AdjustedLimits(baseline, n, Z998, d.Tau2)
	switch {
	case p > hi998:
		return HighSevere
	case p > hi95:
		return High
	case p < lo998:
		return LowSevere
	case p < lo95:
		return Low
	}
	return NotSignificant
}
