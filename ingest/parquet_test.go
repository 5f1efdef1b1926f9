package ingest

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/uptake-nhs/uptake/queries"
)

// loadSampleData loads the shipped sample quarters (../sample-data) into a
// fresh database. They include deliberately broken rows, so rejected_rows
// is not empty.
func loadSampleData(tb testing.TB) *sql.DB {
	tb.Helper()
	db, _ := openTestDB(tb)
	dirs, err := filepath.Glob(filepath.Join("..", "sample-data", "20*Q*"))
	if err != nil || len(dirs) == 0 {
		tb.Fatalf("no sample quarters: %v", err)
	}
	sort.Strings(dirs)
	l := testLoader(db)
	for _, dir := range dirs {
		mustLoad(tb, l, dir)
	}
	return db
}

// exportForTest exports db into a folder whose name holds a quote and a
// space, which the SQL must survive.
func exportForTest(tb testing.TB, db *sql.DB) (string, ExportSummary) {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "it's an export")
	sum, err := ExportParquet(context.Background(), db, dir)
	if err != nil {
		tb.Fatalf("ExportParquet: %v", err)
	}
	return dir, sum
}

// quarterCounts counts a query's rows per quarter.
func quarterCounts(tb testing.TB, db *sql.DB, query string, args ...any) map[string]int64 {
	tb.Helper()
	rows, err := db.Query(query, args...)
	if err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var q string
		var n int64
		if err := rows.Scan(&q, &n); err != nil {
			tb.Fatal(err)
		}
		out[q] = n
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

func sameCounts(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if bv, ok := b[k]; !ok || bv != v {
			return false
		}
	}
	return true
}

// columnList is a table's columns, comma-separated, in the table's order.
func columnList(tb testing.TB, db *sql.DB, table string) string {
	tb.Helper()
	cols, err := tableColumns(context.Background(), db, table)
	if err != nil {
		tb.Fatal(err)
	}
	var names []string
	for _, c := range cols {
		names = append(names, c.Name)
	}
	return strings.Join(names, ", ")
}

// castList is a table's columns, each cast to its type in the table.
func castList(tb testing.TB, db *sql.DB, table string) string {
	tb.Helper()
	cols, err := tableColumns(context.Background(), db, table)
	if err != nil {
		tb.Fatal(err)
	}
	var exprs []string
	for _, c := range cols {
		exprs = append(exprs, "CAST("+c.Name+" AS "+c.Type+")")
	}
	return strings.Join(exprs, ", ")
}

