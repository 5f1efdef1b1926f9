package dashboard

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/uptake-nhs/uptake"
	"github.com/uptake-nhs/uptake/accounts"
	"github.com/uptake-nhs/uptake/queries"
)

func TestEveryRouteIsInTheAccessTable(t *testing.T) {
	ts, _ := newTestServer(t)
	names := map[string]bool{"static": true}
	for _, r := range ts.srv.routes {
		if r.Name == "" {
			t.Errorf("route %s has no name", r.Path)
		}
		if names[r.Name] && r.Name != "static" {
			t.Errorf("two routes are named %q", r.Name)
		}
		names[r.Name] = true
		if _, ok := accessTable[r.Name]; !ok {
			t.Errorf("route %q (%s) is missing from accessTable: it would be refused to everyone", r.Name, r.Path)
		}
	}
	for name := range accessTable {
		if !names[name] {
			t.Errorf("accessTable lists %q, which is no route", name)
		}
	}
}

// TestUnlistedRouteIsRefused checks deny by default: a route missing from
// the access table is refused even to an administrator.
func TestUnlistedRouteIsRefused(t *testing.T) {
	ts, _ := newTestServer(t)
	c := ts.as(t, userAdmin)
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(&http.Cookie{Name: sessionCookiePlain, Value: c.sessionToken(t)})
	ctx, _ := ginTestContext(httptest.NewRecorder())
	ctx.Request = req
	err := ts.srv.guard(ctx, route{Name: "not.in.the.table", Kind: pageRoute})
	if uptake.ErrorCode(err) != uptake.EFORBIDDEN {
		t.Errorf("an unlisted route: guard returned %v, want a forbidden error", err)
	} else if err != error(errRoleForbidden) {
		t.Errorf("an unlisted route: %v", err)
	}
}

// The columns of the authorisation matrix: no session, then one user of
// each role, and a second practice user.
var matrixUsers = []string{"", userCommissioner, userServiceLead, userPractice, userPractice2, userAdmin}

// statuses reads a row of the matrix: the answer expected without a
// session, then for the commissioner, the service lead, the user of
// practice F83004, the user of practice F83010 and the administrator.
func statuses(row string) []int {
	var out []int
	for _, f := range strings.Fields(row) {
		n, err := strconv.Atoi(f)
		if err != nil {
			panic(err)
		}
		out = append(out, n)
	}
	if len(out) != len(matrixUsers) {
		panic("a matrix row needs " + strconv.Itoa(len(matrixUsers)) + " statuses: " + row)
	}
	return out
}

type matrixCase struct {
	route  string // the route name the request exercises
	method string
	path   string
	form   url.Values
	want   string // statuses: none C S P P2 A
}

// Rows of the matrix, written out by hand from issue 5 rather than derived
// from accessTable, so that a wrong entry there fails here.
const (
	rowPublic    = "200 200 200 200 200 200"
	rowPage      = "302 200 200 200 200 200"
	rowAPI       = "401 200 200 200 200 200"
	rowDataPage  = "302 403 200 403 403 200"
	rowDataAPI   = "401 403 200 403 403 200"
	rowAdminPage = "302 403 403 403 403 200"
	// Work lists of F83004: only its own practice user.
	rowOwnList = "401 403 403 200 403 403"
	// Work lists of F83010: its own user; the F83004 user changing the
	// code in the address is refused.
	rowOtherList = "401 403 403 403 200 403"
)

