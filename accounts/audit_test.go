package accounts

import (
	"reflect"
	"testing"
	"time"
)

func TestAuditLog(t *testing.T) {
	s, _ := mustOpenStore(t)
	events := []Event{
		{At: t0, Username: "rita", Role: RolePractice, Action: ActionDownload, Detail: "coding work list F83004 (CSV)", RemoteAddr: "192.0.2.4"},
		{At: t0.Add(time.Minute), Username: "cli:ops", Action: ActionLoad, Detail: "2026Q2: loaded", RemoteAddr: "cli"},
		{At: t0.Add(time.Minute), Username: "rita", Role: RolePractice, Action: ActionSignOut, Detail: "signed out", RemoteAddr: "192.0.2.4"},
	}
	for _, e := range events {
		if err := s.Audit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.AuditLog(ctx, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Newest first; two events in the same instant in reverse order of writing.
	want := []Event{events[2], events[1], events[0]}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("AuditLog =\n%+v\nwant\n%+v", got, want)
	}
	page, _ := s.AuditLog(ctx, 1, 1)
	if len(page) != 1 || page[0] != events[1] {
		t.Errorf("second page of one: %+v", page)
	}
	if page, _ := s.AuditLog(ctx, 10, 3); len(page) != 0 {
		t.Errorf("past the end: %+v", page)
	}
}

func TestAuditCleansText(t *testing.T) {
	s, _ := mustOpenStore(t)
	long := make([]rune, 600)
	for i := range long {
		long[i] = 'x'
	}
	err := s.Audit(ctx, Event{At: t0, Username: "eve\nsign_in admin", Action: ActionDownload,
		Detail: "file\r\n2026-07-01 admin sign_in \u202etxt.exe\xff" + string(long), RemoteAddr: "192.0.2.5"})
	if err != nil {
		t.Fatal(err)
	}
	e := lastEvent(t, s)
	if e.Username != "eve sign_in admin" {
		t.Errorf("username %q", e.Username)
	}
	if r := []rune(e.Detail); len(r) != 500 || string(r[:40]) != "file  2026-07-01 admin sign_in  txt.exe " || r[499] != '…' {
		t.Errorf("detail %q (%d characters)", e.Detail[:50], len(r))
	}
}

func TestAuditRefusesUnknownAction(t *testing.T) {
	s, _ := mustOpenStore(t)
	if err := s.Audit(ctx, Event{Action: "coffee"}); err == nil {
		t.Error("an unknown action was logged")
	}
	// A zero time means now.
	s.now = func() time.Time { return t0.Add(time.Hour) }
	if err := s.Audit(ctx, Event{Action: ActionSignOut}); err != nil {
		t.Fatal(err)
	}
	if e := lastEvent(t, s); !e.At.Equal(t0.Add(time.Hour)) {
		t.Errorf("zero time logged as %v", e.At)
	}
}

// Every action the program writes is accepted and read back as itself,
// including those of the emails uptake report sends.
func TestAuditActions(t *testing.T) {
	s, _ := mustOpenStore(t)
	all := []Action{ActionSignIn, ActionSignInFailed, ActionLockedOut, ActionSignOut, ActionDownload,
		ActionLoad, ActionUserAdded, ActionUserDisabled, ActionUserEnabled, ActionPasswordReset,
		ActionPasswordChanged, ActionAccessDenied, ActionSend, ActionSendFailed}
	if len(all) != len(actions) {
		t.Errorf("the test lists %d actions, the package %d: add the new one here", len(all), len(actions))
	}
	for _, a := range all {
		if err := s.Audit(ctx, Event{At: t0, Username: "cli:ops", Action: a, Detail: "x", RemoteAddr: "cli"}); err != nil {
			t.Errorf("%s: %v", a, err)
		} else if e := lastEvent(t, s); e.Action != a {
			t.Errorf("logged %q, read back %q", a, e.Action)
		}
	}
}
