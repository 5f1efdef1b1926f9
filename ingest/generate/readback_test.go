package generate

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// The tests read the generated files back the way a loader would (any
// encoding the contract allows, CSV or XLSX, any column order, ISO or UK
// dates) and check them against the contract rules written out again here,
// independently of the generator's own tables.

type record struct {
	line   int
	fields map[string]string
}

type fileData struct {
	name    string
	header  []string
	records []record
}

type quarterData struct {
	name  string
	files map[string]*fileData // by table
}

func readManifest(t testing.TB, dir string) *Manifest {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return &m
}

// readAll reads every quarter folder the manifest lists.
func readAll(t testing.TB, dir string, m *Manifest) []quarterData {
	t.Helper()
	var out []quarterData
	for _, qm := range m.Quarters {
		entries, err := os.ReadDir(filepath.Join(dir, qm.Quarter))
		if err != nil {
			t.Fatal(err)
		}
		qd := quarterData{name: qm.Quarter, files: map[string]*fileData{}}
		for _, e := range entries {
			table, ext, _ := strings.Cut(e.Name(), ".")
			if qd.files[table] != nil {
				t.Fatalf("%s: table %s twice", qm.Quarter, table)
			}
			path := filepath.Join(dir, qm.Quarter, e.Name())
			var fd *fileData
			switch ext {
			case "csv":
				fd = readCSV(t, path)
			case "xlsx":
				fd = readXLSX(t, path)
			default:
				t.Fatalf("unexpected file %s", path)
			}
			fd.name = e.Name()
			qd.files[table] = fd
		}
		if len(qd.files) != 9 {
			t.Fatalf("%s: %d files, want 9", qm.Quarter, len(qd.files))
		}
		out = append(out, qd)
	}
	return out
}

var cp1252Decode = map[byte]rune{0x80: '€', 0x91: '‘', 0x92: '’', 0x93: '“', 0x94: '”', 0x96: '–', 0x97: '—'}

func readCSV(t testing.TB, path string) *fileData {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	raw = bytes.TrimPrefix(raw, []byte("\xEF\xBB\xBF"))
	if !utf8.Valid(raw) {
		var sb strings.Builder
		for _, c := range raw {
			switch {
			case c < 0x80:
				sb.WriteByte(c)
			case cp1252Decode[c] != 0:
				sb.WriteRune(cp1252Decode[c])
			case c >= 0xA0:
				sb.WriteRune(rune(c))
			default:
				t.Fatalf("%s: byte %#x is neither UTF-8 nor Windows-1252 text", path, c)
			}
		}
		raw = []byte(sb.String())
	}
	r := csv.NewReader(bytes.NewReader(raw))
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return toFileData(t, path, rows)
}

func readXLSX(t testing.TB, path string) *fileData {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	return toFileData(t, path, rows)
}

func toFileData(t testing.TB, path string, rows [][]string) *fileData {
	t.Helper()
	if len(rows) == 0 {
		t.Fatalf("%s: no header", path)
	}
	fd := &fileData{}
	for _, h := range rows[0] {
		fd.header = append(fd.header, strings.ToLower(strings.TrimSpace(h)))
	}
	for i, row := range rows[1:] {
		rec := record{line: i + 2, fields: map[string]string{}}
		for j, h := range fd.header {
			if j < len(row) {
				rec.fields[h] = row[j]
			} else {
				rec.fields[h] = ""
			}
		}
		fd.records = append(fd.records, rec)
	}
	return fd
}

// parseDate reads ISO or UK dates, as the contract allows.
func parseDate(s string) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02", "02/01/2006"} {
		if d, err := time.Parse(layout, s); err == nil {
			return d, true
		}
	}
	return time.Time{}, false
}

func quarterBounds(name string) (time.Time, time.Time) {
	q, err := parseQuarter(name)
	if err != nil {
		panic(err)
	}
	return q.start.time(), q.end.time()
}

// generateInto runs Generate into a fresh temporary folder.
func generateInto(t testing.TB, opts Options) (string, *Manifest) {
	t.Helper()
	opts.Out = t.TempDir()
	m, err := Generate(opts)
	if err != nil {
		t.Fatal(err)
	}
	return opts.Out, m
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprint(err))
	}
	return v
}
