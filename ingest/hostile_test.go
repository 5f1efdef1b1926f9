package ingest

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"unicode/utf16"
)

// rawPart is one part of a hand-made workbook.
type rawPart struct {
	name string
	data []byte
}

// writeRawXLSX writes a minimal workbook by hand, so that a test controls
// every byte excelize sees: the four parts that make a workbook, the sheet
// XML wrapped around sheetData, and any extra parts.
func writeRawXLSX(tb testing.TB, path, sheetData string, extra ...rawPart) {
	tb.Helper()
	if err := os.WriteFile(path, rawXLSX(tb, sheetData, extra...), 0o644); err != nil {
		tb.Fatal(err)
	}
}

func rawXLSX(tb testing.TB, sheetData string, extra ...rawPart) []byte {
	tb.Helper()
	const rels = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	parts := []rawPart{
		{"[Content_Types].xml", []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`)},
		{"_rels/.rels", []byte(`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="` + rels + `/officeDocument" Target="xl/workbook.xml"/></Relationships>`)},
		{"xl/workbook.xml", []byte(`<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="` + rels + `"><sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>`)},
		{"xl/_rels/workbook.xml.rels", []byte(`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="` + rels + `/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`)},
		{"xl/worksheets/sheet1.xml", []byte(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` + sheetData + `</sheetData></worksheet>`)},
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range append(parts, extra...) {
		w, err := zw.Create(p.name)
		if err != nil {
			tb.Fatal(err)
		}
		w.Write(p.data)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// xrow is a sheet row; cells are made with xs (text), xf (formula) and so on.
func xrow(r int, cells ...string) string {
	return fmt.Sprintf(`<row r="%d">%s</row>`, r, strings.Join(cells, ""))
}

// xs is a text cell.
func xs(ref, text string) string {
	return fmt.Sprintf(`<c r="%s" t="inlineStr"><is><t>%s</t></is></c>`, ref, text)
}

// xtexts is a row of text cells from column A.
func xtexts(r int, texts ...string) string {
	cells := make([]string, len(texts))
	for i, s := range texts {
		cells[i] = xs(fmt.Sprintf("%c%d", 'A'+i, r), s)
	}
	return xrow(r, cells...)
}

// readOutcome is what reading a file alone, without a database, comes to.
type readOutcome struct {
	rows     int           // records read, the header included
	problems []*rowProblem // rows that cannot be read
	refusal  *Problem      // why the file is refused, if it is
}

// readWhole runs both passes of the reader over one file, as a load does,
// but without a database.
func readWhole(tb testing.TB, path string) readOutcome {
	tb.Helper()
	var out readOutcome
	fc, p := checkFile(path)
	if p != nil {
		out.refusal = p
		return out
	}
	rr, err := openRows(fc)
	if err != nil {
		out.refusal = asProblemOrFail(tb, err)
		return out
	}
	defer rr.Close()
	for {
		_, _, err := rr.Read()
		if err == io.EOF {
			return out
		}
		var rp *rowProblem
		if errors.As(err, &rp) {
			out.problems = append(out.problems, rp)
		} else if err != nil {
			out.refusal = asProblemOrFail(tb, err)
			return out
		}
		out.rows++
	}
}

func asProblemOrFail(tb testing.TB, err error) *Problem {
	var p *Problem
	if !errors.As(err, &p) {
		tb.Fatalf("reader error %T %v; want a *Problem", err, err)
	}
	if p.Rule == "" || p.Reason == "" {
		tb.Fatalf("problem without rule or reason: %+v", p)
	}
	return p
}

// setLimit lowers a limit for one test.
func setLimit[T any](tb testing.TB, v *T, to T) {
	old := *v
	*v = to
	tb.Cleanup(func() { *v = old })
}

func utf16Bytes(s string, bigEndian, bom bool) []byte {
	var out []byte
	units := utf16.Encode([]rune(s))
	if bom {
		units = append([]uint16{0xFEFF}, units...)
	}
	for _, u := range units {
		if bigEndian {
			out = append(out, byte(u>>8), byte(u))
		} else {
			out = append(out, byte(u), byte(u>>8))
		}
	}
	return out
}

// TestHostileFiles feeds the reader files that are too big, bombs, in the
// wrong encoding or malformed, each of which must be refused with its
// rule, placed, and a sentence; and files just inside the limits, which
// must read.
func TestHostileFiles(t *testing.T) {
	const practicesHeader = "practice_code,practice_name,pcn,list_size,t2d_register\n"
	good := practicesHeader + "F83004,Archway Medical Centre,Islington North PCN,9200,610\n"
	goodSheet := xtexts(1, "practice_code", "practice_name", "pcn", "list_size", "t2d_register") +
		xtexts(2, "F83004", "Archway Medical Centre", "Islington North PCN", "9200", "610")
	csvFile := func(text string) func(t *testing.T, dir string) string {
		return func(t *testing.T, dir string) string {
			path := filepath.Join(dir, "practices.csv")
			writeFile(t, dir, "practices.csv", text)
			return path
		}
	}
	rawFile := func(name string, data []byte) func(t *testing.T, dir string) string {
		return func(t *testing.T, dir string) string {
			path := filepath.Join(dir, name)
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			return path
		}
	}
	workbook := func(sheet string, extra ...rawPart) func(t *testing.T, dir string) string {
		return func(t *testing.T, dir string) string {
			path := filepath.Join(dir, "practices.xlsx")
			writeRawXLSX(t, path, sheet, extra...)
			return path
		}
	}
	randomLetters := func(n int) string {
		r := rand.New(rand.NewPCG(1, 2))
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('a' + r.IntN(26))
		}
		return string(b)
	}
	cases := []struct {
		name   string
		limits func(t *testing.T)
		file   func(t *testing.T, dir string) string
		rule   string // "" when the file must read
		line   int64
		reason string // a piece of the reason
	}{
		{name: "good CSV", file: csvFile(good)},
		{name: "good workbook", file: workbook(goodSheet)},
		{name: "CSV over the size limit", limits: func(t *testing.T) { setLimit(t, &MaxFileBytes, 100) },
			file: csvFile(good + strings.Repeat("F83010,Hornsey Rise Practice,Islington North PCN,6100,402\n", 3)), rule: "file_too_large", reason: "over the 100 bytes limit"},
		{name: "workbook over the XLSX size limit", limits: func(t *testing.T) { setLimit(t, &MaxXLSXBytes, 500) },
			file: workbook(goodSheet), rule: "file_too_large", reason: "save the data as CSV"},
		{name: "workbook unzipping too large", limits: func(t *testing.T) { setLimit(t, &MaxXLSXUnzippedBytes, 2000) },
			file: workbook(goodSheet + xtexts(3, strings.Repeat("x", 2000))), rule: "xlsx_too_large"},
		{name: "zip bomb", file: workbook(goodSheet + strings.Repeat(" ", 4<<20)), rule: "zip_bomb", reason: "over 100 times its size"},
		{name: "too many parts", limits: func(t *testing.T) { setLimit(t, &MaxZipEntries, 5) },
			file: workbook(goodSheet, rawPart{"xl/theme/theme1.xml", []byte("<a/>")}), rule: "zip_bomb", reason: "6 parts"},
		{name: "huge zip directory", file: func(t *testing.T, dir string) string {
			var extra []rawPart
			for i := range 20_000 {
				extra = append(extra, rawPart{fmt.Sprintf("xl/media/%0300d", i), nil})
			}
			return workbook(goodSheet, extra...)(t, dir)
		}, rule: "zip_bomb", reason: "list of parts is over"},
		{name: "in-memory parts too large", limits: func(t *testing.T) { setLimit(t, &maxXLSXInMemoryBytes, 4000) },
			file: workbook(goodSheet, rawPart{"xl/media/image1.png", []byte(randomLetters(5000))}), rule: "xlsx_too_large", reason: "besides its large sheets"},
		{name: "shared strings too large", limits: func(t *testing.T) { setLimit(t, &maxSharedStringsBytes, 1000) },
			file: workbook(goodSheet, rawPart{"xl/sharedStrings.xml", []byte("<sst>" + strings.Repeat("<si><t>x</t></si>", 100) + "</sst>")}), rule: "xlsx_too_large", reason: "shared text"},
		{name: "part climbing out", file: workbook(goodSheet, rawPart{"../../etc/cron.d/x", []byte("x")}), rule: "bad_xlsx", reason: ". or .. steps"},
		{name: "absolute part", file: workbook(goodSheet, rawPart{"/etc/passwd", []byte("x")}), rule: "bad_xlsx", reason: "absolute path"},
		{name: "deeply nested part", file: workbook(goodSheet, rawPart{"xl/a/b/c/d/e/f/g/h/i.xml", []byte("x")}), rule: "bad_xlsx", reason: "8 folders deep"},
		{name: "part twice", file: workbook(goodSheet, rawPart{"XL/Workbook.xml", []byte("x")}), rule: "bad_xlsx", reason: "twice"},
		{name: "old .xls renamed", file: rawFile("practices.xlsx", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 600)...)), rule: "bad_xlsx", reason: ".xls"},
		{name: "CSV named .xlsx", file: rawFile("practices.xlsx", []byte(good)), rule: "bad_xlsx", reason: "rename it to .csv"},
		{name: "UTF-16 with BOM", file: rawFile("practices.csv", utf16Bytes(good, false, true)), rule: "bad_encoding", line: 1, reason: `"CSV UTF-8"`},
		{name: "UTF-16 big-endian", file: rawFile("practices.csv", utf16Bytes(good, true, true)), rule: "bad_encoding", line: 1, reason: `"CSV UTF-8"`},
		{name: "UTF-16 without BOM", file: rawFile("practices.csv", utf16Bytes(good, false, false)), rule: "bad_encoding", line: 1, reason: `"CSV UTF-8"`},
		{name: "pipe", file: func(t *testing.T, dir string) string {
			path := filepath.Join(dir, "practices.csv")
			if err := syscall.Mkfifo(path, 0o644); err != nil {
				t.Skipf("cannot make a pipe: %v", err)
			}
			return path
		}, rule: "unreadable_file", reason: "not a regular file"},
		{name: "CSV rows at the limit", limits: func(t *testing.T) { setLimit(t, &MaxRowsPerFile, 3) },
			file: csvFile(good + "\n\n" + strings.Repeat("F83010,Hornsey Rise Practice,Islington North PCN,6100,402\n", 2))},
		{name: "CSV rows over the limit", limits: func(t *testing.T) { setLimit(t, &MaxRowsPerFile, 3) },
			file: csvFile(good + strings.Repeat("F83010,Hornsey Rise Practice,Islington North PCN,6100,402\n", 3)), rule: "too_many_rows", line: 5},
		{name: "sheet rows at the limit", limits: func(t *testing.T) { setLimit(t, &MaxRowsPerFile, 3) },
			file: workbook(goodSheet + xtexts(4, "F83010"))},
		{name: "sheet running too far down", limits: func(t *testing.T) { setLimit(t, &MaxRowsPerFile, 3) },
			file: workbook(goodSheet + xtexts(4, "F83010") + xtexts(5, "F83021")), rule: "too_many_rows", line: 5},
		// practices has 6 columns (contract v2), so 20 spare end at 26.
		{name: "value in column 26", file: workbook(goodSheet + xrow(3, xs("Z3", "note")))},
		{name: "value in column 27", file: workbook(goodSheet + xrow(3, xs("AA3", "note"))), rule: "too_many_columns", line: 3, reason: "column AA"},
		{name: "cell beyond XFD", file: workbook(goodSheet + xrow(3, strings.Repeat("<c/>", excelMaxColumns)+"<c><v>1</v></c>")), rule: "bad_xlsx", line: 3, reason: "16384 columns"},
		{name: "rows out of order", file: workbook(goodSheet + xtexts(4, "F83010") + xtexts(3, "F83021")), rule: "bad_xlsx", line: 4, reason: "comes after row 4"},
		{name: "broken XML", file: workbook(goodSheet + `<row r="3"><c r=A3><v>1</v></c></row>`), rule: "bad_xlsx", line: 3, reason: "broken in or after row 3"},
		{name: "nested too deep", file: workbook(goodSheet + xrow(3, strings.Repeat("<x>", 70)+strings.Repeat("</x>", 70))), rule: "bad_xlsx", line: 3, reason: "64 deep"},
		{name: "value over 1 MiB", file: workbook(goodSheet + xtexts(3, randomLetters(maxLineBytes+10))), rule: "line_too_long", line: 3},
		{name: "too many formulas", file: func(t *testing.T, dir string) string {
			var rows strings.Builder
			for r := 2; r <= 2+maxFormulaCells/4; r++ {
				rows.WriteString(xrow(r, strings.Repeat(fmt.Sprintf(`<c><f>A%d</f></c>`, r), 5)))
			}
			return workbook(xtexts(1, "practice_code", "practice_name", "pcn", "list_size", "t2d_register")+rows.String())(t, dir)
		}, rule: "uncalculated_formulas"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.limits != nil {
				tc.limits(t)
			}
			got := readWhole(t, tc.file(t, t.TempDir()))
			if tc.rule == "" {
				if got.refusal != nil || len(got.problems) > 0 {
					t.Fatalf("refused %+v, row problems %v; want the file read", got.refusal, got.problems)
				}
				return
			}
			p := got.refusal
			if p == nil {
				t.Fatalf("read %d rows (row problems %v); want refusal %s", got.rows, got.problems, tc.rule)
			}
			if p.Rule != tc.rule || p.Line != tc.line || !strings.Contains(p.Reason, tc.reason) || !strings.HasSuffix(p.Reason, ".") || p.File == "" {
				t.Errorf("refused %+v; want rule %s line %d, a reason with %q", p, tc.rule, tc.line, tc.reason)
			}
		})
	}
}

// TestXLSXFormulas checks that formula cells give the value saved with
// them and are never evaluated, and that a formula saved without a value or
// an error value rejects its row, unless it is outside the columns read.
func TestXLSXFormulas(t *testing.T) {
	db, _ := openTestDB(t)
	dir := quarterDir(t, "2026Q2")
	os.Remove(filepath.Join(dir, "followups.csv"))
	writeRawXLSX(t, filepath.Join(dir, "followups.xlsx"),
		xtexts(1, "referral_id", "followup_date", "followup_by", "method", "result")+
			// The cached value is what loads, not the formula.
			xrow(2, xs("A2", "R0003"), xs("B2", "2026-04-20"), xs("C2", "practice"), xs("D2", "phone"), `<c r="E2" t="str"><f>"no "&amp;"contact"</f><v>no contact</v></c>`)+
			xtexts(3, "R0003", "2026-04-27", "provider", "text", "rebooked")+
			// Saved without a value: nothing to load.
			xrow(4, xs("A4", "R0004"), xs("B4", "2026-05-01"), xs("C4", "practice"), xs("D4", "phone"), `<c r="E4"><f>1+1</f></c>`)+
			// An error value.
			xrow(5, xs("A5", "R0004"), `<c r="B5" t="e"><f>1/0</f><v>#DIV/0!</v></c>`, xs("C5", "practice"), xs("D5", "phone"), xs("E5", "rebooked"))+
			// A formula without value beside the data does not matter.
			xrow(6, xs("A6", "R0004"), xs("B6", "2026-05-02"), xs("C6", "practice"), xs("D6", "phone"), xs("E6", "rebooked"), `<c r="H6"><f>HYPERLINK("http://example.invalid","x")</f></c>`))
	res := mustLoad(t, testLoader(db), dir)
	if f := res.Files[6]; f.File != "followups.xlsx" || f.Accepted != 3 || f.Rejected != 2 {
		t.Fatalf("followups: %+v; want 3 accepted, 2 rejected", f)
	}
	var got []string
	for _, r := range rejectedRows(t, db, "2026Q2") {
		got = append(got, fmt.Sprintf("%d %s %q %s", r.Line, r.Column, r.Value, r.Rule))
		if !strings.Contains(r.Reason, fmt.Sprintf("%d", r.Line)) {
			t.Errorf("reason %q does not name the cell", r.Reason)
		}
	}
	want := []string{`4 result "" formula_cell`, `5 followup_date "#DIV/0!" formula_cell`}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("rejected:\n got %q\nwant %q", got, want)
	}
	var result string
	if err := db.QueryRow(`SELECT result FROM followups WHERE referral_id = 'R0003' AND followup_date = DATE '2026-04-20'`).Scan(&result); err != nil || result != "no contact" {
		t.Errorf("result = %q, %v; want the cached value", result, err)
	}

	// A formula in the header cannot name a column.
	path := filepath.Join(t.TempDir(), "followups.xlsx")
	writeRawXLSX(t, path, xrow(1, xs("A1", "referral_id"), `<c r="B1"><f>"followup_"&amp;"date"</f></c>`))
	fc, p := checkFile(path)
	if p != nil {
		t.Fatal(p)
	}
	if ps := checkHeader(Tables[6], fc, nil); len(ps) != 1 || ps[0].Rule != "formula_cell" || ps[0].Line != 1 {
		t.Errorf("header problems %+v; want formula_cell on line 1", ps)
	}
}

// TestCSVFormulaTextIsData checks that CSV text that a spreadsheet would
// take for a formula is stored exactly as written: it is data.
func TestCSVFormulaTextIsData(t *testing.T) {
	db, _ := openTestDB(t)
	dir := quarterDir(t, "2026Q2")
	names := []string{`=HYPERLINK("http://example.invalid","Surgery")`, "+44 Surgery", "@Home Practice"}
	writeFile(t, dir, "practices.csv", "practice_code,practice_name,pcn,list_size,t2d_register\n"+
		`F83004,"=HYPERLINK(""http://example.invalid"",""Surgery"")",Islington North PCN,9200,610`+"\n"+
		"F83010,+44 Surgery,Islington North PCN,6100,402\n"+
		"F83021,@Home Practice,-Central PCN,7400,515\n")
	if res := mustLoad(t, testLoader(db), dir); res.Rejected != 0 {
		t.Fatalf("rejected: %+v", rejectedRows(t, db, "2026Q2"))
	}
	rows, err := db.Query(`SELECT practice_name, pcn FROM practices ORDER BY practice_code`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var name, pcn string
		if err := rows.Scan(&name, &pcn); err != nil {
			t.Fatal(err)
		}
		got = append(got, name)
		if name == "@Home Practice" && pcn != "-Central PCN" {
			t.Errorf("pcn = %q", pcn)
		}
	}
	if strings.Join(got, "|") != strings.Join(names, "|") {
		t.Errorf("names %q; want %q", got, names)
	}
}

// TestHostileFilesLeaveDatabaseUnchanged refuses whole quarters for
// hostile files, including a file refused only while its rows are read
// inside the transaction, after earlier files were staged.
func TestHostileFilesLeaveDatabaseUnchanged(t *testing.T) {
	db, _ := openTestDB(t)
	l := testLoader(db)
	mustLoad(t, l, quarterDir(t, "2026Q1"))
	mustLoad(t, l, quarterDir(t, "2026Q2"))
	before := snapshot(t, db)
	cases := []struct {
		name  string
		setup func(t *testing.T, dir string)
		file  string
		rule  string
	}{
		{"zip bomb", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "venues.csv"))
			writeRawXLSX(t, filepath.Join(dir, "venues.xlsx"), strings.Repeat(" ", 4<<20))
		}, "venues.xlsx", "zip_bomb"},
		{"UTF-16", func(t *testing.T, dir string) {
			text, _ := os.ReadFile(filepath.Join(dir, "gp_codes.csv"))
			os.WriteFile(filepath.Join(dir, "gp_codes.csv"), utf16Bytes(string(text), false, true), 0o644)
		}, "gp_codes.csv", "bad_encoding"},
		{"too many rows", func(t *testing.T, dir string) {
			setLimit(t, &MaxRowsPerFile, 4) // attendance.csv, the fifth file, has 5
		}, "attendance.csv", "too_many_rows"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := quarterDir(t, "2026Q2")
			writeFile(t, dir, "text_campaigns.csv", "practice_code,date_sent,messages_sent\nF83004,2026-04-01,321\n") // so that the quarter is not unchanged
			tc.setup(t, dir)
			_, err := l.LoadQuarter(context.Background(), dir)
			var refused *RefusedError
			if !errors.As(err, &refused) || len(refused.Problems) != 1 || refused.Problems[0].File != tc.file || refused.Problems[0].Rule != tc.rule {
				t.Fatalf("err = %v; want %s refused for %s", err, tc.file, tc.rule)
			}
			if after := snapshot(t, db); !after.equal(before) {
				t.Fatalf("database changed:\n%+v\n%+v", before, after)
			}
		})
	}
}

