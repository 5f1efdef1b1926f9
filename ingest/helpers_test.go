package ingest

import (
	"context"
	"database/sql"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// openTestDB opens a fresh database file in the test's temporary folder.
func openTestDB(tb testing.TB) (*sql.DB, string) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "uptake.duckdb")
	db, err := openDB(context.Background(), path)
	if err != nil {
		tb.Fatalf("OpenDB: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db, path
}

// testLoader returns a loader with a fixed clock.
func testLoader(db *sql.DB) *Loader {
	return &Loader{DB: db, Now: func() time.Time { return time.Date(2026, 7, 3, 9, 0, 0, 0, time.UTC) }}
}

// copyDir copies the files of src into dst (created if needed).
func copyDir(tb testing.TB, src, dst string) {
	tb.Helper()
	if err := os.MkdirAll(dst, 0o755); err != nil {
		tb.Fatal(err)
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		copyFile(tb, filepath.Join(src, e.Name()), filepath.Join(dst, e.Name()))
	}
}

func copyFile(tb testing.TB, src, dst string) {
	tb.Helper()
	in, err := os.Open(src)
	if err != nil {
		tb.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		tb.Fatal(err)
	}
	if err := out.Close(); err != nil {
		tb.Fatal(err)
	}
}

// quarterDir copies a good fixture quarter into a fresh folder and lays the
// files of each overlay folder over it, returning the quarter folder.
func quarterDir(tb testing.TB, quarter string, overlays ...string) string {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), quarter)
	copyDir(tb, filepath.Join("testdata", "quarters", quarter), dir)
	for _, o := range overlays {
		copyDir(tb, o, dir)
	}
	return dir
}

// writeFile writes text to dir/name.
func writeFile(tb testing.TB, dir, name, text string) {
	tb.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
		tb.Fatal(err)
	}
}

func mustLoad(tb testing.TB, l *Loader, dir string) *Result {
	tb.Helper()
	res, err := l.LoadQuarter(context.Background(), dir)
	if err != nil {
		tb.Fatalf("LoadQuarter(%s): %v", filepath.Base(dir), err)
	}
	return res
}

// dbState is a logical snapshot of the database: row counts of every table
// and the loads table in full. Two equal states mean nothing was written.
type dbState struct {
	counts map[string]int64
	loads  string
}

func snapshot(tb testing.TB, db *sql.DB) dbState {
	tb.Helper()
	s := dbState{counts: map[string]int64{}}
	names := append(tableNames(), "loads", "rejected_rows")
	for _, n := range names {
		var c int64
		if err := db.QueryRow("SELECT count(*) FROM " + n).Scan(&c); err != nil {
			tb.Fatal(err)
		}
		s.counts[n] = c
	}
	rows, err := db.Query(`SELECT load_id, quarter, file, table_name, sha256, rows_accepted, rows_rejected, action, loaded_at FROM loads ORDER BY load_id, file`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, acc, rej int64
		var q, f, tn, sum, action string
		var at time.Time
		if err := rows.Scan(&id, &q, &f, &tn, &sum, &acc, &rej, &action, &at); err != nil {
			tb.Fatal(err)
		}
		b.WriteString(strings.Join([]string{q, f, tn, sum, action, at.String()}, "|"))
		b.WriteString("\n")
	}
	s.loads = b.String()
	return s
}

func (s dbState) equal(o dbState) bool {
	if s.loads != o.loads || len(s.counts) != len(o.counts) {
		return false
	}
	for k, v := range s.counts {
		if o.counts[k] != v {
			return false
		}
	}
	return true
}

// rejectedRows reads a quarter's rejected rows in file and line order.
func rejectedRows(tb testing.TB, db *sql.DB, quarter string) []Rejection {
	tb.Helper()
	rows, err := db.Query(`SELECT file, line, column_name, value, rule, reason FROM rejected_rows WHERE quarter = $1 ORDER BY file, line`, quarter)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []Rejection
	for rows.Next() {
		var r Rejection
		if err := rows.Scan(&r.File, &r.Line, &r.Column, &r.Value, &r.Rule, &r.Reason); err != nil {
			tb.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func count(tb testing.TB, db *sql.DB, query string, args ...any) int64 {
	tb.Helper()
	var n int64
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	return n
}

func fixtureBytes(path string) ([]byte, error) {
	return os.ReadFile(filepath.Join("testdata", filepath.FromSlash(path)))
}
