package queries

import (
	"context"
	"encoding/json"
	"testing"
	"time"
)

// Tests of the rules that pick one row out of several (the SQL's arg_min
// calls): which outcome starts the follow-up clock, who is credited with a
// same-day follow-up, which course is the first booked, which code is named
// as the match. Each answer must follow the documented rule, never the
// order in which rows happen to be stored.

// TestFollowUpClockStartsAtTheFirstOutcome: the first non-attendance
// outcome counts, with its own notification date, even when that date is
// empty and a later outcome's is not. As of 2026-06-30:
//
//	id  outcomes (date, notified)                           follow-up            answer
//	C1  did not attend 2026-02-01 (never notified)          practice 2026-03-05  not yet notified: out of the rate
//	    no response    2026-03-01 (notified 2026-03-02)
//	C2  did not attend 2026-02-01 (notified 2026-02-03)     practice 2026-02-06  due, day 3: followed up
//	C3  did not attend 2026-02-01 (notified 2026-02-10)     none                 due, not followed up
//	    no response    2026-03-01 (never notified)
//
// Right: 3 non-attenders, 1 not yet notified (C1), rate 1/2. Taking C1's
// later notification (arg_min skipping the NULL) would make C1 notified
// on 2026-03-02, due and followed up in 3 days: rate 2/3, none waiting.
func TestFollowUpClockStartsAtTheFirstOutcome(t *testing.T) {
	f := newFixture(t)
	f.boroughPractices("2025Q4", "2026Q1", "2026Q2")
	f.referral(referral{ID: "C1", Practice: "F83004", Date: "2025-12-01"})
	f.outcome("C1", "did not attend", "2026-02-01", "")
	f.outcome("C1", "no response", "2026-03-01", "2026-03-02")
	f.followup("C1", "2026-03-05", "practice", "no contact")
	f.referral(referral{ID: "C2", Practice: "F83004", Date: "2025-12-01"})
	f.outcome("C2", "did not attend", "2026-02-01", "2026-02-03")
	f.followup("C2", "2026-02-06", "practice", "rebooked")
	f.referral(referral{ID: "C3", Practice: "F83004", Date: "2025-12-01"})
	f.outcome("C3", "did not attend", "2026-02-01", "2026-02-10")
	f.outcome("C3", "no response", "2026-03-01", "")
	s := f.store()

	cases := []struct {
		referral, column string
		want             any
	}{
		{"C1", "nonattend_outcome", "did not attend"},
		{"C1", "notified_date", nil},
		{"C1", "followup_due", false},
		{"C1", "followed_up_in_window", false},
		{"C3", "nonattend_outcome", "did not attend"},
		{"C3", "followup_due", true},
	}
	for _, c := range cases {
		if got := f.fact(c.referral, c.column); got != c.want {
			t.Errorf("%s %s = %v, want %v", c.referral, c.column, got, c.want)
		}
	}
	if got, ok := f.fact("C3", "notified_date").(time.Time); !ok || got.Format(time.DateOnly) != "2026-02-10" {
		t.Errorf("C3 notified %v, want 2026-02-10 (its first outcome's)", got)
	}

	got, err := s.FollowUp(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	checkCount(t, "non-attenders", got.NonAttenders, num(3))
	checkCount(t, "not yet notified", got.NotYetNotified, num(1))
	checkCount(t, "followed up", got.Rate.Numerator, num(1))
	checkCount(t, "due", got.Rate.Denominator, num(2))
	checkFloat(t, "rate", got.Rate.Percent, 50.0)
}

// sameDayFollowUpFixture has two non-attenders of F83004 (as of
// 2026-06-30), each notified 2026-02-03:
//
//	id  follow-ups                                  first follow-up credited to
//	P1  practice and provider, both 2026-02-10      the practice (same day: the practice)
//	P2  provider 2026-02-08, practice 2026-02-10    the provider (it came first)
//
// providerFirst stores the provider's rows before the practice's.
func sameDayFollowUpFixture(tb testing.TB, providerFirst bool) *fixture {
	f := newFixture(tb)
	f.boroughPractices("2025Q4", "2026Q1", "2026Q2")
	for _, id := range []string{"P1", "P2"} {
		f.referral(referral{ID: id, Practice: "F83004", Date: "2025-12-01"})
		f.outcome(id, "did not attend", "2026-02-01", "2026-02-03")
	}
	rows := [][3]string{
		{"P1", "2026-02-10", "practice"}, {"P2", "2026-02-10", "practice"},
		{"P1", "2026-02-10", "provider"}, {"P2", "2026-02-08", "provider"},
	}
	if providerFirst {
		rows[0], rows[1], rows[2], rows[3] = rows[2], rows[3], rows[0], rows[1]
	}
	for _, r := range rows {
		f.followup(r[0], r[1], r[2], "rebooked")
	}
	return f
}

// TestSameDayFollowUpCreditsThePractice: when the practice and the provider
// both follow up on the first day, the practice is credited, and swapping
// the order of the rows moves nothing.
func TestSameDayFollowUpCreditsThePractice(t *testing.T) {
	var answers []string
	for _, providerFirst := range []bool{false, true} {
		f := sameDayFollowUpFixture(t, providerFirst)
		s := f.store()
		if got := f.fact("P1", "first_followup_by"); got != "practice" {
			t.Errorf("provider rows first %v: P1 credited to %v, want the practice", providerFirst, got)
		}
		if got := f.fact("P2", "first_followup_by"); got != "provider" {
			t.Errorf("provider rows first %v: P2 credited to %v, want the provider", providerFirst, got)
		}
		got, err := s.FollowUp(context.Background(), Filter{})
		if err != nil {
			t.Fatal(err)
		}
		// Both due and followed up (day 7 and day 5): 2/2, one each.
		checkCount(t, "followed up", got.Rate.Numerator, num(2))
		checkCount(t, "by practice", got.FollowedUpByPractice, num(1))
		checkCount(t, "by provider", got.FollowedUpByProvider, num(1))
		b, err := json.Marshal(got)
		if err != nil {
			t.Fatal(err)
		}
		answers = append(answers, string(b))
	}
	if answers[0] != answers[1] {
		t.Errorf("the answer moved with the order of rows:\n%s\n%s", answers[0], answers[1])
	}
}

// TestFirstBookedCourseTieTakesTheLowestCourseID: a person booked on two
// courses that start the same day has the lowest course id as their first
// booked course, whichever course's rows were stored first. As of
// 2026-06-30; both courses start Tuesday 2026-01-06:
//
//	course  start  slot
//	C2      10:00  weekday daytime
//	C9      18:00  weekday evening
//
//	id  rows stored first  first course   booked slot (waits by slot)
//	T1  C9's               C2             weekday daytime
//	T2  C2's               C2             weekday daytime
//
// So waits by the booked course's slot count both people as daytime, with
// waits of 36 days (referred 2025-12-01).
func TestFirstBookedCourseTieTakesTheLowestCourseID(t *testing.T) {
	f := newFixture(t)
	f.boroughPractices("2025Q4", "2026Q1", "2026Q2")
	f.venue("2026Q1", "V1", "Hornsey Road Baths")
	f.course(course{ID: "C2", Venue: "V1", FirstDate: "2026-01-06"})
	f.course(course{ID: "C9", Venue: "V1", FirstDate: "2026-01-06", Start: "18:00"})
	f.referral(referral{ID: "T1", Practice: "F83004", Date: "2025-12-01", PreferredSlot: "weekday evening"})
	f.attend("T1", "C9", "2026-01-06", "00")
	f.attend("T1", "C2", "2026-01-06", "00")
	f.referral(referral{ID: "T2", Practice: "F83004", Date: "2025-12-01", PreferredSlot: "weekday evening"})
	f.attend("T2", "C2", "2026-01-06", "00")
	f.attend("T2", "C9", "2026-01-06", "00")
	s := f.store()
	for _, id := range []string{"T1", "T2"} {
		if got := f.fact(id, "first_course_id"); got != "C2" {
			t.Errorf("%s first course %v, want C2 (the lowest id of the two starting 2026-01-06)", id, got)
		}
	}
	got, err := s.WaitsBySlot(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range got.ByBookedSlot {
		want := int64(0)
		if w.Slot == "weekday daytime" {
			want = 2
		}
		checkCount(t, "booked in "+w.Slot, w.Booked, num(want))
		if want > 0 {
			checkFloat(t, "median wait in "+w.Slot, w.MedianDays, 36.0)
		}
	}
}

// TestMatchedCodeTieNamesTheLowestCode: two matching codes on the same
// first day (9OLB and 9OLF, both "attended") name the lowest, 9OLB,
// whichever was stored first. As of 2026-06-30:
//
//	id  outcome (notified)        codes stored, in order          matched code
//	K1  completed (2026-02-20)    9OLF 2026-03-01, 9OLB 2026-03-01  9OLB
//	K2  completed (2026-02-20)    9OLB 2026-03-01, 9OLF 2026-03-01  9OLB
func TestMatchedCodeTieNamesTheLowestCode(t *testing.T) {
	f := newFixture(t)
	f.boroughPractices("2025Q4", "2026Q1", "2026Q2")
	for _, k := range []struct{ id, first, second string }{{"K1", "9OLF", "9OLB"}, {"K2", "9OLB", "9OLF"}} {
		f.referral(referral{ID: k.id, Practice: "F83004", Date: "2025-12-01"})
		f.outcome(k.id, "completed", "2026-02-16", "2026-02-20")
		f.gpCode("F83004", "PX-"+k.id, k.first, "2026-03-01")
		f.gpCode("F83004", "PX-"+k.id, k.second, "2026-03-01")
	}
	f.store()
	for _, id := range []string{"K1", "K2"} {
		var code string
		var coded bool
		if err := f.db.QueryRow(`SELECT matched_code, coded FROM outcome_facts WHERE referral_id = ?`, id).Scan(&code, &coded); err != nil {
			t.Fatal(err)
		}
		if code != "9OLB" || !coded {
			t.Errorf("%s matched %q (coded %v), want 9OLB, coded", id, code, coded)
		}
	}
}
