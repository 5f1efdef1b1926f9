package ingest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/uptake-nhs/uptake/db"
)

// A Parquet export is the warehouse written as files that DuckDB, Spark or
// Trino can query on any number of machines: every warehouse table (the
// extract tables of the data contract, loads and rejected_rows) becomes a
// folder of Parquet files partitioned by quarter in hive layout,
//
//	DIR/referrals/quarter=2026Q2/data_0.parquet
//
// beside a manifest, DIR/uptake-export.json (ExportManifest). The
// partition column is not stored inside the files: readers take it from
// the folder name (hive partitioning). Users, sessions and the audit log
// (migration 002) are never exported: they hold password hashes and who
// did what, not warehouse data.
//
// Times of day (courses.start_time) are written as text, HH:MM, not as
// Parquet TIME, which Spark 3 cannot read; the manifest says so per column
// (ExportColumn.Format). Exports of format version 1 hold TIME, and are
// served all the same: the views cast either back to TIME.

// ExportManifestName is the file in an export's folder that describes it
// and marks the folder as an uptake export.
const ExportManifestName = "uptake-export.json"

// ExportFormat is the manifest's format name, and ExportFormatVersion the
// version of the layout it describes: 2 writes times of day as HH:MM text,
// 1 wrote them as Parquet TIME. UseParquetSource serves both.
const (
	ExportFormat        = "uptake-parquet-export"
	ExportFormatVersion = 2
)

// timeOfDayFormat is the manifest's Format of a time of day written as text.
const timeOfDayFormat = "HH:MM"

// ExportManifest describes a Parquet export: where it came from, when, and
// the rows of every table and quarter partition.
type ExportManifest struct {
	Format          string        `json:"format"`
	FormatVersion   int           `json:"format_version"`
	ExportID        string        `json:"export_id"`      // random; tells two exports of the same data apart
	SchemaVersion   int           `json:"schema_version"` // the warehouse's latest migration
	ContractVersion int           `json:"contract_version"`
	DataVersion     int64         `json:"data_version"` // max(load_id) of the exported loads
	ExportedAt      time.Time     `json:"exported_at"`  // UTC
	Layout          string        `json:"layout"`
	Tables          []ExportTable `json:"tables"`
}

// ExportTable is one exported table: its columns with their DuckDB types,
// in the table's order, and its rows in all and per quarter partition.
type ExportTable struct {
	Name     string           `json:"name"`
	Rows     int64            `json:"rows"`
	Quarters map[string]int64 `json:"quarters"`
	Columns  []ExportColumn   `json:"columns"`
}

// ExportColumn is a column of an exported table.
type ExportColumn struct {
	Name string `json:"name"`
	Type string `json:"type"` // DuckDB type in the files, e.g. VARCHAR, DATE, DECIMAL(4,1)
	// Format, if set, is how a text column holds a value of another type:
	// "HH:MM" for a time of day on the 24-hour clock (the warehouse's
	// TIME, which Spark 3 cannot read as Parquet).
	Format string `json:"format,omitempty"`
}

// Table returns the manifest's entry for the named table.
func (m ExportManifest) Table(name string) (ExportTable, bool) {
	for _, t := range m.Tables {
		if t.Name == name {
			return t, true
		}
	}
	return ExportTable{}, false
}

// ExportSummary is what ExportParquet wrote.
type ExportSummary struct {
	Dir      string // the export's folder, absolute
	Manifest ExportManifest
	Files    int   // Parquet files written
	Bytes    int64 // their total size
}

// WarehouseTables names the tables a Parquet export holds: the extract
// tables of the data contract, in loading order, then loads and
// rejected_rows. Each has a quarter column to partition by.
func WarehouseTables() []string {
	return append(tableNames(), "loads", "rejected_rows")
}

// ErrHoldsData is wrapped by UseParquetSource when the database already
// holds loaded rows, which serving an export would hide and drop.
var ErrHoldsData = errors.New("the database already holds loaded data")

