package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/uptake-nhs/uptake/accounts"
	"github.com/uptake-nhs/uptake/cmd/uptake/delivery"
	"github.com/uptake-nhs/uptake/dashboard"
	"github.com/uptake-nhs/uptake/dashboard/pdf"
	"github.com/uptake-nhs/uptake/db"
	"github.com/uptake-nhs/uptake/queries"
)

// reportCommand writes a quarter's reports: the commissioner's pack (PDF,
// with a spreadsheet of every practice) and each practice's list of
// outcomes to code and people to follow up (PDF and XLSX). The files are
// the dashboard's print pages, made in this process by the same views as
// the screen, and printed by one headless Chromium for the whole run.
type reportCommand struct {
	stdout, stderr io.Writer

	dbPath     string
	quarter    string
	outDir     string
	practice   string
	configPath string
	area       string
	packOnly   bool
	jobs       int
	send       bool
	dryRun     bool

	db      *sql.DB
	printer *pdf.Printer
	dash    *dashboard.Server
	// newPrinter starts Chromium; tests replace it to run without one.
	newPrinter func() (*pdf.Printer, error)
	// outputs are the files Run wrote.
	outputs reportOutputs
	// deliveryOptions, when set, adjusts how --send sends (tests: no
	// waiting between attempts).
	deliveryOptions func(*delivery.Options)
}

const reportSynopsis = "uptake report --db FILE --out DIR [--quarter 2026Q2] [--practice CODE | --pack-only] [--jobs N] [--area NAME] [--config FILE] [--send | --dry-run]"

func (c *reportCommand) parse(args []string) error {
	fs := newFlagSet("report", reportSynopsis, c.stderr)
	fs.StringVar(&c.dbPath, "db", "", "DuckDB database `file` to report on")
	fs.StringVar(&c.outDir, "out", "", "`folder` to write the reports to; created if missing")
	fs.StringVar(&c.quarter, "quarter", "", "the `quarter` to report, e.g. 2026Q2 (default: the latest loaded)")
	fs.StringVar(&c.practice, "practice", "", "write only this practice's list (ODS `code`), not the pack or the other practices'")
	fs.BoolVar(&c.packOnly, "pack-only", false, "write only the pack and its spreadsheet, not the practices' lists")
	fs.BoolVar(&c.send, "send", false, "then email each practice its own list and the commissioners the pack, through the relay of the configuration's delivery section")
	fs.BoolVar(&c.dryRun, "dry-run", false, "with --send or alone: write the files and list who would get what, sending nothing")
	fs.IntVar(&c.jobs, "jobs", 2, "how many practices' files to make at once")
	fs.StringVar(&c.area, "area", "", "the `name` of the area the service covers, for the pack's cover")
	fs.StringVar(&c.configPath, "config", "", "configuration `file` (JSON; docs/configuration.md)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		fmt.Fprintf(c.stderr, "uptake report: unexpected argument %q\n", fs.Arg(0))
		return errUsage
	case c.dbPath == "":
		fmt.Fprintln(c.stderr, "uptake report: --db is required: the database file to report on")
		return errUsage
	case c.outDir == "":
		fmt.Fprintln(c.stderr, "uptake report: --out is required: the folder to write the reports to")
		return errUsage
	case (c.send || c.dryRun) && c.configPath == "":
		fmt.Fprintln(c.stderr, "uptake report: --send and --dry-run need --config: the configuration file with the delivery section (docs/configuration.md)")
		return errUsage
	case c.packOnly && c.practice != "":
		fmt.Fprintln(c.stderr, "uptake report: --pack-only and --practice ask for different files: give one")
		return errUsage
	}
	if c.newPrinter == nil {
		c.newPrinter = pdf.New
	}
	return nil
}

