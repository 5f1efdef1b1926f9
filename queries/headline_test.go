package queries

import (
	"context"
	"testing"
)

type tileWant struct {
	quarter, previous string
	k, n              int64
	pct, prevPct      float64
	change            float64
	provisional, note bool
}

func checkRateTile(t *testing.T, name string, got HeadlineTile, w tileWant) {
	t.Helper()
	if got.Quarter != w.quarter || got.PreviousQuarter != w.previous {
		t.Errorf("%s: quarter %q vs %q, want %q vs %q", name, got.Quarter, got.PreviousQuarter, w.quarter, w.previous)
	}
	if got.Rate == nil {
		t.Fatalf("%s: no rate", name)
	}
	pwCheckProportion(t, name, *got.Rate, pwN(w.k), pwN(w.n), w.pct, w.k, w.n)
	pwCheckPct(t, name+" previous", got.PreviousPercent, w.prevPct)
	pwCheckPct(t, name+" change", got.ChangePoints, w.change)
	if got.Provisional != w.provisional || (got.Note != "") != w.note {
		t.Errorf("%s: provisional %v, note %q; want %v, note %v", name, got.Provisional, got.Note, w.provisional, w.note)
	}
	if got.Count != nil {
		t.Errorf("%s: a rate tile with a count", name)
	}
}

func checkReferralsTile(t *testing.T, got HeadlineTile, quarter, previous string, n int64, prev Count, change int64) {
	t.Helper()
	if got.Quarter != quarter || got.PreviousQuarter != previous || got.Count == nil || *got.Count != pwN(n) {
		t.Errorf("referrals tile %s vs %s = %v, want %s vs %s = %d", got.Quarter, got.PreviousQuarter, got.Count, quarter, previous, n)
		return
	}
	if got.PreviousCount == nil || *got.PreviousCount != prev || got.CountChange == nil || *got.CountChange != change {
		t.Errorf("referrals tile previous %v change %v, want %v %d", got.PreviousCount, got.CountChange, prev, change)
	}
	if got.Rate != nil || got.Provisional {
		t.Errorf("referrals tile has a rate or is provisional")
	}
}

// TestHeadline: buildTrendsFixture (figures in its comment). Referrals
// show the latest quarter, 2026Q2 (1, up 1 from 2026Q1's 0). The rate
// tiles show 2025Q4, the latest final cohort, against 2025Q3, each with a
// note saying later cohorts are still maturing.
func TestHeadline(t *testing.T) {
	s := buildTrendsFixture(t).store()
	got, err := s.Headline(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	checkReferralsTile(t, got.Referrals, "2026Q2", "2026Q1", 1, pwN(0), 1)
	checkRateTile(t, "conversion", got.Conversion, tileWant{"2025Q4", "2025Q3", 3, 5, 60, 50, 10, false, true})
	checkRateTile(t, "completion", got.Completion, tileWant{"2025Q4", "2025Q3", 1, 5, 20, 25, -5, false, true})
	checkRateTile(t, "follow-up", got.FollowUp, tileWant{"2025Q4", "2025Q3", 1, 2, 50, 100, -50, false, true})
	checkRateTile(t, "coding", got.Coding, tileWant{"2025Q4", "2025Q3", 1, 3, 100.0 / 3, 100, 100.0/3 - 100, false, true})
	if got.AsOf != "2026-06-30" || got.Conversion.Title != "Conversion" {
		t.Errorf("as of %q, title %q", got.AsOf, got.Conversion.Title)
	}

	// One quarter, 2025Q4: it is the latest of the range, so no note, and
	// it is compared with 2025Q3 although that lies outside the range.
	got, err = s.Headline(context.Background(), Filter{From: "2025Q4", To: "2025Q4"})
	if err != nil {
		t.Fatal(err)
	}
	checkReferralsTile(t, got.Referrals, "2025Q4", "2025Q3", 7, pwN(4), 3)
	checkRateTile(t, "conversion 2025Q4", got.Conversion, tileWant{"2025Q4", "2025Q3", 3, 5, 60, 50, 10, false, false})

	// Only 2026Q2: no final cohort in the range, so the tile shows the
	// provisional latest quarter; 2026Q1 has no rate to compare with.
	got, err = s.Headline(context.Background(), Filter{From: "2026Q2"})
	if err != nil {
		t.Fatal(err)
	}
	checkRateTile(t, "conversion 2026Q2", got.Conversion, tileWant{"2026Q2", "2026Q1", 0, 1, 0, pwNone, pwNone, true, true})
	checkRateTile(t, "coding 2026Q2", got.Coding, tileWant{"2026Q2", "2026Q1", 0, 0, pwNone, pwNone, pwNone, true, true})
}

// TestHeadlinePendingFollowUp: R10, referred 2025-10-05, had "no response"
// recorded 2026-06-10 and the practice was told 2026-06-15; its 28 days
// run to 2026-07-13, after the data end. 2025Q4's follow-up and coding are
// therefore not final, and those tiles fall back to 2025Q3 (100%, no
// earlier quarter loaded). Conversion stays on 2025Q4, now 3 of 6.
func TestHeadlinePendingFollowUp(t *testing.T) {
	f := buildTrendsFixture(t)
	f.referral(referral{ID: "R10", Practice: "F83004", Date: "2025-10-05"})
	f.outcome("R10", "no response", "2026-06-10", "2026-06-15")
	got, err := f.store().Headline(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	checkRateTile(t, "follow-up", got.FollowUp, tileWant{"2025Q3", "", 1, 1, 100, pwNone, pwNone, false, true})
	checkRateTile(t, "coding", got.Coding, tileWant{"2025Q3", "", 1, 1, 100, pwNone, pwNone, false, true})
	checkRateTile(t, "conversion", got.Conversion, tileWant{"2025Q4", "2025Q3", 3, 6, 50, 50, 0, false, true})
}

// TestHeadlineSelectsNothing: nobody was referred by text message. Every
// tile still names its quarter; counts are 0 and rates missing.
func TestHeadlineSelectsNothing(t *testing.T) {
	s := buildTrendsFixture(t).store()
	got, err := s.Headline(context.Background(), Filter{Channel: "text message"})
	if err != nil {
		t.Fatal(err)
	}
	checkReferralsTile(t, got.Referrals, "2026Q2", "2026Q1", 0, pwN(0), 0)
	checkRateTile(t, "conversion", got.Conversion, tileWant{"2025Q4", "2025Q3", 0, 0, pwNone, pwNone, pwNone, false, true})
}

// TestHeadlineDisclosure: with the rule on, 2026Q2's single referral is
// "*", so the change from 2026Q1 cannot be shown.
func TestHeadlineDisclosure(t *testing.T) {
	s := buildTrendsFixture(t).store(pwDisclosing())
	got, err := s.Headline(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if r := got.Referrals; r.Count == nil || *r.Count != pwStar || r.CountChange != nil || *r.PreviousCount != pwN(0) {
		t.Errorf("referrals tile %+v, want * from 0 with no change", r)
	}
	if c := got.Conversion; c.Rate.Percent != nil || c.ChangePoints != nil || c.Rate.CILow != nil {
		t.Errorf("conversion tile: percent %v change %v ci %v; want all nil (counts suppressed)", c.Rate.Percent, c.ChangePoints, c.Rate.CILow)
	}
	// Shown: referrals * (1); conversion 3/5, completion 1/5, follow-up
	// 1/2, coding 1/3: 8 cells.
	if got.Disclosure.Suppressed != 9 {
		t.Errorf("suppressed %d, want 9", got.Disclosure.Suppressed)
	}
}
