package accounts

import (
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestAuthenticate(t *testing.T) {
	s, _ := mustOpenStore(t)
	added := mustAddUser(t, s, "fatima", RolePractice, "F83004")
	u, err := s.Authenticate(ctx, Attempt{Username: " Fatima ", Password: passwordOf("fatima"), RemoteAddr: "192.0.2.1", At: t0})
	if err != nil {
		t.Fatal(err)
	}
	if u.ID != added.ID || u.Role != RolePractice || u.PracticeCode != "F83004" || !u.LastSignInAt.Equal(t0) {
		t.Errorf("signed in as %+v", u)
	}
	stored, _ := s.UserByUsername(ctx, "fatima")
	if !stored.LastSignInAt.Equal(t0) {
		t.Errorf("last sign-in stored as %v, want %v", stored.LastSignInAt, t0)
	}
	want := Event{At: t0, Username: "fatima", Role: RolePractice, Action: ActionSignIn, Detail: "signed in", RemoteAddr: "192.0.2.1"}
	if e := lastEvent(t, s); e != want {
		t.Errorf("audit %+v, want %+v", e, want)
	}
}

// TestNoUsernameEnumeration: an unknown username and a wrong password get
// the same answer after the same work, one argon2id verification with the
// current parameters and one audit event, and the audit log keeps no
// attempted username that might be a mistyped password. Time itself is
// not measured (it would flake on a busy machine); the work that takes
// the time is.
func TestNoUsernameEnumeration(t *testing.T) {
	s, _ := mustOpenStore(t)
	mustAddUser(t, s, "gita", RoleCommissioner, "")
	try := func(username string) (error, int64, int) {
		before, events := verifications.Load(), len(auditActions(t, s))
		_, err := s.Authenticate(ctx, Attempt{Username: username, Password: "not her password", RemoteAddr: "192.0.2.9", At: t0})
		return err, verifications.Load() - before, len(auditActions(t, s)) - events
	}
	wrong, wrongWork, wrongEvents := try("gita")
	unknown, unknownWork, unknownEvents := try("my secret pass")
	if !errors.Is(wrong, ErrBadCredentials) || !errors.Is(unknown, ErrBadCredentials) || wrong.Error() != unknown.Error() {
		t.Errorf("wrong password: %v; unknown user: %v; want the same ErrBadCredentials", wrong, unknown)
	}
	if cost := int64(hashParams.memory) * int64(hashParams.time); wrongWork != cost || unknownWork != cost {
		t.Errorf("argon2id work: %d for a wrong password, %d for an unknown user; want one verification at the current parameters, %d, each", wrongWork, unknownWork, cost)
	}
	if wrongEvents != 1 || unknownEvents != 1 {
		t.Errorf("audit events: %d for a wrong password, %d for an unknown user; want one each", wrongEvents, unknownEvents)
	}
	want := Event{At: t0, Action: ActionSignInFailed, Detail: "unknown username", RemoteAddr: "192.0.2.9"}
	if e := lastEvent(t, s); e != want {
		t.Errorf("audit %+v, want %+v", e, want)
	}
	events, _ := s.AuditLog(ctx, 100, 0)
	for _, e := range events {
		if strings.Contains(e.Username+e.Detail, "secret") {
			t.Errorf("the attempted username reached the audit log: %+v", e)
		}
	}
}

// TestNoLockout: however many wrong passwords are tried, from wherever,
// the right one still signs in. Slowing guesses down is the dashboard's
// throttle's job, per username and client address.
func TestNoLockout(t *testing.T) {
	s, db := mustOpenStore(t)
	mustAddUser(t, s, "hana", RoleServiceLead, "")
	for i := range 20 {
		_, err := s.Authenticate(ctx, Attempt{Username: "hana", Password: "wrong password", RemoteAddr: "192.0.2.2", At: t0.Add(time.Duration(i) * time.Second)})
		if !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("wrong password %d: %v", i+1, err)
		}
	}
	// A database from before kept a lock in the users table: it binds no more.
	mustExec(t, db, `UPDATE users SET failed_attempts = 5, locked_until = ? WHERE username = 'hana'`, t0.Add(time.Hour))
	if _, err := s.Authenticate(ctx, Attempt{Username: "hana", Password: passwordOf("hana"), RemoteAddr: "192.0.2.3", At: t0.Add(time.Minute)}); err != nil {
		t.Fatalf("right password after 20 wrong ones: %v", err)
	}
	want := []string{"user_added"}
	for range 20 {
		want = append(want, "sign_in_failed")
	}
	want = append(want, "sign_in")
	if got := auditActions(t, s); !reflect.DeepEqual(got, want) {
		t.Errorf("audit\n got %v\nwant %v", got, want)
	}
}

// TestRehashOnSignIn: a hash made with older parameters is replaced by one
// with the current parameters at the next successful sign-in.
func TestRehashOnSignIn(t *testing.T) {
	s, db := mustOpenStore(t)
	mustAddUser(t, s, "jude", RoleAdmin, "")
	old := encodePHC(argon2Params{memory: 32, time: 1, threads: 1, keyLen: 32}, []byte("an old salt, 16b"), []byte(passwordOf("jude")))
	mustExec(t, db, `UPDATE users SET password_hash = ? WHERE username = 'jude'`, old)
	if _, err := s.Authenticate(ctx, Attempt{Username: "jude", Password: passwordOf("jude"), At: t0}); err != nil {
		t.Fatal(err)
	}
	u, _ := s.UserByUsername(ctx, "jude")
	if u.passwordHash == old || NeedsRehash(u.passwordHash) {
		t.Errorf("hash after sign-in: %s", u.passwordHash)
	}
	if ok, _ := verifyPassword(ctx, u.passwordHash, passwordOf("jude")); !ok {
		t.Error("the new hash does not verify the password")
	}
}

// TestConcurrentSignIns: attempts at once on one account neither fail
// with a DuckDB write conflict nor lose an audit event.
func TestConcurrentSignIns(t *testing.T) {
	s, _ := mustOpenStore(t)
	mustAddUser(t, s, "kit", RoleCommissioner, "")
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for i := range 10 {
		wg.Go(func() {
			pw := "wrong password"
			if i%2 == 0 {
				pw = passwordOf("kit")
			}
			_, err := s.Authenticate(ctx, Attempt{Username: "kit", Password: pw, At: t0})
			if errors.Is(err, ErrBadCredentials) && i%2 == 1 {
				err = nil
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent attempt: %v", err)
		}
	}
	counts := map[string]int{}
	for _, a := range auditActions(t, s) {
		counts[a]++
	}
	if counts["sign_in"] != 5 || counts["sign_in_failed"] != 5 {
		t.Errorf("audit %v; want 5 sign-ins and 5 failures", counts)
	}
}
