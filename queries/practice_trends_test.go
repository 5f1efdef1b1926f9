package queries

import (
	"context"
	"fmt"
	"testing"
)

// buildSmallPracticeFixture is a borough of a small practice and a large
// one over four quarters, as of 2026-03-31 (2025Q2 to 2026Q1 loaded). Every
// referral is eligible; a converted one attends session 1 of its
// quarter's course, about a month after referral.
//
//	quarter  course (first session)  S F83004: referred, converted  L F83010: referred, converted
//	2025Q2   K2 2025-05-05           5, 3                           10, 5
//	2025Q3   K3 2025-08-04           5, 3                           10, 5
//	2025Q4   K4 2025-11-03           5, 2                           10, 5
//	2026Q1   K1 2026-02-02           5, 2                           10, 5
//
// Conversion cohorts: 2025Q2 and 2025Q3 are final (2025-09-30 + 180 days =
// 2026-03-29, on or before the as-of date); 2025Q4 and 2026Q1 are
// provisional. Nobody is a non-attender and no outcome is notified, so
// follow-up and coding are 0 of 0 in every quarter.
func buildSmallPracticeFixture(tb testing.TB) *fixture {
	f := newFixture(tb)
	quarters := []struct {
		q, month, course, courseDate string
		smallConverted               int
	}{
		{"2025Q2", "2025-04", "K2", "2025-05-05", 3},
		{"2025Q3", "2025-07", "K3", "2025-08-04", 3},
		{"2025Q4", "2025-10", "K4", "2025-11-03", 2},
		{"2026Q1", "2026-01", "K1", "2026-02-02", 2},
	}
	for _, q := range quarters {
		f.practice(q.q, "F83004", "Small Surgery", "North PCN", 300)
		f.practice(q.q, "F83010", "Large Health Centre", "North PCN", 3000)
		f.venue(q.q, "V1", "Hornsey Road Baths")
		f.loaded(q.q)
		f.course(course{ID: q.course, Venue: "V1", FirstDate: q.courseDate})
		for i := 1; i <= 5; i++ {
			id := fmt.Sprintf("S%s-%d", q.q, i)
			f.referral(referral{ID: id, Practice: "F83004", Date: fmt.Sprintf("%s-%02d", q.month, i)})
			if i <= q.smallConverted {
				f.attend(id, q.course, q.courseDate, "1")
			}
		}
		for i := 1; i <= 10; i++ {
			id := fmt.Sprintf("L%s-%d", q.q, i)
			f.referral(referral{ID: id, Practice: "F83010", Date: fmt.Sprintf("%s-%02d", q.month, i)})
			if i <= 5 {
				f.attend(id, q.course, q.courseDate, "1")
			}
		}
	}
	return f
}

type trendPointWant struct {
	quarter, from     string
	quarters          int
	practice, borough [2]Count // numerator, denominator as shown
	provisional       bool
}

func checkTrendPoints(t *testing.T, name string, got PracticeTrendMeasure, want []trendPointWant) {
	t.Helper()
	if len(got.Points) != len(want) {
		t.Fatalf("%s: %d points, want %d", name, len(got.Points), len(want))
	}
	for i, w := range want {
		p := got.Points[i]
		label := name + " " + w.quarter
		if p.Quarter != w.quarter || p.From != w.from || p.Quarters != w.quarters || p.Provisional != w.provisional {
			t.Errorf("%s: quarter %s from %s (%d quarters), provisional %v; want %s from %s (%d), %v",
				label, p.Quarter, p.From, p.Quarters, p.Provisional, w.quarter, w.from, w.quarters, w.provisional)
		}
		for _, side := range []struct {
			who  string
			got  Proportion
			want [2]Count
		}{{"practice", p.Practice, w.practice}, {"borough", p.Borough, w.borough}} {
			num, den := side.want[0], side.want[1]
			pct := pwNone
			if !num.Suppressed && !den.Suppressed && den.N > 0 {
				pct = 100 * float64(num.N) / float64(den.N)
			}
			pwCheckProportion(t, label+" "+side.who, side.got, num, den, pct, num.N, den.N)
		}
	}
}

