package dashboard

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptake-nhs/uptake/accounts"
	"github.com/uptake-nhs/uptake/db"
	"github.com/uptake-nhs/uptake/ingest"
	"github.com/uptake-nhs/uptake/queries"
)

// The end-to-end tests run the dashboard over the real store, filled by
// the real loader from ../sample-data. The database is built once per
// test binary, on first use, so that targeted runs of other tests do not
// pay for it; TestMain removes it at the end.

var sampleDir = filepath.Join("..", "sample-data")

var realDB struct {
	once  sync.Once
	dir   string
	db    *sql.DB
	store *queries.Store
	close func()
	err   error
	skip  string
}

func TestMain(m *testing.M) {
	code := m.Run()
	if realDB.close != nil {
		realDB.close()
	}
	if realDB.dir != "" {
		os.RemoveAll(realDB.dir)
	}
	os.Exit(code)
}

// realStore returns the store over the sample data, loading it on first
// call. It skips the test when the sample data are absent.
func realStore(t testing.TB) *queries.Store {
	t.Helper()
	realDB.once.Do(func() {
		if _, err := os.Stat(filepath.Join(sampleDir, "manifest.json")); err != nil {
			realDB.skip = "no sample data (" + sampleDir + "/manifest.json); the end-to-end tests need it"
			return
		}
		ctx := context.Background()
		realDB.dir, realDB.err = os.MkdirTemp("", "uptake-dashboard-e2e-")
		if realDB.err != nil {
			return
		}
		conn, err := db.Open(ctx, filepath.Join(realDB.dir, "sample.duckdb"))
		if err != nil {
			realDB.err = err
			return
		}
		realDB.db = conn
		realDB.close = func() { conn.Close() }
		quarters, err := filepath.Glob(filepath.Join(sampleDir, "20[0-9][0-9]Q[1-4]"))
		if err != nil || len(quarters) == 0 {
			realDB.err = err
			realDB.skip = "no quarter folders in " + sampleDir
			return
		}
		loader := &ingest.Loader{DB: conn}
		for _, dir := range quarters {
			if _, err := loader.LoadQuarter(ctx, dir); err != nil {
				realDB.err = err
				return
			}
		}
		realDB.store, realDB.err = queries.Open(ctx, conn, queries.DefaultConfig())
	})
	if realDB.skip != "" {
		t.Skip(realDB.skip)
	}
	if realDB.err != nil {
		t.Fatalf("building the sample database: %v", realDB.err)
	}
	return realDB.store
}

// realServer is the dashboard over the sample database and the real
// accounts store, with the sample data's demo accounts, as `uptake serve`
// runs it without --db.
type realServer struct {
	*httptest.Server
	srv      *Server
	accounts *accounts.Store
	demo     map[accounts.Role]accounts.DemoAccount
}

// newRealServer starts the dashboard over the sample database on loopback.
func newRealServer(t testing.TB) *realServer {
	t.Helper()
	return newRealServerWith(t, Options{})
}

