package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/uptake-nhs/uptake/accounts"
)

// TestMain lets the test binary act as the uptake program, so tests can
// start a second process (DuckDB's file lock is per process).
func TestMain(m *testing.M) {
	if os.Getenv("UPTAKE_TEST_RUN_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// sampleQuarters lists ../../sample-data's quarter folders, oldest first.
func sampleQuarters(tb testing.TB) []string {
	tb.Helper()
	dirs, err := filepath.Glob(filepath.Join("..", "..", "sample-data", "20*Q*"))
	if err != nil || len(dirs) == 0 {
		tb.Fatalf("no sample quarters: %v", err)
	}
	sort.Strings(dirs)
	return dirs
}

// runMain runs uptake in-process with args and returns its output.
func runMain(tb testing.TB, args ...string) (stdout, stderr string, err error) {
	tb.Helper()
	var out, errOut bytes.Buffer
	m := &Main{Stdout: &out, Stderr: &errOut}
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

func mustRunMain(tb testing.TB, args ...string) string {
	tb.Helper()
	out, errOut, err := runMain(tb, args...)
	if err != nil {
		tb.Fatalf("uptake %s: %v\n%s\n%s", strings.Join(args, " "), err, out, errOut)
	}
	return out
}

// manifest is the part of sample-data/manifest.json the tests check.
type manifest struct {
	Totals map[string]struct {
		Rows             int64 `json:"rows"`
		ExpectedAccepted int64 `json:"expected_accepted"`
		ExpectedRejected int64 `json:"expected_rejected"`
	} `json:"totals"`
}

func readManifest(tb testing.TB) manifest {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "sample-data", "manifest.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		tb.Fatal(err)
	}
	if len(m.Totals) != 9 {
		tb.Fatalf("manifest lists %d tables, want 9", len(m.Totals))
	}
	return m
}

// tableCounts reads every extract table's row count and the rejected rows.
func tableCounts(tb testing.TB, path string) map[string]int64 {
	tb.Helper()
	db, err := sql.Open("duckdb", path+"?access_mode=read_only")
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	counts := map[string]int64{}
	for _, t := range []string{"practices", "venues", "courses", "referrals", "attendance", "outcomes", "followups", "gp_codes", "text_campaigns", "rejected_rows", "loads"} {
		var n int64
		if err := db.QueryRow(`SELECT count(*) FROM ` + t).Scan(&n); err != nil {
			tb.Fatalf("counting %s: %v", t, err)
		}
		counts[t] = n
	}
	return counts
}

// TestIngestSampleDataMatchesManifest loads the shipped sample data end to
// end and checks every table against the generator's manifest: the rows it
// wrote minus the ones it deliberately broke, which must be exactly the
// rejected rows. Loading it all again must change nothing.
func TestIngestSampleDataMatchesManifest(t *testing.T) {
	db := filepath.Join(t.TempDir(), "sample.duckdb")
	args := append([]string{"ingest", "--db", db}, sampleQuarters(t)...)
	mustRunMain(t, args...)

	want := readManifest(t)
	got := tableCounts(t, db)
	var rejected int64
	for table, tot := range want.Totals {
		if got[table] != tot.ExpectedAccepted {
			t.Errorf("%s: %d rows loaded, manifest expects %d", table, got[table], tot.ExpectedAccepted)
		}
		rejected += tot.ExpectedRejected
	}
	if got["rejected_rows"] != rejected {
		t.Errorf("rejected_rows: %d, manifest expects %d", got["rejected_rows"], rejected)
	}
	if got["loads"] != int64(9*len(sampleQuarters(t))) {
		t.Errorf("loads: %d rows, want one per file: %d", got["loads"], 9*len(sampleQuarters(t)))
	}

	out := mustRunMain(t, args...)
	if again := tableCounts(t, db); !equalCounts(again, got) {
		t.Errorf("loading identical quarters again changed the database:\nbefore %v\nafter  %v\n%s", got, again, out)
	}
}

func equalCounts(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestIngestUsageErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"ingest", "some-dir"}, "--db is required"},
		{[]string{"ingest", "--db", "x.duckdb"}, "name at least one quarter folder"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"generate"}, "--out is required"},
		{[]string{"serve", "--trusted-proxies", "10.0.0.1,not-an-ip"}, `"not-an-ip" is not an IP address`},
	}
	for _, c := range cases {
		_, stderr, err := runMain(t, c.args...)
		if !errors.Is(err, errUsage) || !strings.Contains(stderr, c.want) {
			t.Errorf("uptake %v: err %v, stderr %q; want usage error saying %q", c.args, err, stderr, c.want)
		}
	}
}