// TestExportParquetMatchesTables exports the sample data and reads the
// files back with DuckDB's own hive partitioning: every table, every
// quarter partition and every row (as a multiset) must equal the source
// table, and the manifest must say the same.
func TestExportParquetMatchesTables(t *testing.T) {
	db := loadSampleData(t)
	dir, sum := exportForTest(t, db)
	m, err := ReadExportManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if m.ExportID != sum.Manifest.ExportID || sum.Files == 0 || sum.Bytes == 0 {
		t.Errorf("summary %+v does not describe the export (manifest id %s)", sum, m.ExportID)
	}
	if want := count(t, db, `SELECT max(load_id) FROM loads`); m.DataVersion != want || want == 0 {
		t.Errorf("manifest data version %d, want max(load_id) %d", m.DataVersion, want)
	}
	if want, _ := schemaVersion(); m.SchemaVersion != want {
		t.Errorf("manifest schema version %d, want %d", m.SchemaVersion, want)
	}

	var names []string
	for _, table := range m.Tables {
		names = append(names, table.Name)
	}
	if got, want := strings.Join(names, " "), strings.Join(WarehouseTables(), " "); got != want {
		t.Errorf("manifest lists %s, want %s", got, want)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if _, ok := m.Table(e.Name()); !ok && e.Name() != ExportManifestName {
			t.Errorf("the export holds %s, which is no warehouse table", e.Name())
		}
	}

	for _, table := range WarehouseTables() {
		src := quarterCounts(t, db, `SELECT quarter, count(*) FROM `+table+` GROUP BY quarter`)
		if len(src) == 0 {
			t.Fatalf("%s is empty in the sample data: nothing to compare", table)
		}
		glob := filepath.Join(dir, table, "*", "*.parquet")
		got := quarterCounts(t, db, `SELECT quarter, count(*) FROM read_parquet(?, hive_partitioning = true) GROUP BY quarter`, glob)
		if !sameCounts(got, src) {
			t.Errorf("%s: Parquet rows per quarter %v, table %v", table, got, src)
		}
		mt, _ := m.Table(table)
		if !sameCounts(mt.Quarters, src) {
			t.Errorf("%s: manifest rows per quarter %v, table %v", table, mt.Quarters, src)
		}
		var total int64
		for q, n := range src {
			total += n
			files, _ := filepath.Glob(filepath.Join(dir, table, "quarter="+q, "*.parquet"))
			if len(files) == 0 {
				t.Errorf("%s: no folder quarter=%s with Parquet files", table, q)
			}
		}
		if mt.Rows != total {
			t.Errorf("%s: manifest rows %d, table %d", table, mt.Rows, total)
		}

		// Row for row, both ways, counting duplicates, with the files'
		// values read as the warehouse's types (times of day are HH:MM
		// text in the files).
		cols := columnList(t, db, table)
		typed := castList(t, db, table)
		var typ string
		if err := db.QueryRow(`SELECT typeof(quarter) FROM read_parquet(?, hive_partitioning = true) LIMIT 1`, glob).Scan(&typ); err != nil || typ != "VARCHAR" {
			t.Errorf("%s: quarter read back as %s (%v), want VARCHAR", table, typ, err)
		}
		for _, q := range []string{
			`SELECT count(*) FROM (SELECT ` + cols + ` FROM ` + table + ` EXCEPT ALL SELECT ` + typed + ` FROM read_parquet($1, hive_partitioning = true))`,
			`SELECT count(*) FROM (SELECT ` + typed + ` FROM read_parquet($1, hive_partitioning = true) EXCEPT ALL SELECT ` + cols + ` FROM ` + table + `)`,
		} {
			if n := count(t, db, q, glob); n != 0 {
				t.Errorf("%s: %d rows differ between the table and its Parquet files (%s)", table, n, q)
			}
		}
	}
}

// TestExportParquetLeavesOtherFilesAlone: a folder holding anything but a
// previous export is refused and left exactly as it was, and a refused or
// finished export leaves no working folder behind.
func TestExportParquetLeavesOtherFilesAlone(t *testing.T) {
	db, _ := openTestDB(t)
	mustLoad(t, testLoader(db), quarterDir(t, "2026Q1"))
	ctx := context.Background()
	parent := t.TempDir()

	notes := filepath.Join(parent, "notes")
	writeFileMkdir(t, filepath.Join(notes, "plan.txt"), "mine")
	if _, err := ExportParquet(ctx, db, notes); err == nil || !strings.Contains(err.Error(), "not an uptake export") {
		t.Errorf("export into a folder of notes: %v, want a refusal", err)
	}
	file := filepath.Join(parent, "file.parquet")
	writeFileMkdir(t, file, "not a folder")
	if _, err := ExportParquet(ctx, db, file); err == nil {
		t.Error("export onto a file succeeded")
	}

	// A previous export with a file of the user's added is not replaced.
	exp := filepath.Join(parent, "export")
	if _, err := ExportParquet(ctx, db, exp); err != nil {
		t.Fatal(err)
	}
	writeFileMkdir(t, filepath.Join(exp, "README.txt"), "about this export")
	if _, err := ExportParquet(ctx, db, exp); err == nil || !strings.Contains(err.Error(), "README.txt") {
		t.Errorf("export over an export holding README.txt: %v, want a refusal naming it", err)
	}
	if b, err := os.ReadFile(filepath.Join(exp, "README.txt")); err != nil || string(b) != "about this export" {
		t.Errorf("the user's README.txt was changed: %q, %v", b, err)
	}
	if b, err := os.ReadFile(filepath.Join(notes, "plan.txt")); err != nil || string(b) != "mine" {
		t.Errorf("the user's plan.txt was changed: %q, %v", b, err)
	}
	if entries, _ := os.ReadDir(notes); len(entries) != 1 {
		t.Errorf("the refused export wrote into the folder: %d entries", len(entries))
	}
	entries, _ := os.ReadDir(parent)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if got := strings.Join(names, " "); got != "export file.parquet notes" {
		t.Errorf("beside the exports: %s; want no working folders left", got)
	}
}

