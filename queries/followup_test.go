package queries

import (
	"context"
	"reflect"
	"testing"
)

// buildFollowUpFixture is a borough as of 2026-06-30 (2025Q3 to 2026Q2
// loaded; 2026Q1 has no referrals). Its non-attenders, with the practice
// notified and what happened next:
//
//	id   practice  outcome (date)            notified    first follow-up          later attended
//	N1   F83004    did not attend 2025-11-03 2025-11-10  2025-12-08 practice d28  yes (2026-01-05)
//	N2   F83004    did not attend 2025-11-03 2025-11-10  2025-12-09 provider d29  no
//	N3   F83004    declined 2026-06-01       2026-06-10  none (window open)       no
//	N4   F83004    no response 2025-12-01    not yet     none                     no
//	N5   F83004    did not attend 2025-10-20 2025-10-22  2025-10-25 provider d3   no
//	N6   F83004    did not attend 2025-10-20 2025-10-22  none                     no
//	N9   F83004    did not attend 2026-05-01 2026-05-05  2026-05-06 practice d1   no
//	N10  F83004    did not attend 2025-11-03 2025-11-10  none                     yes (2026-01-05)
//	N11  F83004    did not attend 2025-11-20 2025-11-25  none                     no
//	S1   F83020    did not attend 2025-08-05 2025-08-06  2025-08-20 practice d14  yes (2025-09-01)
//	S2   F83020    did not attend 2025-08-05 2025-08-06  none                     no
//
// Not non-attenders: N7 did not attend but is not eligible (diagnosed five
// weeks before referral); N8 completed.
func buildFollowUpFixture(tb testing.TB) *fixture {
	f := newFixture(tb)
	f.boroughPractices("2025Q3", "2025Q4", "2026Q1", "2026Q2")
	f.venue("2025Q3", "V1", "Hornsey Road Baths")
	f.venue("2026Q1", "V1", "Hornsey Road Baths")
	f.course(course{ID: "C0", Venue: "V1", FirstDate: "2025-09-01"})
	f.course(course{ID: "C1", Venue: "V1", FirstDate: "2026-01-05"})

	f.referral(referral{ID: "N1", Practice: "F83004", Date: "2025-10-01"})
	f.outcome("N1", "did not attend", "2025-11-03", "2025-11-10")
	f.followup("N1", "2025-12-08", "practice", "rebooked") // day 28: counts
	f.attend("N1", "C1", "2026-01-05", "1")

	f.referral(referral{ID: "N2", Practice: "F83004", Date: "2025-10-02"})
	f.outcome("N2", "did not attend", "2025-11-03", "2025-11-10")
	f.followup("N2", "2025-12-09", "provider", "no contact") // day 29: too late

	f.referral(referral{ID: "N3", Practice: "F83004", Date: "2026-05-04"})
	f.outcome("N3", "declined", "2026-06-01", "2026-06-10") // due 2026-07-08: not yet

	f.referral(referral{ID: "N4", Practice: "F83004", Date: "2025-10-03"})
	f.outcome("N4", "no response", "2025-12-01", "") // practice not told yet

	f.referral(referral{ID: "N5", Practice: "F83004", Date: "2025-10-06"})
	f.outcome("N5", "did not attend", "2025-10-20", "2025-10-22")
	f.followup("N5", "2025-10-25", "provider", "declined")

	f.referral(referral{ID: "N6", Practice: "F83004", Date: "2025-10-07"})
	f.outcome("N6", "did not attend", "2025-10-20", "2025-10-22")

	f.referral(referral{ID: "N7", Practice: "F83004", Date: "2025-10-08", Years: years(0.1)})
	f.outcome("N7", "did not attend", "2025-11-03", "2025-11-10")

	f.referral(referral{ID: "N8", Practice: "F83004", Date: "2025-10-09"})
	f.attend("N8", "C1", "2026-01-05", "1111111")
	f.outcome("N8", "completed", "2026-02-16", "2026-02-20")

	f.referral(referral{ID: "N9", Practice: "F83004", Date: "2026-04-01"})
	f.outcome("N9", "did not attend", "2026-05-01", "2026-05-05") // due 2026-06-02
	f.followup("N9", "2026-05-06", "practice", "rebooked")

	f.referral(referral{ID: "N10", Practice: "F83004", Date: "2025-10-10"})
	f.outcome("N10", "did not attend", "2025-11-03", "2025-11-10")
	f.attend("N10", "C1", "2026-01-05", "1")

	f.referral(referral{ID: "N11", Practice: "F83004", Date: "2025-10-12"})
	f.outcome("N11", "did not attend", "2025-11-20", "2025-11-25")

	f.referral(referral{ID: "S1", Practice: "F83020", Date: "2025-07-10"})
	f.outcome("S1", "did not attend", "2025-08-05", "2025-08-06")
	f.followup("S1", "2025-08-20", "practice", "rebooked")
	f.attend("S1", "C0", "2025-09-01", "1")

	f.referral(referral{ID: "S2", Practice: "F83020", Date: "2025-07-11"})
	f.outcome("S2", "did not attend", "2025-08-05", "2025-08-06")
	return f
}

