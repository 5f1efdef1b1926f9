package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/uptake-nhs/uptake/accounts"
	"github.com/uptake-nhs/uptake/dashboard"
	"github.com/uptake-nhs/uptake/dashboard/pdf"
	"github.com/uptake-nhs/uptake/db"
	"github.com/uptake-nhs/uptake/ingest"
	"github.com/uptake-nhs/uptake/queries"
	sampledata "github.com/uptake-nhs/uptake/sample-data"
)

// sampleDB is the database `uptake` uses when no --db is given.
const sampleDB = "uptake-sample.duckdb"

// serveCommand serves the dashboard, and loads handed over by `uptake
// ingest` through the control socket, from one process that owns the
// database file.
type serveCommand struct {
	stdout, stderr io.Writer

	dbPath     string
	addr       string
	configPath string
	sample     bool // no --db: use sampleDB, filled from the embedded sample data

	trustedProxies string // comma-separated IPs or CIDRs whose X-Forwarded-For is believed
	secureCookies  bool   // the server is reached over HTTPS through a proxy
	noResultCache  bool   // compute every answer afresh (uptake bench)
	parquetDir     string // serve this Parquet export (uptake export); --db holds the app state

	mu      sync.Mutex
	db      *sql.DB
	control *controlServer
	url     string
}

func (c *serveCommand) parse(args []string) error {
	fs := newFlagSet("serve", "uptake serve [--db FILE] [--addr ADDR] [--config FILE]", c.stderr)
	fs.StringVar(&c.dbPath, "db", "", "DuckDB database `file` to serve (default: "+sampleDB+", filled with the sample data on first start)")
	fs.StringVar(&c.addr, "addr", "localhost:8080", "`address` to listen on")
	fs.StringVar(&c.configPath, "config", "", "configuration `file` (JSON; see docs/configuration.md)")
	fs.StringVar(&c.trustedProxies, "trusted-proxies", "", "comma-separated `addresses` (IPs or CIDRs) of reverse proxies whose X-Forwarded-For is believed; none by default")
	fs.BoolVar(&c.noResultCache, "no-result-cache", false, "compute every indicator afresh instead of keeping answers until the next load (for measuring; slower)")
	fs.StringVar(&c.parquetDir, "parquet", "", "serve the Parquet export in `folder` (uptake export) instead of loaded quarters; --db then holds only users, sessions, the audit log and derived tables")
	fs.BoolVar(&c.secureCookies, "secure-cookies", false, "mark session cookies Secure even though this server speaks plain HTTP (set it when an HTTPS proxy is in front, as it must be beyond localhost)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(c.stderr, "uptake serve: unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	for _, p := range splitList(c.trustedProxies) {
		if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
			fmt.Fprintf(c.stderr, "uptake serve: --trusted-proxies: %q is not an IP address or CIDR range\n", p)
			return errUsage
		}
	}
	if c.parquetDir != "" && c.dbPath == "" {
		fmt.Fprintln(c.stderr, "uptake serve: --parquet needs --db FILE: a database of its own for users, sessions and the audit log, e.g. --db app.duckdb")
		return errUsage
	}
	if c.dbPath == "" {
		c.dbPath, c.sample = sampleDB, true
	}
	return nil
}