// Run writes the reports and prints each file it wrote.
func (c *reportCommand) Run(ctx context.Context) error {
	start := time.Now()
	set, err := loadSettings(c.configPath)
	if err != nil {
		return err
	}
	if _, err := os.Stat(c.dbPath); err != nil {
		return fmt.Errorf("no database %s: %w", c.dbPath, err)
	}
	conn, err := db.OpenWith(ctx, c.dbPath, set.Database)
	if db.IsLockConflict(err) {
		return fmt.Errorf("%s is open in a running uptake server, and DuckDB lets no other process read a file while one writes it: "+
			"download the reports from the server (Overview, and each practice's page), or stop it and run uptake report again", c.dbPath)
	}
	if err != nil {
		return err
	}
	c.db = conn
	store, err := queries.Open(ctx, conn, set.Config)
	if err != nil {
		return err
	}
	// A PDF needs Chromium; without it the reports are written as HTML.
	if c.printer, err = c.newPrinter(); err != nil {
		fmt.Fprintf(c.stderr, "uptake report: cannot make PDFs: %v.\nWriting the reports as HTML instead: open them in a browser to read or print them.\n", err)
		c.printer = nil
	}
	opts := dashboard.Options{Accounts: accounts.New(conn), Logger: slog.New(slog.NewTextHandler(c.stderr, &slog.HandlerOptions{Level: slog.LevelWarn})), Area: c.area}
	if c.printer != nil {
		opts.PDF = c.printer
	}
	if c.dash, err = dashboard.New(store, opts); err != nil {
		return err
	}
	quarter, err := c.dash.ReportQuarter(ctx, c.quarter)
	if err != nil {
		return err
	}
	codes, err := c.dash.ReportPractices(ctx)
	if err != nil {
		return err
	}
	if c.practice != "" {
		if !slices.Contains(codes, c.practice) {
			return fmt.Errorf("%s is not a practice in %s", c.practice, c.dbPath)
		}
		codes = []string{c.practice}
	}
	if c.packOnly {
		codes = nil
	}
	dirs := c.outDir
	if len(codes) > 0 {
		dirs = filepath.Join(c.outDir, "practices")
	}
	if err := os.MkdirAll(dirs, 0o750); err != nil {
		return err
	}
	var mu sync.Mutex // guards written and practiceFiles
	var written []string
	practiceFiles := map[string][]string{}
	write := func(rel string, b []byte) (string, error) {
		path := filepath.Join(c.outDir, rel)
		if err := writeFileAtomic(path, b); err != nil {
			return "", err
		}
		mu.Lock()
		written = append(written, path)
		mu.Unlock()
		return path, nil
	}
	var packFiles []string
	if c.practice == "" {
		fmt.Fprintf(c.stderr, "pack for %s...\n", quarter)
		name := dashboard.PackFileName(quarter)
		var b []byte
		if c.printer != nil {
			b, err = c.dash.PackPDF(ctx, quarter)
		} else {
			name = strings.TrimSuffix(name, ".pdf") + ".html"
			b, err = c.dash.PackHTML(ctx, quarter)
		}
		if err != nil {
			return fmt.Errorf("the pack: %w", err)
		}
		path, err := write(name, b)
		if err != nil {
			return err
		}
		packFiles = append(packFiles, path)
		if b, err = c.dash.PackXLSX(ctx, quarter); err != nil {
			return fmt.Errorf("the pack's spreadsheet: %w", err)
		}
		if path, err = write(dashboard.PackXLSXFileName(quarter), b); err != nil {
			return err
		}
		packFiles = append(packFiles, path)
	}
	// The practices' files, --jobs at a time: each waits mostly on
	// Chromium printing, which runs in a process of its own.
	one := func(ctx context.Context, code string) error {
		b, err := c.dash.PracticeXLSX(ctx, code, quarter)
		if err != nil {
			return fmt.Errorf("practice %s: %w", code, err)
		}
		xlsx, err := write(filepath.Join("practices", dashboard.PracticeFileName(code, quarter, "xlsx")), b)
		if err != nil {
			return err
		}
		ext := "pdf"
		if c.printer != nil {
			b, err = c.dash.PracticePDF(ctx, code, quarter)
		} else {
			ext = "html"
			b, err = c.dash.PracticeHTML(ctx, code, quarter)
		}
		if err != nil {
			return fmt.Errorf("practice %s: %w", code, err)
		}
		doc, err := write(filepath.Join("practices", dashboard.PracticeFileName(code, quarter, ext)), b)
		if err != nil {
			return err
		}
		mu.Lock()
		practiceFiles[code] = []string{doc, xlsx}
		mu.Unlock()
		return nil
	}
	if err := eachPractice(ctx, codes, max(1, c.jobs), c.stderr, one); err != nil {
		return err
	}
	c.outputs = reportOutputs{Quarter: quarter, Pack: packFiles, Practices: practiceFiles}
	fmt.Fprintf(c.stdout, "Wrote %d files for %s to %s in %s.\n", len(written), quarter, c.outDir, time.Since(start).Round(100*time.Millisecond))
	if c.send || c.dryRun {
		return c.deliver(ctx, set, conn)
	}
	return nil
}