func TestIngestRefusedFolderSaysWhy(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "2026Q2")
	if err := os.CopyFS(dir, os.DirFS(sampleQuarters(t)[0])); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "venues.csv")); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "x.duckdb")
	_, stderr, err := runMain(t, "ingest", "--db", db, dir)
	if err == nil || !strings.Contains(stderr, "venues") {
		t.Fatalf("a folder without venues loaded or did not name the file: err %v, stderr %q", err, stderr)
	}
	if n := tableCounts(t, db)["referrals"]; n != 0 {
		t.Errorf("refused folder left %d referrals", n)
	}
}

// server is uptake serve running as a child process.
type server struct {
	cmd *exec.Cmd
	url string
	// client carries the session cookie once signIn has run.
	client *http.Client
}

var servingRE = regexp.MustCompile(`on (http://[^ ]+) `)

// startServer runs `uptake serve args...` in dir as a child process and
// waits (at most 60 s) until it prints the address it serves on.
func startServer(t *testing.T, dir string, args ...string) *server {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "UPTAKE_TEST_RUN_MAIN=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, client: &http.Client{Jar: jar, Timeout: time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	t.Cleanup(func() { s.stop(t) })
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := servingRE.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	select {
	case s.url = <-found:
	case <-time.After(60 * time.Second):
		t.Fatalf("server did not start within 60 s; stderr:\n%s", stderr.String())
	}
	return s
}

// stop asks the server to shut down gracefully and waits for it.
func (s *server) stop(t *testing.T) {
	if s.cmd.ProcessState != nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("server did not shut down cleanly: %v", err)
		}
	case <-time.After(20 * time.Second):
		s.cmd.Process.Kill()
		t.Error("server ignored SIGTERM for 20 s")
	}
}

var csrfFieldRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// signIn signs the server's client in through the sign-in form.
func (s *server) signIn(t *testing.T, username, password string) {
	t.Helper()
	resp, err := s.client.Get(s.url + "/signin")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfFieldRE.FindSubmatch(page)
	if m == nil {
		t.Fatalf("sign-in page %d without a form token", resp.StatusCode)
	}
	resp, err = s.client.PostForm(s.url+"/signin", url.Values{"csrf": {string(m[1])}, "username": {username}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("signing in as %s: %d", username, resp.StatusCode)
	}
}

// addUser adds a commissioner to the database file (no server may hold it).
func addUser(t *testing.T, path, username, password string) {
	t.Helper()
	addUserAs(t, path, username, password, accounts.RoleCommissioner)
}

// addUserAs adds a user of the role to the database file (no server may
// hold it).
func addUserAs(t *testing.T, path, username, password string, role accounts.Role) {
	t.Helper()
	db, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	nu := accounts.NewUser{Username: username, Role: role, Password: password}
	if _, err := accounts.New(db).AddUser(context.Background(), accounts.Actor{Username: "test"}, nu); err != nil {
		t.Fatal(err)
	}
}

// quarters asks the server which quarters it shows (signIn first).
func (s *server) quarters(t *testing.T) []string {
	t.Helper()
	resp, err := s.client.Get(s.url + "/api/filters")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/api/filters: %d", resp.StatusCode)
	}
	var opts struct{ Quarters []string }
	if err := json.NewDecoder(resp.Body).Decode(&opts); err != nil {
		t.Fatal(err)
	}
	return opts.Quarters
}

