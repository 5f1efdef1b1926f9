package queries

import (
	"context"
	"encoding/json"
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
	same := func(what string, f Filter, a, b any) {
		t.Helper()
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if string(ja) != string(jb) {
			t.Errorf("%s, filter %v: the kept counts and the referrals disagree:\n%.600s\n%.600s", what, f.Query(), ja, jb)
		}
	}
	for _, f := range filters {
		a, err := kept.PracticeBenchmark(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		b, err := fromReferrals.PracticeBenchmark(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		same("PracticeBenchmark", f, a, b)
		if len(a.Practices) == 0 || a.ReferralRate.Baseline == nil {
			t.Errorf("PracticeBenchmark, filter %v: nothing to compare", f.Query())
		}

		c, err := kept.FollowUp(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		d, err := fromReferrals.FollowUp(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		same("FollowUp", f, c, d)
		if c.NonAttenders.N == 0 || len(c.Practices) == 0 || len(c.Quarters) == 0 {
			t.Errorf("FollowUp, filter %v: nothing to compare (%d practices, %d quarters)", f.Query(), len(c.Practices), len(c.Quarters))
		}

		tr, err := kept.Trends(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		tr2, err := fromReferrals.Trends(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		same("Trends", f, tr, tr2)
		if !slices.ContainsFunc(tr.Quarters, func(q TrendQuarter) bool { return q.Referrals.N > 0 }) {
			t.Errorf("Trends, filter %v: nothing to compare (no quarter with referrals)", f.Query())
		}

		cc, err := kept.CodingCompleteness(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		cc2, err := fromReferrals.CodingCompleteness(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		same("CodingCompleteness", f, cc, cc2)
		if len(cc.Categories) == 0 || len(cc.Practices) == 0 || len(cc.Quarters) == 0 {
			t.Errorf("CodingCompleteness, filter %v: nothing to compare (%d categories, %d practices, %d quarters)",
				f.Query(), len(cc.Categories), len(cc.Practices), len(cc.Quarters))
		}

		if f.Practice != "" {
			pt, err := kept.PracticeTrends(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			pt2, err := fromReferrals.PracticeTrends(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			same("PracticeTrends", f, pt, pt2)
			if len(pt.Measures) == 0 || len(pt.Measures[0].Points) == 0 {
				t.Errorf("PracticeTrends, filter %v: nothing to compare", f.Query())
			}
		}
	}
}