// TestPracticeTrendsRolling: to everyone but its own staff, the small
// practice's single quarters are all "*" (3 of 5, 2 of 5), so its
// conversion is shown as rolling four quarters, and so is the borough's
// (S and L added up):
//
//	point    window           S: true -> shown       borough: true -> shown
//	2025Q2   2025Q2 (1)        3/5  -> * / *          8/15 -> 10/15 = 66.7%
//	2025Q3   2025Q2-Q3 (2)     6/10 -> * / 10        16/30 -> 15/30 = 50%
//	2025Q4   2025Q2-Q4 (3)     8/15 -> 10/15 = 66.7% 23/45 -> 25/45 = 55.6%
//	2026Q1   2025Q2-2026Q1 (4) 10/20 -> 10/20 = 50%  30/60 -> 30/60 = 50%
//
// The 2025Q4 and 2026Q1 points hold a provisional cohort. Follow-up and
// coding are 0 of 0 throughout: nothing is withheld, so they stay single
// quarters.
func TestPracticeTrendsRolling(t *testing.T) {
	s := buildSmallPracticeFixture(t).store(pwDisclosing())
	for _, f := range []Filter{{Practice: "F83004"}, {Practice: "F83004", Audience: Audience{Practice: "F83010"}}} {
		got, err := s.PracticeTrends(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		if got.Practice.Name != "Small Surgery" || len(got.Measures) != 3 {
			t.Fatalf("practice %+v, %d measures", got.Practice, len(got.Measures))
		}
		conv := got.Measures[0]
		if conv.Key != "conversion" || !conv.Rolling || got.Measures[1].Rolling || got.Measures[2].Rolling {
			t.Errorf("rolling: %s %v, %s %v, %s %v; want conversion only", conv.Key, conv.Rolling,
				got.Measures[1].Key, got.Measures[1].Rolling, got.Measures[2].Key, got.Measures[2].Rolling)
		}
		checkTrendPoints(t, "conversion", conv, []trendPointWant{
			{"2025Q2", "2025Q2", 1, [2]Count{pwStar, pwStar}, [2]Count{pwN(10), pwN(15)}, false},
			{"2025Q3", "2025Q2", 2, [2]Count{pwStar, pwN(10)}, [2]Count{pwN(15), pwN(30)}, false},
			{"2025Q4", "2025Q2", 3, [2]Count{pwN(10), pwN(15)}, [2]Count{pwN(25), pwN(45)}, true},
			{"2026Q1", "2025Q2", 4, [2]Count{pwN(10), pwN(20)}, [2]Count{pwN(30), pwN(60)}, true},
		})
		if d := got.Disclosure; d.Exact != ExactNone || !d.Applied {
			t.Errorf("disclosure %+v: everything under the rule", d)
		}
	}

	// The last two quarters only: the 2026Q1 point still adds up the four
	// quarters to it, from before the range.
	got, err := s.PracticeTrends(context.Background(), Filter{Practice: "F83004", From: "2025Q4"})
	if err != nil {
		t.Fatal(err)
	}
	checkTrendPoints(t, "conversion from 2025Q4", got.Measures[0], []trendPointWant{
		{"2025Q4", "2025Q2", 3, [2]Count{pwN(10), pwN(15)}, [2]Count{pwN(25), pwN(45)}, true},
		{"2026Q1", "2025Q2", 4, [2]Count{pwN(10), pwN(20)}, [2]Count{pwN(30), pwN(60)}, true},
	})
}

// TestPracticeTrendsOwnPractice: the small practice's own staff see its
// single quarters exact, 3/5, 3/5, 2/5, 2/5; the borough's single quarters
// follow the rule: 8/15 -> 10/15, 8/15, 7/15 -> * / 15, 7/15.
func TestPracticeTrendsOwnPractice(t *testing.T) {
	s := buildSmallPracticeFixture(t).store(pwDisclosing())
	got, err := s.PracticeTrends(context.Background(), Filter{Practice: "F83004", Audience: Audience{Practice: "F83004"}})
	if err != nil {
		t.Fatal(err)
	}
	conv := got.Measures[0]
	if conv.Rolling {
		t.Error("the practice's own staff see rolling figures")
	}
	checkTrendPoints(t, "own conversion", conv, []trendPointWant{
		{"2025Q2", "2025Q2", 1, [2]Count{pwN(3), pwN(5)}, [2]Count{pwN(10), pwN(15)}, false},
		{"2025Q3", "2025Q3", 1, [2]Count{pwN(3), pwN(5)}, [2]Count{pwN(10), pwN(15)}, false},
		{"2025Q4", "2025Q4", 1, [2]Count{pwN(2), pwN(5)}, [2]Count{pwStar, pwN(15)}, true},
		{"2026Q1", "2026Q1", 1, [2]Count{pwN(2), pwN(5)}, [2]Count{pwStar, pwN(15)}, true},
	})
	if d := got.Disclosure; d.Exact != ExactOwnPractice || d.Audience != AudienceOwnPractice || d.Practice != "F83004" {
		t.Errorf("disclosure %+v", d)
	}
	if _, err := s.PracticeTrends(context.Background(), Filter{}); err == nil {
		t.Error("practice trends without a practice: no error")
	} else {
		checkFilterError(t, err, "practice")
	}
}

// TestPracticeSummary: the opening numbers of B00002's page
// (buildBenchmarkFixture) are its benchmark row; its own staff also get
// its work lists' sizes. B03 and B04 did not attend (told 2025-11-10),
// nobody followed them up or coded the outcome, and by 2026-06-30 both
// windows have long passed: 2 to follow up and 2 to code, all overdue.
func TestPracticeSummary(t *testing.T) {
	s := buildBenchmarkFixture(t).store(pwDisclosing())
	ctx := context.Background()
	public, err := s.PracticeSummary(ctx, Filter{Practice: "B00002"})
	if err != nil {
		t.Fatal(err)
	}
	if public.WorkLists != nil {
		t.Errorf("work lists %+v shown to the public", public.WorkLists)
	}
	if public.Practice.Name != "Birch Surgery" || len(public.Measures) != 3 || public.Measures[1].Key != "conversion" {
		t.Fatalf("summary %+v", public)
	}
	pwCheckProportion(t, "public B conversion", public.Measures[1].Practice, pwStar, pwN(20), pwNone, 2, 20)
	pwCheckProportion(t, "borough conversion", public.Measures[1].Borough, pwN(20), pwN(60), 100*20.0/60, 22, 60)

	own, err := s.PracticeSummary(ctx, Filter{Practice: "B00002", Audience: Audience{Practice: "B00002"}})
	if err != nil {
		t.Fatal(err)
	}
	pwCheckProportion(t, "own B conversion", own.Measures[1].Practice, pwN(2), pwN(20), 10, 2, 20)
	if own.Measures[1].Label != "Low (0.025)" || own.Measures[1].Rank == nil || *own.Measures[1].Rank != 2 || own.Measures[1].Ranked != 2 {
		t.Errorf("own B conversion: %q, rank %v of %d; want Low (0.025), 2 of 2", own.Measures[1].Label, deref(own.Measures[1].Rank), own.Measures[1].Ranked)
	}
	if w := own.WorkLists; w == nil || *w != (PracticeWorkLists{FollowUp: 2, FollowUpOverdue: 2, Coding: 2, CodingOverdue: 2}) {
		t.Errorf("work lists %+v, want 2 (2 overdue) and 2 (2 overdue)", w)
	}
	other, err := s.PracticeSummary(ctx, Filter{Practice: "B00002", Audience: Audience{Practice: "A00001"}})
	if err != nil {
		t.Fatal(err)
	}
	if other.WorkLists != nil {
		t.Error("another practice's staff get B's work lists")
	}
}

// TestQuarterHelpers: quarter ends, open cohorts and windows of quarters.
func TestQuarterHelpers(t *testing.T) {
	for q, want := range map[string]string{"2026Q1": "2026-03-31", "2025Q2": "2025-06-30", "2025Q3": "2025-09-30", "2024Q4": "2024-12-31"} {
		if got := isoDate(quarterEnd(q)); got != want {
			t.Errorf("quarterEnd(%s) = %s, want %s", q, got, want)
		}
	}
	// 2025-12-31 + 180 days = 2026-06-29: closed on 2026-06-30, open on 2026-06-28.
	if cohortOpen("2025Q4", "2026-06-30", 180) || !cohortOpen("2025Q4", "2026-06-28", 180) || !cohortOpen("2026Q1", "2026-06-30", 180) {
		t.Error("cohortOpen")
	}
	if got := fmt.Sprint(quartersBack("2026Q2", 4)); got != "[2025Q3 2025Q4 2026Q1 2026Q2]" {
		t.Errorf("quartersBack = %s", got)
	}
}
