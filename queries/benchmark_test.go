package queries

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/uptake-nhs/uptake/queries/stats"
)

// buildBenchmarkFixture is a borough of three practices as of 2026-06-30
// (2025Q4, 2026Q1, 2026Q2 loaded).
//
//	A00001 Alder Practice, North PCN, register 80 / 90 / 100 in the
//	  2025Q4 / 2026Q1 / 2026Q2 snapshots.
//	  2025Q4: A01-A38, patients PA01-PA38; A39 is PA01 referred again;
//	    A40 is a carer. All eligible. Converted (course K1): A01-A19 and
//	    A39 = 20 of 40. Non-attenders A21-A24 (did not attend, practice
//	    told 2025-11-10); A21-A23 followed up 2025-11-20: 3 of 4.
//	  2026Q2: A41, A42 (patients PA41, PA42): provisional, not converted.
//	  People referred (carer left out, PA01 once): 38 + 2 = 40.
//	B00002 Birch Surgery, North PCN, register 400.
//	  2025Q4: B01-B20, patients PB01-PB20; B01, B02 converted: 2 of 20.
//	    Non-attenders B03, B04, never followed up: 0 of 2.
//	C00003 Cedar Health Centre, South PCN, register 200, no referrals.
func buildBenchmarkFixture(tb testing.TB) *fixture {
	f := newFixture(tb)
	for i, q := range []string{"2025Q4", "2026Q1", "2026Q2"} {
		f.practice(q, "A00001", "Alder Practice", "North PCN", 80+10*i)
		f.practice(q, "B00002", "Birch Surgery", "North PCN", 400)
		f.practice(q, "C00003", "Cedar Health Centre", "South PCN", 200)
		f.loaded(q)
	}
	f.venue("2025Q4", "V1", "Hornsey Road Baths")
	f.course(course{ID: "K1", Venue: "V1", FirstDate: "2025-11-03"})
	october := func(i int) string { return fmt.Sprintf("2025-10-%02d", 1+(i-1)%28) }
	for i := 1; i <= 38; i++ {
		id := fmt.Sprintf("A%02d", i)
		f.referral(referral{ID: id, Patient: fmt.Sprintf("PA%02d", i), Practice: "A00001", Date: october(i)})
		switch {
		case i <= 19:
			f.attend(id, "K1", "2025-11-03", "1")
		case i >= 21 && i <= 24:
			f.outcome(id, "did not attend", "2025-11-03", "2025-11-10")
			if i <= 23 {
				f.followup(id, "2025-11-20", "practice", "rebooked")
			}
		}
	}
	f.referral(referral{ID: "A39", Patient: "PA01", Practice: "A00001", Date: "2025-10-15"})
	f.attend("A39", "K1", "2025-11-03", "1")
	f.referral(referral{ID: "A40", Patient: "PC40", Practice: "A00001", Date: "2025-10-16", PatientOrCarer: "carer"})
	f.referral(referral{ID: "A41", Patient: "PA41", Practice: "A00001", Date: "2026-04-01"})
	f.referral(referral{ID: "A42", Patient: "PA42", Practice: "A00001", Date: "2026-04-02"})
	for i := 1; i <= 20; i++ {
		id := fmt.Sprintf("B%02d", i)
		f.referral(referral{ID: id, Patient: fmt.Sprintf("PB%02d", i), Practice: "B00002", Date: october(i)})
		switch {
		case i <= 2:
			f.attend(id, "K1", "2025-11-03", "1")
		case i <= 4:
			f.outcome(id, "did not attend", "2025-11-03", "2025-11-10")
		}
	}
	return f
}

// plainLimits is the fixture's configuration (disclosure on or off) with
// the plain Fingertips limits: the hand-worked tests below check those.
// Three practices this different are overdispersed (φ > 1), so by default
// they would be compared against limits inflated by τ²
// (TestPracticeBenchmarkOverdispersion checks those).
func plainLimits(disclosing bool) Config {
	c := DefaultConfig()
	c.Disclosure.Enabled = disclosing
	c.Benchmark.Limits = LimitsPlain
	return c
}

