package ingest

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// The fuzz targets feed the readers arbitrary files. Whatever the bytes,
// reading must not panic or hang, and must end in a refusal or in rows that
// each load or are rejected, always with a rule from Rules. CI runs each
// briefly (.ci/run); run one longer with, for example,
//
//	go test ./ingest -run '^$' -fuzz '^FuzzReadCSV$' -fuzztime 5m

// knownRules are the rule names a reader or parser may give.
var knownRules = func() map[string]bool {
	m := map[string]bool{}
	for _, r := range Rules {
		m[r.Name] = true
	}
	return m
}()

// dryLoad does what a load does with one file, short of the database:
// both passes of the reader, the header, and every row through the row
// parser. It fails tb on any outcome a load could not report.
func dryLoad(tb testing.TB, t Table, path string) {
	fc, p := checkFile(path)
	if p != nil {
		checkProblem(tb, p)
		return
	}
	for _, p := range checkHeader(t, fc, nil) {
		checkProblem(tb, &p)
		return
	}
	rr, err := openRows(fc)
	if err != nil {
		checkProblem(tb, asProblemOrFail(tb, err))
		return
	}
	defer rr.Close()
	_, header, err := rr.Read()
	if err != nil {
		tb.Fatalf("header read again: %v", err)
	}
	idx, problems := headerMap(t, fc.name, header, nil)
	if len(problems) > 0 {
		tb.Fatalf("header matched in the first pass but not the second: %v", problems)
	}
	width := 0
	for _, pos := range idx {
		width = max(width, pos+1)
	}
	q, _ := parseQuarter("2026Q2")
	date1904 := false
	if x, ok := rr.(*xlsxRows); ok {
		date1904 = x.date1904
	}
	parser := newRowParser(t, q, fc.xlsx, date1904)
	ordered := make([]string, len(t.Columns))
	for {
		line, fields, err := rr.Read()
		if err == io.EOF {
			// The first pass counts the records the reader splits the file
			// into, never more: it refuses a file by that count.
			if c, ok := rr.(*csvRows); ok && c.records != fc.records {
				tb.Fatalf("the first pass counted %d records, the reader read %d", fc.records, c.records)
			}
			return
		}
		var rp *rowProblem
		if errors.As(err, &rp) {
			if !knownRules[rp.rule] || rp.reason == "" || rp.line <= 0 {
				tb.Fatalf("row problem %+v", rp)
			}
			continue
		}
		if err != nil {
			checkProblem(tb, asProblemOrFail(tb, err))
			return
		}
		if line <= 0 {
			tb.Fatalf("row with line %d", line)
		}
		if blankRow(fields) {
			continue
		}
		if _, ok := fieldCountOK(fields, width, fc.xlsx); !ok {
			continue
		}
		for i, pos := range idx {
			ordered[i] = ""
			if pos >= 0 && pos < len(fields) { // -1: a column the file may lack
				ordered[i] = fields[pos]
			}
		}
		if _, fe := parser.parse(line, ordered); fe != nil && (!knownRules[fe.rule] || fe.reason == "") {
			tb.Fatalf("line %d: field error %+v", line, fe)
		}
	}
}

func checkProblem(tb testing.TB, p *Problem) {
	if !knownRules[p.Rule] || p.Reason == "" || p.File == "" {
		tb.Fatalf("problem %+v: want a known rule, a reason and the file", p)
	}
}

// FuzzReadCSV reads arbitrary bytes as the CSV file of one of the tables.
func FuzzReadCSV(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "*", "*", "*.csv"))
	more, _ := filepath.Glob(filepath.Join("testdata", "*", "*", "*", "*.csv"))
	for _, path := range append(paths, more...) {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		if t, ok := TableByName(strings.TrimSuffix(filepath.Base(path), ".csv")); ok {
			f.Add(data, uint8(tableIndex(t)))
		}
	}
	f.Add([]byte("referral_id,followup_date,followup_by,method,result\n\"R1,2026-04-20\n"), uint8(6))
	f.Add([]byte("\xff\xfer\x00e\x00"), uint8(0))
	// Line ends and quoting the first pass must count as the reader does.
	f.Add([]byte("sep=,\r\npractice_code,date_sent,messages_sent\r\nF83004,2026-04-01,1.0\r\n"), uint8(8))
	f.Add([]byte("practice_code,date_sent,messages_sent\rF83004,2026-04-01,12\r\rF83010,01/04/2026,3\r"), uint8(8))
	f.Add([]byte("referral_id,followup_date,followup_by,method,result\n\"R1\r\n\"\"x\"\"\",2026-04-20,\"a\"b,\"\"\n\r\n\"c"), uint8(6))
	dir := f.TempDir()
	setLimit(f, &MaxRowsPerFile, 1000)
	f.Fuzz(func(t *testing.T, data []byte, table uint8) {
		tb := Tables[int(table)%len(Tables)]
		path := filepath.Join(dir, tb.Name+".csv")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		dryLoad(t, tb, path)
	})
}

