package dashboard

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/uptake-nhs/uptake/queries"
	"github.com/uptake-nhs/uptake/queries/stats"
)

// TestBenchmarkPageTableAsWhole: for a page, the benchmark views make
// only the rows the page shows; those rows, their order and the "100 of
// 150 practices" caption are exactly what the page shows of the whole
// table, as a download makes it.
func TestBenchmarkPageTableAsWhole(t *testing.T) {
	labels := []string{stats.NotSignificant, stats.High, stats.LowSevere, stats.Low, stats.NotSignificant, stats.HighSevere}
	var r queries.PracticeBenchmark
	for i := range 150 {
		m := queries.PracticeMeasure{Label: labels[i%len(labels)]}
		r.Practices = append(r.Practices, queries.PracticeBenchmarkRow{
			Code: fmt.Sprintf("P%05d", i), Name: fmt.Sprintf("Practice %03d", i), PCN: "North",
			ReferralRate: m, Conversion: m, FollowUp: m,
		})
	}
	f := queries.Filter{From: "2025Q1"}
	views := benchmarkViews()
	if len(views) != 3 {
		t.Fatalf("%d benchmark views", len(views))
	}
	for _, v := range views {
		page := v.table(r, linker{filter: f, page: true})
		if len(page.Rows) != pageRows {
			t.Errorf("%s: the page's table made %d rows, want %d", v.Name, len(page.Rows), pageRows)
		}
		got, want := page.forPage(), v.table(r, linker{filter: f}).forPage()
		if got.ShownCount != "100 of 150 practices" || !reflect.DeepEqual(got.Rows, want.Rows) || got.Shown != want.Shown || got.ShownCount != want.ShownCount {
			t.Errorf("%s: the page's table (%q) differs from the page's part of the whole (%q)", v.Name, got.ShownCount, want.ShownCount)
		}
		// The first rows are those beyond the 99.8% limits (every sixth
		// practice from P00002 and P00005), in name order.
		if first := got.Rows[0][1].text; first != "P00002" {
			t.Errorf("%s: first row %s, want P00002", v.Name, first)
		}
	}
}
