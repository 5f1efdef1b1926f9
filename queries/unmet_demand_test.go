package queries

import (
	"context"
	"fmt"
	"reflect"
	"testing"
)

// buildUnmetFixture is Hanley Road's referrals as of 2026-06-30 (2025Q1 to
// 2026Q2 loaded; 2025Q3 has none). A referral's 90-day window has passed
// when referral date + 90 ≤ 2026-06-30; a quarter is final when its last
// day's has (2026Q1: 03-31 + 90 = 06-29, final; 2026Q2 is not).
//
//	quarter  evening                                        other
//	2025Q1   3 unmet                                        -
//	2025Q2   15 unmet; 1 not eligible                       1 daytime unmet
//	2025Q3   -                                              -
//	2025Q4   14 unmet; 1 booked on day 90 (met)             2 no preference unmet
//	2026Q1   29 unmet; 1 booked on day 91 (unmet)           2 weekend unmet
//	2026Q2   1 on 04-01 (window passed, unmet); 3 on 05-01 (window open)
func buildUnmetFixture(tb testing.TB) *fixture {
	f := newFixture(tb)
	f.boroughPractices("2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1", "2026Q2")
	n := 0
	add := func(count int, date, slot string, y *float64) {
		for range count {
			n++
			f.referral(referral{ID: fmt.Sprintf("U%03d", n), Practice: "F83004", Date: date, PreferredSlot: slot, Years: y})
		}
	}
	add(3, "2025-02-01", SlotEvening, nil)
	add(15, "2025-05-01", SlotEvening, nil)
	add(1, "2025-05-02", SlotDaytime, nil)
	add(1, "2025-05-03", SlotEvening, years(0.1))
	add(14, "2025-11-01", SlotEvening, nil)
	add(2, "2025-11-02", SlotNoPreference, nil)
	add(29, "2026-02-01", SlotEvening, nil)
	add(2, "2026-02-02", SlotWeekend, nil)
	add(1, "2026-04-01", SlotEvening, nil)
	add(3, "2026-05-01", SlotEvening, nil)

	f.course(course{ID: "CA", Venue: "", FirstDate: "2025-12-30", Start: "18:00"})
	f.referral(referral{ID: "MET90", Practice: "F83004", Date: "2025-10-01", PreferredSlot: SlotEvening})
	f.attend("MET90", "CA", "2025-12-30", "1") // 90 days after referral: met
	f.course(course{ID: "CB", Venue: "", FirstDate: "2026-04-03", Start: "18:00"})
	f.referral(referral{ID: "LATE91", Practice: "F83004", Date: "2026-01-02", PreferredSlot: SlotEvening})
	f.attend("LATE91", "CB", "2026-04-03", "1") // 91 days: unmet
	return f
}