// Run opens the database, loads the sample data on first start, and serves
// until ctx is cancelled, then shuts down gracefully.
func (c *serveCommand) Run(ctx context.Context) error {
	log := slog.New(slog.NewTextHandler(c.stderr, nil))
	set, err := loadSettings(c.configPath)
	if err != nil {
		return err
	}
	cfg := set.Config
	conn, err := db.OpenWith(ctx, c.dbPath, set.Database)
	if db.IsLockConflict(err) {
		return fmt.Errorf("another uptake process is using %s; stop it, or give this one another --db", c.dbPath)
	}
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.db = conn
	c.mu.Unlock()

	if c.sample {
		if err := c.loadSampleOnFirstStart(ctx, conn); err != nil {
			return err
		}
	}
	parquet, err := c.useParquet(ctx, conn)
	if err != nil {
		return err
	}
	store, err := queries.Open(ctx, conn, cfg)
	if err != nil {
		return parquetHint(parquet, err)
	}
	if c.noResultCache {
		store.DisableCache()
	}
	// Sign-in is always on. Only the sample database gets the demo
	// accounts, whose passwords the sign-in page shows.
	acc := accounts.New(conn)
	var demo []accounts.DemoAccount
	if c.sample {
		if demo, err = acc.EnsureDemoUsers(ctx); err != nil {
			return err
		}
	}
	// Uploads, patient-level extracts, are written beside the database in
	// a folder only this user can read, and what a killed server left
	// there is removed now that this one holds the database's lock.
	uploads := c.dbPath + ".uploads"
	if err := prepareUploadDir(uploads); err != nil {
		return err
	}
	loads := newQuarterLoads(conn, store, log)
	loads.parquet = parquet
	loads.aliases, loads.ceiling, loads.uploadDir = set.Aliases, set.Rejections, uploads
	// The quarterly reports download as PDFs where Chromium is installed;
	// it starts with the first download.
	var printer dashboard.PDFPrinter
	if lazy, err := pdf.NewLazy(); err == nil {
		defer lazy.Close()
		printer = lazy
	} else {
		log.Info("the quarterly reports download as spreadsheets only", "why", err)
	}
	dash, err := dashboard.New(store, dashboard.Options{
		PDF:                printer,
		Loads:              loads,
		UploadDir:          uploads,
		Logger:             log,
		Accounts:           acc,
		DemoAccounts:       demo,
		TrustedProxies:     splitList(c.trustedProxies),
		ForceSecureCookies: c.secureCookies,
		NoAnswerCache:      c.noResultCache,
	})
	if err != nil {
		return err
	}
	defer dash.Close()
	// The first view of each page after a load is worked out in the
	// background, not by whoever opens it first (dashboard.Server.Warm).
	warm := func() {
		start := time.Now()
		if err := dash.Warm(ctx); err != nil {
			if ctx.Err() == nil {
				log.Warn("warming the result cache", "err", err)
			}
			return
		}
		log.Info(warmedMessage, "took", time.Since(start).Round(time.Millisecond))
	}
	// Run returns only when warming has stopped, so that the database is
	// not closed under it. Without a cache there is nothing to warm.
	var warming sync.WaitGroup
	defer warming.Wait()
	if !c.noResultCache {
		loads.afterCommit = func() { warming.Go(warm) }
		warming.Go(warm)
	}

	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", c.addr, err)
	}
	srv := &http.Server{
		Handler:           dash.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      5 * time.Minute, // large XLSX downloads
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}

	// The control socket only lets `uptake ingest` and `uptake user` reach
	// this server; without it (a path too long for a Unix socket, a folder
	// that cannot hold one) the dashboard still serves, and those commands
	// say that the server does not answer.
	control, err := startControl(ctx, c.dbPath+".sock", loads, log)
	if err != nil {
		log.Warn("no control socket: `uptake ingest` and `uptake user` cannot reach this server; upload quarters on the Data page or stop the server to load", "err", err)
	}
	c.mu.Lock()
	c.control = control
	c.url = "http://" + displayAddr(c.addr, ln.Addr())
	c.mu.Unlock()
	what := c.dbPath
	if c.sample {
		what = "the sample data in " + sampleDB
	}
	if parquet != "" {
		what = "the Parquet export " + parquet + " (app state in " + c.dbPath + ")"
	}
	fmt.Fprintf(c.stdout, "uptake: serving %s on %s (Ctrl-C stops)\n", what, c.url)

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	select {
	case err := <-serveErr:
		return err
	case <-ctx.Done():
	}
	// Finish requests in flight, then stop. A second Ctrl-C kills the process.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	fmt.Fprintln(c.stdout, "uptake: shutting down")
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	return nil
}

// warmedMessage is logged when every page's unfiltered view is cached;
// `uptake bench` waits for it.
const warmedMessage = "result cache warmed"

// URL is the address the server listens on, once Run has started it.
func (c *serveCommand) URL() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.url
}

// Close stops the control socket and closes the database, releasing the
// file lock.
func (c *serveCommand) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	if c.control != nil {
		errs = append(errs, c.control.Close())
		c.control = nil
	}
	if c.db != nil {
		errs = append(errs, c.db.Close())
		c.db = nil
	}
	return errors.Join(errs...)
}

// loadSampleOnFirstStart fills an empty sample database from the sample
// data embedded in the binary. A database that already has loads is left
// alone, so restarts are instant and nothing is loaded twice.
func (c *serveCommand) loadSampleOnFirstStart(ctx context.Context, db *sql.DB) error {
	var loads int64
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM loads`).Scan(&loads); err != nil {
		return err
	}
	if loads > 0 {
		return nil
	}
	dir, err := os.MkdirTemp("", "uptake-sample-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := os.CopyFS(dir, sampledata.FS); err != nil {
		return fmt.Errorf("unpacking the sample data: %w", err)
	}
	quarters, err := sampledata.Quarters()
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "uptake: first start: loading the sample data (%d quarters) into %s\n", len(quarters), c.dbPath)
	loader := &ingest.Loader{DB: db}
	for _, q := range quarters {
		res, err := loader.LoadQuarter(ctx, filepath.Join(dir, q))
		if err != nil {
			return fmt.Errorf("loading sample quarter %s: %w", q, err)
		}
		fmt.Fprintf(c.stdout, "  %s: %s\n", q, res.Action)
	}
	return nil
}

// displayAddr turns the listener's address into something a browser can
// open: the host the user asked for when it was a name (localhost stays
// localhost), and localhost for an unspecified one.
func displayAddr(asked string, a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if askedHost, _, err := net.SplitHostPort(asked); err == nil && askedHost != "" && net.ParseIP(askedHost) == nil {
		host = askedHost
	}
	if host == "" || host == "::" || host == "0.0.0.0" {
		host = "localhost"
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return host + ":" + port
}

// splitList splits a comma-separated flag value, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}
