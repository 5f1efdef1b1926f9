package stats

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The units of the hand-worked examples have proportions 1/4, 1/2 and 3/4
// and denominators 4m², so that on the arcsine scale everything is a
// multiple of u = π/12:
//
//	asin √(1/4) = π/6, asin √(1/2) = π/4, asin √(3/4) = π/3
//	against a baseline of 1/2, asin √p − asin √B is −u, 0 or +u
//	2√n is 12, 16, 20 and 24 for n = 36, 64, 100 and 144
//
// so z = (asin √p − asin √B) × 2√n is a whole multiple of u, and z² of
// u² = π²/144 = 0.0685389195.
const u = math.Pi / 12

// overdispersedUnits: ten units, half a point either side of 1/2, larger
// units further out. Pooled: 466 / 932 = 1/2, the baseline FunnelPlotR
// would use.
//
//	unit     p     2√n   z/u
//	9/36     1/4   12    −12
//	27/36    3/4   12    +12
//	16/64    1/4   16    −16
//	48/64    3/4   16    +16
//	25/100   1/4   20    −20
//	75/100   3/4   20    +20
//	50/100   1/2   20      0
//	72/144   1/2   24      0
//	108/144  3/4   24    +24
//	36/144   1/4   24    −24
//
// Sorted z/u: −24 −20 −16 −12 0 0 12 16 20 24. R's type 7 quantiles at
// position 9 × 0.1 = 0.9 and 9 × 0.9 = 8.1:
//
//	10th percentile: −24 + 0.9 × (−20 − −24) = −20.4
//	90th percentile:  20 + 0.1 × (24 − 20)  =  20.4
//
// so ±24 are winsorised to ±20.4 and the rest are kept.
//
//	Σ z² = u² × (2 × 20.4² + 2 × 20² + 2 × 16² + 2 × 12²)
//	     = u² × (832.32 + 800 + 512 + 288) = 2432.32 u²
//	φ = 2432.32 u² / 10 = 243.232 × 0.0685389195 = 16.6708585
//
// DerSimonian-Laird, with w = 1/s² = 4n: 144, 144, 256, 256, 400 (×3),
// 576 (×3):
//
//	Σw  = 288 + 512 + 1200 + 1728 = 3728
//	Σw² = 2 × 20736 + 2 × 65536 + 3 × 160000 + 3 × 331776 = 1647872
//	Σw − Σw²/Σw = 3728 − 442.0257511 = 3285.9742489
//	nφ = 166.708585 >= n − 1 = 9, so
//	τ² = (166.708585 − 9) / 3285.9742489 = 0.0479944676
//
// The inflated 95% limits at n = 100 around 1/2:
//
//	√(1/400 + τ²) = √0.0504944676 = 0.2247097407
//	z × that = 1.959964 × 0.2247097407 = 0.4404230023
//	π/4 ∓ 0.4404230023 = 0.3449751611 and 1.2258211657
//	sin² of those = 0.1143611821 and 0.8856388179
//
// against the plain 0.5 ∓ 1.959964 × 0.05 = 0.4020018 and 0.5979982.
var overdispersedUnits = []Unit{
	{9, 36}, {27, 36}, {16, 64}, {48, 64}, {25, 100},
	{75, 100}, {50, 100}, {72, 144}, {108, 144}, {36, 144},
}