func TestFollowUp(t *testing.T) {
	s := buildFollowUpFixture(t).store()
	got, err := s.FollowUp(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if got.AsOf != "2026-06-30" || got.WindowDays != 28 {
		t.Errorf("as of %s, window %d; want 2026-06-30, 28", got.AsOf, got.WindowDays)
	}
	// 11 non-attenders; N4 not notified; N3 notified but inside its window;
	// 9 due, of whom N1 (day 28, practice), N5 (day 3, provider), N9 (day
	// 1, practice) and S1 (day 14, practice) were followed up in time;
	// N2's day-29 follow-up does not count. 4/9 = 44.4%.
	checkCount(t, "non-attenders", got.NonAttenders, num(11))
	checkCount(t, "not yet notified", got.NotYetNotified, num(1))
	checkCount(t, "notified", got.Notified, num(10))
	checkCount(t, "not yet due", got.NotYetDue, num(1))
	checkProportion(t, "rate", got.Rate, num(4), num(9), 100*4.0/9, 18.8779, 73.3349)
	checkCount(t, "by practice", got.FollowedUpByPractice, num(3))
	checkCount(t, "by provider", got.FollowedUpByProvider, num(1))

	// Practices by name; Archway has no referrals and shows zeros.
	// Bounds Green: S1, S2 due, S1 followed up: 1/2. Hanley Road: 9
	// non-attenders, 7 due (not N3, N4), 3 followed up (N1, N5, N9).
	wantPractices := []struct {
		code                       string
		nonAtt, due, fu, byP, byPr int64
		pct, lo, hi                any
	}{
		{"F83010", 0, 0, 0, 0, 0, nil, nil, nil},
		{"F83020", 2, 2, 1, 1, 0, 50.0, 9.4531, 90.5469},
		{"F83004", 9, 7, 3, 2, 1, 100 * 3.0 / 7, 15.822, 74.9542},
	}
	if len(got.Practices) != len(wantPractices) {
		t.Fatalf("practices: %+v", got.Practices)
	}
	for i, w := range wantPractices {
		p := got.Practices[i]
		if p.Code != w.code {
			t.Errorf("practice %d = %s, want %s", i, p.Code, w.code)
		}
		checkCount(t, w.code+" non-attenders", p.NonAttenders, num(w.nonAtt))
		checkProportion(t, w.code+" rate", p.Rate, num(w.fu), num(w.due), w.pct, w.lo, w.hi)
		checkCount(t, w.code+" by practice", p.FollowedUpByPractice, num(w.byP))
		checkCount(t, w.code+" by provider", p.FollowedUpByProvider, num(w.byPr))
	}
	if got.Practices[0].Name != "Archway Medical Centre" || got.Practices[0].PCN != "North PCN" {
		t.Errorf("practice 0 = %+v", got.Practices[0])
	}

	// By referral quarter: 2025Q3 S1, S2; 2025Q4 N1, N2, N4, N5, N6, N10,
	// N11 (N4 not notified, so 6 due; N1 and N5 in time); 2026Q1 none;
	// 2026Q2 N3 (not yet due) and N9 (due, followed up). Provisional: the
	// cohorts of 2026Q1 and 2026Q2, whose 180 days from the quarter's end
	// have not passed by 2026-06-30 (2025Q4's pass on 2026-06-29; N4,
	// never notified, holds it open no longer).
	wantQuarters := []struct {
		q                       string
		nonAtt, notDue, due, fu int64
		pct                     any
		provisional             bool
	}{
		{"2025Q3", 2, 0, 2, 1, 50.0, false},
		{"2025Q4", 7, 0, 6, 2, 100 * 2.0 / 6, false},
		{"2026Q1", 0, 0, 0, 0, nil, true},
		{"2026Q2", 2, 1, 1, 1, 100.0, true},
	}
	if len(got.Quarters) != len(wantQuarters) {
		t.Fatalf("quarters: %+v", got.Quarters)
	}
	for i, w := range wantQuarters {
		q := got.Quarters[i]
		if q.Quarter != w.q {
			t.Errorf("quarter %d = %s, want %s", i, q.Quarter, w.q)
		}
		checkCount(t, w.q+" non-attenders", q.NonAttenders, num(w.nonAtt))
		checkCount(t, w.q+" not yet due", q.NotYetDue, num(w.notDue))
		checkCount(t, w.q+" followed up", q.Rate.Numerator, num(w.fu))
		checkCount(t, w.q+" due", q.Rate.Denominator, num(w.due))
		checkFloat(t, w.q+" percent", q.Rate.Percent, w.pct)
		if q.Provisional != w.provisional {
			t.Errorf("%s provisional %v, want %v", w.q, q.Provisional, w.provisional)
		}
	}

	// Days from notification to first follow-up of the 9 due: N5 3, N9 1;
	// S1 14; N1 28; N2 29; never: N6, N10, N11, S2.
	wantBins := []struct {
		bin string
		n   int64
	}{{"0-7", 2}, {"8-14", 1}, {"15-21", 0}, {"22-28", 1}, {"29-42", 1}, {"43+", 0}, {"never", 4}}
	if len(got.DaysToFollowUp) != len(wantBins) {
		t.Fatalf("bins: %+v", got.DaysToFollowUp)
	}
	for i, w := range wantBins {
		b := got.DaysToFollowUp[i]
		if b.Bin != w.bin {
			t.Errorf("bin %d = %s, want %s", i, b.Bin, w.bin)
		}
		checkCount(t, "bin "+w.bin, b.NonAttenders, num(w.n))
		checkFloat(t, "bin "+w.bin+" percent", b.Percent, 100*float64(w.n)/9)
	}

	// Re-engagement of the 9 due: followed up in time N1 (came back), N5,
	// N9, S1 (came back): 2/4; not: N2, N6, N10 (came back), N11, S2: 1/5.
	checkProportion(t, "re-engaged all", got.ReEngagement.All, num(3), num(9), 100*3.0/9, 12.0584, 64.5798)
	checkProportion(t, "re-engaged followed up", got.ReEngagement.FollowedUp, num(2), num(4), 50.0, 15.0039, 84.9961)
	checkProportion(t, "re-engaged not followed up", got.ReEngagement.NotFollowedUp, num(1), num(5), 20.0, 3.6224, 62.4465)

	if got.Disclosure.Applied || got.Disclosure.Suppressed != 0 {
		t.Errorf("disclosure = %+v, want not applied", got.Disclosure)
	}
}

func TestFollowUpFilters(t *testing.T) {
	s := buildFollowUpFixture(t).store()
	ctx := context.Background()

	// One practice: only its row, and its figures.
	got, err := s.FollowUp(ctx, Filter{Practice: "F83020"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Practices) != 1 || got.Practices[0].Code != "F83020" {
		t.Errorf("practices = %+v, want F83020 only", got.Practices)
	}
	checkProportion(t, "F83020 rate", got.Rate, num(1), num(2), 50.0, 9.4531, 90.5469)

	// The empty quarter: everything zero, no rate, every bin present.
	got, err = s.FollowUp(ctx, Filter{From: "2026Q1", To: "2026Q1"})
	if err != nil {
		t.Fatal(err)
	}
	checkCount(t, "empty quarter non-attenders", got.NonAttenders, num(0))
	checkProportion(t, "empty quarter rate", got.Rate, num(0), num(0), nil, nil, nil)
	if len(got.Quarters) != 1 || got.Quarters[0].Quarter != "2026Q1" {
		t.Errorf("quarters = %+v, want 2026Q1 only", got.Quarters)
	}
	if len(got.DaysToFollowUp) != 7 || len(got.Practices) != 3 {
		t.Errorf("bins %d, practices %d; want 7, 3", len(got.DaysToFollowUp), len(got.Practices))
	}

	_, err = s.FollowUp(ctx, Filter{Practice: "Z99999"})
	checkFilterError(t, err, "practice")
}

// TestFollowUpDisclosure has 15 due non-attenders as of 2025-12-31: 12 at
// Hanley Road (9 followed up on day 3, 3 never) and 3 at Bounds Green
// (never). Under the rule (1-7 → *, else nearest 5) the published rate is
// 10 of 15 = 66.7%, worked out from the rounded counts, and so is its
// interval: the Wilson interval of 10 of 15, which contains 66.7% (that of
// the true 9 of 15, 35.7-80.2%, was shown before issue 10).
func TestFollowUpDisclosure(t *testing.T) {
	f := newFixture(t)
	f.boroughPractices("2025Q4")
	for i, practice := range []string{"F83004", "F83004", "F83004", "F83004", "F83004", "F83004",
		"F83004", "F83004", "F83004", "F83004", "F83004", "F83004", "F83020", "F83020", "F83020"} {
		id := "D" + string(rune('A'+i))
		f.referral(referral{ID: id, Practice: practice, Date: "2025-10-01"})
		f.outcome(id, "did not attend", "2025-10-20", "2025-10-22")
		if i < 9 {
			f.followup(id, "2025-10-25", "practice", "rebooked")
		}
	}
	got, err := f.store(withDisclosure()).FollowUp(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	checkCount(t, "non-attenders", got.NonAttenders, num(15))
	checkCount(t, "not yet notified", got.NotYetNotified, num(0))
	checkProportion(t, "rate", got.Rate, num(10), num(15), 100*10.0/15, 41.7135, 84.8237)
	checkCount(t, "by practice", got.FollowedUpByPractice, num(10))

	// Archway: zeros. Bounds Green: 3 → *, so no percentage and no interval
	// (its ends would reveal the true 0 of 3). Hanley Road: 9 of 12 is
	// published as 10 of 10 = 100%, with the interval of 10 of 10,
	// 72.2-100%, which contains it (the true 9 of 12 gave 46.8-91.1%: the
	// "100% beside 46.8-91.1" of issue 10).
	p := got.Practices
	checkProportion(t, "Archway", p[0].Rate, num(0), num(0), nil, nil, nil)
	checkCount(t, "Bounds Green non-attenders", p[1].NonAttenders, star)
	checkProportion(t, "Bounds Green", p[1].Rate, num(0), star, nil, nil, nil)
	checkCount(t, "Hanley Road non-attenders", p[2].NonAttenders, num(10))
	checkProportion(t, "Hanley Road", p[2].Rate, num(10), num(10), 100.0, 72.2467, 100.0)

	// Bins: 9 on days 0-7 → 10 (of 15: 66.7%); 6 never → *.
	checkCount(t, "bin 0-7", got.DaysToFollowUp[0].NonAttenders, num(10))
	checkFloat(t, "bin 0-7 percent", got.DaysToFollowUp[0].Percent, 100*10.0/15)
	checkCount(t, "bin never", got.DaysToFollowUp[6].NonAttenders, star)
	checkFloat(t, "bin never percent", got.DaysToFollowUp[6].Percent, nil)

	// Nobody came back: 0 of 15, 0 of 9 (→ 10: the interval of 0 of 10),
	// 0 of 6 (→ *).
	checkProportion(t, "re-engaged all", got.ReEngagement.All, num(0), num(15), 0.0, 0.0, 20.3883)
	checkProportion(t, "re-engaged followed up", got.ReEngagement.FollowedUp, num(0), num(10), 0.0, 0.0, 27.7533)
	checkProportion(t, "re-engaged not followed up", got.ReEngagement.NotFollowedUp, num(0), star, nil, nil, nil)

	// Suppressed cells: Bounds Green non-attenders and due, bin "never",
	// re-engagement's not-followed-up denominator.
	if !got.Disclosure.Applied || got.Disclosure.Suppressed != 4 {
		t.Errorf("disclosure = %+v, want applied with 4 suppressed", got.Disclosure)
	}
}

func TestFollowUpWorkList(t *testing.T) {
	s := buildFollowUpFixture(t).store()
	got, err := s.FollowUpWorkList(context.Background(), "F83004")
	if err != nil {
		t.Fatal(err)
	}
	// Hanley Road's notified non-attenders with no follow-up at all and
	// no attendance since: N3 (window open), N6 and N11 (overdue). N1, N5
	// and N9 were followed up in time, N2 late (contacted, so off the
	// list); N10 came back; N4 is not notified; N7 is not eligible.
	// As of 2026-06-30: N3 notified 2026-06-10 is 20 days in with 8 left;
	// N6 notified 2025-10-22 is 251 days in (deadline 2025-11-19); N11
	// notified 2025-11-25 is 217 days in (deadline 2025-12-23). Open tasks
	// first, then the longest overdue.
	want := []FollowUpTask{
		{ReferralID: "N3", PatientID: "PX-N3", ReferralDate: "2026-05-04", Outcome: "declined", OutcomeDate: "2026-06-01",
			NotifiedDate: "2026-06-10", DaysSinceNotified: 20, Deadline: "2026-07-08", DaysLeft: 8, Overdue: false, AsOf: "2026-06-30"},
		{ReferralID: "N6", PatientID: "PX-N6", ReferralDate: "2025-10-07", Outcome: "did not attend", OutcomeDate: "2025-10-20",
			NotifiedDate: "2025-10-22", DaysSinceNotified: 251, Deadline: "2025-11-19", DaysLeft: -223, Overdue: true, AsOf: "2026-06-30"},
		{ReferralID: "N11", PatientID: "PX-N11", ReferralDate: "2025-10-12", Outcome: "did not attend", OutcomeDate: "2025-11-20",
			NotifiedDate: "2025-11-25", DaysSinceNotified: 217, Deadline: "2025-12-23", DaysLeft: -189, Overdue: true, AsOf: "2026-06-30"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("work list:\n got %+v\nwant %+v", got, want)
	}

	// A practice with nothing to do gets an empty list, not an error.
	got, err = s.FollowUpWorkList(context.Background(), "F83010")
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("Archway work list = %v, %v; want empty", got, err)
	}
}

func TestFollowUpWorkListUnknownPractice(t *testing.T) {
	s := buildFollowUpFixture(t).store()
	for _, code := range []string{"Z99999", "not a code", ""} {
		_, err := s.FollowUpWorkList(context.Background(), code)
		checkFilterError(t, err, "practice")
	}
}

// TestFollowUpWorkListCountsOnlyFollowUpsAfterTheOutcome: the list leaves
// out people followed up on or after their non-attendance outcome, the
// follow-ups the rate counts; an earlier contact takes nobody off it. As
// of 2026-06-30, all F83004, did not attend 2026-02-01, notified
// 2026-02-03 (deadline 2026-03-03):
//
//	id  follow-up                          on the list
//	W1  practice 2026-01-25 (a reminder)   yes: nothing since the outcome
//	W2  practice 2026-02-01 (outcome day)  no
//	W3  provider 2026-03-10 (late)         no: contacted
func TestFollowUpWorkListCountsOnlyFollowUpsAfterTheOutcome(t *testing.T) {
	f := newFixture(t)
	f.boroughPractices("2025Q4", "2026Q1", "2026Q2")
	for _, w := range [][3]string{{"W1", "2026-01-25", "practice"}, {"W2", "2026-02-01", "practice"}, {"W3", "2026-03-10", "provider"}} {
		f.referral(referral{ID: w[0], Practice: "F83004", Date: "2025-12-01"})
		f.outcome(w[0], "did not attend", "2026-02-01", "2026-02-03")
		f.followup(w[0], w[1], w[2], "no contact")
	}
	got, err := f.store().FollowUpWorkList(context.Background(), "F83004")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ReferralID != "W1" || !got[0].Overdue || got[0].Deadline != "2026-03-03" {
		t.Errorf("work list %+v, want W1 alone, overdue since 2026-03-03", got)
	}
}

// With a follow-up window other than 28 days, "followed up in time" is the
// configured window, in FollowUp as in the practice benchmark: the fixture
// above with a 14-day window. Every notified non-attender is then due
// (N3, notified 2026-06-10, was due on 2026-06-24): 10 due. In time, within
// 14 days: N5 (day 3), N9 (day 1) and S1 (day 14); N1 (day 28) and N2
// (day 29) are late. 3/10, of which practices made 2 (N9, S1) and the
// provider 1 (N5). The days bins do not move: N1 is still in 22-28.
func TestFollowUpOtherWindow(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Disclosure.Enabled = false
	cfg.FollowUpWindowDays = 14
	s := buildFollowUpFixture(t).store(cfg)
	ctx := context.Background()
	got, err := s.FollowUp(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	checkProportion(t, "rate", got.Rate, num(3), num(10), 30.0, 10.7789, 60.3222)
	checkCount(t, "by practice", got.FollowedUpByPractice, num(2))
	checkCount(t, "by provider", got.FollowedUpByProvider, num(1))
	bench, err := s.PracticeBenchmark(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if b := bench.FollowUp.Borough; b.Numerator != got.Rate.Numerator || b.Denominator != got.Rate.Denominator {
		t.Errorf("the benchmark's borough follow-up is %v of %v, FollowUp's %v of %v", b.Numerator, b.Denominator, got.Rate.Numerator, got.Rate.Denominator)
	}
	found := false
	for _, b := range got.DaysToFollowUp {
		if b.Bin == "22-28" {
			found = true
			checkCount(t, "22-28 days", b.NonAttenders, num(1))
		}
	}
	if !found {
		t.Errorf("no 22-28 bin in %+v", got.DaysToFollowUp)
	}
}
