package dashboard

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptake-nhs/uptake/accounts"
	"github.com/uptake-nhs/uptake/db"
	"github.com/uptake-nhs/uptake/queries"
)

// TestLoad is a bounded load test on loopback: 50 clients send 10,000
// requests in all across the pages, the API and downloads, with signed-in
// sessions, to a real server over the sample database. It reports errors
// (there should be none), throughput, latency percentiles and the
// process's peak memory with t.Logf; it asserts only that nothing failed.
// It stops after five minutes whatever it has done. It runs only when
// asked, so that CI stays fast:
//
//	UPTAKE_LOADTEST=1 go test ./dashboard -run TestLoad -v
//
// UPTAKE_LOADTEST_DB=path serves that database instead (e.g. one at
// England scale). The file is opened for writing (DuckDB locks it; the
// migrations run), and the session and audit tables of a throw-away
// in-memory database are used, so no account is added to it.
func TestLoad(t *testing.T) {
	if os.Getenv("UPTAKE_LOADTEST") != "1" {
		t.Skip("set UPTAKE_LOADTEST=1 to run the load test (and UPTAKE_LOADTEST_DB=path for another database)")
	}
	const (
		clients  = 50
		requests = 10_000
		limit    = 5 * time.Minute
	)
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()

	base, sessions, own := loadTestServer(t, ctx)
	paths := loadTestPaths(t, base, sessions, own)
	t.Logf("%d clients, %d requests over %d paths, stopping after %v", clients, requests, len(paths), limit)

	transport := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	defer transport.CloseIdleConnections()
	httpClient := &http.Client{Transport: transport, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	var next atomic.Int64
	var mu sync.Mutex
	var latencies []time.Duration
	errs := map[string]int{}
	var peakHeap atomic.Uint64
	stopSampling := make(chan struct{})
	go func() {
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		var ms runtime.MemStats
		for {
			select {
			case <-stopSampling:
				return
			case <-tick.C:
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > peakHeap.Load() {
					peakHeap.Store(ms.HeapInuse)
				}
			}
		}
	}()

	start := time.Now()
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			local := make([]time.Duration, 0, requests/clients+1)
			for ctx.Err() == nil {
				i := next.Add(1) - 1
				if i >= requests {
					break
				}
				p := paths[int(i)%len(paths)]
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+p.path, nil)
				req.AddCookie(&http.Cookie{Name: sessionCookiePlain, Value: p.session})
				t0 := time.Now()
				res, err := httpClient.Do(req)
				var problem string
				if err == nil {
					_, err = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode != http.StatusOK {
						problem = fmt.Sprintf("%s: status %d", p.path, res.StatusCode)
					}
				}
				if err != nil && ctx.Err() == nil {
					problem = fmt.Sprintf("%s: %v", p.path, err)
				}
				local = append(local, time.Since(t0))
				if problem != "" {
					mu.Lock()
					errs[problem]++
					mu.Unlock()
				}
			}
			mu.Lock()
			latencies = append(latencies, local...)
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(stopSampling)

	slices.Sort(latencies)
	pct := func(p float64) time.Duration {
		if len(latencies) == 0 {
			return 0
		}
		return latencies[min(len(latencies)-1, int(p*float64(len(latencies))))]
	}
	nErr := 0
	for _, n := range errs {
		nErr += n
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("requests: %d done in %v (%.0f requests/s), %d errors", len(latencies), elapsed.Round(time.Millisecond), float64(len(latencies))/elapsed.Seconds(), nErr)
	t.Logf("latency: p50 %v, p95 %v, p99 %v, max %v", pct(0.50).Round(time.Microsecond), pct(0.95).Round(time.Microsecond),
		pct(0.99).Round(time.Microsecond), pct(1).Round(time.Microsecond))
	t.Logf("memory: peak Go heap in use %.0f MiB, Go heap from the OS %.0f MiB, peak resident set (VmHWM, Go and DuckDB) %s",
		float64(peakHeap.Load())/(1<<20), float64(ms.HeapSys)/(1<<20), vmHWM())
	for problem, n := range errs {
		t.Errorf("%d × %s", n, problem)
	}
	if ctx.Err() != nil {
		t.Errorf("stopped at the %v limit after %d of %d requests", limit, len(latencies), requests)
	}
}

// loadPath is one request of the mix and the session to send it with.
type loadPath struct{ path, session string }

// loadTestServer starts the server and signs in; sessions maps a role to
// its session token, and ownPractice is the practice user's practice.
func loadTestServer(t *testing.T, ctx context.Context) (base string, sessions map[accounts.Role]string, ownPractice string) {
	t.Helper()
	sessions = map[accounts.Role]string{}
	signIn := func(base, username, password string) string {
		c := newClient(t, base)
		c.signIn(t, username, password)
		return c.sessionToken(t)
	}
	path := os.Getenv("UPTAKE_LOADTEST_DB")
	if path == "" {
		rs := newRealServer(t)
		for _, role := range []accounts.Role{accounts.RoleCommissioner, accounts.RolePractice} {
			d := rs.demo[role]
			sessions[role] = signIn(rs.URL, d.Username, d.Password)
		}
		return rs.URL, sessions, rs.demo[accounts.RolePractice].PracticeCode
	}
	db, err := db.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	store, err := queries.Open(ctx, db, queries.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	accDB, err := openMemoryDB(ctx) // in memory
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { accDB.Close() })
	acc := accounts.New(accDB)
	password := "load test password " + time.Now().Format(time.RFC3339Nano)
	if _, err := acc.AddUser(ctx, accounts.Actor{Username: "loadtest"}, accounts.NewUser{Username: "loadtest", Role: accounts.RoleCommissioner, Password: password}); err != nil {
		t.Fatal(err)
	}
	srv, err := New(store, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Accounts: acc})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	sessions[accounts.RoleCommissioner] = signIn(ts.URL, "loadtest", password)
	return ts.URL, sessions, ""
}

// loadTestPaths is the request mix: every page and JSON source of
// Endpoints that a signed-in role may read, plus a filtered page, a chart
// and a download for the commissioner. The practice user, when there is
// one, reads their own practice's page and work lists.
func loadTestPaths(t *testing.T, base string, sessions map[accounts.Role]string, ownPractice string) []loadPath {
	t.Helper()
	comm := sessions[accounts.RoleCommissioner]
	practice := ownPractice
	if practice == "" {
		c := newClient(t, base)
		c.http.Jar.SetCookies(mustURL(t, base), []*http.Cookie{{Name: sessionCookiePlain, Value: comm}})
		practice, _ = firstPractice(t, c)
	}
	var out []loadPath
	for _, e := range Endpoints(practice) {
		if session, ok := sessions[e.Role]; ok {
			out = append(out, loadPath{e.Path, session})
		}
	}
	if pr, ok := sessions[accounts.RolePractice]; ok {
		out = append(out, loadPath{"/practices/" + ownPractice, pr}) // with its work-list panels
	}
	return append(out, loadPath{"/?from=2025Q3&mode=online", comm},
		loadPath{"/api/chart/funnel", comm}, loadPath{"/download/followup-practices.csv", comm})
}

// vmHWM is the process's peak resident set size from /proc/self/status,
// or "unknown" off Linux.
func vmHWM() string {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// openMemoryDB is an in-memory database at the current schema.
func openMemoryDB(ctx context.Context) (*sql.DB, error) { return db.Open(ctx, "") }
