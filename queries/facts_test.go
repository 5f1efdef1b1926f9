package queries

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// buildPathwayFixture is a hand-made borough of one practice, as of the end
// of 2026Q2 (2026-06-30). Each referral exercises one definition; the
// expected values in TestReferralFacts are worked out in its comments.
func buildPathwayFixture(tb testing.TB) *fixture {
	f := newFixture(tb)
	for _, q := range []string{"2025Q4", "2026Q1", "2026Q2"} {
		f.practice(q, "F83004", "Hanley Road Surgery", "North PCN", 400)
		f.venue(q, "V1", "Hornsey Road Baths")
		f.loaded(q)
	}
	f.course(course{ID: "C1", Venue: "V1", FirstDate: "2025-11-03"}) // a Monday
	f.course(course{ID: "C2", Venue: "", FirstDate: "2026-01-05", Start: "18:00"})
	f.course(course{ID: "C3", Venue: "V1", FirstDate: "2026-05-04"})

	// R1: attends all seven sessions of C1, 33 days after referral.
	f.referral(referral{ID: "R1", Practice: "F83004", Date: "2025-10-01"})
	f.attend("R1", "C1", "2025-11-03", "1111111")
	f.outcome("R1", "completed", "2025-12-15", "2025-12-20")
	// R2: a carer (no diagnosis date) who misses session 1 and attends 2 and 3.
	f.referral(referral{ID: "R2", Practice: "F83004", Date: "2025-10-02", PatientOrCarer: "carer"})
	f.attend("R2", "C1", "2025-11-03", "0110000")
	// R3: diagnosed five weeks ago: not yet eligible.
	f.referral(referral{ID: "R3", Practice: "F83004", Date: "2025-10-02", Years: years(0.1)})
	// R4: eligible on paper, ruled ineligible by the provider.
	f.referral(referral{ID: "R4", Practice: "F83004", Date: "2025-10-02"})
	f.outcome("R4", "ineligible", "2025-10-20", "2025-10-25")
	// R5: did not attend; practice told 2025-11-10; followed up on day 28;
	// later attends C2 (94 days after referral: still inside 180).
	f.referral(referral{ID: "R5", Practice: "F83004", Date: "2025-10-03"})
	f.outcome("R5", "did not attend", "2025-11-03", "2025-11-10")
	f.followup("R5", "2025-12-08", "practice", "rebooked")
	f.attend("R5", "C2", "2026-01-05", "11")
	// R6: did not attend; followed up on day 29: too late.
	f.referral(referral{ID: "R6", Practice: "F83004", Date: "2025-10-03"})
	f.outcome("R6", "did not attend", "2025-11-03", "2025-11-10")
	f.followup("R6", "2025-12-09", "provider", "no contact")
	// R7: referred 2026-05-01, not booked: its 180 days have not passed.
	f.referral(referral{ID: "R7", Practice: "F83004", Date: "2026-05-01"})
	// R8: first attends 212 days after referral: booked, not converted.
	f.referral(referral{ID: "R8", Practice: "F83004", Date: "2025-10-04"})
	f.attend("R8", "C3", "2026-05-04", "11111111"[:7])
	return f
}

func TestReferralFacts(t *testing.T) {
	f := buildPathwayFixture(t)
	f.store()
	cases := []struct {
		referral, column string
		want             any
	}{
		{"R1", "eligible", true},
		{"R1", "converted", true},
		{"R1", "days_to_first_session", int32(33)}, // 2025-10-01 → 2025-11-03
		{"R1", "sessions_attended", int64(7)},
		{"R1", "completed", true},
		{"R1", "conversion_final", true}, // 2025-10-01 + 180 = 2026-03-30 ≤ 2026-06-30
		{"R2", "eligible", true},         // carers are eligible without a diagnosis date
		{"R2", "converted", true},
		{"R2", "days_to_first_session", int32(39)}, // first attended 2025-11-10
		{"R2", "completed", false},                 // 2 of 7 sessions
		{"R3", "eligible", false},
		{"R4", "eligible", false},
		{"R5", "non_attender", true},
		{"R5", "days_to_followup", int32(28)},
		{"R5", "followed_up_in_window", true}, // day 28 counts
		{"R5", "followup_due", true},          // 2025-11-10 + 28 = 2025-12-08 ≤ as-of
		{"R5", "re_engaged", true},
		{"R5", "converted", true}, // 2026-01-05 is 94 days after referral
		{"R5", "first_followup_by", "practice"},
		{"R6", "days_to_followup", int32(29)},
		{"R6", "followed_up_in_window", false}, // day 29 does not
		{"R6", "re_engaged", false},
		{"R7", "booked", false},
		{"R7", "conversion_final", false}, // 2026-05-01 + 180 > 2026-06-30
		{"R8", "booked", true},
		{"R8", "converted", false}, // 212 days > 180
		{"R8", "completed", false},
		{"R8", "pcn", "North PCN"},
	}
	for _, c := range cases {
		if got := f.fact(c.referral, c.column); got != c.want {
			t.Errorf("%s %s = %v (%T), want %v (%T)", c.referral, c.column, got, got, c.want, c.want)
		}
	}
}

