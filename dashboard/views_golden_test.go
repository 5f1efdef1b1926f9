package dashboard

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uptake-nhs/uptake/queries"
)

var update = flag.Bool("update", false, "rewrite testdata/charts/*.golden.json from the current output")

// TestViewChartsGolden builds every view's chart from the fake store's
// fixed results and compares its JSON with testdata/charts/VIEW.golden.json.
// Run go test ./dashboard -run TestViewChartsGolden -update after an
// intended change, and read the diff.
func TestViewChartsGolden(t *testing.T) {
	store := newFakeStore()
	// The practice views need a practice; the others are drawn for the
	// whole borough.
	borough := queries.Filter{}
	practice := queries.Filter{Practice: "F83004"}
	for _, v := range testSite.views {
		if v.chart == nil {
			continue
		}
		t.Run(v.Name, func(t *testing.T) {
			f := borough
			if strings.HasPrefix(v.Name, "practice-") {
				f = practice
			}
			res := &results{store: store}
			result, err := res.get(t.Context(), v.Source, f)
			if err != nil {
				t.Fatal(err)
			}
			got, err := v.chart(result, linker{filter: f}).MarshalIndent()
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			if bytes.Contains(got, []byte("__f__")) || bytes.Contains(got, []byte("function")) {
				t.Error("chart options must be data, never JavaScript")
			}
			path := filepath.Join("testdata", "charts", v.Name+".golden.json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./dashboard -run TestViewChartsGolden -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("chart differs from %s; if the change is intended, run with -update.\ngot:\n%s", path, got)
			}
		})
	}
}
