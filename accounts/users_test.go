package accounts

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestAddUser(t *testing.T) {
	s, _ := mustOpenStore(t)
	u, err := s.AddUser(ctx, cli, NewUser{Username: "  Jo.Bloggs@Practice.NHS.uk ", DisplayName: " Jo Bloggs ", Role: RolePractice, PracticeCode: "f83010", Password: "kettle orbit meadow"})
	if err != nil {
		t.Fatal(err)
	}
	if u.ID == 0 || u.Username != "jo.bloggs@practice.nhs.uk" || u.DisplayName != "Jo Bloggs" || u.Role != RolePractice || u.PracticeCode != "F83010" {
		t.Errorf("added %+v", u)
	}
	if u.Disabled || u.MustChangePassword || u.Demo || !u.LastSignInAt.IsZero() {
		t.Errorf("a new user starts with flags %+v", u)
	}
	got, err := s.UserByUsername(ctx, "JO.BLOGGS@practice.nhs.uk")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != u.ID || got.CreatedAt.IsZero() || !got.CreatedAt.Equal(got.UpdatedAt) || !strings.HasPrefix(got.passwordHash, "$argon2id$") {
		t.Errorf("read back %+v (hash %q)", got, got.passwordHash)
	}
	if e := lastEvent(t, s); e.Action != ActionUserAdded || e.Username != "cli:tester" || e.RemoteAddr != "cli" ||
		e.Detail != "added jo.bloggs@practice.nhs.uk as practice of F83010" {
		t.Errorf("audit: %+v", e)
	}

	// The display name defaults to the username.
	c := mustAddUser(t, s, "commissioner1", RoleCommissioner, "")
	if c.DisplayName != "commissioner1" || c.PracticeCode != "" {
		t.Errorf("commissioner: %+v", c)
	}
}

func TestAddUserRefusesBadInput(t *testing.T) {
	s, _ := mustOpenStore(t)
	mustAddUser(t, s, "alice", RoleAdmin, "")
	good := NewUser{Username: "bob", Role: RoleCommissioner, Password: "kettle orbit meadow"}
	cases := []struct {
		name         string
		edit         func(*NewUser)
		field, words string
	}{
		{"short username", func(n *NewUser) { n.Username = "bo" }, "username", "3 to 64"},
		{"username with a space", func(n *NewUser) { n.Username = "bob smith" }, "username", "letters, digits"},
		{"username starting with a dot", func(n *NewUser) { n.Username = ".bob" }, "username", "starting with"},
		{"non-ASCII username", func(n *NewUser) { n.Username = "bób" }, "username", "letters, digits"},
		{"demo prefix", func(n *NewUser) { n.Username = "demo-bob" }, "username", "demo accounts"},
		{"unknown role", func(n *NewUser) { n.Role = "superuser" }, "role", `"superuser" is not a role`},
		{"practice user without practice", func(n *NewUser) { n.Role = RolePractice }, "practice", "needs the ODS code"},
		{"commissioner with practice", func(n *NewUser) { n.PracticeCode = "F83004" }, "practice", "Only practice users"},
		{"bad ODS code", func(n *NewUser) { n.Role, n.PracticeCode = RolePractice, "F8300" }, "practice", "not a practice ODS code"},
		{"unknown practice", func(n *NewUser) { n.Role, n.PracticeCode = RolePractice, "Y99999" }, "practice", "No practice Y99999"},
		{"weak password", func(n *NewUser) { n.Password = "Password123!" }, "password", "easy to guess"},
		{"short password", func(n *NewUser) { n.Password = "kettle" }, "password", "at least 12"},
		{"password is the username", func(n *NewUser) { n.Username, n.Password = "bob.the.builder", "Bob.The.Builder" }, "password", "username"},
		{"long name", func(n *NewUser) { n.DisplayName = strings.Repeat("x", 101) }, "name", "at most 100"},
	}
	for _, c := range cases {
		nu := good
		c.edit(&nu)
		_, err := s.AddUser(ctx, cli, nu)
		t.Run(c.name, func(t *testing.T) { wantValidation(t, err, c.field, c.words) })
	}
	if _, err := s.AddUser(ctx, cli, NewUser{Username: "ALICE", Role: RoleCommissioner, Password: "kettle orbit meadow"}); !errors.Is(err, ErrUsernameTaken) {
		t.Errorf("a taken username in other case: %v, want ErrUsernameTaken", err)
	}
	users, _ := s.ListUsers(ctx)
	if len(users) != 1 {
		t.Errorf("refused additions left %d users, want 1", len(users))
	}
	if got := auditActions(t, s); len(got) != 1 {
		t.Errorf("refused additions were audited: %v", got)
	}
}

func TestListUsers(t *testing.T) {
	s, _ := mustOpenStore(t)
	mustAddUser(t, s, "zoe", RoleServiceLead, "")
	mustAddUser(t, s, "adam", RolePractice, "F83004")
	mustAddUser(t, s, "morgan", RoleCommissioner, "")
	if err := s.DisableUser(ctx, cli, "morgan"); err != nil {
		t.Fatal(err)
	}
	users, err := s.ListUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, u := range users {
		got = append(got, u.Username+"/"+string(u.Role)+"/"+u.PracticeCode+"/"+map[bool]string{true: "disabled", false: "active"}[u.Disabled])
	}
	want := []string{"adam/practice/F83004/active", "morgan/commissioner//disabled", "zoe/service_lead//active"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ListUsers = %v, want %v", got, want)
	}
}

