package main

import (
	"context"
	"html"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uptake-nhs/uptake/accounts"
)

// wrongFolder copies the last sample quarter's files into a folder named
// for the quarter after it: every dated row falls outside the folder's
// quarter.
func wrongFolder(t *testing.T) string {
	t.Helper()
	quarters := sampleQuarters(t)
	dir := filepath.Join(t.TempDir(), "2026Q4")
	if err := os.CopyFS(dir, os.DirFS(quarters[len(quarters)-1])); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestIngestOverCeilingRefusedThenAccepted: `uptake ingest` refuses the
// 2026Q3 files in a folder named 2026Q4, failing and changing nothing;
// with --accept-rejections it loads them, and the audit log says so.
func TestIngestOverCeilingRefusedThenAccepted(t *testing.T) {
	quarters := sampleQuarters(t)
	db := filepath.Join(t.TempDir(), "ceiling.duckdb")
	mustRunMain(t, append([]string{"ingest", "--db", db}, quarters...)...)
	before := tableCounts(t, db)
	dir := wrongFolder(t)

	_, stderr, err := runMain(t, "ingest", "--db", db, dir)
	if err == nil || !strings.Contains(stderr, "quarter 2026Q4 refused") || !strings.Contains(stderr, "courses.csv column first_session_date: wrong_quarter") ||
		!strings.Contains(stderr, "in 2026Q3") || !strings.Contains(stderr, "--accept-rejections") {
		t.Fatalf("err %v; stderr:\n%s", err, stderr)
	}
	if after := tableCounts(t, db); !equalCounts(after, before) {
		t.Fatalf("the refused quarter changed the database:\n%v\n%v", before, after)
	}

	out := mustRunMain(t, "ingest", "--db", db, "--accept-rejections", dir)
	if !strings.Contains(out, "2026Q4 loaded") || !strings.Contains(out, "Loaded although over the rejection ceiling") {
		t.Errorf("accepted load:\n%s", out)
	}
	withAccounts(t, db, func(s *accounts.Store) {
		events, err := s.AuditLog(context.Background(), 10, 0)
		if err != nil {
			t.Fatal(err)
		}
		var refused, accepted bool
		for _, e := range events {
			refused = refused || e.Action == accounts.ActionLoad && strings.Contains(e.Detail, "folder 2026Q4: refused for its rejected rows (courses.csv wrong_quarter")
			accepted = accepted || e.Action == accounts.ActionLoad && strings.HasPrefix(e.Detail, "2026Q4 from folder 2026Q4: loaded") &&
				strings.Contains(e.Detail, "accepted over the rejection ceiling: courses.csv wrong_quarter")
		}
		if !refused || !accepted {
			t.Errorf("the refusal (%v) and the acceptance (%v) are not both in the audit log: %+v", refused, accepted, events)
		}
	})
}

// TestUploadOverCeiling hands the same folder to a running server and
// uploads it on the Data page: it is refused with the reasons and the box
// to load it anyway; ticked, the quarter loads, audited as the service
// lead's.
func TestUploadOverCeiling(t *testing.T) {
	quarters := sampleQuarters(t)
	db := filepath.Join(t.TempDir(), "live.duckdb")
	mustRunMain(t, append([]string{"ingest", "--db", db}, quarters...)...)
	addUserAs(t, db, "lead", "a long test password", accounts.RoleServiceLead)
	srv := startServer(t, t.TempDir(), "--db", db)
	srv.signIn(t, "lead", "a long test password")
	dir := wrongFolder(t)

	// Handed to the server by `uptake ingest`, it is refused the same way.
	_, stderr, err := runMain(t, "ingest", "--db", db, dir)
	if err == nil || !strings.Contains(stderr, "wrong_quarter") || !strings.Contains(stderr, "--accept-rejections") {
		t.Fatalf("hand-off: err %v; stderr:\n%s", err, stderr)
	}

	resp, page := uploadQuarter(t, srv, dir)
	page = html.UnescapeString(page)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "wrong_quarter") || !strings.Contains(page, "outside_quarter, e.g. courses.csv:2") ||
		!strings.Contains(page, `name="accept_rejections"`) {
		t.Fatalf("upload over the ceiling: %d\n%.3000s", resp.StatusCode, page)
	}
	if got := srv.quarters(t); len(got) != len(quarters) {
		t.Fatalf("after the refused upload the server shows %v", got)
	}
	resp, page = uploadQuarterWith(t, srv, dir, map[string]string{"accept_rejections": "yes"})
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "loaded=2026Q4") {
		t.Fatalf("upload accepting the rejections: %d to %q\n%.2000s", resp.StatusCode, resp.Header.Get("Location"), page)
	}
	srv.stop(t)
	withAccounts(t, db, func(s *accounts.Store) {
		events, err := s.AuditLog(context.Background(), 10, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range events {
			if e.Action == accounts.ActionLoad && e.Username == "lead" && strings.Contains(e.Detail, "accepted over the rejection ceiling") {
				return
			}
		}
		t.Errorf("the accepted upload is not in the audit log as the service lead's: %+v", events)
	})
}