// ExportParquet writes every warehouse table of db (WarehouseTables) to dir
// as Parquet partitioned by quarter, with the manifest, all from one
// snapshot of the database.
//
// dir must be missing, empty, or a previous export (a folder holding only
// a manifest and table folders); anything else is refused, so that no file
// uptake did not write is ever deleted. The export is written into a new
// folder beside dir and renamed into place only when complete: a killed
// export leaves dir as it was (or, if killed between the two renames of a
// replacement, missing) and never half-written. Folders named
// .NAME.uptake-export-* beside dir are left by such a kill and may be
// deleted.
//
// The database is exported at the schema version it has (recorded in the
// manifest), which must not be newer than this program's. Whether an
// export fits a newer schema is checked when it is served
// (UseParquetSource).
func ExportParquet(ctx context.Context, db *sql.DB, dir string) (ExportSummary, error) {
	target, err := exportTarget(dir)
	if err != nil {
		return ExportSummary{}, err
	}
	parent, base := filepath.Dir(target), filepath.Base(target)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return ExportSummary{}, fmt.Errorf("export to %s: %w", target, err)
	}
	tmp, err := os.MkdirTemp(parent, "."+base+".uptake-export-")
	if err != nil {
		return ExportSummary{}, fmt.Errorf("export to %s: a working folder beside it: %w", target, err)
	}
	placed := false
	defer func() {
		if !placed {
			os.RemoveAll(tmp)
		}
	}()

	m, err := writeExport(ctx, db, tmp)
	if err != nil {
		return ExportSummary{}, err
	}
	sum := ExportSummary{Dir: target, Manifest: m}
	if sum.Files, sum.Bytes, err = syncTree(tmp); err != nil {
		return ExportSummary{}, fmt.Errorf("export to %s: %w", target, err)
	}
	if err := replaceDir(tmp, target); err != nil {
		return ExportSummary{}, err
	}
	placed = true
	return sum, nil
}

// writeExport writes the tables and the manifest into the empty folder dir
// inside one transaction, so that every table comes from the same snapshot.
func writeExport(ctx context.Context, db *sql.DB, dir string) (ExportManifest, error) {
	m := ExportManifest{
		Format:          ExportFormat,
		FormatVersion:   ExportFormatVersion,
		ContractVersion: ContractVersion,
		Layout:          "TABLE/quarter=QUARTER/*.parquet (hive partitioning; quarter is VARCHAR, e.g. 2026Q2)",
	}
	id := make([]byte, 8)
	rand.Read(id)
	m.ExportID = hex.EncodeToString(id)

	latest, err := schemaVersion()
	if err != nil {
		return m, err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return m, err
	}
	defer tx.Rollback()
	if err := tx.QueryRowContext(ctx, query("writeExport.schema_version")).Scan(&m.SchemaVersion); err != nil {
		return m, fmt.Errorf("export: reading the schema version (is this an uptake database?): %w", err)
	}
	if m.SchemaVersion == 0 || m.SchemaVersion > latest {
		return m, fmt.Errorf("export: the database's schema is version %d, and this uptake knows versions 1 to %d; export it with the uptake that wrote it", m.SchemaVersion, latest)
	}
	if err := tx.QueryRowContext(ctx, query("writeExport.data_version")).Scan(&m.DataVersion); err != nil {
		return m, fmt.Errorf("export: reading the data version: %w", err)
	}
	m.ExportedAt = time.Now().UTC().Truncate(time.Second)
	for _, name := range WarehouseTables() {
		t, err := exportTable(ctx, tx, name, filepath.Join(dir, name))
		if err != nil {
			return m, fmt.Errorf("export %s: %w", name, err)
		}
		m.Tables = append(m.Tables, t)
	}
	if err := tx.Commit(); err != nil {
		return m, err
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return m, err
	}
	if err := os.WriteFile(filepath.Join(dir, ExportManifestName), append(b, '\n'), 0o644); err != nil {
		return m, err
	}
	return m, nil
}

