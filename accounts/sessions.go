package accounts

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Session is a signed-in browser. Its token lives only in the browser's
// cookie; the database keeps the token's SHA-256, which cannot be turned
// back into a cookie.
type Session struct {
	UserID     int64
	CreatedAt  time.Time // sign-in
	LastSeenAt time.Time // last request, to the minute
	ExpiresAt  time.Time // CreatedAt + AbsoluteLifetime, however busy the session
	// CSRFToken is the session's form token (see CSRFToken).
	CSRFToken string
}

// IdleExpiresAt is when the session ends if it is not used again.
func (s Session) IdleExpiresAt() time.Time { return s.LastSeenAt.Add(IdleTimeout) }

// tokenBytes is the session token's length: 256 random bits.
const tokenBytes = 32

// CreateSession starts a session for the user with userID at now and
// returns the token to put in the cookie (URL-safe base64, 43 characters).
// A disabled user gets none. Call it after Authenticate, and again after
// ChangePassword, so that a session token never outlives a sign-in.
func (s *Store) CreateSession(ctx context.Context, userID int64, now time.Time) (token string, sess Session, err error) {
	now = s.at(now)
	raw := make([]byte, tokenBytes)
	rand.Read(raw) // never fails (crypto/rand since Go 1.24)
	token = base64.RawURLEncoding.EncodeToString(raw)
	sess = Session{UserID: userID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(AbsoluteLifetime), CSRFToken: CSRFToken(token)}
	err = s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, query("insert_session"), tokenHash(token), userID, now, sess.ExpiresAt)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return ErrNoSuchUser
		}
		return nil
	})
	if err != nil {
		return "", Session{}, fmt.Errorf("starting a session: %w", err)
	}
	return token, sess, nil
}

// LookupSession returns the session whose cookie holds token, and its
// user, as of now. It answers ErrSessionExpired for a session past its
// idle timeout or absolute lifetime (and deletes it), and ErrNoSession for
// an unknown token or a user who has since been disabled; both wrap
// ErrNoSession. It records the use at most once a minute, which moves the
// idle timeout on.
func (s *Store) LookupSession(ctx context.Context, token string, now time.Time) (Session, User, error) {
	now = s.at(now)
	if len(token) != base64.RawURLEncoding.EncodedLen(tokenBytes) {
		return Session{}, User{}, ErrNoSession
	}
	hash := tokenHash(token)
	var sess Session
	u, err := scanUser(s.db.QueryRowContext(ctx, query("session_by_token_hash"), hash),
		&sess.UserID, &sess.CreatedAt, &sess.ExpiresAt, &sess.LastSeenAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, User{}, ErrNoSession
	}
	if err != nil {
		return Session{}, User{}, fmt.Errorf("looking up a session: %w", err)
	}
	sess.CreatedAt, sess.ExpiresAt, sess.LastSeenAt = sess.CreatedAt.UTC(), sess.ExpiresAt.UTC(), sess.LastSeenAt.UTC()
	sess.CSRFToken = CSRFToken(token)

	var end error
	switch {
	case !now.Before(sess.ExpiresAt) || !now.Before(sess.IdleExpiresAt()):
		end = ErrSessionExpired
	case u.Disabled, u.Demo && !s.demo.Load():
		end = ErrNoSession
	}
	if end != nil {
		if err := s.deleteSessionHash(ctx, hash); err != nil {
			return Session{}, User{}, err
		}
		return Session{}, User{}, end
	}
	if now.Sub(sess.LastSeenAt) >= touchInterval {
		err := s.write(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, query("touch_session"), hash, now)
			return err
		})
		if err != nil {
			return Session{}, User{}, fmt.Errorf("recording a session's use: %w", err)
		}
		sess.LastSeenAt = now
	}
	return sess, u, nil
}

// DeleteSession ends the session whose cookie holds token: signing out.
// An unknown token is not an error.
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	return s.deleteSessionHash(ctx, tokenHash(token))
}

func (s *Store) deleteSessionHash(ctx context.Context, hash string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, query("delete_session"), hash)
		return err
	})
	if err != nil {
		return fmt.Errorf("ending a session: %w", err)
	}
	return nil
}

// DeleteUserSessions ends every session of a user, e.g. on every device
// they signed in from. DisableUser, ResetPassword and ChangePassword do it
// themselves.
func (s *Store) DeleteUserSessions(ctx context.Context, userID int64) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, query("delete_user_sessions"), userID)
		return err
	})
	if err != nil {
		return fmt.Errorf("ending a user's sessions: %w", err)
	}
	return nil
}

// PurgeExpired deletes the sessions that have expired by now and returns
// how many. LookupSession refuses them anyway; this keeps the table small.
func (s *Store) PurgeExpired(ctx context.Context, now time.Time) (int64, error) {
	now = s.at(now)
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, query("delete_expired_sessions"), now, now.Add(-IdleTimeout))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("deleting expired sessions: %w", err)
	}
	return n, nil
}

// tokenHash is what the sessions table keeps of a token. A plain SHA-256
// suffices: the token has 256 random bits, so there is nothing to guess.
func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CSRFToken returns the form token for the session with sessionToken: an
// HMAC of a fixed label keyed with the session token. Pages put it in a
// hidden field of every form; ValidCSRFToken checks it on submission. It is
// a second line behind the dashboard's http.CrossOriginProtection, for
// browsers that send neither Sec-Fetch-Site nor Origin. Derived rather than
// stored, it needs no column, changes with every sign-in, and cannot be
// computed from the database, which holds only the token's hash.
func CSRFToken(sessionToken string) string {
	mac := hmac.New(sha256.New, []byte(sessionToken))
	mac.Write([]byte("uptake csrf v1"))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// ValidCSRFToken reports whether submitted is the form token of the
// session with sessionToken, in constant time.
func ValidCSRFToken(sessionToken, submitted string) bool {
	if sessionToken == "" || submitted == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(CSRFToken(sessionToken)), []byte(submitted)) == 1
}
