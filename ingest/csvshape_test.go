package ingest

import (
	"path/filepath"
	"testing"
)

// TestFirstPassCountsAsTheReaderReads checks that the first pass counts
// the records encoding/csv will read after a quoting error, which drops
// the rest of the line: the first pass refuses a file by that count.
func TestFirstPassCountsAsTheReaderReads(t *testing.T) {
	cases := []struct {
		name string
		text string
		want int64 // records, the header included, worked out by hand
	}{
		// Line 2: text after the closing quote of "a" loses the rest of
		// the line, its opening quote before x included; line 3 is a
		// record of its own (with a bare quote).
		{"text after a closing quote", "h\n\"a\"b,\"x\ny\"\n", 3},
		// Line 2: the bare quote in ab"c loses the rest of the line;
		// line 3 is a record of its own.
		{"bare quote", "h\nab\"c,\"d\ne\"\n", 3},
		// A quoted line break inside a good field keeps one record.
		{"quoted line break", "h\n\"x\ny\",z\n", 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, "practices.csv", c.text)
			path := filepath.Join(dir, "practices.csv")
			fc, p := checkFile(path)
			if p != nil {
				t.Fatalf("checkFile refused the file: %v", p)
			}
			if fc.records != c.want {
				t.Errorf("first pass counted %d records, want %d", fc.records, c.want)
			}
			if got := readWhole(t, path); int64(got.rows) != c.want || got.refusal != nil {
				t.Errorf("the reader read %d records (refusal %v), want %d", got.rows, got.refusal, c.want)
			}
		})
	}
}
