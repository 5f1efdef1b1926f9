package queries

import (
	"context"
	"errors"
	"slices"
	"testing"
)

func checkStages(t *testing.T, got Funnel, people []Count, ofReferred, ofPrevious []float64) {
	t.Helper()
	keys := []string{"referred", "eligible", "booked", "started", "completed"}
	if len(got.Stages) != len(keys) {
		t.Fatalf("%d stages, want %d", len(got.Stages), len(keys))
	}
	for i, st := range got.Stages {
		if st.Stage != keys[i] {
			t.Errorf("stage %d = %q, want %q", i, st.Stage, keys[i])
		}
		pwCheckCount(t, st.Stage, st.People, people[i])
		pwCheckPct(t, st.Stage+" % of referred", st.PercentOfReferred, ofReferred[i])
		pwCheckPct(t, st.Stage+" % of previous", st.PercentOfPrevious, ofPrevious[i])
	}
}

// TestFunnel: buildPathwayFixture, disclosure off.
//
//	referred  R1-R8                                  8
//	eligible  R1 R2 R5 R6 R7 R8 (R3 too recently diagnosed, R4 ruled out)  6
//	booked    R1 R2 (C1), R5 (C2), R8 (C3)            4
//	started   R1, R2 (missed session 1, came to 2), R5; R8 first attended
//	          212 days after referral                  3
//	completed R1 (7 sessions); R2 and R5 came to 2    1
//
// R7 (2026-05-01) is the only referral whose 180 days have not passed.
// Quarters ending 2025-12-31 + 180 = 2026-06-29 <= 2026-06-30: 2025Q4 is
// final; 2026Q1 (2026-03-31 + 180 = 2026-09-27) and 2026Q2 are maturing.
func TestFunnel(t *testing.T) {
	s := buildPathwayFixture(t).store()
	got, err := s.Funnel(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	checkStages(t, got,
		[]Count{pwN(8), pwN(6), pwN(4), pwN(3), pwN(1)},
		[]float64{100, 75, 50, 37.5, 12.5},
		[]float64{pwNone, 75, 100 * 4.0 / 6, 75, 100.0 / 3})
	pwCheckCount(t, "provisional referrals", got.ProvisionalReferrals, pwN(1))
	if !got.Provisional || !slices.Equal(got.ProvisionalQuarters, []string{"2026Q1", "2026Q2"}) {
		t.Errorf("provisional %v, quarters %v; want true, [2026Q1 2026Q2]", got.Provisional, got.ProvisionalQuarters)
	}
	if got.AsOf != "2026-06-30" || got.WindowDays != 180 || got.Disclosure.Applied {
		t.Errorf("as of %q, window %d, disclosure %+v", got.AsOf, got.WindowDays, got.Disclosure)
	}

	// Only the final quarter: nothing maturing.
	got, err = s.Funnel(context.Background(), Filter{To: "2025Q4"})
	if err != nil {
		t.Fatal(err)
	}
	checkStages(t, got,
		[]Count{pwN(7), pwN(5), pwN(4), pwN(3), pwN(1)},
		[]float64{100, 100 * 5.0 / 7, 100 * 4.0 / 7, 100 * 3.0 / 7, 100.0 / 7},
		[]float64{pwNone, 100 * 5.0 / 7, 80, 75, 100.0 / 3})
	if got.Provisional || got.ProvisionalReferrals != pwN(0) || len(got.ProvisionalQuarters) != 0 || got.Filter.To != "2025Q4" {
		t.Errorf("final range: provisional %v %v %v, filter %+v", got.Provisional, got.ProvisionalReferrals, got.ProvisionalQuarters, got.Filter)
	}
}

// TestFunnelSelectsNothing: no referral came by text message; every
// stage is 0 and every percentage is missing (no base).
func TestFunnelSelectsNothing(t *testing.T) {
	s := buildPathwayFixture(t).store()
	got, err := s.Funnel(context.Background(), Filter{Channel: "text message"})
	if err != nil {
		t.Fatal(err)
	}
	zero := []Count{pwN(0), pwN(0), pwN(0), pwN(0), pwN(0)}
	none := []float64{pwNone, pwNone, pwNone, pwNone, pwNone}
	checkStages(t, got, zero, none, none)
	if got.Provisional || got.ProvisionalReferrals != pwN(0) {
		t.Errorf("provisional %v %v, want false 0", got.Provisional, got.ProvisionalReferrals)
	}
}

// TestFunnelDisclosure: buildRoundingFixture with the rule on.
//
//	true:      referred 26, eligible 21, booked 14, started 10, completed 3
//	published: 25,          20,          15,         10,         *
//	% of referred (from published): 100, 80, 60, 40, -
//	% of previous:                   -, 80, 75, 66.67, -
//
// (The true eligible share is 21/26 = 80.77%; the page shows 80%.)
// Provisional referrals: D24-D26 = 3, shown "*". Two cells suppressed.
func TestFunnelDisclosure(t *testing.T) {
	s := buildRoundingFixture(t).store(pwDisclosing())
	got, err := s.Funnel(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	checkStages(t, got,
		[]Count{pwN(25), pwN(20), pwN(15), pwN(10), pwStar},
		[]float64{100, 80, 60, 40, pwNone},
		[]float64{pwNone, 80, 75, 100 * 10.0 / 15, pwNone})
	pwCheckCount(t, "provisional referrals", got.ProvisionalReferrals, pwStar)
	if !got.Provisional || !got.Disclosure.Applied || got.Disclosure.Suppressed != 2 {
		t.Errorf("provisional %v, disclosure %+v; want true, applied with 2 suppressed", got.Provisional, got.Disclosure)
	}

	// The same data without the rule: exact counts and percentages.
	s = buildRoundingFixture(t).store()
	got, err = s.Funnel(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	checkStages(t, got,
		[]Count{pwN(26), pwN(21), pwN(14), pwN(10), pwN(3)},
		[]float64{100, 100 * 21.0 / 26, 100 * 14.0 / 26, 100 * 10.0 / 26, 100 * 3.0 / 26},
		[]float64{pwNone, 100 * 21.0 / 26, 100 * 14.0 / 21, 100 * 10.0 / 14, 30})
}

func TestFunnelBadFilter(t *testing.T) {
	s := buildPathwayFixture(t).store()
	_, err := s.Funnel(context.Background(), Filter{Practice: "Z99999"})
	var fe *FilterError
	if !errors.As(err, &fe) || fe.Field != "practice" {
		t.Errorf("err = %v, want a FilterError on practice", err)
	}
}