func TestDisableAndEnableUser(t *testing.T) {
	s, db := mustOpenStore(t)
	u := mustAddUser(t, s, "carol", RoleCommissioner, "")
	token, _, err := s.CreateSession(ctx, u.ID, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DisableUser(ctx, cli, "Carol"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.LookupSession(ctx, token, t0.Add(time.Minute)); !errors.Is(err, ErrNoSession) {
		t.Errorf("a disabled user's session still works: %v", err)
	}
	var sessions int
	db.QueryRow(`SELECT count(*) FROM sessions`).Scan(&sessions)
	if sessions != 0 {
		t.Errorf("disabling left %d sessions", sessions)
	}
	if _, err := s.Authenticate(ctx, Attempt{Username: "carol", Password: passwordOf("carol"), At: t0}); !errors.Is(err, ErrDisabled) {
		t.Errorf("disabled user, right password: %v, want ErrDisabled", err)
	}
	if _, err := s.Authenticate(ctx, Attempt{Username: "carol", Password: "wrong password here", At: t0}); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("disabled user, wrong password: %v, want ErrBadCredentials (no hint that the account exists)", err)
	}
	if _, _, err := s.CreateSession(ctx, u.ID, t0); !errors.Is(err, ErrNoSuchUser) {
		t.Errorf("a session for a disabled user: %v", err)
	}
	if err := s.EnableUser(ctx, cli, "carol"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, Attempt{Username: "carol", Password: passwordOf("carol"), At: t0}); err != nil {
		t.Errorf("re-enabled user: %v", err)
	}
	if err := s.DisableUser(ctx, cli, "nobody"); !errors.Is(err, ErrNoSuchUser) {
		t.Errorf("disabling an unknown user: %v", err)
	}
	want := []string{"user_added", "user_disabled", "sign_in_failed", "sign_in_failed", "user_enabled", "sign_in"}
	if got := auditActions(t, s); !reflect.DeepEqual(got, want) {
		t.Errorf("audit %v, want %v", got, want)
	}
}

func TestResetPassword(t *testing.T) {
	s, _ := mustOpenStore(t)
	u := mustAddUser(t, s, "dave", RoleServiceLead, "")
	token, _, _ := s.CreateSession(ctx, u.ID, t0)
	if err := s.ResetPassword(ctx, cli, "dave", "dave"); err == nil {
		t.Error("reset to a weak password was accepted")
	}
	if err := s.ResetPassword(ctx, cli, "dave", "granite pebble harbour"); err != nil {
		t.Fatal(err)
	}
	got, _ := s.UserByUsername(ctx, "dave")
	if !got.MustChangePassword {
		t.Error("after reset the user need not choose a new password")
	}
	if _, _, err := s.LookupSession(ctx, token, t0); !errors.Is(err, ErrNoSession) {
		t.Errorf("a session from before the reset still works: %v", err)
	}
	if _, err := s.Authenticate(ctx, Attempt{Username: "dave", Password: passwordOf("dave"), At: t0}); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("old password after reset: %v", err)
	}
	signedIn, err := s.Authenticate(ctx, Attempt{Username: "dave", Password: "granite pebble harbour", At: t0})
	if err != nil || !signedIn.MustChangePassword {
		t.Errorf("new password after reset: %v, must change %v", err, signedIn.MustChangePassword)
	}
	if err := s.ResetPassword(ctx, cli, "nobody", "granite pebble harbour"); !errors.Is(err, ErrNoSuchUser) {
		t.Errorf("resetting an unknown user: %v", err)
	}
}

func TestChangePassword(t *testing.T) {
	s, _ := mustOpenStore(t)
	u := mustAddUser(t, s, "erin", RoleAdmin, "")
	s.ResetPassword(ctx, cli, "erin", "granite pebble harbour")
	token, _, _ := s.CreateSession(ctx, u.ID, t0)
	me := u.Actor("192.0.2.7")

	if err := s.ChangePassword(ctx, me, "erin", "wrong current one", "violet canyon drum", t0); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("wrong current password: %v", err)
	}
	if e := lastEvent(t, s); e.Action != ActionSignInFailed || e.Username != "erin" || e.RemoteAddr != "192.0.2.7" {
		t.Errorf("a wrong current password audited as %+v", e)
	}
	err := s.ChangePassword(ctx, me, "erin", "granite pebble harbour", "granite pebble harbour", t0)
	wantValidation(t, err, "password", "differ")
	err = s.ChangePassword(ctx, me, "erin", "granite pebble harbour", "short pass", t0)
	wantValidation(t, err, "password", "at least 12")

	if err := s.ChangePassword(ctx, me, "erin", "granite pebble harbour", "violet canyon drum", t0); err != nil {
		t.Fatal(err)
	}
	got, _ := s.UserByUsername(ctx, "erin")
	if got.MustChangePassword {
		t.Error("after the change the user must still choose a new password")
	}
	if _, _, err := s.LookupSession(ctx, token, t0); !errors.Is(err, ErrNoSession) {
		t.Errorf("the session from before the change still works: %v", err)
	}
	if _, err := s.Authenticate(ctx, Attempt{Username: "erin", Password: "violet canyon drum", At: t0}); err != nil {
		t.Errorf("the new password: %v", err)
	}
	e := lastEvent(t, s)
	if e.Action != ActionSignIn {
		t.Errorf("last event %+v", e)
	}
	events, _ := s.AuditLog(ctx, 2, 0)
	if c := events[1]; c.Action != ActionPasswordChanged || c.Username != "erin" || c.Role != RoleAdmin || c.RemoteAddr != "192.0.2.7" {
		t.Errorf("change audited as %+v", c)
	}
}