func TestOverdispersionByHand(t *testing.T) {
	d := Overdispersion(overdispersedUnits, 0.5)
	wantPhi := 243.232 * u * u
	wantTau2 := (10*wantPhi - 9) / (3728 - 1647872.0/3728)
	if d.Units != 10 || !near(d.WinsorLow, -20.4*u, 1e-12) || !near(d.WinsorHigh, 20.4*u, 1e-12) {
		t.Errorf("units %d, winsorised at %v, %v; want 10, ∓%v", d.Units, d.WinsorLow, d.WinsorHigh, 20.4*u)
	}
	if !near(d.Phi, wantPhi, 1e-12) || !near(d.Phi, 16.6708585, 5e-8) {
		t.Errorf("phi %v, want %v (16.6708585)", d.Phi, wantPhi)
	}
	if !near(d.Tau2, wantTau2, 1e-15) || !near(d.Tau2, 0.0479944676, 5e-11) {
		t.Errorf("tau2 %v, want %v (0.0479944676)", d.Tau2, wantTau2)
	}
	if !d.Overdispersed {
		t.Errorf("not overdispersed with phi %v", d.Phi)
	}

	// These are also FunnelPlotR's figures: its od_adjustment.R and
	// calculate_limits.R, run on these units (data_type "PR"), give phi
	// 16.6708584561511, tau2 0.0479944675808119 and, at n = 100,
	// odll95 0.114361182100 and odul95 0.885638817900.
	lo, hi := AdjustedLimits(0.5, 100, Z95, d.Tau2)
	if !near(lo, 0.1143611821, 5e-11) || !near(hi, 0.8856388179, 5e-11) {
		t.Errorf("adjusted 95%% limits at 100: %.10f, %.10f; want 0.1143611821, 0.8856388179", lo, hi)
	}
	if dlo, dhi := d.Limits(0.5, 100, Z95); dlo != lo || dhi != hi {
		t.Errorf("Dispersion.Limits %v, %v; want the adjusted %v, %v", dlo, dhi, lo, hi)
	}

	// 75/100 is far outside the plain limits (0.5 + 3.090232 × 0.05 =
	// 0.6545 at 99.8%) but inside the inflated 95% ones (0.8856).
	if got := Label(75, 100, 0.5); got != HighSevere {
		t.Errorf("plain label of 75/100: %q, want %q", got, HighSevere)
	}
	if got := d.Label(75, 100, 0.5); got != NotSignificant {
		t.Errorf("adjusted label of 75/100: %q, want %q", got, NotSignificant)
	}
	// The inflated 99.8% limits at 100: π/4 ∓ 3.090232 × 0.2247097407 =
	// 0.0909929 and 1.4798034, sin² 0.0082569 and 0.9917431. 99/100 (0.99)
	// is beyond the 95% limit but not the 99.8% one; 0/100 is beyond both.
	if got := d.Label(99, 100, 0.5); got != High {
		t.Errorf("adjusted label of 99/100: %q, want %q", got, High)
	}
	if got := d.Label(0, 100, 0.5); got != LowSevere {
		t.Errorf("adjusted label of 0/100: %q, want %q", got, LowSevere)
	}
	if lo, hi := AdjustedLimits(0.5, 100, Z998, d.Tau2); !near(lo, 0.0082569, 5e-8) || !near(hi, 0.9917431, 5e-8) {
		t.Errorf("adjusted 99.8%% limits at 100: %.7f, %.7f; want 0.0082569, 0.9917431", lo, hi)
	}
	if got := d.Label(1, 0, 0.5); got != NotCompared {
		t.Errorf("adjusted label of 1/0: %q, want %q", got, NotCompared)
	}
}

// TestOverdispersionNotOverdispersed: nine units of 4, four at 1/4, four at
// 3/4 and one at 1/2; pooled (4 + 12 + 2) / 36 = 1/2.
//
//	z/u: −4 (×4), 0, +4 (×4) (2√4 = 4)
//	quantiles at 8 × 0.1 = 0.8 and 8 × 0.9 = 7.2: −4 and +4, nothing moves
//	φ = 8 × 16 u² / 9 = 128π²/1296 = 0.9747757
//	nφ = 8.772982 >= n − 1 = 8, so τ² = (8.772982 − 8) / (144 − 2304/144)
//	   = 0.772982 / 128 = 0.0060389
//
// φ is at most 1, so FunnelPlotR draws the plain limits (funnel_plot.R:
// "phi <= 1" sets draw_adjusted to FALSE) while still reporting τ²; its
// functions give phi 0.974775743317467 and tau2 0.00603891945200939 here.
func TestOverdispersionNotOverdispersed(t *testing.T) {
	var units []Unit
	for i := 0; i < 4; i++ {
		units = append(units, Unit{1, 4}, Unit{3, 4})
	}
	units = append(units, Unit{2, 4})
	d := Overdispersion(units, 0.5)
	wantPhi := 128 * u * u / 9
	if !near(d.Phi, wantPhi, 1e-14) || !near(d.Phi, 0.9747757, 5e-8) {
		t.Errorf("phi %v, want %v", d.Phi, wantPhi)
	}
	if want := (9*wantPhi - 8) / 128; !near(d.Tau2, want, 1e-15) || !near(d.Tau2, 0.0060389, 5e-8) {
		t.Errorf("tau2 %v, want %v", d.Tau2, want)
	}
	if d.Overdispersed {
		t.Errorf("overdispersed with phi %v", d.Phi)
	}
	// Not overdispersed: the plain limits and labels apply.
	for _, n := range []int64{4, 40, 400} {
		lo, hi := d.Limits(0.5, n, Z998)
		plo, phi := FunnelLimits(0.5, n, Z998)
		if lo != plo || hi != phi {
			t.Errorf("n = %d: limits %v, %v; want the plain %v, %v", n, lo, hi, plo, phi)
		}
	}
	if got, want := d.Label(30, 40, 0.5), Label(30, 40, 0.5); got != want {
		t.Errorf("label of 30/40: %q, want the plain %q", got, want)
	}

	// Every unit at the baseline: φ = 0, nφ < n − 1, τ² = 0.
	d = Overdispersion([]Unit{{5, 10}, {10, 20}, {50, 100}}, 0.5)
	if d.Phi != 0 || d.Tau2 != 0 || d.Overdispersed || d.Units != 3 {
		t.Errorf("all at the baseline: %+v", d)
	}
}

