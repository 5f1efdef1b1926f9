package accounts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// User is someone who may sign in. The password hash never leaves the
// package.
type User struct {
	ID                 int64     `json:"id"`
	Username           string    `json:"username"`
	DisplayName        string    `json:"display_name"`
	Role               Role      `json:"role"`
	PracticeCode       string    `json:"practice_code,omitempty"` // ODS code; set only for RolePractice
	Disabled           bool      `json:"disabled"`
	MustChangePassword bool      `json:"must_change_password"` // after a reset: send them to change it before anything else
	Demo               bool      `json:"demo"`                 // a published demo account of the sample data
	LastSignInAt       time.Time `json:"last_sign_in_at"`      // zero until the first sign-in
	CreatedAt          time.Time `json:"created_at"`
	UpdatedAt          time.Time `json:"updated_at"`

	passwordHash string
}

// Actor returns u as the actor of an audit event, seen from remoteAddr.
func (u User) Actor(remoteAddr string) Actor {
	return Actor{Username: u.Username, Role: u.Role, RemoteAddr: remoteAddr}
}

// NewUser is what AddUser needs to create a user.
type NewUser struct {
	Username     string // letters, digits and . _ @ -, 3 to 64 characters; stored lower-case
	DisplayName  string // defaults to the username
	Role         Role
	PracticeCode string // ODS code, required for RolePractice and refused for the others
	Password     string // checked by CheckPassword
}

