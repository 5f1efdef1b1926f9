package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/uptake-nhs/uptake"
	"github.com/uptake-nhs/uptake/db"
	"github.com/uptake-nhs/uptake/ingest"
)

// exportCommand writes the warehouse as Parquet partitioned by quarter
// (ingest.ExportParquet), for DuckDB, Spark or Trino beyond one machine,
// and for `uptake serve --parquet`.
type exportCommand struct {
	stdout, stderr io.Writer

	dbPath     string
	dir        string
	configPath string

	db *sql.DB
}

func (c *exportCommand) parse(args []string) error {
	fs := newFlagSet("export", "uptake export --db FILE --parquet DIR [--config FILE]", c.stderr)
	fs.StringVar(&c.dbPath, "db", "", "DuckDB database `file` to export (opened read-only)")
	fs.StringVar(&c.dir, "parquet", "", "`folder` to write the Parquet export to: new, empty, or a previous export, which is replaced")
	fs.StringVar(&c.configPath, "config", "", "configuration `file` (JSON; only its database section, DuckDB's memory and threads, matters here)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		fmt.Fprintf(c.stderr, "uptake export: unexpected argument %q\n", fs.Arg(0))
		return errUsage
	case c.dbPath == "":
		fmt.Fprintln(c.stderr, "uptake export: --db is required: the database file to export")
		return errUsage
	case c.dir == "":
		fmt.Fprintln(c.stderr, "uptake export: --parquet is required: the folder to write the export to")
		return errUsage
	}
	return nil
}

// Run exports the database and prints what it wrote.
func (c *exportCommand) Run(ctx context.Context) error {
	set, err := loadSettings(c.configPath)
	if err != nil {
		return err
	}
	conn, err := db.OpenReadOnly(ctx, c.dbPath, set.Database)
	if db.IsLockConflict(err) {
		return fmt.Errorf("%s is open in a running uptake server, and DuckDB lets no other process read a file while one writes it: stop the server, run uptake export again, then start the server again", c.dbPath)
	}
	if err != nil {
		return err
	}
	c.db = conn
	start := time.Now()
	fmt.Fprintf(c.stderr, "Exporting %s to %s...\n", c.dbPath, c.dir)
	sum, err := ingest.ExportParquet(ctx, conn, c.dir)
	if err != nil {
		return err
	}
	m := sum.Manifest
	var rows int64
	for _, t := range m.Tables {
		rows += t.Rows
	}
	fmt.Fprintf(c.stdout, "Exported %s (data version %d, schema version %d) to %s in %s: %d tables, %d rows, %d Parquet files, %.1f MB.\n",
		c.dbPath, m.DataVersion, m.SchemaVersion, sum.Dir, time.Since(start).Round(100*time.Millisecond),
		len(m.Tables), rows, sum.Files, float64(sum.Bytes)/1e6)
	for _, t := range m.Tables {
		fmt.Fprintf(c.stdout, "  %-15s %10d rows in %d quarters\n", t.Name, t.Rows, len(t.Quarters))
	}
	fmt.Fprintf(c.stdout, "Layout: TABLE/quarter=QUARTER/*.parquet, described by %s. Users, sessions and the audit log are not exported.\n", ingest.ExportManifestName)
	return nil
}

// Close closes the database.
func (c *exportCommand) Close() error {
	if c.db == nil {
		return nil
	}
	err := c.db.Close()
	c.db = nil
	return err
}

// useParquet points the server's database at the --parquet export, when
// given, and returns the folder of the export the database serves: "" when
// it serves its own tables. A database already holding loaded quarters is
// refused, not emptied.
func (c *serveCommand) useParquet(ctx context.Context, db *sql.DB) (string, error) {
	if c.parquetDir != "" {
		err := ingest.UseParquetSource(ctx, db, c.parquetDir)
		if errors.Is(err, ingest.ErrHoldsData) {
			return "", fmt.Errorf("%s already holds loaded quarters, which --parquet would replace with views over the export: give a separate --db for the app state (users, sessions, the audit log), e.g. --db app.duckdb", c.dbPath)
		}
		if err != nil {
			return "", err
		}
	}
	return ingest.ParquetSource(ctx, db)
}

// errReadsParquet refuses a quarter load into a server that reads a
// Parquet export: its extract tables are views over the export's files.
// The Data page shows the message.
var errReadsParquet = &uptake.Error{Code: uptake.EINVALID,
	Message: "this server reads a Parquet export; load into the warehouse database and export again. Nothing was loaded."}

// refuseParquetDB refuses `uptake ingest` into a database that serves a
// Parquet export (ingest.ParquetSource): its extract tables are views.
func refuseParquetDB(ctx context.Context, db *sql.DB, path string) error {
	src, err := ingest.ParquetSource(ctx, db)
	if err != nil {
		return err
	}
	if src != "" {
		return fmt.Errorf("%s reads the Parquet export %s; load into the warehouse database and export again", path, src)
	}
	return nil
}

// parquetHint adds advice to a failure to build the derived tables from a
// Parquet export. DuckDB knows less about Parquet files than about its own
// tables (no distinct counts) and picks other join orders: before the
// rebuild was made leaner, an England-scale export ran out of the default
// 1 GiB where loaded tables did not.
func parquetHint(parquet string, err error) error {
	if parquet == "" || !strings.Contains(err.Error(), "Out of Memory") {
		return err
	}
	return fmt.Errorf("%w\nBuilding the indicators' tables from a Parquet export takes more memory than from loaded tables: raise database.memory_limit in the configuration file (--config) or set database.threads to 1", err)
}
