package ingest

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// The accepted forms of a quarter: each rewrites the plain sample quarter
// (../sample-data/2024Q4, UTF-8 CSV with LF line ends, ISO dates and
// HH:MM times, the first quarter, so it loads into an empty database) as
// a real writer would, and must load to exactly the rows the plain files
// load to, with the same rows rejected for the same rules.

// sampleQuarter is the plain quarter the forms are made from.
var sampleQuarter = filepath.Join("..", "sample-data", "2024Q4")

// quarterForm is one way of writing the sample quarter.
type quarterForm struct {
	name string
	// cell rewrites one value of a CSV file, given its contract column;
	// nil leaves it alone.
	cell func(c Column, v string) string
	// header rewrites a header name; nil leaves it alone.
	header func(table, name string) string
	// file rewrites the bytes of a CSV file once written with LF line
	// ends; nil leaves them alone.
	file func(b []byte) []byte
	// xlsx writes every file as a workbook instead of CSV.
	xlsx func(t *testing.T, path string, tbl Table, rows [][]string)
	// aliases are the loader's.
	aliases Aliases
	// lineShift is how many lines the form adds before the header.
	lineShift int64
}

var quarterForms = []quarterForm{
	{name: "whole numbers with a zero fraction (pandas, spreadsheets)", cell: zeroFraction},
	{name: "times as HH:MM:SS (LibreOffice, pandas)", cell: timeCell("15:04:05")},
	{name: "times as h:mm AM/PM (Excel, en-US)", cell: timeCell("3:04 PM")},
	{name: "times as hh:mm:ss AM/PM (LibreOffice, en-US)", cell: timeCell("03:04:05 PM")},
	{name: "Excel's sep=, first line", lineShift: 1, file: func(b []byte) []byte {
		return append([]byte("sep=,\r\n"), bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))...)
	}},
	{name: "CR line ends (Excel for old Macs)", file: func(b []byte) []byte {
		return bytes.ReplaceAll(b, []byte("\n"), []byte("\r"))
	}},
	{name: "CRLF line ends (Excel, LibreOffice on Windows)", file: func(b []byte) []byte {
		return bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))
	}},
	{name: "LF line ends without a last one (pandas, Unix tools)", file: func(b []byte) []byte {
		return bytes.TrimSuffix(b, []byte("\n"))
	}},
	{name: "column names of another system, through aliases", header: func(table, name string) string {
		switch table + "." + name {
		case "referrals.referral_date":
			return "Date of referral"
		case "referrals.practice_code", "practices.practice_code", "gp_codes.practice_code", "text_campaigns.practice_code":
			return "ODS Code"
		case "courses.start_time":
			return "Start  Time"
		}
		return name
	}, aliases: Aliases{
		"referrals":      {"date of referral": "referral_date", "ODS code": "practice_code"},
		"practices":      {"ODS code": "practice_code"},
		"gp_codes":       {"ods code": "practice_code"},
		"text_campaigns": {"ODS CODE": "practice_code"},
		"courses":        {"start time": "start_time"},
	}},
	{name: "XLSX as Excel saves it: numbers, date cells, time cells", xlsx: excelWorkbook},
	{name: "XLSX as pandas writes it: whole numbers as 14.0, dates and times as serials", xlsx: pandasWorkbook},
	{name: "XLSX with text cells: 12-hour times and zero fractions", xlsx: textWorkbook},
}

// zeroFraction writes a valid whole number as 14.0 or 14.00.
func zeroFraction(c Column, v string) string {
	if c.Type != TypeInteger || !allDigits(v) {
		return v
	}
	if len(v)%2 == 0 {
		return v + ".0"
	}
	return v + ".00"
}

// timeCell writes every valid time of day in layout.
func timeCell(layout string) func(c Column, v string) string {
	return func(c Column, v string) string {
		if c.Type != TypeTime {
			return v
		}
		t, err := time.Parse("15:04", v)
		if err != nil {
			return v
		}
		return t.Format(layout)
	}
}

