package queries

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/uptake-nhs/uptake/queries/stats"
)

// buildOverdispersedFixture is ten practices in 2025Q4 whose referral
// rates are the hand-worked units of package stats'
// TestOverdispersionByHand: registers 36, 64, 100 and 144, a quarter,
// half or three quarters of each register referred.
//
//	P00001  9/36   P00002 27/36   P00003 16/64   P00004 48/64
//	P00005 25/100  P00006 75/100  P00007 50/100
//	P00008 72/144  P00009 108/144 P00010 36/144
//
// 466 people referred of 932 on the registers: the baseline is 50%.
func buildOverdispersedFixture(tb testing.TB) *fixture {
	f := newFixture(tb)
	units := []struct{ k, n int }{{9, 36}, {27, 36}, {16, 64}, {48, 64}, {25, 100}, {75, 100}, {50, 100}, {72, 144}, {108, 144}, {36, 144}}
	for i, u := range units {
		code := fmt.Sprintf("P%05d", i+1)
		f.practice("2025Q4", code, "Practice "+code, "One PCN", u.n)
		for j := range u.k {
			id := fmt.Sprintf("R%d-%d", i+1, j)
			f.referral(referral{ID: id, Patient: "P" + id, Practice: code, Date: fmt.Sprintf("2025-10-%02d", 1+j%28)})
		}
	}
	f.loaded("2025Q4")
	return f
}

// TestPracticeBenchmarkOverdispersion, worked by hand (disclosure off;
// the arithmetic is in package stats' TestOverdispersionByHand, with
// u = π/12):
//
// The z-scores (asin √p − asin √0.5) × 2√n are ±12u, ±16u, ±20u, 0, 0,
// ±24u; winsorised at R's type-7 10th and 90th percentiles, ∓20.4u,
//
//	φ = u² (2 × 20.4² + 2 × 20² + 2 × 16² + 2 × 12²) / 10 = 16.6708585
//	τ² = (10φ − 9) / (Σ4n − Σ(4n)²/Σ4n) = 157.708585 / 3285.9742489
//	   = 0.0479944676
//
// φ > 1, so the limits are inflated. At n = 100 the 95% limits are
// sin²(π/4 ∓ 1.959964 √(1/400 + τ²)) = sin²(π/4 ∓ 0.4404230) = 11.436%
// and 88.564%; the 99.8% ones sin²(π/4 ∓ 0.6944052) = 0.826% and
// 99.174%. The plain Fingertips limits at n = 100 are 50 ∓ z × 5: 40.200 /
// 59.800 and 34.549 / 65.451.
//
// P00006, 75/100, lies beyond the plain 99.8% limit (65.451%): High
// (0.001) against the plain limits, Not significant against the inflated
// ones. P00009, 108/144 = 75%, likewise (plain 99.8% upper at 144:
// 50 + 3.090232 × 50/12 = 62.876%; inflated 95% upper 88.350%). With
// benchmark.limits "plain", φ and τ² are still reported and the labels
// are the plain ones.
func TestPracticeBenchmarkOverdispersion(t *testing.T) {
	f := buildOverdispersedFixture(t)
	got, err := f.store().PracticeBenchmark(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	rr := got.ReferralRate
	if !near(rr.Phi, 16.6708585, 5e-7) || !near(rr.Tau2, 0.0479944676, 5e-10) || rr.DispersionUnits != 10 {
		t.Errorf("phi %v, tau2 %v over %d units; want 16.6708585, 0.0479944676 over 10", rr.Phi, rr.Tau2, rr.DispersionUnits)
	}
	if !rr.Overdispersed || !rr.Adjusted || len(rr.PlainCurve) != len(rr.Curve) {
		t.Errorf("overdispersed %v, adjusted %v, plain curve %d points of %d; want true, true, all", rr.Overdispersed, rr.Adjusted, len(rr.PlainCurve), len(rr.Curve))
	}
	byCode := map[string]PracticeMeasure{}
	for _, p := range got.Practices {
		byCode[p.Code] = p.ReferralRate
	}
	p6 := byCode["P00006"]
	pwCheckPct(t, "P00006 lower 95", p6.Lower95, 11.436118210)
	pwCheckPct(t, "P00006 upper 95", p6.Upper95, 88.563881790)
	pwCheckPct(t, "P00006 lower 99.8", p6.Lower998, 0.825688764)
	pwCheckPct(t, "P00006 upper 99.8", p6.Upper998, 99.174311236)
	pwCheckPct(t, "P00006 plain lower 95", p6.PlainLower95, 40.20018)
	pwCheckPct(t, "P00006 plain upper 99.8", p6.PlainUpper998, 65.45116)
	for _, code := range []string{"P00006", "P00009"} {
		if v := byCode[code]; v.Label != stats.NotSignificant || v.PlainLabel != stats.HighSevere {
			t.Errorf("%s label %q (plain %q), want %q (plain %q)", code, v.Label, v.PlainLabel, stats.NotSignificant, stats.HighSevere)
		}
	}
	// Every practice's label agrees with the limits given beside it, and
	// the curve drawn is never inside the plain one.
	for code, v := range byCode {
		if v.Label != bandLabel(*v.Percent, *v.Lower95, *v.Upper95, *v.Lower998, *v.Upper998) {
			t.Errorf("%s: label %q for %v against %v/%v/%v/%v", code, v.Label, *v.Percent, *v.Lower998, *v.Lower95, *v.Upper95, *v.Upper998)
		}
	}
	for i, c := range rr.Curve {
		p := rr.PlainCurve[i]
		if c.Denominator != p.Denominator || c.Lower95 > p.Lower95 || c.Upper95 < p.Upper95 || c.Lower998 > p.Lower998 || c.Upper998 < p.Upper998 {
			t.Errorf("curve at %d: adjusted %+v inside plain %+v", c.Denominator, c, p)
		}
	}

	cfg := plainLimits(false)
	plain, err := f.store(cfg).PracticeBenchmark(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	prr := plain.ReferralRate
	if !near(prr.Phi, rr.Phi, 1e-12) || !near(prr.Tau2, rr.Tau2, 1e-12) || !prr.Overdispersed || prr.Adjusted || prr.PlainCurve != nil {
		t.Errorf("plain: phi %v tau2 %v overdispersed %v adjusted %v plain curve %d; want the same φ and τ², overdispersed, not adjusted, no second curve",
			prr.Phi, prr.Tau2, prr.Overdispersed, prr.Adjusted, len(prr.PlainCurve))
	}
	for _, p := range plain.Practices {
		if p.Code == "P00006" {
			v := p.ReferralRate
			pwCheckPct(t, "plain P00006 upper 99.8", v.Upper998, 65.45116)
			if v.Label != stats.HighSevere || v.PlainLabel != "" || v.PlainUpper998 != nil {
				t.Errorf("plain P00006: label %q, plain label %q, plain limit %v; want High (0.001) and no second set", v.Label, v.PlainLabel, v.PlainUpper998)
			}
		}
	}
}

// bandLabel is the label a value has against limits, written here from
// the Fingertips labels: beyond a limit is outside it, on it is inside.
func bandLabel(pct, lo95, hi95, lo998, hi998 float64) string {
	switch {
	case pct > hi998:
		return stats.HighSevere
	case pct > hi95:
		return stats.High
	case pct < lo998:
		return stats.LowSevere
	case pct < lo95:
		return stats.Low
	}
	return stats.NotSignificant
}

// near reports whether got is within tol of want.
func near(got, want, tol float64) bool { return math.Abs(got-want) <= tol }
