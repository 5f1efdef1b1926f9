// Package db owns uptake's DuckDB database file: opening it with the
// engine settings of the configuration (Engine), bringing its schema up to
// date (Migrate, with the numbered files of migrations/), and the few
// engine-level operations the loaders need (DeferCheckpoints). Every table
// is created here, the warehouse tables that package ingest fills and the
// accounts tables of package accounts alike; the derived tables belong to
// package queries, which rebuilds them from the warehouse.
package db

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strconv"
	"strings"

	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" database/sql driver
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Open opens the DuckDB database file at path with the default engine
// settings; see OpenWith.
func Open(ctx context.Context, path string) (*sql.DB, error) {
	return OpenWith(ctx, path, DefaultEngine())
}

// OpenWith opens the DuckDB database file at path, creating it if needed,
// with the memory and thread settings of e, and brings its schema up to
// date. The caller owns the returned pool and must close it: DuckDB lets
// only one process write a file, and the lock is held until Close.
func OpenWith(ctx context.Context, path string, e Engine) (*sql.DB, error) {
	if err := e.Validate(); err != nil {
		return nil, err
	}
	db, err := sql.Open("duckdb", e.dsn(path))
	if err != nil {
		return nil, openError(path, err)
	}
	// sql.Open is lazy; ping so that a lock held by another process is
	// reported here, where IsLockConflict can recognise it.
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, openError(path, err)
	}
	if err := Migrate(ctx, db); err != nil {
		db.Close()
		return nil, openError(path, err)
	}
	return db, nil
}

// openError names the database file and, when the cause is a file that
// cannot be written, says so in words.
func openError(path string, err error) error {
	if cause := StorageCause(err.Error()); cause != "" && !IsLockConflict(err) {
		return fmt.Errorf("open database %s: %s: %w", path, cause, err)
	}
	return fmt.Errorf("open database %s: %w", path, err)
}

// IsLockConflict reports whether err is DuckDB refusing to open a database
// file because another process holds it. The CLI uses it to hand a load to
// the running server instead of failing.
func IsLockConflict(err error) bool {
	return err != nil && strings.Contains(err.Error(), "Could not set lock on file")
}

// migration is one numbered schema change, embedded from migrations/NNN_name.sql.
type migration struct {
	version int
	name    string
	sql     string
}

// Migrate applies, in order, every embedded migration the database has not
// recorded in schema_migrations. Each migration runs in its own transaction
// with its record, so a failure leaves the schema at the previous version.
func Migrate(ctx context.Context, db *sql.DB) error {
	migrations, err := loadMigrations()
	if err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER   NOT NULL PRIMARY KEY,
		name       VARCHAR   NOT NULL,
		applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp
	)`); err != nil {
		return fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	applied := map[int]bool{}
	rows, err := db.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return fmt.Errorf("migrate: read schema_migrations: %w", err)
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return fmt.Errorf("migrate: read schema_migrations: %w", err)
		}
		applied[v] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("migrate: read schema_migrations: %w", err)
	}
	for _, m := range migrations {
		if applied[m.version] {
			continue
		}
		if err := applyMigration(ctx, db, m); err != nil {
			return fmt.Errorf("migrate: %03d_%s: %w", m.version, m.name, err)
		}
	}
	return nil
}

func applyMigration(ctx context.Context, db *sql.DB, m migration) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES (?, ?)`, m.version, m.name); err != nil {
		return err
	}
	return tx.Commit()
}

// loadMigrations reads the embedded migration files, sorted by version, and
// refuses two files with the same number, which would make the order a guess.
func loadMigrations() ([]migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var out []migration
	seen := map[int]string{}
	for _, path := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(path, "migrations/"), ".sql")
		num, name, ok := strings.Cut(base, "_")
		version, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration file %s is not named NNN_name.sql", path)
		}
		if other, dup := seen[version]; dup {
			return nil, fmt.Errorf("migration files %s and %s share version %d", other, path, version)
		}
		seen[version] = path
		text, err := migrationFiles.ReadFile(path)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: version, name: name, sql: string(text)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	if len(out) == 0 {
		return nil, errors.New("no migrations embedded")
	}
	return out, nil
}

// StorageCause recognises, in an error from DuckDB or the operating
// system, a reason the database could not be written, and says it plainly;
// "" when it recognises none.
func StorageCause(msg string) string {
	has := func(subs ...string) bool {
		for _, s := range subs {
			if strings.Contains(msg, s) {
				return true
			}
		}
		return false
	}
	switch {
	case has("No space left on device", "Disk quota exceeded"):
		return "the disk is full; free some space and try again"
	case has("File too large"):
		return "the database file has reached the largest size the system allows it"
	case has("Permission denied", "Read-only file system", "read-only", "Operation not permitted"):
		return "the database file or its folder cannot be written (read-only, or owned by another user)"
	case has("Out of Memory Error"):
		return "the database ran out of memory (see its memory_limit setting)"
	case has("IO Error", "Could not write", "Failed to create directory", "Input/output error"):
		return "the database could not write to disk"
	}
	return ""
}

// OpenReadOnly opens an existing database file for reading only, with the
// memory and thread settings of e, as `uptake export` does: it neither
// creates nor migrates the file, so it works on a file this process may not
// write. DuckDB refuses it while another process holds the file for
// writing (IsLockConflict then reports true).
func OpenReadOnly(ctx context.Context, path string, e Engine) (*sql.DB, error) {
	if err := e.Validate(); err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	dsn := e.dsn(path)
	if len(dsn) > len(path) {
		dsn += "&access_mode=READ_ONLY"
	} else {
		dsn += "?access_mode=READ_ONLY"
	}
	db, err := sql.Open("duckdb", dsn)
	if err != nil {
		return nil, openError(path, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, openError(path, err)
	}
	return db, nil
}

// SchemaVersion is the version of the newest embedded migration: the
// schema a database has once Migrate has run.
func SchemaVersion() (int, error) {
	ms, err := loadMigrations()
	if err != nil {
		return 0, err
	}
	return ms[len(ms)-1].version, nil
}