// exportTable copies one table to Parquet files under path, one folder per
// quarter, and counts its rows per quarter in the same snapshot.
func exportTable(ctx context.Context, tx *sql.Tx, name, path string) (ExportTable, error) {
	t := ExportTable{Name: name, Quarters: map[string]int64{}}
	cols, err := tableColumns(ctx, tx, name)
	if err != nil {
		return t, err
	}
	t.Columns = exportedColumns(cols)
	hasQuarter := false
	for _, c := range cols {
		hasQuarter = hasQuarter || c.Name == "quarter"
	}
	if !hasQuarter {
		return t, errors.New("the table has no quarter column to partition by")
	}
	rows, err := tx.QueryContext(ctx, quarterCountsSQL(name))
	if err != nil {
		return t, err
	}
	for rows.Next() {
		var q string
		var n int64
		if err := rows.Scan(&q, &n); err != nil {
			rows.Close()
			return t, err
		}
		t.Quarters[q] = n
		t.Rows += n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return t, err
	}
	if t.Rows == 0 {
		// DuckDB writes no file for no rows; the manifest records the
		// table and its columns, and UseParquetSource serves it empty.
		return t, nil
	}
	_, err = tx.ExecContext(ctx, exportSQL(name, cols), path)
	return t, err
}

// tableColumns lists a table's or view's columns in order, with their types.
func tableColumns(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, name string) ([]ExportColumn, error) {
	rows, err := q.QueryContext(ctx, query("tableColumns"), sql.Named("table_name", name))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cols []ExportColumn
	for rows.Next() {
		var c ExportColumn
		if err := rows.Scan(&c.Name, &c.Type); err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("no table %s in the database", name)
	}
	return cols, nil
}

// exportTarget makes dir absolute, resolves a link to a folder, and checks
// that dir may be replaced: it is missing, empty or a previous export.
func exportTarget(dir string) (string, error) {
	if dir == "" || strings.ContainsRune(dir, 0) {
		return "", fmt.Errorf("export: %q is not a folder name", dir)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if filepath.Dir(abs) == abs {
		return "", fmt.Errorf("export: %s is a root folder; name a folder inside one", abs)
	}
	if resolved, err := filepath.EvalSymlinks(abs); err == nil {
		abs = resolved
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("export: %w", err)
	}
	info, err := os.Stat(abs)
	if errors.Is(err, fs.ErrNotExist) {
		return abs, nil
	}
	if err != nil {
		return "", fmt.Errorf("export: %w", err)
	}
	if !info.IsDir() {
		return "", fmt.Errorf("export: %s is a file, not a folder", abs)
	}
	if err := checkPreviousExport(abs); err != nil {
		return "", err
	}
	return abs, nil
}

// checkPreviousExport accepts an empty folder, or one holding an export's
// manifest and nothing but its table folders.
func checkPreviousExport(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if len(entries) == 0 {
		return nil
	}
	refuse := func(why string) error {
		return fmt.Errorf("export: %s is not empty and is not an uptake export (%s); choose a new or empty folder: uptake replaces only its own exports and never deletes other files", dir, why)
	}
	if _, err := ReadExportManifest(dir); err != nil {
		return refuse("no readable " + ExportManifestName)
	}
	known := map[string]bool{}
	for _, t := range WarehouseTables() {
		known[t] = true
	}
	for _, e := range entries {
		switch {
		case e.Name() == ExportManifestName && e.Type().IsRegular():
		case known[e.Name()] && e.IsDir():
		default:
			return refuse("it also holds " + e.Name())
		}
	}
	return nil
}

// replaceDir renames the finished export tmp to target, moving a previous
// export aside first and deleting it once the new one is in place.
func replaceDir(tmp, target string) error {
	_, err := os.Lstat(target)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.Rename(tmp, target); err != nil {
			return fmt.Errorf("export: putting the export in place: %w", err)
		}
		return syncDir(filepath.Dir(target))
	}
	if err != nil {
		return err
	}
	// Check again: the folder may have changed while the export ran.
	if err := checkPreviousExport(target); err != nil {
		return err
	}
	old := tmp + ".old"
	if err := os.Rename(target, old); err != nil {
		return fmt.Errorf("export: moving the previous export aside: %w", err)
	}
	if err := os.Rename(tmp, target); err != nil {
		if rerr := os.Rename(old, target); rerr != nil {
			return fmt.Errorf("export: putting the export in place: %w (the previous export is in %s)", err, old)
		}
		return fmt.Errorf("export: putting the export in place: %w", err)
	}
	if err := syncDir(filepath.Dir(target)); err != nil {
		return err
	}
	removeExport(old)
	return nil
}