func TestOutcomeFactsCoding(t *testing.T) {
	f := buildPathwayFixture(t)
	// R1 completed, notified 2025-12-20: coded 9OLB (attended) within 90 days.
	f.gpCode("F83004", "PX-R1", "9OLB", "2026-01-10")
	// R5 did not attend, notified 2025-11-10: coded 9OLM (declined), the
	// wrong category, so it stays uncoded.
	f.gpCode("F83004", "PX-R5", "9OLM", "2025-11-20")
	// R6 did not attend: coded 9NiA 91 days after notification: too late.
	f.gpCode("F83004", "PX-R6", "9NiA", "2026-02-09")
	f.store()
	var coded, due, total int64
	err := f.db.QueryRow(`SELECT count(*) FILTER (WHERE coded), count(*) FILTER (WHERE coding_due), count(*) FROM outcome_facts`).Scan(&coded, &due, &total)
	if err != nil {
		t.Fatal(err)
	}
	// Notified outcomes: R1 completed, R5 DNA, R6 DNA (R4's "ineligible" has no code).
	if total != 3 || due != 3 || coded != 1 {
		t.Errorf("outcome_facts: coded %d, due %d, total %d; want 1, 3, 3", coded, due, total)
	}
}

// TestResultsAreCachedUntilALoadCommits: a second identical question is
// answered from the cache (a change to the facts without a load is not
// seen), and a committed load (a new load id) is seen at once.
func TestResultsAreCachedUntilALoadCommits(t *testing.T) {
	f := buildPathwayFixture(t)
	s := f.store()
	ctx := context.Background()
	referred := func() Count {
		t.Helper()
		got, err := s.Funnel(ctx, Filter{})
		if err != nil {
			t.Fatal(err)
		}
		return got.Stages[0].People
	}
	if got := referred(); got != (Count{N: 8}) {
		t.Fatalf("referred %v, want 8 (R1-R8)", got)
	}
	// Behind the store's back: no load, so the cached answer stands.
	f.exec(`DELETE FROM referral_facts WHERE referral_id = 'R8'`)
	if got := referred(); got != (Count{N: 8}) {
		t.Errorf("after an unrecorded change: referred %v, want the cached 8", got)
	}
	// A load commits: a new referral, a new load id, derived tables rebuilt.
	f.referral(referral{ID: "R9", Practice: "F83004", Date: "2026-06-01"})
	f.loaded("2026Q2")
	tx, err := f.db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Refresh(ctx, tx); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := referred(); got != (Count{N: 9}) {
		t.Errorf("after a load: referred %v, want 9", got)
	}
}

// TestConcurrentMissesComputeOnce: requests that miss the cache together
// wait for one computation instead of each running the queries. With the
// cache off (DisableCache) they still do, but nothing is kept: the next
// request computes afresh.
func TestConcurrentMissesComputeOnce(t *testing.T) {
	for _, off := range []bool{false, true} {
		s := buildPathwayFixture(t).store()
		if off {
			s.DisableCache()
		}
		var computed atomic.Int32
		slow := func(ctx context.Context, f Filter) (int, error) {
			computed.Add(1)
			time.Sleep(50 * time.Millisecond)
			return 42, nil
		}
		var wg sync.WaitGroup
		results := make([]int, 20)
		for i := range results {
			wg.Go(func() {
				v, err := remember(context.Background(), s, "slow", Filter{}, slow)
				if err != nil {
					t.Error(err)
				}
				results[i] = v
			})
		}
		wg.Wait()
		if n := computed.Load(); n != 1 {
			t.Errorf("cache off %v: computed %d times for 20 concurrent requests, want once", off, n)
		}
		for i, v := range results {
			if v != 42 {
				t.Errorf("cache off %v: request %d got %d, want 42", off, i, v)
			}
		}
		if _, err := remember(context.Background(), s, "slow", Filter{}, slow); err != nil {
			t.Fatal(err)
		}
		if n, want := computed.Load(), map[bool]int32{false: 1, true: 2}[off]; n != want {
			t.Errorf("cache off %v: computed %d times after a later request, want %d", off, n, want)
		}
	}
}

// A database with nothing loaded yet is data version 0, the cache's zero
// value: answers are still computed and kept, and nothing panics.
func TestCacheOnAnEmptyDatabase(t *testing.T) {
	s := newFixture(t).store()
	var computed atomic.Int32
	count := func(ctx context.Context, f Filter) (int, error) {
		computed.Add(1)
		return 7, nil
	}
	for range 2 {
		if v, err := remember(context.Background(), s, "count", Filter{}, count); err != nil || v != 7 {
			t.Fatalf("remember: %v, %v", v, err)
		}
	}
	if n := computed.Load(); n != 1 {
		t.Errorf("computed %d times, want once", n)
	}
	if _, err := s.Trends(context.Background(), Filter{}); err != nil {
		t.Errorf("Trends on an empty database: %v", err)
	}
}