func writeFileMkdir(tb testing.TB, path, text string) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		tb.Fatal(err)
	}
}

// TestExportParquetReplacesPreviousExport exports one quarter, loads a
// second and exports again into the same folder: the folder then holds the
// second export only.
func TestExportParquetReplacesPreviousExport(t *testing.T) {
	db, _ := openTestDB(t)
	l := testLoader(db)
	mustLoad(t, l, quarterDir(t, "2026Q1"))
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "export")
	first, err := ExportParquet(ctx, db, dir)
	if err != nil {
		t.Fatal(err)
	}
	mustLoad(t, l, quarterDir(t, "2026Q2"))
	second, err := ExportParquet(ctx, db, dir)
	if err != nil {
		t.Fatalf("export over the previous export: %v", err)
	}
	m, err := ReadExportManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if m.ExportID != second.Manifest.ExportID || m.ExportID == first.Manifest.ExportID || m.DataVersion <= first.Manifest.DataVersion {
		t.Errorf("the folder holds export %s (data version %d); want the second, %s", m.ExportID, m.DataVersion, second.Manifest.ExportID)
	}
	want := quarterCounts(t, db, `SELECT quarter, count(*) FROM referrals GROUP BY quarter`)
	got := quarterCounts(t, db, `SELECT quarter, count(*) FROM read_parquet(?, hive_partitioning = true) GROUP BY quarter`,
		filepath.Join(dir, "referrals", "*", "*.parquet"))
	if len(want) != 2 || !sameCounts(got, want) {
		t.Errorf("referrals per quarter in the replaced export %v, want %v", got, want)
	}
	if entries, _ := os.ReadDir(filepath.Dir(dir)); len(entries) != 1 {
		t.Errorf("%d entries beside the export, want none: working folders left behind", len(entries)-1)
	}
}

// TestParquetSourceServesSameIndicators serves the export from a separate
// database, as `uptake serve --db app.duckdb --parquet DIR` does, and
// checks that the indicators are those of the database it came from.
func TestParquetSourceServesSameIndicators(t *testing.T) {
	ctx := context.Background()
	src := loadSampleData(t)
	cfg := queries.DefaultConfig()
	want, err := queries.Open(ctx, src, cfg)
	if err != nil {
		t.Fatal(err)
	}
	dir, _ := exportForTest(t, src)

	app, _ := openTestDB(t)
	if err := UseParquetSource(ctx, app, dir); err != nil {
		t.Fatalf("UseParquetSource: %v", err)
	}
	if got, err := ParquetSource(ctx, app); err != nil || got != dir {
		t.Errorf("ParquetSource = %q, %v; want %q", got, err, dir)
	}
	if got, err := ParquetSource(ctx, src); err != nil || got != "" {
		t.Errorf("ParquetSource of the warehouse = %q, %v; want none", got, err)
	}
	for _, table := range WarehouseTables() {
		a, err := tableColumns(ctx, src, table)
		if err != nil {
			t.Fatal(err)
		}
		b, err := tableColumns(ctx, app, table)
		if err != nil {
			t.Fatal(err)
		}
		if ja, jb := jsonText(t, a), jsonText(t, b); ja != jb {
			t.Errorf("%s: columns over Parquet %s, in the warehouse %s", table, jb, ja)
		}
		if n, m := count(t, app, `SELECT count(*) FROM `+table), count(t, src, `SELECT count(*) FROM `+table); n != m {
			t.Errorf("%s: %d rows over Parquet, %d in the warehouse", table, n, m)
		}
	}

	got, err := queries.Open(ctx, app, cfg)
	if err != nil {
		t.Fatalf("queries.Open over Parquet: %v", err)
	}
	compareIndicators(t, want, got)

	// A restart points the database at the export again and keeps the
	// derived tables; a new export makes them rebuilt.
	if err := UseParquetSource(ctx, app, dir); err != nil {
		t.Fatalf("UseParquetSource again: %v", err)
	}
	if n := count(t, app, `SELECT count(*) FROM derived_state`); n != 1 {
		t.Errorf("restarting on the same export dropped the derived state")
	}
	if _, err := ExportParquet(ctx, src, dir); err != nil {
		t.Fatal(err)
	}
	if err := UseParquetSource(ctx, app, dir); err != nil {
		t.Fatal(err)
	}
	if n := count(t, app, `SELECT count(*) FROM duckdb_tables() WHERE table_name = 'derived_state'`); n != 0 {
		t.Error("a new export kept the derived tables built from the old one")
	}
	got, err = queries.Open(ctx, app, cfg)
	if err != nil {
		t.Fatal(err)
	}
	compareIndicators(t, want, got)
}

