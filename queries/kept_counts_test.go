package queries

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
)

// TestKeptCountsEqualReferrals: on the sample, with the edge cases it
// carries (re-referrals, carers, open windows, follow-ups and codes on
// every boundary), the indicators that add up the counts kept per
// practice and quarter (practice_quarter_counts and keptCounts:
// PracticeBenchmark, FollowUp, Trends, PracticeTrends, CodingCompleteness)
// equal the same counted from the referrals and outcomes, over all quarters, from a
// later quarter (so that earlier referrals fall before the range), over a
// few quarters and one, and for one network and one practice. The kept
// counts are derived state written from the same definitions; this holds
// the two paths together.
func TestKeptCountsEqualReferrals(t *testing.T) {
	conn := openSampleDB(t)
	ctx := context.Background()
	kept, err := Open(ctx, conn, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	kept.DisableCache()
	fromReferrals, err := Open(ctx, conn, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	fromReferrals.DisableCache()
	fromReferrals.countFromReferrals = true
	opts, err := kept.FilterOptions(ctx)
	if err != nil || len(opts.Quarters) < 4 || len(opts.PCNs) == 0 {
		t.Fatalf("quarters %v, networks %v: %v", opts.Quarters, opts.PCNs, err)
	}
	q := opts.Quarters
	filters := []Filter{{}, {From: q[2]}, {From: q[len(q)-4], To: q[len(q)-2]}, {From: q[3], To: q[3]},
		{PCN: opts.PCNs[0]}, {Practice: opts.Practices[0].Code}, {Compare: ComparePeers, Practice: opts.Practices[0].Code}}
	for _, f := range filters {
		compareKept(t, "PracticeBenchmark", f, kept, fromReferrals, (*Store).PracticeBenchmark, func(a PracticeBenchmark) string {
			if len(a.Practices) == 0 || a.ReferralRate.Baseline == nil {
				return "no practices or no baseline"
			}
			return ""
		})
		compareKept(t, "FollowUp", f, kept, fromReferrals, (*Store).FollowUp, func(c FollowUp) string {
			if c.NonAttenders.N == 0 || len(c.Practices) == 0 || len(c.Quarters) == 0 {
				return fmt.Sprintf("%d practices, %d quarters", len(c.Practices), len(c.Quarters))
			}
			return ""
		})
		compareKept(t, "Trends", f, kept, fromReferrals, (*Store).Trends, func(tr Trends) string {
			if !slices.ContainsFunc(tr.Quarters, func(q TrendQuarter) bool { return q.Referrals.N > 0 }) {
				return "no quarter with referrals"
			}
			return ""
		})
		compareKept(t, "CodingCompleteness", f, kept, fromReferrals, (*Store).CodingCompleteness, func(cc CodingCompleteness) string {
			if len(cc.Categories) == 0 || len(cc.Practices) == 0 || len(cc.Quarters) == 0 {
				return fmt.Sprintf("%d categories, %d practices, %d quarters", len(cc.Categories), len(cc.Practices), len(cc.Quarters))
			}
			return ""
		})
		if f.Practice != "" {
			compareKept(t, "PracticeTrends", f, kept, fromReferrals, (*Store).PracticeTrends, func(pt PracticeTrends) string {
				if len(pt.Measures) == 0 || len(pt.Measures[0].Points) == 0 {
					return "no measures or no points"
				}
				return ""
			})
		}
	}
}

// compareKept asks one indicator the same question of a store that adds up
// the kept counts and of one that counts from the referrals, and fails the
// test when the answers differ or when the kept answer has nothing in it to
// compare (empty says what is missing, "" when nothing is).
func compareKept[T any](t *testing.T, what string, f Filter, kept, fromReferrals *Store,
	indicator func(*Store, context.Context, Filter) (T, error), empty func(T) string) {
	t.Helper()
	ctx := context.Background()
	a, err := indicator(kept, ctx, f)
	if err != nil {
		t.Fatalf("%s, filter %v: %v", what, f.Query(), err)
	}
	b, err := indicator(fromReferrals, ctx, f)
	if err != nil {
		t.Fatalf("%s, filter %v, from the referrals: %v", what, f.Query(), err)
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Errorf("%s, filter %v: the kept counts and the referrals disagree:\n%.600s\n%.600s", what, f.Query(), ja, jb)
	}
	if missing := empty(a); missing != "" {
		t.Errorf("%s, filter %v: nothing to compare (%s)", what, f.Query(), missing)
	}
}
