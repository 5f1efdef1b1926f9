package accounts

import (
	"errors"
	"reflect"
	"testing"
)

func TestEnsureDemoUsers(t *testing.T) {
	s, db := mustOpenStore(t)
	got, err := s.EnsureDemoUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []DemoAccount{
		{Username: "demo-commissioner", Password: "demo-commissioner", DisplayName: "Demo commissioner", Role: RoleCommissioner},
		{Username: "demo-service-lead", Password: "demo-service-lead", DisplayName: "Demo service lead", Role: RoleServiceLead},
		// F83004 comes before F83010.
		{Username: "demo-practice", Password: "demo-practice", DisplayName: "Demo practice user", Role: RolePractice, PracticeCode: "F83004"},
		{Username: "demo-admin", Password: "demo-admin", DisplayName: "Demo administrator", Role: RoleAdmin},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("EnsureDemoUsers =\n%+v\nwant\n%+v", got, want)
	}
	users, _ := s.ListUsers(ctx)
	for _, u := range users {
		if !u.Demo {
			t.Errorf("%s is not flagged demo", u.Username)
		}
	}
	for _, d := range got {
		u, err := s.Authenticate(ctx, Attempt{Username: d.Username, Password: d.Password, At: t0})
		if err != nil || u.Role != d.Role || u.PracticeCode != d.PracticeCode {
			t.Errorf("signing in as %s: %+v, %v", d.Username, u, err)
		}
	}

	// Again: nothing new, the same list.
	again, err := s.EnsureDemoUsers(ctx)
	if err != nil || !reflect.DeepEqual(again, want) {
		t.Errorf("second call: %+v, %v", again, err)
	}
	var n int
	db.QueryRow(`SELECT count(*) FROM users`).Scan(&n)
	if n != 4 {
		t.Errorf("%d users after two calls, want 4", n)
	}

	// A disabled demo account is neither revived nor listed.
	if err := s.DisableUser(ctx, cli, "demo-admin"); err != nil {
		t.Fatal(err)
	}
	if again, _ := s.EnsureDemoUsers(ctx); len(again) != 3 {
		t.Errorf("with demo-admin disabled: %+v", again)
	}
}

// TestDemoUsersOnlyWhereEnabled: the published demo passwords open nothing
// through a Store that was not asked for demo accounts, e.g. a server given
// a real database that started life as the sample.
func TestDemoUsersOnlyWhereEnabled(t *testing.T) {
	demo, db := mustOpenStore(t)
	if _, err := demo.EnsureDemoUsers(ctx); err != nil {
		t.Fatal(err)
	}
	u, _ := demo.Authenticate(ctx, Attempt{Username: "demo-admin", Password: "demo-admin", At: t0})
	token, _, err := demo.CreateSession(ctx, u.ID, t0)
	if err != nil {
		t.Fatal(err)
	}

	real := New(db)
	if _, err := real.Authenticate(ctx, Attempt{Username: "demo-admin", Password: "demo-admin", At: t0}); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("demo sign-in without EnsureDemoUsers: %v, want ErrBadCredentials", err)
	}
	if _, _, err := real.LookupSession(ctx, token, t0); !errors.Is(err, ErrNoSession) {
		t.Errorf("demo session without EnsureDemoUsers: %v, want ErrNoSession", err)
	}
}

func TestEnsureDemoUsersWithoutPractices(t *testing.T) {
	s, db := mustOpenStore(t)
	mustExec(t, db, `DELETE FROM practices`)
	got, err := s.EnsureDemoUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range got {
		if d.Role == RolePractice {
			t.Errorf("a practice demo user without practices: %+v", d)
		}
	}
	if len(got) != 3 {
		t.Errorf("%d demo accounts, want 3", len(got))
	}
}

func TestRoles(t *testing.T) {
	for in, want := range map[string]Role{
		"commissioner": RoleCommissioner, " Commissioner ": RoleCommissioner,
		"service_lead": RoleServiceLead, "service-lead": RoleServiceLead, "Service lead": RoleServiceLead,
		"practice": RolePractice, "ADMIN": RoleAdmin,
	} {
		if got, err := ParseRole(in); err != nil || got != want {
			t.Errorf("ParseRole(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "administrator", "practice user", "service__lead"} {
		_, err := ParseRole(in)
		wantValidation(t, err, "role", "is not a role")
	}
	for _, r := range Roles() {
		if !r.Valid() || r.Label() == string(r) {
			t.Errorf("role %q: valid %v, label %q", r, r.Valid(), r.Label())
		}
	}
	if Role("Admin").Valid() || Role("").Valid() {
		t.Error("a role outside Roles is valid")
	}
}

// TestWhoSeesWorkLists is the disclosure rule for identifiable work lists:
// only users of that very practice.
func TestWhoSeesWorkLists(t *testing.T) {
	cases := []struct {
		u    User
		code string
		want bool
	}{
		{User{Role: RolePractice, PracticeCode: "F83004"}, "F83004", true},
		{User{Role: RolePractice, PracticeCode: "F83004"}, "f83004", true},
		{User{Role: RolePractice, PracticeCode: "F83004"}, "F83010", false},
		{User{Role: RolePractice, PracticeCode: "F83004", Disabled: true}, "F83004", false},
		{User{Role: RolePractice}, "", false},
		{User{Role: RoleCommissioner}, "F83004", false},
		{User{Role: RoleServiceLead}, "F83004", false},
		{User{Role: RoleAdmin}, "F83004", false},
		{User{Role: RoleAdmin, PracticeCode: "F83004"}, "F83004", false},
	}
	for _, c := range cases {
		if got := c.u.CanSeeWorkList(c.code); got != c.want {
			t.Errorf("%+v sees %s's work lists: %v, want %v", c.u, c.code, got, c.want)
		}
	}
	if !RoleAdmin.CanManageUsers() || RoleCommissioner.CanManageUsers() || RolePractice.CanLoadData() || !RoleServiceLead.CanLoadData() {
		t.Error("role capabilities")
	}
}