func TestOverdispersionEdges(t *testing.T) {
	// Units without a denominator, or with a numerator outside 0..n, are
	// left out; fewer than two units measure nothing.
	d := Overdispersion([]Unit{{0, 0}, {5, 3}, {-1, 4}, {3, 10}}, 0.5)
	if d.Units != 1 || d.Phi != 0 || d.Tau2 != 0 || d.Overdispersed {
		t.Errorf("one valid unit: %+v", d)
	}
	if d := Overdispersion(nil, 0.5); d.Units != 0 || d.Overdispersed {
		t.Errorf("no units: %+v", d)
	}
	// The invalid units change nothing when added to a valid set.
	with := Overdispersion(append([]Unit{{0, 0}, {7, 2}}, overdispersedUnits...), 0.5)
	without := Overdispersion(overdispersedUnits, 0.5)
	if with != without {
		t.Errorf("invalid units changed the result: %+v, %+v", with, without)
	}

	for _, c := range []struct {
		k, n int64
		b    float64
		z    float64
		ok   bool
	}{
		{25, 100, 0.5, -20 * u, true},
		{0, 16, 0.25, -8 * math.Pi / 6, true}, // (0 − π/6) × 8
		{16, 16, 0.75, 8 * math.Pi / 6, true}, // (π/2 − π/3) × 8
		{1, 0, 0.5, 0, false},
		{5, 4, 0.5, 0, false},
		{-1, 4, 0.5, 0, false},
	} {
		z, ok := ArcsineZ(c.k, c.n, c.b)
		if ok != c.ok || !near(z, c.z, 1e-12) {
			t.Errorf("ArcsineZ(%d, %d, %v) = %v, %v; want %v, %v", c.k, c.n, c.b, z, ok, c.z, c.ok)
		}
	}

	if lo, hi := AdjustedLimits(0.3, 0, Z95, 0.1); lo != 0 || hi != 1 {
		t.Errorf("AdjustedLimits at n = 0: %v, %v; want 0, 1", lo, hi)
	}
	// A large τ² at a small n: the angle leaves 0..π/2 and the limits stop
	// at 0 and 1 rather than folding back.
	if lo, hi := AdjustedLimits(0.5, 3, Z998, 0.5); lo != 0 || hi != 1 {
		t.Errorf("AdjustedLimits(0.5, 3, Z998, 0.5) = %v, %v; want 0, 1", lo, hi)
	}
}

// TestArcsineLimitsReference: FunnelPlotR's own test
// (tests/testthat/test-build_limits_lookup.R) draws plain limits for
// proportions around 0.5 from n = 3 and expects ul95 below 1 and ll95
// above 0 there. By hand: π/4 ∓ 1.959964 / (2√3) = π/4 ∓ 0.5657929 =
// 0.2196053 and 1.3511910; sin² = 0.0474562 and 0.9525438.
func TestArcsineLimitsReference(t *testing.T) {
	lo, hi := arcsineLimits(0.5, 3, Z95, 0)
	if !near(lo, 0.0474562, 5e-8) || !near(hi, 0.9525438, 5e-8) {
		t.Errorf("arcsine limits at 3: %.7f, %.7f; want 0.0474562, 0.9525438", lo, hi)
	}
}

// TestAdjustedLimitsEnvelope: without the plain limits as a floor the
// arcsine limits can lie inside them. At B = 0.5, n = 100 and τ² = 0:
// sin²(π/4 + 1.959964 × 0.05) = sin²(0.8833963) = 0.5973720, below the
// plain 0.5979982. AdjustedLimits returns the plain limit there.
func TestAdjustedLimitsEnvelope(t *testing.T) {
	_, ahi := arcsineLimits(0.5, 100, Z95, 0)
	plo, phi := FunnelLimits(0.5, 100, Z95)
	if !near(ahi, 0.5973720, 5e-8) || !(ahi < phi) {
		t.Fatalf("arcsine upper limit %v; want 0.5973720, inside the plain %v", ahi, phi)
	}
	lo, hi := AdjustedLimits(0.5, 100, Z95, 0)
	if lo != plo || hi != phi {
		t.Errorf("AdjustedLimits with τ² = 0: %v, %v; want the plain %v, %v", lo, hi, plo, phi)
	}
}

