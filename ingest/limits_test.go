package ingest

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestRowLimitInFirstPass checks that a CSV file with more than
// MaxRowsPerFile rows is refused by the first pass over it (checkFile),
// which reads it in a 64 KiB buffer and stages nothing, and that it counts
// rows as the reader will: a line break inside quotes does not end a row,
// empty lines and Excel's sep= line are none, and a lone CR ends a line in
// a file whose lines end so.
func TestRowLimitInFirstPass(t *testing.T) {
	setLimit(t, &MaxRowsPerFile, 3)
	const header = "practice_code,practice_name,pcn,list_size,t2d_register\n"
	row := func(code string) string { return code + ",Archway Medical Centre,Islington North PCN,9200,610\n" }
	quoted := "F83099,\"Two\nline name\",\"PCN, \"\"North\"\"\",9200,610\n"
	cases := []struct {
		name string
		text string
		line int64 // of the refused row; 0 when the file is within the limit
	}{
		{"three rows", header + row("F83001") + row("F83002") + row("F83003"), 0},
		{"four rows", header + row("F83001") + row("F83002") + row("F83003") + row("F83004"), 5},
		{"empty lines are not rows", header + "\n\n" + row("F83001") + "\r\n" + row("F83002") + row("F83003") + "\n", 0},
		{"a line break in quotes does not end a row", header + quoted + quoted + quoted, 0},
		{"the fourth row after rows over two lines", header + quoted + quoted + quoted + row("F83004"), 8},
		{"sep= is not a row", "sep=,\n" + header + row("F83001") + row("F83002") + row("F83003"), 0},
		{"sep= moves the lines down", "sep=,\n" + header + row("F83001") + row("F83002") + row("F83003") + row("F83004"), 6},
		{"CR line ends", strings.ReplaceAll(header+row("F83001")+row("F83002")+row("F83003")+row("F83004"), "\n", "\r"), 5},
		{"CRLF line ends", strings.ReplaceAll(header+row("F83001")+row("F83002")+row("F83003"), "\n", "\r\n"), 0},
		{"no line break after the last row", header + row("F83001") + row("F83002") + row("F83003") + "F83004,x,y,1,1", 5},
		// The pass stops at the row over the limit: the NUL byte after
		// it, which would refuse the file as binary, is never reached.
		{"stops at the limit", header + row("F83001") + row("F83002") + row("F83003") + row("F83004") + "\x00", 5},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, "practices.csv", tc.text)
			_, p := checkFile(filepath.Join(dir, "practices.csv"))
			switch {
			case tc.line == 0 && p != nil:
				t.Fatalf("refused: %v", p)
			case tc.line != 0 && (p == nil || p.Rule != "too_many_rows" || p.Line != tc.line || p.File != "practices.csv"):
				t.Fatalf("problem %+v; want too_many_rows at line %d", p, tc.line)
			}
		})
	}
}

// TestSepLine checks Excel's sep= first line: a comma is skipped, any other
// separator refuses the file.
func TestSepLine(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "text_campaigns.csv", "sep=;\r\npractice_code;date_sent;messages_sent\r\n")
	_, p := checkFile(filepath.Join(dir, "text_campaigns.csv"))
	if p == nil || p.Rule != "bad_separator" || p.Line != 1 || !strings.Contains(p.Reason, `";"`) {
		t.Fatalf("problem %+v; want bad_separator naming the semicolon", p)
	}
	writeFile(t, dir, "text_campaigns.csv", "sep=,\r\npractice_code,date_sent,messages_sent\r\nF83004,2026-04-01,320\r\nF83004,2026-04-01\r\n")
	out := readWhole(t, filepath.Join(dir, "text_campaigns.csv"))
	if out.refusal != nil || out.rows != 3 {
		t.Fatalf("read %+v; want the header and two rows", out)
	}
	fc, _ := checkFile(filepath.Join(dir, "text_campaigns.csv"))
	rr, err := openRows(fc)
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Close()
	var lines []int64
	for range 3 {
		line, _, err := rr.Read()
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, line)
	}
	if lines[0] != 2 || lines[2] != 4 {
		t.Errorf("lines %v; want the file's own, 2 to 4", lines)
	}
}
