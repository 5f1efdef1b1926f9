package queries

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
)

// buildSPCFixture is two practices over 2025Q1 and 2025Q2 (as of
// 2025-06-30), for the monthly series. The tests open it with a 30-day
// conversion window (spcConfig), so that a referral of 2025-05-31 has
// just closed its window (05-31 + 30 = 06-30) and one of 2025-06-01 has
// not; follow-up (28 days) and coding (90 days) keep their defaults.
//
//	id   practice  referred    what happens
//	R01  F83004    2025-01-15  first session 2025-02-03 (19 days): converted;
//	                           attended, told 2025-03-21; coded 9OLB 2025-04-01
//	R02  F83004    2025-01-31  did not attend 2025-02-10, told 2025-02-12;
//	                           followed up 2025-03-12 (day 28: in time);
//	                           coded 9NiA 2025-02-20
//	R03  F83004    2025-02-01  did not attend 2025-02-20, told 2025-02-28;
//	                           followed up 2025-03-29 (day 29: late); not coded
//	R04  F83010    2025-02-14  first session 2025-03-03 (17 days): converted
//	R05  F83004    2025-03-31  ineligible (told 2025-04-11): out of conversion
//	                           and coding, still a referral
//	R09  F83010    2025-03-10  did not attend 2025-04-01, told 2025-04-01;
//	                           provider followed up 2025-04-10 (in time);
//	                           coded 9NiA 2025-06-30 (day 90: in time, and
//	                           04-01 + 90 = 06-30, so due)
//	R06  F83004    2025-04-01  first session 2025-05-05 (34 days): not converted
//	R07  F83004    2025-05-31  did not attend 2025-06-02, told 2025-06-02
//	                           (06-02 + 28 = 06-30: due); never followed up;
//	                           coding window open
//	R08  F83004    2025-06-01  conversion window open; did not attend
//	                           2025-06-05, told 2025-06-05: follow-up and
//	                           coding windows open
//
// By month, all practices (referral month for referrals and conversion,
// month notified for follow-up and coding; p = provisional):
//
//	month    referrals  conversion   follow-up      coding
//	2025-01  2          1/2 = 50%    0/0            0/0
//	2025-02  2          1/2 = 50%    1/2 = 50%      1/2 = 50%  (R02, R03)
//	2025-03  2          0/1 = 0%     0/0            1/1 = 100% (R01)
//	2025-04  1          0/1 = 0%     1/1 = 100%     1/1 = 100% (R09)
//	2025-05  1          0/1 = 0%     0/0            0/0
//	2025-06  1          0/1 = 0% p   0/1 = 0% p     0/0 p      (R07, R08 open)
func buildSPCFixture(tb testing.TB) *fixture {
	f := newFixture(tb)
	for _, q := range []string{"2025Q1", "2025Q2"} {
		f.loaded(q)
		f.practice(q, "F83004", "Archway Medical Centre", "North", 1000)
		f.practice(q, "F83010", "Hornsey Rise", "South", 800)
		f.venue(q, "V1", "Archway Centre")
	}
	f.course(course{ID: "C1", Venue: "V1", FirstDate: "2025-02-03"})
	f.course(course{ID: "C2", Venue: "V1", FirstDate: "2025-03-03"})
	f.course(course{ID: "C3", Venue: "V1", FirstDate: "2025-05-05"})

	f.referral(referral{ID: "R01", Practice: "F83004", Date: "2025-01-15"})
	f.attend("R01", "C1", "2025-02-03", "1111111")
	f.outcome("R01", "attended", "2025-03-20", "2025-03-21")
	f.gpCode("F83004", "PX-R01", "9OLB", "2025-04-01")

	f.referral(referral{ID: "R02", Practice: "F83004", Date: "2025-01-31"})
	f.outcome("R02", "did not attend", "2025-02-10", "2025-02-12")
	f.followup("R02", "2025-03-12", "practice", "rebooked")
	f.gpCode("F83004", "PX-R02", "9NiA", "2025-02-20")

	f.referral(referral{ID: "R03", Practice: "F83004", Date: "2025-02-01"})
	f.outcome("R03", "did not attend", "2025-02-20", "2025-02-28")
	f.followup("R03", "2025-03-29", "practice", "no contact")

	f.referral(referral{ID: "R04", Practice: "F83010", Date: "2025-02-14"})
	f.attend("R04", "C2", "2025-03-03", "1111111")

	f.referral(referral{ID: "R05", Practice: "F83004", Date: "2025-03-31"})
	f.outcome("R05", "ineligible", "2025-04-10", "2025-04-11")

	f.referral(referral{ID: "R09", Practice: "F83010", Date: "2025-03-10"})
	f.outcome("R09", "did not attend", "2025-04-01", "2025-04-01")
	f.followup("R09", "2025-04-10", "provider", "rebooked")
	f.gpCode("F83010", "PX-R09", "9NiA", "2025-06-30")

	f.referral(referral{ID: "R06", Practice: "F83004", Date: "2025-04-01"})
	f.attend("R06", "C3", "2025-05-05", "1111111")

	f.referral(referral{ID: "R07", Practice: "F83004", Date: "2025-05-31"})
	f.outcome("R07", "did not attend", "2025-06-02", "2025-06-02")

	f.referral(referral{ID: "R08", Practice: "F83004", Date: "2025-06-01"})
	f.outcome("R08", "did not attend", "2025-06-05", "2025-06-05")
	return f
}