// pwLimits are the funnel limits in percent, worked out here from the
// closed form B ± z sqrt(B(1-B)/n), clamped to 0-100.
func pwLimits(b float64, n int64, z float64) (lo, hi float64) {
	h := z * math.Sqrt(b*(1-b)/float64(n))
	return 100 * math.Max(0, b-h), 100 * math.Min(1, b+h)
}

type benchWant struct {
	k, n  int64
	label string
	rank  int // 0: no rank
}

func checkMeasure(t *testing.T, name string, got PracticeMeasure, baseline float64, w benchWant) {
	t.Helper()
	pct := pwNone
	if w.n > 0 {
		pct = 100 * float64(w.k) / float64(w.n)
	}
	pwCheckProportion(t, name, got.Proportion, pwN(w.k), pwN(w.n), pct, w.k, w.n)
	pwCheckPct(t, name+" borough", got.Borough, 100*baseline)
	if got.Label != w.label {
		t.Errorf("%s label %q, want %q", name, got.Label, w.label)
	}
	switch {
	case w.rank == 0 && got.Rank != nil:
		t.Errorf("%s rank %d, want none", name, *got.Rank)
	case w.rank != 0 && (got.Rank == nil || *got.Rank != w.rank):
		t.Errorf("%s rank %v, want %d", name, got.Rank, w.rank)
	}
	if w.n == 0 {
		if got.Lower95 != nil || got.Upper998 != nil {
			t.Errorf("%s has limits without a denominator", name)
		}
		return
	}
	lo95, hi95 := pwLimits(baseline, w.n, 1.959964)
	lo998, hi998 := pwLimits(baseline, w.n, 3.090232)
	pwCheckPct(t, name+" lower 95", got.Lower95, lo95)
	pwCheckPct(t, name+" upper 95", got.Upper95, hi95)
	pwCheckPct(t, name+" lower 99.8", got.Lower998, lo998)
	pwCheckPct(t, name+" upper 99.8", got.Upper998, hi998)
}