// TestLoadWhileServing loads a quarter while a server holds the database:
// the load is handed to the server, and the server shows the new quarter
// without a restart.
func TestLoadWhileServing(t *testing.T) {
	quarters := sampleQuarters(t)
	db := filepath.Join(t.TempDir(), "live.duckdb")
	mustRunMain(t, append([]string{"ingest", "--db", db}, quarters[:len(quarters)-1]...)...)
	addUser(t, db, "tester", "a long test password")

	srv := startServer(t, t.TempDir(), "--db", db)
	// A real database has no demo accounts.
	srv.signIn(t, "tester", "a long test password")
	before := srv.quarters(t)
	if len(before) != len(quarters)-1 {
		t.Fatalf("server shows %d quarters before the load, want %d", len(before), len(quarters)-1)
	}

	last := quarters[len(quarters)-1]
	out := mustRunMain(t, "ingest", "--db", db, last)
	if !strings.Contains(out, "handing the load to it") {
		t.Errorf("ingest did not hand over to the running server:\n%s", out)
	}
	after := srv.quarters(t)
	if len(after) != len(quarters) || after[len(after)-1] != filepath.Base(last) {
		t.Errorf("after loading %s the server shows %v", filepath.Base(last), after)
	}
}

// TestFirstStartLoadsSampleData is the newcomer's `go run ./cmd/uptake`:
// with no --db, the embedded sample data fill a local file on first start,
// and the sign-in page offers the demo accounts.
func TestFirstStartLoadsSampleData(t *testing.T) {
	dir := t.TempDir()
	srv := startServer(t, dir)
	resp, err := srv.client.Get(srv.url + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), "/signin") {
		t.Errorf("GET / signed out = %d to %q, want the sign-in page", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, err = srv.client.Get(srv.url + "/signin")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Contains(page, []byte("Demo data")) || !bytes.Contains(page, []byte("demo-commissioner")) {
		t.Error("the sample database's sign-in page does not list the demo accounts")
	}
	srv.signIn(t, "demo-commissioner", "demo-commissioner")
	if got, want := len(srv.quarters(t)), len(sampleQuarters(t)); got != want {
		t.Errorf("first start shows %d quarters, want %d", got, want)
	}
	resp, err = srv.client.Get(srv.url + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET / = %d", resp.StatusCode)
	}
	srv.stop(t)
	if _, err := os.Stat(filepath.Join(dir, sampleDB)); err != nil {
		t.Errorf("no %s after first start: %v", sampleDB, err)
	}
}

func TestDisplayAddr(t *testing.T) {
	cases := []struct{ asked, listening, want string }{
		{"localhost:8080", "127.0.0.1:8080", "localhost:8080"},
		{"127.0.0.1:0", "127.0.0.1:41234", "127.0.0.1:41234"},
		{":8080", "[::]:8080", "localhost:8080"},
		{"[::1]:9000", "[::1]:9000", "[::1]:9000"},
	}
	for _, c := range cases {
		addr, err := net.ResolveTCPAddr("tcp", c.listening)
		if err != nil {
			t.Fatal(err)
		}
		if got := displayAddr(c.asked, addr); got != c.want {
			t.Errorf("displayAddr(%q, %s) = %q, want %q", c.asked, c.listening, got, c.want)
		}
	}
}

// TestServeWithoutControlSocket: a database whose socket path is too long
// for a Unix socket (108 bytes on Linux) is still served; only the
// hand-over of loads is lost, and the log says so.
func TestServeWithoutControlSocket(t *testing.T) {
	dir := filepath.Join(t.TempDir(), strings.Repeat("a-long-folder-name-", 7))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "borough.duckdb")
	if len(db+".sock") <= 108 {
		t.Fatalf("path %d bytes: not long enough to test", len(db+".sock"))
	}
	mustRunMain(t, "ingest", "--db", db, sampleQuarters(t)[0])
	srv := startServer(t, t.TempDir(), "--db", db)
	resp, err := http.Get(srv.url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /healthz = %d", resp.StatusCode)
	}
}
