package queries

import (
	"context"
	"testing"
)

// buildTrendsFixture is buildPathwayFixture plus a 2025Q3 cohort, with GP
// codes, as of 2026-06-30:
//
//	2025Q3 (course C0, first session 2025-08-04), final:
//	  T1 2025-07-01 attends all of C0: converted, completed
//	  T2 2025-07-02 attends sessions 1-2: converted
//	  T3 2025-07-03 did not attend (told 2025-08-10), followed up
//	     2025-08-20 (10 days), coded 9NiA on 2025-09-01
//	  T4 2025-07-04 a carer, never booked
//	  -> referrals 4, conversion 2/4 = 50%, completion 1/4 = 25%,
//	     follow-up 1/1 = 100%, coding 1/1 = 100%
//	2025Q4 (R1-R6, R8), final: referrals 7 (+3),
//	     conversion 3/5 = 60% (+10), completion 1/5 = 20% (-5),
//	     follow-up R5 of R5 R6 = 50% (-50),
//	     coding: R1 coded 9OLB of R1, R5, R6 notified = 33.3% (-66.7)
//	2026Q1: no referrals (-7); no rates; provisional
//	2026Q2: R7: referrals 1 (+1), conversion 0/1 = 0%, provisional; no
//	     change (2026Q1 has no rate)
func buildTrendsFixture(tb testing.TB) *fixture {
	f := buildPathwayFixture(tb)
	f.loaded("2025Q3")
	f.course(course{ID: "C0", Venue: "V1", FirstDate: "2025-08-04"})
	f.referral(referral{ID: "T1", Practice: "F83004", Date: "2025-07-01"})
	f.attend("T1", "C0", "2025-08-04", "1111111")
	f.referral(referral{ID: "T2", Practice: "F83004", Date: "2025-07-02"})
	f.attend("T2", "C0", "2025-08-04", "1100000")
	f.referral(referral{ID: "T3", Practice: "F83004", Date: "2025-07-03"})
	f.outcome("T3", "did not attend", "2025-08-04", "2025-08-10")
	f.followup("T3", "2025-08-20", "practice", "rebooked")
	f.gpCode("F83004", "PX-T3", "9NiA", "2025-09-01")
	f.referral(referral{ID: "T4", Practice: "F83004", Date: "2025-07-04", PatientOrCarer: "carer"})
	f.gpCode("F83004", "PX-R1", "9OLB", "2026-01-10")
	return f
}

type rateWant struct {
	k, n        int64
	pct, change float64
	provisional bool
}

func checkTrendRate(t *testing.T, name string, got TrendRate, w rateWant) {
	t.Helper()
	pwCheckProportion(t, name, got.Proportion, pwN(w.k), pwN(w.n), w.pct, w.k, w.n)
	pwCheckPct(t, name+" change", got.ChangePoints, w.change)
	if got.Provisional != w.provisional {
		t.Errorf("%s provisional %v, want %v", name, got.Provisional, w.provisional)
	}
}