// newRealServerWith is newRealServer with options (a PDF printer); the
// logger, accounts and demo accounts are the test's.
func newRealServerWith(t testing.TB, opts Options) *realServer {
	t.Helper()
	store := realStore(t)
	acc := accounts.New(realDB.db)
	demo, err := acc.EnsureDemoUsers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	opts.Logger, opts.Accounts, opts.DemoAccounts = slog.New(slog.NewTextHandler(io.Discard, nil)), acc, demo
	srv, err := New(store, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	rs := &realServer{Server: ts, srv: srv, accounts: acc, demo: map[accounts.Role]accounts.DemoAccount{}}
	for _, d := range demo {
		rs.demo[d.Role] = d
	}
	return rs
}

// as returns a client signed in with the demo account of role.
func (rs *realServer) as(t testing.TB, role accounts.Role) *client {
	t.Helper()
	d, ok := rs.demo[role]
	if !ok {
		t.Fatalf("no demo account for %s", role)
	}
	c := newClient(t, rs.URL)
	c.signIn(t, d.Username, d.Password)
	return c
}

// firstPractice is a practice code and network from the loaded data.
func firstPractice(t *testing.T, c *client) (code, pcn string) {
	t.Helper()
	_, body := c.get(t, c.base+"/api/filters")
	var opts queries.FilterOptions
	if err := json.Unmarshal([]byte(body), &opts); err != nil || len(opts.Practices) == 0 {
		t.Fatalf("filters: %v %s", err, body)
	}
	return opts.Practices[0].Code, opts.Practices[0].PCN
}

// TestE2EEveryRouteAnswers200 asks every GET route as a role allowed to
// use it: the practice's own user for its work lists, the service lead for
// the Data page, the commissioner for the rest.
func TestE2EEveryRouteAnswers200(t *testing.T) {
	ts := newRealServer(t)
	commissioner, serviceLead, practice := ts.as(t, accounts.RoleCommissioner), ts.as(t, accounts.RoleServiceLead), ts.as(t, accounts.RolePractice)
	clients := roleClients{commissioner: commissioner, serviceLead: serviceLead, practice: practice}
	// The demo practice user's practice.
	code := ts.demo[accounts.RolePractice].PracticeCode
	type ask struct {
		c    *client
		path string
	}
	var asks []ask
	for _, p := range testSite.pages {
		asks = append(asks, ask{serviceLead, p.Path})
	}
	asks = append(asks, ask{practice, "/practices/" + code}, ask{serviceLead, "/data?page=2"}, ask{commissioner, "/api/filters"},
		ask{commissioner, "/healthz"}, ask{practice, "/account/password"}, ask{ts.as(t, accounts.RoleAdmin), "/admin"})
	for _, src := range testSite.sources {
		q := ""
		if strings.HasSuffix(src.Name, "worklist") || src.practice {
			q = "?practice=" + code
		}
		asks = append(asks, ask{clients.forSource(src.Name), "/api/" + src.Name + q})
	}
	for _, v := range testSite.views {
		q := ""
		if strings.HasSuffix(v.Name, "worklist") || strings.HasPrefix(v.Name, "practice-") {
			q = "?practice=" + code
		}
		c := clients.forSource(v.Source.Name)
		asks = append(asks, ask{c, "/download/" + v.Name + ".csv" + q})
		if v.chart != nil {
			asks = append(asks, ask{c, "/api/chart/" + v.Name + q})
		}
	}
	for _, a := range asks {
		res, body := a.c.get(t, ts.URL+a.path)
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d\n%.500s", a.path, res.StatusCode, body)
		}
	}
}

func TestE2EFiltersReachTheStore(t *testing.T) {
	ts := newRealServer(t)
	sl := ts.as(t, accounts.RoleServiceLead)
	code, pcn := firstPractice(t, sl)
	for _, p := range testSite.pages {
		q := url.Values{"pcn": {pcn}, "practice": {code}, "mode": {"online"}}
		res, body := sl.get(t, ts.URL+p.Path+"?"+q.Encode())
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s with filters: status %d\n%.500s", p.Path, res.StatusCode, body)
		}
	}
}

func TestE2EUnknownPracticeIs400WithTheStoresMessage(t *testing.T) {
	ts := newRealServer(t)
	c := ts.as(t, accounts.RoleCommissioner)
	ctx := context.Background()
	want := realStore(t).CheckFilter(ctx, queries.Filter{Practice: "A12345"})
	fe, ok := want.(*queries.FilterError)
	if !ok {
		t.Fatalf("the store accepts practice A12345 (%v); the test needs a code that is not loaded", want)
	}
	for _, path := range []string{"/?practice=A12345", "/api/trends?practice=A12345", "/download/funnel.csv?practice=A12345", "/api/chart/funnel?practice=A12345"} {
		res, body := c.get(t, ts.URL+path)
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", path, res.StatusCode)
		}
		if !strings.Contains(body, fe.Message) {
			t.Errorf("%s: body lacks the store's message %q:\n%.300s", path, fe.Message, body)
		}
	}
	res, _ := c.get(t, ts.URL+"/practices/A12345")
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("/practices/A12345: status %d, want 404", res.StatusCode)
	}
}

