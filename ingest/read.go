package ingest

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// maxLineBytes caps one line (CSV) or row (XLSX) so that a file without line
// breaks, or a runaway quoted field, cannot make the loader hold the whole
// file in memory. No honest row of the contract comes near it.
const maxLineBytes = 1 << 20

// textEncoding is how a CSV file's bytes are decoded; decided per file.
type textEncoding int

const (
	encUTF8 textEncoding = iota
	encUTF8BOM
	encWindows1252
)

func (e textEncoding) String() string {
	switch e {
	case encUTF8BOM:
		return "UTF-8 with byte-order mark"
	case encWindows1252:
		return "Windows-1252"
	}
	return "UTF-8"
}

// fileCheck is what the first pass over a file learns: its identity, size,
// for CSV the encoding to decode it with, and for XLSX what the guard saw.
type fileCheck struct {
	path     string
	name     string // base name, e.g. referrals.csv
	xlsx     bool
	size     int64
	sha256   string
	encoding textEncoding
	crLines  bool      // CSV lines end with a lone CR (old Mac Excel)
	sepLine  bool      // CSV line 1 is Excel's "sep=,", before the header
	records  int64     // CSV records, the header included, as encoding/csv will split them
	workbook *xlsxInfo // XLSX only
}

// checkFile hashes the file and, for CSV, decides its encoding and refuses
// binary content or over-long lines, all in one streaming pass; for XLSX it
// inspects the zip and the first sheet (checkWorkbook). So a refused file is
// refused before the database is touched, and nothing is read from a file
// over the size limits.
func checkFile(path string) (fileCheck, *Problem) {
	fc := fileCheck{path: path, name: filepath.Base(path)}
	fc.xlsx = strings.EqualFold(filepath.Ext(path), ".xlsx")
	unreadable := func(err error) *Problem {
		return &Problem{File: fc.name, Rule: "unreadable_file", Reason: fmt.Sprintf("The file could not be read: %v.", err)}
	}
	// Stat before opening: opening a pipe blocks, and a device may never end.
	st, err := os.Stat(path)
	if err != nil {
		return fc, unreadable(err)
	}
	if !st.Mode().IsRegular() {
		return fc, &Problem{File: fc.name, Rule: "unreadable_file", Reason: "The file is not a regular file (it is a pipe, device or similar); copy the extract into the folder as a plain file."}
	}
	if p := sizeProblem(fc, st.Size()); p != nil {
		return fc, p
	}
	f, err := os.Open(path)
	if err != nil {
		return fc, unreadable(err)
	}
	defer f.Close()
	h := sha256.New()
	if fc.xlsx {
		n, err := io.Copy(h, io.LimitReader(f, MaxXLSXBytes+1))
		if err != nil {
			return fc, unreadable(err)
		}
		if p := sizeProblem(fc, n); p != nil { // it grew since Stat
			return fc, p
		}
		fc.size = n
		fc.sha256 = hex.EncodeToString(h.Sum(nil))
		table, ok := TableByName(strings.ToLower(strings.TrimSuffix(fc.name, filepath.Ext(fc.name))))
		info, p := checkWorkbook(path, n, table, ok)
		if p != nil {
			return fc, p
		}
		fc.workbook = info
		return fc, nil
	}
	var s textSniffer
	buf := make([]byte, 64<<10)
	for {
		n, err := f.Read(buf)
		if n > 0 {
			h.Write(buf[:n])
			if p := s.feed(buf[:n]); p != nil {
				p.File = fc.name
				return fc, p
			}
			fc.size += int64(n)
			if p := sizeProblem(fc, fc.size); p != nil { // it grew since Stat
				return fc, p
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return fc, unreadable(err)
		}
	}
	enc, p := s.finish()
	if p != nil {
		p.File = fc.name
		return fc, p
	}
	fc.encoding = enc
	fc.crLines, fc.sepLine, fc.records = s.endings == endingsCR, s.sepLine, s.records.n
	fc.sha256 = hex.EncodeToString(h.Sum(nil))
	return fc, nil
}

// sizeProblem refuses a file over MaxFileBytes, or a workbook over
// MaxXLSXBytes.
func sizeProblem(fc fileCheck, size int64) *Problem {
	switch {
	case size > MaxFileBytes:
		return &Problem{File: fc.name, Rule: "file_too_large", Reason: fmt.Sprintf("The file is %s, over the %s limit for one file; check it is the right extract, or ask for a smaller one.", sizeText(size), sizeText(MaxFileBytes))}
	case fc.xlsx && size > MaxXLSXBytes:
		return &Problem{File: fc.name, Rule: "file_too_large", Reason: fmt.Sprintf("The workbook is %s, over the %s limit for XLSX files; save the data as CSV instead (the limit for CSV is %s).", sizeText(size), sizeText(MaxXLSXBytes), sizeText(MaxFileBytes))}
	}
	return nil
}

// textSniffer decides, while the file streams past, whether a CSV file is
// UTF-8 (with or without BOM), Windows-1252, or not text at all.
type textSniffer struct {
	started      bool
	bom          bool
	line         int64 // current 1-based line
	lineBytes    int   // bytes since the last line break
	utf8OK       bool
	carry        []byte // an incomplete UTF-8 sequence at the end of the last chunk
	firstBad1252 int64  // line of the first byte Windows-1252 leaves undefined, 0 if none

	// Line endings and records (csvshape.go): what the first line break
	// is decides whether a lone CR ends a line, and the records are
	// counted as encoding/csv will split them, so that a file with too
	// many rows is refused in this pass, before anything is staged.
	endings   lineEndings
	pendingCR bool // the last byte was a CR whose meaning the next byte decides
	records   recordCounter
	first     []byte // the first bytes of line 1, to recognise Excel's sep= line
	firstLen  int    // the length of line 1
	sepLine   bool   // line 1 is Excel's "sep=," and is not the header
}

func (s *textSniffer) feed(chunk []byte) *Problem {
	start := 0
	if !s.started {
		s.started, s.line, s.utf8OK = true, 1, true
		switch {
		case bytes.HasPrefix(chunk, []byte{0xEF, 0xBB, 0xBF}):
			s.bom = true
			start = 3 // the byte-order mark is not part of the header
		case bytes.HasPrefix(chunk, []byte{0xFF, 0xFE}), bytes.HasPrefix(chunk, []byte{0xFE, 0xFF}), looksUTF16(chunk):
			return &Problem{Line: 1, Rule: "bad_encoding", Reason: "The file is saved as UTF-16 (\"Unicode Text\"); save it as \"CSV UTF-8\" or plain CSV instead."}
		case bytes.HasPrefix(chunk, []byte("PK\x03\x04")):
			return &Problem{Line: 1, Rule: "binary_file", Reason: "The file is a zipped workbook (XLSX), not CSV; rename it to .xlsx or save it as CSV."}
		case bytes.HasPrefix(chunk, []byte{0xD0, 0xCF, 0x11, 0xE0}):
			return &Problem{Line: 1, Rule: "binary_file", Reason: "The file is an old Excel workbook (.xls), not CSV; save it as CSV or .xlsx."}
		}
	}
	for i := start; i < len(chunk); {
		if !s.pendingCR {
			// Most bytes are plain text: skip them in one go (csvshape.go).
			j := i
			for j < len(chunk) && plainByte[chunk[j]] {
				j++
			}
			if j > i {
				if p := s.plainRun(chunk[i:j]); p != nil {
					return p
				}
				if i = j; i == len(chunk) {
					break
				}
			}
		}
		b := chunk[i]
		i++
		if s.pendingCR {
			s.pendingCR = false
			if p := s.afterCR(b); p != nil {
				return p
			}
		}
		switch {
		case b == '\n':
			if s.endings == endingsUnknown {
				s.endings = endingsLF
			}
			if p := s.lineBreak(); p != nil {
				return p
			}
			continue
		case b == '\r':
			if s.endings == endingsCR {
				if p := s.lineBreak(); p != nil {
					return p
				}
			} else {
				s.pendingCR = true
			}
			continue
		case b == 0:
			return &Problem{Line: s.line, Rule: "binary_file", Reason: "The file contains NUL bytes, so it is not a text (CSV) file; export the data again as CSV."}
		case b < 0x20 && b != '\t' && b != '\r':
			return &Problem{Line: s.line, Rule: "binary_file", Reason: fmt.Sprintf("The file contains the control character 0x%02X, so it is not a text (CSV) file; export the data again as CSV.", b)}
		case b >= 0x80 && b < 0xA0 && s.firstBad1252 == 0 && win1252[b-0x80] == utf8.RuneError:
			s.firstBad1252 = s.line
		}
		if p := s.dataByte(b); p != nil {
			return p
		}
	}
	if s.utf8OK {
		data := chunk
		if len(s.carry) > 0 {
			data = append(append([]byte(nil), s.carry...), chunk...)
		}
		// Keep a trailing incomplete sequence for the next chunk.
		cut := len(data)
		for i := len(data) - 1; i >= 0 && i >= len(data)-utf8.UTFMax; i-- {
			if utf8.RuneStart(data[i]) {
				if !utf8.FullRune(data[i:]) {
					cut = i
				}
				break
			}
		}
		s.utf8OK = utf8.Valid(data[:cut])
		s.carry = append(s.carry[:0], data[cut:]...)
	}
	return nil
}

// looksUTF16 recognises UTF-16 text without a byte-order mark by the zero
// byte beside each of its first ASCII characters (a header line is ASCII).
// It would otherwise be refused as binary, which is true but less helpful.
func looksUTF16(b []byte) bool {
	if len(b) < 4 {
		return false
	}
	le := b[0] != 0 && b[1] == 0 && b[2] != 0 && b[3] == 0
	be := b[0] == 0 && b[1] != 0 && b[2] == 0 && b[3] != 0
	return le || be
}

func (s *textSniffer) finish() (textEncoding, *Problem) {
	if !s.started {
		return encUTF8, nil // an empty file; the header check refuses it
	}
	if p := s.endOfFile(); p != nil {
		return 0, p
	}
	if s.utf8OK && len(s.carry) == 0 {
		if s.bom {
			return encUTF8BOM, nil
		}
		return encUTF8, nil
	}
	if s.firstBad1252 != 0 {
		return 0, &Problem{Line: s.firstBad1252, Rule: "bad_encoding", Reason: "The file is neither UTF-8 nor Windows-1252 text; save it from Excel as \"CSV UTF-8\"."}
	}
	return encWindows1252, nil
}

// win1252 maps the bytes 0x80-0x9F of Windows-1252 to Unicode; RuneError
// marks the five bytes it leaves undefined. Bytes 0xA0-0xFF are Latin-1 and
// map to the code point of the same number.
var win1252 = [32]rune{
	0x20AC, utf8.RuneError, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, utf8.RuneError, 0x017D, utf8.RuneError,
	utf8.RuneError, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, utf8.RuneError, 0x017E, 0x0178,
}

// win1252Reader decodes Windows-1252 bytes to UTF-8 as they stream.
type win1252Reader struct {
	src     io.Reader
	in      []byte
	out     []byte
	pending []byte
}

func newWin1252Reader(src io.Reader) *win1252Reader {
	return &win1252Reader{src: src, in: make([]byte, 32<<10), out: make([]byte, 0, 96<<10)}
}

func (r *win1252Reader) Read(p []byte) (int, error) {
	for len(r.pending) == 0 {
		n, err := r.src.Read(r.in)
		out := r.out[:0]
		for _, b := range r.in[:n] {
			switch {
			case b < 0x80:
				out = append(out, b)
			case b < 0xA0:
				out = utf8.AppendRune(out, win1252[b-0x80])
			default:
				out = utf8.AppendRune(out, rune(b))
			}
		}
		r.pending = out
		if n == 0 {
			if err == nil {
				continue
			}
			return 0, err
		}
	}
	n := copy(p, r.pending)
	r.pending = r.pending[n:]
	return n, nil
}

// countingReader counts the bytes read from the file, for progress.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// errRecordTooLong ends a CSV read when one record outgrows maxLineBytes,
// which only a quoted field left open can do after the first pass.
var errRecordTooLong = errors.New("record too long")

// recordLimiter fails a read once more than maxLineBytes (plus the read-ahead
// of csv.Reader's buffer) have passed since the last record ended.
type recordLimiter struct {
	r     io.Reader
	since int
}

func (l *recordLimiter) Read(p []byte) (int, error) {
	if l.since > maxLineBytes+64<<10 {
		return 0, errRecordTooLong
	}
	n, err := l.r.Read(p)
	l.since += n
	return n, err
}

// rowProblem is an error concerning one line only: the line is rejected and
// reading goes on.
type rowProblem struct {
	line   int64
	col    int // 1-based column of the file the problem is in; 0 for the whole line
	value  string
	rule   string
	reason string
}

func (p *rowProblem) Error() string { return p.reason }

// rowReader yields the records of a file, the header first. Read returns
// io.EOF at the end, a *rowProblem for a line that cannot be split into
// fields (reading may continue), and a *Problem when the file must be refused.
type rowReader interface {
	Read() (line int64, fields []string, err error)
	// Offset is how many bytes of the file have been read, for progress;
	// 0 when unknown.
	Offset() int64
	Close() error
}

// openRows opens a checked file for reading its records.
func openRows(fc fileCheck) (rowReader, error) {
	if fc.xlsx {
		return openXLSX(fc)
	}
	return openCSV(fc)
}

// A CSV file is read as a stream: a 64 KiB buffer, one record at a time,
// each at most maxLineBytes (recordLimiter), so memory does not grow with
// the file. Its cells are text, whatever they begin with: a cell such as
// "=HYPERLINK(...)", "+44 20 ..." or "@home" is stored as written and
// never interpreted. Neutralising text that a spreadsheet would take for a
// formula is the job of whoever exports to one (the dashboard does so on
// export), because here it is data, and altering it would change a name.
type csvRows struct {
	f        *os.File
	count    *countingReader
	limit    *recordLimiter
	r        *csv.Reader
	name     string
	lastLine int64 // line the last record ended on
	records  int64 // records read, the header included
	// offset is added to encoding/csv's line numbers: 1 when Excel's
	// sep= line was skipped before the reader saw the file.
	offset int64
}

func openCSV(fc fileCheck) (*csvRows, error) {
	f, err := os.Open(fc.path)
	if err != nil {
		return nil, &Problem{File: fc.name, Rule: "unreadable_file", Reason: fmt.Sprintf("The file could not be read: %v.", err)}
	}
	count := &countingReader{r: f}
	var src io.Reader = bufio.NewReaderSize(count, 64<<10)
	if fc.encoding == encUTF8BOM {
		if _, err := io.CopyN(io.Discard, src, 3); err != nil && err != io.EOF {
			f.Close()
			return nil, err
		}
	}
	if fc.crLines {
		src = crToLF{src}
	}
	var offset int64
	if fc.sepLine {
		if err := skipLine(src); err != nil {
			f.Close()
			return nil, err
		}
		offset = 1
	}
	if fc.encoding == encWindows1252 {
		src = newWin1252Reader(src)
	}
	limit := &recordLimiter{r: src}
	r := csv.NewReader(limit)
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	return &csvRows{f: f, count: count, limit: limit, r: r, name: fc.name, offset: offset}, nil
}

func (c *csvRows) Read() (int64, []string, error) {
	c.limit.since = 0
	rec, err := c.r.Read()
	if err != io.EOF {
		if c.records++; c.records > MaxRowsPerFile+1 {
			return 0, nil, tooManyRows(c.name, c.lastLine+1)
		}
	}
	if err != nil {
		if errors.Is(err, errRecordTooLong) {
			return 0, nil, &Problem{File: c.name, Line: c.lastLine + 1, Rule: "line_too_long", Reason: fmt.Sprintf("A row starting after line %d is longer than %d bytes; a quoted field is probably never closed.", c.lastLine, maxLineBytes)}
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			c.lastLine = int64(pe.Line) + c.offset
			return int64(pe.StartLine) + c.offset, nil, &rowProblem{
				line:   int64(pe.StartLine) + c.offset,
				rule:   "bad_csv",
				reason: fmt.Sprintf("The line cannot be split into fields (%v); a field containing quotes or commas must be in double quotes, with quotes inside it doubled.", pe.Err),
			}
		}
		return 0, nil, err
	}
	line, _ := c.r.FieldPos(0)
	last, _ := c.r.FieldPos(len(rec) - 1)
	c.lastLine = int64(last) + c.offset
	return int64(line) + c.offset, rec, nil
}

func (c *csvRows) Offset() int64 { return c.count.n }
func (c *csvRows) Close() error  { return c.f.Close() }

// tooManyRows refuses a file with more than MaxRowsPerFile data rows.
func tooManyRows(file string, line int64) *Problem {
	return &Problem{File: file, Line: line, Rule: "too_many_rows", Reason: fmt.Sprintf("The file has more than %s data rows, the most one file may hold; check it is the right extract, or split it.", thousands(MaxRowsPerFile))}
}

type xlsxRows struct {
	f        *excelize.File
	rows     *excelize.Rows
	name     string
	line     int64
	date1904 bool
	info     *xlsxInfo
	// used marks the columns (0-based) the header maps to the contract,
	// once known: a formula problem elsewhere in a row does not matter.
	used []bool
}

// openXLSX opens a workbook's first sheet for streaming. excelize holds the
// compressed workbook and its small parts in memory, but streams a large
// sheet's rows from a temporary file, so memory stays near the size of the
// .xlsx file rather than of its contents; checkWorkbook has bounded both.
func openXLSX(fc fileCheck) (*xlsxRows, error) {
	// excelize reads the whole file into memory: check its size again, in
	// case it was replaced since the first pass.
	st, err := os.Stat(fc.path)
	if err != nil {
		return nil, &Problem{File: fc.name, Rule: "unreadable_file", Reason: fmt.Sprintf("The file could not be read: %v.", err)}
	}
	if p := sizeProblem(fc, st.Size()); p != nil {
		return nil, p
	}
	info := fc.workbook
	if info == nil {
		table, ok := TableByName(strings.ToLower(strings.TrimSuffix(fc.name, filepath.Ext(fc.name))))
		var p *Problem
		if info, p = checkWorkbook(fc.path, st.Size(), table, ok); p != nil {
			return nil, p
		}
	}
	// RawCellValue gives dates as Excel serial numbers instead of text in
	// whatever display format the cell has, which is unambiguous to parse.
	// The unzip limits repeat checkWorkbook's, in case the file was
	// replaced since.
	f, err := excelize.OpenFile(fc.path, excelize.Options{
		RawCellValue:      true,
		UnzipSizeLimit:    MaxXLSXUnzippedBytes,
		UnzipXMLSizeLimit: xlsxXMLLimit(),
	})
	if err != nil {
		return nil, &Problem{File: fc.name, Rule: "bad_xlsx", Reason: fmt.Sprintf("The file is not a readable XLSX workbook (%v); save it again from Excel as .xlsx, or as CSV.", err)}
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		f.Close()
		return nil, &Problem{File: fc.name, Rule: "bad_xlsx", Reason: "The workbook has no worksheet."}
	}
	props, _ := f.GetWorkbookProps()
	rows, err := f.Rows(sheets[0])
	if err != nil {
		f.Close()
		return nil, &Problem{File: fc.name, Rule: "bad_xlsx", Reason: fmt.Sprintf("The first worksheet cannot be read (%v).", err)}
	}
	return &xlsxRows{f: f, rows: rows, name: fc.name, info: info, date1904: props.Date1904 != nil && *props.Date1904}, nil
}

func (x *xlsxRows) Read() (int64, []string, error) {
	if !x.rows.Next() {
		if err := x.rows.Error(); err != nil {
			return 0, nil, &Problem{File: x.name, Line: x.line + 1, Rule: "bad_xlsx", Reason: fmt.Sprintf("The worksheet cannot be read after row %d (%v).", x.line, err)}
		}
		if x.line < x.info.lastRow {
			// excelize ends a sheet quietly at anything it cannot parse.
			return 0, nil, &Problem{File: x.name, Line: x.line + 1, Rule: "bad_xlsx", Reason: fmt.Sprintf("The worksheet could not be read past row %d of %d; save the workbook again from Excel, or as CSV.", x.line, x.info.lastRow)}
		}
		return 0, nil, io.EOF
	}
	x.line++
	if x.line > MaxRowsPerFile+1 {
		return 0, nil, tooManyRows(x.name, x.line)
	}
	cols, err := x.rows.Columns()
	if err != nil {
		return 0, nil, &Problem{File: x.name, Line: x.line, Rule: "bad_xlsx", Reason: fmt.Sprintf("Row %d of the worksheet cannot be read (%v).", x.line, err)}
	}
	size := 0
	for _, c := range cols {
		size += len(c)
	}
	if size > maxLineBytes {
		return 0, nil, &Problem{File: x.name, Line: x.line, Rule: "line_too_long", Reason: fmt.Sprintf("Row %d holds more than %d bytes of text; the sheet is probably not an extract.", x.line, maxLineBytes)}
	}
	for _, c := range x.info.formulas[x.line] {
		if x.used != nil && (c.col > len(x.used) || !x.used[c.col-1]) {
			continue
		}
		ref, _ := excelize.CoordinatesToCellName(c.col, int(x.line))
		if c.isErr {
			value := ""
			if c.col <= len(cols) {
				value = truncateValue(cols[c.col-1])
			}
			return x.line, nil, &rowProblem{line: x.line, col: c.col, value: value, rule: "formula_cell",
				reason: fmt.Sprintf("Cell %s holds the spreadsheet error %q instead of a value; correct the formula or type the value.", ref, value)}
		}
		return x.line, nil, &rowProblem{line: x.line, col: c.col, rule: "formula_cell",
			reason: fmt.Sprintf("Cell %s holds a formula whose result was never calculated and saved; open the workbook in Excel, let it calculate and save it again, or type the value.", ref)}
	}
	return x.line, cols, nil
}

func (x *xlsxRows) Offset() int64 { return 0 }

func (x *xlsxRows) Close() error {
	x.rows.Close()
	return x.f.Close()
}

// headerMap matches a header row to the table's columns: for each column of
// the contract, the index of its field in the file. Names match without
// regard to case or surrounding spaces, in any order; a name in aliases
// (keyed by headerKey, Aliases.forTable) stands for its contract column.
func headerMap(t Table, file string, header []string, aliases map[string]string) ([]int, []Problem) {
	idx := make([]int, len(t.Columns))
	for i := range idx {
		idx[i] = -1
	}
	if len(header) == 1 && strings.ContainsAny(header[0], ";\t") {
		return idx, []Problem{{File: file, Line: 1, Rule: "bad_separator",
			Reason: "The header is one field holding semicolons or tabs; save the file as comma-separated CSV."}}
	}
	var problems []Problem
	var unknown []string
	// Spreadsheets often carry empty trailing header cells; ignore those.
	last := len(header)
	for last > 0 && strings.TrimSpace(header[last-1]) == "" {
		last--
	}
	for pos, raw := range header[:last] {
		name := headerKey(raw)
		if name == "" {
			problems = append(problems, Problem{File: file, Line: 1, Rule: "blank_column", Reason: fmt.Sprintf("Column %d of the header has no name; delete the empty column or name it.", pos+1)})
			continue
		}
		if column, ok := aliases[name]; ok {
			name = column
		}
		_, ci := t.Column(name)
		switch {
		case ci < 0:
			unknown = append(unknown, strings.TrimSpace(raw))
		case idx[ci] >= 0:
			problems = append(problems, Problem{File: file, Line: 1, Column: name, Rule: "duplicate_column", Reason: fmt.Sprintf("The header has the column %s twice.", name)})
		default:
			idx[ci] = pos
		}
	}
	var missing []string
	for ci, pos := range idx {
		// A column added in a later version of the contract may be absent
		// from an older file; its values are then empty (idx stays -1).
		if pos < 0 && !t.Columns[ci].MayBeAbsent() {
			missing = append(missing, t.Columns[ci].Name)
		}
	}
	if len(missing) > 0 {
		problems = append(problems, Problem{File: file, Line: 1, Column: strings.Join(missing, ", "), Rule: "missing_column",
			Reason: fmt.Sprintf("The header lacks the column(s) %s; %s needs exactly: %s.", strings.Join(missing, ", "), t.Name, strings.Join(t.ColumnNames(), ", "))})
	}
	if len(unknown) > 0 {
		problems = append(problems, Problem{File: file, Line: 1, Column: strings.Join(unknown, ", "), Rule: "unknown_column",
			Reason: unknownColumnsReason(t, unknown, missing)})
	}
	return idx, problems
}
