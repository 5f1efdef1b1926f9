package dashboard

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/uptake-nhs/uptake/queries"
)

func sampleTable() Table {
	p := 12.345
	return Table{
		Title:   "Conversion by practice",
		Columns: []Column{{Label: "Practice"}, {Label: "Referrals", Numeric: true}, {Label: "Conversion (%)", Numeric: true}},
		Rows: [][]Cell{
			{RowHeader("=HYPERLINK(\"http://x\")"), CountCell(queries.Count{N: 12345}), Percent(&p)},
			{Link("+SUM(A1)", "/practices/F83004"), CountCell(queries.Count{Suppressed: true}), Percent(nil)},
			{Text("-1"), Int(-1500), Float(-2.5, 1)},
			{Text("@cmd"), Int(0), Text("\tTab")},
			{Text("\rCR"), Int(7), Text("Plain")},
		},
	}
}

func TestCellDisplayAndExport(t *testing.T) {
	cases := []struct {
		c               Cell
		display, export string
	}{
		{CountCell(queries.Count{N: 1234567}), "1,234,567", "1234567"},
		{CountCell(queries.Count{Suppressed: true}), "*", "*"},
		{CountCell(queries.Count{N: 0}), "0", "0"},
		{Float(1234.5, 1), "1,234.5", "1234.5"},
		{Int(-1500), "-1,500", "-1500"},
		{Percent(nil), "–", ""},
		{Text("=1+2"), "=1+2", "'=1+2"},
	}
	for _, c := range cases {
		if got := c.c.Display(); got != c.display {
			t.Errorf("Display = %q, want %q", got, c.display)
		}
		if got := c.c.Export(); got != c.export {
			t.Errorf("Export = %q, want %q", got, c.export)
		}
	}
}

func TestCSVNeutralisesFormulas(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, sampleTable()); err != nil {
		t.Fatal(err)
	}
	want := "Practice,Referrals,Conversion (%)\n" +
		"\"'=HYPERLINK(\"\"http://x\"\")\",12345,12.3\n" +
		"'+SUM(A1),*,\n" +
		"'-1,-1500,-2.5\n" +
		"'@cmd,0,'\tTab\n" +
		"\"'\rCR\",7,Plain\n"
	if got := buf.String(); got != want {
		t.Errorf("CSV:\n%q\nwant:\n%q", got, want)
	}
}

func TestXLSXWritesStringsNotFormulas(t *testing.T) {
	var buf bytes.Buffer
	tab := sampleTable()
	if err := WriteXLSX(&buf, tab, []string{"Showing all quarters loaded."}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := f.GetSheetName(0)
	if sheet != "Conversion by practice" {
		t.Errorf("sheet %q", sheet)
	}
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(tab.Rows)+1 {
		t.Fatalf("%d rows, want %d", len(rows), len(tab.Rows)+1)
	}
	if rows[1][0] != `=HYPERLINK("http://x")` || rows[2][1] != "*" || rows[1][1] != "12345" {
		t.Errorf("row values %q %q", rows[1], rows[2])
	}
	for _, cell := range []string{"A2", "A3", "A5", "C5"} {
		formula, err := f.GetCellFormula(sheet, cell)
		if err != nil || formula != "" {
			t.Errorf("%s has formula %q (%v)", cell, formula, err)
		}
		typ, _ := f.GetCellType(sheet, cell)
		if typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
			t.Errorf("%s has type %v, want a string", cell, typ)
		}
	}
	if typ, _ := f.GetCellType(sheet, "B2"); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Error("numbers must be stored as numbers")
	}
	about, _ := f.GetRows("About")
	joined := ""
	for _, r := range about {
		joined += strings.Join(r, " ") + "\n"
	}
	if !strings.Contains(joined, "Showing all quarters loaded.") || !strings.Contains(joined, "fewer than 8 people") {
		t.Errorf("About sheet:\n%s", joined)
	}
}

func TestSheetName(t *testing.T) {
	for in, want := range map[string]string{
		"Fill rate: by venue/slot [2026]":              "Fill rate  by venue slot  2026",
		"A very long title that goes on and on and on": "A very long title that goes on",
		"":      "Data",
		"About": "Data",
	} {
		if got := sheetName(in); got != want {
			t.Errorf("sheetName(%q) = %q, want %q", in, got, want)
		}
	}
}
