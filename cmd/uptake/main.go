// Command uptake loads quarterly extracts about diabetes education
// referrals into DuckDB and serves the dashboard over them.
//
//	uptake [serve] [--db FILE] [--addr ADDR]   serve the dashboard (the default)
//	uptake ingest --db FILE DIR...              load quarter folders
//	uptake generate --out DIR [--seed N] ...    write synthetic extracts
//	uptake export --db FILE --parquet DIR       write the warehouse as Parquet
//	uptake report --db FILE --out DIR ...        write a quarter's pack and practice lists
//	uptake bench [--sizes ...] [--json FILE]    measure at several data sizes
//	uptake user add|list|disable|enable|reset   manage who may sign in
//
// Run `uptake help` for every flag.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	m := NewMain()
	err := m.ParseFlags(ctx, os.Args[1:])
	if err == nil {
		err = m.Run(ctx)
	}
	stop()
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case errors.Is(err, errUsage):
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "uptake:", err)
		os.Exit(1)
	}
}

// errUsage means the command line was wrong and usage has been printed.
var errUsage = errors.New("usage")

// command is one subcommand: it parses its own flags, runs, and releases
// what it opened.
type command interface {
	parse(args []string) error
	Run(ctx context.Context) error
	Close() error
}

// Main is the program, kept separate from main so that end-to-end tests can
// run it in-process with their own arguments and output.
type Main struct {
	Stdin  io.Reader // passwords for `uptake user`; nil reads as empty
	Stdout io.Writer
	Stderr io.Writer

	cmd command
}

// NewMain returns a Main reading the process's stdin and writing to its
// stdout and stderr.
func NewMain() *Main {
	return &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}
}

// ParseFlags chooses the subcommand from args and parses its flags. With no
// subcommand, uptake serves the dashboard.
func (m *Main) ParseFlags(ctx context.Context, args []string) error {
	name := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		name, args = args[0], args[1:]
	}
	switch name {
	case "serve":
		m.cmd = &serveCommand{stdout: m.Stdout, stderr: m.Stderr}
	case "ingest":
		m.cmd = &ingestCommand{stdout: m.Stdout, stderr: m.Stderr}
	case "generate":
		m.cmd = &generateCommand{stdout: m.Stdout, stderr: m.Stderr}
	case "bench":
		m.cmd = &benchCommand{stdout: m.Stdout, stderr: m.Stderr}
	case "export":
		m.cmd = &exportCommand{stdout: m.Stdout, stderr: m.Stderr}
	case "report":
		m.cmd = &reportCommand{stdout: m.Stdout, stderr: m.Stderr}
	case "user":
		m.cmd = &userCommand{stdin: m.Stdin, stdout: m.Stdout, stderr: m.Stderr}
	case "help", "-h", "--help":
		fmt.Fprint(m.Stdout, usage)
		return flag.ErrHelp
	default:
		fmt.Fprintf(m.Stderr, "uptake: unknown command %q\n\n%s", name, usage)
		return errUsage
	}
	return m.cmd.parse(args)
}

// Run runs the chosen subcommand until it finishes or ctx is cancelled.
func (m *Main) Run(ctx context.Context) error {
	if m.cmd == nil {
		return errors.New("ParseFlags was not called")
	}
	return m.cmd.Run(ctx)
}

// Close releases the database and anything else the subcommand opened.
func (m *Main) Close() error {
	if m.cmd == nil {
		return nil
	}
	return m.cmd.Close()
}

// newFlagSet makes a flag set that reports errors instead of exiting, and
// prints its usage to w.
func newFlagSet(name, synopsis string, w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(w)
	fs.Usage = func() {
		fmt.Fprintf(w, "usage: %s\n\nflags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args into fs, turning a parse failure into errUsage
// (the flag package has already printed why).
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	return nil
}

const usage = `uptake: uptake of diabetes structured education, from quarterly extracts to dashboard.

usage:
  uptake [serve] [--db FILE] [--addr ADDR] [--config FILE]
        Serve the dashboard. Without --db, uses uptake-sample.duckdb in the current
        folder and loads the shipped sample data into it on first start. With
        --parquet DIR, serves an export (uptake export); --db then holds only the app state.
  uptake ingest --db FILE [--config FILE] DIR...
        Load quarter folders (e.g. 2026Q2/) of CSV or XLSX extracts. If a server
        holds the database, the load is handed to it and it shows the new data at once.
  uptake generate --out DIR [--seed N] [--practices P] [--quarters Q]
        Write synthetic, internally consistent extracts (the sample data's source).
  uptake export --db FILE --parquet DIR [--config FILE]
        Write the warehouse as Parquet, one folder per table partitioned by quarter
        (DIR/TABLE/quarter=2026Q2/), for DuckDB, Spark or Trino, or for
        uptake serve --db APP.duckdb --parquet DIR. Users and the audit log are not
        exported. DIR must be new, empty or a previous export, which is replaced.
  uptake report --db FILE --out DIR [--quarter 2026Q2] [--practice CODE | --pack-only] [--jobs N] [--area NAME] [--config FILE] [--send | --dry-run]
        Write a quarter's reports (default: the latest loaded): the commissioner's pack,
        DIR/uptake-pack-QUARTER.pdf, with every practice's figures beside it in
        DIR/uptake-pack-QUARTER-practices.xlsx, and for each practice (or only --practice)
        DIR/practices/CODE-QUARTER.pdf and .xlsx (unless --pack-only): the people whose
        outcome it was told of, with the code to enter, and its non-attenders to follow up. PDFs need Chromium
        (apt-get install chromium); without it the PDFs are written as HTML. --send then
        emails each practice its own list and the commissioners the pack through the relay of
        the configuration's delivery section (audited; non-zero exit if any fails); --dry-run
        lists who would get what and sends nothing.
  uptake bench [--sizes borough,region,england] [--json FILE] [--dir DIR] [--runs N]
        Measure ingest against plain DuckDB read_csv, every indicator, every page and
        JSON source of a running server, and peak memory, at each size in one run,
        and print the tables the README shows (about 4 minutes on 2 cores).
  uptake user add --db FILE --username NAME --role ROLE [--practice CODE] [--name "FULL NAME"]
  uptake user list --db FILE
  uptake user disable|enable|reset --db FILE USERNAME
        Manage who may sign in. Roles: commissioner, service_lead, practice (with
        --practice, the practice's ODS code) and admin. add and reset read the new
        password from the terminal (asked twice, not shown) or the first line of a
        pipe; reset makes the user choose their own at the next sign-in. If a server
        holds the database, the change is handed to it and takes effect at once.
  uptake help
        Show this text. Each command also takes -h.
`
