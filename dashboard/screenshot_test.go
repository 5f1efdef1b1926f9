package dashboard

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/uptake-nhs/uptake/accounts"
	"github.com/uptake-nhs/uptake/queries"
)

// TestScreenshots saves a full-page PNG of every page, and logs how long
// each took from the start of navigation until all its charts were drawn.
// It runs only when UPTAKE_SCREENSHOTS names a directory:
//
//	UPTAKE_SCREENSHOTS=/tmp/shots go test ./dashboard -run TestScreenshots -v
//
// It serves the sample data (or the fake store when they are absent)
// unless UPTAKE_SCREENSHOT_URL gives a running server to photograph, such
// as one over an England-scale database:
//
//	UPTAKE_SCREENSHOT_URL=http://localhost:8080 UPTAKE_SCREENSHOTS=/tmp/shots go test ./dashboard -run TestScreenshots -v
//
// The browser signs in first: as the demo service lead (who may open every
// page) on a server the test starts, or with UPTAKE_SCREENSHOT_USER and
// UPTAKE_SCREENSHOT_PASSWORD on a running server (default: the sample
// database's demo service lead).
//
// UPTAKE_SCREENSHOT_WIDTHS lists the viewport widths to photograph each
// page at (default 1366; e.g. "1366,390" for a laptop and a phone); files
// are named NN-PAGE-WIDTH.png.
//
// The timings, and each page's height and width in CSS pixels, are also
// written to timings.tsv in the directory. They are measurements for
// release notes, never assertions.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("UPTAKE_SCREENSHOTS")
	if dir == "" {
		t.Skip("set UPTAKE_SCREENSHOTS=DIR to save screenshots of every page (and UPTAKE_SCREENSHOT_URL to photograph a running server)")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	base := strings.TrimSuffix(os.Getenv("UPTAKE_SCREENSHOT_URL"), "/")
	user, password := os.Getenv("UPTAKE_SCREENSHOT_USER"), os.Getenv("UPTAKE_SCREENSHOT_PASSWORD")
	if user == "" {
		user, password = "demo-service-lead", "demo-service-lead"
	}
	if base == "" {
		if _, err := os.Stat(filepath.Join(sampleDir, "manifest.json")); err == nil {
			rs := newRealServer(t)
			base = rs.URL
			d := rs.demo[accounts.RoleServiceLead]
			user, password = d.Username, d.Password
		} else {
			ts, _ := newTestServer(t)
			base = ts.URL
			user, password = userServiceLead, testPassword(userServiceLead)
		}
	}
	b := newBrowserFor(t, 20*time.Minute)
	b.signIn(t, base, user, password)

	type shot struct{ name, path string }
	var shots []shot
	for _, p := range testSite.pages {
		shots = append(shots, shot{p.Name, p.Path})
	}
	if code := b.screenshotPractice(t, base); code != "" {
		shots = append(shots, shot{"practice", "/practices/" + code})
	}

	widths := []int{1366}
	if w := os.Getenv("UPTAKE_SCREENSHOT_WIDTHS"); w != "" {
		widths = nil
		for _, f := range strings.Split(w, ",") {
			var n int
			if _, err := fmt.Sscan(strings.TrimSpace(f), &n); err != nil || n < 200 {
				t.Fatalf("UPTAKE_SCREENSHOT_WIDTHS: %q is not a width", f)
			}
			widths = append(widths, n)
		}
	}

	var tsv strings.Builder
	tsv.WriteString("page\tpath\tviewport_width\tnavigation_to_charts_drawn_ms\tin_page_ms\tcharts\tpage_height_px\tpage_width_px\n")
	for _, width := range widths {
		b.run(t, chromedp.EmulateViewport(int64(width), 900))
		for i, s := range shots {
			start := time.Now()
			b.run(t, chromedp.Navigate(base+s.path))
			drawn := b.waitChartsDrawn(t, 10*time.Minute)
			wall := time.Since(start)
			var inPage string
			var height, scrollWidth int
			b.run(t, chromedp.Evaluate(`document.body.dataset.chartsDrawnMs || ""`, &inPage),
				chromedp.Evaluate(`document.documentElement.scrollHeight`, &height),
				chromedp.Evaluate(`document.documentElement.scrollWidth`, &scrollWidth))
			var png []byte
			b.run(t, chromedp.FullScreenshot(&png, 100))
			file := filepath.Join(dir, fmt.Sprintf("%02d-%s-%d.png", i+1, s.name, width))
			if err := os.WriteFile(file, png, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("%-13s %-22s at %d px: all %d charts drawn %6d ms after navigation (in page: %s ms); %d px high, %d wide; saved %s",
				s.name, s.path, width, drawn, wall.Milliseconds(), inPage, height, scrollWidth, file)
			fmt.Fprintf(&tsv, "%s\t%s\t%d\t%d\t%s\t%d\t%d\t%d\n", s.name, s.path, width, wall.Milliseconds(), inPage, drawn, height, scrollWidth)
			b.check(t, s.path)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "timings.tsv"), []byte(tsv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// screenshotPractice is a practice code to photograph the practice page
// with, or "" when there is none. The signed-in browser asks the API.
func (b *browser) screenshotPractice(t *testing.T, base string) string {
	t.Helper()
	var raw string
	b.run(t, chromedp.Navigate(base+"/account/password"), chromedp.Evaluate(`fetch("/api/filters").then(function (r) { return r.text(); })`, &raw, awaitPromise))
	var opts queries.FilterOptions
	if err := json.Unmarshal([]byte(raw), &opts); err != nil || len(opts.Practices) == 0 {
		t.Logf("no practice page: %v", err)
		return ""
	}
	return opts.Practices[0].Code
}

// waitChartsDrawn waits, in a bounded loop, until uptake.js reports that
// every chart is done, and returns how many drew.
func (b *browser) waitChartsDrawn(t *testing.T, limit time.Duration) int {
	t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		var drawn string
		err := chromedp.Run(b.ctx, chromedp.Evaluate(`document.body && document.body.dataset.chartsDrawn || ""`, &drawn))
		if err == nil && drawn != "" {
			var n int
			fmt.Sscan(drawn, &n)
			return n
		}
		if b.ctx.Err() != nil {
			t.Fatal(b.ctx.Err())
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("charts not drawn within %v", limit)
	return 0
}
