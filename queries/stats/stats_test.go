package stats

import (
	"math"
	"math/rand/v2"
	"testing"
)

// wilsonRef is the Wilson interval in its other textbook form,
// (2k + z² ± z sqrt(z² + 4k(n-k)/n)) / 2(n + z²), written independently of
// Wilson so that the two check each other.
func wilsonRef(k, n int64, z float64) (float64, float64) {
	kf, nf := float64(k), float64(n)
	root := z * math.Sqrt(z*z+4*kf*(nf-kf)/nf)
	return (2*kf + z*z - root) / (2 * (nf + z*z)), (2*kf + z*z + root) / (2 * (nf + z*z))
}

// wilsonAt is the Wilson bound for a proportion p that need not be k/n,
// used to find funnel limits by bisection.
func wilsonAt(p float64, n int64, z float64, upper bool) float64 {
	nf := float64(n)
	sign := -1.0
	if upper {
		sign = 1
	}
	return (p + z*z/(2*nf) + sign*z*math.Sqrt(p*(1-p)/nf+z*z/(4*nf*nf))) / (1 + z*z/nf)
}

// bisect finds x in [lo, hi] with f(x) = 0 for an f that changes sign once.
func bisect(f func(float64) float64, lo, hi float64) float64 {
	flo := f(lo)
	for i := 0; i < 200 && hi-lo > 1e-13; i++ {
		mid := (lo + hi) / 2
		if fm := f(mid); (fm < 0) == (flo < 0) {
			lo, flo = mid, fm
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestWilsonTextbook(t *testing.T) {
	// 81 of 263 at 95%: (0.2553, 0.3662), the worked example in Newcombe
	// (1998) and in PHE's technical guide.
	lo, hi, ok := Wilson(81, 263, Z95)
	if !ok || !near(lo, 0.2553, 5e-5) || !near(hi, 0.3662, 5e-5) {
		t.Errorf("Wilson(81, 263) = %.5f, %.5f, %v; want 0.2553, 0.3662", lo, hi, ok)
	}
	// 15 of 148 at 95%: (0.0624, 0.1605), also from Newcombe (1998).
	lo, hi, _ = Wilson(15, 148, Z95)
	if !near(lo, 0.0624, 5e-5) || !near(hi, 0.1605, 5e-5) {
		t.Errorf("Wilson(15, 148) = %.5f, %.5f; want 0.0624, 0.1605", lo, hi)
	}
}

func TestWilsonAgainstReference(t *testing.T) {
	for _, z := range []float64{Z95, Z998} {
		for n := int64(1); n <= 60; n++ {
			for k := int64(0); k <= n; k++ {
				lo, hi, ok := Wilson(k, n, z)
				rlo, rhi := wilsonRef(k, n, z)
				if !ok || !near(lo, rlo, 1e-12) || !near(hi, rhi, 1e-12) {
					t.Fatalf("Wilson(%d, %d, %v) = %v, %v, %v; reference %v, %v", k, n, z, lo, hi, ok, rlo, rhi)
				}
			}
		}
	}
}

func TestWilsonEdges(t *testing.T) {
	// No denominator, or a numerator outside 0..n: no interval.
	for _, c := range [][2]int64{{0, 0}, {1, 0}, {-1, 5}, {6, 5}, {0, -3}} {
		if lo, hi, ok := Wilson(c[0], c[1], Z95); ok || lo != 0 || hi != 0 {
			t.Errorf("Wilson(%d, %d) = %v, %v, %v; want 0, 0, false", c[0], c[1], lo, hi, ok)
		}
	}
	// k = 0: lower bound exactly 0, upper z²/(n+z²).
	lo, hi, ok := Wilson(0, 10, Z95)
	if want := Z95 * Z95 / (10 + Z95*Z95); !ok || lo != 0 || !near(hi, want, 1e-12) {
		t.Errorf("Wilson(0, 10) = %v, %v; want 0, %v", lo, hi, want)
	}
	// k = n: upper bound exactly 1, lower n/(n+z²).
	lo, hi, _ = Wilson(10, 10, Z95)
	if want := 10 / (10 + Z95*Z95); hi != 1 || !near(lo, want, 1e-12) {
		t.Errorf("Wilson(10, 10) = %v, %v; want %v, 1", lo, hi, want)
	}
	// 1 of 1 at 95%: (0.2065, 1).
	lo, _, _ = Wilson(1, 1, Z95)
	if !near(lo, 0.20654, 1e-5) {
		t.Errorf("Wilson(1, 1) lower = %v; want 0.20654", lo)
	}
}

func TestWilsonContainsEstimate(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20000; i++ {
		n := 1 + rng.Int64N(5000)
		k := rng.Int64N(n + 1)
		p := float64(k) / float64(n)
		lo95, hi95, _ := Wilson(k, n, Z95)
		lo998, hi998, _ := Wilson(k, n, Z998)
		if lo95 > p || hi95 < p || lo998 > lo95 || hi998 < hi95 || lo998 < 0 || hi998 > 1 {
			t.Fatalf("k=%d n=%d p=%v: 95%% (%v, %v), 99.8%% (%v, %v)", k, n, p, lo95, hi95, lo998, hi998)
		}
	}
}

func TestFunnelLimitsTouchBaseline(t *testing.T) {
	// The limits are the proportions whose Wilson interval just touches the
	// baseline: check the closed form against bisection on the Wilson bound.
	for _, b := range []float64{0.02, 0.1, 0.35, 0.5, 0.8, 0.97} {
		for _, n := range []int64{5, 12, 40, 150, 1000, 25000} {
			for _, z := range []float64{Z95, Z998} {
				lo, hi := FunnelLimits(b, n, z)
				// Lower limit: the p < b whose upper Wilson bound is b. When even
				// p = 0 has an upper bound above b, the limit clamps to 0.
				wantLo := 0.0
				if wilsonAt(0, n, z, true) < b {
					wantLo = bisect(func(p float64) float64 { return wilsonAt(p, n, z, true) - b }, 0, b)
				}
				wantHi := 1.0
				if wilsonAt(1, n, z, false) > b {
					wantHi = bisect(func(p float64) float64 { return wilsonAt(p, n, z, false) - b }, b, 1)
				}
				if !near(lo, wantLo, 1e-9) || !near(hi, wantHi, 1e-9) {
					t.Errorf("FunnelLimits(%v, %d, %v) = %v, %v; bisection %v, %v", b, n, z, lo, hi, wantLo, wantHi)
				}
			}
		}
	}
}

func TestFunnelLimitsShape(t *testing.T) {
	for _, b := range []float64{0, 0.01, 0.3, 0.5, 0.99, 1} {
		prevLo, prevHi := -1.0, 2.0
		for n := int64(1); n <= 100000; n = n*3/2 + 1 {
			lo95, hi95 := FunnelLimits(b, n, Z95)
			lo998, hi998 := FunnelLimits(b, n, Z998)
			if lo998 > lo95 || lo95 > b || b > hi95 || hi95 > hi998 || lo998 < 0 || hi998 > 1 {
				t.Fatalf("b=%v n=%d: 99.8%% (%v, %v), 95%% (%v, %v)", b, n, lo998, hi998, lo95, hi95)
			}
			// Narrower as n grows.
			if lo95 < prevLo || hi95 > prevHi {
				t.Fatalf("b=%v n=%d: limits (%v, %v) wider than at smaller n (%v, %v)", b, n, lo95, hi95, prevLo, prevHi)
			}
			prevLo, prevHi = lo95, hi95
		}
	}
	// Clamped: a small baseline at small n has lower limit 0.
	if lo, hi := FunnelLimits(0.05, 10, Z998); lo != 0 || hi <= 0.05 {
		t.Errorf("FunnelLimits(0.05, 10) = %v, %v; want 0 and above 0.05", lo, hi)
	}
	if lo, hi := FunnelLimits(0.95, 10, Z998); hi != 1 || lo >= 0.95 {
		t.Errorf("FunnelLimits(0.95, 10) = %v, %v; want below 0.95 and 1", lo, hi)
	}
	if lo, hi := FunnelLimits(0.4, 0, Z95); lo != 0 || hi != 1 {
		t.Errorf("FunnelLimits(0.4, 0) = %v, %v; want 0, 1", lo, hi)
	}
	// A worked value: baseline 40% at n = 60, 95%: 0.4 ± 1.959964 sqrt(0.24/60).
	lo, hi := FunnelLimits(0.4, 60, Z95)
	if !near(lo, 0.276041, 1e-6) || !near(hi, 0.523959, 1e-6) {
		t.Errorf("FunnelLimits(0.4, 60) = %v, %v; want 0.276041, 0.523959", lo, hi)
	}
}

func TestLabel(t *testing.T) {
	cases := []struct {
		k, n int64
		b    float64
		want string
	}{
		// Baseline 40%, n = 100: 95% limits 0.4 ± 0.0960 = (30.4%, 49.6%);
		// 99.8% limits 0.4 ± 0.1514 = (24.9%, 55.1%).
		{40, 100, 0.4, NotSignificant},
		{49, 100, 0.4, NotSignificant},
		{50, 100, 0.4, High},
		{55, 100, 0.4, High},
		{56, 100, 0.4, HighSevere},
		{31, 100, 0.4, NotSignificant},
		{30, 100, 0.4, Low},
		{25, 100, 0.4, Low},
		{24, 100, 0.4, LowSevere},
		{0, 0, 0.4, NotCompared},
		{7, 5, 0.4, NotCompared},
		// Baseline 0: any success is significantly high, none is not low.
		{0, 50, 0, NotSignificant},
		{1, 50, 0, HighSevere},
	}
	for _, c := range cases {
		if got := Label(c.k, c.n, c.b); got != c.want {
			t.Errorf("Label(%d, %d, %v) = %q, want %q", c.k, c.n, c.b, got, c.want)
		}
	}
}

// TestLabelMatchesFunnelLimits: a unit is labelled high exactly when its
// value lies above the funnel's upper limit at its denominator, and so on.
func TestLabelMatchesFunnelLimits(t *testing.T) {
	for _, b := range []float64{0.05, 0.23, 0.5, 0.81} {
		for n := int64(1); n <= 300; n += 7 {
			lo95, hi95 := FunnelLimits(b, n, Z95)
			lo998, hi998 := FunnelLimits(b, n, Z998)
			for k := int64(0); k <= n; k++ {
				p := float64(k) / float64(n)
				if near(p, lo95, 1e-9) || near(p, hi95, 1e-9) || near(p, lo998, 1e-9) || near(p, hi998, 1e-9) {
					continue // on a limit: floating point decides
				}
				want := NotSignificant
				switch {
				case p > hi998:
					want = HighSevere
				case p > hi95:
					want = High
				case p < lo998:
					want = LowSevere
				case p < lo95:
					want = Low
				}
				if got := Label(k, n, b); got != want {
					t.Fatalf("Label(%d, %d, %v) = %q; funnel limits say %q", k, n, b, got, want)
				}
			}
		}
	}
}

func TestFunnelDenominators(t *testing.T) {
	if got := FunnelDenominators(0, 60); got != nil {
		t.Errorf("FunnelDenominators(0) = %v, want nil", got)
	}
	if got := FunnelDenominators(1, 60); len(got) != 1 || got[0] != 1 {
		t.Errorf("FunnelDenominators(1) = %v, want [1]", got)
	}
	got := FunnelDenominators(400, 60)
	if got[0] != 1 || got[len(got)-1] != 400 || len(got) > 60 || len(got) < 40 {
		t.Fatalf("FunnelDenominators(400, 60) = %v", got)
	}
	for i := 1; i < len(got); i++ {
		if got[i] <= got[i-1] {
			t.Fatalf("not increasing at %d: %v", i, got)
		}
	}
	small := FunnelDenominators(5, 60)
	if len(small) != 5 {
		t.Errorf("FunnelDenominators(5, 60) = %v, want 1..5", small)
	}
}
