package accounts

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// Action is what an audit event records.
type Action string

// The actions of the audit log. Sign-ins and changes to users are recorded
// by this package itself; the dashboard records sign-outs, downloads and
// loads with Audit, and uptake report the emails it sends.
const (
	ActionSignIn       Action = "sign_in"
	ActionSignInFailed Action = "sign_in_failed"
	// ActionLockedOut is no longer written (there is no lockout); audit
	// logs from before hold it.
	ActionLockedOut       Action = "locked_out"
	ActionSignOut         Action = "sign_out"
	ActionDownload        Action = "download"
	ActionLoad            Action = "load"
	ActionUserAdded       Action = "user_added"
	ActionUserDisabled    Action = "user_disabled"
	ActionUserEnabled     Action = "user_enabled"
	ActionPasswordReset   Action = "password_reset"
	ActionPasswordChanged Action = "password_changed"
	// ActionAccessDenied records a signed-in user refused a route, such as
	// another practice's work list.
	ActionAccessDenied Action = "access_denied"
	// ActionSend records an email that left uptake: a practice's list or
	// the commissioners' pack (uptake report --send), with its recipients
	// and file names.
	ActionSend Action = "send"
	// ActionSendFailed records an email that could not be sent after its
	// retries, with the relay's answer.
	ActionSendFailed Action = "send_failed"
)

var actions = map[Action]bool{
	ActionSignIn: true, ActionSignInFailed: true, ActionLockedOut: true, ActionSignOut: true,
	ActionDownload: true, ActionLoad: true, ActionUserAdded: true, ActionUserDisabled: true,
	ActionUserEnabled: true, ActionPasswordReset: true, ActionPasswordChanged: true,
	ActionAccessDenied: true, ActionSend: true, ActionSendFailed: true,
}

// Actor is who did something: a signed-in user (User.Actor), the command
// line ("cli:" and the operating-system user) or "system".
type Actor struct {
	Username   string
	Role       Role   // empty for the command line and the system
	RemoteAddr string // client address, "cli" or "control socket"
}

func (a Actor) event(action Action, detail string, at time.Time) Event {
	return Event{At: at, Username: a.Username, Role: a.Role, Action: action, Detail: detail, RemoteAddr: a.RemoteAddr}
}

// Event is one line of the audit log: who, what, when, from where.
type Event struct {
	At       time.Time `json:"at"` // zero means now
	Username string    `json:"username"`
	Role     Role      `json:"role"`
	Action   Action    `json:"action"`
	// Detail says what, for people: which download or quarter, whose
	// password. It must never hold a patient or referral identifier.
	Detail     string `json:"detail"`
	RemoteAddr string `json:"remote_addr"`
}

// Audit appends e to the audit log. Control characters in its text are
// replaced and long text is cut, so that an event cannot forge lines in
// an export of the log.
func (s *Store) Audit(ctx context.Context, e Event) error {
	e.At = s.at(e.At)
	return insertEvent(ctx, s.db, e)
}

// execer is a *sql.DB or *sql.Tx.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func insertEvent(ctx context.Context, db execer, e Event) error {
	if !actions[e.Action] {
		return fmt.Errorf("audit: unknown action %q", e.Action)
	}
	_, err := db.ExecContext(ctx, query("insert_audit_event"), utc(e.At),
		clean(e.Username, 100), clean(string(e.Role), 20), string(e.Action), clean(e.Detail, 500), clean(e.RemoteAddr, 100))
	if err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return nil
}

// clean replaces control, format (e.g. right-to-left override) and
// line-separator characters and invalid UTF-8 with spaces, and cuts s to n
// characters.
func clean(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, " "))
	if r := []rune(s); len(r) > n {
		s = string(r[:n-1]) + "…"
	}
	return s
}

// AuditLog returns up to limit events, newest first, skipping the offset
// newest. limit is capped at 1000.
func (s *Store) AuditLog(ctx context.Context, limit, offset int) ([]Event, error) {
	limit = min(max(limit, 1), 1000)
	offset = max(offset, 0)
	rows, err := s.db.QueryContext(ctx, query("audit_log"), limit, offset)
	if err != nil {
		return nil, fmt.Errorf("reading the audit log: %w", err)
	}
	defer rows.Close()
	events := []Event{}
	for rows.Next() {
		var e Event
		var role, action string
		if err := rows.Scan(&e.At, &e.Username, &role, &action, &e.Detail, &e.RemoteAddr); err != nil {
			return nil, fmt.Errorf("reading the audit log: %w", err)
		}
		e.At, e.Role, e.Action = e.At.UTC(), Role(role), Action(action)
		events = append(events, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading the audit log: %w", err)
	}
	return events, nil
}
