package dashboard

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

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

// unfold opens every table folded under its chart, as a reader would.
func (b *browser) unfold(t *testing.T) {
	t.Helper()
	b.run(t, chromedp.Evaluate(`document.querySelectorAll("details.uptake-fold").forEach(function (d) { d.open = true; })`, nil))
}

func (b *browser) location(t *testing.T) string {
	t.Helper()
	var loc string
	b.run(t, chromedp.Evaluate(`window.location.pathname + window.location.search`, &loc))
	return loc
}

// TestBrowserFilterChangesChart picks a practice in the Overview's filter
// bar, as a reader would: the page stays as it is until the reader applies
// the filter, and then the trend chart's data change.
func TestBrowserFilterChangesChart(t *testing.T) {
	ts, _ := newTestServer(t)
	b := newBrowser(t)
	b.signIn(t, ts.URL, userCommissioner, testPassword(userCommissioner))
	b.navigate(t, ts.URL+"/")
	before := b.chartData(t, "chart-trends-rates")
	b.mark(t)
	// SetValue fires input and change events itself, as a person choosing
	// would.
	b.run(t, chromedp.SetValue("#filter-practice", "F83004", chromedp.ByQuery))
	var pending string
	b.run(t, chromedp.Sleep(300*time.Millisecond), chromedp.Text("#filters-pending", &pending, chromedp.ByQuery))
	if loc := b.location(t); loc != "/" || !strings.Contains(pending, "Apply filters") {
		t.Errorf("changing the select: at %q, the bar says %q; want no navigation and a note to apply", loc, pending)
	}
	b.run(t, chromedp.Click(".uptake-filters__apply", chromedp.ByQuery))
	b.waitNewPage(t)
	if loc := b.location(t); loc != "/?practice=F83004" {
		t.Errorf("applying the filter opened %q, want /?practice=F83004", loc)
	}
	after := b.chartData(t, "chart-trends-rates")
	if after == before || after == "" {
		t.Errorf("the chart did not change with the practice filter:\nbefore %s\nafter  %s", before, after)
	}
	var selected, chip string
	b.run(t, chromedp.Value("#filter-practice", &selected, chromedp.ByQuery),
		chromedp.Text(".uptake-chip", &chip, chromedp.ByQuery))
	if selected != "F83004" || !strings.Contains(chip, "Practice: Archway Medical Centre (F83004)") {
		t.Errorf("the new page's select shows %q, its chip %q", selected, chip)
	}
	b.check(t, "filter change")
}

// TestBrowserArrowDownOnAFilterKeepsFocus moves through a select's
// options with the keyboard: the page must not reload (WCAG 2.2 SC 3.2.2,
// on input) and focus must stay on the select.
func TestBrowserArrowDownOnAFilterKeepsFocus(t *testing.T) {
	ts, _ := newTestServer(t)
	b := newBrowser(t)
	b.signIn(t, ts.URL, userCommissioner, testPassword(userCommissioner))
	for _, path := range []string{"/", "/venues"} {
		b.navigate(t, ts.URL+path)
		b.run(t, chromedp.Evaluate(`window.uptakeSamePage = true`, nil), chromedp.Focus("#filter-mode", chromedp.ByQuery))
		for range 2 {
			b.run(t, chromedp.KeyEvent(kb.ArrowDown), chromedp.Sleep(200*time.Millisecond))
		}
		var got struct {
			Same   bool   `json:"same"`
			Focus  string `json:"focus"`
			Value  string `json:"value"`
			Loc    string `json:"loc"`
			Status string `json:"status"`
		}
		var raw string
		b.run(t, chromedp.Sleep(300*time.Millisecond), chromedp.Evaluate(`JSON.stringify({same: window.uptakeSamePage === true, focus: document.activeElement.id,
			value: document.getElementById("filter-mode").value, loc: location.pathname + location.search,
			status: document.getElementById("filters-pending").textContent})`, &raw))
		if err := json.Unmarshal([]byte(raw), &got); err != nil {
			t.Fatal(err)
		}
		if !got.Same || got.Loc != path || got.Focus != "filter-mode" {
			t.Errorf("%s: after ArrowDown the page is %q (same page: %v), focus on %q", path, got.Loc, got.Same, got.Focus)
		}
		if got.Value == "" || got.Status == "" {
			t.Errorf("%s: ArrowDown chose %q and the bar says %q; want an option chosen and a note to apply", path, got.Value, got.Status)
		}
		b.check(t, path)
	}
}

// pointOf returns the page pixel of the point named name on the chart in
// element id, scrolled into view, or nil.
func (b *browser) pointOf(t *testing.T, id, name string) []float64 {
	t.Helper()
	var pos []float64
	b.run(t, chromedp.Evaluate(`(function () {
		var el = document.getElementById(`+jsString(id)+`);
		el.scrollIntoView({block: "center"});
		var chart = window.uptakeCharts[el.id];
		var series = chart.getOption().series;
		for (var i = 0; i < series.length; i++) {
			var data = series[i].data || [];
			for (var j = 0; j < data.length; j++) {
				var d = data[j];
				if (d && d.name === `+jsString(name)+` && Array.isArray(d.value)) {
					var px = chart.convertToPixel({seriesIndex: i}, d.value);
					var r = el.getBoundingClientRect();
					return [r.left + px[0], r.top + px[1]];
				}
			}
		}
		return [];
	})()`, &pos))
	return pos
}