func tableIndex(t Table) int {
	for i, o := range Tables {
		if o.Name == t.Name {
			return i
		}
	}
	return -1
}

// FuzzReadXLSX reads arbitrary bytes as the workbook of the followups
// table, starting from small workbooks made by excelize and by hand.
func FuzzReadXLSX(f *testing.F) {
	x := excelize.NewFile()
	for r, row := range [][]any{
		{"referral_id", "followup_date", "followup_by", "method", "result"},
		{"R0003", time.Date(2026, 4, 20, 0, 0, 0, 0, time.UTC), "practice", "phone", "no contact"},
		{"R0003", "27/04/2026", "provider", "text", 12.5},
	} {
		cell, _ := excelize.CoordinatesToCellName(1, r+1)
		if err := x.SetSheetRow("Sheet1", cell, &row); err != nil {
			f.Fatal(err)
		}
	}
	x.SetCellFormula("Sheet1", "E3", "1+1")
	buf, err := x.WriteToBuffer()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add(rawXLSX(f, xtexts(1, "referral_id", "followup_date", "followup_by", "method", "result")+
		xrow(2, xs("A2", "R0003"), `<c r="B2" t="e"><v>#REF!</v></c>`, `<c r="E2"><f>1</f></c>`)))
	dir := f.TempDir()
	setLimit(f, &MaxRowsPerFile, 1000)
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "followups.xlsx")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		dryLoad(t, Tables[6], path)
	})
}

// FuzzReadXLSXSheet wraps arbitrary XML in a valid workbook as the sheet's
// data, which reaches the sheet scanner and excelize's row reader far more
// often than mutating zip bytes does.
func FuzzReadXLSXSheet(f *testing.F) {
	header := xtexts(1, "referral_id", "followup_date", "followup_by", "method", "result")
	f.Add(header + xtexts(2, "R0003", "2026-04-20", "practice", "phone", "no contact"))
	f.Add(header + `<row><c><v>46132</v></c><c t="s"><v>0</v></c><c r="E2" t="str"><f>A1</f><v>x</v></c></row><row r="9"><c r="C9"><f t="shared" si="0"/></c></row>`)
	f.Add(header + `<x:row r="2" xmlns:x="urn:x"><x:c r="B2"><x:v>1</x:v></x:c></x:row>`)
	f.Add(`<row r="1"><c r="A1" t="inlineStr"><is><r><t>referral_</t></r><r><t>id</t></r></is></c></row><!-- a comment --><row r="3"/>`)
	dir := f.TempDir()
	setLimit(f, &MaxRowsPerFile, 1000)
	f.Fuzz(func(t *testing.T, sheetData string) {
		path := filepath.Join(dir, "followups.xlsx")
		writeRawXLSX(t, path, sheetData)
		dryLoad(t, Tables[6], path)
	})
}

// FuzzParseDate checks the date and time parsers never panic, accept only
// real dates and times, and give back what they read.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-04-07", "07/04/2026", "7/4/2026", "31/02/2026", "2026-4-7", "0000-00-00", "18:30", "9:05:00", "24:00", "46132", "46132.75", "-1", "1e308", "NaN"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if d, ok := parseDate(s); ok {
			iso := d.Format("2006-01-02")
			if d2, ok := parseDate(iso); !ok || !d2.Equal(d) {
				t.Errorf("parseDate(%q) = %s, which does not read back", s, iso)
			}
			if d.Year() < 1900 || d.Hour() != 0 || d.Location() != time.UTC {
				t.Errorf("parseDate(%q) = %v", s, d)
			}
			if len(s) == 10 && s[4] == '-' && iso != s {
				t.Errorf("parseDate(%q) = %s", s, iso)
			}
		}
		if c, ok := parseClock(s); ok {
			hm := fmt.Sprintf("%02d:%02d", c.Hour(), c.Minute())
			if c2, ok := parseClock(hm); !ok || !c2.Equal(c) || c.Year() != 1970 {
				t.Errorf("parseClock(%q) = %v, which does not read back as %s", s, c, hm)
			}
		}
		for _, date1904 := range []bool{false, true} {
			if d, ok := excelSerialDate(s, date1904); ok && (d.Year() < 1900 || d.Year() > 9999) {
				t.Errorf("excelSerialDate(%q) = %v", s, d)
			}
		}
		if c, ok := excelSerialClock(s); ok && (c.Year() != 1970 || c.Hour() > 23) {
			t.Errorf("excelSerialClock(%q) = %v", s, c)
		}
	})
}
