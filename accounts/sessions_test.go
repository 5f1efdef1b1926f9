package accounts

import (
	"encoding/base64"
	"errors"
	"testing"
	"time"
)

func TestCreateAndLookUpSession(t *testing.T) {
	s, _ := mustOpenStore(t)
	u := mustAddUser(t, s, "kofi", RolePractice, "F83010")
	token, sess, err := s.CreateSession(ctx, u.ID, t0)
	if err != nil {
		t.Fatal(err)
	}
	if raw, err := base64.RawURLEncoding.DecodeString(token); err != nil || len(raw) != 32 {
		t.Errorf("token %q: %d bytes, %v; want 256 bits", token, len(raw), err)
	}
	want := Session{UserID: u.ID, CreatedAt: t0, LastSeenAt: t0, ExpiresAt: t0.Add(12 * time.Hour), CSRFToken: CSRFToken(token)}
	if sess != want {
		t.Errorf("created %+v, want %+v", sess, want)
	}
	got, gotUser, err := s.LookupSession(ctx, token, t0.Add(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if got != want || gotUser.Username != "kofi" || gotUser.PracticeCode != "F83010" {
		t.Errorf("looked up %+v of %+v", got, gotUser)
	}
	other, _, _ := s.CreateSession(ctx, u.ID, t0)
	if other == token {
		t.Error("two sessions got the same token")
	}
	for _, bad := range []string{"", "x", token[:42], token + "A", other[:40] + token[40:]} {
		if _, _, err := s.LookupSession(ctx, bad, t0); !errors.Is(err, ErrNoSession) || errors.Is(err, ErrSessionExpired) {
			t.Errorf("token %q: %v, want ErrNoSession", bad, err)
		}
	}
	if _, _, err := s.CreateSession(ctx, 9999, t0); err == nil {
		t.Error("a session for a user who does not exist")
	}
}

// TestTokenStoredOnlyHashed searches every table of the database for the
// token and its CSRF token as text: neither may be stored anywhere.
func TestTokenStoredOnlyHashed(t *testing.T) {
	s, db := mustOpenStore(t)
	u := mustAddUser(t, s, "lena", RoleCommissioner, "")
	token, sess, err := s.CreateSession(ctx, u.ID, t0)
	if err != nil {
		t.Fatal(err)
	}
	s.LookupSession(ctx, token, t0.Add(2*time.Minute)) // writes last_seen_at
	tables, err := db.Query(`SELECT table_name FROM duckdb_tables()`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for tables.Next() {
		var n string
		tables.Scan(&n)
		names = append(names, n)
	}
	tables.Close()
	if len(names) < 3 {
		t.Fatalf("found tables %v", names)
	}
	for _, name := range names {
		for _, secret := range []string{token, sess.CSRFToken, passwordOf("lena")} {
			var n int
			// The whole row cast to text: every column at once.
			if err := db.QueryRow(`SELECT count(*) FROM "`+name+`" AS t WHERE contains(CAST(t AS VARCHAR), ?)`, secret).Scan(&n); err != nil {
				t.Fatalf("searching %s: %v", name, err)
			}
			if n > 0 {
				t.Errorf("table %s holds a secret in %d rows", name, n)
			}
		}
	}
	// The search can find what is there: the hash.
	var found int
	db.QueryRow(`SELECT count(*) FROM sessions AS t WHERE contains(CAST(t AS VARCHAR), ?)`, tokenHash(token)).Scan(&found)
	if found != 1 {
		t.Errorf("the row search does not find the stored hash (%d rows)", found)
	}
	var stored string
	db.QueryRow(`SELECT token_hash FROM sessions`).Scan(&stored)
	if stored != tokenHash(token) || len(stored) != 64 {
		t.Errorf("stored %q, want the SHA-256 of the token", stored)
	}
}

// TestIdleTimeout: a session lives 30 minutes after its last use, and every
// use (recorded at most once a minute) moves that on.
func TestIdleTimeout(t *testing.T) {
	s, db := mustOpenStore(t)
	u := mustAddUser(t, s, "mina", RoleCommissioner, "")
	token, _, _ := s.CreateSession(ctx, u.ID, t0)
	lastSeen := func() time.Time {
		var at time.Time
		db.QueryRow(`SELECT last_seen_at FROM sessions`).Scan(&at)
		return at.UTC()
	}

	// Used 30 s after sign-in: not written (less than a minute).
	if sess, _, err := s.LookupSession(ctx, token, t0.Add(30*time.Second)); err != nil || !sess.LastSeenAt.Equal(t0) {
		t.Fatalf("at +30s: %v, last seen %v", err, sess.LastSeenAt)
	}
	if !lastSeen().Equal(t0) {
		t.Errorf("a use within the minute was written: %v", lastSeen())
	}
	// Used at +29 min: written, so it lives to +59 min.
	at := t0.Add(29 * time.Minute)
	sess, _, err := s.LookupSession(ctx, token, at)
	if err != nil || !sess.LastSeenAt.Equal(at) || !lastSeen().Equal(at) || !sess.IdleExpiresAt().Equal(at.Add(30*time.Minute)) {
		t.Fatalf("at +29m: %v, last seen %v (stored %v)", err, sess.LastSeenAt, lastSeen())
	}
	if _, _, err := s.LookupSession(ctx, token, at.Add(30*time.Minute-time.Second)); err != nil {
		t.Errorf("a second before the idle timeout: %v", err)
	}
	// That use moved it on again, to 09:58:59 + 30 min; idle past that, it ends.
	idleEnd := at.Add(30*time.Minute - time.Second).Add(IdleTimeout)
	if _, _, err := s.LookupSession(ctx, token, idleEnd); !errors.Is(err, ErrSessionExpired) {
		t.Errorf("after 30 idle minutes: %v, want ErrSessionExpired", err)
	}
	var n int
	db.QueryRow(`SELECT count(*) FROM sessions`).Scan(&n)
	if n != 0 {
		t.Errorf("an expired session was kept")
	}
	if _, _, err := s.LookupSession(ctx, token, idleEnd); !errors.Is(err, ErrNoSession) || errors.Is(err, ErrSessionExpired) {
		t.Errorf("the expired session again: %v, want plain ErrNoSession", err)
	}
}

// TestAbsoluteLifetime: a session used every 20 minutes still ends 12 hours
// after sign-in.
func TestAbsoluteLifetime(t *testing.T) {
	s, _ := mustOpenStore(t)
	u := mustAddUser(t, s, "nia", RoleCommissioner, "")
	token, _, _ := s.CreateSession(ctx, u.ID, t0)
	at := t0
	for at = t0.Add(20 * time.Minute); at.Before(t0.Add(AbsoluteLifetime)); at = at.Add(20 * time.Minute) {
		if _, _, err := s.LookupSession(ctx, token, at); err != nil {
			t.Fatalf("at %v: %v", at.Sub(t0), err)
		}
	}
	if at != t0.Add(12*time.Hour) {
		t.Fatalf("loop ended at %v", at.Sub(t0))
	}
	if _, _, err := s.LookupSession(ctx, token, at); !errors.Is(err, ErrSessionExpired) {
		t.Errorf("at 12 h: %v, want ErrSessionExpired", err)
	}
}

// TestDisabledUserSessionRefused: even if a disabled user's session
// survived (DisableUser deletes them), it is refused.
func TestDisabledUserSessionRefused(t *testing.T) {
	s, db := mustOpenStore(t)
	u := mustAddUser(t, s, "olu", RoleAdmin, "")
	token, _, _ := s.CreateSession(ctx, u.ID, t0)
	mustExec(t, db, `UPDATE users SET disabled = true`)
	if _, _, err := s.LookupSession(ctx, token, t0); !errors.Is(err, ErrNoSession) {
		t.Errorf("disabled user's session: %v", err)
	}
}

func TestDeleteAndPurgeSessions(t *testing.T) {
	s, db := mustOpenStore(t)
	a := mustAddUser(t, s, "pat", RoleCommissioner, "")
	b := mustAddUser(t, s, "quin", RoleCommissioner, "")
	count := func() (n int) {
		db.QueryRow(`SELECT count(*) FROM sessions`).Scan(&n)
		return n
	}
	signOut, _, _ := s.CreateSession(ctx, a.ID, t0)
	if err := s.DeleteSession(ctx, signOut); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.LookupSession(ctx, signOut, t0); !errors.Is(err, ErrNoSession) {
		t.Errorf("signed-out session: %v", err)
	}
	if err := s.DeleteSession(ctx, "never issued"); err != nil {
		t.Errorf("deleting an unknown session: %v", err)
	}

	s.CreateSession(ctx, a.ID, t0)
	s.CreateSession(ctx, a.ID, t0)
	kept, _, _ := s.CreateSession(ctx, b.ID, t0)
	if err := s.DeleteUserSessions(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 1 {
		t.Errorf("%d sessions after deleting pat's, want quin's 1", n)
	}

	// Purge at 10:00: quin's (last seen 09:00) is idle since 09:30; a new
	// one from 09:45 stays; one signed in at 21:30 yesterday and used at
	// 09:50 has passed its 12 hours.
	now := t0.Add(time.Hour)
	fresh, _, _ := s.CreateSession(ctx, b.ID, t0.Add(45*time.Minute))
	old, _, _ := s.CreateSession(ctx, b.ID, now.Add(-12*time.Hour-30*time.Minute))
	mustExec(t, db, `UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?`, now.Add(-10*time.Minute), tokenHash(old))
	n, err := s.PurgeExpired(ctx, now)
	if err != nil || n != 2 {
		t.Errorf("PurgeExpired = %d, %v; want 2", n, err)
	}
	if _, _, err := s.LookupSession(ctx, fresh, now); err != nil {
		t.Errorf("the fresh session was purged: %v", err)
	}
	for _, gone := range []string{kept, old} {
		var c int
		db.QueryRow(`SELECT count(*) FROM sessions WHERE token_hash = ?`, tokenHash(gone)).Scan(&c)
		if c != 0 {
			t.Errorf("an expired session survived the purge")
		}
	}
}

func TestCSRFToken(t *testing.T) {
	a, b := "session-token-a", "session-token-b"
	if CSRFToken(a) != CSRFToken(a) || CSRFToken(a) == CSRFToken(b) {
		t.Error("the CSRF token is not a function of the session token")
	}
	if CSRFToken(a) == a || CSRFToken(a) == tokenHash(a) {
		t.Error("the CSRF token reveals the session token or its stored hash")
	}
	if !ValidCSRFToken(a, CSRFToken(a)) {
		t.Error("the right form token is refused")
	}
	for _, c := range []struct{ session, form string }{{a, CSRFToken(b)}, {a, ""}, {"", CSRFToken("")}, {a, CSRFToken(a)[1:]}} {
		if ValidCSRFToken(c.session, c.form) {
			t.Errorf("ValidCSRFToken(%q, %q) accepted", c.session, c.form)
		}
	}
}
