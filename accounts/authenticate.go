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
// It answers ErrBadCredentials both for an unknown username and for a
// wrong password, and takes about as long for either (an unknown username
// is checked against a dummy hash), so that neither the answer nor its
// timing tells which usernames exist. MaxFailedAttempts consecutive wrong
// passwords lock the account for LockoutDuration: the attempt that locks it
// and every attempt while it is locked, right password or not, answer
// ErrLocked. A disabled account answers ErrDisabled, but only to someone
// who gave its right password. A success clears the failures, and upgrades
// a hash made with older parameters.
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
	if u.LockedAt(now) {
		ev := u.Actor(a.RemoteAddr).event(ActionSignInFailed, "account locked", now)
		return User{}, audited(ErrLocked, s.Audit(ctx, ev))
	}
	ok, err := verifyPassword(ctx, u.passwordHash, a.Password)
	if err != nil {
		return User{}, fmt.Errorf("sign-in as %s: %w", u.Username, err)
	}
	if !ok {
		locked, err := s.recordFailure(ctx, u, a.RemoteAddr, now)
		if err != nil {
			return User{}, err
		}
		if locked {
			return User{}, ErrLocked
		}
		return User{}, ErrBadCredentials
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
	u.FailedAttempts, u.LockedUntil, u.LastSignInAt = 0, time.Time{}, now
	if rehash != "" {
		u.passwordHash = rehash
	}
	return u, nil
}

// recordFailure counts a wrong password against u and reports whether the
// account is now locked. The count restarts once a lock has run out, so a
// user coming back after a lockout has MaxFailedAttempts tries again; a
// wrong password while locked is never counted, so nobody can keep an
// account locked for longer than LockoutDuration after their fifth try.
func (s *Store) recordFailure(ctx context.Context, u User, remoteAddr string, now time.Time) (locked bool, err error) {
	lockEnd := now.Add(LockoutDuration)
	err = s.write(ctx, func(tx *sql.Tx) error {
		var failed int
		var until sql.NullTime
		actor := u.Actor(remoteAddr)
		err := tx.QueryRowContext(ctx, query("record_failed_sign_in"), u.ID, now, MaxFailedAttempts, lockEnd).Scan(&failed, &until)
		if errors.Is(err, sql.ErrNoRows) {
			// Locked by an attempt that finished while this one was hashing.
			locked = true
			return insertEvent(ctx, tx, actor.event(ActionSignInFailed, "account locked", now))
		}
		if err != nil {
			return err
		}
		if err := insertEvent(ctx, tx, actor.event(ActionSignInFailed, fmt.Sprintf("wrong password (%d in a row)", failed), now)); err != nil {
			return err
		}
		locked = until.Valid && now.Before(until.Time)
		if locked {
			return insertEvent(ctx, tx, actor.event(ActionLockedOut, fmt.Sprintf("locked until %s UTC after %d wrong passwords", until.Time.UTC().Format("2006-01-02 15:04"), failed), now))
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("recording a failed sign-in: %w", err)
	}
	return locked, nil
}

// audited returns err, joined with auditErr if the audit log could not be
// written, so that errors.Is still finds err.
func audited(err, auditErr error) error {
	if auditErr == nil {
		return err
	}
	return errors.Join(err, auditErr)
}