// TestE2EWorkListsOnlyForTheirPractice checks the work-list rule over the
// real accounts store and the sample data, with the demo accounts.
func TestE2EWorkListsOnlyForTheirPractice(t *testing.T) {
	ts := newRealServer(t)
	pr := ts.as(t, accounts.RolePractice)
	own := ts.demo[accounts.RolePractice].PracticeCode
	var opts queries.FilterOptions
	_, body := pr.get(t, ts.URL+"/api/filters")
	if err := json.Unmarshal([]byte(body), &opts); err != nil || len(opts.Practices) < 2 {
		t.Fatalf("filters: %v", err)
	}
	other := opts.Practices[1].Code
	if other == own {
		other = opts.Practices[0].Code
	}

	res, body := pr.get(t, ts.URL+"/api/followup-worklist?practice="+own)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("own work list: %d %.300s", res.StatusCode, body)
	}
	var tasks []queries.FollowUpTask
	if err := json.Unmarshal([]byte(body), &tasks); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/api/followup-worklist?practice=" + other, "/api/coding-worklist?practice=" + other,
		"/download/followup-worklist.csv?practice=" + other, "/download/coding-worklist.xlsx?practice=" + strings.ToLower(other), "/data", "/admin"} {
		if res, _ := pr.get(t, ts.URL+path); res.StatusCode != http.StatusForbidden {
			t.Errorf("practice user, %s: %d, want 403", path, res.StatusCode)
		}
	}
	_, page := pr.get(t, ts.URL+"/practices/"+own)
	_, otherPage := pr.get(t, ts.URL+"/practices/"+other)
	if !strings.Contains(page, `id="panel-followup-worklist"`) || strings.Contains(otherPage, `id="panel-followup-worklist"`) {
		t.Error("the practice page shows work lists to the wrong practice")
	}
	for _, role := range []accounts.Role{accounts.RoleCommissioner, accounts.RoleServiceLead, accounts.RoleAdmin} {
		c := ts.as(t, role)
		for _, path := range []string{"/api/followup-worklist?practice=" + own, "/download/coding-worklist.csv?practice=" + own} {
			if res, _ := c.get(t, ts.URL+path); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s, %s: %d, want 403", role, path, res.StatusCode)
			}
		}
		_, page := c.get(t, ts.URL+"/practices/"+own)
		if strings.Contains(page, `id="panel-coding-worklist"`) {
			t.Errorf("%s sees a practice's work list", role)
		}
	}

	// The real audit log has the practice's fetch, with its row count and
	// no patient's pseudonym.
	events, err := ts.accounts.AuditLog(t.Context(), 1000, 0)
	if err != nil {
		t.Fatal(err)
	}
	var fetched, denied bool
	for _, e := range events {
		if e.Action == accounts.ActionDownload && strings.Contains(e.Detail, "api followup-worklist practice="+own) {
			fetched = strings.Contains(e.Detail, "("+strconv.Itoa(len(tasks))+" rows)")
		}
		denied = denied || (e.Action == actionAccessDenied && strings.Contains(e.Detail, "work list of "+other))
		for _, task := range tasks {
			if strings.Contains(e.Detail, task.PatientID) || strings.Contains(e.Detail, task.ReferralID) {
				t.Errorf("audit event %q holds a pseudonym or referral id", e.Detail)
			}
		}
	}
	if !fetched {
		t.Error("the work list fetch is not in the audit log with its row count")
	}
	if !denied {
		t.Error("the refused request for another practice's work list is not in the audit log")
	}
}

