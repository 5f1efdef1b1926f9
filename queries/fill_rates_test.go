package queries

import (
	"context"
	"errors"
	"slices"
	"testing"
)

func TestFillRates(t *testing.T) {
	s := buildCourseFixture(t).store()
	got, err := s.FillRates(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if got.CancelledCount != 1 {
		t.Errorf("cancelled = %d, want 1 (C5)", got.CancelledCount)
	}

	// 5 courses, 68 places, 9 booked.
	checkFillGroup(t, got.All, "", 5, 68, 9)
	// Venues by name: Archway Centre C4 (C5 cancelled); Hornsey Road Baths
	// C1, C2, C6; Online C3.
	checkFillGroups(t, "venue", got.ByVenue, []fillWant{
		{"V2", 1, 12, 1}, {"V1", 3, 40, 5}, {"", 1, 16, 3},
	})
	checkFillGroups(t, "slot", got.BySlot, []fillWant{
		{SlotDaytime, 1, 14, 3}, {SlotEvening, 2, 26, 2}, {SlotWeekend, 2, 28, 4},
	})
	checkFillGroups(t, "language", got.ByLanguage, []fillWant{
		{"English", 4, 56, 8}, {"Turkish", 1, 12, 1},
	})
	checkFillGroups(t, "mode", got.ByMode, []fillWant{
		{"face-to-face", 4, 52, 6}, {"online", 1, 16, 3},
	})
	if got.ByVenue[2].Label != "Online" {
		t.Errorf("online venue label = %q", got.ByVenue[2].Label)
	}

	// The course part of the filter: courses starting in 2026Q2 are C4,
	// C6 and the cancelled C5; the practice filter does not apply.
	got, err = s.FillRates(context.Background(), Filter{From: "2026Q2", Practice: "F83010"})
	if err != nil {
		t.Fatal(err)
	}
	checkFillGroup(t, got.All, "", 2, 26, 2)
	checkFillGroups(t, "2026Q2 slot", got.BySlot, []fillWant{
		{SlotDaytime, 0, 0, 0}, {SlotEvening, 1, 14, 1}, {SlotWeekend, 1, 12, 1},
	})
	if got.CancelledCount != 1 {
		t.Errorf("2026Q2 cancelled = %d, want 1", got.CancelledCount)
	}
}

func TestCourseFills(t *testing.T) {
	s := buildCourseFixture(t).store()
	got, err := s.CourseFills(context.Background(), Filter{}, CoursePage{})
	if err != nil {
		t.Fatal(err)
	}
	// Courses that ran, the most recent first session first (see
	// buildCourseFixture).
	wantCourses := []struct {
		id, slot, venue string
		capacity        int64
		booked          int64
		fill            float64
	}{
		{"C6", SlotEvening, "Hornsey Road Baths", 14, 1, 100 * 1.0 / 14},
		{"C4", SlotWeekend, "Archway Centre", 12, 1, 100 * 1.0 / 12},
		{"C3", SlotWeekend, "Online", 16, 3, 100 * 3.0 / 16},
		{"C2", SlotEvening, "Hornsey Road Baths", 12, 1, 100 * 1.0 / 12},
		{"C1", SlotDaytime, "Hornsey Road Baths", 14, 3, 100 * 3.0 / 14},
	}
	if len(got.Courses) != len(wantCourses) {
		t.Fatalf("courses: %+v", got.Courses)
	}
	for i, w := range wantCourses {
		c := got.Courses[i]
		if c.CourseID != w.id || c.Slot != w.slot || c.VenueName != w.venue || c.Capacity != w.capacity || c.Status != "ran" {
			t.Errorf("course %d = %+v, want %s %s %s %d", i, c, w.id, w.slot, w.venue, w.capacity)
		}
		checkCount(t, w.id+" booked", c.Booked, num(w.booked))
		checkFloat(t, w.id+" fill rate", c.FillRate, w.fill)
	}
	if c := got.Courses[4]; c.StartTime != "16:59" || c.Weekday != "Monday" || c.FirstSessionDate != "2026-01-05" || c.VenueID != "V1" {
		t.Errorf("C1 = %+v", c)
	}
	if c := got.Courses[2]; c.VenueID != "" || c.Mode != "online" {
		t.Errorf("C3 = %+v, want online with no venue", c)
	}
	if got.Total != 5 || got.Cancelled != 1 {
		t.Errorf("total %d, cancelled %d; want 5 that ran and C5 cancelled", got.Total, got.Cancelled)
	}

	// Pages: two at a time, the most recent first; a page past the end
	// is empty but still counts the courses.
	for _, p := range []struct {
		page CoursePage
		want []string
	}{
		{CoursePage{Limit: 2}, []string{"C6", "C4"}},
		{CoursePage{Limit: 2, Offset: 2}, []string{"C3", "C2"}},
		{CoursePage{Limit: 2, Offset: 4}, []string{"C1"}},
		{CoursePage{Limit: 2, Offset: 6}, nil},
	} {
		got, err := s.CourseFills(context.Background(), Filter{}, p.page)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, c := range got.Courses {
			ids = append(ids, c.CourseID)
		}
		if !slices.Equal(ids, p.want) || got.Total != 5 || got.Cancelled != 1 || got.Page != p.page {
			t.Errorf("%+v: %v of %d (%d cancelled), page %+v; want %v of 5", p.page, ids, got.Total, got.Cancelled, got.Page, p.want)
		}
	}
	for _, bad := range []CoursePage{{Limit: -1}, {Limit: MaxCourseLimit + 1}, {Limit: 10, Offset: -1}} {
		var fe *FilterError
		if _, err := s.CourseFills(context.Background(), Filter{}, bad); !errors.As(err, &fe) {
			t.Errorf("%+v: %v; want a FilterError", bad, err)
		}
	}

	// The course part of the filter: courses starting in 2026Q2 are C6,
	// C4 and the cancelled C5; the practice filter does not apply.
	got, err = s.CourseFills(context.Background(), Filter{From: "2026Q2", Practice: "F83010"}, CoursePage{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Courses) != 2 || got.Courses[0].CourseID != "C6" || got.Courses[1].CourseID != "C4" || got.Total != 2 || got.Cancelled != 1 {
		t.Errorf("2026Q2 = %+v, %d in all, %d cancelled; want C6, C4 and C5 cancelled", got.Courses, got.Total, got.Cancelled)
	}
}

type fillWant struct {
	key            string
	courses        int
	places, booked int64
}

func checkFillGroups(t *testing.T, what string, got []FillGroup, want []fillWant) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s groups: %+v", what, got)
	}
	for i, w := range want {
		checkFillGroup(t, got[i], w.key, w.courses, w.places, w.booked)
	}
}

func checkFillGroup(t *testing.T, g FillGroup, key string, courses int, places, booked int64) {
	t.Helper()
	if g.Key != key || g.Courses != courses || g.Places != places {
		t.Errorf("group %+v, want key %q, %d courses, %d places", g, key, courses, places)
	}
	checkCount(t, "group "+key+" booked", g.Booked, num(booked))
	var fill any
	if places > 0 {
		fill = 100 * float64(booked) / float64(places)
	}
	checkFloat(t, "group "+key+" fill rate", g.FillRate, fill)
}
