package generate

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSampleFollowsContract reads the default sample back and checks every
// row against the contract: exactly the rows the manifest lists as broken
// are invalid, and the manifest's counts match the files.
func TestSampleFollowsContract(t *testing.T) {
	opts := DefaultOptions()
	dir, m := generateInto(t, opts)
	checkAgainstManifest(t, dir, m)
}

// TestPlainMultiAreaFollowsContract does the same for a plain run with
// several areas, the shape used at England scale.
func TestPlainMultiAreaFollowsContract(t *testing.T) {
	opts := DefaultOptions()
	opts.Practices, opts.Quarters, opts.Seed = 140, 5, 7
	opts.BadRows, opts.MixedFormats = false, false
	dir, m := generateInto(t, opts)
	if m.Areas < 3 {
		t.Errorf("140 practices made %d areas, want several", m.Areas)
	}
	checkAgainstManifest(t, dir, m)
	for table, c := range m.Totals {
		if c.ExpectedRejected != 0 {
			t.Errorf("%s: %d bad rows without BadRows", table, c.ExpectedRejected)
		}
	}
}

// TestShortRunsFollowContract covers runs of one and two quarters, where
// courses, campaigns and follow-ups have little room.
func TestShortRunsFollowContract(t *testing.T) {
	for _, n := range []int{1, 2} {
		opts := DefaultOptions()
		opts.Quarters, opts.LastQuarter, opts.Practices = n, "2025Q1", 12
		dir, m := generateInto(t, opts)
		if len(m.Quarters) != n || m.Quarters[n-1].Quarter != "2025Q1" {
			t.Fatalf("%d quarters: manifest lists %+v", n, m.Quarters)
		}
		checkAgainstManifest(t, dir, m)
	}
}

func checkAgainstManifest(t *testing.T, dir string, m *Manifest) {
	t.Helper()
	onDisk := readManifest(t, dir)
	if len(onDisk.Quarters) != len(m.Quarters) {
		t.Fatalf("manifest.json has %d quarters, Generate returned %d", len(onDisk.Quarters), len(m.Quarters))
	}
	qs := readAll(t, dir, onDisk)
	_, rejected := validate(t, qs)

	wantRejected := map[string]bool{}
	totals := map[string]Count{}
	for qi, qm := range onDisk.Quarters {
		if len(qm.Files) != 9 {
			t.Fatalf("%s: manifest lists %d files", qm.Quarter, len(qm.Files))
		}
		for _, fm := range qm.Files {
			fd := qs[qi].files[fm.Table]
			if fd == nil || fd.name != fm.File {
				t.Fatalf("%s: manifest lists %s, not on disk", qm.Quarter, fm.File)
			}
			if len(fd.records) != fm.Rows {
				t.Errorf("%s/%s: %d rows on disk, manifest says %d", qm.Quarter, fm.File, len(fd.records), fm.Rows)
			}
			if fm.ExpectedAccepted+fm.ExpectedRejected != fm.Rows || len(fm.Rejected) != fm.ExpectedRejected {
				t.Errorf("%s/%s: manifest counts do not add up: %+v", qm.Quarter, fm.File, fm)
			}
			for _, br := range fm.Rejected {
				wantRejected[fmt.Sprintf("%s/%s:%d", qm.Quarter, fm.File, br.Line)] = true
			}
			c := totals[fm.Table]
			c.Rows += fm.Rows
			c.ExpectedAccepted += fm.ExpectedAccepted
			c.ExpectedRejected += fm.ExpectedRejected
			totals[fm.Table] = c
		}
	}
	for where, why := range rejected {
		if !wantRejected[where] {
			t.Errorf("%s is invalid (%s) but not listed as a bad row", where, why)
		}
	}
	for where := range wantRejected {
		if _, ok := rejected[where]; !ok {
			t.Errorf("%s is listed as a bad row but is valid", where)
		}
	}
	for table, c := range totals {
		if onDisk.Totals[table] != c {
			t.Errorf("totals for %s: manifest %+v, files %+v", table, onDisk.Totals[table], c)
		}
	}
}

