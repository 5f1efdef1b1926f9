package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/uptake-nhs/uptake/accounts"
	"github.com/uptake-nhs/uptake/db"
	"github.com/uptake-nhs/uptake/ingest"
	"github.com/uptake-nhs/uptake/queries"
)

// ingestCommand loads quarter folders, itself or through the server that
// holds the database.
type ingestCommand struct {
	stdout, stderr io.Writer

	dbPath           string
	configPath       string
	acceptRejections bool
	dirs             []string

	db *sql.DB
}

func (c *ingestCommand) parse(args []string) error {
	fs := newFlagSet("ingest", "uptake ingest --db FILE [--config FILE] [--accept-rejections] DIR...", c.stderr)
	fs.StringVar(&c.dbPath, "db", "", "DuckDB database `file` to load into (created if missing)")
	fs.StringVar(&c.configPath, "config", "", "configuration `file` (JSON; see docs/configuration.md)")
	fs.BoolVar(&c.acceptRejections, "accept-rejections", false, "load a quarter even if its files lose more rows to rejection than the configuration's rejection_ceiling allows, or most of its rows are dated in another quarter; written to the audit log")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	c.dirs = fs.Args()
	switch {
	case c.dbPath == "":
		fmt.Fprintln(c.stderr, "uptake ingest: --db is required: the database file to load into")
		return errUsage
	case len(c.dirs) == 0:
		fmt.Fprintln(c.stderr, "uptake ingest: name at least one quarter folder, e.g. 2026Q2/")
		return errUsage
	}
	return nil
}

// Run loads each folder in turn, each in its own transaction. A refused
// folder does not stop the others; the command fails if any was refused.
func (c *ingestCommand) Run(ctx context.Context) error {
	set, err := loadSettings(c.configPath)
	if err != nil {
		return err
	}
	cfg := set.Config
	progress := ingest.TerminalProgress(c.stderr)
	conn, err := db.OpenWith(ctx, c.dbPath, set.Database)
	if db.IsLockConflict(err) {
		fmt.Fprintf(c.stdout, "%s is open in a running uptake server: handing the load to it.\n", c.dbPath)
		return c.each(func(dir string) error {
			_, err := handOff(ctx, c.dbPath+".sock", loadRequest{Dir: dir, AcceptRejections: c.acceptRejections}, progress, c.stdout)
			return err
		})
	}
	if err != nil {
		return err
	}
	c.db = conn
	if err := refuseParquetDB(ctx, conn, c.dbPath); err != nil {
		return err
	}
	// Load every folder, then rebuild the derived tables once: no server
	// reads this file meanwhile (we hold its lock), and if we are killed
	// before the rebuild, the next queries.Open notices and rebuilds.
	loader := &ingest.Loader{DB: conn, Progress: progress, Aliases: set.Aliases, Ceiling: set.Rejections, AcceptRejections: c.acceptRejections}
	// One folder, the quarterly case, refreshes the derived tables inside
	// its load's transaction, where the store recomputes only what the
	// quarter touched (queries.Store.Refresh): far less than a rebuild of
	// every referral. Several are loaded first and rebuilt once, which
	// costs less than refreshing after each.
	var store *queries.Store
	var opening, refreshing time.Duration // refreshing: within the loads' time
	if len(c.dirs) == 1 {
		start := time.Now()
		if store, err = queries.Open(ctx, conn, cfg); err != nil {
			return fmt.Errorf("bringing the indicators up to date before the load: %w", err)
		}
		opening = time.Since(start)
		loader.AfterLoad = func(ctx context.Context, tx *sql.Tx) error {
			start := time.Now()
			defer func() { refreshing += time.Since(start) }()
			return store.Refresh(ctx, tx)
		}
	}
	users, actor := accounts.New(conn), cliActor("cli")
	changed := false
	// Many quarters in a row: checkpoint the file once, after the last,
	// not after every quarter's commit (see db.DeferCheckpoints), and
	// before the rebuild, which then has the memory to itself.
	restore, deferErr := db.DeferCheckpoints(ctx, conn)
	start := time.Now()
	var rows int64
	runErr := c.each(func(dir string) error {
		res, err := loader.LoadQuarter(ctx, dir)
		if aerr := auditLoad(context.WithoutCancel(ctx), users, actor, dir, res, err); aerr != nil {
			// The load itself stands (or failed) on its own.
			fmt.Fprintf(c.stderr, "warning: %s: the audit log could not record this load: %v\n", dir, aerr)
		}
		if err != nil {
			return err
		}
		res.Summary(c.stdout)
		if res.Action != ingest.ActionUnchanged {
			changed = true
			rows += res.Accepted + res.Rejected
		}
		return nil
	})
	if deferErr == nil && ctx.Err() == nil {
		if err := restore(ctx); err != nil {
			fmt.Fprintf(c.stderr, "warning: %v; the loads are safe in the database's log\n", err)
		}
	}
	loaded := time.Since(start)
	if changed && store != nil {
		fmt.Fprintf(c.stdout, ingestTotals+"\n", len(c.dirs), rows, (loaded - refreshing).Seconds(), (opening + refreshing).Seconds())
	} else if changed {
		fmt.Fprintln(c.stdout, "Updating indicators...")
		start := time.Now()
		if _, err := queries.Open(ctx, conn, cfg); err != nil {
			return errors.Join(runErr, fmt.Errorf("the data loaded, but rebuilding the indicators failed (the dashboard will retry on start): %w", err))
		}
		fmt.Fprintf(c.stdout, ingestTotals+"\n", len(c.dirs), rows, loaded.Seconds(), time.Since(start).Seconds())
	}
	return runErr
}

// ingestTotals is the last line of a load that changed data; `uptake
// bench` reads it to split loading from rebuilding the indicators.
const ingestTotals = "%d folders, %d rows read: loaded in %.2f s, indicators updated in %.2f s."

// each runs load for every folder, reporting refusals as it goes.
func (c *ingestCommand) each(load func(dir string) error) error {
	var failed []string
	for _, dir := range c.dirs {
		if err := load(dir); err != nil {
			fmt.Fprintf(c.stderr, "\n%s: not loaded: %v\n", dir, err)
			failed = append(failed, dir)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d of %d folders not loaded; nothing of them was changed", len(failed), len(c.dirs))
	}
	return nil
}

// Close closes the database if this process opened it.
func (c *ingestCommand) Close() error {
	if c.db == nil {
		return nil
	}
	err := c.db.Close()
	c.db = nil
	return err
}
