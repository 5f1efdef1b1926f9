package dashboard

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
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

// expectLoadError forgets the console entries Chromium writes for a page
// that answered with an error status on purpose (a refused sign-in is
// 401), and fails the test if there was none.
func (b *browser) expectLoadError(t *testing.T, status int) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	want := fmt.Sprintf("status of %d", status)
	kept := b.problems[:0]
	found := false
	for _, p := range b.problems {
		if strings.Contains(p, want) {
			found = true
			continue
		}
		kept = append(kept, p)
	}
	b.problems = kept
	if !found {
		t.Errorf("the page did not answer %d", status)
	}
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

// signIn signs the browser in: it signs in through the sign-in form over
// HTTP and hands the session cookie to the browser, which then browses as
// that user. (TestBrowserSignInAndOut goes through the form in the
// browser itself; doing that before every test only adds navigations.)
func (b *browser) signIn(t *testing.T, base, username, password string) {
	t.Helper()
	c := newClient(t, base)
	c.signIn(t, username, password)
	u := mustURL(t, base)
	b.run(t, network.SetCookie(sessionCookiePlain, c.sessionToken(t)).
		WithDomain(u.Hostname()).WithPath("/").WithHTTPOnly(true).WithSameSite(network.CookieSameSiteLax))
}

func TestBrowserEveryPageDrawsItsCharts(t *testing.T) {
	ts, _ := newTestServer(t)
	b := newBrowser(t)
	// The service lead may open every page; the practice page shows its
	// work lists only to the practice's own user, below.
	b.signIn(t, ts.URL, userServiceLead, testPassword(userServiceLead))
	paths := []string{"/practices/F83004", "/practices/F83010"}
	for _, p := range testSite.pages {
		paths = append(paths, p.Path)
	}
	for _, path := range paths {
		b.navigate(t, ts.URL+path)
		b.check(t, path)
	}
	b2 := newBrowser(t)
	b2.signIn(t, ts.URL, userPractice, testPassword(userPractice))
	b2.navigate(t, ts.URL+"/practices/F83004")
	var lists int
	b2.run(t, chromedp.Evaluate(`document.querySelectorAll("#panel-followup-worklist, #panel-coding-worklist").length`, &lists))
	if lists != 2 {
		t.Errorf("the practice's own user sees %d work lists on its page, want 2", lists)
	}
	b2.check(t, "/practices/F83004 as its practice")
}

// TestBrowserSignInAndOut signs in through the form, with the page's own
// scripts and the browser's cookie rules, follows the redirect back to the
// page first asked for, and signs out with the header's button.
func TestBrowserSignInAndOut(t *testing.T) {
	ts, _ := newTestServer(t)
	b := newBrowser(t)
	b.run(t, chromedp.Navigate(ts.URL+"/venues?from=2025Q4"),
		chromedp.WaitVisible("#username", chromedp.ByID))
	if loc := b.location(t); loc != "/signin?next=%2Fvenues%3Ffrom%3D2025Q4" {
		t.Errorf("signed out, /venues redirected to %q", loc)
	}
	b.run(t, chromedp.SendKeys("#username", userCommissioner, chromedp.ByID),
		chromedp.SendKeys("#password", "not the password", chromedp.ByID),
		chromedp.Submit("#password", chromedp.ByID),
		chromedp.WaitVisible("#signin-error", chromedp.ByID))
	var msg string
	b.run(t, chromedp.Text("#signin-error", &msg, chromedp.ByID))
	if msg != msgBadCredentials {
		t.Errorf("wrong password: %q", msg)
	}
	b.expectLoadError(t, http.StatusUnauthorized)
	b.run(t, chromedp.SetValue("#password", testPassword(userCommissioner), chromedp.ByID))
	b.mark(t)
	b.run(t, chromedp.Submit("#password", chromedp.ByID))
	b.waitNewPage(t)
	if loc := b.location(t); loc != "/venues?from=2025Q4" {
		t.Errorf("after signing in the browser is at %q, want /venues?from=2025Q4", loc)
	}
	var who string
	b.run(t, chromedp.Text(".uptake-account__who", &who, chromedp.ByQuery))
	if !strings.Contains(who, "Cara Commissioner") {
		t.Errorf("header says %q", who)
	}
	b.run(t, chromedp.Click(".uptake-account__button", chromedp.ByQuery),
		chromedp.WaitVisible("#username", chromedp.ByID))
	if loc := b.location(t); loc != "/signin?reason=signed-out" {
		t.Errorf("signing out led to %q", loc)
	}
	b.run(t, chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible("#username", chromedp.ByID))
	b.check(t, "sign in and out")
}

// TestBrowserInjectedNameStaysText loads pages that show a practice named
// </script><script>alert(1)</script> in selects, tables and chart data:
// no dialog may open, and the name must appear as text.
func TestBrowserInjectedNameStaysText(t *testing.T) {
	ts, _ := newTestServer(t)
	b := newBrowser(t)
	b.signIn(t, ts.URL, userCommissioner, testPassword(userCommissioner))
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