// compareIndicators compares the headline tiles, the pathway funnel and
// the filter options of two stores.
func compareIndicators(t *testing.T, want, got *queries.Store) {
	t.Helper()
	ctx := context.Background()
	opts, err := want.FilterOptions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(opts.Quarters) < 2 {
		t.Fatalf("the warehouse shows %d quarters", len(opts.Quarters))
	}
	filters := []queries.Filter{{}, {From: opts.Quarters[1], To: opts.Quarters[len(opts.Quarters)-2]}}
	for _, f := range filters {
		for name, ask := range map[string]func(*queries.Store) (any, error){
			"Headline":      func(s *queries.Store) (any, error) { return s.Headline(ctx, f) },
			"Funnel":        func(s *queries.Store) (any, error) { return s.Funnel(ctx, f) },
			"FilterOptions": func(s *queries.Store) (any, error) { return s.FilterOptions(ctx) },
		} {
			w, err := ask(want)
			if err != nil {
				t.Fatalf("%s(%+v) over the warehouse: %v", name, f, err)
			}
			g, err := ask(got)
			if err != nil {
				t.Fatalf("%s(%+v) over Parquet: %v", name, f, err)
			}
			if jw, jg := jsonText(t, w), jsonText(t, g); jw != jg {
				t.Errorf("%s(%+v) differs over Parquet:\n got %s\nwant %s", name, f, jg, jw)
			}
		}
	}
}

