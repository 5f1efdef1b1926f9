package dashboard

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/uptake-nhs/uptake/dashboard/charts"
	"github.com/uptake-nhs/uptake/queries"
)

// TestLargeChartIsFetched: a chart over chartInlineMax bytes leaves the
// page as the address of its JSON, with the page's filters; a small one
// stays inline.
func TestLargeChartIsFetched(t *testing.T) {
	chartOf := func(n int) view {
		return view{Name: "big-chart", Source: srcBenchmark.source,
			table: func(any, linker) Table { return Table{} },
			chart: func(any, linker) charts.Chart {
				return charts.Chart{Option: map[string]any{"padding": strings.Repeat("x", n)}}
			}}
	}
	s := &Server{}
	l := linker{filter: queries.Filter{From: "2025Q1"}}
	if p := s.panel(chartOf(chartInlineMax+1), nil, l); p.ChartSrc != "/api/chart/big-chart?from=2025Q1" {
		t.Errorf("a chart of %d bytes: ChartSrc %q, want /api/chart/big-chart?from=2025Q1", chartInlineMax+1, p.ChartSrc)
	}
	if p := s.panel(chartOf(100), nil, l); p.ChartSrc != "" || p.Chart == nil {
		t.Errorf("a small chart: ChartSrc %q, want it inline", p.ChartSrc)
	}
}

// TestBrowserFetchedChartsDraw sends every chart of every page by address
// (as the funnel plots are at England scale) and checks that the browser
// fetches and draws each one, with no inline chart data left on the page.
func TestBrowserFetchedChartsDraw(t *testing.T) {
	old := chartInlineMax
	chartInlineMax = -1
	t.Cleanup(func() { chartInlineMax = old })
	ts, _ := newTestServer(t)
	// Each role reaches every chart it may see on a page through the
	// chart's address too.
	for _, who := range []struct {
		user  string
		paths []string
	}{
		{userServiceLead, []string{"/practices/F83004"}},
		{userCommissioner, []string{"/", "/practices", "/practices/F83004"}},
		{userPractice, []string{"/practices/F83004", "/practices", "/"}},
	} {
		b := newBrowser(t)
		b.signIn(t, ts.URL, who.user, testPassword(who.user))
		paths := who.paths
		if who.user == userServiceLead {
			for _, p := range testSite.pages {
				paths = append(paths, p.Path)
			}
		}
		for _, path := range paths {
			b.navigate(t, ts.URL+path)
			var inline, fetched, total int
			b.run(t,
				chromedp.Evaluate(`document.querySelectorAll("script[type='application/json'][id^='chart-']").length`, &inline),
				chromedp.Evaluate(`document.querySelectorAll("div.chart[data-src]").length`, &fetched),
				chromedp.Evaluate(`document.querySelectorAll("div.chart").length`, &total),
			)
			if inline != 0 || fetched != total {
				t.Errorf("%s as %s: %d inline chart blocks and %d of %d charts by address, want 0 and all", path, who.user, inline, fetched, total)
			}
		}
	}
}