func TestAcceptedFormsLoadAsThePlainQuarter(t *testing.T) {
	db, _ := openTestDB(t)
	plain := mustLoad(t, testLoader(db), copyQuarter(t, sampleQuarter))
	if plain.Rejected != 5 || plain.Accepted < 1000 {
		t.Fatalf("the plain quarter loaded %d rows and rejected %d; want the sample's five rejections", plain.Accepted, plain.Rejected)
	}
	for _, tbl := range Tables {
		mustExec(t, db, fmt.Sprintf("CREATE TABLE plain_%s AS SELECT * FROM %s", tbl.Name, tbl.Name))
	}
	mustExec(t, db, `CREATE TABLE plain_rejected AS
		SELECT regexp_replace(file, '[.][a-z]+$', '') AS tbl, line, column_name, rule FROM rejected_rows`)

	for _, form := range quarterForms {
		t.Run(form.name, func(t *testing.T) {
			dir := writeForm(t, form)
			l := testLoader(db)
			l.Aliases = form.aliases
			res := mustLoad(t, l, dir)
			if res.Action != ActionRestated {
				t.Fatalf("action %s; want the plain quarter restated", res.Action)
			}
			for _, tbl := range Tables {
				extra := count(t, db, fmt.Sprintf("SELECT count(*) FROM (SELECT * FROM %[1]s EXCEPT ALL SELECT * FROM plain_%[1]s)", tbl.Name))
				missing := count(t, db, fmt.Sprintf("SELECT count(*) FROM (SELECT * FROM plain_%[1]s EXCEPT ALL SELECT * FROM %[1]s)", tbl.Name))
				if extra != 0 || missing != 0 {
					t.Errorf("%s: %d rows not in the plain load, %d of its rows missing", tbl.Name, extra, missing)
				}
			}
			const rejected = `SELECT regexp_replace(file, '[.][a-z]+$', '') AS tbl, line - $1 AS line, column_name, rule FROM rejected_rows`
			extra := count(t, db, "SELECT count(*) FROM ("+rejected+" EXCEPT ALL SELECT * FROM plain_rejected)", form.lineShift)
			missing := count(t, db, "SELECT count(*) FROM (SELECT * FROM plain_rejected EXCEPT ALL "+rejected+")", form.lineShift)
			if extra != 0 || missing != 0 {
				t.Errorf("rejected rows: %d not rejected in the plain load, %d of its missing: %+v", extra, missing, rejectedRows(t, db, "2024Q4"))
			}
		})
	}
}

func mustExec(tb testing.TB, db *sql.DB, query string, args ...any) {
	tb.Helper()
	if _, err := db.Exec(query, args...); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
}

// copyQuarter copies a quarter folder into a new folder of the same name.
func copyQuarter(tb testing.TB, src string) string {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), filepath.Base(src))
	copyDir(tb, src, dir)
	return dir
}

// readCSV reads a CSV file of the sample whole.
func readCSV(tb testing.TB, path string) [][]string {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	return rows
}