// TestPracticeBenchmark, worked by hand (disclosure off):
//
// Referral rate, baseline 60/700 = 8.571%:
//
//	A 40/100 = 40%. At n=100 the 99.8% upper limit is
//	  0.0857 + 3.0902 sqrt(0.0857 x 0.9143 / 100) = 17.2%: High (0.001), rank 1.
//	B 20/400 = 5%. At n=400 the 95% lower limit is 0.0857 - 0.0274 = 5.83%
//	  and the 99.8% one 0.0857 - 0.0433 = 4.25%: Low (0.025), rank 2.
//	C 0/200 = 0%, below the 99.8% lower limit 2.45%: Low (0.001), rank 3.
//
// Conversion (final cohorts only: A41, A42 left out), baseline 22/60 = 36.67%:
//
//	A 20/40 = 50%; 95% upper limit at 40 is 0.3667 + 0.1493 = 51.6%: Not significant, rank 1.
//	B 2/20 = 10%; 95% lower limit at 20 is 15.5%, 99.8% lower 3.4%: Low (0.025), rank 2.
//	C 0/0: Not compared, no rank.
//
// Follow-up, baseline 3/6 = 50%:
//
//	A 3/4 = 75%: 95% limits at 4 are 50% ± 49%: Not significant, rank 1.
//	B 0/2 = 0%: the 95% lower limit at 2 clamps to 0: Not significant, rank 2.
//	C 0/0: Not compared.
func TestPracticeBenchmark(t *testing.T) {
	s := buildBenchmarkFixture(t).store(plainLimits(false))
	got, err := s.PracticeBenchmark(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	const refB, convB, fuB = 60.0 / 700, 22.0 / 60, 0.5
	pwCheckProportion(t, "borough referral rate", got.ReferralRate.Borough, pwN(60), pwN(700), 100*refB, 60, 700)
	pwCheckProportion(t, "borough conversion", got.Conversion.Borough, pwN(22), pwN(60), 100*convB, 22, 60)
	pwCheckProportion(t, "borough follow-up", got.FollowUp.Borough, pwN(3), pwN(6), 50, 3, 6)
	pwCheckPct(t, "referral baseline", got.ReferralRate.Baseline, 100*refB)
	if got.ReferralRate.Ranked != 3 || got.Conversion.Ranked != 2 || got.FollowUp.Ranked != 2 {
		t.Errorf("ranked %d %d %d, want 3 2 2", got.ReferralRate.Ranked, got.Conversion.Ranked, got.FollowUp.Ranked)
	}

	want := []struct {
		code, registerQuarter string
		ref, conv, fu         benchWant
	}{
		{"A00001", "2026Q2", benchWant{40, 100, stats.HighSevere, 1}, benchWant{20, 40, stats.NotSignificant, 1}, benchWant{3, 4, stats.NotSignificant, 1}},
		{"B00002", "2026Q2", benchWant{20, 400, stats.Low, 2}, benchWant{2, 20, stats.Low, 2}, benchWant{0, 2, stats.NotSignificant, 2}},
		{"C00003", "2026Q2", benchWant{0, 200, stats.LowSevere, 3}, benchWant{0, 0, stats.NotCompared, 0}, benchWant{0, 0, stats.NotCompared, 0}},
	}
	if len(got.Practices) != len(want) {
		t.Fatalf("%d practices, want %d", len(got.Practices), len(want))
	}
	for i, w := range want {
		p := got.Practices[i]
		if p.Code != w.code || p.RegisterQuarter != w.registerQuarter {
			t.Errorf("practice %d = %s (%s), want %s (%s)", i, p.Code, p.RegisterQuarter, w.code, w.registerQuarter)
		}
		checkMeasure(t, w.code+" referral rate", p.ReferralRate, refB, w.ref)
		checkMeasure(t, w.code+" conversion", p.Conversion, convB, w.conv)
		checkMeasure(t, w.code+" follow-up", p.FollowUp, fuB, w.fu)
	}
	if p := got.Practices[2]; p.Name != "Cedar Health Centre" || p.PCN != "South PCN" {
		t.Errorf("C00003 is %q in %q", p.Name, p.PCN)
	}

	// Curves: from 1 to the largest denominator, log-spaced, each point the
	// limits at its denominator.
	for name, m := range map[string]struct {
		curve []FunnelPoint
		b     float64
		max   int64
	}{
		"referral rate": {got.ReferralRate.Curve, refB, 400},
		"conversion":    {got.Conversion.Curve, convB, 40},
		"follow-up":     {got.FollowUp.Curve, fuB, 4},
	} {
		c := m.curve
		if len(c) < 2 || len(c) > curvePoints || c[0].Denominator != 1 || c[len(c)-1].Denominator != m.max {
			t.Errorf("%s curve: %d points from %v to %v, want 1 to %d", name, len(c), c[0], c[len(c)-1], m.max)
			continue
		}
		for i, p := range c {
			lo95, hi95 := pwLimits(m.b, p.Denominator, 1.959964)
			lo998, hi998 := pwLimits(m.b, p.Denominator, 3.090232)
			if math.Abs(p.Lower95-lo95) > 1e-9 || math.Abs(p.Upper95-hi95) > 1e-9 ||
				math.Abs(p.Lower998-lo998) > 1e-9 || math.Abs(p.Upper998-hi998) > 1e-9 {
				t.Errorf("%s curve at %d: %+v, want %v %v %v %v", name, p.Denominator, p, lo95, hi95, lo998, hi998)
			}
			if i > 0 && p.Denominator <= c[i-1].Denominator {
				t.Errorf("%s curve not increasing at %d", name, i)
			}
		}
	}
}

// TestPracticeBenchmarkStaleRegister: a practice that referred more people
// than its register holds (D00004: register 2 in every snapshot, patients
// PD1-PD3 referred in 2025Q4) has a stale register. Its referral rate,
// 3 of 2, is not compared: no interval, label "Not compared", no rank,
// and StaleRegister set for the page's data-quality note. Its counts stay
// in the borough's totals: 60 + 3 = 63 people over 700 + 2 = 702.
func TestPracticeBenchmarkStaleRegister(t *testing.T) {
	f := buildBenchmarkFixture(t)
	for _, q := range []string{"2025Q4", "2026Q1", "2026Q2"} {
		f.practice(q, "D00004", "Dogwood Surgery", "South PCN", 2)
	}
	for i := 1; i <= 3; i++ {
		f.referral(referral{ID: fmt.Sprintf("D%d", i), Patient: fmt.Sprintf("PD%d", i), Practice: "D00004", Date: "2025-10-20"})
	}
	got, err := f.store(plainLimits(false)).PracticeBenchmark(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	pwCheckProportion(t, "borough referral rate", got.ReferralRate.Borough, pwN(63), pwN(702), 100*63.0/702, 63, 702)
	if got.ReferralRate.Ranked != 3 {
		t.Errorf("%d practices ranked on referral rate, want 3 (not D00004)", got.ReferralRate.Ranked)
	}
	for _, p := range got.Practices {
		stale := p.Code == "D00004"
		if p.StaleRegister != stale {
			t.Errorf("%s stale register %v, want %v", p.Code, p.StaleRegister, stale)
		}
		if !stale {
			continue
		}
		r := p.ReferralRate
		pwCheckCount(t, "D00004 people referred", r.Numerator, pwN(3))
		pwCheckCount(t, "D00004 register", r.Denominator, pwN(2))
		if r.Label != stats.NotCompared || r.Rank != nil || r.CILow != nil || r.CIHigh != nil {
			t.Errorf("D00004 referral rate: label %q, rank %v, interval %v-%v; want Not compared, none, none",
				r.Label, r.Rank, r.CILow, r.CIHigh)
		}
	}
}

// TestPracticeBenchmarkFilters: the practice and PCN filters choose rows,
// not the comparator; the period chooses the register snapshot.
func TestPracticeBenchmarkFilters(t *testing.T) {
	s := buildBenchmarkFixture(t).store(plainLimits(false))
	ctx := context.Background()
	const refB = 60.0 / 700

	got, err := s.PracticeBenchmark(ctx, Filter{Practice: "B00002"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Practices) != 1 || got.Practices[0].Code != "B00002" {
		t.Fatalf("practice filter: %+v", got.Practices)
	}
	checkMeasure(t, "B alone", got.Practices[0].ReferralRate, refB, benchWant{20, 400, stats.Low, 2})

	got, err = s.PracticeBenchmark(ctx, Filter{PCN: "South PCN"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Practices) != 1 || got.Practices[0].Code != "C00003" {
		t.Fatalf("PCN filter: %+v", got.Practices)
	}
	checkMeasure(t, "C in South", got.Practices[0].ReferralRate, refB, benchWant{0, 200, stats.LowSevere, 3})

	// Up to 2026Q1: A's register is the 2026Q1 snapshot's 90, and only its
	// 38 patients of 2025Q4 count. Baseline (38 + 20 + 0) / (90 + 400 + 200).
	got, err = s.PracticeBenchmark(ctx, Filter{To: "2026Q1"})
	if err != nil {
		t.Fatal(err)
	}
	a := got.Practices[0]
	if a.RegisterQuarter != "2026Q1" {
		t.Errorf("register quarter %s, want 2026Q1", a.RegisterQuarter)
	}
	checkMeasure(t, "A to 2026Q1", a.ReferralRate, 58.0/690, benchWant{38, 90, stats.HighSevere, 1})

	// Nobody self-referred: every practice still listed, rates 0 of the
	// register; the baseline is 0, so all are Not significant and tie.
	got, err = s.PracticeBenchmark(ctx, Filter{Referrer: "self"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Practices) != 3 {
		t.Fatalf("nothing selected: %d practices, want 3", len(got.Practices))
	}
	checkMeasure(t, "A nothing", got.Practices[0].ReferralRate, 0, benchWant{0, 100, stats.NotSignificant, 1})
	checkMeasure(t, "B nothing", got.Practices[1].Conversion, pwNone, benchWant{0, 0, stats.NotCompared, 0})
	if got.Conversion.Baseline != nil || len(got.Conversion.Curve) != 0 {
		t.Errorf("no conversion denominator: baseline %v, curve %d points", got.Conversion.Baseline, len(got.Conversion.Curve))
	}
}

// TestPracticeBenchmarkDisclosure: with the rule on, everything published
// about a practice is worked out from its counts as shown, and the
// baseline from the borough's totals as shown (issue 10; before it, the
// interval, limits, label and rank came from the true counts, so B's
// conversion showed "*" beside "Low (0.025)" and a rank).
//
// Referral rate: every count is 0 or a multiple of 5 already, so nothing
// changes: A 40/100 High (0.001) rank 1, B 20/400 Low (0.025) rank 2, C
// 0/200 Low (0.001) rank 3, baseline 60/700.
//
// Conversion: borough 22/60 -> 20/60, baseline 33.33%.
//
//	A 20/40 = 50%. At n=40 around 1/3 the 95% upper limit is
//	  0.3333 + 1.959964 sqrt(0.3333 x 0.6667 / 40) = 0.3333 + 0.1461 = 47.94%,
//	  the 99.8% one 0.3333 + 0.2303 = 56.37%: High (0.025) (against the
//	  true baseline 36.67% it was not significant), rank 1 of 1.
//	B 2/20 -> * / 20: no percentage, interval, limits, label or rank.
//	C 0/0: not compared.
//
// Follow-up: A 3/4 -> * / *, B 0/2 -> 0 / *, borough 3/6 -> * / *: no
// baseline, nothing compared, nothing ranked.
func TestPracticeBenchmarkDisclosure(t *testing.T) {
	s := buildBenchmarkFixture(t).store(plainLimits(true))
	got, err := s.PracticeBenchmark(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	a, b, c := got.Practices[0], got.Practices[1], got.Practices[2]
	checkMeasure(t, "A referral rate", a.ReferralRate, 60.0/700, benchWant{40, 100, stats.HighSevere, 1})
	checkMeasure(t, "B referral rate", b.ReferralRate, 60.0/700, benchWant{20, 400, stats.Low, 2})
	checkMeasure(t, "C referral rate", c.ReferralRate, 60.0/700, benchWant{0, 200, stats.LowSevere, 3})

	pwCheckProportion(t, "borough conversion", got.Conversion.Borough, pwN(20), pwN(60), 100*20.0/60, 22, 60)
	pwCheckPct(t, "conversion baseline", got.Conversion.Baseline, 100*20.0/60)
	checkMeasure(t, "A conversion", a.Conversion, 1.0/3, benchWant{20, 40, stats.High, 1})
	checkWithheld(t, "B conversion", b.Conversion, pwStar, pwN(20))
	if got.Conversion.Ranked != 1 {
		t.Errorf("conversion: %d ranked, want 1 (B's is withheld, C has none)", got.Conversion.Ranked)
	}
	if n := got.Conversion.Curve[len(got.Conversion.Curve)-1].Denominator; n != 40 {
		t.Errorf("conversion curve ends at %d, want 40 (A's; B's rate is not shown)", n)
	}

	pwCheckProportion(t, "borough follow-up", got.FollowUp.Borough, pwStar, pwStar, pwNone, 3, 6)
	if got.FollowUp.Baseline != nil || len(got.FollowUp.Curve) != 0 || got.FollowUp.Ranked != 0 {
		t.Errorf("follow-up: baseline %v, %d curve points, %d ranked; want none", got.FollowUp.Baseline, len(got.FollowUp.Curve), got.FollowUp.Ranked)
	}
	checkWithheld(t, "A follow-up", a.FollowUp, pwStar, pwStar)
	checkWithheld(t, "B follow-up", b.FollowUp, pwN(0), pwStar)
	if d := got.Disclosure; !d.Applied || d.Exact != ExactNone || d.Audience != AudiencePublic || d.Suppressed != 6 {
		// B's conversion numerator; A's follow-up numerator and
		// denominator, B's denominator, the borough's two.
		t.Errorf("disclosure %+v, want the rule applied to everything, 6 cells suppressed", d)
	}
}

// TestPracticeBenchmarkOwnPractice: B00002's own staff see B's counts
// exact and everything about B from them; the borough and the other
// practices are as everyone sees them (TestPracticeBenchmarkDisclosure).
//
//	B conversion 2/20 = 10%, Wilson 2.79-30.10%. At n=20 around the
//	  published baseline 1/3: 95% lower limit 0.3333 - 1.959964 x 0.1054 =
//	  12.67%, 99.8% lower 0.3333 - 3.090232 x 0.1054 = 0.76%: Low (0.025).
//	  Ranked among the rates shown to B's staff: A 50%, B 10%: rank 2 of 2.
//	B follow-up 0/2 = 0%; no borough baseline: Not compared, but ranked
//	  among the rates shown (only B's): 1 of 1.
func TestPracticeBenchmarkOwnPractice(t *testing.T) {
	s := buildBenchmarkFixture(t).store(plainLimits(true))
	own := Audience{Practice: "B00002"}
	for _, f := range []Filter{{Audience: own}, {Practice: "B00002", Audience: own}} {
		got, err := s.PracticeBenchmark(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		var b PracticeBenchmarkRow
		for _, p := range got.Practices {
			if p.Code == "B00002" {
				b = p
			}
			if p.Code == "A00001" {
				checkWithheld(t, "A follow-up, to B's staff", p.FollowUp, pwStar, pwStar)
			}
		}
		name := "B's own staff, filter " + f.Query().Encode()
		pwCheckProportion(t, name+" borough conversion", got.Conversion.Borough, pwN(20), pwN(60), 100*20.0/60, 22, 60)
		checkMeasure(t, name+" conversion", b.Conversion, 1.0/3, benchWant{2, 20, stats.Low, 2})
		if got.Conversion.Ranked != 2 {
			t.Errorf("%s: %d ranked on conversion, want 2", name, got.Conversion.Ranked)
		}
		pwCheckProportion(t, name+" follow-up", b.FollowUp.Proportion, pwN(0), pwN(2), 0, 0, 2)
		if b.FollowUp.Label != stats.NotCompared || b.FollowUp.Rank == nil || *b.FollowUp.Rank != 1 {
			t.Errorf("%s follow-up: %q rank %v; want Not compared, rank 1", name, b.FollowUp.Label, b.FollowUp.Rank)
		}
		if d := got.Disclosure; d.Audience != AudienceOwnPractice || d.Practice != "B00002" || d.Exact != ExactOwnPractice || !d.Applied {
			t.Errorf("%s: disclosure %+v", name, d)
		}
	}
	// Another practice's staff see B as everyone does.
	got, err := s.PracticeBenchmark(context.Background(), Filter{Practice: "B00002", Audience: Audience{Practice: "A00001"}})
	if err != nil {
		t.Fatal(err)
	}
	checkWithheld(t, "B conversion, to A's staff", got.Practices[0].Conversion, pwStar, pwN(20))
	if d := got.Disclosure; d.Exact != ExactNone || d.Audience != AudienceOwnPractice {
		t.Errorf("B's figures to A's staff: disclosure %+v", d)
	}
}

// checkWithheld checks a practice's measure whose rate is withheld: its
// counts as shown, and no percentage, interval, limits, label or rank.
func checkWithheld(t *testing.T, name string, got PracticeMeasure, num, den Count) {
	t.Helper()
	pwCheckProportion(t, name, got.Proportion, num, den, pwNone, 0, 0)
	if got.Lower95 != nil || got.Upper998 != nil || got.Label != stats.NotCompared || got.Rank != nil {
		t.Errorf("%s: limits %v-%v, label %q, rank %v beside a withheld rate", name, deref(got.Lower95), deref(got.Upper998), got.Label, deref(got.Rank))
	}
}
