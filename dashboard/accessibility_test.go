package dashboard

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/uptake-nhs/uptake/accounts"
)

// The phone and accessibility checks: every page, for every role, over
// the sample database, fits a 390 px screen and passes axe-core's WCAG 2.2
// AA rules. axe-core is vendored for these tests only
// (dashboard/assets/vendor-axe.sh writes testdata/axe/); the dashboard
// never serves it.

// rolePages lists, for each demo role, the pages it may open: the pages
// of the navigation its role allows, a practice's page (its own, for the
// practice user), the password page, and the administrators' page.
func rolePages(t *testing.T, rs *realServer) map[accounts.Role][]string {
	t.Helper()
	out := map[accounts.Role][]string{}
	for role, d := range rs.demo {
		var paths []string
		for _, p := range testSite.pages {
			if pol, ok := accessTable[p.Name]; ok && pol.allows(role) {
				paths = append(paths, p.Path)
			}
		}
		practice := rs.demo[accounts.RolePractice].PracticeCode
		paths = append(paths, "/practices/"+practice, "/account/password")
		if role == accounts.RoleAdmin {
			paths = append(paths, "/admin")
		}
		if d.PracticeCode != "" && d.PracticeCode != practice {
			paths = append(paths, "/practices/"+d.PracticeCode)
		}
		out[role] = paths
	}
	return out
}

// roleOrder is the order the tests visit the roles in, for stable output.
var roleOrder = []accounts.Role{accounts.RoleCommissioner, accounts.RoleServiceLead, accounts.RolePractice, accounts.RoleAdmin}

// waitPage waits for a page that has charts to draw them all.
func (b *browser) waitPage(t *testing.T) {
	t.Helper()
	var charts int
	b.run(t, chromedp.Evaluate(`document.querySelectorAll("div.chart").length`, &charts))
	if charts > 0 {
		b.waitChartsDrawn(t, time.Minute)
	}
}

// TestBrowserEveryPageFitsAPhone opens every page, for every role, at a
// 390 px wide viewport: nothing may be wider than the screen (tables
// scroll inside themselves), with the tables under the charts unfolded.
func TestBrowserEveryPageFitsAPhone(t *testing.T) {
	rs := newRealServer(t)
	pages := rolePages(t, rs)
	for _, role := range roleOrder {
		d, ok := rs.demo[role]
		if !ok {
			t.Fatalf("no demo %s", role)
		}
		b := newBrowserFor(t, 3*time.Minute)
		b.signIn(t, rs.URL, d.Username, d.Password)
		b.run(t, chromedp.EmulateViewport(390, 844))
		paths := append(pages[role], "/venues?language=Turkish&from=2026Q1&to=2026Q1")
		for _, path := range paths {
			if !slices.Contains(pages[role], "/venues") && strings.HasPrefix(path, "/venues") {
				continue
			}
			b.run(t, chromedp.Navigate(rs.URL+path))
			b.waitPage(t)
			b.unfold(t)
			var width, screen int
			var wide string
			b.run(t, chromedp.Evaluate(`document.documentElement.scrollWidth`, &width),
				chromedp.Evaluate(`document.documentElement.clientWidth`, &screen),
				chromedp.Evaluate(`(function () {
					var out = [];
					document.querySelectorAll("body *").forEach(function (el) {
						var r = el.getBoundingClientRect();
						if (r.right > document.documentElement.clientWidth + 1 && !el.closest(".uptake-table__scroll")) out.push(el.tagName + "." + el.className + " " + Math.round(r.right));
					});
					return out.slice(0, 5).join("; ");
				})()`, &wide))
			// The page may not scroll sideways: no wider than the viewport
			// less its scrollbar.
			if width > 390 || width > screen {
				t.Errorf("%s, %s: the page is %d px wide at a 390 px viewport showing %d (%s)", role, path, width, screen, wide)
			}
			b.check(t, string(role)+" "+path)
		}
	}
}

