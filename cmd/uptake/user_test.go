package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uptake-nhs/uptake/accounts"
	"github.com/uptake-nhs/uptake/db"
)

// runWithInput runs uptake in-process like runMain, with stdin as its
// standard input.
func runWithInput(tb testing.TB, stdin string, args ...string) (stdout, stderr string, err error) {
	tb.Helper()
	var out, errOut bytes.Buffer
	m := &Main{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut}
	ctx := context.Background()
	err = m.ParseFlags(ctx, args)
	if err == nil {
		err = m.Run(ctx)
	}
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	return out.String(), errOut.String(), err
}

func mustRunWithInput(tb testing.TB, stdin string, args ...string) string {
	tb.Helper()
	out, errOut, err := runWithInput(tb, stdin, args...)
	if err != nil {
		tb.Fatalf("uptake %s: %v\n%s\n%s", strings.Join(args, " "), err, out, errOut)
	}
	return out
}

// mustPracticeDB makes a database that knows practices F83004 and F83010.
func mustPracticeDB(tb testing.TB) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "users.duckdb")
	conn, err := db.Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Exec(`INSERT INTO practices (quarter, practice_code, practice_name, pcn, list_size, t2d_register) VALUES
		('2026Q2', 'F83004', 'Roman Way Medical Practice', 'Parkside PCN', 4010, 172),
		('2026Q2', 'F83010', 'Blackstock Surgery', 'Highfield PCN', 16000, 770)`); err != nil {
		tb.Fatal(err)
	}
	return path
}

// withAccounts opens the database file and passes its account store to fn.
func withAccounts(tb testing.TB, path string, fn func(*accounts.Store)) {
	tb.Helper()
	db, err := sql.Open("duckdb", path)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	fn(accounts.New(db))
}

