package accounts

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/uptake-nhs/uptake/db"
)

// productionParams are the parameters the package ships with, saved before
// TestMain makes hashing cheap for the other tests.
var productionParams = hashParams

// TestMain hashes with tiny parameters, so that the many sign-ins of the
// tests take microseconds instead of a tenth of a second each. The tests
// of the real parameters use productionParams.
func TestMain(m *testing.M) {
	hashParams = argon2Params{memory: 64, time: 1, threads: 1, keyLen: 32, saltLen: 16}
	os.Exit(m.Run())
}

// t0 is the tests' "now": a whole second, so that DuckDB's microseconds
// lose nothing.
var t0 = time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)

var ctx = context.Background()

// cli is the actor of the tests' changes to users.
var cli = Actor{Username: "cli:tester", RemoteAddr: "cli"}

// mustOpenDB returns an in-memory database at the current schema, with
// two practices in two quarters: F83004 in both, F83010 in the second.
func mustOpenDB(tb testing.TB) *sql.DB {
	tb.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := migrateSchema(ctx, db); err != nil {
		tb.Fatal(err)
	}
	mustExec(tb, db, `INSERT INTO practices (quarter, practice_code, practice_name, pcn, list_size, t2d_register) VALUES
		('2026Q1', 'F83004', 'Roman Way Medical Practice', 'Parkside PCN', 4000, 170),
		('2026Q2', 'F83004', 'Roman Way Medical Practice', 'Parkside PCN', 4010, 172),
		('2026Q2', 'F83010', 'Blackstock Surgery', 'Highfield PCN', 16000, 770)`)
	return db
}

func mustOpenStore(tb testing.TB) (*Store, *sql.DB) {
	db := mustOpenDB(tb)
	s := New(db)
	s.now = func() time.Time { return t0 }
	return s, db
}

func mustExec(tb testing.TB, db *sql.DB, q string, args ...any) {
	tb.Helper()
	if _, err := db.ExecContext(ctx, q, args...); err != nil {
		tb.Fatalf("%s: %v", q, err)
	}
}

// mustAddUser adds a user with a password that passes the policy.
func mustAddUser(tb testing.TB, s *Store, username string, role Role, practice string) User {
	tb.Helper()
	u, err := s.AddUser(ctx, cli, NewUser{Username: username, Role: role, PracticeCode: practice, Password: passwordOf(username)})
	if err != nil {
		tb.Fatalf("adding %s: %v", username, err)
	}
	return u
}

// passwordOf is the password mustAddUser gives a user: different for each,
// and not containing the username.
func passwordOf(username string) string {
	sum := sha256.Sum256([]byte(username))
	return "kettle orbit meadow " + hex.EncodeToString(sum[:4])
}

// auditActions returns the actions of the audit log, oldest first.
func auditActions(tb testing.TB, s *Store) []string {
	tb.Helper()
	events, err := s.AuditLog(ctx, 1000, 0)
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for i := len(events) - 1; i >= 0; i-- {
		out = append(out, string(events[i].Action))
	}
	return out
}

// lastEvent returns the newest event of the audit log.
func lastEvent(tb testing.TB, s *Store) Event {
	tb.Helper()
	events, err := s.AuditLog(ctx, 1, 0)
	if err != nil || len(events) != 1 {
		tb.Fatalf("audit log: %v, %d events", err, len(events))
	}
	return events[0]
}

func wantValidation(tb testing.TB, err error, field, contains string) {
	tb.Helper()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		tb.Fatalf("got %v, want a ValidationError on %s", err, field)
	}
	if ve.Field != field || !strings.Contains(ve.Msg, contains) {
		tb.Errorf("got %s: %q, want %s: ...%q...", ve.Field, ve.Msg, field, contains)
	}
}

// TestEverySQLFileIsUsed keeps sql/ free of dead queries: each file must be
// named by a query("...") call in the package's code.
func TestEverySQLFileIsUsed(t *testing.T) {
	var code strings.Builder
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		code.Write(b)
	}
	used := map[string]bool{}
	for _, m := range regexp.MustCompile(`query\("([a-z_]+)"\)`).FindAllStringSubmatch(code.String(), -1) {
		used[m[1]] = true
	}
	names, err := fs.Glob(sqlFiles, "sql/*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("no embedded SQL: %v", err)
	}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "sql/"), ".sql")
		if !used[name] {
			t.Errorf("sql/%s.sql is never used", name)
		}
		delete(used, name)
	}
	for name := range used {
		t.Errorf("query(%q) has no sql/%s.sql", name, name)
	}
}

// migrateSchema is db.Migrate, for helpers whose *sql.DB is called db.
func migrateSchema(ctx context.Context, conn *sql.DB) error { return db.Migrate(ctx, conn) }
