package accounts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Attempt is one try at signing in.
type Attempt struct {
	Username   string
	Password   string
	RemoteAddr string    // the client's address, for the audit log
	At         time.Time // when; zero means now
}

// Authenticate checks a username and password and returns the user. Every
// attempt is written to the audit log.
//
// An unknown username and a wrong password get the same answer,
// ErrBadCredentials, after the same work: one argon2id verification with
// the current parameters (an unknown username against a dummy hash) and
// one audit event, so that neither the answer nor its timing tells which
// usernames exist. Nothing is counted against the account: wrong passwords
// are slowed down per username and client address by the dashboard,
// never by locking the account, which a stranger could do to anyone. A
// disabled account answers ErrDisabled, but only to someone who gave its
// right password. A success upgrades a hash made with older parameters.
//
// The caller decides what to do with a user whose MustChangePassword is
// set: the dashboard lets them do nothing but choose a new password.
func (s *Store) Authenticate(ctx context.Context, a Attempt) (User, error) {
	now := s.at(a.At)
	username := normaliseUsername(a.Username)
	u, err := userByUsername(ctx, s.db, username)
	unknown := errors.Is(err, ErrNoSuchUser) || (err == nil && u.Demo && !s.demo.Load())
	if err != nil && !unknown {
		return User{}, fmt.Errorf("sign-in: %w", err)
	}
	if unknown {
		if _, err := verifyPassword(ctx, dummyHash(), a.Password); err != nil {
			return User{}, err
		}
		// The attempted name is not recorded: people type passwords
		// into the username box.
		ev := Event{At: now, Action: ActionSignInFailed, Detail: "unknown username", RemoteAddr: a.RemoteAddr}
		return User{}, audited(ErrBadCredentials, s.Audit(ctx, ev))
	}
	ok, err := verifyPassword(ctx, u.passwordHash, a.Password)
	if err != nil {
		return User{}, fmt.Errorf("sign-in as %s: %w", u.Username, err)
	}
	if !ok {
		ev := u.Actor(a.RemoteAddr).event(ActionSignInFailed, "wrong password", now)
		return User{}, audited(ErrBadCredentials, s.Audit(ctx, ev))
	}
	if u.Disabled {
		ev := u.Actor(a.RemoteAddr).event(ActionSignInFailed, "account disabled", now)
		return User{}, audited(ErrDisabled, s.Audit(ctx, ev))
	}

	var rehash string
	if NeedsRehash(u.passwordHash) {
		if rehash, err = hashPassword(ctx, a.Password); err != nil {
			return User{}, err
		}
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, query("record_sign_in"), u.ID, now); err != nil {
			return err
		}
		if rehash != "" {
			// Only if no one changed the password meanwhile.
			if _, err := tx.ExecContext(ctx, query("replace_password_hash"), u.ID, rehash, u.passwordHash); err != nil {
				return err
			}
		}
		return insertEvent(ctx, tx, u.Actor(a.RemoteAddr).event(ActionSignIn, "signed in", now))
	})
	if err != nil {
		return User{}, fmt.Errorf("sign-in as %s: %w", u.Username, err)
	}
	u.LastSignInAt = now
	if rehash != "" {
		u.passwordHash = rehash
	}
	return u, nil
}

// audited returns err, joined with auditErr if the audit log could not be
// written, so that errors.Is still finds err.
func audited(err, auditErr error) error {
	if auditErr == nil {
		return err
	}
	return errors.Join(err, auditErr)
}