func matrixCases() []matrixCase {
	post := http.MethodPost
	bad := url.Values{"username": {""}}
	wrongPassword := url.Values{"current": {"not my password"}, "new": {"a new password that is long"}, "confirm": {"a new password that is long"}}
	cases := []matrixCase{
		{route: "healthz", path: "/healthz", want: rowPublic},
		{route: "static", path: "/static/uptake.js", want: rowPublic},
		{route: "signin", path: "/signin", want: "200 303 303 303 303 303"},
		{route: "password", path: "/account/password", want: rowPage},
		{route: "password.submit", method: post, path: "/account/password", form: wrongPassword, want: "302 400 400 400 400 400"},
		{route: "admin", path: "/admin", want: rowAdminPage},
		{route: "admin", path: "/admin?audit_page=2", want: rowAdminPage},
		{route: "admin.user.add", method: post, path: "/admin/users", form: bad, want: "302 403 403 403 403 400"},
		{route: "admin.user.disable", method: post, path: "/admin/users/nobody/disable", want: "302 403 403 403 403 400"},
		{route: "admin.user.enable", method: post, path: "/admin/users/nobody/enable", want: "302 403 403 403 403 400"},
		{route: "admin.user.password", method: post, path: "/admin/users/nobody/password", want: "302 403 403 403 403 400"},
		{route: "api.filters", path: "/api/filters", want: rowAPI},
		{route: "overview", path: "/", want: rowPage},
		{route: "overview", path: "/?practice=F83010", want: rowPage},
		{route: "pathway", path: "/pathway", want: rowPage},
		{route: "spc", path: "/spc", want: rowPage},
		{route: "spc", path: "/spc?practice=F83010", want: rowPage},
		{route: "practices", path: "/practices", want: rowPage},
		{route: "nonattenders", path: "/non-attenders?practice=F83010", want: rowPage},
		{route: "venues", path: "/venues", want: rowPage},
		{route: "equity", path: "/equity", want: rowPage},
		{route: "data", path: "/data", want: rowDataPage},
		{route: "data", path: "/data?page=2", want: rowDataPage},
		// An upload without a file: refused (400) for those who may load.
		{route: "data.upload", method: post, path: "/data/upload", want: "302 403 400 403 403 400"},
		// Another practice's page shows its figures to everyone (the lists
		// are checked in TestPracticePageListsOnlyForItsOwnPractice).
		{route: "practice", path: "/practices/F83004", want: rowPage},
		{route: "practice", path: "/practices/F83010", want: rowPage},
		{route: "download", path: "/download/funnel.csv", want: rowAPI},
		{route: "download", path: "/download/followup-practices.xlsx?practice=F83010", want: rowAPI},
		{route: "download", path: "/download/followup-worklist.csv?practice=F83004", want: rowOwnList},
		{route: "download", path: "/download/coding-worklist.xlsx?practice=F83004", want: rowOwnList},
		{route: "download", path: "/download/coding-worklist.csv?practice=f83004", want: rowOwnList},
		{route: "download", path: "/download/followup-worklist.csv?practice=F83010", want: rowOtherList},
		{route: "download", path: "/download/coding-worklist.csv?practice=F83010&pcn=North", want: rowOtherList},
		{route: "download", path: "/download/rejected-rows.csv?page=2", want: rowDataAPI},
		{route: "download", path: "/download/loads.xlsx", want: rowDataAPI},
		{route: "download", path: "/download/no-such-view.csv", want: "401 404 404 404 404 404"},
		// The quarterly reports: the pack for commissioners, service leads
		// and admins; a practice's list for that practice alone, whatever
		// the case of the code in the address.
		{route: "reports.pack", path: "/reports/pack.pdf", want: "302 200 200 403 403 200"},
		{route: "reports.pack", path: "/reports/pack.pdf?quarter=2026Q1", want: "302 200 200 403 403 200"},
		{route: "reports.pack.xlsx", path: "/reports/pack-practices.xlsx", want: "302 200 200 403 403 200"},
		{route: "reports.practice", path: "/reports/practice/F83004.xlsx", want: "302 403 403 200 403 403"},
		{route: "reports.practice", path: "/reports/practice/F83004.pdf?quarter=2026Q2", want: "302 403 403 200 403 403"},
		{route: "reports.practice", path: "/reports/practice/f83004.pdf", want: "302 403 403 200 403 403"},
		{route: "reports.practice", path: "/reports/practice/F83010.pdf", want: "302 403 403 403 200 403"},
		{route: "reports.practice", path: "/reports/practice/F83004.csv", want: "302 403 403 400 403 403"},
		{route: "api.chart", path: "/api/chart/funnel", want: rowAPI},
		{route: "api.chart", path: "/api/chart/data-quality", want: rowDataAPI},
		// Work lists have no chart: their own user learns that (404).
		{route: "api.chart", path: "/api/chart/followup-worklist?practice=F83004", want: "401 403 403 404 403 403"},
		// A practice repeated is a bad filter for those who may ask at all.
		{route: "api.followup-worklist", path: "/api/followup-worklist?practice=F83004&practice=F83010", want: "401 403 403 400 400 403"},
		{route: "api.coding-worklist", path: "/api/coding-worklist?practice=F83010", want: rowOtherList},
	}
	for _, src := range testSite.sources {
		c := matrixCase{route: "api." + src.Name, path: "/api/" + src.Name, want: rowAPI}
		switch {
		case src.Name == "followup-worklist" || src.Name == "coding-worklist":
			c.path += "?practice=F83004"
			c.want = rowOwnList
		case src.practice:
			c.path += "?practice=F83004"
		case src.Name == "loads" || src.Name == "data-quality" || src.Name == "rejected-rows":
			c.want = rowDataAPI
		}
		cases = append(cases, c)
	}
	return cases
}

