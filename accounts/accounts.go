// Package accounts keeps who may sign in to uptake and what they did:
// users and their roles, password checks, sign-in sessions and the audit
// log. It owns every SQL statement over the users, sessions and audit_log
// tables (db/migrations/002_accounts.sql), one embedded file per
// statement in sql/, so the dashboard and the CLI never write SQL.
//
// Secrets never reach the database: passwords are stored as argon2id hashes
// (password.go) and sessions as the SHA-256 of their token (sessions.go).
// The package knows nothing of HTTP: cookies, forms and the throttling of
// sign-in attempts per username and client address belong to the
// dashboard. There is no account lockout, which anyone knowing a username
// could turn against its owner.
package accounts

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// The security policy, in one place.
const (
	// A session ends IdleTimeout after its last use, and AbsoluteLifetime
	// after sign-in however busy it is.
	IdleTimeout      = 30 * time.Minute
	AbsoluteLifetime = 12 * time.Hour

	// touchInterval is how stale a session's last_seen_at may get before a
	// request writes it again: at most one write a minute per session.
	touchInterval = time.Minute

	// MinPasswordLength and MaxPasswordLength bound a new password, in
	// characters.
	MinPasswordLength = 12
	MaxPasswordLength = 256
)

// Errors callers tell apart. Sign-in failures are deliberately coarse:
// ErrBadCredentials stands for both an unknown username and a wrong
// password, so that the answer does not reveal which usernames exist.
var (
	ErrBadCredentials = errors.New("wrong username or password")
	ErrDisabled       = errors.New("this account is disabled")
	ErrNoSuchUser     = errors.New("no such user")
	ErrUsernameTaken  = errors.New("that username is taken")

	// ErrNoSession means the request carries no valid session; the
	// dashboard sends it to the sign-in page. ErrSessionExpired wraps it.
	ErrNoSession      = errors.New("not signed in")
	ErrSessionExpired = fmt.Errorf("%w: the session has expired", ErrNoSession)
)

// ValidationError is input that breaks a rule, with a sentence to show to
// the person who typed it. The dashboard shows Msg next to Field.
type ValidationError struct {
	Field string // "username", "role", "practice", "name" or "password"
	Msg   string
}

func (e *ValidationError) Error() string { return e.Msg }

func invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

//go:embed sql/*.sql
var sqlFiles embed.FS

// query returns the text of sql/NAME.sql. A missing file is a programming
// error that TestEverySQLFileIsUsed and the other tests catch.
func query(name string) string {
	b, err := sqlFiles.ReadFile("sql/" + name + ".sql")
	if err != nil {
		panic(fmt.Sprintf("accounts: no sql/%s.sql", name))
	}
	return string(b)
}

// writeMu serialises this process's writes to the account tables. DuckDB
// lets only one process write the file, and within it two transactions that
// update the same row conflict and fail instead of waiting; account writes
// are rare and short, so taking turns costs nothing. It is package-wide
// because the dashboard and the control socket may each hold a Store over
// the same database.
var writeMu sync.Mutex

// Store reads and writes the account tables of one database. It is safe for
// concurrent use.
type Store struct {
	db *sql.DB

	// now is the clock for the times of changes to users and of audit
	// events given no time. Sign-ins and sessions take their time as an
	// argument instead, so that their expiry rules can be tested.
	now func() time.Time

	// demo is set by EnsureDemoUsers. Without it the demo accounts cannot
	// sign in or keep a session, so a sample database that later received
	// real data is not left open behind published passwords.
	demo atomic.Bool
}

// New returns a Store over db, which db.Open (or db.Migrate) has
// brought to schema version 2 or later.
func New(db *sql.DB) *Store {
	return &Store{db: db, now: time.Now}
}

// write runs fn in a transaction, holding writeMu, and commits if fn
// returns nil.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	writeMu.Lock()
	defer writeMu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// utc returns t in UTC to the microsecond, as the tables hold it
// (TIMESTAMP, without zone).
func utc(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}

// at returns t in UTC, or the Store's current time when t is zero.
func (s *Store) at(t time.Time) time.Time {
	if t.IsZero() {
		t = s.now()
	}
	return utc(t)
}
