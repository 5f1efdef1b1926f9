package queries

import (
	"context"
	"testing"
)

// TestConversionByCohort: buildPathwayFixture, disclosure off.
//
//	2025Q4: eligible R1 R2 R5 R6 R8 = 5; converted R1 R2 R5 = 3 (60%);
//	        completed R1 = 1 (20%). Final: 2025-12-31 + 180 = 2026-06-29.
//	2026Q1: loaded, no referrals: zeros, no percentages; provisional.
//	2026Q2: eligible R7 = 1; 0 converted (0%); provisional.
//
// Intervals: Wilson 95% of 3/5, 1/5, 0/1, 0/1.
func TestConversionByCohort(t *testing.T) {
	s := buildPathwayFixture(t).store()
	got, err := s.ConversionByCohort(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		quarter                   string
		provisional               bool
		eligible, conv, completed int64
		convPct, compPct          float64
	}{
		{"2025Q4", false, 5, 3, 1, 60, 20},
		{"2026Q1", true, 0, 0, 0, pwNone, pwNone},
		{"2026Q2", true, 1, 0, 0, 0, 0},
	}
	if len(got.Cohorts) != len(want) {
		t.Fatalf("%d cohorts, want %d: %+v", len(got.Cohorts), len(want), got.Cohorts)
	}
	for i, w := range want {
		c := got.Cohorts[i]
		if c.Quarter != w.quarter || c.Provisional != w.provisional {
			t.Errorf("cohort %d = %s provisional %v, want %s %v", i, c.Quarter, c.Provisional, w.quarter, w.provisional)
		}
		pwCheckCount(t, w.quarter+" eligible", c.Eligible, pwN(w.eligible))
		pwCheckProportion(t, w.quarter+" conversion", c.Conversion, pwN(w.conv), pwN(w.eligible), w.convPct, w.conv, w.eligible)
		pwCheckProportion(t, w.quarter+" completion", c.Completion, pwN(w.completed), pwN(w.eligible), w.compPct, w.completed, w.eligible)
	}
	if got.WindowDays != 180 || got.CompletionSessions != 5 || got.AsOf != "2026-06-30" {
		t.Errorf("window %d, sessions %d, as of %s", got.WindowDays, got.CompletionSessions, got.AsOf)
	}

	// A filter that selects nothing (nobody self-referred): every loaded
	// quarter stays, with zeros and no percentages or intervals.
	got, err = s.ConversionByCohort(context.Background(), Filter{Referrer: "self"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Cohorts) != 3 {
		t.Fatalf("selecting nothing: %d cohorts, want 3", len(got.Cohorts))
	}
	for _, c := range got.Cohorts {
		pwCheckProportion(t, c.Quarter+" nothing", c.Conversion, pwN(0), pwN(0), pwNone, 0, 0)
	}
}

// TestConversionByCohortDisclosure: buildRoundingFixture, rule on.
//
//	2025Q4: eligible 18 -> 20, converted 8 -> 10, completed 3 -> *.
//	        Conversion 10/20 = 50% from the published counts (truly 8/18 =
//	        44.4%); the interval is Wilson of the published 10/20,
//	        29.9-70.1% (before issue 10, of the true 8/18: 24.6-66.3%).
//	        Completion is missing, and so is its interval.
//	2026Q1: zeros.
//	2026Q2: eligible 3 -> *, converted 2 -> *, completed 0 -> 0; no
//	        percentages and no intervals.
//
// Suppressed cells: Q4 completed, Q2 eligible, Q2 converted = 3.
func TestConversionByCohortDisclosure(t *testing.T) {
	s := buildRoundingFixture(t).store(pwDisclosing())
	got, err := s.ConversionByCohort(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Cohorts) != 3 {
		t.Fatalf("%d cohorts, want 3", len(got.Cohorts))
	}
	q4, q1, q2 := got.Cohorts[0], got.Cohorts[1], got.Cohorts[2]
	pwCheckCount(t, "Q4 eligible", q4.Eligible, pwN(20))
	pwCheckProportion(t, "Q4 conversion", q4.Conversion, pwN(10), pwN(20), 50, 8, 18)
	pwCheckProportion(t, "Q4 completion", q4.Completion, pwStar, pwN(20), pwNone, 3, 18)
	pwCheckProportion(t, "Q1 conversion", q1.Conversion, pwN(0), pwN(0), pwNone, 0, 0)
	pwCheckCount(t, "Q2 eligible", q2.Eligible, pwStar)
	pwCheckProportion(t, "Q2 conversion", q2.Conversion, pwStar, pwStar, pwNone, 2, 3)
	pwCheckProportion(t, "Q2 completion", q2.Completion, pwN(0), pwStar, pwNone, 0, 3)
	if q4.Provisional || q1.Provisional != true || q2.Provisional != true {
		t.Errorf("provisional %v %v %v, want false true true", q4.Provisional, q1.Provisional, q2.Provisional)
	}
	if got.Disclosure.Suppressed != 3 {
		t.Errorf("suppressed %d, want 3", got.Disclosure.Suppressed)
	}
}