// TestBrowserChartTextStaysInside opens every page a service lead and a
// practice user can see, on a 390 px phone and at 320 px (the width WCAG's
// reflow criterion names), and requires that no chart draws text past its
// own left or right edge: a stage's count cut to "1,5" or an axis's last
// value to "1,00" misreads as another number, and a cut legend or note
// loses its meaning. A chart is a canvas, so the
// page's own width check cannot see this; the check reads where the
// renderer placed each text.
func TestBrowserChartTextStaysInside(t *testing.T) {
	rs := newRealServer(t)
	pages := rolePages(t, rs)
	for _, role := range []accounts.Role{accounts.RoleServiceLead, accounts.RolePractice} {
		d := rs.demo[role]
		b := newBrowserFor(t, 3*time.Minute)
		b.signIn(t, rs.URL, d.Username, d.Password)
		for _, width := range []int64{390, 320} {
			b.run(t, chromedp.EmulateViewport(width, 844))
			texts := 0
			paths := pages[role]
			if role == accounts.RoleServiceLead {
				// Small groups, whose funnels withhold stages and say so
				// in a note under the funnel.
				paths = append(paths, "/pathway?practice="+rs.demo[accounts.RolePractice].PracticeCode+"&from=2026Q1&to=2026Q1",
					"/non-attenders?language=Turkish&from=2026Q1&to=2026Q1")
			}
			for _, path := range paths {
				b.run(t, chromedp.Navigate(rs.URL+path))
				b.waitPage(t)
				var got struct {
					Texts   int
					Outside []string
				}
				b.run(t, chromedp.Evaluate(chartTextOutsideJS, &got))
				texts += got.Texts
				for _, o := range got.Outside {
					t.Errorf("%s, %s at %d px: %s", role, path, width, o)
				}
				b.check(t, string(role)+" "+path)
			}
			// The check can fail only if it finds the charts' text.
			if texts < 100 {
				t.Errorf("%s at %d px: only %d texts found in the charts; is the check reading them?", role, width, texts)
			}
		}
	}
}

// chartTextOutsideJS lists the text each chart on the page drew past its
// left or right edge, and counts the texts it looked at. ECharts has no
// public call for where a label landed; the chart's zrender holds every
// drawn element with its box and transform.
const chartTextOutsideJS = `(function () {
	var out = { Texts: 0, Outside: [] };
	Object.keys(window.uptakeCharts).forEach(function (id) {
		var chart = window.uptakeCharts[id];
		var w = chart.getWidth();
		chart.getZr().storage.getDisplayList(true).forEach(function (el) {
			if ((el.type !== "text" && el.type !== "tspan") || el.ignore || el.invisible) return;
			out.Texts++;
			var r = el.getBoundingRect().clone();
			if (el.transform) r.applyTransform(el.transform);
			if (r.x < -1 || r.x + r.width > w + 1) {
				out.Outside.push(id + ": \"" + String(el.style.text || "") + "\" spans " + Math.round(r.x) + " to " + Math.round(r.x + r.width) + " px of " + w);
			}
		});
	});
	return out;
})()`

// axeTags are the rule sets of WCAG 2.2 level AA.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

var axeSource struct {
	once sync.Once
	js   string
	err  string
}

// loadAxe reads the vendored axe-core, after checking it against the
// checksum that vendor-axe.sh recorded.
func loadAxe(t *testing.T) string {
	t.Helper()
	axeSource.once.Do(func() {
		dir := filepath.Join("testdata", "axe")
		f, err := os.Open(filepath.Join(dir, "VERSIONS"))
		if err != nil {
			axeSource.err = err.Error() + " (run bash dashboard/assets/vendor-axe.sh)"
			return
		}
		defer f.Close()
		want := ""
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) == 4 && fields[3] == "axe.min.js" {
				want = fields[2]
			}
		}
		js, err := os.ReadFile(filepath.Join(dir, "axe.min.js"))
		if err != nil {
			axeSource.err = err.Error()
			return
		}
		sum := sha256.Sum256(js)
		if got := hex.EncodeToString(sum[:]); got != want {
			axeSource.err = "testdata/axe/axe.min.js has sha256 " + got + ", VERSIONS says " + want
			return
		}
		axeSource.js = string(js)
	})
	if axeSource.err != "" {
		t.Fatal(axeSource.err)
	}
	return axeSource.js
}

// axeViolation is what the test reports of one rule axe-core found broken.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// axeCheck runs axe-core's WCAG 2.2 AA rules on the page the browser
// shows, with its folded tables open, and returns the violations.
func (b *browser) axeCheck(t *testing.T) []axeViolation {
	t.Helper()
	b.unfold(t)
	tags, _ := json.Marshal(axeTags)
	var raw string
	b.run(t, chromedp.Evaluate(loadAxe(t), nil),
		chromedp.Evaluate(`axe.run(document, {runOnly: {type: "tag", values: `+string(tags)+`}, resultTypes: ["violations"]}).then(function (r) {
			return JSON.stringify(r.violations.map(function (v) {
				return {id: v.id, impact: v.impact || "", help: v.help, nodes: v.nodes.slice(0, 3).map(function (n) { return n.target.join(" ") + ": " + (n.failureSummary || ""); })};
			}));
		})`, &raw, awaitPromise))
	var out []axeViolation
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		t.Fatalf("axe-core answered %q: %v", raw, err)
	}
	return out
}

