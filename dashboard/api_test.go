package dashboard

import (
	"context"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"github.com/uptake-nhs/uptake/accounts"
	"github.com/uptake-nhs/uptake/queries"
)

// roleClients signs in one client per kind of access: the commissioner
// for aggregates, the service lead for the Data page's sources, and the
// user of practice F83010 for its work lists.
type roleClients struct {
	commissioner, serviceLead, practice *client
}

func signInRoles(t *testing.T, ts *testServer) roleClients {
	return roleClients{ts.as(t, userCommissioner), ts.as(t, userServiceLead), ts.as(t, userPractice2)}
}

// forSource is the client allowed to read source name.
func (r roleClients) forSource(name string) *client {
	switch name {
	case "followup-worklist", "coding-worklist":
		return r.practice
	case "loads", "data-quality", "rejected-rows":
		return r.serviceLead
	}
	return r.commissioner
}

// practiceViewer is a request context as practice F83010's user, for
// tests that call sources directly.
func practiceViewer(t *testing.T) context.Context {
	return context.WithValue(t.Context(), viewerCtxKey{}, &viewer{user: accounts.User{Role: accounts.RolePractice, PracticeCode: "F83010"}})
}

func TestEverySourceAnswersJSONWithFilters(t *testing.T) {
	ts, store := newTestServer(t)
	clients := signInRoles(t, ts)
	want := queries.Filter{From: "2025Q4", To: "2026Q2", PCN: "South", Practice: "F83010", Mode: "online", Language: "Turkish", Referrer: "GP", Channel: "text message"}
	for _, src := range testSite.sources {
		res, body := clients.forSource(src.Name).get(t, ts.URL+"/api/"+src.Name+"?"+want.Query().Encode())
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/json; charset=utf-8" {
			t.Errorf("%s: %d %s %s", src.Name, res.StatusCode, res.Header.Get("Content-Type"), body)
			continue
		}
		if strings.Contains(body, "<script>") {
			t.Errorf("%s: unescaped markup in JSON", src.Name)
		}
		// Work lists take only the practice; the practice trends end by
		// asking for the borough (no network or practice).
		borough := want
		borough.PCN, borough.Practice = "", ""
		if got := store.lastFilter(t); got != want && got != (queries.Filter{Practice: want.Practice}) && got != borough {
			t.Errorf("%s: store got filter %+v, want %+v", src.Name, got, want)
		}
	}
}

func TestWorkListNeedsPractice(t *testing.T) {
	ts, _ := newTestServer(t)
	res, body := ts.as(t, userPractice).get(t, ts.URL+"/api/followup-worklist")
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "choose a practice") {
		t.Errorf("%d %s", res.StatusCode, body)
	}
}

func TestBadFilterOnAPIIsJSON400(t *testing.T) {
	ts, _ := newTestServer(t)
	res, body := ts.as(t, userCommissioner).get(t, ts.URL+"/api/followup?channel=pigeon")
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Header.Get("Content-Type"), "application/json") ||
		!strings.Contains(body, "must be one of: letter") {
		t.Errorf("%d %s %s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
}

// TestDownloadEqualsTable checks that every view's CSV has the table's
// header and as many rows as the table on the page.
func TestDownloadEqualsTable(t *testing.T) {
	ts, store := newTestServer(t)
	clients := signInRoles(t, ts)
	f := queries.Filter{PCN: "South", Practice: "F83010"}
	for _, v := range testSite.views {
		c := clients.forSource(v.Source.Name)
		res, body := c.get(t, ts.URL+"/download/"+v.Name+".csv?"+f.Query().Encode())
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
			!strings.Contains(res.Header.Get("Content-Disposition"), "uptake-"+v.Name+".csv") {
			t.Errorf("%s: %d %q %q", v.Name, res.StatusCode, res.Header.Get("Content-Type"), body)
			continue
		}
		records, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", v.Name, err)
		}
		res2 := &results{store: store}
		result, err := res2.get(practiceViewer(t), v.Source, f)
		if err != nil {
			t.Fatal(err)
		}
		table := v.table(result, linker{filter: f})
		if len(records) != len(table.Rows)+1 || len(records[0]) != len(table.Columns) {
			t.Errorf("%s: CSV has %d lines of %d fields, table %d rows of %d columns", v.Name, len(records), len(records[0]), len(table.Rows), len(table.Columns))
		}
		res, _ = c.get(t, ts.URL+"/download/"+v.Name+".xlsx?"+f.Query().Encode())
		if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Type"), "spreadsheetml") {
			t.Errorf("%s xlsx: %d", v.Name, res.StatusCode)
		}
	}
	res, _ := clients.commissioner.get(t, ts.URL+"/download/followup-practices.pdf")
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown format: %d", res.StatusCode)
	}
}

func TestPagesListRegisteredViews(t *testing.T) {
	for _, p := range testSite.pages {
		for _, v := range p.Views {
			if _, ok := testSite.view(v.Name); !ok {
				t.Errorf("page %s lists unknown view %q", p.Name, v.Name)
			}
		}
	}
	seen := map[string]bool{}
	for _, v := range testSite.views {
		if seen[v.Name] {
			t.Errorf("two views are named %q", v.Name)
		}
		seen[v.Name] = true
	}
}

// TestCourseListHasItsOwnSource checks that only the list of courses reads
// the per-course source, which is slow at England scale; the grouped fill
// views read the grouped one.
func TestCourseListHasItsOwnSource(t *testing.T) {
	for name, want := range map[string]string{"fill-courses": "course-fills", "fill-venues": "fill-rates", "fill-slots": "fill-rates"} {
		got := ""
		if v, ok := testSite.view(name); ok {
			got = v.Source.Name
		}
		if got != want {
			t.Errorf("view %s reads %q, want %q", name, got, want)
		}
	}
	v, _ := testSite.view("fill-courses")
	r, err := newFakeStore().CourseFills(context.Background(), queries.Filter{}, queries.CoursePage{Limit: queries.DefaultCourseLimit})
	if err != nil {
		t.Fatal(err)
	}
	table := v.table(r, linker{})
	if len(table.Rows) != 1 || table.Rows[0][0].Display() != "C-1" {
		t.Errorf("rows = %v, want the one course that ran, C-1", table.Rows)
	}
	if len(table.Notes) != 1 || !strings.HasPrefix(table.Notes[0], "1 courses were cancelled") {
		t.Errorf("notes = %q, want the one cancelled course counted", table.Notes)
	}
}
