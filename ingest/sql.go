package ingest

import (
	"embed"
	"fmt"
	"slices"
	"strings"
)

// The SQL of package ingest. Fixed statements are embedded files in sql/,
// each named after the function that runs it (sql/FUNCTION.sql, or
// FUNCTION.PART.sql when it runs several), with named parameters. The
// statements that must be built, because their tables and columns come
// from the data contract (Tables) or from the database's own schema, are
// built here and nowhere else, and sql_test.go runs each of them.

//go:embed sql/*.sql
var sqlFiles embed.FS

// query returns the text of sql/NAME.sql. A missing file is a programming
// error, which every load test reaches.
func query(name string) string {
	b, err := sqlFiles.ReadFile("sql/" + name + ".sql")
	if err != nil {
		panic(fmt.Sprintf("ingest: no sql/%s.sql", name))
	}
	return string(b)
}

// crossCheckSQL returns the statement that records, in stg_rejected, each
// staged row of t breaking one of its cross checks, for the first rule it
// breaks; "" when t has none. All the checks of a table run in this one
// statement, so that each table they consult (referrals, courses, the
// table itself) is joined once rather than once per rule: at England scale
// the attendance checks took seven passes before. $1 is the file name and
// $2 the quarter being loaded; the quarter is bound only when a check uses
// it (usesQuarter), because DuckDB refuses a parameter the query does not use.
func crossCheckSQL(t Table) (query string, usesQuarter bool) {
	checks := crossChecks(t)
	if len(checks) == 0 {
		return "", false
	}
	var joins []string
	seen := map[string]bool{}
	for _, c := range checks {
		for _, j := range c.joins {
			if !seen[j.alias] {
				seen[j.alias] = true
				joins = append(joins, j.sql)
			}
		}
	}
	// pick evaluates, for the first check the row breaks, one of its parts.
	pick := func(part func(c crossCheck) string) string {
		var b strings.Builder
		b.WriteString("CASE")
		for _, c := range checks {
			fmt.Fprintf(&b, "\n\t\t\tWHEN %s THEN %s", c.cond, part(c))
		}
		b.WriteString(" END")
		return b.String()
	}
	quote := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	query = fmt.Sprintf(`INSERT INTO stg_rejected (file, line, column_name, value, rule, reason)
		SELECT $1, line, column_name, value, rule, reason FROM (
		SELECT s.line,
		%s AS rule,
		%s AS column_name,
		%s AS value,
		%s AS reason
		FROM stg_%s s
		%s)
		WHERE rule IS NOT NULL`,
		pick(func(c crossCheck) string { return quote(c.rule) }),
		pick(func(c crossCheck) string { return quote(c.column) }),
		pick(func(c crossCheck) string { return c.value }),
		pick(func(c crossCheck) string { return c.reason }),
		t.Name, strings.Join(joins, "\n\t\t"))
	return query, strings.Contains(query, "$2")
}

// stagingType is the column type of a staging table: what the Go parser
// hands the appender. The insert into the real table casts where they differ.
// An enum column is staged as a DuckDB ENUM of the contract's spellings,
// which the parser always returns: the appender then writes each value as
// a small number, in Go, instead of copying a string through a C call,
// and referrals have nine such columns.
func stagingType(c Column) string {
	switch c.Type {
	case TypeEnum:
		values := make([]string, len(c.Values))
		for i, v := range c.Values {
			values[i] = "'" + strings.ReplaceAll(v, "'", "''") + "'"
		}
		return "ENUM(" + strings.Join(values, ", ") + ")"
	case TypeInteger:
		return "BIGINT"
	case TypeDecimal:
		return "DOUBLE"
	case TypeDate:
		return "DATE"
	case TypeTime:
		return "TIME"
	case TypeYesNo:
		return "BOOLEAN"
	}
	return "VARCHAR"
}

// stagingDDL creates the temporary table that holds a file's valid rows,
// with the line each came from, until the cross-row checks have run.
func stagingDDL(t Table) string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE OR REPLACE TEMP TABLE stg_%s (line BIGINT NOT NULL", t.Name)
	for _, c := range t.Columns {
		fmt.Fprintf(&b, ", %s %s", c.Name, stagingType(c))
	}
	b.WriteString(")")
	return b.String()
}

// insertSQL moves a file's staged rows that broke no rule into its table.
// $1 is the quarter, $2 the file name.
func insertSQL(t Table) string {
	cols := strings.Join(t.ColumnNames(), ", ")
	return fmt.Sprintf(`INSERT INTO %s (quarter, %s)
		SELECT $1, %s FROM stg_%s s
		WHERE s.line NOT IN (SELECT line FROM stg_rejected WHERE file = $2)`, t.Name, cols, cols, t.Name)
}

// duplicateKeysJoin joins, under alias, the keys of t staged more than once
// with the first line of each (first_line), for the duplicate_key check.
// Only keys staged more than once can be duplicates, so the lookup holds
// those alone: usually none. They are found by the hash of the key first,
// one number to group by instead of several strings; a collision only adds
// a key that the grouping by the key itself drops.
func duplicateKeysJoin(t Table, alias string) string {
	keys, stg := strings.Join(t.Key, ", "), "stg_"+t.Name
	return "LEFT JOIN (SELECT " + keys + ", min(line) AS first_line FROM " + stg + "\n" +
		"\t\tWHERE hash(" + keys + ") IN (SELECT hash(" + keys + ") FROM " + stg + " GROUP BY 1 HAVING count(*) > 1)\n" +
		"\t\tGROUP BY ALL HAVING count(*) > 1) " + alias + " ON " + keyMatch(t, alias)
}