// TestBrowserAxeEveryPage runs axe-core on every page for every role, at a
// laptop's width and a phone's: WCAG 2.2 AA must report no violation.
func TestBrowserAxeEveryPage(t *testing.T) {
	loadAxe(t)
	rs := newRealServer(t)
	pages := rolePages(t, rs)
	// Signed out: the sign-in page.
	b := newBrowser(t)
	b.run(t, chromedp.Navigate(rs.URL+"/signin"))
	for _, v := range b.axeCheck(t) {
		t.Errorf("signed out, /signin: %s (%s): %s; %s", v.ID, v.Impact, v.Help, strings.Join(v.Nodes, " | "))
	}
	// The check can fail: an image without a text alternative is a
	// violation axe-core must report.
	b.run(t, chromedp.Evaluate(`document.querySelector("main").appendChild(document.createElement("img")).src = "/static/vendor/nhsuk-frontend/images/favicon.ico"`, nil))
	if vs := b.axeCheck(t); !slices.ContainsFunc(vs, func(v axeViolation) bool { return v.ID == "image-alt" }) {
		t.Errorf("axe-core did not report an image without alt: %+v", vs)
	}
	for _, role := range roleOrder {
		d := rs.demo[role]
		b := newBrowserFor(t, 5*time.Minute)
		b.signIn(t, rs.URL, d.Username, d.Password)
		for _, width := range []int64{1366, 390} {
			b.run(t, chromedp.EmulateViewport(width, 900))
			for _, path := range pages[role] {
				b.run(t, chromedp.Navigate(rs.URL+path))
				b.waitPage(t)
				for _, v := range b.axeCheck(t) {
					t.Errorf("%s, %s at %d px: %s (%s): %s; %s", role, path, width, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, " | "))
				}
				b.check(t, string(role)+" "+path)
			}
		}
	}
}

// TestBrowserPrintShowsSummaryChartsAndTables prints every page as
// Chromium would (print media, beforeprint): the summary and every chart
// are shown whole within the paper's width, the tables unfolded, and the
// filter form and links hidden.
func TestBrowserPrintShowsSummaryChartsAndTables(t *testing.T) {
	rs := newRealServer(t)
	d := rs.demo[accounts.RoleServiceLead]
	b := newBrowser(t)
	b.signIn(t, rs.URL, d.Username, d.Password)
	for _, p := range append(rolePages(t, rs)[accounts.RoleServiceLead], "/practices/"+rs.demo[accounts.RolePractice].PracticeCode) {
		if p == "/account/password" {
			continue
		}
		b.run(t, emulation.SetEmulatedMedia().WithMedia(""), chromedp.Navigate(rs.URL+p))
		b.waitPage(t)
		var got struct {
			Summary, Folded, Clipped, Form int
			Charts                         int
		}
		var raw string
		b.run(t, emulation.SetEmulatedMedia().WithMedia("print"),
			chromedp.Evaluate(`window.dispatchEvent(new Event("beforeprint"))`, nil),
			chromedp.Evaluate(`(function () {
				var page = document.querySelector("main").getBoundingClientRect();
				var out = {Summary: 0, Folded: 0, Clipped: 0, Form: 0, Charts: 0};
				var s = document.getElementById("summary");
				if (s && s.getBoundingClientRect().height > 0) out.Summary = 1;
				document.querySelectorAll("details.uptake-fold").forEach(function (d) { if (!d.open) out.Folded++; });
				document.querySelectorAll("div.chart").forEach(function (el) {
					out.Charts++;
					var c = el.querySelector("canvas");
					if (!c) { out.Clipped++; return; }
					var r = c.getBoundingClientRect();
					if (r.width < 100 || r.right > page.right + 1 || r.height < 50) out.Clipped++;
				});
				document.querySelectorAll(".uptake-filters__fields, .uptake-downloads").forEach(function (el) {
					if (el.getBoundingClientRect().height > 0) out.Form++;
				});
				return JSON.stringify(out);
			})()`, &raw),
			chromedp.Evaluate(`window.dispatchEvent(new Event("afterprint"))`, nil))
		if err := json.Unmarshal([]byte(raw), &got); err != nil {
			t.Fatal(err)
		}
		hasSummary := !strings.HasPrefix(p, "/practices/")
		if (hasSummary && got.Summary == 0) || got.Folded > 0 || got.Clipped > 0 || got.Form > 0 {
			t.Errorf("%s printed: %+v; want the summary shown, no table folded, no chart clipped, no form or download links", p, got)
		}
		b.check(t, p)
	}
}
