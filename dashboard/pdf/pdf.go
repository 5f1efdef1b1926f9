// Package pdf prints web pages to PDF with headless Chromium, through the
// DevTools protocol (chromedp): the quarterly pack and the practices'
// lists are HTML pages of the dashboard, printed on A4 with Chromium's own
// page footer ("Page N of M").
//
// One Printer runs one Chromium for as many files as a run makes, each
// printed in a tab of its own. Chromium is found on PATH; where it is
// missing, New returns ErrNoChromium and callers say so (uptake report
// writes the HTML instead).
package pdf

import (
	"context"
	"errors"
	"fmt"
	"html"
	"os"
	"os/exec"
	"sync"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// ErrNoChromium means no Chromium was found on PATH.
var ErrNoChromium = errors.New("no Chromium found on PATH (chromium, chromium-browser or google-chrome): on Debian or Ubuntu, apt-get install chromium")

// Names are the executables New looks for on PATH, in order.
var Names = []string{"chromium", "chromium-browser", "google-chrome"}

// Find returns the path of the first Chromium on PATH, or ErrNoChromium.
func Find() (string, error) {
	for _, name := range Names {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNoChromium
}

// Printer prints pages with one headless Chromium. It is safe for
// concurrent use; Close stops Chromium and removes its profile.
type Printer struct {
	browser     context.Context
	cancelAlloc context.CancelFunc
	cancel      context.CancelFunc
	profile     string
	mu          sync.Mutex
}

// viewportWidth is the width in CSS pixels that pages are laid out and
// charts drawn at: A4's 210 mm less 2 × 12 mm margins, at 96 pixels to the
// inch, so a chart drawn on screen fills the printed width exactly and
// nothing is scaled or cut.
const viewportWidth = 703

// New starts Chromium with a fresh profile, without network services,
// sync or first-run pages, and without a sandbox (it runs as whatever
// user runs uptake, often in a container where the sandbox cannot start).
func New() (*Printer, error) {
	exe, err := Find()
	if err != nil {
		return nil, err
	}
	profile, err := os.MkdirTemp("", "uptake-pdf-profile-")
	if err != nil {
		return nil, err
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
		chromedp.WindowSize(viewportWidth, 1000),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	browser, cancel := chromedp.NewContext(allocCtx)
	if err := chromedp.Run(browser); err != nil {
		cancel()
		cancelAlloc()
		os.RemoveAll(profile)
		return nil, fmt.Errorf("starting Chromium (%s): %w", exe, err)
	}
	return &Printer{browser: browser, cancel: cancel, cancelAlloc: cancelAlloc, profile: profile}, nil
}

// Close stops Chromium and removes its profile.
func (p *Printer) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cancel == nil {
		return nil
	}
	// Cancel closes Chromium and waits for it, so that it has stopped
	// writing to its profile before the profile is removed; a process
	// still exiting may hold on a moment longer, hence the retries.
	err := chromedp.Cancel(p.browser)
	p.cancel()
	p.cancelAlloc()
	p.cancel = nil
	for range 20 {
		if err = os.RemoveAll(p.profile); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	return err
}

// chartsTimeout bounds the wait for a page's charts: uptake.js sets
// document.body.dataset.chartsDrawn once every chart has fired ECharts'
// "finished" event (or failed, after 3 s).
const chartsTimeout = 60 * time.Second

// Print loads url in a new tab, waits until every chart on it is drawn,
// and prints it to an A4 PDF whose footer says footer (plain text) and
// "Page N of M". The page sets its own margins and orientation (@page in
// print.css); Chromium's footer sits in the bottom margin.
func (p *Printer) Print(ctx context.Context, url, footer string) ([]byte, error) {
	p.mu.Lock()
	if p.cancel == nil {
		p.mu.Unlock()
		return nil, errors.New("pdf: printer is closed")
	}
	tab, cancel := chromedp.NewContext(p.browser)
	p.mu.Unlock()
	defer cancel()
	// The tab stops with ctx, or after chartsTimeout plus the printing.
	stop := context.AfterFunc(ctx, cancel)
	defer stop()
	tab, cancelTimeout := context.WithTimeout(tab, chartsTimeout+2*time.Minute)
	defer cancelTimeout()

	var drawn, failed string
	var buf []byte
	err := chromedp.Run(tab,
		// Device scale 2 draws the chart canvases at print resolution.
		emulation.SetDeviceMetricsOverride(viewportWidth, 1000, 2, false),
		chromedp.Navigate(url),
		chromedp.Poll(`document.body && document.body.dataset.chartsDrawn !== undefined`, nil,
			chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(chartsTimeout)),
		chromedp.Evaluate(`document.body.dataset.chartsDrawn`, &drawn),
		chromedp.Evaluate(`document.body.dataset.chartsFailed || "0"`, &failed),
		chromedp.ActionFunc(func(ctx context.Context) error {
			var err error
			buf, _, err = page.PrintToPDF().
				WithPrintBackground(true).
				WithPreferCSSPageSize(true).
				WithDisplayHeaderFooter(true).
				WithHeaderTemplate(`<span></span>`).
				WithFooterTemplate(FooterTemplate(footer)).
				Do(ctx)
			return err
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("printing %s: %w", url, err)
	}
	if failed != "0" {
		return nil, fmt.Errorf("printing %s: %s charts could not be drawn", url, failed)
	}
	return buf, nil
}

// FooterTemplate is Chromium's footer template for a page: text on the
// left and "Page N of M" on the right. Chromium fills the pageNumber and
// totalPages spans; the template has no access to the page's styles, so
// it carries its own (and a font size, or Chromium draws it at 0).
func FooterTemplate(text string) string {
	return `<div style="font-family: Arial, sans-serif; font-size: 8pt; color: #4c6272; width: 100%; margin: 0 12mm; display: flex; justify-content: space-between;">` +
		`<span>` + html.EscapeString(text) + `</span>` +
		`<span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>`
}

// Lazy is a printer for a server: it starts Chromium on the first Print,
// not before, so a server whose users never download a PDF never runs one.
// Make it with NewLazy; Close stops Chromium if it was started.
type Lazy struct {
	mu sync.Mutex
	p  *Printer
}

// NewLazy returns a Lazy printer, or ErrNoChromium when there is no
// Chromium on PATH to start later.
func NewLazy() (*Lazy, error) {
	if _, err := Find(); err != nil {
		return nil, err
	}
	return &Lazy{}, nil
}

// Print starts Chromium if it is not running, then prints as
// Printer.Print does.
func (l *Lazy) Print(ctx context.Context, url, footer string) ([]byte, error) {
	l.mu.Lock()
	if l.p == nil {
		p, err := New()
		if err != nil {
			l.mu.Unlock()
			return nil, err
		}
		l.p = p
	}
	p := l.p
	l.mu.Unlock()
	return p.Print(ctx, url, footer)
}

// Close stops Chromium if it was started.
func (l *Lazy) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.p == nil {
		return nil
	}
	err := l.p.Close()
	l.p = nil
	return err
}