// loadedKeysJoin joins, under alias, the row of t already loaded with the
// staged row's key, and its quarter.
func loadedKeysJoin(t Table, alias string) string {
	return "LEFT JOIN (SELECT " + strings.Join(t.Key, ", ") + ", quarter FROM " + t.Name + ") " + alias + " ON " + keyMatch(t, alias)
}

// keyMatch matches the key columns of alias to those of the staged row s.
func keyMatch(t Table, alias string) string {
	on := make([]string, len(t.Key))
	for i, k := range t.Key {
		on[i] = alias + "." + k + " = s." + k
	}
	return strings.Join(on, " AND ")
}

// dropStagingSQL drops the staging table of t once the load is done.
func dropStagingSQL(t Table) string { return "DROP TABLE stg_" + t.Name }

// keepReplacedSQL copies into the temporary table replaced_TABLE the rows
// of t a load of the quarter $1 is about to replace, for the AfterLoad
// hook: all of the quarter's rows when it was loaded before (restated),
// otherwise none, without scanning t for rows that cannot be there.
func keepReplacedSQL(t Table, restated bool) string {
	ddl := "CREATE OR REPLACE TEMP TABLE replaced_" + t.Name + " AS SELECT * FROM " + t.Name
	if restated {
		return ddl + " WHERE quarter = $1"
	}
	// DuckDB refuses a parameter the statement does not use.
	return ddl + " WHERE quarter = $1 AND false"
}

// dropReplacedSQL drops t's replaced_TABLE once the load is done.
func dropReplacedSQL(t Table) string { return "DROP TABLE IF EXISTS replaced_" + t.Name }

// deleteQuarterSQL deletes t's rows of the quarter $1, when a load restates
// it.
func deleteQuarterSQL(t Table) string { return "DELETE FROM " + t.Name + " WHERE quarter = $1" }

// countRowsSQL counts the rows of the table or view name.
func countRowsSQL(name string) string { return "SELECT count(*) FROM " + quoteIdent(name) }

// quarterCountsSQL counts the rows of the table name per quarter.
func quarterCountsSQL(name string) string {
	return "SELECT quarter, count(*) FROM " + quoteIdent(name) + " GROUP BY quarter"
}

// exportSQL copies the table name, its columns cols, to Parquet files under
// the folder bound as its one parameter, one folder per quarter. DuckDB 1.5
// binds COPY's target as a parameter, so the path needs no quoting whatever
// characters it holds.
func exportSQL(name string, cols []ExportColumn) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = exportColumnSQL(c)
	}
	return "COPY (SELECT " + strings.Join(names, ", ") + " FROM " + quoteIdent(name) + ") TO ?\n" +
		"\t(FORMAT parquet, PARTITION_BY (quarter), COMPRESSION zstd)"
}

// exportColumnSQL selects a column for export: a time of day as HH:MM
// text (the warehouse keeps times to the minute), anything else as it is.
func exportColumnSQL(c ExportColumn) string {
	if c.Type == "TIME" {
		return `strftime(DATE '2000-01-01' + ` + quoteIdent(c.Name) + `, '%H:%M') AS ` + quoteIdent(c.Name)
	}
	return quoteIdent(c.Name)
}

// parquetViewSQL makes name a view over the Parquet files of an export's
// table, matching glob, with each of cols cast to the schema's type and the
// quarter read from the folder names. With no rows (empty), the export
// wrote no files, and the view has the columns and no rows. A view cannot
// take parameters, so the path is a literal: a quote is doubled, and
// nothing else is special in a DuckDB string (the caller refuses glob
// characters in the folder's path). The absent columns, which the export
// predates (Column.MayBeAbsent), read as NULL.
func parquetViewSQL(name string, cols []ExportColumn, glob string, empty bool, absent ...string) string {
	sel := make([]string, len(cols))
	for i, c := range cols {
		if empty || slices.Contains(absent, c.Name) {
			sel[i] = "CAST(NULL AS " + c.Type + ") AS " + quoteIdent(c.Name)
		} else {
			sel[i] = "CAST(" + quoteIdent(c.Name) + " AS " + c.Type + ") AS " + quoteIdent(c.Name)
		}
	}
	view := "CREATE VIEW " + quoteIdent(name) + " AS SELECT " + strings.Join(sel, ", ")
	if empty {
		return view + " WHERE false"
	}
	return view + " FROM read_parquet(" + quoteString(glob) + ", hive_partitioning = true, hive_types = {'quarter': VARCHAR})"
}

// dropObjectSQL drops the table or view name; kind is "table" or "view".
func dropObjectSQL(kind, name string) string {
	if kind == "table" {
		return "DROP TABLE IF EXISTS " + quoteIdent(name)
	}
	return "DROP VIEW IF EXISTS " + quoteIdent(name)
}

// quoteIdent quotes a name for SQL.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// quoteString quotes text as a SQL string literal.
func quoteString(s string) string { return `'` + strings.ReplaceAll(s, `'`, `''`) + `'` }
