package queries

import (
	"fmt"
	"math"
	"testing"
)

// Helpers and fixtures for the pathway indicators' tests (funnel,
// conversion, time to first session, retention, benchmarking, equity,
// trends).

// pwN is a published count shown as a number; pwStar one shown as "*".
func pwN(n int64) Count { return Count{N: n} }

var pwStar = Count{Suppressed: true}

// pwNone is the expected value of a percentage that must be missing (nil).
var pwNone = math.NaN()

// pwWilson is the 95% Wilson interval in percent, written here in its
// other algebraic form, (2k + z² ± z sqrt(z² + 4k(n-k)/n)) / 2(n + z²),
// independently of package stats.
func pwWilson(k, n int64) (lo, hi float64) {
	const z = 1.959964
	kf, nf := float64(k), float64(n)
	root := z * math.Sqrt(z*z+4*kf*(nf-kf)/nf)
	return 100 * (2*kf + z*z - root) / (2 * (nf + z*z)), 100 * (2*kf + z*z + root) / (2 * (nf + z*z))
}

// pwCheckPct checks a percentage; want NaN means it must be nil.
func pwCheckPct(t testing.TB, name string, got *float64, want float64) {
	t.Helper()
	switch {
	case math.IsNaN(want) && got != nil:
		t.Errorf("%s = %v, want nil", name, *got)
	case !math.IsNaN(want) && got == nil:
		t.Errorf("%s = nil, want %v", name, want)
	case !math.IsNaN(want) && math.Abs(*got-want) > 1e-6:
		t.Errorf("%s = %v, want %v", name, *got, want)
	}
}

// pwCheckCount checks a published count.
func pwCheckCount(t testing.TB, name string, got, want Count) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", name, got, want)
	}
}

// pwCheckProportion checks a Proportion: its published counts, its
// percentage (NaN for nil) and that its interval is the Wilson interval
// of the counts AS PUBLISHED, num of den (nil when the denominator is 0 or
// either count is withheld). k and n are the true counts, which the test
// states for its reader; with the rule on they differ from num and den,
// and the interval is not theirs (issue 10: an interval always contains
// the percentage beside it, and never gives the true counts away).
func pwCheckProportion(t testing.TB, name string, got Proportion, num, den Count, pct float64, k, n int64) {
	t.Helper()
	pwCheckCount(t, name+" numerator", got.Numerator, num)
	pwCheckCount(t, name+" denominator", got.Denominator, den)
	pwCheckPct(t, name+" percent", got.Percent, pct)
	// No interval without a denominator, nor beside a suppressed count:
	// its two ends would give the count away.
	if n == 0 || num.Suppressed || den.Suppressed {
		pwCheckPct(t, name+" ci_low", got.CILow, pwNone)
		pwCheckPct(t, name+" ci_high", got.CIHigh, pwNone)
		return
	}
	lo, hi := pwWilson(num.N, den.N)
	pwCheckPct(t, name+" ci_low", got.CILow, lo)
	pwCheckPct(t, name+" ci_high", got.CIHigh, hi)
}

// pwDisclosing is the default configuration with the disclosure rule on
// (0 stays 0, 1-7 is "*", 8 or more rounds to the nearest 5).
func pwDisclosing() Config {
	c := DefaultConfig()
	c.Disclosure.Enabled = true
	return c
}

// buildRoundingFixture is one practice with enough referrals that the
// disclosure rule rounds rather than suppresses, as of 2026-06-30
// (quarters 2025Q4, 2026Q1 with no referrals, 2026Q2 loaded).
//
//	2025Q4, 23 referrals D01-D23 made 2025-10-01 to 2025-10-23:
//	  D01-D03  booked on K1 (first session 2025-11-03), all 7 sessions: completed
//	  D04-D08  booked on K1, session 1 only: started
//	  D09-D12  booked on K1, attended none: booked, not started
//	  D13-D18  eligible, never booked
//	  D19-D21  diagnosed five weeks ago: not eligible
//	  D22-D23  ruled ineligible by the provider
//	  -> referred 23, eligible 18, booked 12, started 8, completed 3
//	2026Q2 (provisional: 2026-04-01 + 180 > 2026-06-30), 3 referrals:
//	  D24 (2026-04-01) and D25 (2026-04-02) attend K2 (2026-05-04) session 1
//	  D26 (2026-04-03) never booked
//	  -> referred 3, eligible 3, booked 2, started 2, completed 0
//
// Days to first session: D0i was referred 2025-10-0i and first attended
// 2025-11-03, 34-i days later: D01-D08 wait 33, 32, ..., 26. D24 waits 33
// (2026-04-01 to 2026-05-04) and D25 32.
func buildRoundingFixture(tb testing.TB) *fixture {
	f := newFixture(tb)
	for _, q := range []string{"2025Q4", "2026Q1", "2026Q2"} {
		f.practice(q, "F83004", "Hanley Road Surgery", "North PCN", 400)
		f.venue(q, "V1", "Hornsey Road Baths")
		f.loaded(q)
	}
	f.course(course{ID: "K1", Venue: "V1", FirstDate: "2025-11-03"})
	f.course(course{ID: "K2", Venue: "V1", FirstDate: "2026-05-04"})
	for i := 1; i <= 23; i++ {
		id := fmt.Sprintf("D%02d", i)
		r := referral{ID: id, Practice: "F83004", Date: fmt.Sprintf("2025-10-%02d", i)}
		if i >= 19 && i <= 21 {
			r.Years = years(0.1)
		}
		f.referral(r)
		switch {
		case i <= 3:
			f.attend(id, "K1", "2025-11-03", "1111111")
		case i <= 8:
			f.attend(id, "K1", "2025-11-03", "1000000")
		case i <= 12:
			f.attend(id, "K1", "2025-11-03", "0000000")
		case i >= 22:
			f.outcome(id, "ineligible", "2025-11-01", "2025-11-02")
		}
	}
	for i, date := range []string{"2026-04-01", "2026-04-02", "2026-04-03"} {
		id := fmt.Sprintf("D%02d", 24+i)
		f.referral(referral{ID: id, Practice: "F83004", Date: date})
		if i < 2 {
			f.attend(id, "K2", "2026-05-04", "1")
		}
	}
	return f
}