// usernameRE is the shape of a username: plain ASCII, so that two
// usernames cannot look alike, and wide enough for an email address.
var usernameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._@-]{2,63}$`)

// odsRE is an ODS practice code as ingest stores it.
var odsRE = regexp.MustCompile(`^[A-Z][0-9]{5}$`)

// demoPrefix starts the usernames of demo accounts, and no others.
const demoPrefix = "demo-"

func normaliseUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// checkUsername returns the stored form of a username, or why it cannot be one.
func checkUsername(s string) (string, error) {
	u := normaliseUsername(s)
	if !usernameRE.MatchString(u) {
		return "", invalid("username", "A username has 3 to 64 characters: letters, digits and . _ @ -, starting with a letter or digit.")
	}
	if strings.HasPrefix(u, demoPrefix) {
		return "", invalid("username", "Usernames starting with %q are kept for the sample data's demo accounts.", demoPrefix)
	}
	return u, nil
}

func checkDisplayName(name, username string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return username, nil
	}
	if utf8.RuneCountInString(name) > 100 {
		return "", invalid("name", "The name must be at most 100 characters long.")
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return "", invalid("name", "The name must not contain control characters.")
		}
	}
	return name, nil
}

// AddUser creates a user after checking every field: the username's shape
// and that it is free, the role, the practice (required for practice users,
// who must belong to a practice in the practices table, and refused for the
// others) and the password (CheckPassword). by is who asked, for the audit
// log.
func (s *Store) AddUser(ctx context.Context, by Actor, nu NewUser) (User, error) {
	username, err := checkUsername(nu.Username)
	if err != nil {
		return User{}, err
	}
	if !nu.Role.Valid() {
		return User{}, invalid("role", "%q is not a role: choose commissioner, service_lead, practice or admin.", nu.Role)
	}
	name, err := checkDisplayName(nu.DisplayName, username)
	if err != nil {
		return User{}, err
	}
	practice := strings.ToUpper(strings.TrimSpace(nu.PracticeCode))
	switch {
	case nu.Role == RolePractice && practice == "":
		return User{}, invalid("practice", "A practice user needs the ODS code of their practice, e.g. F83004.")
	case nu.Role != RolePractice && practice != "":
		return User{}, invalid("practice", "Only practice users belong to a practice; a %s sees every practice.", strings.ToLower(nu.Role.Label()))
	case practice != "" && !odsRE.MatchString(practice):
		return User{}, invalid("practice", "%q is not a practice ODS code (one letter and five digits, e.g. F83004).", nu.PracticeCode)
	}
	if err := CheckPassword(username, nu.Password); err != nil {
		return User{}, err
	}
	hash, err := hashPassword(ctx, nu.Password)
	if err != nil {
		return User{}, err
	}
	now := s.at(time.Time{})
	var u User
	err = s.write(ctx, func(tx *sql.Tx) error {
		if practice != "" {
			var exists bool
			if err := tx.QueryRowContext(ctx, query("practice_exists"), practice).Scan(&exists); err != nil {
				return err
			}
			if !exists {
				return invalid("practice", "No practice %s in the loaded data: load the quarter that lists it first, or check the code.", practice)
			}
		}
		u, err = insertUser(ctx, tx, User{
			Username: username, DisplayName: name, Role: nu.Role, PracticeCode: practice,
			CreatedAt: now, UpdatedAt: now, passwordHash: hash,
		})
		if err != nil {
			return err
		}
		detail := fmt.Sprintf("added %s as %s", username, nu.Role)
		if practice != "" {
			detail += " of " + practice
		}
		return insertEvent(ctx, tx, by.event(ActionUserAdded, detail, now))
	})
	if err != nil {
		return User{}, err
	}
	return u, nil
}

// insertUser inserts u, refusing a username that is taken, and returns it
// with its new ID.
func insertUser(ctx context.Context, tx *sql.Tx, u User) (User, error) {
	if _, err := userByUsername(ctx, tx, u.Username); err == nil {
		return User{}, ErrUsernameTaken
	} else if !errors.Is(err, ErrNoSuchUser) {
		return User{}, err
	}
	var practice sql.NullString
	if u.PracticeCode != "" {
		practice = sql.NullString{String: u.PracticeCode, Valid: true}
	}
	err := tx.QueryRowContext(ctx, query("insert_user"),
		u.Username, u.DisplayName, string(u.Role), practice, u.passwordHash,
		u.MustChangePassword, u.Demo, u.CreatedAt).Scan(&u.ID)
	if err != nil {
		return User{}, fmt.Errorf("adding user %s: %w", u.Username, err)
	}
	return u, nil
}

// ListUsers returns every user, disabled ones too, by username.
func (s *Store) ListUsers(ctx context.Context) ([]User, error) {
	rows, err := s.db.QueryContext(ctx, query("users"))
	if err != nil {
		return nil, fmt.Errorf("listing users: %w", err)
	}
	defer rows.Close()
	users := []User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("listing users: %w", err)
		}
		users = append(users, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing users: %w", err)
	}
	return users, nil
}

// UserByUsername returns the user with that username (in any case), or
// ErrNoSuchUser.
func (s *Store) UserByUsername(ctx context.Context, username string) (User, error) {
	return userByUsername(ctx, s.db, normaliseUsername(username))
}

// DisableUser stops a user signing in and ends their sessions at once. The
// user is kept, so the audit log still names them.
func (s *Store) DisableUser(ctx context.Context, by Actor, username string) error {
	return s.setDisabled(ctx, by, username, true)
}

// EnableUser lets a disabled user sign in again.
func (s *Store) EnableUser(ctx context.Context, by Actor, username string) error {
	return s.setDisabled(ctx, by, username, false)
}

func (s *Store) setDisabled(ctx context.Context, by Actor, username string, disabled bool) error {
	now := s.at(time.Time{})
	return s.write(ctx, func(tx *sql.Tx) error {
		u, err := userByUsername(ctx, tx, normaliseUsername(username))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, query("set_user_disabled"), u.ID, disabled, now); err != nil {
			return err
		}
		action, detail := ActionUserEnabled, "enabled "+u.Username
		if disabled {
			action, detail = ActionUserDisabled, "disabled "+u.Username
			if _, err := tx.ExecContext(ctx, query("delete_user_sessions"), u.ID); err != nil {
				return err
			}
		}
		return insertEvent(ctx, tx, by.event(action, detail, now))
	})
}

// ResetPassword sets a new password for a user who has forgotten theirs,
// ends their sessions, and makes them choose their own password at their
// next sign-in (User.MustChangePassword).
func (s *Store) ResetPassword(ctx context.Context, by Actor, username, newPassword string) error {
	u, err := s.UserByUsername(ctx, username)
	if err != nil {
		return err
	}
	if err := CheckPassword(u.Username, newPassword); err != nil {
		return err
	}
	return s.setPassword(ctx, by, u, newPassword, true, ActionPasswordReset, "reset the password of "+u.Username)
}

// ChangePassword is a user choosing a new password, proving who they are
// with the current one. A wrong current password answers
// ErrBadCredentials and is audited as a failed sign-in; the dashboard
// throttles it as it does sign-ins. It ends every session of the user,
// the caller's included: the dashboard signs them in afresh with
// CreateSession, so that a session stolen before the change is worthless
// after it.
func (s *Store) ChangePassword(ctx context.Context, by Actor, username, currentPassword, newPassword string, now time.Time) error {
	u, err := s.UserByUsername(ctx, username)
	if err != nil {
		return err
	}
	now = s.at(now)
	ok, err := verifyPassword(ctx, u.passwordHash, currentPassword)
	if err != nil {
		return err
	}
	if !ok {
		ev := u.Actor(by.RemoteAddr).event(ActionSignInFailed, "wrong current password, changing it", now)
		return audited(ErrBadCredentials, s.Audit(ctx, ev))
	}
	if u.Disabled {
		return ErrDisabled
	}
	if newPassword == currentPassword {
		return invalid("password", "The new password must differ from the current one.")
	}
	if err := CheckPassword(u.Username, newPassword); err != nil {
		return err
	}
	return s.setPassword(ctx, by, u, newPassword, false, ActionPasswordChanged, "changed the password of "+u.Username)
}

func (s *Store) setPassword(ctx context.Context, by Actor, u User, password string, mustChange bool, action Action, detail string) error {
	hash, err := hashPassword(ctx, password)
	if err != nil {
		return err
	}
	now := s.at(time.Time{})
	return s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, query("set_password"), u.ID, hash, mustChange, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, query("delete_user_sessions"), u.ID); err != nil {
			return err
		}
		return insertEvent(ctx, tx, by.event(action, detail, now))
	})
}

// queryer is a *sql.DB or *sql.Tx.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func userByUsername(ctx context.Context, q queryer, username string) (User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, query("user_by_username"), username))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, ErrNoSuchUser
	}
	return u, err
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// scanUser reads the columns every user query selects, in this order:
// user_id, username, display_name, role, practice_code, password_hash,
// disabled, must_change_password, demo, last_sign_in_at, created_at,
// updated_at. (The users table's failed_attempts and locked_until, from
// migration 002, are no longer read or written: there is no lockout.)
func scanUser(sc scanner, extra ...any) (User, error) {
	var u User
	var role string
	var practice sql.NullString
	var lastSignIn sql.NullTime
	dest := append([]any{&u.ID, &u.Username, &u.DisplayName, &role, &practice, &u.passwordHash,
		&u.Disabled, &u.MustChangePassword, &u.Demo, &lastSignIn,
		&u.CreatedAt, &u.UpdatedAt}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return User{}, err
	}
	u.Role = Role(role)
	u.PracticeCode = practice.String
	if lastSignIn.Valid {
		u.LastSignInAt = lastSignIn.Time.UTC()
	}
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return u, nil
}
