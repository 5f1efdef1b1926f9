package queries

import (
	"context"
	"testing"
)

// buildCampaignFixture is a borough as of 2026-06-30 with data from
// 2025-10-01 (2025Q4 to 2026Q2 loaded). Windows are 8 weeks: before =
// the 56 days up to the day before sending, after = the day sent and the
// 55 days that follow.
//
//	campaign  practice  sent        before window            after window             referrals before / after
//	T3        F83020    2025-10-20  2025-08-25..2025-10-19   2025-10-20..2025-12-14   0 / 1 (before starts before the data)
//	T1        F83004    2026-02-01  2025-12-07..2026-01-31   2026-02-01..2026-03-28   2 / 4
//	T4        F83010    2026-03-01  2026-01-04..2026-02-28   2026-03-01..2026-04-25   0 / 2 (overlaps T5)
//	T5        F83010    2026-04-10  2026-02-13..2026-04-09   2026-04-10..2026-06-04   1 / 1 (overlaps T4)
//	T2        F83020    2026-06-01  2026-04-06..2026-05-31   2026-06-01..2026-07-26   1 / 1 (after runs past the data)
//
// Hanley Road's referrals on 2025-12-06 and 2026-03-29 fall just outside
// T1's windows; its 2026-02-20 referral is a self-referral by phone.
func buildCampaignFixture(tb testing.TB) *fixture {
	f := newFixture(tb)
	f.boroughPractices("2025Q4", "2026Q1", "2026Q2")
	f.campaign("F83020", "2025-10-20", 150)
	f.campaign("F83004", "2026-02-01", 500)
	f.campaign("F83010", "2026-03-01", 300)
	f.campaign("F83010", "2026-04-10", 280)
	f.campaign("F83020", "2026-06-01", 160)
	for i, date := range []string{"2025-12-06", "2025-12-07", "2026-01-31", "2026-02-01", "2026-02-15", "2026-03-28", "2026-03-29"} {
		f.referral(referral{ID: "H" + string(rune('1'+i)), Practice: "F83004", Date: date})
	}
	f.referral(referral{ID: "H9", Practice: "F83004", Date: "2026-02-20", Referrer: "self", Channel: "phone"})
	for i, date := range []string{"2025-10-25", "2026-05-01", "2026-06-15"} {
		f.referral(referral{ID: "B" + string(rune('1'+i)), Practice: "F83020", Date: date})
	}
	for i, date := range []string{"2026-03-15", "2026-04-20"} {
		f.referral(referral{ID: "A" + string(rune('1'+i)), Practice: "F83010", Date: date})
	}
	return f
}

type campaignWant struct {
	practice, sent, beforeFrom, afterTo string
	messages                            int64
	before, after                       int64
	diff, ratio                         any
	beforeComplete, afterComplete       bool
	overlaps                            bool
}

