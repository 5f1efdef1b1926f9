package ingest

import (
	"database/sql"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/uptake-nhs/uptake/db/sqltest"
)

// things is a small table of the contract's shape for the SQL builders:
// an event table with a two-column key and one column of each stored type.
var things = Table{
	Name: "things", Kind: Event, DateColumn: "day",
	Key: []string{"thing_id", "part"},
	Columns: []Column{
		{Name: "thing_id", Type: TypeText},
		{Name: "part", Type: TypeInteger},
		{Name: "kind", Type: TypeEnum, Values: []string{"big", "o'small"}},
		{Name: "weight", Type: TypeDecimal},
		{Name: "day", Type: TypeDate},
		{Name: "starts", Type: TypeTime},
		{Name: "ok", Type: TypeYesNo},
	},
}

// memDB is an in-memory database with the table things, its staging table
// and stg_rejected, as a load has them.
func memDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, stmt := range []string{
		`CREATE TABLE things (quarter VARCHAR, thing_id VARCHAR, part INTEGER, kind VARCHAR, weight DOUBLE, day DATE, starts TIME, ok BOOLEAN)`,
		stagingDDL(things),
		query("load.stg_rejected"),
	} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	return db
}

// The staging table has the line and one column per contract column, of
// the type the parser hands the appender.
func TestStagingDDL(t *testing.T) {
	db := memDB(t)
	rows, err := db.Query(`SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'stg_things' ORDER BY column_index`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			t.Fatal(err)
		}
		got = append(got, name+" "+typ)
	}
	want := []string{"line BIGINT", "thing_id VARCHAR", "part BIGINT", "kind ENUM('big', 'o''small')", "weight DOUBLE",
		"day DATE", "starts TIME", "ok BOOLEAN"}
	if !slices.Equal(got, want) {
		t.Errorf("staging columns\n got %q\nwant %q", got, want)
	}
}