// spcConfig is the default configuration with a 30-day conversion window
// and the disclosure rule off (buildSPCFixture).
func spcConfig() Config {
	c := DefaultConfig()
	c.ConversionWindowDays = 30
	c.Disclosure.Enabled = false
	return c
}

// spcWant is one expected month: the value ("-" for none), numerator and
// denominator as published ("" for none), and the flags.
type spcWant struct {
	period      string
	value       float64 // NaN: no value
	num, den    string
	provisional bool
	withheld    bool
}

const noValue = -1

func month(period string, value float64, num, den string, provisional bool) spcWant {
	v := value
	if value == noValue {
		v = math.NaN()
	}
	return spcWant{period: period, value: v, num: num, den: den, provisional: provisional}
}

func held(w spcWant) spcWant {
	w.withheld = true
	return w
}

func measureOf(t *testing.T, r SPC, name string) SPCMeasure {
	t.Helper()
	for _, m := range r.Measures {
		if m.Measure == name {
			return m
		}
	}
	t.Fatalf("no measure %q in %d measures", name, len(r.Measures))
	return SPCMeasure{}
}

func checkSeries(t *testing.T, r SPC, name string, want []spcWant) {
	t.Helper()
	m := measureOf(t, r, name)
	if len(m.Points) != len(want) {
		var got []string
		for _, p := range m.Points {
			got = append(got, p.Period)
		}
		t.Fatalf("%s: months %v, want %d", name, got, len(want))
	}
	for i, w := range want {
		p := m.Points[i]
		where := name + " " + w.period
		if p.Period != w.period {
			t.Errorf("%s: period %q", where, p.Period)
		}
		switch {
		case math.IsNaN(w.value) && p.Value != nil:
			t.Errorf("%s: value %v, want none", where, *p.Value)
		case !math.IsNaN(w.value) && (p.Value == nil || math.Abs(*p.Value-w.value) > 1e-9):
			t.Errorf("%s: value %v, want %v", where, deref(p.Value), w.value)
		}
		if p.Numerator.String() != w.num {
			t.Errorf("%s: numerator %s, want %s", where, p.Numerator, w.num)
		}
		den := ""
		if p.Denominator != nil {
			den = p.Denominator.String()
		}
		if den != w.den {
			t.Errorf("%s: denominator %q, want %q", where, den, w.den)
		}
		if p.Provisional != w.provisional {
			t.Errorf("%s: provisional %v, want %v", where, p.Provisional, w.provisional)
		}
		if p.Withheld != w.withheld {
			t.Errorf("%s: withheld %v, want %v", where, p.Withheld, w.withheld)
		}
	}
}