// TestCSVMemoryBounded reads a CSV file much larger than the memory the
// reader may use, parsing every row, and samples the Go heap meanwhile.
func TestCSVMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 64 MiB file")
	}
	const fileSize = 64 << 20
	path := filepath.Join(t.TempDir(), "practices.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("practice_code,practice_name,pcn,list_size,t2d_register,imd_quintile\n")
	name := strings.Repeat("Long Practice Name ", 50)
	var line []byte
	written := 0
	for i := 0; written < fileSize; i++ {
		line = fmt.Appendf(line[:0], "F%05d,%s%d,PCN %d,%d,%d,%d\n", i%100000, name, i, i%40, 5000+i%1000, 300+i%100, 1+i%5)
		n, err := f.Write(line)
		if err != nil {
			t.Fatal(err)
		}
		written += n
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapInuse, ms.HeapInuse
	fc, p := checkFile(path)
	if p != nil {
		t.Fatal(p)
	}
	rr, err := openRows(fc)
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Close()
	q, _ := parseQuarter("2026Q2")
	parser := newRowParser(Tables[0], q, false, false)
	rows := 0
	for {
		line, fields, err := rr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if line > 1 {
			if _, fe := parser.parse(line, fields); fe != nil {
				t.Fatalf("line %d: %+v", line, fe)
			}
		}
		if rows++; rows%1000 == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
	}
	t.Logf("%d rows, %d MiB file; heap in use %d MiB before, at most %d MiB while reading", rows, written>>20, base>>20, peak>>20)
	if grew := int64(peak) - int64(base); grew > 16<<20 {
		t.Errorf("the heap grew by %d MiB reading a %d MiB file; the reader should stream", grew>>20, written>>20)
	}
}