// The cross checks reject the second row of a key, and a key loaded in
// another quarter, for the first rule each breaks; insertSQL moves the
// rest, with the quarter; keepReplacedSQL keeps the rows a restatement
// replaces, and dropStagingSQL and dropReplacedSQL drop the temporary tables.
//
//	line  thing_id  part  already loaded  rejected for
//	   1  a         1                     -
//	   2  a         1                     duplicate_key (line 1)
//	   3  a         2                     -
//	   4  b         1     in 2026Q1       key_in_other_quarter
func TestCrossCheckAndInsertSQL(t *testing.T) {
	db := memDB(t)
	for _, stmt := range []string{
		`INSERT INTO things (quarter, thing_id, part) VALUES ('2026Q1', 'b', 1)`,
		`INSERT INTO stg_things (line, thing_id, part, kind) VALUES (1, 'a', 1, 'big'), (2, 'a', 1, 'o''small'), (3, 'a', 2, 'big'), (4, 'b', 1, 'big')`,
	} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	check, usesQuarter := crossCheckSQL(things)
	if usesQuarter {
		t.Error("the checks of things use no quarter, yet usesQuarter")
	}
	if _, err := db.Exec(check, "things.csv"); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(`SELECT line, column_name, value, rule, reason FROM stg_rejected ORDER BY line`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var line int
		var column, value, rule, reason string
		if err := rows.Scan(&line, &column, &value, &rule, &reason); err != nil {
			t.Fatal(err)
		}
		got = append(got, strings.Join([]string{strconv.Itoa(line), column, value, rule, reason}, "|"))
	}
	rows.Close()
	want := []string{
		"2|thing_id, part|a / 1|duplicate_key|Line 1 has the same thing_id and part; the first row is kept.",
		"4|thing_id, part|b / 1|key_in_other_quarter|A row with the same thing_id and part was loaded with quarter 2026Q1; a row belongs to one quarter, so correct that quarter's file instead.",
	}
	if !slices.Equal(got, want) {
		t.Errorf("rejected\n got %q\nwant %q", got, want)
	}

	res, err := db.Exec(insertSQL(things), "2026Q2", "things.csv")
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 2 {
		t.Errorf("insertSQL moved %d rows, want lines 1 and 3", n)
	}
	var moved string
	if err := db.QueryRow(`SELECT string_agg(thing_id || part || kind, ',' ORDER BY part) FROM things WHERE quarter = '2026Q2'`).Scan(&moved); err != nil {
		t.Fatal(err)
	}
	if moved != "a1big,a2big" {
		t.Errorf("moved %q, want a1big,a2big", moved)
	}
	for _, c := range []struct {
		restated bool
		want     int
	}{{false, 0}, {true, 1}} {
		var kept int
		if _, err := db.Exec(keepReplacedSQL(things, c.restated), "2026Q1"); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRow(`SELECT count(*) FROM replaced_things WHERE thing_id = 'b'`).Scan(&kept); err != nil || kept != c.want {
			t.Errorf("keepReplacedSQL(restated %v) kept %d rows of 2026Q1, want %d (%v)", c.restated, kept, c.want, err)
		}
	}
	if _, err := db.Exec(deleteQuarterSQL(things), "2026Q1"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(dropReplacedSQL(things)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(dropStagingSQL(things)); err != nil {
		t.Fatal(err)
	}
	var left int
	if err := db.QueryRow(`SELECT count(*) FROM things WHERE quarter = '2026Q1'`).Scan(&left); err != nil || left != 0 {
		t.Errorf("deleteQuarterSQL left %d rows of 2026Q1 (%v)", left, err)
	}
}

// A table with an awkward name and column goes to Parquet and comes back
// through the view, with its rows counted per quarter; an export with no
// rows is an empty view of the same columns.
func TestExportAndParquetViewSQL(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	name := `odd "table"`
	if _, err := db.Exec(`CREATE TABLE ` + quoteIdent(name) + ` (quarter VARCHAR, "it's" INTEGER)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO ` + quoteIdent(name) + ` VALUES ('2026Q1', 1), ('2026Q2', 2), ('2026Q2', 3)`); err != nil {
		t.Fatal(err)
	}
	cols := []ExportColumn{{Name: "quarter", Type: "VARCHAR"}, {Name: "it's", Type: "INTEGER"}}
	dir := filepath.Join(t.TempDir(), "it's here")
	if _, err := db.Exec(exportSQL(name, cols), dir); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(quarterCountsSQL(name))
	if err != nil {
		t.Fatal(err)
	}
	perQuarter := map[string]int{}
	for rows.Next() {
		var q string
		var n int
		if err := rows.Scan(&q, &n); err != nil {
			t.Fatal(err)
		}
		perQuarter[q] = n
	}
	rows.Close()
	if perQuarter["2026Q1"] != 1 || perQuarter["2026Q2"] != 2 {
		t.Errorf("rows per quarter %v", perQuarter)
	}

	for _, c := range []struct {
		view  string
		empty bool
		want  int
	}{{"from files", false, 6}, {"no rows", true, 0}} {
		if _, err := db.Exec(dropObjectSQL("view", c.view)); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(parquetViewSQL(c.view, cols, filepath.Join(dir, "*", "*.parquet"), c.empty)); err != nil {
			t.Fatalf("%s: %v", c.view, err)
		}
		var sum int
		if err := db.QueryRow(`SELECT coalesce(sum("it's"), 0) FROM ` + quoteIdent(c.view)).Scan(&sum); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.QueryRow(countRowsSQL(c.view)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if sum != c.want || (c.empty && n != 0) || (!c.empty && n != 3) {
			t.Errorf("%s: %d rows summing to %d, want the sum %d", c.view, n, sum, c.want)
		}
	}
}

// TestEverySQLFileIsUsed keeps sql/ free of dead statements.
func TestEverySQLFileIsUsed(t *testing.T) { sqltest.EveryFileUsed(t, sqlFiles) }