// TestAuthorisationMatrix asks every route (with sample parameters) as
// every role and without a session, and checks each answer's status.
func TestAuthorisationMatrix(t *testing.T) {
	ts, _ := newTestServerWith(t, Options{SignInAttemptsPerMinute: 1000, Loads: &fakeLoader{}, PDF: fetchPrinter{}})
	clients := map[string]*client{"": newClient(t, ts.URL)}
	for _, u := range matrixUsers[1:] {
		clients[u] = ts.as(t, u)
	}
	cases := matrixCases()
	// Signing out ends the session, so each role signs out with a
	// client of its own.
	cases = append(cases, matrixCase{route: "signout", method: http.MethodPost, path: "/signout", want: "302 303 303 303 303 303"})
	cases = append(cases, matrixCase{route: "signin.submit", method: http.MethodPost, path: "/signin", want: "401 401 401 401 401 401"})

	covered := map[string]bool{}
	for _, tc := range cases {
		covered[tc.route] = true
		want := statuses(tc.want)
		method := tc.method
		if method == "" {
			method = http.MethodGet
		}
		for i, user := range matrixUsers {
			c := clients[user]
			var res *http.Response
			var body string
			switch {
			case tc.route == "signout" && user != "":
				c = ts.as(t, user)
				res, body = c.post(t, ts.URL+tc.path, nil)
			case tc.route == "signin.submit":
				// Signing in needs no session: a wrong password through
				// the form is 401 in every column (the sign-in tests
				// cover the rest), each from an address of its own, so
				// that the throttle of wrong passwords stays out of it.
				c = newClientFrom(t, ts.URL, "127.0.0."+strconv.Itoa(100+i))
				_, page := c.get(t, ts.URL+"/signin")
				m := csrfInputRE.FindStringSubmatch(page)
				res, body = c.postForm(t, ts.URL+tc.path, url.Values{"csrf": {m[1]}, "username": {userCommissioner}, "password": {"wrong"}})
			case method == http.MethodPost && user == "":
				res, body = c.postForm(t, ts.URL+tc.path, tc.form)
			case method == http.MethodPost:
				form := url.Values{}
				for k, v := range tc.form {
					form[k] = v
				}
				res, body = c.post(t, ts.URL+tc.path, form)
			default:
				res, body = c.get(t, ts.URL+tc.path)
			}
			who := user
			if who == "" {
				who = "no session"
			}
			if res.StatusCode != want[i] {
				t.Errorf("%s %s as %s: status %d, want %d\n%.300s", method, tc.path, who, res.StatusCode, want[i], body)
				continue
			}
			switch res.StatusCode {
			case http.StatusFound:
				if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, "/signin") {
					t.Errorf("%s %s as %s: redirected to %q, want the sign-in page", method, tc.path, who, loc)
				}
			case http.StatusUnauthorized, http.StatusForbidden:
				if tc.route != "signin.submit" && (strings.Contains(body, "P-2") || strings.Contains(body, "R-F83")) {
					t.Errorf("%s %s as %s: a refusal shows work-list rows", method, tc.path, who)
				}
			}
		}
	}
	for _, r := range ts.srv.routes {
		if !covered[r.Name] {
			t.Errorf("the matrix does not ask route %q (%s)", r.Name, r.Path)
		}
	}

	// Changing the practice in the address is refused and audited, with
	// who asked, for what, and from where.
	var found bool
	for _, e := range ts.accounts.eventsOf(actionAccessDenied) {
		if e.Username == userPractice && strings.Contains(e.Detail, "work list of F83010") && e.RemoteAddr == "127.0.0.1" {
			found = true
		}
	}
	if !found {
		t.Errorf("no audit event for the F83004 user asking for F83010's work list (%d refusals audited)", len(ts.accounts.eventsOf(actionAccessDenied)))
	}
}