func jsonText(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// TestParquetSourceRefusesLoadedDatabase: a database holding loaded rows
// keeps them; serving an export from it is refused.
func TestParquetSourceRefusesLoadedDatabase(t *testing.T) {
	ctx := context.Background()
	db, _ := openTestDB(t)
	mustLoad(t, testLoader(db), quarterDir(t, "2026Q1"))
	dir, _ := exportForTest(t, db)
	before := snapshot(t, db)
	err := UseParquetSource(ctx, db, dir)
	if !errors.Is(err, ErrHoldsData) {
		t.Fatalf("UseParquetSource on a loaded database: %v, want ErrHoldsData", err)
	}
	if after := snapshot(t, db); !before.equal(after) {
		t.Error("the refused UseParquetSource changed the database")
	}
	if n := count(t, db, `SELECT count(*) FROM duckdb_tables() WHERE table_name = 'referrals'`); n != 1 {
		t.Error("referrals is no longer a table")
	}
}

// TestParquetSourceEmptyTableAndLoads: a table exported empty (no
// rejected rows) is served empty with its columns, and loading a quarter
// into a database serving an export fails and leaves the export as it was.
func TestParquetSourceEmptyTableAndLoads(t *testing.T) {
	ctx := context.Background()
	src, _ := openTestDB(t)
	mustLoad(t, testLoader(src), quarterDir(t, "2026Q1"))
	if n := count(t, src, `SELECT count(*) FROM rejected_rows`); n != 0 {
		t.Fatalf("the fixture quarter has %d rejected rows; the test needs none", n)
	}
	dir, sum := exportForTest(t, src)
	app, _ := openTestDB(t)
	if err := UseParquetSource(ctx, app, dir); err != nil {
		t.Fatal(err)
	}
	if n := count(t, app, `SELECT count(*) FROM rejected_rows`); n != 0 {
		t.Errorf("rejected_rows over Parquet has %d rows", n)
	}
	if got := columnList(t, app, "rejected_rows"); got != columnList(t, src, "rejected_rows") {
		t.Errorf("empty rejected_rows over Parquet has columns %s", got)
	}
	if _, err := testLoader(app).LoadQuarter(ctx, quarterDir(t, "2026Q2")); err == nil {
		t.Error("a quarter loaded into a database serving a Parquet export")
	}
	m, err := ReadExportManifest(dir)
	if err != nil || m.ExportID != sum.Manifest.ExportID {
		t.Errorf("the export changed: %v", err)
	}
	if n, want := count(t, app, `SELECT count(*) FROM referrals`), count(t, src, `SELECT count(*) FROM referrals`); n != want {
		t.Errorf("referrals over Parquet: %d rows after the refused load, want %d", n, want)
	}
}

// TestParquetSourceRefusesIncompleteExport: an export missing a file is
// refused rather than served short.
func TestParquetSourceRefusesIncompleteExport(t *testing.T) {
	ctx := context.Background()
	src, _ := openTestDB(t)
	mustLoad(t, testLoader(src), quarterDir(t, "2026Q1"))
	dir, _ := exportForTest(t, src)
	files, err := filepath.Glob(filepath.Join(dir, "attendance", "*", "*.parquet"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no attendance files: %v", err)
	}
	if err := os.Remove(files[0]); err != nil {
		t.Fatal(err)
	}
	app, _ := openTestDB(t)
	err = UseParquetSource(ctx, app, dir)
	if err == nil || !strings.Contains(err.Error(), "attendance") {
		t.Fatalf("UseParquetSource over an export missing a file: %v, want a refusal naming attendance", err)
	}
	if got, _ := ParquetSource(ctx, app); got != "" {
		t.Errorf("the refused database serves %s", got)
	}
	if n := count(t, app, `SELECT count(*) FROM duckdb_tables() WHERE table_name = 'attendance'`); n != 1 {
		t.Error("the refused UseParquetSource replaced the tables")
	}
	if err := UseParquetSource(ctx, app, t.TempDir()); err == nil {
		t.Error("UseParquetSource over a folder that is no export succeeded")
	}
}

// TestExportHasNoParquetTime reads the schema of every file of an export:
// no column is a Parquet TIME, which Spark 3 cannot read, and the
// manifest says courses.start_time is HH:MM text.
func TestExportHasNoParquetTime(t *testing.T) {
	db := loadSampleData(t)
	dir, sum := exportForTest(t, db)
	var columns, times int64
	err := db.QueryRow(`SELECT count(*), count(*) FILTER (WHERE converted_type LIKE 'TIME%' AND converted_type NOT LIKE 'TIMESTAMP%' OR logical_type LIKE 'TimeType%')
		FROM parquet_schema($1)`, filepath.Join(dir, "*", "*", "*.parquet")).Scan(&columns, &times)
	if err != nil {
		t.Fatal(err)
	}
	if columns < 50 || times != 0 {
		t.Errorf("%d columns in the export's files, %d of them TIME; want many and none", columns, times)
	}
	var typ string
	if err := db.QueryRow(`SELECT DISTINCT typeof(start_time) FROM read_parquet($1)`, filepath.Join(dir, "courses", "*", "*.parquet")).Scan(&typ); err != nil || typ != "VARCHAR" {
		t.Errorf("courses.start_time in the files is %s (%v), want VARCHAR", typ, err)
	}
	if n := count(t, db, `SELECT count(*) FROM read_parquet($1) WHERE NOT regexp_full_match(start_time, '[0-2][0-9]:[0-5][0-9]')`, filepath.Join(dir, "courses", "*", "*.parquet")); n != 0 {
		t.Errorf("%d start times are not HH:MM", n)
	}
	courses, _ := sum.Manifest.Table("courses")
	var found bool
	for _, c := range courses.Columns {
		if c.Name == "start_time" {
			found = c.Type == "VARCHAR" && c.Format == "HH:MM"
		}
	}
	if !found || sum.Manifest.FormatVersion != 2 {
		t.Errorf("manifest format %d, courses columns %+v; want version 2 and start_time VARCHAR HH:MM", sum.Manifest.FormatVersion, courses.Columns)
	}
}

// TestParquetSourceReadsVersion1 serves an export as format version 1
// wrote it, with courses.start_time a Parquet TIME, and one as version 2
// writes it, with HH:MM text: the times served are the warehouse's from
// either.
func TestParquetSourceReadsVersion1(t *testing.T) {
	ctx := context.Background()
	src := loadSampleData(t)
	dir, _ := exportForTest(t, src)
	current := filepath.Join(t.TempDir(), "version 2")
	if _, err := ExportParquet(ctx, src, current); err != nil {
		t.Fatal(err)
	}

	// Rewrite the first as version 1: TIME in the files and the manifest.
	files, _ := filepath.Glob(filepath.Join(dir, "courses", "*", "*.parquet"))
	for _, f := range files {
		mustExec(t, src, `COPY (SELECT * REPLACE (CAST(start_time AS TIME) AS start_time) FROM read_parquet(?)) TO '`+strings.ReplaceAll(f+".v1", "'", "''")+`' (FORMAT parquet)`, f)
		if err := os.Rename(f+".v1", f); err != nil {
			t.Fatal(err)
		}
	}
	// An export of contract v1 has no practices.imd_quintile either.
	files, _ = filepath.Glob(filepath.Join(dir, "practices", "*", "*.parquet"))
	for _, f := range files {
		mustExec(t, src, `COPY (SELECT * EXCLUDE (imd_quintile) FROM read_parquet(?)) TO '`+strings.ReplaceAll(f+".v1", "'", "''")+`' (FORMAT parquet)`, f)
		if err := os.Rename(f+".v1", f); err != nil {
			t.Fatal(err)
		}
	}
	m, err := ReadExportManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	m.FormatVersion, m.ContractVersion = 1, 1
	for i := range m.Tables {
		if m.Tables[i].Name == "practices" {
			m.Tables[i].Columns = slices.DeleteFunc(m.Tables[i].Columns, func(c ExportColumn) bool { return c.Name == "imd_quintile" })
		}
		for j, c := range m.Tables[i].Columns {
			if c.Format == "HH:MM" {
				m.Tables[i].Columns[j] = ExportColumn{Name: c.Name, Type: "TIME"}
			}
		}
	}
	b, _ := json.MarshalIndent(m, "", "  ")
	writeFile(t, dir, ExportManifestName, string(b))
	var typ string
	if err := src.QueryRow(`SELECT DISTINCT typeof(start_time) FROM read_parquet($1)`, filepath.Join(dir, "courses", "*", "*.parquet")).Scan(&typ); err != nil || typ != "TIME" {
		t.Fatalf("the rewritten files hold start_time as %s (%v)", typ, err)
	}

	for name, export := range map[string]string{"version 1": dir, "version 2": current} {
		app, _ := openTestDB(t)
		if err := UseParquetSource(ctx, app, export); err != nil {
			t.Fatalf("%s: UseParquetSource: %v", name, err)
		}
		const times = `SELECT string_agg(course_id || '@' || CAST(start_time AS VARCHAR), ' ' ORDER BY course_id) FROM courses`
		var got, want string
		if err := app.QueryRow(times).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if err := src.QueryRow(times).Scan(&want); err != nil {
			t.Fatal(err)
		}
		if got != want || !strings.Contains(got, ":00") {
			t.Errorf("%s: served start times differ from the warehouse's:\n got %.200s\nwant %.200s", name, got, want)
		}
		// The quintiles: none from version 1, the warehouse's from 2.
		const quintiles = `SELECT count(imd_quintile), count(*) FROM practices`
		var withQ, all, srcQ int64
		if err := app.QueryRow(quintiles).Scan(&withQ, &all); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := src.QueryRow(`SELECT count(imd_quintile) FROM practices`).Scan(&srcQ); err != nil {
			t.Fatal(err)
		}
		if wantQ := map[string]int64{"version 1": 0, "version 2": srcQ}[name]; withQ != wantQ || all == 0 || srcQ == 0 {
			t.Errorf("%s: %d of %d practices served with a quintile, want %d (the warehouse has %d)", name, withQ, all, wantQ, srcQ)
		}
	}
}