// TestDeterministic: the same options give byte-identical folders; another
// seed gives different data.
func TestDeterministic(t *testing.T) {
	opts := DefaultOptions()
	a, _ := generateInto(t, opts)
	b, _ := generateInto(t, opts)
	fa, fb := readTree(t, a), readTree(t, b)
	if len(fa) != 8*9+1 {
		t.Fatalf("%d files written, want 73", len(fa))
	}
	for name, data := range fa {
		if !bytes.Equal(data, fb[name]) {
			t.Errorf("%s differs between two runs with the same seed", name)
		}
	}
	opts.Seed = 2
	c, _ := generateInto(t, opts)
	fc := readTree(t, c)
	if bytes.Equal(fa["2026Q3/referrals.csv"], fc["2026Q3/referrals.csv"]) {
		t.Error("seeds 1 and 2 wrote the same referrals")
	}
}

func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		files[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestMixedFormats checks that the sample really shows the variations a
// loader must handle.
func TestMixedFormats(t *testing.T) {
	dir, m := generateInto(t, DefaultOptions())
	seen := map[string]bool{}
	for _, q := range m.Quarters {
		for _, f := range q.Files {
			seen[f.Encoding] = true
			seen["dates:"+f.Dates] = true
			if f.Encoding == "windows-1252" {
				data, err := os.ReadFile(filepath.Join(dir, q.Quarter, f.File))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Contains(data, []byte{0x92}) && !bytes.Contains(data, []byte{0xE9}) {
					t.Errorf("%s/%s: no Windows-1252 character in it", q.Quarter, f.File)
				}
			}
		}
	}
	for _, want := range []string{"utf-8", "utf-8-bom", "windows-1252", "xlsx", "dates:iso", "dates:uk", "dates:date-cells"} {
		if !seen[want] {
			t.Errorf("no file with %s", want)
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, m.Quarters[0].Quarter, "practices.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"Drs Mensah, Patel and Osei"`) {
		t.Error("no quoted practice name with a comma")
	}
}

// TestRefusesBadOptions: no output folder or a malformed quarter is an error.
func TestRefusesBadOptions(t *testing.T) {
	if _, err := Generate(Options{}); err == nil {
		t.Error("no error without Out")
	}
	opts := DefaultOptions()
	opts.Out = t.TempDir()
	opts.LastQuarter = "2026-Q3"
	if _, err := Generate(opts); err == nil {
		t.Error("no error for LastQuarter 2026-Q3")
	}
}

// BenchmarkGenerate measures a tenth of England (650 practices, 20 quarters,
// plain CSV); the full 6,500 practices scale linearly.
func BenchmarkGenerate(b *testing.B) {
	opts := DefaultOptions()
	opts.Practices, opts.Quarters = 650, 20
	opts.BadRows, opts.MixedFormats = false, false
	for b.Loop() {
		opts.Out = b.TempDir()
		if _, err := Generate(opts); err != nil {
			b.Fatal(err)
		}
	}
}

// TestEnglandShape builds (without writing) an England-scale world and
// checks its shape: borough-sized areas, about 1,250 uniquely named PCNs,
// a venue per six practices, unique practice codes.
func TestEnglandShape(t *testing.T) {
	opts := DefaultOptions()
	opts.Practices, opts.Quarters = 6500, 20
	g, err := newGen(opts)
	if err != nil {
		t.Fatal(err)
	}
	pcnArea := map[string]int32{}
	codes := map[string]bool{}
	for _, p := range g.practices {
		if a, ok := pcnArea[p.pcn]; ok && a != p.area {
			t.Fatalf("PCN %q is in areas %d and %d", p.pcn, a, p.area)
		}
		pcnArea[p.pcn] = p.area
		if codes[p.code] {
			t.Fatalf("practice code %s twice", p.code)
		}
		codes[p.code] = true
	}
	if len(g.practices) != 6500 || len(pcnArea) < 1100 || len(pcnArea) > 1400 {
		t.Errorf("%d practices in %d PCNs, want 6500 in about 1,250", len(g.practices), len(pcnArea))
	}
	if len(g.areas) < 130 || len(g.areas) > 330 {
		t.Errorf("%d areas, want borough-sized ones (20-50 practices)", len(g.areas))
	}
	if v := len(g.venues); v < 6500/8 || v > 6500/5 {
		t.Errorf("%d venues, want about one per six practices", v)
	}
}
