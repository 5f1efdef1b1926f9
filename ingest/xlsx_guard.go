package ingest

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// A workbook is a zip of XML parts, and excelize trusts it: it reads the
// whole file into memory, unzips every part it meets, and stops reading a
// sheet silently at the first XML error. So before excelize opens a file,
// checkWorkbook looks at it with archive/zip: the list of parts (their
// number, names, sizes and compression ratios) and then, streaming, the
// first worksheet, which it parses once to find the rows excelize will
// return, cells holding formulas that were never calculated, and cells
// beyond the contract's columns. Only a workbook that passes is opened by
// excelize, with the same limits passed as its options.
//
// Formulas are never evaluated. A formula cell gives the value the
// spreadsheet program calculated and saved with it (excelize returns that
// cached value, never the formula's text). A formula saved without a value,
// as programs that write workbooks without calculating them do, and a cell
// holding an error value such as #REF!, reject their row (rule
// formula_cell) rather than load as an empty cell or as text.

// xlsxInfo is what the first pass learns about a workbook's first sheet.
type xlsxInfo struct {
	lastRow int64 // number of the sheet's last row, which is how many rows excelize yields
	// formulas holds, by row, the cells holding a formula without a
	// calculated value or an error value.
	formulas map[int64][]formulaCell
}

// formulaCell is a cell whose value cannot be used.
type formulaCell struct {
	col   int  // 1-based column
	isErr bool // an error value such as #REF!, rather than a formula never calculated
}

// errZipDirectoryTooLarge ends the listing of a workbook's parts once it
// has read more than zipDirectoryBudget bytes.
var errZipDirectoryTooLarge = errors.New("zip directory too large")

// budgetReaderAt fails reads once budget bytes have been read; a negative
// budget means no limit.
type budgetReaderAt struct {
	r      io.ReaderAt
	budget int64
}

func (b *budgetReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if b.budget >= 0 {
		if int64(len(p)) > b.budget {
			return 0, errZipDirectoryTooLarge
		}
		b.budget -= int64(len(p))
	}
	return b.r.ReadAt(p, off)
}

// checkWorkbook inspects the workbook at path (size bytes long) before
// excelize may open it. table is the contract table the file belongs to,
// for the column limit; ok is false when the file name is not a table's.
func checkWorkbook(path string, size int64, table Table, ok bool) (*xlsxInfo, *Problem) {
	name := filepath.Base(path)
	refuse := func(rule, format string, args ...any) *Problem {
		return &Problem{File: name, Rule: rule, Reason: fmt.Sprintf(format, args...)}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, refuse("unreadable_file", "The file could not be read: %v.", err)
	}
	defer f.Close()
	zr, p := openZip(f, size, name)
	if p != nil {
		return nil, p
	}
	parts, p := checkParts(zr, name)
	if p != nil {
		return nil, p
	}
	sheet, found := firstSheetPart(parts)
	if !found {
		// excelize will find no sheet either, and say so.
		return &xlsxInfo{}, nil
	}
	maxColumns := excelMaxColumns
	if ok {
		maxColumns = len(table.Columns) + xlsxColumnSlack
	}
	rc, err := sheet.Open()
	if err != nil {
		return nil, refuse("bad_xlsx", "The worksheet cannot be unzipped (%v); save the workbook again from Excel, or as CSV.", err)
	}
	defer rc.Close()
	info, p := scanSheet(&gapLimiter{r: rc}, maxColumns, table, ok)
	if p != nil {
		p.File = name
		return nil, p
	}
	return info, nil
}

// openZip lists a workbook's parts, reading at most zipDirectoryBudget
// bytes to do so.
func openZip(f *os.File, size int64, name string) (*zip.Reader, *Problem) {
	head := make([]byte, 8)
	n, _ := f.ReadAt(head, 0)
	head = head[:n]
	ra := &budgetReaderAt{r: f, budget: zipDirectoryBudget}
	zr, err := zip.NewReader(ra, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) { // insecure names are refused below, by name
		switch {
		case errors.Is(err, errZipDirectoryTooLarge):
			return nil, &Problem{File: name, Rule: "zip_bomb", Reason: fmt.Sprintf("The workbook's list of parts is over %d KiB, more than any workbook needs; it is not a spreadsheet saved by Excel.", zipDirectoryBudget>>10)}
		case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0}):
			return nil, &Problem{File: name, Rule: "bad_xlsx", Reason: "The file is an old Excel workbook (.xls) or a password-protected one; save it from Excel as .xlsx without a password, or as CSV."}
		case len(head) > 0 && !bytes.HasPrefix(head, []byte("PK")) && isText(head):
			return nil, &Problem{File: name, Rule: "bad_xlsx", Reason: fmt.Sprintf("The file is text, not an XLSX workbook (%v); if it is CSV, rename it to .csv.", err)}
		}
		return nil, &Problem{File: name, Rule: "bad_xlsx", Reason: fmt.Sprintf("The file is not a readable XLSX workbook (%v); save it again from Excel as .xlsx, or as CSV.", err)}
	}
	ra.budget = -1 // the parts themselves are read through the same reader
	return zr, nil
}