// deliver emails the files just written (package delivery): each
// practice its own list, the commissioners the pack. Every message sent
// or failed is written to the audit log as done by the command line's
// user; a failure makes the command fail, after the others are tried.
func (c *reportCommand) deliver(ctx context.Context, set settings, conn *sql.DB) error {
	if set.Delivery == nil {
		return fmt.Errorf("%s has no delivery section: it names the SMTP relay, the sender, the commissioners and the practices' contacts file (docs/configuration.md)", c.configPath)
	}
	opts := delivery.Options{DryRun: c.dryRun, Log: c.stderr,
		Audit: delivery.AuditTo(accounts.New(conn), cliActor("uptake report"))}
	if c.deliveryOptions != nil {
		c.deliveryOptions(&opts)
	}
	out := delivery.Outputs{Quarter: c.outputs.Quarter, Pack: c.outputs.Pack, Practices: c.outputs.Practices}
	res, err := delivery.Deliver(ctx, *set.Delivery, out, opts)
	switch {
	case c.dryRun:
		fmt.Fprintf(c.stdout, "Dry run: nothing was sent (%d messages planned).\n", len(res.Outcomes))
	default:
		fmt.Fprintf(c.stdout, "Sent %d messages; %d failed.\n", res.Sent, res.Failed)
	}
	if len(res.Missing) > 0 {
		fmt.Fprintf(c.stdout, "No address in the contacts file, so not sent: %s.\n", strings.Join(res.Missing, ", "))
	}
	if err != nil {
		return fmt.Errorf("delivery: %w", err)
	}
	return nil
}

// reportOutputs are the files a run wrote: the pack's, and each
// practice's by code.
type reportOutputs struct {
	Quarter   string
	Pack      []string
	Practices map[string][]string
}

// eachPractice runs one for each code, jobs at a time, printing progress
// as each starts; the first error stops the others and is returned.
func eachPractice(ctx context.Context, codes []string, jobs int, progress io.Writer, one func(context.Context, string) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for range jobs {
		wg.Go(func() {
			for i := range next {
				mu.Lock()
				fmt.Fprintf(progress, "practice %d of %d: %s\n", i+1, len(codes), codes[i])
				mu.Unlock()
				if err := one(ctx, codes[i]); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					cancel()
				}
			}
		})
	}
feed:
	for i := range codes {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}

// writeFileAtomic writes b to path through a temporary file beside it,
// readable only by the user (the practices' files name patients), so that
// a killed run never leaves half a file under the final name.
func writeFileAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".uptake-report-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}

// Close stops Chromium and the print listener and closes the database.
func (c *reportCommand) Close() error {
	var errs []error
	if c.dash != nil {
		errs = append(errs, c.dash.Close())
		c.dash = nil
	}
	if c.printer != nil {
		errs = append(errs, c.printer.Close())
		c.printer = nil
	}
	if c.db != nil {
		errs = append(errs, c.db.Close())
		c.db = nil
	}
	return errors.Join(errs...)
}