func TestSPCMonthlySeries(t *testing.T) {
	s := buildSPCFixture(t).store(spcConfig())
	r, err := s.SPC(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if r.AsOf != "2025-06-30" || r.RunLength != 7 {
		t.Errorf("as of %q, run length %d", r.AsOf, r.RunLength)
	}
	var names []string
	for _, m := range r.Measures {
		names = append(names, m.Measure+"/"+m.Unit+"/"+m.Basis)
	}
	if got := strings.Join(names, ", "); got != "referrals/referrals/referral month, conversion/percent/referral month, "+
		"follow_up/percent/month notified, coding/percent/month notified" {
		t.Errorf("measures: %s", got)
	}
	checkSeries(t, r, SPCReferrals, []spcWant{
		month("2025-01", 2, "2", "", false), month("2025-02", 2, "2", "", false), month("2025-03", 2, "2", "", false),
		month("2025-04", 1, "1", "", false), month("2025-05", 1, "1", "", false), month("2025-06", 1, "1", "", false),
	})
	checkSeries(t, r, SPCConversion, []spcWant{
		month("2025-01", 50, "1", "2", false), month("2025-02", 50, "1", "2", false), month("2025-03", 0, "0", "1", false),
		month("2025-04", 0, "0", "1", false), month("2025-05", 0, "0", "1", false), month("2025-06", 0, "0", "1", true),
	})
	checkSeries(t, r, SPCFollowUp, []spcWant{
		month("2025-01", noValue, "0", "0", false), month("2025-02", 50, "1", "2", false), month("2025-03", noValue, "0", "0", false),
		month("2025-04", 100, "1", "1", false), month("2025-05", noValue, "0", "0", false), month("2025-06", 0, "0", "1", true),
	})
	checkSeries(t, r, SPCCoding, []spcWant{
		month("2025-01", noValue, "0", "0", false), month("2025-02", 50, "1", "2", false), month("2025-03", 100, "1", "1", false),
		month("2025-04", 100, "1", "1", false), month("2025-05", noValue, "0", "0", false), month("2025-06", noValue, "0", "0", true),
	})

	// Conversion's limits come from the five final months only:
	// 50, 50, 0, 0, 0 have mean 20 (with June's 0 it would be 16.7);
	// moving ranges 0, 50, 0, 0 (mean 12.5), of which 50 is at least
	// 3.267 x 12.5 = 40.8 and is screened out, leaving a mean moving
	// range of 0: both limits at 20. So the 50s lie above the upper
	// limit (improvement) and the 0s below the lower (concern); June is
	// not tested. Five months is fewer than 12: unreliable.
	conv := measureOf(t, r, SPCConversion)
	for i, p := range conv.Points {
		if p.Mean == nil || *p.Mean != 20 || p.LPL == nil || *p.LPL != 20 || p.UPL == nil || *p.UPL != 20 {
			t.Fatalf("conversion %s: mean %v, limits %v to %v; want 20, 20, 20", p.Period, deref(p.Mean), deref(p.LPL), deref(p.UPL))
		}
		cause := []string{"improvement", "improvement", "concern", "concern", "concern", "none"}[i]
		if p.SpecialCause != cause {
			t.Errorf("conversion %s: special cause %q, want %q", p.Period, p.SpecialCause, cause)
		}
	}
	if conv.Latest != "2025-05" || conv.Variation == nil || *conv.Variation != "concern_low" || conv.Assurance != nil {
		t.Errorf("conversion: latest %q, variation %v, assurance %v; want 2025-05, concern_low, none", conv.Latest, deref(conv.Variation), deref(conv.Assurance))
	}
	if !conv.Unreliable || conv.InLimits != 5 || !strings.Contains(conv.Message, "2025-01 to 2025-06: 5 months") {
		t.Errorf("conversion: unreliable %v, in limits %d, message %q", conv.Unreliable, conv.InLimits, conv.Message)
	}

	// Follow-up has two final months with a value, February and April,
	// not next to each other: no moving range, so no limits, and nothing
	// is tested. The mean is there (75).
	fu := measureOf(t, r, SPCFollowUp)
	for _, p := range fu.Points {
		if p.Mean == nil || *p.Mean != 75 || p.LPL != nil || p.UPL != nil || p.SpecialCause != "none" {
			t.Errorf("follow-up %s: mean %v, limits %v %v, cause %s; want 75 and no limits", p.Period, deref(p.Mean), deref(p.LPL), deref(p.UPL), p.SpecialCause)
		}
	}
	if fu.Variation != nil || fu.Latest != "" || !strings.Contains(fu.Message, "no limits") {
		t.Errorf("follow-up: variation %v, latest %q, message %q", deref(fu.Variation), fu.Latest, fu.Message)
	}
}

// The filter's practice chooses the referrals of every series; its
// quarters choose the referral months of referrals and conversion and the
// months notified of follow-up and coding.
func TestSPCFilters(t *testing.T) {
	s := buildSPCFixture(t).store(spcConfig())
	ctx := context.Background()

	// F83004 only: R04 and R09 (F83010) leave. March's one referral, R05,
	// is ineligible: no conversion to show.
	r, err := s.SPC(ctx, Filter{Practice: "F83004"})
	if err != nil {
		t.Fatal(err)
	}
	checkSeries(t, r, SPCReferrals, []spcWant{
		month("2025-01", 2, "2", "", false), month("2025-02", 1, "1", "", false), month("2025-03", 1, "1", "", false),
		month("2025-04", 1, "1", "", false), month("2025-05", 1, "1", "", false), month("2025-06", 1, "1", "", false),
	})
	checkSeries(t, r, SPCConversion, []spcWant{
		month("2025-01", 50, "1", "2", false), month("2025-02", 0, "0", "1", false), month("2025-03", noValue, "0", "0", false),
		month("2025-04", 0, "0", "1", false), month("2025-05", 0, "0", "1", false), month("2025-06", 0, "0", "1", true),
	})
	checkSeries(t, r, SPCFollowUp, []spcWant{
		month("2025-01", noValue, "0", "0", false), month("2025-02", 50, "1", "2", false), month("2025-03", noValue, "0", "0", false),
		month("2025-04", noValue, "0", "0", false), month("2025-05", noValue, "0", "0", false), month("2025-06", 0, "0", "1", true),
	})
	checkSeries(t, r, SPCCoding, []spcWant{
		month("2025-01", noValue, "0", "0", false), month("2025-02", 50, "1", "2", false), month("2025-03", 100, "1", "1", false),
		month("2025-04", noValue, "0", "0", false), month("2025-05", noValue, "0", "0", false), month("2025-06", noValue, "0", "0", true),
	})

	// From 2025Q2: April to June. R09 was referred in March (2025Q1) but
	// its practice was told in April, so it is April's follow-up and
	// coding.
	r, err = s.SPC(ctx, Filter{From: "2025Q2"})
	if err != nil {
		t.Fatal(err)
	}
	checkSeries(t, r, SPCReferrals, []spcWant{
		month("2025-04", 1, "1", "", false), month("2025-05", 1, "1", "", false), month("2025-06", 1, "1", "", false),
	})
	checkSeries(t, r, SPCFollowUp, []spcWant{
		month("2025-04", 100, "1", "1", false), month("2025-05", noValue, "0", "0", false), month("2025-06", 0, "0", "1", true),
	})
	checkSeries(t, r, SPCCoding, []spcWant{
		month("2025-04", 100, "1", "1", false), month("2025-05", noValue, "0", "0", false), month("2025-06", noValue, "0", "0", true),
	})

	// Up to 2025Q1, online only: no referral prefers online, so every
	// month is there with nothing in it.
	r, err = s.SPC(ctx, Filter{To: "2025Q1", Mode: "online"})
	if err != nil {
		t.Fatal(err)
	}
	checkSeries(t, r, SPCReferrals, []spcWant{
		month("2025-01", 0, "0", "", false), month("2025-02", 0, "0", "", false), month("2025-03", 0, "0", "", false),
	})
	checkSeries(t, r, SPCCoding, []spcWant{
		month("2025-01", noValue, "0", "0", false), month("2025-02", noValue, "0", "0", false), month("2025-03", noValue, "0", "0", false),
	})

	if _, err := s.SPC(ctx, Filter{Practice: "A12345"}); err == nil {
		t.Error("an unknown practice is accepted")
	}
}

// Under the disclosure rule every count of the fixture (1 or 2) is
// withheld: every value resting on one is withheld and out of the limits,
// so nothing has a mean. A month with nothing to divide by (0 due) is not
// withheld: 0 stays 0, and its value is missing for want of a
// denominator.
func TestSPCWithheldMonths(t *testing.T) {
	c := spcConfig()
	c.Disclosure.Enabled = true
	s := buildSPCFixture(t).store(c)
	r, err := s.SPC(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	checkSeries(t, r, SPCReferrals, []spcWant{
		held(month("2025-01", noValue, "*", "", false)), held(month("2025-02", noValue, "*", "", false)),
		held(month("2025-03", noValue, "*", "", false)), held(month("2025-04", noValue, "*", "", false)),
		held(month("2025-05", noValue, "*", "", false)), held(month("2025-06", noValue, "*", "", false)),
	})
	checkSeries(t, r, SPCFollowUp, []spcWant{
		month("2025-01", noValue, "0", "0", false), held(month("2025-02", noValue, "*", "*", false)),
		month("2025-03", noValue, "0", "0", false), held(month("2025-04", noValue, "*", "*", false)),
		month("2025-05", noValue, "0", "0", false), held(month("2025-06", noValue, "0", "*", true)),
	})
	for _, m := range r.Measures {
		for _, p := range m.Points {
			if p.Mean != nil || p.SpecialCause != "none" {
				t.Errorf("%s %s: mean %v, cause %s, from withheld values", m.Measure, p.Period, deref(p.Mean), p.SpecialCause)
			}
		}
		if m.Variation != nil || !m.Unreliable {
			t.Errorf("%s: variation %v, unreliable %v", m.Measure, deref(m.Variation), m.Unreliable)
		}
	}
	if !r.Disclosure.Applied || r.Disclosure.Suppressed == 0 {
		t.Errorf("disclosure %+v", r.Disclosure)
	}
}

// buildSPCRoundingFixture has enough referrals for the rule to round
// rather than withhold (as of 2025-03-31, conversion window 30 days):
//
//	month    referred  converted  published                  value
//	2025-01  9         8          10 of 10                   100%
//	2025-02  13        8          10 of 15                   66.7% (true 61.5%)
//	2025-03  3         0          * referrals; 0 of *        withheld (and provisional)
func buildSPCRoundingFixture(tb testing.TB) *fixture {
	f := newFixture(tb)
	f.loaded("2025Q1")
	f.practice("2025Q1", "F83004", "Archway Medical Centre", "North", 1000)
	f.venue("2025Q1", "V1", "Archway Centre")
	f.course(course{ID: "C1", Venue: "V1", FirstDate: "2025-01-20", Capacity: 16})
	f.course(course{ID: "C2", Venue: "V1", FirstDate: "2025-02-24", Capacity: 16})
	for i := 1; i <= 9; i++ {
		id := fmt.Sprintf("J%d", i)
		f.referral(referral{ID: id, Practice: "F83004", Date: fmt.Sprintf("2025-01-%02d", i+1)})
		if i <= 8 {
			f.attend(id, "C1", "2025-01-20", "1")
		}
	}
	for i := 1; i <= 13; i++ {
		id := fmt.Sprintf("F%d", i)
		f.referral(referral{ID: id, Practice: "F83004", Date: fmt.Sprintf("2025-02-%02d", i)})
		if i <= 8 {
			f.attend(id, "C2", "2025-02-24", "1")
		}
	}
	for i := 1; i <= 3; i++ {
		f.referral(referral{ID: fmt.Sprintf("M%d", i), Practice: "F83004", Date: fmt.Sprintf("2025-03-%02d", i)})
	}
	return f
}

func TestSPCValuesFromPublishedCounts(t *testing.T) {
	c := spcConfig()
	c.Disclosure.Enabled = true
	s := buildSPCRoundingFixture(t).store(c)
	r, err := s.SPC(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	checkSeries(t, r, SPCReferrals, []spcWant{
		month("2025-01", 10, "10", "", false), month("2025-02", 15, "15", "", false), held(month("2025-03", noValue, "*", "", false)),
	})
	checkSeries(t, r, SPCConversion, []spcWant{
		month("2025-01", 100, "10", "10", false), month("2025-02", 200.0/3, "10", "15", false), held(month("2025-03", noValue, "0", "*", true)),
	})
	// The limits are those of the published values: referrals 10 and 15
	// have mean 12.5 and one moving range of 5, so limits 12.5 -/+ 13.3.
	ref := measureOf(t, r, SPCReferrals)
	p := ref.Points[0]
	if p.Mean == nil || *p.Mean != 12.5 || p.LPL == nil || math.Abs(*p.LPL-(12.5-13.3)) > 1e-9 || math.Abs(*p.UPL-(12.5+13.3)) > 1e-9 {
		t.Errorf("referrals: mean %v, limits %v to %v; want 12.5, -0.8 to 25.8", deref(p.Mean), deref(p.LPL), deref(p.UPL))
	}
	// Two cells are withheld: March's referrals, and its eligible
	// referrals (the conversion's denominator).
	if r.Disclosure.Suppressed != 2 {
		t.Errorf("%d cells suppressed, want 2", r.Disclosure.Suppressed)
	}
}

// The configuration's direction, target and rebase dates reach the charts.
func TestSPCConfiguration(t *testing.T) {
	f := buildSPCFixture(t)
	c := spcConfig()
	c.SPC.Referrals.Improvement = "decrease"
	c.SPC.Referrals.Target = ptr(1.0)
	// A service change on 15 March: new limits from 2025-03. One before
	// the data and one after them change nothing.
	c.SPC.Rebase = []string{"2024-06-01", "2030-01-01"}
	c.SPC.Conversion.Rebase = []string{"2025-03-15"}
	c.SPC.RunLength = 5
	r, err := f.store(c).SPC(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if r.RunLength != 5 {
		t.Errorf("run length %d", r.RunLength)
	}

	// Referrals 2, 2, 2, 1, 1, 1: mean 1.5; moving ranges 0, 0, 1, 0, 0
	// (mean 0.2), the 1 screened (at least 0.65): limits 1.5 and 1.5. The
	// target of 1 lies below the lower limit: a measure that should
	// decrease fails it every month. The 2s are above the upper limit: a
	// concern, as referrals should decrease.
	ref := measureOf(t, r, SPCReferrals)
	if ref.Improvement != "decrease" || ref.Target == nil || *ref.Target != 1 {
		t.Errorf("referrals: improvement %q, target %v", ref.Improvement, ref.Target)
	}
	if ref.Assurance == nil || *ref.Assurance != "consistent_fail" {
		t.Errorf("referrals: assurance %v, want consistent_fail", deref(ref.Assurance))
	}
	if p := ref.Points[0]; p.SpecialCause != "concern" || !strings.Contains(strings.Join(p.Rules, ","), "outside_limits") {
		t.Errorf("referrals 2025-01: %s %v, want concern beyond a limit", p.SpecialCause, p.Rules)
	}
	if v := deref(ref.Variation); v != "improvement_low" {
		t.Errorf("referrals: variation %s, want improvement_low (May's 1 is below the limit)", v)
	}
	if len(ref.Rebase) != 0 {
		t.Errorf("referrals rebased at %v, want nowhere", ref.Rebase)
	}

	// Conversion rebased at 2025-03: 50, 50 | 0, 0, 0, (0 provisional).
	conv := measureOf(t, r, SPCConversion)
	if strings.Join(conv.Rebase, ",") != "2025-03" {
		t.Errorf("conversion rebased at %v, want 2025-03", conv.Rebase)
	}
	for i, p := range conv.Points {
		mean := []float64{50, 50, 0, 0, 0, 0}[i]
		if p.Mean == nil || *p.Mean != mean || p.SpecialCause != "none" {
			t.Errorf("conversion %s: mean %v, cause %s; want %v and none", p.Period, deref(p.Mean), p.SpecialCause, mean)
		}
	}
	if conv.InLimits != 3 {
		t.Errorf("conversion: %d months in the latest limits, want 3", conv.InLimits)
	}
	if !strings.Contains(conv.Message, "2025-01 to 2025-02: 2 months; 2025-03 to 2025-06: 3 months") {
		t.Errorf("conversion message %q", conv.Message)
	}
}

func TestSPCConfigValidation(t *testing.T) {
	c := DefaultConfig()
	c.SPC.RunLength = 1
	c.SPC.Rebase = []string{"2025-13-01"}
	c.SPC.FollowUp.Improvement = "up"
	c.SPC.FollowUp.Target = ptr(120.0)
	c.SPC.Referrals.Target = ptr(-3.0)
	c.SPC.Coding.Rebase = []string{"April 2025"}
	err := c.Validate()
	if err == nil {
		t.Fatal("nonsense SPC settings pass")
	}
	for _, w := range []string{
		"spc.run_length must be 2 to 24 points, not 1",
		`spc.rebase: "2025-13-01" is not a date written YYYY-MM-DD`,
		`spc.follow_up.improvement must be "increase" or "decrease", not "up"`,
		"spc.follow_up.target is a percentage and must be 0 to 100, not 120",
		"spc.referrals.target must be a number of at least 0, not -3",
		`spc.coding.rebase: "April 2025" is not a date`,
	} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q:\n%v", w, err)
		}
	}
	if err := DefaultConfig().Validate(); err != nil {
		t.Errorf("the defaults fail: %v", err)
	}
	// A referrals target above 100 is a count, not a percentage.
	c = DefaultConfig()
	c.SPC.Referrals.Target = ptr(250.0)
	if err := c.Validate(); err != nil {
		t.Errorf("a referrals target of 250 a month: %v", err)
	}
}

// The SPC settings decide how the charts read the indicators, not the
// derived tables: changing them must not rebuild an England-scale
// database, while changing a window must.
func TestSPCSettingsDoNotRebuildTheFacts(t *testing.T) {
	base := DefaultConfig()
	c := base
	c.SPC.RunLength = 8
	c.SPC.FollowUp.Target = ptr(80.0)
	c.SPC.Rebase = []string{"2025-04-01"}
	c.SPC.Coding.Improvement = "decrease"
	if c.Hash() != base.Hash() {
		t.Error("changing SPC settings changes the hash of the derived tables")
	}
	c.FollowUpWindowDays = 21
	if c.Hash() == base.Hash() {
		t.Error("changing the follow-up window does not change the hash")
	}

	// Over a database: a store opened with other SPC settings finds the
	// derived tables fresh.
	f := buildSPCFixture(t)
	f.store(spcConfig())
	c = spcConfig()
	c.SPC.FollowUp.Target = ptr(80.0)
	s := &Store{db: f.db, cfg: c}
	fresh, err := s.derivedFresh(context.Background())
	if err != nil || !fresh {
		t.Errorf("derived tables fresh %v (%v) after changing only an SPC target", fresh, err)
	}
}

// With nothing loaded there are no months: every measure is there, empty,
// and says why.
func TestSPCWithNothingLoaded(t *testing.T) {
	s := newFixture(t).store()
	r, err := s.SPC(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Measures) != 4 {
		t.Fatalf("%d measures", len(r.Measures))
	}
	for _, m := range r.Measures {
		if m.Points == nil || len(m.Points) != 0 || m.Variation != nil || m.Message != "No months are loaded for these filters." {
			t.Errorf("%s: %d points, variation %v, message %q", m.Measure, len(m.Points), deref(m.Variation), m.Message)
		}
	}
}
