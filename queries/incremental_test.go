package queries

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uptake-nhs/uptake/db"
	"github.com/uptake-nhs/uptake/ingest"
	"github.com/uptake-nhs/uptake/ingest/generate"
)

// derivedTables are the tables Refresh builds, compared whole below.
var derivedTables = []string{"referral_facts", "outcome_facts", "course_facts", "equity_group_values", "practice_quarter_counts", "practice_names", "followup_counts", "trend_counts", "coding_counts"}

// TestIncrementalRefreshEqualsFull loads generated quarters (with their bad
// rows and edge cases) out of order, restates two of them (rows withdrawn,
// a practice renamed in the latest snapshot) and changes the
// configuration, and after every load checks that the derived tables the
// load's incremental refresh left equal a full rebuild, row for row
// (EXCEPT ALL both ways), and that the refresh was incremental exactly
// when it could be.
func TestIncrementalRefreshEqualsFull(t *testing.T) {
	ctx := context.Background()
	out := t.TempDir()
	if _, err := generate.Generate(generate.Options{Out: out, Seed: 7, Practices: 6, Quarters: 6,
		LastQuarter: "2026Q2", BadRows: true, EdgeCases: true}); err != nil {
		t.Fatal(err)
	}
	conn, err := db.Open(ctx, filepath.Join(t.TempDir(), "inc.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	cfg := DefaultConfig()
	s, err := Open(ctx, conn, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var incremental []string // the quarter of each load's incremental refresh, "" for a full one
	loader := &ingest.Loader{DB: conn, AcceptRejections: true, AfterLoad: func(ctx context.Context, tx *sql.Tx) error {
		q, err := s.incrementalQuarter(ctx, tx)
		if err != nil {
			return err
		}
		incremental = append(incremental, q)
		return s.Refresh(ctx, tx)
	}}
	load := func(dir, wantIncremental string) {
		t.Helper()
		incremental = nil
		if _, err := loader.LoadQuarter(ctx, dir); err != nil {
			t.Fatal(err)
		}
		if len(incremental) != 1 || incremental[0] != wantIncremental {
			t.Errorf("load of %s refreshed incrementally for %q, want %q", dir, incremental, wantIncremental)
		}
		compareWithFullRebuild(t, conn, s, filepath.Base(dir))
	}
	q := func(name string) string { return filepath.Join(out, name) }

	for _, name := range []string{"2025Q1", "2025Q2", "2025Q4", "2025Q3", "2026Q2", "2026Q1"} {
		load(q(name), name)
	}

	// Restate 2025Q3 with every fifth row of each file withdrawn: referrals
	// others' attendance, outcomes and follow-ups point at, courses, codes.
	restated := filepath.Join(t.TempDir(), "2025Q3")
	copyQuarter(t, q("2025Q3"), restated, func(file string, i int, line string) string {
		if i > 0 && i%5 == 0 {
			return ""
		}
		return line
	})
	load(restated, "2025Q3")

	// Restate the latest quarter with one practice renamed and moved to
	// another network: every referral of it changes name, not only this
	// quarter's.
	renamed := filepath.Join(t.TempDir(), "2026Q2")
	copyQuarter(t, q("2026Q2"), renamed, func(file string, i int, line string) string {
		if file == "practices.csv" && i == 1 {
			f := strings.Split(line, ",")
			f[1], f[2] = "Renamed Surgery", "Another PCN"
			return strings.Join(f, ",")
		}
		return line
	})
	load(renamed, "2026Q2")

	// The original 2025Q3 again: the withdrawn rows come back.
	load(q("2025Q3"), "2025Q3")

	// Another configuration rebuilds in full when opened; a load refreshed
	// by a store of the old configuration then rebuilds in full too.
	other := cfg
	other.ConversionWindowDays, other.CodingWindowDays = 120, 60
	o, err := Open(ctx, conn, other)
	if err != nil {
		t.Fatal(err)
	}
	compareWithFullRebuild(t, conn, o, "after the configuration changed")
	load(q("2026Q2"), "")
	// Back in step: the next load is incremental again.
	load(renamed, "2026Q2")
}

// copyQuarter copies the quarter folder from to to, passing each CSV line
// (i counts from 0, the header) through edit; "" drops the line.
func copyQuarter(t *testing.T, from, to string, edit func(file string, i int, line string) string) {
	t.Helper()
	if err := os.MkdirAll(to, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(e.Name(), ".csv") && !strings.HasPrefix(string(b), "\xef\xbb\xbf") {
			var kept []string
			for i, line := range strings.Split(strings.TrimRight(string(b), "\r\n"), "\n") {
				if l := edit(e.Name(), i, line); l != "" {
					kept = append(kept, l)
				}
			}
			b = []byte(strings.Join(kept, "\n") + "\n")
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// compareWithFullRebuild rebuilds the derived tables in full in a
// transaction it rolls back, and fails the test for each row that the
// tables as they were and the rebuilt ones do not share, counting
// duplicates.
func compareWithFullRebuild(t *testing.T, conn *sql.DB, s *Store, when string) {
	t.Helper()
	ctx := context.Background()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	exec := func(q string) {
		t.Helper()
		if _, err := tx.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, table := range derivedTables {
		exec("CREATE TEMP TABLE was_" + table + " AS SELECT * FROM " + table)
	}
	exec("DROP TABLE derived_state") // what Refresh takes for a first build
	if err := s.Refresh(ctx, tx); err != nil {
		t.Fatal(err)
	}
	for _, table := range derivedTables {
		var rows int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		if rows == 0 && table != "course_facts" {
			t.Errorf("%s: %s is empty: nothing compared", when, table)
		}
		for _, dir := range [][2]string{{"was_" + table, table}, {table, "was_" + table}} {
			q := fmt.Sprintf("SELECT count(*) FROM (SELECT * FROM %s EXCEPT ALL SELECT * FROM %s)", dir[0], dir[1])
			var n int
			if err := tx.QueryRowContext(ctx, q).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Errorf("%s: %d rows of %s are not in %s (of %d)", when, n, dir[0], dir[1], rows)
			}
		}
	}
}