func isText(b []byte) bool {
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}

// checkParts refuses a workbook whose parts are too many, too big, too
// compressed or oddly named, and returns the parts by name as excelize
// names them (backslashes made slashes).
func checkParts(zr *zip.Reader, name string) (map[string]*zip.File, *Problem) {
	refuse := func(rule, format string, args ...any) (map[string]*zip.File, *Problem) {
		return nil, &Problem{File: name, Rule: rule, Reason: fmt.Sprintf(format, args...)}
	}
	if len(zr.File) > MaxZipEntries {
		return refuse("zip_bomb", "The workbook has %d parts; a workbook saved by Excel has a few dozen, and at most %d are accepted.", len(zr.File), MaxZipEntries)
	}
	parts := make(map[string]*zip.File, len(zr.File))
	seen := make(map[string]bool, len(zr.File))
	var total, inMemory uint64
	for _, e := range zr.File {
		partName := strings.ReplaceAll(e.Name, `\`, "/")
		if why := oddPartName(partName); why != "" {
			return refuse("bad_xlsx", "The workbook holds a part named %q, %s, which no spreadsheet program writes; save the workbook again from Excel, or as CSV.", truncateValue(e.Name), why)
		}
		folded := strings.ToLower(partName)
		if seen[folded] {
			return refuse("bad_xlsx", "The workbook holds the part %q twice; save the workbook again from Excel, or as CSV.", truncateValue(e.Name))
		}
		seen[folded] = true
		if folded == "xl/sharedstrings.xml" {
			partName = "xl/sharedStrings.xml" // excelize finds it in any case
		}
		parts[partName] = e
		if strings.HasSuffix(partName, "/") {
			continue // a folder
		}
		size := e.UncompressedSize64
		// archive/zip refuses to unzip more than a part's declared size,
		// so the declared sizes can be trusted as upper bounds.
		total += size
		if total > uint64(MaxXLSXUnzippedBytes) {
			return refuse("xlsx_too_large", "The workbook unzips to more than %s; save the data as CSV instead, which has no such limit below %s.", sizeText(MaxXLSXUnzippedBytes), sizeText(MaxFileBytes))
		}
		if size > ratioCheckFrom && (e.CompressedSize64 == 0 || size/max(e.CompressedSize64, 1) > uint64(MaxCompressionRatio)) {
			return refuse("zip_bomb", "The workbook part %q unzips to %s from %s, over %d times its size; spreadsheets compress about 15 times, so the file is not an honest workbook.",
				truncateValue(e.Name), sizeText(int64(size)), sizeText(int64(e.CompressedSize64)), MaxCompressionRatio)
		}
		streamed := (strings.HasPrefix(folded, "xl/worksheets/sheet") || folded == "xl/sharedstrings.xml") && size > uint64(xlsxXMLLimit())
		if !streamed {
			inMemory += size
		}
		if folded == "xl/sharedstrings.xml" && size > uint64(maxSharedStringsBytes) {
			return refuse("xlsx_too_large", "The workbook's shared text is %s, over the %s accepted; save the data as CSV instead.", sizeText(int64(size)), sizeText(maxSharedStringsBytes))
		}
	}
	if inMemory > uint64(maxXLSXInMemoryBytes) {
		return refuse("xlsx_too_large", "The workbook holds %s besides its large sheets (pictures, styles, embedded files), over the %s accepted; save the data as CSV, or copy it into a new workbook.", sizeText(int64(inMemory)), sizeText(maxXLSXInMemoryBytes))
	}
	return parts, nil
}

// xlsxXMLLimit is the UnzipXMLSizeLimit given to excelize, which must not
// exceed its UnzipSizeLimit.
func xlsxXMLLimit() int64 { return min(xlsxXMLInMemory, MaxXLSXUnzippedBytes) }

// oddPartName says what is wrong with a part name no spreadsheet program
// would write: one that climbs out of the archive, is absolute, holds
// control characters, or nests absurdly deep. "" means nothing is.
func oddPartName(name string) string {
	switch {
	case name == "":
		return "an empty name"
	case strings.HasPrefix(name, "/") || (len(name) > 1 && name[1] == ':'):
		return "an absolute path"
	case len(name) > 512:
		return "a name over 512 characters"
	case strings.Count(name, "/") > 8:
		return "nested more than 8 folders deep"
	}
	for _, seg := range strings.Split(strings.TrimSuffix(name, "/"), "/") {
		if seg == ".." || seg == "." || seg == "" {
			return "a path with empty, . or .. steps"
		}
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return "a name with control characters"
		}
	}
	return ""
}

// firstSheetPart finds the part of the workbook's first sheet the way
// excelize does (GetSheetList's first name, resolved through the
// workbook's relationships): _rels/.rels names the workbook, the workbook
// lists its sheets, and its relationships give each sheet's part.
func firstSheetPart(parts map[string]*zip.File) (*zip.File, bool) {
	const officeDocument = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
	wb := ""
	readRels(parts["_rels/.rels"], func(id, typ, target string) bool {
		if typ == officeDocument {
			wb = strings.TrimPrefix(target, "/")
			return false
		}
		return true
	})
	if wb == "" {
		return nil, false
	}
	sheetID := ""
	walkXML(parts[wb], func(el xml.StartElement) bool {
		if el.Name.Local != "sheet" {
			return true
		}
		for _, a := range el.Attr {
			if a.Name.Local == "id" && a.Name.Space != "" {
				sheetID = a.Value
			}
		}
		return false
	})
	if sheetID == "" {
		return nil, false
	}
	dir, base := path.Split(wb)
	target := ""
	readRels(parts[strings.TrimPrefix(dir+"_rels/"+base+".rels", "/")], func(id, typ, t string) bool {
		if id == sheetID {
			target = t
			return false
		}
		return true
	})
	if target == "" {
		return nil, false
	}
	target = strings.ReplaceAll(target, `\`, "/")
	var sheetPath string
	if strings.HasPrefix(target, "/") {
		sheetPath = strings.TrimPrefix(path.Clean(target), "/")
	} else {
		sheetPath = strings.TrimPrefix(path.Clean(path.Dir(wb)+"/"+target), "/")
	}
	f, found := parts[sheetPath]
	return f, found
}

// readRels calls fn with each relationship of a .rels part until fn
// returns false.
func readRels(part *zip.File, fn func(id, typ, target string) bool) {
	walkXML(part, func(el xml.StartElement) bool {
		if el.Name.Local != "Relationship" {
			return true
		}
		var id, typ, target string
		for _, a := range el.Attr {
			switch a.Name.Local {
			case "Id":
				id = a.Value
			case "Type":
				typ = a.Value
			case "Target":
				target = a.Value
			}
		}
		return fn(id, typ, target)
	})
}

// walkXML calls fn with each start element of a small part until fn
// returns false or the part ends. A missing or broken part is walked as
// far as it can be.
func walkXML(part *zip.File, fn func(xml.StartElement) bool) {
	if part == nil {
		return
	}
	rc, err := part.Open()
	if err != nil {
		return
	}
	defer rc.Close()
	d := newXMLDecoder(rc)
	for {
		tok, err := d.Token()
		if err != nil {
			return
		}
		if el, ok := tok.(xml.StartElement); ok && !fn(el) {
			return
		}
	}
}

// newXMLDecoder reads a workbook part. Only element and attribute names
// and a few ASCII attribute values are looked at, so a part declaring
// another encoding is read as it is.
func newXMLDecoder(r io.Reader) *xml.Decoder {
	d := xml.NewDecoder(bufio.NewReaderSize(r, 64<<10))
	d.CharsetReader = func(_ string, in io.Reader) (io.Reader, error) { return in, nil }
	return d
}

// scanSheet reads a worksheet part once, numbering rows as excelize's Rows
// does (a row's r attribute, else one more than the last), and refuses a
// sheet that excelize would read wrongly or at great cost: broken XML,
// rows out of order, too many rows, or values beyond the columns.
func scanSheet(r io.Reader, maxColumns int, table Table, known bool) (*xlsxInfo, *Problem) {
	info := &xlsxInfo{}
	d := newXMLDecoder(r)
	var (
		row    int64
		col    int  // the current cell's column, counted as excelize counts
		inCell bool // inside a <c> element
		inV    bool // inside its <v>
		hasF   bool // it has a formula
		hasV   bool // it has a saved value (possibly empty)
		valued bool // it has a non-empty value
		isErr  bool // it is an error value
		cells  int  // formula or error cells remembered
		depth  int
	)
	refuse := func(rule, format string, args ...any) (*xlsxInfo, *Problem) {
		return nil, &Problem{Line: row, Rule: rule, Reason: fmt.Sprintf(format, args...)}
	}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if errors.Is(err, errTokenTooLong) {
			return refuse("line_too_long", "The worksheet holds a value or tag longer than %d bytes, in or after row %d; the sheet is probably not an extract.", maxLineBytes, row)
		}
		if err != nil {
			return refuse("bad_xlsx", "The worksheet's XML is broken in or after row %d (%v); save the workbook again from Excel, or as CSV.", row, err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			// A worksheet nests six deep; the XML decoder keeps a stack as
			// deep as the nesting, so deeper is refused before it grows.
			if depth++; depth > 64 {
				return refuse("bad_xlsx", "The worksheet's XML nests elements more than 64 deep after row %d; save the workbook again from Excel, or as CSV.", row)
			}
			switch el.Name.Local {
			case "row":
				next := row + 1
				if n, err := strconv.Atoi(attrValue(el, "r")); err == nil && n != 0 {
					next = int64(n)
				}
				if next <= row {
					return refuse("bad_xlsx", "Row %d of the worksheet comes after row %d; save the workbook again from Excel, or as CSV.", next, row)
				}
				if next > MaxRowsPerFile+1 {
					row = next
					return refuse("too_many_rows", "The worksheet runs to row %d; one file may hold at most %s data rows. Split it, or check for stray cells far down the sheet.", next, thousands(MaxRowsPerFile))
				}
				row, col = next, 0
			case "c":
				col++
				if ref := lastAttrValue(el, "r"); ref != "" {
					c, _, err := excelize.CellNameToCoordinates(ref)
					if err != nil {
						return refuse("bad_xlsx", "Row %d has a cell named %q, which is not a cell reference; save the workbook again from Excel, or as CSV.", row, truncateValue(ref))
					}
					col = c
				}
				if col > excelMaxColumns {
					return refuse("bad_xlsx", "Row %d has more cells than a worksheet's %d columns; save the workbook again from Excel, or as CSV.", row, excelMaxColumns)
				}
				inCell, inV, hasF, hasV, valued = true, false, false, false, false
				isErr = lastAttrValue(el, "t") == "e"
			case "f":
				hasF = hasF || inCell
			case "v":
				if inCell {
					hasV, inV = true, true
				}
			case "is":
				if inCell {
					hasV, valued = true, true
				}
			}
		case xml.CharData:
			if inV && len(bytes.TrimSpace(el)) > 0 {
				valued = true
			}
		case xml.EndElement:
			depth--
			switch el.Name.Local {
			case "v":
				inV = false
			case "c":
				if !inCell {
					continue
				}
				inCell = false
				if known && col > maxColumns && (valued || hasF) {
					name, _ := excelize.ColumnNumberToName(col)
					return refuse("too_many_columns", "Row %d has a value in column %s, but %s has %d columns; delete what is beyond them (at most %d spare columns are tolerated).", row, name, table.Name, len(table.Columns), xlsxColumnSlack)
				}
				if (hasF && !hasV) || isErr {
					cells++
					if cells > maxFormulaCells {
						row = 0 // about the whole sheet
						return refuse("uncalculated_formulas", "Over %s cells hold formulas without a calculated value, or errors such as #REF!; the workbook was probably written by a program that does not calculate. Open it in Excel, let it calculate, save it, and load again; or save it as CSV.", thousands(maxFormulaCells))
					}
					if info.formulas == nil {
						info.formulas = map[int64][]formulaCell{}
					}
					info.formulas[row] = append(info.formulas[row], formulaCell{col: col, isErr: isErr})
				}
			case "sheetData":
				info.lastRow = row
				return info, nil // excelize reads no row past here
			}
		}
	}
	info.lastRow = row
	return info, nil
}

// attrValue returns the value of the first attribute with the local name,
// "" if absent: how excelize reads a row's number.
func attrValue(el xml.StartElement, local string) string {
	for _, a := range el.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// lastAttrValue returns the value of the last attribute with the local
// name: how excelize reads a cell's attributes.
func lastAttrValue(el xml.StartElement, local string) string {
	v := ""
	for _, a := range el.Attr {
		if a.Name.Local == local {
			v = a.Value
		}
	}
	return v
}

// errTokenTooLong ends the reading of a worksheet in which more than
// maxLineBytes pass without a '<': one value or tag that long. The XML
// decoder would hold it whole in memory, and so would excelize.
var errTokenTooLong = errors.New("token too long")

// gapLimiter fails a read once more than maxLineBytes bytes have passed
// without a '<'.
type gapLimiter struct {
	r     io.Reader
	since int // bytes since the last '<'
}

func (g *gapLimiter) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	rest := p[:n]
	for {
		i := bytes.IndexByte(rest, '<')
		if i < 0 {
			g.since += len(rest)
			break
		}
		if g.since+i > maxLineBytes {
			return 0, errTokenTooLong
		}
		g.since, rest = 0, rest[i+1:]
	}
	if g.since > maxLineBytes {
		return 0, errTokenTooLong
	}
	return n, err
}

// sizeText writes a byte count for people: 512 MiB, 2 GiB, 900 KiB.
func sizeText(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", (n+(1<<19))>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", (n+(1<<9))>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
