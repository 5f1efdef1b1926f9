package queries

import (
	"context"
	"testing"
)

// TestPracticeBenchmarkCountsPeopleNotReferrals: the referral rate's
// numerator is people with diabetes referred in the range, each once.
//
// One practice, register 100, quarters 2025Q4 and 2026Q1 loaded:
//
//	P: referred 2025Q4 (GP) and again 2026Q1 (self)
//	Q: referred twice in 2026Q1 (GP, GP)
//	X: a carer, 2026Q1 (not on the register, never counted)
//
//	whole range          P, Q       = 2
//	from 2026Q1          P, Q       = 2   (P's earlier referral is before the range)
//	to 2025Q4            P          = 1
//	referrer self        P          = 1   (only P's second referral is selected)
//	referrer GP, 2026Q1  Q          = 1
func TestPracticeBenchmarkCountsPeopleNotReferrals(t *testing.T) {
	f := newFixture(t)
	for _, q := range []string{"2025Q4", "2026Q1"} {
		f.practice(q, "F83004", "Hanley Road Surgery", "North PCN", 100)
		f.loaded(q)
	}
	f.referral(referral{ID: "R1", Patient: "P", Practice: "F83004", Date: "2025-11-03"})
	f.referral(referral{ID: "R2", Patient: "P", Practice: "F83004", Date: "2026-02-02", Referrer: "self", Channel: "phone"})
	f.referral(referral{ID: "R3", Patient: "Q", Practice: "F83004", Date: "2026-01-12"})
	f.referral(referral{ID: "R4", Patient: "Q", Practice: "F83004", Date: "2026-03-09"})
	f.referral(referral{ID: "R5", Patient: "X", Practice: "F83004", Date: "2026-03-10", PatientOrCarer: "carer"})
	s := f.store(plainLimits(false))

	cases := []struct {
		name string
		f    Filter
		want int64
	}{
		{"whole range", Filter{}, 2},
		{"from 2026Q1", Filter{From: "2026Q1"}, 2},
		{"to 2025Q4", Filter{To: "2025Q4"}, 1},
		{"referrer self", Filter{Referrer: "self"}, 1},
		{"referrer GP in 2026Q1", Filter{Referrer: "GP", From: "2026Q1"}, 1},
	}
	for _, c := range cases {
		got, err := s.PracticeBenchmark(context.Background(), c.f)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Practices) != 1 {
			t.Fatalf("%s: %d practices", c.name, len(got.Practices))
		}
		num := got.Practices[0].ReferralRate.Proportion.Numerator
		if num != (Count{N: c.want}) {
			t.Errorf("%s: %v people referred, want %d", c.name, num, c.want)
		}
	}
}