func TestPracticePageListsOnlyForItsOwnPractice(t *testing.T) {
	ts, _ := newTestServer(t)
	lists := []string{`id="panel-followup-worklist"`, `id="panel-coding-worklist"`, "/api/followup-worklist", "/download/coding-worklist.csv"}
	for _, tc := range []struct {
		user, path string
		shows      bool
	}{
		{userPractice, "/practices/F83004", true},
		{userPractice, "/practices/f83004", false}, // not a practice code: 404
		{userPractice, "/practices/F83010", false},
		{userPractice, "/practices/F83010?practice=F83004", false},
		{userPractice2, "/practices/F83010", true},
		{userCommissioner, "/practices/F83004", false},
		{userServiceLead, "/practices/F83004", false},
		{userAdmin, "/practices/F83004", false},
	} {
		res, body := ts.as(t, tc.user).get(t, ts.URL+tc.path)
		for _, l := range lists {
			if strings.Contains(body, l) != tc.shows {
				t.Errorf("%s as %s (%d): shows %q = %v, want %v", tc.path, tc.user, res.StatusCode, l, !tc.shows, tc.shows)
			}
		}
		if res.StatusCode == http.StatusOK && !tc.shows && !strings.Contains(body, "shown only to the practice&#39;s own staff") {
			t.Errorf("%s as %s: no note saying why the lists are missing", tc.path, tc.user)
		}
	}
}

// TestWorkListSourcesCheckTheUserToo calls the work-list sources directly,
// past authorize, as the second line of defence.
func TestWorkListSourcesCheckTheUserToo(t *testing.T) {
	store := newFakeStore()
	for _, tc := range []struct {
		name string
		v    *viewer
		ok   bool
	}{
		{"no user", nil, false},
		{"commissioner", &viewer{user: accounts.User{Role: accounts.RoleCommissioner}}, false},
		{"admin", &viewer{user: accounts.User{Role: accounts.RoleAdmin}}, false},
		{"other practice", &viewer{user: accounts.User{Role: accounts.RolePractice, PracticeCode: "F83004"}}, false},
		{"disabled own practice", &viewer{user: accounts.User{Role: accounts.RolePractice, PracticeCode: "F83010", Disabled: true}}, false},
		{"own practice", &viewer{user: accounts.User{Role: accounts.RolePractice, PracticeCode: "F83010"}}, true},
	} {
		ctx := t.Context()
		if tc.v != nil {
			ctx = context.WithValue(ctx, viewerCtxKey{}, tc.v)
		}
		for _, src := range []string{"followup-worklist", "coding-worklist"} {
			res := &results{store: store}
			_, err := res.get(ctx, sourceNamed(src), queries.Filter{Practice: "F83010"})
			if (err == nil) != tc.ok {
				t.Errorf("%s as %s: err %v", src, tc.name, err)
			}
			if err != nil && !strings.Contains(fmt.Sprint(err), "only to that practice") {
				t.Errorf("%s as %s: %v", src, tc.name, err)
			}
		}
	}
}

func TestNavigationListsOnlyPagesTheRoleMayOpen(t *testing.T) {
	ts, _ := newTestServer(t)
	for user, want := range map[string][]string{
		userCommissioner: {"/pathway"},
		userServiceLead:  {"/pathway", "/data"},
		userPractice:     {"/pathway", "/practices/F83004\">Your practice"},
		userAdmin:        {"/pathway", "/data", "/admin"},
	} {
		_, body := ts.as(t, user).get(t, ts.URL+"/")
		for _, href := range []string{"/data", "/admin", "Your practice"} {
			if strings.Contains(body, `href="`+href) && !slices.ContainsFunc(want, func(w string) bool { return strings.HasPrefix(w, href) }) {
				t.Errorf("%s sees a link to %s", user, href)
			}
		}
		for _, w := range want {
			if !strings.Contains(body, `href="`+w) && !strings.Contains(body, w) {
				t.Errorf("%s lacks a link to %s", user, w)
			}
		}
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"":                              "/",
		"/":                             "/",
		"/practices/F83004?from=Q":      "/practices/F83004?from=Q",
		"/venues?from=2025Q4#x":         "/venues?from=2025Q4",
		"//evil.example/":               "/",
		"/\\evil.example":               "/",
		"https://evil.example/":         "/",
		"javascript:alert(1)":           "/",
		"evil.example":                  "/",
		"/signin?next=/x":               "/",
		"/signout":                      "/",
		"/%0d%0aSet-Cookie:x":           "/%0d%0aSet-Cookie:x",
		"/a\r\nLocation: //evil":        "/",
		"/" + strings.Repeat("a", 3000): "/",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}