// TestAdjustedLimitsNeverInside is the property the funnel plot relies on:
// for random sets of units, whatever their dispersion, the limits that
// apply are never inside the plain ones, at any denominator and both
// levels; widen as τ² grows; stay within 0-1 around the baseline; and an
// adjusted label is never more extreme than the plain one. (FunnelPlotR's
// test-funnel_plot.R checks one instance of the first: LCL95 above
// OD95LCL.)
func TestAdjustedLimitsNeverInside(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 2005))
	severity := map[string]int{NotSignificant: 0, High: 1, HighSevere: 2, Low: -1, LowSevere: -2}
	for trial := 0; trial < 2000; trial++ {
		units := make([]Unit, 2+rng.IntN(60))
		p := 0.01 + 0.98*rng.Float64()
		spread := 0.2 * rng.Float64()
		var num, den int64
		for i := range units {
			n := 1 + rng.Int64N(5000)
			// The unit's own rate, then a count near binomial around it.
			pi := math.Min(1, math.Max(0, p+spread*rng.NormFloat64()))
			nf := float64(n)
			k := int64(math.Round(nf*pi + math.Sqrt(nf*pi*(1-pi))*rng.NormFloat64()))
			units[i] = Unit{min(n, max(0, k)), n}
			num += k
			den += n
		}
		b := float64(num) / float64(den)
		d := Overdispersion(units, b)
		n := float64(d.Units)
		if d.Phi < 0 || d.Tau2 < 0 || (n*d.Phi < n-1 && d.Tau2 != 0) {
			t.Fatalf("trial %d: phi %v, tau2 %v", trial, d.Phi, d.Tau2)
		}
		if d.Overdispersed && d.Tau2 <= 0 {
			t.Fatalf("trial %d: overdispersed with tau2 %v", trial, d.Tau2)
		}
		for _, n := range []int64{1, 2, 5, 1 + rng.Int64N(100), 1 + rng.Int64N(100000), 1000000} {
			for _, z := range []float64{Z95, Z998} {
				plo, phi := FunnelLimits(b, n, z)
				for _, tau2 := range []float64{0, d.Tau2, d.Tau2 / 100, d.Tau2 * 10} {
					lo, hi := AdjustedLimits(b, n, z, tau2)
					if lo > plo || hi < phi || lo < 0 || hi > 1 || lo > b || hi < b {
						t.Fatalf("trial %d, b %v, n %d, z %v, tau2 %v: adjusted %v to %v, plain %v to %v", trial, b, n, z, tau2, lo, hi, plo, phi)
					}
					wlo, whi := AdjustedLimits(b, n, z, 2*tau2+1e-4)
					if wlo > lo || whi < hi {
						t.Fatalf("trial %d, n %d: limits narrowed as tau2 grew: %v to %v, then %v to %v", trial, n, lo, hi, wlo, whi)
					}
				}
				lo, hi := d.Limits(b, n, z)
				if lo > plo || hi < phi {
					t.Fatalf("trial %d, n %d: Dispersion.Limits %v to %v inside the plain %v to %v", trial, n, lo, hi, plo, phi)
				}
			}
		}
		for _, x := range units {
			plain, adjusted := Label(x.Numerator, x.Denominator, b), d.Label(x.Numerator, x.Denominator, b)
			if severity[adjusted]*severity[plain] < 0 || abs(severity[adjusted]) > abs(severity[plain]) {
				t.Fatalf("trial %d, unit %d/%d around %v: adjusted label %q is more extreme than the plain %q",
					trial, x.Numerator, x.Denominator, b, adjusted, plain)
			}
		}
	}
}

func abs(x int) int { return max(x, -x) }

// BenchmarkOverdispersion measures the dispersion of 6,500 units, about
// England's number of practices, and the limits at each unit's
// denominator.
func BenchmarkOverdispersion(b *testing.B) {
	rng := rand.New(rand.NewPCG(6500, 1))
	units := make([]Unit, 6500)
	var num, den int64
	for i := range units {
		n := 200 + rng.Int64N(2000)
		p := math.Min(1, math.Max(0, 0.4+0.08*rng.NormFloat64()))
		units[i] = Unit{int64(math.Round(p * float64(n))), n}
		num += units[i].Numerator
		den += n
	}
	baseline := float64(num) / float64(den)
	for b.Loop() {
		d := Overdispersion(units, baseline)
		for _, x := range units {
			d.Label(x.Numerator, x.Denominator, baseline)
		}
	}
}