// writeForm writes the sample quarter in the form's way into a new folder.
func writeForm(t *testing.T, form quarterForm) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), filepath.Base(sampleQuarter))
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tbl := range Tables {
		rows := readCSV(t, filepath.Join(sampleQuarter, tbl.Name+".csv"))
		cols := make([]Column, len(rows[0]))
		for i, name := range rows[0] {
			cols[i], _ = tbl.Column(name)
			if form.header != nil {
				rows[0][i] = form.header(tbl.Name, name)
			}
		}
		if form.cell != nil {
			for _, row := range rows[1:] {
				for i := range row {
					if i < len(cols) {
						row[i] = form.cell(cols[i], row[i])
					}
				}
			}
		}
		if form.xlsx != nil {
			form.xlsx(t, filepath.Join(dir, tbl.Name+".xlsx"), tbl, rows)
			continue
		}
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.WriteAll(rows)
		b := buf.Bytes()
		if form.file != nil {
			b = form.file(b)
		}
		if err := os.WriteFile(filepath.Join(dir, tbl.Name+".csv"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// typedCell is what a spreadsheet holds for a value of column c: a number
// for a valid whole number or decimal, a date for a valid date, a time of
// day for a valid time; text for anything else, as it was typed.
func typedCell(c Column, v string) any {
	switch c.Type {
	case TypeInteger:
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
	case TypeDecimal:
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return f
		}
	case TypeDate:
		if d, ok := parseDate(v); ok {
			return d
		}
	case TypeTime:
		if c, ok := parseClock(v); ok {
			return clockCell(c.Hour(), c.Minute())
		}
	}
	if v == "" {
		return nil
	}
	return v
}

// excelWorkbook writes the rows as Excel saves them: numbers, and dates
// and times as serial numbers with a date or time format (writeXLSX).
func excelWorkbook(t *testing.T, path string, tbl Table, rows [][]string) {
	out := [][]any{toAny(rows[0])}
	for _, row := range rows[1:] {
		cells := make([]any, len(row))
		for i, v := range row {
			c, _ := tbl.Column(rows[0][i])
			cells[i] = typedCell(c, v)
		}
		out = append(out, cells)
	}
	writeXLSX(t, path, out)
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// pandasWorkbook writes the sheet XML as openpyxl does for a pandas frame
// whose whole-number columns are floats (a column with a gap is): 14.0,
// with dates and times as serial numbers.
func pandasWorkbook(t *testing.T, path string, tbl Table, rows [][]string) {
	var sheet strings.Builder
	for r, row := range rows {
		var cells []string
		for i, v := range row {
			ref, _ := excelize.CoordinatesToCellName(i+1, r+1)
			c, _ := tbl.Column(rows[0][i])
			if r == 0 {
				c = Column{}
			}
			switch x := typedCell(c, v).(type) {
			case nil:
			case int64:
				cells = append(cells, fmt.Sprintf(`<c r="%s"><v>%d.0</v></c>`, ref, x))
			case float64:
				cells = append(cells, fmt.Sprintf(`<c r="%s"><v>%s</v></c>`, ref, strconv.FormatFloat(x, 'f', -1, 64)))
			case time.Time:
				serial := int(x.Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24) // Excel's day 0
				cells = append(cells, fmt.Sprintf(`<c r="%s"><v>%d</v></c>`, ref, serial))
			case clockValue:
				cells = append(cells, fmt.Sprintf(`<c r="%s"><v>%s</v></c>`, ref, strconv.FormatFloat(float64(x), 'f', -1, 64)))
			case string:
				cells = append(cells, xs(ref, xmlText(x)))
			}
		}
		sheet.WriteString(xrow(r+1, cells...))
	}
	writeRawXLSX(t, path, sheet.String())
}

// textWorkbook writes every cell as text, with the times on the 12-hour
// clock and whole numbers with a zero fraction, as a sheet typed or pasted
// by hand holds them.
func textWorkbook(t *testing.T, path string, tbl Table, rows [][]string) {
	twelve := timeCell("3:04:05 PM")
	out := [][]any{toAny(rows[0])}
	for _, row := range rows[1:] {
		cells := make([]any, len(row))
		for i, v := range row {
			c, _ := tbl.Column(rows[0][i])
			if v != "" {
				cells[i] = twelve(c, zeroFraction(c, v))
			}
		}
		out = append(out, cells)
	}
	writeXLSX(t, path, out)
}

func xmlText(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// TestAliasesCheck refuses aliases that cannot work.
func TestAliasesCheck(t *testing.T) {
	for _, tc := range []struct {
		aliases Aliases
		want    string
	}{
		{Aliases{"referrals": {"Date of referral": "referral_date"}}, ""},
		{Aliases{"referral": {"Date of referral": "referral_date"}}, "not a table"},
		{Aliases{"referrals": {"Date of referral": "referal_date"}}, "not a column"},
		{Aliases{"referrals": {"Practice_Code": "referral_date"}}, "already a column"},
		{Aliases{"referrals": {" ": "referral_date"}}, "empty"},
		{Aliases{"referrals": {"Date of referral": "referral_date", "date  of REFERRAL": "referral_date"}}, "the same name"},
	} {
		err := tc.aliases.Check()
		if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%v: err = %v; want %q", tc.aliases, err, tc.want)
		}
	}
}

// TestUnknownColumnSuggestsClosest checks that a refusal naming a column
// not in the contract suggests the contract column meant.
func TestUnknownColumnSuggestsClosest(t *testing.T) {
	referrals, _ := TableByName("referrals")
	for name, want := range map[string]string{
		"Date of referral": "referral_date",
		"referal_date":     "referral_date",
		"Patient ID":       "patient_id",
		"ReferralDate":     "referral_date",
		"Referral":         "", // referral_id or referral_date: no guess
		"notes":            "",
	} {
		if got := closestColumn(referrals, name); got != want {
			t.Errorf("closestColumn(%q) = %q, want %q", name, got, want)
		}
	}

	db, _ := openTestDB(t)
	dir := copyQuarter(t, sampleQuarter)
	rows := readCSV(t, filepath.Join(dir, "referrals.csv"))
	rows[0][3] = "Date of referral"
	var buf bytes.Buffer
	csv.NewWriter(&buf).WriteAll(rows)
	writeFile(t, dir, "referrals.csv", buf.String())
	_, err := testLoader(db).LoadQuarter(context.Background(), dir)
	if err == nil || !strings.Contains(err.Error(), "Date of referral (did you mean referral_date?)") || !strings.Contains(err.Error(), `"aliases"`) {
		t.Fatalf("err = %v; want the unknown column with its suggestion and the aliases", err)
	}
}
