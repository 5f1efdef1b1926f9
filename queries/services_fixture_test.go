package queries

import (
	"errors"
	"math"
	"testing"
)

// Fixture helpers and assertions shared by the tests of the
// service-facing indicators (follow-up, coding, venue and time demand,
// campaigns, data).

// boroughPractices adds the three practices of the service fixtures to
// the snapshot of every quarter given and records each quarter as loaded.
// Archway Medical Centre never has a referral: it must still appear, with
// zeros, wherever practices are listed.
func (f *fixture) boroughPractices(quarters ...string) {
	for _, q := range quarters {
		f.practice(q, "F83004", "Hanley Road Surgery", "North PCN", 400)
		f.practice(q, "F83010", "Archway Medical Centre", "North PCN", 300)
		f.practice(q, "F83020", "Bounds Green Practice", "South PCN", 200)
		f.loaded(q)
	}
}

// withDisclosure is DefaultConfig with the small-number rule on.
func withDisclosure() Config { return DefaultConfig() }

// star is a suppressed count; num is a published count of n.
var star = Count{Suppressed: true}

func num(n int64) Count { return Count{N: n} }

// checkCount fails the test when a published count is not what the test
// worked out.
func checkCount(t *testing.T, label string, got, want Count) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", label, got, want)
	}
}

// checkFloat fails unless got is want to within 0.001; want nil means got
// must be nil.
func checkFloat(t *testing.T, label string, got *float64, want any) {
	t.Helper()
	switch w := want.(type) {
	case nil:
		if got != nil {
			t.Errorf("%s = %v, want nil", label, *got)
		}
	case float64:
		if got == nil {
			t.Errorf("%s = nil, want %v", label, w)
		} else if math.Abs(*got-w) > 0.001 {
			t.Errorf("%s = %v, want %v", label, *got, w)
		}
	case int:
		checkFloat(t, label, got, float64(w))
	default:
		t.Fatalf("checkFloat: want %T", want)
	}
}

// checkInt is checkFloat for whole numbers.
func checkInt(t *testing.T, label string, got *int64, want any) {
	t.Helper()
	switch w := want.(type) {
	case nil:
		if got != nil {
			t.Errorf("%s = %d, want nil", label, *got)
		}
	case int:
		if got == nil || *got != int64(w) {
			t.Errorf("%s = %v, want %d", label, deref(got), w)
		}
	default:
		t.Fatalf("checkInt: want %T", want)
	}
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// checkProportion checks a Proportion's published counts, its percentage
// and its interval (lo, hi in percent; nil for none).
func checkProportion(t *testing.T, label string, got Proportion, numerator, denominator Count, percent, lo, hi any) {
	t.Helper()
	checkCount(t, label+" numerator", got.Numerator, numerator)
	checkCount(t, label+" denominator", got.Denominator, denominator)
	checkFloat(t, label+" percent", got.Percent, percent)
	checkFloat(t, label+" ci_low", got.CILow, lo)
	checkFloat(t, label+" ci_high", got.CIHigh, hi)
}

// checkFilterError fails unless err is a *FilterError for field.
func checkFilterError(t *testing.T, err error, field string) {
	t.Helper()
	var fe *FilterError
	if !errors.As(err, &fe) {
		t.Fatalf("error = %v, want a *FilterError for %s", err, field)
	}
	if fe.Field != field {
		t.Errorf("FilterError field = %q, want %q (%v)", fe.Field, field, err)
	}
}

// buildCourseFixture is a borough as of 2026-06-30 (2025Q4 to 2026Q2
// loaded) with six courses and the people booked on them. It serves the
// fill rate, wait and heatmap tests.
//
//	course venue  day/date        start  slot             capacity  language  booked
//	C1     V1     Mon 2026-01-05  16:59  weekday daytime  14        English   D1 D2 E1
//	C2     V1     Tue 2026-01-06  17:00  weekday evening  12        English   E2
//	C3     online Sat 2026-01-10  10:00  weekend          16        English   W1 N1 X1
//	C4     V2     Sun 2026-04-05  14:00  weekend          12        Turkish   W2
//	C5     V2     Wed 2026-04-08  10:00  (cancelled)      14        English   -
//	C6     V1     Mon 2026-04-06  18:30  weekday evening  14        English   E3
//
// Referrals (all eligible but X1, diagnosed five weeks before), their
// preferred slot and the days from referral to their course's start:
//
//	D1 daytime 2025-12-01 → C1 35   E1 evening 2025-11-06 → C1 60   W1 weekend 2025-12-11 → C3 30
//	D2 daytime 2025-12-15 → C1 21   E2 evening 2025-12-07 → C2 30   W2 weekend 2026-01-05 → C4 90 (Turkish)
//	N1 no preference 2025-12-31 → C3 10   E3 evening 2026-01-02 → C6 94   X1 weekend (ineligible) → C3
//	                                       E4 evening 2026-02-01, not booked
func buildCourseFixture(tb testing.TB) *fixture {
	f := newFixture(tb)
	f.boroughPractices("2025Q4", "2026Q1", "2026Q2")
	for _, q := range []string{"2026Q1", "2026Q2"} {
		f.venue(q, "V1", "Hornsey Road Baths")
		f.venue(q, "V2", "Archway Centre")
	}
	f.course(course{ID: "C1", Venue: "V1", FirstDate: "2026-01-05", Start: "16:59", Capacity: 14})
	f.course(course{ID: "C2", Venue: "V1", FirstDate: "2026-01-06", Start: "17:00", Capacity: 12})
	f.course(course{ID: "C3", Venue: "", FirstDate: "2026-01-10", Start: "10:00", Capacity: 16})
	f.course(course{ID: "C4", Venue: "V2", FirstDate: "2026-04-05", Start: "14:00", Capacity: 12, Language: "Turkish"})
	f.course(course{ID: "C5", Venue: "V2", FirstDate: "2026-04-08", Start: "10:00", Capacity: 14, Status: "cancelled"})
	f.course(course{ID: "C6", Venue: "V1", FirstDate: "2026-04-06", Start: "18:30", Capacity: 14})

	book := func(id, slot, date, courseID, courseDate, language string, y *float64) {
		f.referral(referral{ID: id, Practice: "F83004", Date: date, PreferredSlot: slot, Language: language, Years: y})
		if courseID != "" {
			f.attend(id, courseID, courseDate, "1111111")
		}
	}
	book("D1", SlotDaytime, "2025-12-01", "C1", "2026-01-05", "", nil)
	book("D2", SlotDaytime, "2025-12-15", "C1", "2026-01-05", "", nil)
	book("E1", SlotEvening, "2025-11-06", "C1", "2026-01-05", "", nil)
	book("E2", SlotEvening, "2025-12-07", "C2", "2026-01-06", "", nil)
	book("E3", SlotEvening, "2026-01-02", "C6", "2026-04-06", "", nil)
	book("E4", SlotEvening, "2026-02-01", "", "", "", nil)
	book("W1", SlotWeekend, "2025-12-11", "C3", "2026-01-10", "", nil)
	book("W2", SlotWeekend, "2026-01-05", "C4", "2026-04-05", "Turkish", nil)
	book("N1", SlotNoPreference, "2025-12-31", "C3", "2026-01-10", "", nil)
	book("X1", SlotWeekend, "2025-12-20", "C3", "2026-01-10", "", years(0.1))
	return f
}