func TestTrends(t *testing.T) {
	s := buildTrendsFixture(t).store()
	got, err := s.Trends(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	none := rateWant{0, 0, pwNone, pwNone, true}
	want := []struct {
		quarter                      string
		referrals                    int64
		change                       float64
		conv, comp, followUp, coding rateWant
	}{
		{"2025Q3", 4, pwNone, rateWant{2, 4, 50, pwNone, false}, rateWant{1, 4, 25, pwNone, false},
			rateWant{1, 1, 100, pwNone, false}, rateWant{1, 1, 100, pwNone, false}},
		{"2025Q4", 7, 3, rateWant{3, 5, 60, 10, false}, rateWant{1, 5, 20, -5, false},
			rateWant{1, 2, 50, -50, false}, rateWant{1, 3, 100.0 / 3, 100.0/3 - 100, false}},
		{"2026Q1", 0, -7, none, none, none, none},
		{"2026Q2", 1, 1, rateWant{0, 1, 0, pwNone, true}, rateWant{0, 1, 0, pwNone, true}, none, none},
	}
	if len(got.Quarters) != len(want) {
		t.Fatalf("%d quarters, want %d", len(got.Quarters), len(want))
	}
	for i, w := range want {
		q := got.Quarters[i]
		if q.Quarter != w.quarter {
			t.Errorf("row %d is %s, want %s", i, q.Quarter, w.quarter)
		}
		pwCheckCount(t, w.quarter+" referrals", q.Referrals, pwN(w.referrals))
		if w.change != w.change { // NaN: no change
			if q.ReferralsChange != nil {
				t.Errorf("%s referrals change %d, want nil", w.quarter, *q.ReferralsChange)
			}
		} else if q.ReferralsChange == nil || float64(*q.ReferralsChange) != w.change {
			t.Errorf("%s referrals change %v, want %v", w.quarter, q.ReferralsChange, w.change)
		}
		checkTrendRate(t, w.quarter+" conversion", q.Conversion, w.conv)
		checkTrendRate(t, w.quarter+" completion", q.Completion, w.comp)
		checkTrendRate(t, w.quarter+" follow-up", q.FollowUp, w.followUp)
		checkTrendRate(t, w.quarter+" coding", q.Coding, w.coding)
	}

	// From 2025Q4: the first row shown is still compared with 2025Q3.
	got, err = s.Trends(context.Background(), Filter{From: "2025Q4", To: "2025Q4"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Quarters) != 1 {
		t.Fatalf("one quarter: got %d", len(got.Quarters))
	}
	q := got.Quarters[0]
	if q.ReferralsChange == nil || *q.ReferralsChange != 3 {
		t.Errorf("2025Q4 referrals change %v, want 3", q.ReferralsChange)
	}
	checkTrendRate(t, "2025Q4 alone conversion", q.Conversion, rateWant{3, 5, 60, 10, false})
}

// TestTrendsDisclosure: with the rule on, 2025Q3's 4 and 2025Q4's 7
// referrals are "*", so no count change can be shown; 2026Q1's 0 stays 0.
func TestTrendsDisclosure(t *testing.T) {
	s := buildTrendsFixture(t).store(pwDisclosing())
	got, err := s.Trends(context.Background(), Filter{From: "2025Q4"})
	if err != nil {
		t.Fatal(err)
	}
	q4, q1 := got.Quarters[0], got.Quarters[1]
	pwCheckCount(t, "2025Q4 referrals", q4.Referrals, pwStar)
	pwCheckCount(t, "2026Q1 referrals", q1.Referrals, pwN(0))
	if q4.ReferralsChange != nil || q1.ReferralsChange != nil {
		t.Errorf("changes %v %v, want nil nil", q4.ReferralsChange, q1.ReferralsChange)
	}
	pwCheckPct(t, "2025Q4 conversion", q4.Conversion.Percent, pwNone)
	// Shown: 2025Q4 referrals, eligible, converted, completed, follow-up
	// due and followed up, coding due and coded (8 cells, all 1-7), and
	// 2026Q2's referral, eligible (2). 2025Q3, used only for the change,
	// is not tallied.
	if got.Disclosure.Suppressed != 10 {
		t.Errorf("suppressed %d, want 10", got.Disclosure.Suppressed)
	}
}

func TestPreviousQuarter(t *testing.T) {
	for q, want := range map[string]string{"2026Q1": "2025Q4", "2026Q2": "2026Q1", "2025Q4": "2025Q3", "2000Q1": "1999Q4"} {
		if got := previousQuarter(q); got != want {
			t.Errorf("previousQuarter(%s) = %s, want %s", q, got, want)
		}
	}
}

// TestTrendsFollowUpFinalDespiteUnnotified: a non-attender the practice was
// never told about is outside the follow-up rate (which starts at
// notification), so it must not keep an old cohort provisional for ever.
//
// As of 2026-06-30, cohort 2025Q4 is final (2025-12-31 + 180 days =
// 2026-06-29):
//
//	N1 did not attend, notified 2025-11-10, followed up on day 3: 1 of 1.
//	N2 did not attend, never notified: not in the rate.
//
// The follow-up rate is 1 of 1 = 100%, final.
func TestTrendsFollowUpFinalDespiteUnnotified(t *testing.T) {
	f := newFixture(t)
	for _, q := range []string{"2025Q4", "2026Q1", "2026Q2"} {
		f.practice(q, "F83004", "Hanley Road Surgery", "North PCN", 400)
		f.loaded(q)
	}
	f.referral(referral{ID: "N1", Practice: "F83004", Date: "2025-10-01"})
	f.outcome("N1", "did not attend", "2025-11-03", "2025-11-10")
	f.followup("N1", "2025-11-13", "practice", "rebooked")
	f.referral(referral{ID: "N2", Practice: "F83004", Date: "2025-10-02"})
	f.outcome("N2", "did not attend", "2025-11-03", "")
	got, err := f.store().Trends(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	q := got.Quarters[0]
	if q.Quarter != "2025Q4" {
		t.Fatalf("first quarter %s, want 2025Q4", q.Quarter)
	}
	checkTrendRate(t, "2025Q4 follow-up", q.FollowUp, rateWant{k: 1, n: 1, pct: 100, change: pwNone, provisional: false})
}
