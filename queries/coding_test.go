package queries

import (
	"context"
	"reflect"
	"testing"
)

// buildCodingFixture is a borough as of 2026-06-30 (2025Q3 to 2026Q2
// loaded; 2026Q1 has no referrals). Outcomes, when the practice was told,
// and what the practice coded for that patient:
//
//	id  practice  outcome (date)             notified    GP code (date)                  coded in window?
//	K1  F83004    completed 2025-12-15       2025-12-20  9OLF 2026-01-10                 yes
//	K2  F83004    attended 2025-12-15        2025-12-20  9OLB 2026-03-20 (day 90)        yes
//	K3  F83004    did not attend 2025-11-03  2025-11-10  9OLM 2025-11-20 (wrong category) no
//	K4  F83004    did not attend 2025-11-03  2025-11-10  9NiA 2026-02-09 (day 91)        no (late)
//	K5  F83004    declined 2026-05-01        2026-05-05  none (window open to 2026-08-03) no
//	K6  F83004    no response 2026-05-10     not yet     -                               not counted
//	K7  F83004    completed 2026-06-01       2026-06-05  755491000000100 2026-06-20      yes, window open
//	K8  F83004    ineligible 2025-10-20      2025-10-25  -                               not counted
//	K9  F83004    declined 2025-10-20        2025-10-22  9OLM 2025-10-30                 yes
//	L1  F83020    no response 2025-08-05     2025-08-06  306591000000103 2025-08-10      yes
//	L2  F83020    did not attend 2025-08-05  2025-08-06  none                            no
func buildCodingFixture(tb testing.TB) *fixture {
	f := newFixture(tb)
	f.boroughPractices("2025Q3", "2025Q4", "2026Q1", "2026Q2")
	for _, r := range []struct{ id, practice, date string }{
		{"K1", "F83004", "2025-10-01"}, {"K2", "F83004", "2025-10-02"}, {"K3", "F83004", "2025-10-03"},
		{"K4", "F83004", "2025-10-04"}, {"K5", "F83004", "2026-04-01"}, {"K6", "F83004", "2026-04-02"},
		{"K7", "F83004", "2026-04-03"}, {"K8", "F83004", "2025-10-05"}, {"K9", "F83004", "2025-10-06"},
		{"L1", "F83020", "2025-07-10"}, {"L2", "F83020", "2025-07-11"},
	} {
		f.referral(referral{ID: r.id, Practice: r.practice, Date: r.date})
	}
	f.outcome("K1", "completed", "2025-12-15", "2025-12-20")
	f.gpCode("F83004", "PX-K1", "9OLF", "2026-01-10")
	f.outcome("K2", "attended", "2025-12-15", "2025-12-20")
	f.gpCode("F83004", "PX-K2", "9OLB", "2026-03-20")
	f.outcome("K3", "did not attend", "2025-11-03", "2025-11-10")
	f.gpCode("F83004", "PX-K3", "9OLM", "2025-11-20")
	f.outcome("K4", "did not attend", "2025-11-03", "2025-11-10")
	f.gpCode("F83004", "PX-K4", "9NiA", "2026-02-09")
	f.outcome("K5", "declined", "2026-05-01", "2026-05-05")
	f.outcome("K6", "no response", "2026-05-10", "")
	f.outcome("K7", "completed", "2026-06-01", "2026-06-05")
	f.gpCode("F83004", "PX-K7", "755491000000100", "2026-06-20")
	f.outcome("K8", "ineligible", "2025-10-20", "2025-10-25")
	f.outcome("K9", "declined", "2025-10-20", "2025-10-22")
	f.gpCode("F83004", "PX-K9", "9OLM", "2025-10-30")
	f.outcome("L1", "no response", "2025-08-05", "2025-08-06")
	f.gpCode("F83020", "PX-L1", "306591000000103", "2025-08-10")
	f.outcome("L2", "did not attend", "2025-08-05", "2025-08-06")
	return f
}

