package queries

import (
	"context"
	"testing"
)

func checkWait(t *testing.T, name string, got SessionWait, people Count, median, p90 float64, suppressed, provisional bool) {
	t.Helper()
	pwCheckCount(t, name+" people", got.People, people)
	pwCheckPct(t, name+" median", got.MedianDays, median)
	pwCheckPct(t, name+" p90", got.P90Days, p90)
	if got.Suppressed != suppressed || got.Provisional != provisional {
		t.Errorf("%s: suppressed %v provisional %v, want %v %v", name, got.Suppressed, got.Provisional, suppressed, provisional)
	}
}

// TestTimeToFirstSession: buildPathwayFixture, disclosure off. Converted
// eligible referrals, all in 2025Q4: R1 33 days, R2 39 (missed session 1,
// came on 2025-11-10), R5 94 (2025-10-03 to 2026-01-05). R8 (212 days) did
// not convert and is left out.
//
//	median = 39; 90th percentile: position (3-1) x 0.9 = 1.8, so
//	39 + 0.8 x (94 - 39) = 83.
//
// The range includes the maturing 2026Q1 and 2026Q2, so the overall row
// is provisional; those quarters have no starters.
func TestTimeToFirstSession(t *testing.T) {
	s := buildPathwayFixture(t).store()
	got, err := s.TimeToFirstSession(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	checkWait(t, "overall", got.Overall, pwN(3), 39, 83, false, true)
	if len(got.Cohorts) != 3 {
		t.Fatalf("%d cohorts, want 3", len(got.Cohorts))
	}
	checkWait(t, "2025Q4", got.Cohorts[0].SessionWait, pwN(3), 39, 83, false, false)
	checkWait(t, "2026Q1", got.Cohorts[1].SessionWait, pwN(0), pwNone, pwNone, false, true)
	checkWait(t, "2026Q2", got.Cohorts[2].SessionWait, pwN(0), pwNone, pwNone, false, true)
	if got.Cohorts[0].Quarter != "2025Q4" || got.Cohorts[2].Quarter != "2026Q2" || got.Method == "" {
		t.Errorf("quarters %s..%s, method %q", got.Cohorts[0].Quarter, got.Cohorts[2].Quarter, got.Method)
	}

	// The final quarter alone is not provisional.
	got, err = s.TimeToFirstSession(context.Background(), Filter{To: "2025Q4"})
	if err != nil {
		t.Fatal(err)
	}
	checkWait(t, "overall to 2025Q4", got.Overall, pwN(3), 39, 83, false, false)
}

// TestTimeToFirstSessionDisclosure: buildRoundingFixture, rule on.
//
//	2025Q4: D01-D08 waited 33, 32, ..., 26 days: 8 people, not fewer than
//	        the threshold of 8, so shown. People published as 10.
//	        median of 26..33 = (29 + 30) / 2 = 29.5;
//	        90th: position 7 x 0.9 = 6.3 -> 32 + 0.3 x (33 - 32) = 32.3.
//	2026Q2: D24 33 and D25 32: 2 people -> "*", both percentiles withheld.
//	overall: 10 people; sorted 26 27 28 29 30 31 32 32 33 33;
//	        median (30 + 31) / 2 = 30.5; 90th: position 9 x 0.9 = 8.1 ->
//	        33 + 0.1 x (33 - 33) = 33.
//
// Suppressed cells: Q2's people, median and 90th percentile = 3.
func TestTimeToFirstSessionDisclosure(t *testing.T) {
	s := buildRoundingFixture(t).store(pwDisclosing())
	got, err := s.TimeToFirstSession(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	checkWait(t, "overall", got.Overall, pwN(10), 30.5, 33, false, true)
	checkWait(t, "2025Q4", got.Cohorts[0].SessionWait, pwN(10), 29.5, 32.3, false, false)
	checkWait(t, "2026Q1", got.Cohorts[1].SessionWait, pwN(0), pwNone, pwNone, false, true)
	checkWait(t, "2026Q2", got.Cohorts[2].SessionWait, pwStar, pwNone, pwNone, true, true)
	if got.Disclosure.Suppressed != 3 {
		t.Errorf("suppressed %d, want 3", got.Disclosure.Suppressed)
	}

	// Without the rule the two people of 2026Q2 are shown: median 32.5,
	// 90th 32 + 0.9 x 1 = 32.9.
	s = buildRoundingFixture(t).store()
	got, err = s.TimeToFirstSession(context.Background(), Filter{From: "2026Q2"})
	if err != nil {
		t.Fatal(err)
	}
	checkWait(t, "2026Q2 exact", got.Cohorts[0].SessionWait, pwN(2), 32.5, 32.9, false, true)
	checkWait(t, "overall from 2026Q2", got.Overall, pwN(2), 32.5, 32.9, false, true)
}