// removeExport deletes a previous export: its manifest and table folders,
// then the folder if that left it empty. Anything else stays.
func removeExport(dir string) {
	for _, t := range WarehouseTables() {
		os.RemoveAll(filepath.Join(dir, t))
	}
	os.Remove(filepath.Join(dir, ExportManifestName))
	os.Remove(dir)
}

// syncTree flushes every file under dir to disk, so that a rename after it
// never exposes files the disk does not hold yet, and counts the Parquet
// files and their bytes.
func syncTree(dir string) (files int, bytes int64, err error) {
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return syncDir(path)
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := f.Sync(); err != nil {
			return err
		}
		if strings.HasSuffix(path, ".parquet") {
			info, err := f.Stat()
			if err != nil {
				return err
			}
			files++
			bytes += info.Size()
		}
		return nil
	})
	return files, bytes, err
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// ReadExportManifest reads and checks the manifest of the export in dir.
func ReadExportManifest(dir string) (ExportManifest, error) {
	var m ExportManifest
	b, err := os.ReadFile(filepath.Join(dir, ExportManifestName))
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("%s: %w", ExportManifestName, err)
	}
	if m.Format != ExportFormat {
		return m, fmt.Errorf("%s: format %q, want %q", ExportManifestName, m.Format, ExportFormat)
	}
	if m.FormatVersion < 1 || m.FormatVersion > ExportFormatVersion {
		return m, fmt.Errorf("%s: format version %d; this uptake reads versions 1 to %d: export again with this uptake", ExportManifestName, m.FormatVersion, ExportFormatVersion)
	}
	return m, nil
}

// UseParquetSource makes db read its warehouse tables from the Parquet
// export in dir (written by ExportParquet): each of WarehouseTables becomes
// a view over the export's files with the columns cast to the schema's
// types, and the quarter read from the folder names as VARCHAR. The
// database keeps its own tables for everything else (users, sessions, the
// audit log, and the derived tables package queries builds from the views),
// so it must be a database of its own for the app state: one that holds
// loaded rows is refused with an error wrapping ErrHoldsData and left as
// it was. A database already serving an export is pointed at dir again, so
// calling it at every start picks up a newer export.
//
// The views read the files as they are when queried, so replace an export
// only while no server reads it, or restart the server after. Loading a
// quarter into such a database fails: its extract tables are views.
// Migrations that alter warehouse tables cannot run on such a database;
// give it a new one for the app state after such an upgrade.
func UseParquetSource(ctx context.Context, db *sql.DB, dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if resolved, err := filepath.EvalSymlinks(abs); err == nil {
		abs = resolved
	}
	if strings.ContainsAny(abs, "*?[\x00") {
		return fmt.Errorf("parquet source %s: the folder's path holds one of * ? [ which DuckDB reads as a file pattern; move or rename the export", abs)
	}
	m, err := ReadExportManifest(abs)
	if err != nil {
		return fmt.Errorf("parquet source %s is not an uptake export (uptake export writes one): %w", abs, err)
	}

	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	kinds, err := objectKinds(ctx, tx)
	if err != nil {
		return err
	}
	for _, name := range WarehouseTables() {
		if kinds[name] != "table" {
			continue
		}
		var n int64
		if err := tx.QueryRowContext(ctx, countRowsSQL(name)).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("%w (%s has %d rows), which serving a Parquet export would drop; use a separate database for the app state", ErrHoldsData, name, n)
		}
	}
	for _, name := range WarehouseTables() {
		if err := parquetView(ctx, tx, kinds[name], name, abs, m); err != nil {
			return err
		}
	}

	if _, err := tx.ExecContext(ctx, query("UseParquetSource.parquet_source")); err != nil {
		return err
	}
	var prev string
	err = tx.QueryRowContext(ctx, query("UseParquetSource.previous_export")).Scan(&prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if prev != m.ExportID {
		// Package queries rebuilds its derived tables when derived_state
		// is missing or records another data version. Another export may
		// share the data version (another warehouse, or one exported
		// again after a restore), so make sure they are rebuilt.
		if _, err := tx.ExecContext(ctx, query("UseParquetSource.forget_derived")); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, query("UseParquetSource.forget_export")); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, query("UseParquetSource.record_export"), sql.Named("dir", abs), sql.Named("export_id", m.ExportID),
		sql.Named("data_version", m.DataVersion), sql.Named("exported_at", m.ExportedAt), sql.Named("attached_at", time.Now().UTC())); err != nil {
		return err
	}
	return tx.Commit()
}