func TestCampaignEffect(t *testing.T) {
	s := buildCampaignFixture(t).store()
	ctx := context.Background()
	got, err := s.CampaignEffect(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if got.AsOf != "2026-06-30" || got.WindowDays != 56 {
		t.Errorf("as of %s, window %d", got.AsOf, got.WindowDays)
	}
	checkCampaigns(t, got.Campaigns, []campaignWant{
		{"F83020", "2025-10-20", "2025-08-25", "2025-12-14", 150, 0, 1, 1, nil, false, true, false},
		{"F83004", "2026-02-01", "2025-12-07", "2026-03-28", 500, 2, 4, 2, 2.0, true, true, false},
		{"F83010", "2026-03-01", "2026-01-04", "2026-04-25", 300, 0, 2, 2, nil, true, true, true},
		{"F83010", "2026-04-10", "2026-02-13", "2026-06-04", 280, 1, 1, 0, 1.0, true, true, true},
		{"F83020", "2026-06-01", "2026-04-06", "2026-07-26", 160, 1, 1, 0, 1.0, true, false, false},
	})
	if c := got.Campaigns[1]; c.PracticeName != "Hanley Road Surgery" || c.PCN != "North PCN" {
		t.Errorf("T1 practice = %+v", c)
	}
	// Only T1 has both windows complete and no overlap.
	checkCampaignSummary(t, got.Summary, 1, 2, 2, 2, 4, 2, 2.0)

	// Campaigns sent in 2026Q1: T1 and T4 (which still overlaps T5).
	got, err = s.CampaignEffect(ctx, Filter{From: "2026Q1", To: "2026Q1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Campaigns) != 2 || got.Campaigns[0].DateSent != "2026-02-01" || !got.Campaigns[1].Overlaps {
		t.Errorf("2026Q1 campaigns = %+v", got.Campaigns)
	}

	// South PCN: T3 and T2, neither complete.
	got, err = s.CampaignEffect(ctx, Filter{PCN: "South PCN"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Campaigns) != 2 || got.Campaigns[0].PracticeCode != "F83020" || got.Campaigns[1].PracticeCode != "F83020" {
		t.Errorf("South PCN campaigns = %+v", got.Campaigns)
	}
	checkCampaignSummary(t, got.Summary, 0, 2, 0, 0, 0, 0, nil)

	// Referrals by phone only: T1 has none before and one after.
	got, err = s.CampaignEffect(ctx, Filter{Channel: "phone"})
	if err != nil {
		t.Fatal(err)
	}
	checkCampaignSummary(t, got.Summary, 1, 2, 2, 0, 1, 1, nil)

	// Under the disclosure rule T1's 2 and 4 are "*": no difference or ratio.
	got, err = buildCampaignFixture(t).store(withDisclosure()).CampaignEffect(ctx, Filter{Practice: "F83004"})
	if err != nil {
		t.Fatal(err)
	}
	c := got.Campaigns[0]
	if c.Before != star || c.After != star || c.Difference != nil || c.Ratio != nil || c.Messages != 500 {
		t.Errorf("T1 under disclosure = %+v", c)
	}
	if got.Disclosure.Suppressed != 4 { // T1 before, after; summary before, after
		t.Errorf("suppressed = %d, want 4", got.Disclosure.Suppressed)
	}
}

func checkCampaigns(t *testing.T, got []Campaign, want []campaignWant) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("campaigns: %+v", got)
	}
	for i, w := range want {
		c := got[i]
		l := w.practice + " " + w.sent
		if c.PracticeCode != w.practice || c.DateSent != w.sent || c.BeforeFrom != w.beforeFrom || c.AfterTo != w.afterTo || c.Messages != w.messages {
			t.Errorf("campaign %d = %+v, want %+v", i, c, w)
		}
		checkCount(t, l+" before", c.Before, num(w.before))
		checkCount(t, l+" after", c.After, num(w.after))
		checkInt(t, l+" difference", c.Difference, w.diff)
		checkFloat(t, l+" ratio", c.Ratio, w.ratio)
		if c.BeforeComplete != w.beforeComplete || c.AfterComplete != w.afterComplete || c.Overlaps != w.overlaps {
			t.Errorf("%s complete %v/%v overlaps %v, want %v/%v %v", l, c.BeforeComplete, c.AfterComplete, c.Overlaps,
				w.beforeComplete, w.afterComplete, w.overlaps)
		}
	}
}

func checkCampaignSummary(t *testing.T, got CampaignSummary, campaigns, incomplete, overlapping int, before, after int64, diff, ratio any) {
	t.Helper()
	if got.Campaigns != campaigns || got.Incomplete != incomplete || got.Overlapping != overlapping {
		t.Errorf("summary %+v, want %d added, %d incomplete, %d overlapping", got, campaigns, incomplete, overlapping)
	}
	checkCount(t, "summary before", got.Before, num(before))
	checkCount(t, "summary after", got.After, num(after))
	checkInt(t, "summary difference", got.Difference, diff)
	checkFloat(t, "summary ratio", got.Ratio, ratio)
}