func TestUserAddListDisableReset(t *testing.T) {
	db := mustPracticeDB(t)
	out := mustRunWithInput(t, "granite pebble harbour\n", "user", "add", "--db", db, "--username", "Alice", "--role", "admin", "--name", "Alice Admin")
	if want := "Added alice: administrator.\n"; out != want {
		t.Errorf("add admin printed %q, want %q", out, want)
	}
	out = mustRunWithInput(t, "violet canyon drum\r\n", "user", "add", "--db", db, "--username", "bob", "--role", "Practice", "--practice", "f83010")
	if want := "Added bob: practice user of F83010.\n"; out != want {
		t.Errorf("add practice user printed %q, want %q", out, want)
	}

	out = mustRunMain(t, "user", "list", "--db", db)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "USERNAME") ||
		strings.Join(strings.Fields(lines[1]), " ") != "alice admin - active never Alice Admin" ||
		strings.Join(strings.Fields(lines[2]), " ") != "bob practice F83010 active never bob" {
		t.Errorf("list:\n%s", out)
	}

	// The username may come before the flags.
	if out := mustRunMain(t, "user", "disable", "bob", "--db", db); !strings.Contains(out, "Disabled bob") {
		t.Errorf("disable printed %q", out)
	}
	if out := mustRunMain(t, "user", "list", "--db", db); !strings.Contains(out, "disabled") {
		t.Errorf("list after disable:\n%s", out)
	}
	mustRunMain(t, "user", "enable", "--db", db, "bob")
	out = mustRunWithInput(t, "meadow lantern quartz\n", "user", "reset", "--db", db, "BOB")
	if !strings.Contains(out, "Reset the password of bob") {
		t.Errorf("reset printed %q", out)
	}
	if out := mustRunMain(t, "user", "list", "--db", db); !strings.Contains(out, "active, must change password") {
		t.Errorf("list after reset:\n%s", out)
	}

	actor := cliActor("cli").Username
	withAccounts(t, db, func(s *accounts.Store) {
		for pw, want := range map[string]error{"violet canyon drum": accounts.ErrBadCredentials, "meadow lantern quartz": nil} {
			u, err := s.Authenticate(context.Background(), accounts.Attempt{Username: "bob", Password: pw})
			if !errors.Is(err, want) || (err == nil && !u.MustChangePassword) {
				t.Errorf("bob with %q: %v, must change %v; want %v", pw, err, u.MustChangePassword, want)
			}
		}
		events, err := s.AuditLog(context.Background(), 100, 0)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for i := len(events) - 1; i >= 0; i-- {
			e := events[i]
			if e.Username == actor && e.RemoteAddr == "cli" {
				got = append(got, string(e.Action)+": "+e.Detail)
			}
		}
		want := []string{
			"user_added: added alice as admin",
			"user_added: added bob as practice of F83010",
			"user_disabled: disabled bob",
			"user_enabled: enabled bob",
			"password_reset: reset the password of bob",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("audit log by %s:\n%s\nwant\n%s", actor, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}

func TestUserErrors(t *testing.T) {
	db := mustPracticeDB(t)
	mustRunWithInput(t, "granite pebble harbour\n", "user", "add", "--db", db, "--username", "carol", "--role", "commissioner")
	cases := []struct {
		stdin string
		args  []string
		usage bool   // a usage error, explained on stderr
		want  string // in stderr for usage errors, else in the error
	}{
		{"", []string{"user"}, true, "say what to do"},
		{"", []string{"user", "delete", "--db", db, "carol"}, true, `unknown operation "delete"`},
		{"", []string{"user", "list"}, true, "--db is required"},
		{"", []string{"user", "add", "--db", db, "--role", "admin"}, true, "name the user"},
		{"", []string{"user", "add", "--db", db, "--username", "dan"}, true, "--role is required"},
		{"", []string{"user", "add", "--db", db, "--username", "dan", "--role", "superuser"}, true, `"superuser" is not a role`},
		{"", []string{"user", "add", "--db", db, "--username", "dan", "--role", "practice"}, true, "needs --practice"},
		{"", []string{"user", "disable", "--db", db}, true, "name the user"},
		{"", []string{"user", "disable", "--db", db, "carol", "dan"}, true, `unexpected argument "dan"`},
		{"", []string{"user", "list", "--db", db, "carol"}, true, "takes no username"},
		{"granite pebble harbour\n", []string{"user", "add", "--db", db, "--username", "dan", "--role", "practice", "--practice", "Y99999"}, false, "No practice Y99999"},
		{"granite pebble harbour\n", []string{"user", "add", "--db", db, "--username", "dan", "--role", "commissioner", "--practice", "F83004"}, false, "Only practice users"},
		{"Password123!\n", []string{"user", "add", "--db", db, "--username", "dan", "--role", "admin"}, false, "too easy to guess"},
		{"short\n", []string{"user", "add", "--db", db, "--username", "dan", "--role", "admin"}, false, "at least 12 characters"},
		{"", []string{"user", "add", "--db", db, "--username", "dan", "--role", "admin"}, false, "no password on standard input"},
		{"granite pebble harbour\n", []string{"user", "add", "--db", db, "--username", "Carol", "--role", "admin"}, false, `there is already a user "carol"`},
		{"", []string{"user", "disable", "--db", db, "zed"}, false, `no user "zed"`},
		{"granite pebble harbour\n", []string{"user", "reset", "--db", db, "zed"}, false, `no user "zed"`},
		{"", []string{"user", "list", "--db", filepath.Join(t.TempDir(), "typo.duckdb")}, false, "no database at"},
	}
	for _, c := range cases {
		out, stderr, err := runWithInput(t, c.stdin, c.args...)
		name := strings.Join(c.args, " ")
		switch {
		case c.usage && (!errors.Is(err, errUsage) || !strings.Contains(stderr, c.want)):
			t.Errorf("uptake %s: err %v, stderr %q; want a usage error saying %q", name, err, stderr, c.want)
		case !c.usage && (err == nil || errors.Is(err, errUsage) || !strings.Contains(err.Error(), c.want)):
			t.Errorf("uptake %s: err %v (stdout %q); want an error saying %q", name, err, out, c.want)
		}
	}
	// Nothing was added by the refused commands.
	out := mustRunMain(t, "user", "list", "--db", db)
	if n := strings.Count(out, "\n"); n != 2 || !strings.Contains(out, "carol") {
		t.Errorf("after the refused commands:\n%s", out)
	}
}

// TestUserHandOffToServer changes users while a server holds the
// database: the CLI hands the change over the control socket, and the
// server makes it and audits it.
func TestUserHandOffToServer(t *testing.T) {
	db := mustPracticeDB(t)
	srv := startServer(t, t.TempDir(), "--db", db)

	_, stderr, err := runWithInput(t, "granite pebble harbour\n", "user", "add", "--db", db, "--username", "erin", "--role", "service_lead")
	if err != nil || !strings.Contains(stderr, "handing the change to it") {
		t.Fatalf("add through the server: %v\n%s", err, stderr)
	}
	out := mustRunMain(t, "user", "list", "--db", db)
	if !strings.Contains(out, "erin") || !strings.Contains(out, "service_lead") {
		t.Errorf("list through the server:\n%s", out)
	}
	if _, _, err := runWithInput(t, "Password123!\n", "user", "reset", "--db", db, "erin"); err == nil || !strings.Contains(err.Error(), "too easy to guess") {
		t.Errorf("weak password through the server: %v", err)
	}
	// The server's own check, skipping the CLI's.
	if _, err := handOffUser(context.Background(), db+".sock", userRequest{Op: "reset", Username: "erin", Password: "Password123!"}); err == nil || !strings.Contains(err.Error(), "too easy to guess") {
		t.Errorf("weak password sent straight to the socket: %v", err)
	}
	if _, _, err := runMain(t, "user", "disable", "--db", db, "zed"); err == nil || !strings.Contains(err.Error(), `no user "zed"`) {
		t.Errorf("unknown user through the server: %v", err)
	}
	mustRunMain(t, "user", "disable", "--db", db, "erin")
	srv.stop(t)

	withAccounts(t, db, func(s *accounts.Store) {
		u, err := s.UserByUsername(context.Background(), "erin")
		if err != nil || !u.Disabled || u.Role != accounts.RoleServiceLead {
			t.Errorf("erin after the server stopped: %+v, %v", u, err)
		}
		events, _ := s.AuditLog(context.Background(), 10, 0)
		var got []string
		for _, e := range events {
			if e.RemoteAddr == "control socket" && strings.HasPrefix(e.Username, "cli:") {
				got = append(got, string(e.Action))
			}
		}
		if strings.Join(got, " ") != "user_disabled user_added" {
			t.Errorf("audited through the socket: %v", got)
		}
	})
}

// TestIngestIsAudited: a load from the command line leaves an audit line
// naming the quarter, the outcome and who ran it.
func TestIngestIsAudited(t *testing.T) {
	db := filepath.Join(t.TempDir(), "audit.duckdb")
	first := sampleQuarters(t)[0]
	mustRunMain(t, "ingest", "--db", db, first)
	withAccounts(t, db, func(s *accounts.Store) {
		events, err := s.AuditLog(context.Background(), 10, 0)
		if err != nil || len(events) != 1 {
			t.Fatalf("audit log after one load: %+v, %v", events, err)
		}
		e := events[0]
		q := filepath.Base(first)
		if e.Action != accounts.ActionLoad || e.Username != cliActor("cli").Username || e.RemoteAddr != "cli" ||
			!strings.HasPrefix(e.Detail, q+" from folder "+q+": loaded, ") {
			t.Errorf("load audited as %+v", e)
		}
	})
}