// parquetView replaces the table or view name with a view over its files
// in the export at dir, and checks it against the manifest.
func parquetView(ctx context.Context, tx *sql.Tx, kind, name, dir string, m ExportManifest) error {
	if kind == "" {
		return fmt.Errorf("parquet source: no table %s in the database (was it migrated?)", name)
	}
	// The schema's types: the migrated table's, or the view's made from them.
	cols, err := tableColumns(ctx, tx, name)
	if err != nil {
		return err
	}
	t, ok := m.Table(name)
	if !ok {
		return fmt.Errorf("parquet source %s: the export has no table %s; export again with this uptake", dir, name)
	}
	files, err := filepath.Glob(filepath.Join(dir, name, "*", "*.parquet"))
	if err != nil {
		return err
	}
	if t.Rows > 0 && len(files) == 0 {
		return fmt.Errorf("parquet source %s: the manifest lists %d rows of %s but its folder holds no Parquet files; export again", dir, t.Rows, name)
	}
	if _, err := tx.ExecContext(ctx, dropObjectSQL(kind, name)); err != nil {
		return err
	}
	// Glob characters in dir were refused by UseParquetSource.
	// A column the contract added after the export was written (an
	// export of contract v1 has no practices.imd_quintile) reads as NULL.
	exported := map[string]bool{}
	for _, c := range t.Columns {
		exported[c.Name] = true
	}
	ct, _ := TableByName(name)
	var absent []string
	for _, c := range cols {
		if cc, i := ct.Column(c.Name); i >= 0 && cc.MayBeAbsent() && !exported[c.Name] && len(t.Columns) > 0 {
			absent = append(absent, c.Name)
		}
	}
	view := parquetViewSQL(name, cols, filepath.Join(dir, name, "*", "*.parquet"), t.Rows == 0, absent...)
	if _, err := tx.ExecContext(ctx, view); err != nil {
		return fmt.Errorf("parquet source %s: table %s does not match this uptake's schema (export again with this uptake): %w", dir, name, err)
	}
	var n int64
	if err := tx.QueryRowContext(ctx, countRowsSQL(name)).Scan(&n); err != nil {
		return fmt.Errorf("parquet source %s: reading %s: %w", dir, name, err)
	}
	if n != t.Rows {
		return fmt.Errorf("parquet source %s: %s holds %d rows but its manifest lists %d: the export is incomplete or was changed; export again", dir, name, n, t.Rows)
	}
	return nil
}

// objectKinds maps the main schema's tables and views to "table" or "view".
func objectKinds(ctx context.Context, tx *sql.Tx) (map[string]string, error) {
	rows, err := tx.QueryContext(ctx, query("objectKinds"))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	kinds := map[string]string{}
	for rows.Next() {
		var name, kind string
		if err := rows.Scan(&name, &kind); err != nil {
			return nil, err
		}
		kinds[name] = kind
	}
	return kinds, rows.Err()
}

// ParquetSource returns the folder of the Parquet export db serves
// (UseParquetSource), or "" when its warehouse tables are its own. Loads
// must be refused when it is not "".
func ParquetSource(ctx context.Context, db *sql.DB) (string, error) {
	var n int
	if err := db.QueryRowContext(ctx, query("ParquetSource.has_source")).Scan(&n); err != nil || n == 0 {
		return "", err
	}
	var dir string
	err := db.QueryRowContext(ctx, query("ParquetSource.dir")).Scan(&dir)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return dir, err
}

// schemaVersion is db.SchemaVersion, for functions whose *sql.DB is named db.
func schemaVersion() (int, error) { return db.SchemaVersion() }

// exportedColumns is how the manifest describes a table's columns (cols,
// with the table's types) in the files: a time of day as HH:MM text.
func exportedColumns(cols []ExportColumn) []ExportColumn {
	out := make([]ExportColumn, len(cols))
	for i, c := range cols {
		out[i] = c
		if c.Type == "TIME" {
			out[i] = ExportColumn{Name: c.Name, Type: "VARCHAR", Format: timeOfDayFormat}
		}
	}
	return out
}
