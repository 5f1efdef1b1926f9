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
// the same answer, and the audit log keeps no attempted username that
// might be a mistyped password.
func TestNoUsernameEnumeration(t *testing.T) {
	s, _ := mustOpenStore(t)
	mustAddUser(t, s, "gita", RoleCommissioner, "")
	_, wrong := s.Authenticate(ctx, Attempt{Username: "gita", Password: "not her password", At: t0})
	_, unknown := s.Authenticate(ctx, Attempt{Username: "my secret pass", Password: "not her password", RemoteAddr: "192.0.2.9", At: t0})
	if !errors.Is(wrong, ErrBadCredentials) || !errors.Is(unknown, ErrBadCredentials) || wrong.Error() != unknown.Error() {
		t.Errorf("wrong password: %v; unknown user: %v; want the same ErrBadCredentials", wrong, unknown)
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
	// Unknown usernames lock nothing and are not counted anywhere.
	for range MaxFailedAttempts + 1 {
		if _, err := s.Authenticate(ctx, Attempt{Username: "nobody", Password: "x", At: t0}); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("unknown user: %v", err)
		}
	}
}

func TestLockoutAfterFiveFailures(t *testing.T) {
	s, _ := mustOpenStore(t)
	mustAddUser(t, s, "hana", RoleServiceLead, "")
	right := passwordOf("hana")
	try := func(pw string, at time.Time) error {
		_, err := s.Authenticate(ctx, Attempt{Username: "hana", Password: pw, At: at})
		return err
	}
	// Four wrong passwords, a minute apart: wrong, not locked.
	for i := range MaxFailedAttempts - 1 {
		if err := try("wrong password", t0.Add(time.Duration(i)*time.Minute)); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("failure %d: %v", i+1, err)
		}
	}
	// The fifth, at 09:04, locks the account until 09:19.
	fifth := t0.Add(4 * time.Minute)
	if err := try("wrong password", fifth); !errors.Is(err, ErrLocked) {
		t.Fatalf("fifth failure: %v, want ErrLocked", err)
	}
	u, _ := s.UserByUsername(ctx, "hana")
	if u.FailedAttempts != 5 || !u.LockedUntil.Equal(fifth.Add(LockoutDuration)) {
		t.Errorf("after five failures: %d failures, locked until %v; want 5 and %v", u.FailedAttempts, u.LockedUntil, fifth.Add(LockoutDuration))
	}
	// While locked even the right password is refused, and a wrong one
	// does not extend the lock.
	if err := try(right, fifth.Add(time.Minute)); !errors.Is(err, ErrLocked) {
		t.Errorf("right password while locked: %v", err)
	}
	if err := try("wrong password", fifth.Add(14*time.Minute)); !errors.Is(err, ErrLocked) {
		t.Errorf("wrong password while locked: %v", err)
	}
	if err := try(right, fifth.Add(LockoutDuration-time.Second)); !errors.Is(err, ErrLocked) {
		t.Errorf("a second before the lock ends: %v", err)
	}
	// At 09:19 the lock is over: a wrong password counts from one again.
	if err := try("wrong password", fifth.Add(LockoutDuration)); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("wrong password when the lock ends: %v, want ErrBadCredentials", err)
	}
	if u, _ := s.UserByUsername(ctx, "hana"); u.FailedAttempts != 1 || !u.LockedUntil.IsZero() {
		t.Errorf("after the lock: %d failures, locked until %v; want 1 and none", u.FailedAttempts, u.LockedUntil)
	}
	if err := try(right, fifth.Add(LockoutDuration+time.Minute)); err != nil {
		t.Errorf("right password after the lock: %v", err)
	}
	if u, _ := s.UserByUsername(ctx, "hana"); u.FailedAttempts != 0 {
		t.Errorf("a success left %d failures", u.FailedAttempts)
	}
	want := []string{"user_added",
		"sign_in_failed", "sign_in_failed", "sign_in_failed", "sign_in_failed",
		"sign_in_failed", "locked_out",
		"sign_in_failed", "sign_in_failed", "sign_in_failed", // while locked
		"sign_in_failed", "sign_in"}
	if got := auditActions(t, s); !reflect.DeepEqual(got, want) {
		t.Errorf("audit\n got %v\nwant %v", got, want)
	}
	events, _ := s.AuditLog(ctx, 100, 0)
	for _, e := range events {
		if e.Action == ActionLockedOut && e.Detail != "locked until 2026-07-01 09:19 UTC after 5 wrong passwords" {
			t.Errorf("lockout detail %q", e.Detail)
		}
	}
}

// TestFailuresMustBeConsecutive: a success in between starts the count
// again, so five failures spread over a day lock nothing.
func TestFailuresMustBeConsecutive(t *testing.T) {
	s, _ := mustOpenStore(t)
	mustAddUser(t, s, "ivan", RoleCommissioner, "")
	for i := range 3 * MaxFailedAttempts {
		at := t0.Add(time.Duration(i) * time.Minute)
		pw := "wrong password"
		if i%4 == 3 {
			pw = passwordOf("ivan")
		}
		_, err := s.Authenticate(ctx, Attempt{Username: "ivan", Password: pw, At: at})
		if errors.Is(err, ErrLocked) {
			t.Fatalf("locked at attempt %d although no five failures were consecutive", i+1)
		}
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

// TestConcurrentSignIns: attempts at once on one account neither fail with
// a DuckDB write conflict nor lose a count. Ten wrong passwords at once
// lock the account exactly as ten in a row would.
func TestConcurrentSignIns(t *testing.T) {
	s, _ := mustOpenStore(t)
	mustAddUser(t, s, "kit", RoleCommissioner, "")
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for range 10 {
		wg.Go(func() {
			_, err := s.Authenticate(ctx, Attempt{Username: "kit", Password: "wrong password", At: t0})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	counts := map[error]int{}
	for err := range errs {
		switch {
		case errors.Is(err, ErrLocked):
			counts[ErrLocked]++
		case errors.Is(err, ErrBadCredentials):
			counts[ErrBadCredentials]++
		default:
			t.Errorf("concurrent attempt: %v", err)
		}
	}
	u, _ := s.UserByUsername(ctx, "kit")
	// Whichever got there first, four were told "wrong", the fifth locked
	// it, and the other five found it locked.
	if counts[ErrBadCredentials] != 4 || counts[ErrLocked] != 6 || u.FailedAttempts != 5 || !u.LockedAt(t0) {
		t.Errorf("answers %v; %d failures counted, locked until %v", counts, u.FailedAttempts, u.LockedUntil)
	}
}