// TestBrowserFunnelPlotClickOpensPractice clicks a practice's point on the
// conversion funnel plot, with the mouse at the point's pixel: a small
// dialog offers the practice's page and the filter; choosing the page
// opens it, choosing the filter filters this page.
func TestBrowserFunnelPlotClickOpensPractice(t *testing.T) {
	ts, _ := newTestServer(t)
	b := newBrowser(t)
	b.signIn(t, ts.URL, userCommissioner, testPassword(userCommissioner))
	for _, choice := range []struct{ link, want string }{
		{".uptake-popover__open", "/practices/F83004"},
		{".uptake-popover__filter", "/practices?practice=F83004"},
	} {
		b.navigate(t, ts.URL+"/practices")
		pos := b.pointOf(t, "chart-benchmark-conversion", "Archway Medical Centre (F83004)")
		if len(pos) != 2 {
			t.Fatal("the funnel plot has no point for Archway Medical Centre (F83004)")
		}
		b.run(t, chromedp.MouseClickXY(pos[0], pos[1]), chromedp.WaitVisible(".uptake-popover", chromedp.ByQuery))
		var focused, text string
		b.run(t, chromedp.Evaluate(`document.activeElement.className`, &focused), chromedp.Text(".uptake-popover", &text, chromedp.ByQuery))
		if !strings.Contains(text, "Archway Medical Centre (F83004)") || !strings.HasPrefix(focused, "uptake-popover") {
			t.Errorf("the dialog says %q, focus on %q", text, focused)
		}
		b.mark(t)
		b.run(t, chromedp.Click(choice.link, chromedp.ByQuery))
		b.waitNewPage(t)
		if loc := b.location(t); loc != choice.want {
			t.Errorf("choosing %s opened %q, want %s", choice.link, loc, choice.want)
		}
	}
	b.check(t, "funnel plot click")
}

// TestBrowserChartClickFiltersThePage clicks a quarter's point on the
// Overview's trend chart and a language's bar on the Venues page: each
// filters the whole page to it, in the address and in the filter bar,
// whose chip removes it again.
func TestBrowserChartClickFiltersThePage(t *testing.T) {
	ts, _ := newTestServer(t)
	b := newBrowser(t)
	b.signIn(t, ts.URL, userCommissioner, testPassword(userCommissioner))
	b.navigate(t, ts.URL+"/")
	before := b.chartData(t, "chart-trends-rates")
	var pos []float64
	b.run(t, chromedp.Evaluate(`(function () {
		var el = document.getElementById("chart-trends-referrals");
		el.scrollIntoView({block: "center"});
		var chart = window.uptakeCharts[el.id];
		var px = chart.convertToPixel({seriesIndex: 0}, ["2026Q1", chart.getOption().series[0].data[2].value]);
		var r = el.getBoundingClientRect();
		return [r.left + px[0], r.top + px[1]];
	})()`, &pos))
	b.mark(t)
	b.run(t, chromedp.MouseClickXY(pos[0], pos[1]))
	b.waitNewPage(t)
	if loc := b.location(t); loc != "/?from=2026Q1&to=2026Q1" {
		t.Errorf("clicking 2026Q1 opened %q, want /?from=2026Q1&to=2026Q1", loc)
	}
	var chip, from string
	b.run(t, chromedp.Text(".uptake-chip", &chip, chromedp.ByQuery), chromedp.Value("#filter-from", &from, chromedp.ByQuery))
	if !strings.Contains(chip, "Quarter: 2026Q1") || from != "2026Q1" {
		t.Errorf("filter bar: chip %q, from %q", chip, from)
	}
	if after := b.chartData(t, "chart-trends-rates"); after == before {
		t.Errorf("the rest of the page did not follow the filter: trends %s", after)
	}
	b.mark(t)
	b.run(t, chromedp.Click(".uptake-chip__remove", chromedp.ByQuery))
	b.waitNewPage(t)
	if loc := b.location(t); loc != "/" {
		t.Errorf("removing the chip opened %q, want /", loc)
	}
	b.check(t, "chart click filters")
}

// TestBrowserRowClickOpensPractice clicks a benchmark table row (not its
// link) and checks that the practice's page opens.
func TestBrowserRowClickOpensPractice(t *testing.T) {
	ts, _ := newTestServer(t)
	b := newBrowser(t)
	b.signIn(t, ts.URL, userCommissioner, testPassword(userCommissioner))
	b.navigate(t, ts.URL+"/practices")
	b.unfold(t)
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
	b.unfold(t)
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
				var dots = {};
				series.forEach(function (s, i) { if (s.type === "scatter") dots[s.name] = i; });
				series.forEach(function (s, i) {
					if (s.type !== "custom") return;
					var data = model.getSeriesByIndex(i).getData();
					for (var j = 0; j < data.count(); j++) {
						var v = s.data[j].value; // category, low, high, bar number, bars
						var line = data.getItemGraphicEl(j).childAt(0).shape;
						var upright = line.x1 === line.x2;
						var want;
						if (bars.length === 0) {
							// Dots and whiskers: the whisker goes through its dot.
							var dot = model.getSeriesByIndex(dots[s.name]).getData().getItemLayout(v[0]);
							want = upright ? dot[0] : dot[1];
						} else {
							var bar = model.getSeriesByIndex(bars[v[3]]).getData().getItemLayout(v[0]);
							want = upright ? bar.x + bar.width / 2 : bar.y + bar.height / 2;
						}
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
