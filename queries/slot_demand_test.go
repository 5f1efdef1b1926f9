package queries

import (
	"context"
	"testing"
)

// buildCourseFixture is a borough as of 2026-06-30 (2025Q4 to 2026Q2
// loaded) with six courses and the people booked on them. It serves the
// slot demand, fill rate, wait and heatmap tests.
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

func TestSlotDemand(t *testing.T) {
	s := buildCourseFixture(t).store()
	ctx := context.Background()
	got, err := s.SlotDemand(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	// C1 starts at 16:59: daytime. C2 at 17:00 and C6 at 18:30: evening.
	// C3 (Saturday) and C4 (Sunday): weekend. C5 was cancelled: no places.
	// Booked places include X1, who is not eligible (a place is a place);
	// referrals preferring a slot count eligible people only.
	want := []struct {
		slot                       string
		referrals, courses, places int64
		booked                     int64
		fill, perPlace             any
	}{
		{SlotDaytime, 2, 1, 14, 3, 100 * 3.0 / 14, 2.0 / 14},
		{SlotEvening, 4, 2, 26, 2, 100 * 2.0 / 26, 4.0 / 26},
		{SlotWeekend, 2, 2, 28, 4, 100 * 4.0 / 28, 2.0 / 28},
	}
	checkSlotDemand(t, got, want)
	checkCount(t, "no preference", got.NoPreference, num(1))

	// Turkish: W2 wants a weekend; C4 is the only Turkish course.
	got, err = s.SlotDemand(ctx, Filter{Language: "turkish"})
	if err != nil {
		t.Fatal(err)
	}
	checkSlotDemand(t, got, []struct {
		slot                       string
		referrals, courses, places int64
		booked                     int64
		fill, perPlace             any
	}{
		{SlotDaytime, 0, 0, 0, 0, nil, nil},
		{SlotEvening, 0, 0, 0, 0, nil, nil},
		{SlotWeekend, 1, 1, 12, 1, 100 * 1.0 / 12, 1.0 / 12},
	})
	checkCount(t, "Turkish no preference", got.NoPreference, num(0))

	// Disclosure on: every referral and booking count here is 1-7, so all
	// are "*" and no rate can be shown; places are not people and stay.
	got, err = buildCourseFixture(t).store(withDisclosure()).SlotDemand(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range got.Slots {
		checkCount(t, row.Slot+" referrals", row.Referrals, star)
		checkCount(t, row.Slot+" booked", row.Booked, star)
		checkFloat(t, row.Slot+" fill rate", row.FillRate, nil)
		checkFloat(t, row.Slot+" per place", row.ReferralsPerPlace, nil)
	}
	if got.Slots[1].Places != 26 {
		t.Errorf("evening places under disclosure = %d, want 26", got.Slots[1].Places)
	}
	checkCount(t, "no preference", got.NoPreference, star)
	if !got.Disclosure.Applied || got.Disclosure.Suppressed != 7 {
		t.Errorf("disclosure = %+v, want applied with 7 suppressed", got.Disclosure)
	}
}

func checkSlotDemand(t *testing.T, got SlotDemand, want []struct {
	slot                       string
	referrals, courses, places int64
	booked                     int64
	fill, perPlace             any
}) {
	t.Helper()
	if len(got.Slots) != len(want) {
		t.Fatalf("slots: %+v", got.Slots)
	}
	for i, w := range want {
		g := got.Slots[i]
		if g.Slot != w.slot || g.Courses != w.courses || g.Places != w.places {
			t.Errorf("slot %d = %s, %d courses, %d places; want %s, %d, %d", i, g.Slot, g.Courses, g.Places, w.slot, w.courses, w.places)
		}
		checkCount(t, w.slot+" referrals", g.Referrals, num(w.referrals))
		checkCount(t, w.slot+" booked", g.Booked, num(w.booked))
		checkFloat(t, w.slot+" fill rate", g.FillRate, w.fill)
		checkFloat(t, w.slot+" referrals per place", g.ReferralsPerPlace, w.perPlace)
	}
}
