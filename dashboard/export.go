package dashboard

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"
)

// WriteCSV writes the table as CSV: a header row of column labels, then
// one line per row. Text cells that a spreadsheet would run as a formula
// get a leading apostrophe (see Cell.Export).
func WriteCSV(w io.Writer, t Table) error {
	cw := csv.NewWriter(w)
	header := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		header[i] = neutralise(c.Label)
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	record := make([]string, len(t.Columns))
	for _, row := range t.Rows {
		for i := range record {
			record[i] = ""
			if i < len(row) {
				record[i] = row[i].Export()
			}
		}
		if err := cw.Write(record); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteXLSX writes the table as a workbook: the table on the first sheet
// (numbers as numbers, everything else as plain strings, never formulas)
// and a second sheet "About" with the title, the filters and the notes.
func WriteXLSX(w io.Writer, t Table, about []string) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := sheetName(t.Title)
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	for i, c := range t.Columns {
		if err := setString(f, sheet, i, 1, c.Label); err != nil {
			return err
		}
	}
	if len(t.Columns) > 0 {
		last, _ := excelize.CoordinatesToCellName(len(t.Columns), 1)
		if err := f.SetCellStyle(sheet, "A1", last, bold); err != nil {
			return err
		}
		if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
	}
	for r, row := range t.Rows {
		for i, c := range row {
			if i >= len(t.Columns) {
				break
			}
			cell, _ := excelize.CoordinatesToCellName(i+1, r+2)
			switch c.kind {
			case numberCell:
				err = f.SetCellFloat(sheet, cell, c.num, c.decimals, 64)
			case missingCell:
				continue
			default:
				err = f.SetCellStr(sheet, cell, c.Display())
			}
			if err != nil {
				return err
			}
		}
	}
	for i, c := range t.Columns {
		width := float64(len(c.Label)) + 2
		if width < 12 {
			width = 12
		}
		if width > 60 {
			width = 60
		}
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sheet, col, col, width); err != nil {
			return err
		}
	}

	if _, err := f.NewSheet("About"); err != nil {
		return err
	}
	lines := append([]string{t.Title}, about...)
	if t.HasSuppressed() {
		lines = append(lines, t.SuppressionNote())
	}
	lines = append(lines, t.Notes...)
	for i, line := range lines {
		if err := setString(f, "About", 0, i+1, line); err != nil {
			return err
		}
	}
	if err := f.SetColWidth("About", "A", "A", 100); err != nil {
		return err
	}
	return f.Write(w)
}

// setString writes s as a plain string cell at zero-based column col and
// one-based row. SetCellStr never creates a formula, whatever s begins with.
func setString(f *excelize.File, sheet string, col, row int, s string) error {
	cell, err := excelize.CoordinatesToCellName(col+1, row)
	if err != nil {
		return err
	}
	return f.SetCellStr(sheet, cell, s)
}

// sheetName makes a valid worksheet name: at most 31 characters and none
// of : \ / ? * [ ].
func sheetName(title string) string {
	name := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return ' '
		}
		return r
	}, title)
	name = strings.TrimSpace(strings.Trim(name, "'"))
	if r := []rune(name); len(r) > 31 {
		name = strings.TrimSpace(string(r[:31]))
	}
	if name == "" || strings.EqualFold(name, "About") {
		name = "Data"
	}
	return name
}

// downloadName is a file name for the table's download.
func downloadName(name, ext string) string {
	return fmt.Sprintf("uptake-%s.%s", name, ext)
}

// workbookSheet is one sheet of a workbook: a short name for the tab, and
// the table (whose title the About sheet gives in full).
type workbookSheet struct {
	Name  string
	Table Table
}

// writeWorkbook writes tables as one workbook, a sheet per table and an "About" sheet with about, each table's notes and
// the suppression footnote: the quarterly files (report.go). Cells are
// written as WriteXLSX writes them, never as formulas.
func writeWorkbook(w io.Writer, sheets []workbookSheet, about []string) error {
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	lines := slices.Clone(about)
	used := map[string]bool{"About": true}
	for n, ws := range sheets {
		t := ws.Table
		sheet := sheetName(ws.Name)
		for i := 2; used[sheet]; i++ {
			sheet = sheetName(fmt.Sprintf("%.27s %d", ws.Name, i))
		}
		used[sheet] = true
		if n == 0 {
			err = f.SetSheetName("Sheet1", sheet)
		} else {
			_, err = f.NewSheet(sheet)
		}
		if err != nil {
			return err
		}
		for i, c := range t.Columns {
			if err := setString(f, sheet, i, 1, c.Label); err != nil {
				return err
			}
			col, _ := excelize.ColumnNumberToName(i + 1)
			if err := f.SetColWidth(sheet, col, col, min(60, max(12, float64(len(c.Label))+2))); err != nil {
				return err
			}
		}
		if len(t.Columns) > 0 {
			last, _ := excelize.CoordinatesToCellName(len(t.Columns), 1)
			if err := f.SetCellStyle(sheet, "A1", last, bold); err != nil {
				return err
			}
		}
		for r, row := range t.Rows {
			for i, c := range row[:min(len(row), len(t.Columns))] {
				cell, _ := excelize.CoordinatesToCellName(i+1, r+2)
				switch c.kind {
				case numberCell:
					err = f.SetCellFloat(sheet, cell, c.num, c.decimals, 64)
				case missingCell:
					continue
				default:
					err = f.SetCellStr(sheet, cell, c.Display())
				}
				if err != nil {
					return err
				}
			}
		}
		lines = append(lines, "", sheet+": "+t.Title)
		if t.HasSuppressed() {
			lines = append(lines, t.SuppressionNote())
		}
		lines = append(lines, t.Notes...)
	}
	if _, err := f.NewSheet("About"); err != nil {
		return err
	}
	for i, line := range lines {
		if err := setString(f, "About", 0, i+1, line); err != nil {
			return err
		}
	}
	if err := f.SetColWidth("About", "A", "A", 100); err != nil {
		return err
	}
	return f.Write(w)
}
