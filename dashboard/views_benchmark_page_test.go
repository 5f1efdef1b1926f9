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

// TestPageTablesAsWhole: the other tables of every practice (coding,
// follow-up) and of every campaign make only the rows a page shows, and
// those equal the page's part of the whole table, in its order (campaigns
// newest first).
func TestPageTablesAsWhole(t *testing.T) {
	var coding queries.CodingCompleteness
	var followUp queries.FollowUp
	var campaigns queries.CampaignEffect
	for i := range 150 {
		code, name := fmt.Sprintf("P%05d", i), fmt.Sprintf("Practice %03d", i)
		coding.Practices = append(coding.Practices, queries.CodingGroup{Key: code, Name: name, PCN: "North"})
		followUp.Practices = append(followUp.Practices, queries.FollowUpPractice{Code: code, Name: name, PCN: "North"})
		campaigns.Campaigns = append(campaigns.Campaigns, queries.Campaign{PracticeCode: code, PracticeName: name, DateSent: fmt.Sprintf("2025-%02d-01", 1+i%12)})
	}
	f := queries.Filter{PCN: "North"}
	for _, c := range []struct {
		v      view
		result any
		first  string // the first row's code
		noun   string
	}{
		{codingPracticesView(), coding, "P00000", "practices"},
		{followUpPracticesView(), followUp, "P00000", "practices"},
		{campaignsView(), campaigns, "P00149", "campaigns"},
	} {
		page := c.v.table(c.result, linker{filter: f, page: true})
		if len(page.Rows) != pageRows {
			t.Errorf("%s: the page's table made %d rows, want %d", c.v.Name, len(page.Rows), pageRows)
		}
		got, want := page.forPage(), c.v.table(c.result, linker{filter: f}).forPage()
		if got.ShownCount != "100 of 150 "+c.noun || !reflect.DeepEqual(got.Rows, want.Rows) || got.Shown != want.Shown || got.ShownCount != want.ShownCount {
			t.Errorf("%s: the page's table (%q) differs from the page's part of the whole (%q)", c.v.Name, got.ShownCount, want.ShownCount)
		}
		if first := got.Rows[0][1].text; first != c.first {
			t.Errorf("%s: first row %s, want %s", c.v.Name, first, c.first)
		}
	}
}
