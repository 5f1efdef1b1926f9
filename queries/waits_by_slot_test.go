package queries

import (
	"context"
	"testing"
)

func TestWaitsBySlot(t *testing.T) {
	s := buildCourseFixture(t).store()
	got, err := s.WaitsBySlot(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	// Waits in days (buildCourseFixture); X1 is not eligible. Percentiles
	// interpolate linearly: the 90th of [21 35] is 21 + 0.9×14 = 33.6; of
	// [30 60 94] it sits at rank 1.8, 60 + 0.8×34 = 87.2.
	//   preferred daytime  D1 35, D2 21          → median 28, p90 33.6
	//   preferred evening  E1 60, E2 30, E3 94; E4 not booked → 60, 87.2
	//   preferred weekend  W1 30, W2 90          → 60, 84
	//   no preference      N1 10                 → 10, 10
	//   booked daytime (C1)      D1 35, D2 21, E1 60 → 35, 35 + 0.8×25 = 55
	//   booked evening (C2, C6)  E2 30, E3 94        → 62, 30 + 0.9×64 = 87.6
	//   booked weekend (C3, C4)  N1 10, W1 30, W2 90 → 30, 30 + 0.8×60 = 78
	wantPreferred := []waitWant{
		{SlotDaytime, 2, 0, 28, 33.6}, {SlotEvening, 3, 1, 60, 87.2},
		{SlotWeekend, 2, 0, 60, 84}, {SlotNoPreference, 1, 0, 10, 10},
	}
	wantBooked := []waitWant{
		{SlotDaytime, 3, -1, 35, 55}, {SlotEvening, 2, -1, 62, 87.6}, {SlotWeekend, 3, -1, 30, 78},
	}
	checkWaits(t, "preferred", got.ByPreferredSlot, wantPreferred)
	checkWaits(t, "booked", got.ByBookedSlot, wantBooked)
	if got.Method == "" {
		t.Error("no percentile method named")
	}

	// Under the disclosure rule every group here is under 8 people: the
	// counts are "*" and the percentiles withheld.
	got, err = buildCourseFixture(t).store(withDisclosure()).WaitsBySlot(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	w := got.ByPreferredSlot[1]
	checkCount(t, "evening booked", w.Booked, star)
	checkCount(t, "evening not booked", *w.NotBooked, star)
	if !w.Suppressed || w.MedianDays != nil || w.P90Days != nil {
		t.Errorf("evening under disclosure = %+v, want percentiles withheld", w)
	}
	// 7 groups × (count + percentiles) + 1 not-booked count = 15; the
	// other not-booked counts are 0.
	if got.Disclosure.Suppressed != 15 {
		t.Errorf("suppressed = %d, want 15", got.Disclosure.Suppressed)
	}
}

type waitWant struct {
	slot              string
	booked, notBooked int64 // notBooked -1: absent
	median, p90       float64
}

func checkWaits(t *testing.T, what string, got []SlotWait, want []waitWant) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %+v", what, got)
	}
	for i, w := range want {
		g := got[i]
		label := what + " " + w.slot
		if g.Slot != w.slot {
			t.Errorf("%s %d = %s, want %s", what, i, g.Slot, w.slot)
		}
		checkCount(t, label+" booked", g.Booked, num(w.booked))
		if w.notBooked < 0 {
			if g.NotBooked != nil {
				t.Errorf("%s not booked = %v, want absent", label, *g.NotBooked)
			}
		} else if g.NotBooked == nil {
			t.Errorf("%s not booked absent", label)
		} else {
			checkCount(t, label+" not booked", *g.NotBooked, num(w.notBooked))
		}
		checkFloat(t, label+" median", g.MedianDays, w.median)
		checkFloat(t, label+" p90", g.P90Days, w.p90)
	}
}

// TestHistogramQuantile: the people [10 10 10 20 40 40] as counts per
// value. Ranks are 0-based; the p-th quantile sits at rank 5p.
func TestHistogramQuantile(t *testing.T) {
	values, people := []int64{10, 20, 40}, []int64{3, 1, 2}
	for _, c := range []struct{ p, want float64 }{
		{0, 10},    // rank 0
		{0.5, 15},  // rank 2.5: between 10 and 20
		{0.7, 30},  // rank 3.5: between 20 and 40
		{0.9, 40},  // rank 4.5: between 40 and 40
		{1, 40},    // rank 5
		{0.3, 10},  // rank 1.5: between 10 and 10
		{0.62, 22}, // rank 3.1: 20 + 0.1 × 20
	} {
		got := histogramQuantile(values, people, 6, c.p)
		checkFloat(t, "quantile", &got, c.want)
	}
	one := histogramQuantile([]int64{7}, []int64{1}, 1, 0.9)
	checkFloat(t, "quantile of one", &one, 7.0)
}
