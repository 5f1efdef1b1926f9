package dashboard

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/uptake-nhs/uptake/accounts"
	"github.com/uptake-nhs/uptake/queries"
)

// awaitPromise makes chromedp.Evaluate wait for a promise's value.
func awaitPromise(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }

// chartData returns the data of the first series of the chart in element
// id, as JSON, from the live ECharts instance.
func (b *browser) chartData(t *testing.T, id string) string {
	t.Helper()
	var data string
	b.run(t, chromedp.Evaluate(`JSON.stringify(window.uptakeCharts[`+jsString(id)+`].getOption().series[0].data)`, &data))
	return data
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// waitNewPage waits until the page that replaced the marked one has drawn
// its charts. mark must have been called before the navigation began.
// It asks in a bounded loop rather than with chromedp.Poll, because a poll
// fails when navigation destroys the page it runs in.
func (b *browser) waitNewPage(t *testing.T) {
	t.Helper()
	for range 300 {
		var ok bool
		err := chromedp.Run(b.ctx, chromedp.Evaluate(`window.uptakeOldPage === undefined && !!document.body && document.body.dataset.chartsDrawn !== undefined`, &ok))
		if err == nil && ok {
			return
		}
		if b.ctx.Err() != nil {
			t.Fatal(b.ctx.Err())
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("the new page did not finish drawing within 30 seconds")
}

func (b *browser) mark(t *testing.T) {
	t.Helper()
	b.run(t, chromedp.Evaluate(`window.uptakeOldPage = true`, nil))
}

func (b *browser) location(t *testing.T) string {
	t.Helper()
	var loc string
	b.run(t, chromedp.Evaluate(`window.location.pathname + window.location.search`, &loc))
	return loc
}

// TestBrowserFilterChangesChart picks a practice in the Overview's filter
// bar, as a reader would, and checks that the trend chart's data change.
func TestBrowserFilterChangesChart(t *testing.T) {
	ts, _ := newTestServer(t)
	b := newBrowser(t)
	b.signIn(t, ts.URL, userCommissioner, testPassword(userCommissioner))
	b.navigate(t, ts.URL+"/")
	before := b.chartData(t, "chart-trends-rates")
	b.mark(t)
	// SetValue fires input and change events itself, as a person choosing
	// would; firing change again would race the navigation it starts.
	b.run(t, chromedp.SetValue("#filter-practice", "F83004", chromedp.ByQuery))
	b.waitNewPage(t)
	if loc := b.location(t); loc != "/?practice=F83004" {
		t.Errorf("changing the select opened %q, want /?practice=F83004", loc)
	}
	after := b.chartData(t, "chart-trends-rates")
	if after == before || after == "" {
		t.Errorf("the chart did not change with the practice filter:\nbefore %s\nafter  %s", before, after)
	}
	var selected string
	b.run(t, chromedp.Value("#filter-practice", &selected, chromedp.ByQuery))
	if selected != "F83004" {
		t.Errorf("the new page's select shows %q", selected)
	}
	b.check(t, "filter change")
}

// TestBrowserFunnelPlotClickOpensPractice clicks a practice's point on the
// conversion funnel plot, with the mouse at the point's pixel, and checks
// that the practice's page opens.
func TestBrowserFunnelPlotClickOpensPractice(t *testing.T) {
	ts, _ := newTestServer(t)
	b := newBrowser(t)
	b.signIn(t, ts.URL, userCommissioner, testPassword(userCommissioner))
	b.navigate(t, ts.URL+"/practices")
	// Find the point named for Archway Medical Centre among the scatter
	// series and convert its value to page pixels.
	var pos []float64
	b.run(t, chromedp.Evaluate(`(function () {
		var el = document.getElementById("chart-benchmark-conversion");
		el.scrollIntoView({block: "center"});
		var chart = window.uptakeCharts[el.id];
		var series = chart.getOption().series;
		for (var i = 0; i < series.length; i++) {
			if (series[i].type !== "scatter") continue;
			var data = series[i].data || [];
			for (var j = 0; j < data.length; j++) {
				if (data[j].name === "Archway Medical Centre (F83004)") {
					var px = chart.convertToPixel({seriesIndex: i}, data[j].value);
					var r = el.getBoundingClientRect();
					return [r.left + px[0], r.top + px[1]];
				}
			}
		}
		return [];
	})()`, &pos))
	if len(pos) != 2 {
		t.Fatal("the funnel plot has no point for Archway Medical Centre (F83004)")
	}
	b.mark(t)
	b.run(t, chromedp.MouseClickXY(pos[0], pos[1]))
	b.waitNewPage(t)
	if loc := b.location(t); loc != "/practices/F83004" {
		t.Errorf("clicking the point opened %q, want /practices/F83004", loc)
	}
	b.check(t, "funnel plot click")
}

// TestBrowserRowClickOpensPractice clicks a benchmark table row (not its
// link) and checks that the practice's page opens.
func TestBrowserRowClickOpensPractice(t *testing.T) {
	ts, _ := newTestServer(t)
	b := newBrowser(t)
	b.signIn(t, ts.URL, userCommissioner, testPassword(userCommissioner))
	b.navigate(t, ts.URL+"/practices")
	b.mark(t)
	b.run(t, chromedp.Click(`#table-benchmark-conversion tbody tr:nth-child(1) td:nth-of-type(3)`, chromedp.ByQuery))
	b.waitNewPage(t)
	if loc := b.location(t); loc != "/practices/F83004" {
		t.Errorf("clicking the row opened %q, want /practices/F83004", loc)
	}
}

// TestBrowserSortableTable sorts the benchmark table by its rank column
// both ways.
func TestBrowserSortableTable(t *testing.T) {
	ts, _ := newTestServer(t)
	b := newBrowser(t)
	b.signIn(t, ts.URL, userCommissioner, testPassword(userCommissioner))
	b.navigate(t, ts.URL+"/practices")
	firstCode := func() string {
		var code string
		b.run(t, chromedp.Evaluate(`document.querySelector("#table-benchmark-conversion tbody tr td").textContent`, &code))
		return code
	}
	// The Code column is the second; its header is a button after uptake.js.
	b.run(t, chromedp.Click(`#table-benchmark-conversion thead th:nth-child(2) button`, chromedp.ByQuery))
	asc := firstCode()
	b.run(t, chromedp.Click(`#table-benchmark-conversion thead th:nth-child(2) button`, chromedp.ByQuery))
	desc := firstCode()
	var sort string
	b.run(t, chromedp.AttributeValue(`#table-benchmark-conversion thead th:nth-child(2)`, "aria-sort", &sort, nil, chromedp.ByQuery))
	if asc != "F83004" || desc != "F83020" || sort != "descending" {
		t.Errorf("sorting by code: ascending first %q, descending first %q, aria-sort %q", asc, desc, sort)
	}
	b.check(t, "sorting")
}

// TestBrowserDownloadHasTheTableRows fetches a panel's CSV link from
// inside the page and compares its rows with the table's.
func TestBrowserDownloadHasTheTableRows(t *testing.T) {
	ts, _ := newTestServer(t)
	b := newBrowser(t)
	b.signIn(t, ts.URL, userServiceLead, testPassword(userServiceLead)) // the Data page is theirs
	for _, c := range []struct{ path, panel string }{
		{"/non-attenders?pcn=South", "followup-practices"},
		{"/practices", "benchmark-conversion"},
		{"/data?page=2", "rejected-rows"},
	} {
		b.navigate(t, ts.URL+c.path)
		var got struct {
			TableRows int    `json:"tableRows"`
			CSVLines  int    `json:"csvLines"`
			Status    int    `json:"status"`
			Header    string `json:"header"`
			Columns   string `json:"columns"`
		}
		var raw string
		b.run(t, chromedp.Evaluate(`(async function () {
			var panel = document.getElementById("panel-`+c.panel+`");
			var link = panel.querySelector(".uptake-downloads a[href*='.csv']");
			var res = await fetch(link.getAttribute("href"));
			var text = await res.text();
			var lines = text.split("\n").filter(function (l) { return l !== ""; });
			var ths = Array.prototype.map.call(panel.querySelectorAll("thead th"), function (th) { return th.textContent.replace(" (select to sort)", "").trim(); });
			return JSON.stringify({
				tableRows: panel.querySelectorAll("tbody tr").length,
				csvLines: lines.length,
				status: res.status,
				header: lines[0],
				columns: ths.join(",")
			});
		})()`, &raw, awaitPromise))
		if err := json.Unmarshal([]byte(raw), &got); err != nil {
			t.Fatalf("%s: %v %s", c.path, err, raw)
		}
		if got.Status != 200 || got.CSVLines != got.TableRows+1 {
			t.Errorf("%s %s: CSV status %d with %d lines, table %d rows", c.path, c.panel, got.Status, got.CSVLines, got.TableRows)
		}
		if strings.Count(got.Header, ",") != strings.Count(got.Columns, ",") {
			t.Errorf("%s %s: CSV header %q, table columns %q", c.path, c.panel, got.Header, got.Columns)
		}
		b.check(t, c.path)
	}
}

// TestBrowserE2EEveryPageDrawsItsCharts loads every page over the sample
// database: real data, drawn with no console errors.
func TestBrowserE2EEveryPageDrawsItsCharts(t *testing.T) {
	ts := newRealServer(t)
	b := newBrowser(t)
	// The demo service lead may open every page; the demo practice user
	// sees its practice's page with the work lists.
	sl := ts.demo[accounts.RoleServiceLead]
	b.signIn(t, ts.URL, sl.Username, sl.Password)
	pr := ts.demo[accounts.RolePractice]
	b2 := newBrowser(t)
	b2.signIn(t, ts.URL, pr.Username, pr.Password)
	b2.navigate(t, ts.URL+"/practices/"+pr.PracticeCode)
	b2.check(t, "practice page as its practice")
	paths := []string{"/practices/" + pr.PracticeCode}
	for _, p := range testSite.pages {
		paths = append(paths, p.Path)
	}
	for _, path := range paths {
		b.navigate(t, ts.URL+path)
		b.check(t, path)
	}
}

// TestBrowserPracticeTextBoxSuggestsAndFilters gives the fake more
// practices than a select holds: the practice filter becomes a text box,
// which offers the practices as suggestions once used, and typing a code
// and pressing Enter filters the page.
func TestBrowserPracticeTextBoxSuggestsAndFilters(t *testing.T) {
	ts, store := newTestServer(t)
	for i := range maxSelectOptions {
		store.opts.Practices = append(store.opts.Practices, queries.PracticeOption{Code: fmt.Sprintf("Y%05d", i), Name: fmt.Sprintf("Practice %04d", i), PCN: "North"})
	}
	b := newBrowser(t)
	b.signIn(t, ts.URL, userCommissioner, testPassword(userCommissioner))
	b.navigate(t, ts.URL+"/equity")
	b.run(t, chromedp.Click("#filter-practice", chromedp.ByQuery),
		chromedp.Poll(`document.querySelectorAll("#filter-practice-list option").length > 500`, nil, chromedp.WithPollingInterval(50*time.Millisecond)))
	b.mark(t)
	b.run(t, chromedp.SendKeys("#filter-practice", "F83004\r", chromedp.ByQuery))
	b.waitNewPage(t)
	if loc := b.location(t); loc != "/equity?practice=F83004" {
		t.Errorf("typing a code opened %q, want /equity?practice=F83004", loc)
	}
	var value string
	b.run(t, chromedp.Value("#filter-practice", &value, chromedp.ByQuery))
	if value != "F83004" {
		t.Errorf("the new page's text box holds %q", value)
	}
	b.check(t, "practice text box")
}

// TestBrowserWhiskersSitOnTheirBars checks that each 95% interval is drawn
// over the middle of its own bar, on charts with one and with two bars a
// category, upright and lying down: uptake.js places the whiskers with the
// bar gaps that charts/ci.go sets on the bars.
func TestBrowserWhiskersSitOnTheirBars(t *testing.T) {
	ts, _ := newTestServer(t)
	b := newBrowser(t)
	b.signIn(t, ts.URL, userCommissioner, testPassword(userCommissioner))
	for _, path := range []string{"/pathway", "/equity"} {
		b.navigate(t, ts.URL+path)
		var got struct {
			Compared int
			Off      []string
		}
		b.run(t, chromedp.Evaluate(`(function () {
			var out = {Compared: 0, Off: []};
			Object.keys(window.uptakeCharts).forEach(function (id) {
				var chart = window.uptakeCharts[id];
				var model = chart.getModel();
				var series = chart.getOption().series;
				var bars = [];
				series.forEach(function (s, i) { if (s.type === "bar") bars.push(i); });
				series.forEach(function (s, i) {
					if (s.type !== "custom") return;
					var data = model.getSeriesByIndex(i).getData();
					for (var j = 0; j < data.count(); j++) {
						var v = s.data[j].value; // category, low, high, bar number, bars
						var bar = model.getSeriesByIndex(bars[v[3]]).getData().getItemLayout(v[0]);
						var line = data.getItemGraphicEl(j).childAt(0).shape;
						var upright = line.x1 === line.x2;
						var want = upright ? bar.x + bar.width / 2 : bar.y + bar.height / 2;
						var at = upright ? line.x1 : line.y1;
						out.Compared++;
						if (Math.abs(at - want) > 1) {
							out.Off.push(id + " " + s.data[j].name + ": whisker at " + at.toFixed(1) + ", bar's middle at " + want.toFixed(1));
						}
					}
				});
			});
			return out;
		})()`, &got))
		if got.Compared == 0 {
			t.Errorf("%s: no whiskers to compare", path)
		}
		for _, off := range got.Off {
			t.Errorf("%s: %s", path, off)
		}
		b.check(t, path)
	}
}
