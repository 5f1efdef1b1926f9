package queries

import (
	"context"
	"testing"
)

func TestDemandHeatmap(t *testing.T) {
	s := buildCourseFixture(t).store()
	got, err := s.DemandHeatmap(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	// Courses that ran start at 10 (C3), 14 (C4), 16 (C1, 16:59), 17 (C2)
	// and 18 (C6): hours 10 to 18, every hour between included; 7 × 9
	// cells.
	if len(got.Hours) != 9 || got.Hours[0] != 10 || got.Hours[8] != 18 {
		t.Errorf("hours = %v, want 10..18", got.Hours)
	}
	if len(got.Weekdays) != 7 || got.Weekdays[0] != "Monday" || got.Weekdays[6] != "Sunday" {
		t.Errorf("weekdays = %v", got.Weekdays)
	}
	if len(got.Cells) != 63 {
		t.Fatalf("%d cells, want 63", len(got.Cells))
	}
	cells := map[string]HeatmapCell{}
	var places int64
	for _, c := range got.Cells {
		cells[c.Weekday+" "+string(rune('0'+c.Hour/10))+string(rune('0'+c.Hour%10))] = c
		places += c.Places
	}
	want := []struct {
		cell                    string
		courses, places, booked int64
		fill                    any
	}{
		{"Monday 16", 1, 14, 3, 100 * 3.0 / 14},
		{"Monday 18", 1, 14, 1, 100 * 1.0 / 14},
		{"Tuesday 17", 1, 12, 1, 100 * 1.0 / 12},
		{"Saturday 10", 1, 16, 3, 100 * 3.0 / 16},
		{"Sunday 14", 1, 12, 1, 100 * 1.0 / 12},
		{"Wednesday 10", 0, 0, 0, nil}, // C5 was cancelled
		{"Monday 17", 0, 0, 0, nil},
	}
	for _, w := range want {
		c := cells[w.cell]
		if c.Courses != w.courses || c.Places != w.places {
			t.Errorf("%s = %+v, want %d courses, %d places", w.cell, c, w.courses, w.places)
		}
		checkCount(t, w.cell+" booked", c.Booked, num(w.booked))
		checkFloat(t, w.cell+" fill rate", c.FillRate, w.fill)
	}
	if places != 68 {
		t.Errorf("places in all cells = %d, want 68", places)
	}

	// Preferences of the 9 eligible referrals: D1 D2; E1-E4; W1 W2; N1.
	checkCount(t, "eligible", got.Eligible, num(9))
	for i, w := range []struct {
		slot string
		n    int64
	}{{SlotDaytime, 2}, {SlotEvening, 4}, {SlotWeekend, 2}, {SlotNoPreference, 1}} {
		p := got.Preferences[i]
		if p.Slot != w.slot {
			t.Errorf("preference %d = %s, want %s", i, p.Slot, w.slot)
		}
		checkCount(t, w.slot+" referrals", p.Referrals, num(w.n))
		checkFloat(t, w.slot+" percent", p.Percent, 100*float64(w.n)/9)
	}

	// No courses in the selection: no hours, no cells.
	got, err = s.DemandHeatmap(context.Background(), Filter{To: "2025Q4"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Hours) != 0 || len(got.Cells) != 0 {
		t.Errorf("2025Q4 heatmap = %v hours, %d cells; want none", got.Hours, len(got.Cells))
	}
}
