package main

import (
	"bufio"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/uptake-nhs/uptake/accounts"
	"github.com/uptake-nhs/uptake/dashboard"
	"github.com/uptake-nhs/uptake/db"
	"github.com/uptake-nhs/uptake/ingest"
	"github.com/uptake-nhs/uptake/queries"
)

// readCSVBaseline times plain DuckDB reading every extract file into a
// table of its own, with no checks: the fastest a load of these files
// could be, with the same memory and thread settings as uptake's.
func readCSVBaseline(ctx context.Context, dbPath, extracts string, e db.Engine) (throughput, error) {
	db, err := db.OpenWith(ctx, dbPath, e)
	if err != nil {
		return throughput{}, err
	}
	defer db.Close()
	var version string
	if err := db.QueryRowContext(ctx, `SELECT library_version FROM pragma_version()`).Scan(&version); err != nil {
		return throughput{}, err
	}
	start := time.Now()
	var rows int64
	for _, t := range ingest.Tables {
		files, err := filepath.Glob(filepath.Join(extracts, "*", t.Name+".csv"))
		if err != nil || len(files) == 0 {
			return throughput{}, fmt.Errorf("no %s.csv files under %s", t.Name, extracts)
		}
		// Table names come from the contract, never from input.
		if _, err := db.ExecContext(ctx, `CREATE TABLE csv_`+t.Name+` AS SELECT * FROM read_csv(?)`, files); err != nil {
			return throughput{}, err
		}
		var n int64
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM csv_`+t.Name).Scan(&n); err != nil {
			return throughput{}, err
		}
		rows += n
	}
	took := time.Since(start)
	return throughput{Seconds: took.Seconds(), Rows: rows, RowsPerSecond: float64(rows) / took.Seconds(), DuckDB: version}, nil
}

// timeIngest runs `uptake ingest` of every quarter into a new database as a
// process of its own, so that its peak memory is its own.
func (c *benchCommand) timeIngest(ctx context.Context, dbPath string, quarters []string, logPath string) (ingestReport, error) {
	args := []string{"ingest", "--db", dbPath}
	if c.configPath != "" {
		args = append(args, "--config", c.configPath)
	}
	log, err := os.Create(logPath)
	if err != nil {
		return ingestReport{}, err
	}
	defer log.Close()
	cmd := exec.CommandContext(ctx, c.exe, append(args, quarters...)...)
	cmd.Stdout, cmd.Stderr = log, log
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return ingestReport{}, err
	}
	peak := watchPeak(cmd.Process.Pid)
	err = cmd.Wait()
	took := time.Since(start)
	if err != nil {
		return ingestReport{}, fmt.Errorf("uptake ingest: %w (its output is in %s)", err, logPath)
	}
	var r ingestReport
	r.Seconds = took.Seconds()
	r.PeakRSSBytes = peak(cmd.ProcessState)
	out, err := os.ReadFile(logPath)
	if err != nil {
		return r, err
	}
	m := ingestTotalsRE.FindAllSubmatch(out, -1)
	if m == nil {
		return r, fmt.Errorf("uptake ingest did not report its totals; its output is in %s", logPath)
	}
	last := m[len(m)-1]
	r.LoadSeconds, _ = strconv.ParseFloat(string(last[1]), 64)
	r.RebuildSeconds, _ = strconv.ParseFloat(string(last[2]), 64)
	return r, nil
}

// ingestTotalsRE reads the times from uptake ingest's ingestTotals line.
var ingestTotalsRE = regexp.MustCompile(`loaded in ([0-9.]+) s, indicators updated in ([0-9.]+) s\.`)

// watchPeak follows a child process's peak resident set size, VmHWM in
// /proc/PID/status, until it exits; the returned function gives the last
// value seen. The exit's rusage cannot be used on Linux: a child started
// from this process (Go starts children with vfork) reports this process's
// own peak if it was larger, which the indicator phase's DuckDB makes it.
// Where there is no /proc it falls back to rusage, an upper bound.
func watchPeak(pid int) func(*os.ProcessState) int64 {
	var mu sync.Mutex
	var last int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			n, ok := vmHWM(pid)
			if !ok {
				return // the process has exited
			}
			mu.Lock()
			last = n
			mu.Unlock()
			time.Sleep(50 * time.Millisecond)
		}
	}()
	return func(ps *os.ProcessState) int64 {
		<-done
		mu.Lock()
		defer mu.Unlock()
		if last > 0 {
			return last
		}
		return rusagePeak(ps)
	}
}

// vmHWM reads a live process's peak resident set size in bytes.
func vmHWM(pid int) (int64, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			return kb * 1024, err == nil
		}
	}
	return 0, false // a zombie has no memory left to report
}

// rusagePeak is a finished process's peak resident set size in bytes from
// its rusage, or 0 where the system does not say.
func rusagePeak(ps *os.ProcessState) int64 {
	if ps == nil {
		return 0
	}
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	if runtime.GOOS == "darwin" {
		return ru.Maxrss // bytes on macOS
	}
	return ru.Maxrss * 1024 // kilobytes on Linux
}

// benchFilter is one filter of the matrix the indicators are timed under.
type benchFilter struct {
	Name   string // "all", "practice", "network", "language" or "quarters"
	Filter queries.Filter
}

// filterMatrix is every filter the indicators are timed under: all
// practices, the first practice, its network, one language (other than
// English where there is one: a course language of its own), and the last
// four quarters. An indicator that takes only a practice, or no filter, is
// timed under the filter it takes.
func filterMatrix(opts queries.FilterOptions) []benchFilter {
	p := opts.Practices[0]
	language := ""
	for _, l := range opts.Languages {
		if language == "" || (strings.EqualFold(language, "English") && !strings.EqualFold(l, "English")) {
			language = l
		}
	}
	q := opts.Quarters
	return []benchFilter{
		{"all", queries.Filter{}},
		{"practice", queries.Filter{Practice: p.Code}},
		{"network", queries.Filter{PCN: p.PCN}},
		{"language", queries.Filter{Language: language}},
		{"quarters", queries.Filter{From: q[max(0, len(q)-4)], To: q[len(q)-1]}},
	}
}

// timeAddQuarter loads all quarters but the last into a database of their
// own and then times `uptake ingest` of the last one into it, the
// quarterly case, with its load and refresh parts; the database goes
// afterwards.
func (c *benchCommand) timeAddQuarter(ctx context.Context, dbDir, base string, quarters []string) (addQuarterReport, error) {
	path := filepath.Join(dbDir, "add-quarter.duckdb")
	defer os.Remove(path)
	defer os.Remove(path + ".wal")
	last := quarters[len(quarters)-1]
	r := addQuarterReport{Quarter: filepath.Base(last)}
	if _, err := c.timeIngest(ctx, path, quarters[:len(quarters)-1], filepath.Join(base, "ingest-rest.log")); err != nil {
		return r, err
	}
	add, err := c.timeIngest(ctx, path, []string{last}, filepath.Join(base, "ingest-add.log"))
	if err != nil {
		return r, err
	}
	r.Seconds, r.LoadSeconds, r.RefreshSeconds = add.Seconds, add.LoadSeconds, add.RebuildSeconds
	if add.LoadSeconds > 0 {
		r.RatioToLoad = add.Seconds / add.LoadSeconds
	}
	return r, nil
}

// benchUser is an account the server phase signs in with.
type benchUser struct{ Username, Password string }

// timeIndicators times every indicator of the catalogue in this process,
// with the result cache off, for all practices and for one, and adds the
// accounts the server phase signs in with. It returns that practice.
func (c *benchCommand) timeIndicators(ctx context.Context, dbPath string, r *sizeReport) (string, map[accounts.Role]benchUser, error) {
	db, err := db.OpenWith(ctx, dbPath, c.settings.Database)
	if err != nil {
		return "", nil, err
	}
	defer db.Close()
	s, err := queries.Open(ctx, db, c.settings.Config)
	if err != nil {
		return "", nil, err
	}
	s.DisableCache()
	opts, err := s.FilterOptions(ctx)
	if err != nil {
		return "", nil, err
	}
	if len(opts.Practices) == 0 {
		return "", nil, errors.New("the database has no practices")
	}
	practice := opts.Practices[0].Code
	matrix := filterMatrix(opts)
	for _, ind := range queries.Indicators {
		for _, bf := range matrix {
			if (ind.Scope == queries.PracticeScope && bf.Name != "practice") || (ind.Scope == queries.DataScope && bf.Name != "all") {
				continue
			}
			samples := make([]time.Duration, 0, c.runs)
			for i := range c.runs + 1 {
				start := time.Now()
				if err := ind.Run(ctx, s, bf.Filter); err != nil {
					return "", nil, fmt.Errorf("%s (%s): %w", ind.Name, bf.Name, err)
				}
				if i > 0 { // the first run warms DuckDB's buffers
					samples = append(samples, time.Since(start))
				}
			}
			r.Indicators = append(r.Indicators, newLatency(ind.Name, bf.Name, samples))
		}
	}

	users := map[accounts.Role]benchUser{}
	acc := accounts.New(db)
	for _, role := range []accounts.Role{accounts.RoleCommissioner, accounts.RolePractice, accounts.RoleServiceLead} {
		u := benchUser{Username: "bench-" + strings.ReplaceAll(string(role), "_", "-"), Password: randomPassword()}
		nu := accounts.NewUser{Username: u.Username, Role: role, Password: u.Password}
		if role == accounts.RolePractice {
			nu.PracticeCode = practice
		}
		if _, err := acc.AddUser(ctx, accounts.Actor{Username: "uptake bench"}, nu); err != nil {
			return "", nil, fmt.Errorf("adding the bench's %s account: %w", role, err)
		}
		users[role] = u
	}
	return practice, users, nil
}

func randomPassword() string {
	b := make([]byte, 16)
	rand.Read(b)
	return "bench " + hex.EncodeToString(b)
}

// timeServer starts `uptake serve` twice over the database. With the
// result cache off it requests every endpoint runs times in turn, which
// times the work behind each page as the first visitor after a load meets
// it. With the cache on, as deployed, clients request every endpoint at
// once, round after round, which finds the server's peak memory under load.
func (c *benchCommand) timeServer(ctx context.Context, dbPath, practice string, users map[accounts.Role]benchUser, r *sizeReport) error {
	endpoints := dashboard.Endpoints(practice)

	srv, err := c.startServer(ctx, dbPath, "--no-result-cache")
	if err != nil {
		return err
	}
	clients, err := srv.signInAll(users)
	if err != nil {
		srv.stop()
		return err
	}
	for _, e := range endpoints {
		l, err := srv.time(clients[e.Role], e, c.runs)
		if err != nil {
			srv.stop()
			return err
		}
		r.Endpoints = append(r.Endpoints, l)
	}
	rss, err := srv.stop()
	if err != nil {
		return err
	}
	r.Serve.UncachedPeakRSSBytes = rss

	c.logf("server as served: result cache on")
	if srv, err = c.startServer(ctx, dbPath); err != nil {
		return err
	}
	if clients, err = srv.signInAll(users); err != nil {
		srv.stop()
		return err
	}
	if err := srv.waitWarm(ctx); err != nil {
		srv.stop()
		return err
	}
	for i, e := range endpoints {
		l, err := srv.time(clients[e.Role], e, c.runs)
		if err != nil {
			srv.stop()
			return err
		}
		r.Endpoints[i].Warm = &l
	}
	c.logf("answer sizes, identity and gzip")
	if r.Answers, err = srv.answerSizes(clients, endpoints); err != nil {
		srv.stop()
		return err
	}
	c.logf("server under load: %d clients, result cache on", c.clients)
	r.Serve.Load = srv.load(clients, endpoints, c.clients)
	rss, err = srv.stop()
	if err != nil {
		return err
	}
	r.Serve.LoadPeakRSSBytes = rss
	if l := r.Serve.Load; l.Errors > 0 {
		return fmt.Errorf("%d of %d requests under load failed (the server's log is in %s)", l.Errors, l.Requests, srv.logPath)
	}
	return nil
}

// load has clients request every endpoint at once, round after round,
// as browsers would: each accepts gzip and sends If-None-Match with the
// last ETag it got for the path, so that later rounds revalidate. Each
// client starts at its own place in the list, so that different pages are
// drawn at once.
func (s *benchServer) load(clients map[accounts.Role]*http.Client, endpoints []dashboard.Endpoint, n int) loadReport {
	const rounds = 3
	var (
		mu       sync.Mutex
		samples  []time.Duration
		failed   int
		notMod   int
		received int64
		byPath   = map[string][]time.Duration{}
		wg       sync.WaitGroup
	)
	start := time.Now()
	for k := range n {
		wg.Go(func() {
			etags := map[string]string{} // this client's own, as a browser's cache
			for round := range rounds {
				for i := range endpoints {
					e := endpoints[(i+k*len(endpoints)/n+round)%len(endpoints)]
					h := http.Header{"Accept-Encoding": {"gzip"}}
					if tag := etags[e.Path]; tag != "" {
						h.Set("If-None-Match", tag)
					}
					a, err := s.fetch(clients[e.Role], e.Path, h)
					if err == nil && a.status != http.StatusOK && a.status != http.StatusNotModified {
						err = fmt.Errorf("status %d", a.status)
					}
					if err == nil && a.etag != "" {
						etags[e.Path] = a.etag
					}
					mu.Lock()
					if err != nil {
						failed++
					} else {
						samples = append(samples, a.took)
						byPath[e.Path] = append(byPath[e.Path], a.took)
						received += a.bytes
						if a.status == http.StatusNotModified {
							notMod++
						}
					}
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	took := time.Since(start)
	l := newLatency("all endpoints", "", samples) // sorts samples
	r := loadReport{
		Clients: n, Requests: len(samples) + failed, Errors: failed, NotModified: notMod, BytesReceived: received,
		RequestsPerSecond: float64(len(samples)) / took.Seconds(),
		MedianMS:          l.MedianMS, P95MS: l.P95MS, MaxMS: l.MaxMS,
	}
	if len(samples) > 0 {
		r.P99MS = float64(percentile(samples, 0.99).Microseconds()) / 1000
	}
	for _, d := range samples {
		if d > 2*time.Second {
			r.Over2s++
		}
	}
	// The slowest paths under load, by their slowest request, say where
	// the tail comes from.
	for _, e := range endpoints {
		if d := byPath[e.Path]; len(d) > 0 {
			r.Slowest = append(r.Slowest, newLatency(e.Name, "", d))
			r.Slowest[len(r.Slowest)-1].Path = e.Path
		}
	}
	slices.SortStableFunc(r.Slowest, func(a, b latency) int { return cmp.Compare(b.MaxMS, a.MaxMS) })
	r.Slowest = r.Slowest[:min(5, len(r.Slowest))]
	return r
}

// answerSizes requests every endpoint, and the paged lists whole
// (?limit=all), once with Accept-Encoding: identity and once with gzip,
// and counts the bodies as sent.
func (s *benchServer) answerSizes(clients map[accounts.Role]*http.Client, endpoints []dashboard.Endpoint) ([]answerSize, error) {
	type target struct {
		dashboard.Endpoint
		dflt bool
	}
	var targets []target
	for _, e := range endpoints {
		targets = append(targets, target{e, true})
	}
	for _, e := range endpoints {
		for _, name := range []string{"api followup", "api coding", "api campaigns"} {
			if e.Name == name {
				sep := "?"
				if strings.Contains(e.Path, "?") {
					sep = "&"
				}
				whole := e
				whole.Name, whole.Path = e.Name+" (limit=all)", e.Path+sep+"limit=all"
				targets = append(targets, target{whole, false})
			}
		}
	}
	var out []answerSize
	for _, t := range targets {
		c := clients[t.Role]
		plain, err := s.fetch(c, t.Path, http.Header{"Accept-Encoding": {"identity"}})
		if err == nil && plain.status != http.StatusOK {
			err = fmt.Errorf("status %d", plain.status)
		}
		if err != nil {
			return nil, fmt.Errorf("%s (identity): %w", t.Path, err)
		}
		gz, err := s.fetch(c, t.Path, http.Header{"Accept-Encoding": {"gzip"}})
		if err == nil && gz.status != http.StatusOK {
			err = fmt.Errorf("status %d", gz.status)
		}
		if err != nil {
			return nil, fmt.Errorf("%s (gzip): %w", t.Path, err)
		}
		out = append(out, answerSize{
			Name: t.Name, Path: t.Path, ContentType: plain.contentType, Default: t.dflt,
			IdentityBytes: plain.bytes, GzipBytes: gz.bytes, Gzipped: gz.encoding == "gzip",
		})
	}
	return out, nil
}

// fetched is one answer as fetch read it.
type fetched struct {
	status      int
	bytes       int64 // the body as sent: compressed if the server compressed it
	took        time.Duration
	etag        string
	contentType string
	encoding    string
}

// fetch requests path with the given headers and reads the whole body.
// Setting Accept-Encoding by hand stops Go's transport from decompressing,
// so the bytes counted are those sent.
func (s *benchServer) fetch(c *http.Client, path string, h http.Header) (fetched, error) {
	req, err := http.NewRequest(http.MethodGet, s.url+path, nil)
	if err != nil {
		return fetched{}, err
	}
	for k, v := range h {
		req.Header[k] = v
	}
	start := time.Now()
	res, err := c.Do(req)
	if err != nil {
		return fetched{}, err
	}
	n, err := io.Copy(io.Discard, res.Body)
	res.Body.Close()
	f := fetched{status: res.StatusCode, bytes: n, took: time.Since(start), etag: res.Header.Get("ETag"),
		contentType: res.Header.Get("Content-Type"), encoding: res.Header.Get("Content-Encoding")}
	return f, err
}

// benchServer is a running `uptake serve` child process.
type benchServer struct {
	cmd      *exec.Cmd
	peak     func(*os.ProcessState) int64 // watchPeak
	url      string
	logPath  string
	logStart int64 // where this run's lines start in the log
	log      *os.File
	done     chan error
}

var servingLine = regexp.MustCompile(`on (http://\S+) `)

// startServer starts `uptake serve` on a free loopback port and waits until
// it says where it listens.
func (c *benchCommand) startServer(ctx context.Context, dbPath string, extra ...string) (*benchServer, error) {
	args := []string{"serve", "--db", dbPath, "--addr", "127.0.0.1:0"}
	if c.configPath != "" {
		args = append(args, "--config", c.configPath)
	}
	logPath := dbPath + ".serve.log"
	log, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	start, err := log.Seek(0, io.SeekEnd)
	if err != nil {
		log.Close()
		return nil, err
	}
	cmd := exec.Command(c.exe, append(args, extra...)...)
	cmd.Stderr = log
	out, err := cmd.StdoutPipe()
	if err != nil {
		log.Close()
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, err
	}
	s := &benchServer{cmd: cmd, peak: watchPeak(cmd.Process.Pid), logPath: logPath, logStart: start, log: log, done: make(chan error, 1)}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			fmt.Fprintln(log, sc.Text())
			if m := servingLine.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
		io.Copy(io.Discard, out)
	}()
	go func() { s.done <- cmd.Wait() }()
	select {
	case s.url = <-found:
		return s, nil
	case err := <-s.done:
		log.Close()
		return nil, fmt.Errorf("uptake serve stopped before serving: %v (its log is in %s)", err, logPath)
	case <-ctx.Done():
		s.stop()
		return nil, ctx.Err()
	case <-time.After(10 * time.Minute):
		s.stop()
		return nil, fmt.Errorf("uptake serve did not start within 10 minutes (its log is in %s)", logPath)
	}
}

// stop interrupts the server, as Ctrl-C would, and returns its peak memory.
func (s *benchServer) stop() (int64, error) {
	defer s.log.Close()
	s.cmd.Process.Signal(os.Interrupt)
	peak := s.peak
	select {
	case <-s.done:
	case <-time.After(time.Minute):
		s.cmd.Process.Kill()
		<-s.done
		return 0, fmt.Errorf("uptake serve did not stop within a minute of Ctrl-C (its log is in %s)", s.logPath)
	}
	return peak(s.cmd.ProcessState), nil
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// signInAll signs each user in through the sign-in form and returns a
// client holding each role's session.
func (s *benchServer) signInAll(users map[accounts.Role]benchUser) (map[accounts.Role]*http.Client, error) {
	out := map[accounts.Role]*http.Client{}
	for role, u := range users {
		jar, _ := cookiejar.New(nil)
		// Enough idle connections for every load client, so that each
		// keeps its own, as a browser would.
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 256
		c := &http.Client{Jar: jar, Timeout: 5 * time.Minute, Transport: tr,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := c.Get(s.url + "/signin")
		if err != nil {
			return nil, err
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		m := csrfField.FindSubmatch(body)
		if m == nil {
			return nil, fmt.Errorf("the sign-in page (%d) has no form token", res.StatusCode)
		}
		res, err = c.PostForm(s.url+"/signin", url.Values{"csrf": {string(m[1])}, "username": {u.Username}, "password": {u.Password}})
		if err != nil {
			return nil, err
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther {
			return nil, fmt.Errorf("signing in as the bench's %s: status %d", role, res.StatusCode)
		}
		out[role] = c
	}
	return out, nil
}

// time requests e once untimed, then runs times.
func (s *benchServer) time(c *http.Client, e dashboard.Endpoint, runs int) (latency, error) {
	samples := make([]time.Duration, 0, runs)
	var size int64
	for i := range runs + 1 {
		took, n, err := s.get(c, e.Path)
		if err != nil {
			return latency{}, fmt.Errorf("%s: %w", e.Path, err)
		}
		if i > 0 {
			samples = append(samples, took)
		}
		size = n
	}
	l := newLatency(e.Name, "", samples)
	l.Path, l.Bytes = e.Path, size
	return l, nil
}

// waitWarm waits until the server's log says it has warmed its result
// cache, so that "as served" times what visitors meet once it has.
func (s *benchServer) waitWarm(ctx context.Context) error {
	deadline := time.Now().Add(10 * time.Minute)
	for time.Now().Before(deadline) {
		b, err := os.ReadFile(s.logPath)
		if err != nil {
			return err
		}
		if strings.Contains(string(b[s.logStart:]), warmedMessage) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-s.done:
			s.done <- err
			return fmt.Errorf("uptake serve stopped: %v (its log is in %s)", err, s.logPath)
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("uptake serve did not warm its cache within 10 minutes (its log is in %s)", s.logPath)
}

// get requests path and reads the whole answer, returning how long that
// took and its size. Anything but 200 is an error.
func (s *benchServer) get(c *http.Client, path string) (time.Duration, int64, error) {
	start := time.Now()
	res, err := c.Get(s.url + path)
	if err != nil {
		return 0, 0, err
	}
	n, err := io.Copy(io.Discard, res.Body)
	res.Body.Close()
	took := time.Since(start)
	if err != nil {
		return 0, 0, err
	}
	if res.StatusCode != http.StatusOK {
		return 0, 0, fmt.Errorf("status %d", res.StatusCode)
	}
	return took, n, nil
}

// newLatency summarises timed samples.
func newLatency(name, filter string, samples []time.Duration) latency {
	slices.Sort(samples)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	l := latency{Name: name, Filter: filter, Runs: len(samples)}
	if len(samples) == 0 {
		return l
	}
	l.MedianMS = ms(percentile(samples, 0.5))
	l.P95MS = ms(percentile(samples, 0.95))
	l.MaxMS = ms(samples[len(samples)-1])
	return l
}

// percentile is the nearest-rank percentile of sorted samples: the
// smallest sample at least p of them do not exceed.
func percentile(sorted []time.Duration, p float64) time.Duration {
	i := int(float64(len(sorted))*p+0.999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}
