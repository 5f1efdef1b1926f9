package dashboard

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// browserRequired is true where a missing browser must fail the tests
// rather than skip them: in CI, or when a developer asks for it.
func browserRequired() bool {
	return os.Getenv("CI") == "true" || os.Getenv("UPTAKE_REQUIRE_BROWSER") == "1"
}

// findChromium returns the Chromium binary: Debian's package installs it
// as "chromium" on PATH.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	msg := "browser tests need Chromium (Debian: apt-get install chromium); none found on PATH"
	if browserRequired() {
		t.Fatal(msg)
	}
	t.Skip(msg + "; skipping (set UPTAKE_REQUIRE_BROWSER=1 to make this a failure)")
	return ""
}

// browser is one headless Chromium tab with everything the page reported
// that a reader would call broken: console errors, uncaught exceptions,
// failed loads and CSP violations, and any alert() (which would mean
// injected script ran).
type browser struct {
	ctx context.Context

	mu       sync.Mutex
	problems []string
	dialogs  []string
}

// newBrowser starts Chromium with a fresh profile for the test, for at
// most 90 seconds.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	return newBrowserFor(t, 90*time.Second)
}

// newBrowserFor is newBrowser with another time limit.
func newBrowserFor(t *testing.T, limit time.Duration) *browser {
	t.Helper()
	exe := findChromium(t)
	// Not t.TempDir: Chromium may still be writing its profile for a
	// moment after it is told to stop, which fails TempDir's cleanup.
	profile, err := os.MkdirTemp("", "uptake-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1366, 900),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, limit)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
		for range 50 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Logf("could not remove Chromium's profile %s", profile)
	})
	b := &browser{ctx: ctx}
	chromedp.ListenTarget(ctx, func(ev any) {
		b.mu.Lock()
		defer b.mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.APITypeError || ev.Type == runtime.APITypeAssert {
				var args []string
				for _, a := range ev.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				b.problems = append(b.problems, "console."+string(ev.Type)+": "+strings.Join(args, " "))
			}
		case *runtime.EventExceptionThrown:
			b.problems = append(b.problems, "exception: "+ev.ExceptionDetails.Error())
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.LevelError {
				b.problems = append(b.problems, "log: "+ev.Entry.Text+" "+ev.Entry.URL)
			}
		case *page.EventJavascriptDialogOpening:
			b.dialogs = append(b.dialogs, ev.Message)
			go chromedp.Run(b.ctx, page.HandleJavaScriptDialog(false)) //nolint:errcheck
		}
	})
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	return b
}

// check fails the test for every problem the page reported since the last
// check.
func (b *browser) check(t *testing.T, where string) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.problems {
		t.Errorf("%s: %s", where, p)
	}
	for _, d := range b.dialogs {
		t.Errorf("%s: a dialog opened (injected script ran?): %q", where, d)
	}
	b.problems, b.dialogs = nil, nil
}

// run runs actions in the tab.
func (b *browser) run(t *testing.T, actions ...chromedp.Action) {
	t.Helper()
	if err := chromedp.Run(b.ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

// chartsDrawn waits until uptake.js reports that all charts are done, and
// returns how many drew and how many div.chart elements the page has.
func (b *browser) chartsDrawn(t *testing.T) (drawn, total int) {
	t.Helper()
	var failed string
	var ds string
	b.run(t,
		chromedp.Poll(`document.body && document.body.dataset.chartsDrawn !== undefined`, nil, chromedp.WithPollingInterval(50*time.Millisecond)),
		chromedp.Evaluate(`document.body.dataset.chartsDrawn`, &ds),
		chromedp.Evaluate(`document.body.dataset.chartsFailed`, &failed),
		chromedp.Evaluate(`document.querySelectorAll("div.chart").length`, &total),
	)
	if failed != "0" {
		t.Errorf("%s charts failed to draw", failed)
	}
	fmt.Sscan(ds, &drawn)
	return drawn, total
}

// navigate loads url and waits for the charts.
func (b *browser) navigate(t *testing.T, url string) {
	t.Helper()
	b.run(t, chromedp.Navigate(url))
	drawn, total := b.chartsDrawn(t)
	if drawn != total {
		t.Errorf("%s: %d of %d charts drawn", url, drawn, total)
	}
}

func TestBrowserEveryPageDrawsItsCharts(t *testing.T) {
	ts, _ := newTestServer(t)
	b := newBrowser(t)
	paths := []string{"/practices/F83004", "/practices/F83010"}
	for _, p := range pageList {
		paths = append(paths, p.Path)
	}
	for _, path := range paths {
		b.navigate(t, ts.URL+path)
		b.check(t, path)
	}
}

// TestBrowserInjectedNameStaysText loads pages that show a practice named
// </script><script>alert(1)</script> in selects, tables and chart data:
// no dialog may open, and the name must appear as text.
func TestBrowserInjectedNameStaysText(t *testing.T) {
	ts, _ := newTestServer(t)
	b := newBrowser(t)
	for _, path := range []string{"/non-attenders", "/practices/F83010"} {
		b.navigate(t, ts.URL+path)
		var found bool
		b.run(t, chromedp.Evaluate(`document.body.textContent.includes("</script><script>alert(1)</script>")`, &found))
		if !found {
			t.Errorf("%s: the practice name is not shown as text", path)
		}
		b.check(t, path)
	}
}
