package queries

import (
	"context"
	"database/sql"
	"path/filepath"
	"sort"
	"testing"

	"github.com/uptake-nhs/uptake/db"
	"github.com/uptake-nhs/uptake/ingest"
)

// TestSampleHeadlinesArePlausible loads the shipped sample data and checks
// that the published headline figures stay within the ranges a provider's
// own records make plausible (docs/indicators.md, "Plausible ranges"):
//
//   - conversion 35-75%: nationally fewer than one in ten people offered a
//     course is recorded as attending in GP records, and provider records
//     show about five times the attendance GP records do;
//   - completion 20-60%, and below conversion;
//   - follow-up within 28 days 5-60%: the research finds almost no
//     follow-up of non-attenders, though some practices do it well;
//   - coding completeness 10-40%: GP records hold about a fifth of the
//     attendance providers record;
//   - referrals a quarter 1-6% of the type 2 register (an eighth to a
//     half of the register over the eight quarters).
//
// A change to the generator or to a definition that moves a headline out
// of these ranges deserves a second look, whichever is wrong.
func TestSampleHeadlinesArePlausible(t *testing.T) {
	ctx := context.Background()
	conn := openSampleDB(t)
	s, err := Open(ctx, conn, DefaultConfig()) // disclosure on: the published figures
	if err != nil {
		t.Fatal(err)
	}
	h, err := s.Headline(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	rate := func(name string, tile HeadlineTile, lo, hi float64) float64 {
		t.Helper()
		if tile.Rate == nil || tile.Rate.Percent == nil {
			t.Fatalf("%s: no rate published", name)
		}
		p := *tile.Rate.Percent
		if p < lo || p > hi {
			t.Errorf("%s %.1f%% (cohort %s) is outside the plausible %.0f-%.0f%%", name, p, tile.Quarter, lo, hi)
		}
		if tile.Provisional {
			t.Errorf("%s: the headline shows a provisional cohort (%s) although final ones exist", name, tile.Quarter)
		}
		return p
	}
	conversion := rate("conversion", h.Conversion, 35, 75)
	completion := rate("completion", h.Completion, 20, 60)
	rate("follow-up rate", h.FollowUp, 5, 60)
	rate("coding completeness", h.Coding, 10, 40)
	if completion >= conversion {
		t.Errorf("completion %.1f%% is not below conversion %.1f%%", completion, conversion)
	}

	b, err := s.PracticeBenchmark(ctx, Filter{From: h.Referrals.Quarter, To: h.Referrals.Quarter})
	if err != nil {
		t.Fatal(err)
	}
	if r := b.ReferralRate.Borough.Percent; r == nil || *r < 1 || *r > 6 {
		t.Errorf("referral rate in %s: %v%% of the register, want 1-6%% a quarter", h.Referrals.Quarter, r)
	}
}

// openSampleDB loads the shipped sample data (../sample-data) into a new
// database file and returns it, without the derived tables (Open builds
// them).
func openSampleDB(t testing.TB) *sql.DB {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Open(ctx, filepath.Join(t.TempDir(), "sample.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	dirs, err := filepath.Glob(filepath.Join("..", "sample-data", "20*Q*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no sample quarters: %v", err)
	}
	sort.Strings(dirs)
	loader := &ingest.Loader{DB: conn}
	for _, dir := range dirs {
		if _, err := loader.LoadQuarter(ctx, dir); err != nil {
			t.Fatal(err)
		}
	}
	return conn
}
