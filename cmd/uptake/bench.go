package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/uptake-nhs/uptake/ingest/generate"
)

// benchSize is one data size the bench measures.
type benchSize struct {
	Name      string `json:"name"`
	Practices int    `json:"practices"`
}

// benchSizes are the named sizes: a borough (a commissioner's patch), an
// NHS region, and England.
var benchSizes = []benchSize{
	{"borough", 50},
	{"region", 1300},
	{"england", 6500},
}

// benchCommand measures uptake at several data sizes in one run: ingest
// against plain DuckDB read_csv, every indicator, every page and JSON
// source of a running server, and peak memory (docs in the README,
// "Measuring performance").
type benchCommand struct {
	stdout, stderr io.Writer

	sizes      []benchSize
	quarters   int
	runs       int
	clients    int
	dir        string
	keep       bool
	jsonPath   string
	configPath string
	settings   settings // read from configPath; the engine settings go to every phase
	exe        string   // the uptake binary the ingest and serve phases run
}

func (c *benchCommand) parse(args []string) error {
	fs := newFlagSet("bench", "uptake bench [--sizes borough,region,england] [--json FILE] [--dir DIR] [--runs N]", c.stderr)
	sizes := fs.String("sizes", "borough,region,england", "comma-separated `sizes`: borough (50 practices), region (1,300), england (6,500), or a number of practices")
	fs.IntVar(&c.quarters, "quarters", 20, "`quarters` of data at every size (20 is five years)")
	fs.IntVar(&c.runs, "runs", 20, "timed `runs` of each indicator and each request, after one untimed warm-up")
	fs.IntVar(&c.clients, "clients", 50, "concurrent `clients` in the load phase, each accepting gzip and revalidating with If-None-Match as a browser does")
	fs.StringVar(&c.dir, "dir", "", "work `folder` for generated extracts and databases (default: a new temporary folder, removed afterwards unless --keep)")
	fs.BoolVar(&c.keep, "keep", false, "keep the work folder; a later run with the same --dir reuses its extracts")
	fs.StringVar(&c.jsonPath, "json", "", "also write the results as JSON to `file`")
	fs.StringVar(&c.configPath, "config", "", "configuration `file`, whose database section (memory_limit, threads) every phase uses")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(c.stderr, "uptake bench: unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	for _, s := range splitList(*sizes) {
		size, err := parseBenchSize(s)
		if err != nil {
			fmt.Fprintf(c.stderr, "uptake bench: --sizes: %v\n", err)
			return errUsage
		}
		c.sizes = append(c.sizes, size)
	}
	switch {
	case len(c.sizes) == 0:
		fmt.Fprintln(c.stderr, "uptake bench: --sizes names no size")
		return errUsage
	case c.quarters < 1 || c.quarters > 40:
		fmt.Fprintln(c.stderr, "uptake bench: --quarters must be 1-40")
		return errUsage
	case c.runs < 2:
		fmt.Fprintln(c.stderr, "uptake bench: --runs must be at least 2")
		return errUsage
	case c.clients < 1:
		fmt.Fprintln(c.stderr, "uptake bench: --clients must be at least 1")
		return errUsage
	}
	return nil
}

// parseBenchSize reads a named size or a number of practices.
func parseBenchSize(s string) (benchSize, error) {
	for _, size := range benchSizes {
		if strings.EqualFold(s, size.Name) {
			return size, nil
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 20000 {
		return benchSize{}, fmt.Errorf("%q is not borough, region, england or a number of practices (1-20000)", s)
	}
	return benchSize{Name: s + " practices", Practices: n}, nil
}

// Run measures each size in turn, printing progress to stderr, then prints
// the tables to stdout and writes the JSON.
func (c *benchCommand) Run(ctx context.Context) error {
	set, err := loadSettings(c.configPath)
	if err != nil {
		return err
	}
	c.settings = set
	if c.exe, err = os.Executable(); err != nil {
		return fmt.Errorf("finding the uptake binary to run: %w", err)
	}
	if c.dir == "" {
		if c.dir, err = os.MkdirTemp("", "uptake-bench-"); err != nil {
			return err
		}
		if !c.keep {
			defer os.RemoveAll(c.dir)
		}
	} else if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return err
	}
	rep := benchReport{
		Machine:  readMachine(),
		Started:  time.Now().UTC().Truncate(time.Second),
		Quarters: c.quarters, Runs: c.runs, Clients: c.clients,
		MemoryLimit: c.settings.Database.MemoryLimit, Threads: c.settings.Database.Threads,
	}
	for _, size := range c.sizes {
		c.logf("== %s: %d practices, %d quarters", size.Name, size.Practices, c.quarters)
		r, err := c.measure(ctx, size)
		if err != nil {
			return fmt.Errorf("bench %s: %w", size.Name, err)
		}
		rep.Sizes = append(rep.Sizes, r)
		if !c.keep {
			// The extracts stay for a later run; the databases are
			// large and rebuilt every time.
			os.RemoveAll(filepath.Join(c.dir, sizeDirName(size), "db"))
		}
	}
	rep.Finished = time.Now().UTC().Truncate(time.Second)
	if c.jsonPath != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(c.jsonPath, append(b, '\n'), 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", c.jsonPath, err)
		}
	}
	return rep.writeMarkdown(c.stdout)
}

