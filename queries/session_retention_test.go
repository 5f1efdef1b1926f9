package queries

import (
	"context"
	"testing"
)

// TestSessionRetention: buildPathwayFixture plus R9, an eligible 2025Q4
// referral booked on C1 who came to none of its sessions, then started C2
// (2026-01-05, 92 days after referral: converted).
//
// Starters (eligible, converted) and their first started course:
//
//	R1 on C1, present at 1-7
//	R2 on C1, present at 2 and 3 (missed 1)
//	R5 on C2, present at 1 and 2
//	R9 on C2 (not C1, which R9 never attended), present at 1 and 2
//
// C1 held sessions 1-7; C2 has held only 1 and 2 in the data, so R5 and R9
// are left out of sessions 3-7. R8 (C3) did not convert.
//
//	session 1: present R1 R5 R9 of 4 = 75%
//	session 2: present R1 R2 R5 R9 of 4 = 100%
//	session 3: present R1 R2 of 2 = 100%
//	sessions 4-7: present R1 of 2 = 50%
func TestSessionRetention(t *testing.T) {
	f := buildPathwayFixture(t)
	f.referral(referral{ID: "R9", Practice: "F83004", Date: "2025-10-05"})
	f.attend("R9", "C1", "2025-11-03", "0000000")
	f.attend("R9", "C2", "2026-01-05", "11")
	s := f.store()
	got, err := s.SessionRetention(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	pwCheckCount(t, "starters", got.Starters, pwN(4))
	want := []struct{ present, held int64 }{{3, 4}, {4, 4}, {2, 2}, {1, 2}, {1, 2}, {1, 2}, {1, 2}}
	if len(got.Sessions) != 7 {
		t.Fatalf("%d sessions, want 7", len(got.Sessions))
	}
	for i, w := range want {
		p := got.Sessions[i]
		if p.Session != i+1 {
			t.Errorf("row %d is session %d", i, p.Session)
		}
		pct := 100 * float64(w.present) / float64(w.held)
		pwCheckProportion(t, "session "+string(rune('1'+i)), p.Present, pwN(w.present), pwN(w.held), pct, w.present, w.held)
	}

	// Nothing selected: seven sessions, all empty.
	got, err = s.SessionRetention(context.Background(), Filter{Mode: "online"})
	if err != nil {
		t.Fatal(err)
	}
	pwCheckCount(t, "starters (nothing)", got.Starters, pwN(0))
	if len(got.Sessions) != 7 {
		t.Fatalf("nothing selected: %d sessions, want 7", len(got.Sessions))
	}
	for _, p := range got.Sessions {
		pwCheckProportion(t, "empty", p.Present, pwN(0), pwN(0), pwNone, 0, 0)
	}
}

// TestSessionRetentionDisclosure: buildRoundingFixture, rule on. Starters
// D01-D08 on K1 and D24, D25 on K2 (which held only session 1).
//
//	session 1: 10 of 10 -> 10 of 10 = 100%
//	session 2: D01-D03 of D01-D08 = 3 of 8 -> * of 10: no percentage
func TestSessionRetentionDisclosure(t *testing.T) {
	s := buildRoundingFixture(t).store(pwDisclosing())
	got, err := s.SessionRetention(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	pwCheckCount(t, "starters", got.Starters, pwN(10))
	pwCheckProportion(t, "session 1", got.Sessions[0].Present, pwN(10), pwN(10), 100, 10, 10)
	pwCheckProportion(t, "session 2", got.Sessions[1].Present, pwStar, pwN(10), pwNone, 3, 8)
}