// TestE2EThrottle signs in with the real accounts store: five wrong
// passwords from 127.0.0.2 do not stop the right one from 127.0.0.3, and
// a wrong password for a real user is answered as one for no user at all.
func TestE2EThrottle(t *testing.T) {
	ts := newRealServer(t)
	name := "throttle." + strconv.FormatInt(time.Now().UnixNano(), 36)
	password := "a perfectly good password"
	if _, err := ts.accounts.AddUser(t.Context(), accounts.Actor{Username: "test"}, accounts.NewUser{Username: name, Role: accounts.RoleCommissioner, Password: password}); err != nil {
		t.Fatal(err)
	}
	stranger := newClientFrom(t, ts.URL, "127.0.0.2")
	var first string
	for i := 1; i <= 5; i++ {
		res, body := attempt(t, stranger, name, "wrong password")
		if res.StatusCode != http.StatusUnauthorized && res.StatusCode != http.StatusTooManyRequests {
			t.Errorf("attempt %d: %d", i, res.StatusCode)
		}
		if i == 1 {
			first = reqIDRE.ReplaceAllString(strings.ReplaceAll(body, name, "USER"), "")
		}
	}
	if res, body := attempt(t, newClientFrom(t, ts.URL, "127.0.0.3"), name, password); res.StatusCode != http.StatusSeeOther {
		t.Errorf("right password from another address: %d\n%.400s", res.StatusCode, body)
	}
	res, body := attempt(t, newClientFrom(t, ts.URL, "127.0.0.4"), "no.such.user", "wrong password")
	if got := reqIDRE.ReplaceAllString(strings.ReplaceAll(body, "no.such.user", "USER"), ""); res.StatusCode != http.StatusUnauthorized || got != first {
		t.Errorf("an unknown user is answered %d, and differently from a wrong password", res.StatusCode)
	}
	_, body = get(t, ts.URL+"/signin")
	if !strings.Contains(body, "Demo data — these accounts exist only in the sample database") || !strings.Contains(body, "demo-commissioner") {
		t.Error("the sample database's sign-in page does not list the demo accounts")
	}
}

// TestE2EAdminAddsAPracticeUser goes through the admin page with the real
// accounts store: an administrator adds a practice user, who signs in with
// the temporary password, must choose their own, and then sees their
// practice's work list.
func TestE2EAdminAddsAPracticeUser(t *testing.T) {
	ts := newRealServer(t)
	admin := ts.as(t, accounts.RoleAdmin)
	code := ts.demo[accounts.RolePractice].PracticeCode
	name := "pm." + strconv.FormatInt(time.Now().UnixNano(), 36)
	res, body := admin.post(t, ts.URL+"/admin/users", url.Values{"username": {name}, "display_name": {"Practice Manager"}, "role": {"practice"}, "practice": {code}})
	m := tempPasswordRE.FindStringSubmatch(body)
	if res.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("adding a user: %d\n%.600s", res.StatusCode, body)
	}
	c := newClient(t, ts.URL)
	if res, _ := attempt(t, c, name, m[1]); res.Header.Get("Location") != "/account/password" {
		t.Fatalf("first sign-in: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	res, body = c.post(t, ts.URL+"/account/password", url.Values{"current": {m[1]}, "new": {"granite pebble harbour"}, "confirm": {"granite pebble harbour"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("changing the password: %d\n%.600s", res.StatusCode, body)
	}
	if res, _ := c.get(t, ts.URL+"/api/coding-worklist?practice="+code); res.StatusCode != http.StatusOK {
		t.Errorf("the new practice user's work list: %d", res.StatusCode)
	}
	_, body = admin.get(t, ts.URL+"/admin")
	for _, want := range []string{name, "user_added", "password_changed", "Practice user"} {
		if !strings.Contains(body, want) {
			t.Errorf("admin page lacks %q", want)
		}
	}
}