func TestUnmetDemand(t *testing.T) {
	s := buildUnmetFixture(t).store()
	got, err := s.UnmetDemand(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if got.AsOf != "2026-06-30" || got.WindowDays != 90 || got.PlacesPerCourse != 14 {
		t.Errorf("as of %s, window %d, places %d", got.AsOf, got.WindowDays, got.PlacesPerCourse)
	}
	// Whole range: evening window passed 3+15+15+30+1 = 64, unmet
	// 3+15+14+30+1 = 63 → ceil(63/14) = 5 courses.
	checkUnmetSlots(t, "all", got.Slots, []unmetWant{
		{SlotDaytime, 1, 1, 100.0, 1},
		{SlotEvening, 64, 63, 100 * 63.0 / 64, 5},
		{SlotWeekend, 2, 2, 100.0, 1},
	})
	checkUnmetSlots(t, "no preference", []UnmetSlot{got.NoPreference}, []unmetWant{{SlotNoPreference, 2, 2, 100.0, 1}})

	// Per quarter: 15 unmet → 2 courses; 14 → 1; an empty quarter → 0.
	wantQuarters := []struct {
		q       string
		final   bool
		evening unmetWant
	}{
		{"2025Q1", true, unmetWant{SlotEvening, 3, 3, 100.0, 1}},
		{"2025Q2", true, unmetWant{SlotEvening, 15, 15, 100.0, 2}},
		{"2025Q3", true, unmetWant{SlotEvening, 0, 0, nil, 0}},
		{"2025Q4", true, unmetWant{SlotEvening, 15, 14, 100 * 14.0 / 15, 1}},
		{"2026Q1", true, unmetWant{SlotEvening, 30, 30, 100.0, 3}},
		{"2026Q2", false, unmetWant{SlotEvening, 1, 1, 100.0, 1}},
	}
	if len(got.Quarters) != len(wantQuarters) {
		t.Fatalf("quarters: %+v", got.Quarters)
	}
	for i, w := range wantQuarters {
		q := got.Quarters[i]
		if q.Quarter != w.q || q.Final != w.final || len(q.Slots) != 4 {
			t.Errorf("quarter %d = %s final %v with %d slots, want %s final %v", i, q.Quarter, q.Final, len(q.Slots), w.q, w.final)
			continue
		}
		checkUnmetSlots(t, w.q, q.Slots[1:2], []unmetWant{w.evening})
	}
	checkUnmetSlots(t, "2025Q2 daytime", got.Quarters[1].Slots[0:1], []unmetWant{{SlotDaytime, 1, 1, 100.0, 1}})
	checkUnmetSlots(t, "2025Q3 weekend", got.Quarters[2].Slots[2:3], []unmetWant{{SlotWeekend, 0, 0, nil, 0}})

	// Next quarter: the last four final quarters are 2025Q2 to 2026Q1.
	// Evening: (15 + 0 + 14 + 30) / 4 = 14.75 a quarter → 2 courses;
	// daytime 1/4, weekend 2/4, no preference 2/4 → 1 course each.
	if !reflect.DeepEqual(got.EstimateQuarters, []string{"2025Q2", "2025Q3", "2025Q4", "2026Q1"}) {
		t.Errorf("estimate quarters = %v", got.EstimateQuarters)
	}
	checkEstimates(t, got.NextQuarter, []estimateWant{
		{SlotDaytime, 0.25, 1}, {SlotEvening, 14.75, 2}, {SlotWeekend, 0.5, 1}, {SlotNoPreference, 0.5, 1},
	})

	// Fewer than four final quarters in the range: the estimate uses what
	// there is (2025Q3, 2025Q4: evening 14 / 2 = 7 → 1 course).
	got, err = s.UnmetDemand(context.Background(), Filter{From: "2025Q3", To: "2025Q4"})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.EstimateQuarters, []string{"2025Q3", "2025Q4"}) {
		t.Errorf("estimate quarters = %v", got.EstimateQuarters)
	}
	checkEstimates(t, got.NextQuarter[1:2], []estimateWant{{SlotEvening, 7, 1}})

	// No final quarter at all: no estimate.
	got, err = s.UnmetDemand(context.Background(), Filter{From: "2026Q2"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.EstimateQuarters) != 0 || got.NextQuarter[1].ExtraCourses != nil {
		t.Errorf("2026Q2 estimate = %v %+v, want none", got.EstimateQuarters, got.NextQuarter)
	}
}

func TestUnmetDemandDisclosure(t *testing.T) {
	s := buildUnmetFixture(t).store(withDisclosure())
	got, err := s.UnmetDemand(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	// Evening 63 of 64 publish as 65 of 65 → 100%, ceil(65/14) = 5 courses;
	// daytime 1 → *, so no courses are shown.
	checkUnmetSlots(t, "all", got.Slots, []unmetWant{
		{SlotDaytime, -1, -1, nil, nil},
		{SlotEvening, 65, 65, 100.0, 5},
		{SlotWeekend, -1, -1, nil, nil},
	})
	// 2025Q1's 3 → *; 2025Q2's 15 → 15, 2 courses.
	checkUnmetSlots(t, "2025Q1", got.Quarters[0].Slots[1:2], []unmetWant{{SlotEvening, -1, -1, nil, nil}})
	checkUnmetSlots(t, "2025Q2", got.Quarters[1].Slots[1:2], []unmetWant{{SlotEvening, 15, 15, 100.0, 2}})
	// Evening next quarter: 59 → 60, / 4 = 15 → 2 courses; daytime's 1 → *.
	checkEstimates(t, got.NextQuarter[:2], []estimateWant{{SlotDaytime, nil, nil}, {SlotEvening, 15.0, 2}})
	// Suppressed: daytime, weekend and no preference over the range (2
	// counts each); per quarter 2025Q1 evening, 2025Q2 daytime, 2025Q4 no
	// preference, 2026Q1 weekend, 2026Q2 evening (2 each); the estimate
	// sums for daytime, weekend and no preference. 6 + 10 + 3 = 19.
	if !got.Disclosure.Applied || got.Disclosure.Suppressed != 19 {
		t.Errorf("disclosure = %+v, want applied with 19 suppressed", got.Disclosure)
	}
}

// unmetWant: -1 counts mean suppressed; extra is an int or nil.
type unmetWant struct {
	slot          string
	passed, unmet int64
	percent       any
	extra         any
}

func checkUnmetSlots(t *testing.T, label string, got []UnmetSlot, want []unmetWant) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %+v", label, got)
	}
	pub := func(n int64) Count {
		if n < 0 {
			return star
		}
		return num(n)
	}
	for i, w := range want {
		g := got[i]
		l := label + " " + w.slot
		if g.Slot != w.slot {
			t.Errorf("%s: slot %s", l, g.Slot)
		}
		checkCount(t, l+" window passed", g.WindowPassed, pub(w.passed))
		checkCount(t, l+" unmet", g.Unmet, pub(w.unmet))
		checkFloat(t, l+" unmet percent", g.UnmetPercent, w.percent)
		checkInt(t, l+" extra courses", g.ExtraCourses, w.extra)
	}
}

type estimateWant struct {
	slot    string
	average any
	extra   any
}

func checkEstimates(t *testing.T, got []UnmetEstimate, want []estimateWant) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("estimates: %+v", got)
	}
	for i, w := range want {
		if got[i].Slot != w.slot {
			t.Errorf("estimate %d = %s, want %s", i, got[i].Slot, w.slot)
		}
		checkFloat(t, w.slot+" average unmet", got[i].AverageUnmet, w.average)
		checkInt(t, w.slot+" extra courses", got[i].ExtraCourses, w.extra)
	}
}

// TestUnmetDemandWindowEdge: as of 2026-03-31, a referral of 2025-12-31
// has had exactly its 90 days (2025-12-31 + 90 = 2026-03-31), so it and
// its quarter count as final.
func TestUnmetDemandWindowEdge(t *testing.T) {
	f := newFixture(t)
	f.boroughPractices("2025Q4", "2026Q1")
	f.referral(referral{ID: "EDGE", Practice: "F83004", Date: "2025-12-31", PreferredSlot: SlotEvening})
	got, err := f.store().UnmetDemand(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if q := got.Quarters[0]; q.Quarter != "2025Q4" || !q.Final {
		t.Errorf("2025Q4 = %+v, want final", q)
	}
	checkUnmetSlots(t, "2025Q4", got.Quarters[0].Slots[1:2], []unmetWant{{SlotEvening, 1, 1, 100.0, 1}})
	if !reflect.DeepEqual(got.EstimateQuarters, []string{"2025Q4"}) {
		t.Errorf("estimate quarters = %v, want 2025Q4", got.EstimateQuarters)
	}
}
