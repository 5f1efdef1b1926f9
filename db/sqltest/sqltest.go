// Package sqltest checks, in the tests of packages that embed their SQL
// as sql/NAME.sql files, that every file is used and every name has a
// file.
package sqltest

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// EveryFileUsed fails t for each file sql/NAME.sql of fsys whose NAME is
// not a string literal in the non-test Go files of the current folder (the
// package under test), and for each query("NAME") call there without its
// file. Names are passed to the package's query function directly or in
// lists, so any literal counts as a use.
func EveryFileUsed(t *testing.T, fsys fs.FS) {
	t.Helper()
	var code strings.Builder
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		code.Write(b)
	}
	literals := map[string]bool{}
	for _, m := range regexp.MustCompile(`"([A-Za-z_.]+)"`).FindAllStringSubmatch(code.String(), -1) {
		literals[m[1]] = true
	}
	names, err := fs.Glob(fsys, "sql/*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("no embedded SQL: %v", err)
	}
	have := map[string]bool{}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "sql/"), ".sql")
		have[name] = true
		if !literals[name] {
			t.Errorf("sql/%s.sql is never used", name)
		}
	}
	for _, m := range regexp.MustCompile(`query\("([A-Za-z_.]+)"\)`).FindAllStringSubmatch(code.String(), -1) {
		if !have[m[1]] {
			t.Errorf("query(%q) has no sql/%s.sql", m[1], m[1])
		}
	}
}
