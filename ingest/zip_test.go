package ingest

import (
	"archive/zip"
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// zipEntry is one entry of a zip written by writeTestZip.
type zipEntry struct {
	name string
	body []byte
	mode fs.FileMode // 0 means a regular file
}

func writeTestZip(t *testing.T, entries ...zipEntry) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.mode != 0 {
			h.SetMode(e.mode)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(e.body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "quarter.zip")
	if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCheckZip(t *testing.T) {
	csv := []byte("a,b\n1,2\n")
	ok := map[string][]zipEntry{
		"folder":         {{name: "2026Q3/"}, {name: "2026Q3/referrals.csv", body: csv}, {name: "2026Q3/sessions.xlsx", body: csv}},
		"folder implied": {{name: "2026Q3/referrals.csv", body: csv}},
		"root":           {{name: "referrals.csv", body: csv}, {name: "venues.CSV", body: csv}},
		"macOS extras":   {{name: "2026Q3/referrals.csv", body: csv}, {name: "__MACOSX/2026Q3/._referrals.csv", body: csv}, {name: "2026Q3/.DS_Store", body: csv}},
	}
	for name, entries := range ok {
		if err := CheckZip(writeTestZip(t, entries...)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	bad := map[string]struct {
		entries []zipEntry
		rule    string
	}{
		"climbs out":      {[]zipEntry{{name: "../evil.csv", body: csv}}, "bad_zip"},
		"absolute":        {[]zipEntry{{name: "/etc/evil.csv", body: csv}}, "bad_zip"},
		"symlink":         {[]zipEntry{{name: "referrals.csv", body: []byte("/etc/passwd"), mode: fs.ModeSymlink | 0o777}}, "bad_zip"},
		"nested":          {[]zipEntry{{name: "a/2026Q3/referrals.csv", body: csv}}, "bad_zip"},
		"two folders":     {[]zipEntry{{name: "2026Q3/referrals.csv", body: csv}, {name: "2026Q2/referrals.csv", body: csv}}, "bad_zip"},
		"folder and root": {[]zipEntry{{name: "referrals.csv", body: csv}, {name: "2026Q3/sessions.csv", body: csv}}, "bad_zip"},
		"other file":      {[]zipEntry{{name: "referrals.exe", body: csv}}, "unknown_file"},
		"twice":           {[]zipEntry{{name: "referrals.csv", body: csv}, {name: "REFERRALS.csv", body: csv}}, "duplicate_file"},
		"empty":           {[]zipEntry{{name: "2026Q3/"}}, "bad_zip"},
		"bomb":            {[]zipEntry{{name: "referrals.csv", body: make([]byte, 8<<20)}}, "zip_bomb"},
	}
	for name, tc := range bad {
		err := CheckZip(writeTestZip(t, tc.entries...))
		var p *Problem
		if !errors.As(err, &p) || p.Rule != tc.rule {
			t.Errorf("%s: got %v, want rule %s", name, err, tc.rule)
		}
	}
	notZip := filepath.Join(t.TempDir(), "x.zip")
	os.WriteFile(notZip, []byte("referral_id,nhs\n"), 0o600)
	if err := CheckZip(notZip); err == nil || !strings.Contains(err.Error(), "not a readable zip") {
		t.Errorf("not a zip: %v", err)
	}
}

func TestCheckZipTotalSize(t *testing.T) {
	defer func(old int64) { MaxQuarterZipBytes = old }(MaxQuarterZipBytes)
	MaxQuarterZipBytes = 1000
	body := bytes.Repeat([]byte("0123456789"), 70)
	err := CheckZip(writeTestZip(t, zipEntry{name: "referrals.csv", body: body}, zipEntry{name: "sessions.csv", body: body}))
	var p *Problem
	if !errors.As(err, &p) || p.Rule != "zip_too_large" {
		t.Errorf("two files of 700 bytes under a 1000-byte limit: %v", err)
	}
}