// Close has nothing to release: each phase closes what it opened.
func (c *benchCommand) Close() error { return nil }

func (c *benchCommand) logf(format string, args ...any) {
	fmt.Fprintf(c.stderr, "bench: "+format+"\n", args...)
}

func sizeDirName(s benchSize) string {
	return strings.ReplaceAll(s.Name, " ", "-")
}

// measure runs every phase for one size.
func (c *benchCommand) measure(ctx context.Context, size benchSize) (sizeReport, error) {
	r := sizeReport{Name: size.Name, Practices: size.Practices, Quarters: c.quarters}
	base := filepath.Join(c.dir, sizeDirName(size))
	extracts := filepath.Join(base, "extracts")
	dbDir := filepath.Join(base, "db")
	if err := os.RemoveAll(dbDir); err != nil {
		return r, err
	}
	if err := os.MkdirAll(dbDir, 0o755); err != nil {
		return r, err
	}

	m, took, err := c.extracts(extracts, size)
	if err != nil {
		return r, err
	}
	r.GenerateSeconds = seconds(took)
	for _, n := range m.Totals {
		r.Rows += int64(n.Rows)
	}
	quarters := make([]string, len(m.Quarters))
	for i, q := range m.Quarters {
		quarters[i] = filepath.Join(extracts, q.Quarter)
	}
	if r.CSVBytes, err = folderBytes(extracts); err != nil {
		return r, err
	}

	c.logf("plain DuckDB read_csv of the same files")
	if r.ReadCSV, err = readCSVBaseline(ctx, filepath.Join(dbDir, "read_csv.duckdb"), extracts, c.settings.Database); err != nil {
		return r, fmt.Errorf("read_csv baseline: %w", err)
	}
	os.Remove(filepath.Join(dbDir, "read_csv.duckdb"))

	dbPath := filepath.Join(dbDir, "uptake.duckdb")
	c.logf("uptake ingest of %d quarters", len(quarters))
	if r.Ingest, err = c.timeIngest(ctx, dbPath, quarters, filepath.Join(base, "ingest.log")); err != nil {
		return r, err
	}
	r.Ingest.RowsPerSecond = float64(r.Rows) / r.Ingest.Seconds
	if r.ReadCSV.RowsPerSecond > 0 {
		r.Ingest.ShareOfReadCSV = r.Ingest.RowsPerSecond / r.ReadCSV.RowsPerSecond
		if r.Ingest.LoadSeconds > 0 {
			r.Ingest.LoadShareOfReadCSV = float64(r.Rows) / r.Ingest.LoadSeconds / r.ReadCSV.RowsPerSecond
		}
	}
	if fi, err := os.Stat(dbPath); err == nil {
		r.DatabaseBytes = fi.Size()
	}

	if len(quarters) > 1 {
		c.logf("uptake ingest of the last quarter into a database of the others")
		if r.AddQuarter, err = c.timeAddQuarter(ctx, dbDir, base, quarters); err != nil {
			return r, fmt.Errorf("adding a quarter: %w", err)
		}
	}

	c.logf("indicators under every filter of the matrix, %d runs each", c.runs)
	practice, users, err := c.timeIndicators(ctx, dbPath, &r)
	if err != nil {
		return r, err
	}
	r.Practice = practice

	c.logf("server, every page and JSON source, result cache off")
	if err := c.timeServer(ctx, dbPath, practice, users, &r); err != nil {
		return r, err
	}
	return r, nil
}

// extracts generates the size's extracts, or reuses those a kept earlier
// run wrote with the same options.
func (c *benchCommand) extracts(dir string, size benchSize) (generate.Manifest, time.Duration, error) {
	opts := generate.DefaultOptions()
	opts.Out, opts.Practices, opts.Quarters = dir, size.Practices, c.quarters
	// Clean CSV, as a warehouse's nightly export would be; the sample data
	// shows the messy formats.
	opts.BadRows, opts.MixedFormats = false, false
	var m generate.Manifest
	if b, err := os.ReadFile(filepath.Join(dir, "manifest.json")); err == nil && json.Unmarshal(b, &m) == nil {
		if m.Options.Seed == opts.Seed && m.Options.Practices == opts.Practices && m.Options.Quarters == opts.Quarters &&
			m.Options.LastQuarter == opts.LastQuarter && !m.Options.BadRows && !m.Options.MixedFormats {
			c.logf("reusing the extracts in %s", dir)
			return m, 0, nil
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		return m, 0, err
	}
	c.logf("generating extracts in %s", dir)
	start := time.Now()
	gm, err := generate.Generate(opts)
	if err != nil {
		return m, 0, err
	}
	return *gm, time.Since(start), nil
}

// folderBytes is the size of the files under dir, which may be a link to
// extracts kept elsewhere.
func folderBytes(dir string) (int64, error) {
	dir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return 0, err
	}
	var n int64
	err = filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			fi, err := d.Info()
			if err != nil {
				return err
			}
			n += fi.Size()
		}
		return nil
	})
	return n, err
}

func seconds(d time.Duration) float64 { return d.Seconds() }