func TestCodingCompleteness(t *testing.T) {
	s := buildCodingFixture(t).store()
	got, err := s.CodingCompleteness(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if got.AsOf != "2026-06-30" || got.WindowDays != 90 {
		t.Errorf("as of %s, window %d; want 2026-06-30, 90", got.AsOf, got.WindowDays)
	}
	// Notified and counted: K1-K5, K7, K9, L1, L2 = 9. Inside their window:
	// K5, K7. Due: 7, coded in time: K1, K2, K9, L1 = 4 of 7.
	checkCount(t, "notified", got.Notified, num(9))
	checkCount(t, "inside window", got.InsideWindow, num(2))
	checkProportion(t, "rate", got.Rate, num(4), num(7), 100*4.0/7, 25.0458, 84.178)

	// attended: K1, K2 due and coded, K7 inside; did not attend: K3, K4,
	// L2 due, none coded; declined: K9, L1 due and coded, K5 inside.
	want := []struct {
		key              string
		inside, due, cod int64
		pct, lo, hi      any
	}{
		{"attended", 1, 2, 2, 100.0, 34.238, 100.0},
		{"did not attend", 0, 3, 0, 0.0, 0.0, 56.1497},
		{"declined", 1, 2, 2, 100.0, 34.238, 100.0},
	}
	checkGroups(t, "category", got.Categories, want)

	// Practices by name: Archway (none), Bounds Green (L1 of L1, L2),
	// Hanley Road (K1, K2, K9 of K1-K4, K9; K5 and K7 inside).
	checkGroups(t, "practice", got.Practices, []struct {
		key              string
		inside, due, cod int64
		pct, lo, hi      any
	}{
		{"F83010", 0, 0, 0, nil, nil, nil},
		{"F83020", 0, 2, 1, 50.0, 9.4531, 90.5469},
		{"F83004", 2, 5, 3, 60.0, 23.0724, 88.2379},
	})
	if got.Practices[0].Name != "Archway Medical Centre" || got.Practices[2].PCN != "North PCN" {
		t.Errorf("practice names: %+v", got.Practices)
	}

	// Referral quarters: 2025Q3 L1, L2; 2025Q4 K1-K4, K9; 2026Q1 none;
	// 2026Q2 K5, K7 both inside their window.
	checkGroups(t, "quarter", got.Quarters, []struct {
		key              string
		inside, due, cod int64
		pct, lo, hi      any
	}{
		{"2025Q3", 0, 2, 1, 50.0, 9.4531, 90.5469},
		{"2025Q4", 0, 5, 3, 60.0, 23.0724, 88.2379},
		{"2026Q1", 0, 0, 0, nil, nil, nil},
		{"2026Q2", 2, 0, 0, nil, nil, nil},
	})
	// Provisional: 2026Q1 and 2026Q2, whose cohorts' 180 days have not
	// passed (2026Q2 also has K5 and K7 inside their coding window).
	for i, want := range []bool{false, false, true, true} {
		if got.Quarters[i].Provisional != want {
			t.Errorf("quarter %s provisional %v, want %v", got.Quarters[i].Key, got.Quarters[i].Provisional, want)
		}
	}
	for _, p := range got.Practices {
		if p.Provisional {
			t.Errorf("practice %s marked provisional: the flag is for quarters", p.Key)
		}
	}
}

func checkGroups(t *testing.T, what string, got []CodingGroup, want []struct {
	key              string
	inside, due, cod int64
	pct, lo, hi      any
}) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%ss: got %+v", what, got)
	}
	for i, w := range want {
		g := got[i]
		if g.Key != w.key {
			t.Errorf("%s %d = %s, want %s", what, i, g.Key, w.key)
		}
		checkCount(t, w.key+" inside window", g.InsideWindow, num(w.inside))
		checkProportion(t, w.key+" rate", g.Rate, num(w.cod), num(w.due), w.pct, w.lo, w.hi)
	}
}

func TestCodingCompletenessDisclosureAndFilter(t *testing.T) {
	s := buildCodingFixture(t).store(withDisclosure())
	got, err := s.CodingCompleteness(context.Background(), Filter{Practice: "F83004", From: "2025Q4"})
	if err != nil {
		t.Fatal(err)
	}
	// Hanley Road from 2025Q4: K1-K5, K7, K9 notified (7 → *), K5 and K7
	// inside (2 → *), 3 of 5 coded (both *): nothing to show but zeros.
	checkCount(t, "notified", got.Notified, star)
	checkCount(t, "inside window", got.InsideWindow, star)
	checkProportion(t, "rate", got.Rate, star, star, nil, nil, nil) // no interval beside "*"
	if len(got.Practices) != 1 || got.Practices[0].Key != "F83004" {
		t.Errorf("practices = %+v", got.Practices)
	}
	if len(got.Quarters) != 3 || got.Quarters[0].Key != "2025Q4" {
		t.Errorf("quarters = %+v", got.Quarters)
	}
	// Suppressed cells: the 4 above; categories: attended inside, coded,
	// due; did not attend due; declined inside, coded, due (7); practice:
	// inside, coded, due (3); quarters: 2025Q4 coded, due, 2026Q2 inside
	// (3). 17 in all.
	if !got.Disclosure.Applied || got.Disclosure.Suppressed != 17 {
		t.Errorf("disclosure = %+v, want applied with 17 suppressed", got.Disclosure)
	}
}

func TestCodingWorkList(t *testing.T) {
	s := buildCodingFixture(t).store()
	got, err := s.CodingWorkList(context.Background(), "F83004")
	if err != nil {
		t.Fatal(err)
	}
	// Hanley Road's notified outcomes without a matching code: K3 (only a
	// wrong-category code) and K5 (inside its window). K4 was coded late:
	// it stays uncoded in the rate but the record is right, so it is off
	// the list. As of 2026-06-30, K5 (notified 2026-05-05) is 56 days in,
	// 34 left; K3 (notified 2025-11-10) is 232 days in, 142 overdue.
	want := []CodingTask{
		{ReferralID: "K5", PatientID: "PX-K5", Outcome: "declined", Category: "declined", OutcomeDate: "2026-05-01",
			NotifiedDate: "2026-05-05", Codes: []string{"9OLM", "306591000000103"}, DaysSinceNotified: 56,
			Deadline: "2026-08-03", DaysLeft: 34, Overdue: false, AsOf: "2026-06-30"},
		{ReferralID: "K3", PatientID: "PX-K3", Outcome: "did not attend", Category: "did not attend", OutcomeDate: "2025-11-03",
			NotifiedDate: "2025-11-10", Codes: []string{"9NiA", "306861000000107"}, DaysSinceNotified: 232,
			Deadline: "2026-02-08", DaysLeft: -142, Overdue: true, AsOf: "2026-06-30"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("work list:\n got %+v\nwant %+v", got, want)
	}

	// The attended category lists every code that counts.
	s2 := buildCodingFixture(t)
	s2.referral(referral{ID: "K10", Practice: "F83020", Date: "2026-04-01"})
	s2.outcome("K10", "completed", "2026-06-01", "2026-06-02")
	got, err = s2.store().CodingWorkList(context.Background(), "F83020")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ReferralID != "K10" || got[1].ReferralID != "L2" ||
		!reflect.DeepEqual(got[0].Codes, []string{"9OLB", "9OLF", "413597006", "755491000000100"}) {
		t.Errorf("Bounds Green work list = %+v", got)
	}

	_, err = s.CodingWorkList(context.Background(), "Z99999")
	checkFilterError(t, err, "practice")
}
