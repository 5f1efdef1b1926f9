package dashboard

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/uptake-nhs/uptake/accounts"
)

// fetchPrinter stands in for Chromium where a test needs no real PDF: it
// loads the print page as Chromium would, from the server's print
// listener, and returns it behind a PDF header with the footer, so the
// page must build for the download to succeed.
type fetchPrinter struct{}

func (fetchPrinter) Print(ctx context.Context, url, footer string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("print page %s: %d %s", url, res.StatusCode, b)
	}
	return append([]byte("%PDF-fake "+footer+"\n"), b...), nil
}

// pdfText is the text of a PDF by pdftotext (poppler-utils), keeping the
// layout so that a table's row stays on one line.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	exe, err := exec.LookPath("pdftotext")
	if err != nil {
		msg := "the report tests read PDFs with pdftotext (Debian: apt-get install poppler-utils); none found on PATH"
		if browserRequired() {
			t.Fatal(msg)
		}
		t.Skip(msg + "; skipping (set UPTAKE_REQUIRE_BROWSER=1 to make this a failure)")
	}
	path := t.TempDir() + "/report.pdf"
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(t.Context(), exe, "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// A practice user fetching another practice's list is refused, and the
// refusal is audited; their own list downloads, audited with its quarter.
func TestPracticeListDownloadOnlyForItsPracticeAndAudited(t *testing.T) {
	ts, _ := newTestServerWith(t, Options{PDF: fetchPrinter{}})
	own := ts.as(t, userPractice) // F83004
	res, body := own.get(t, ts.URL+"/reports/practice/F83010.pdf")
	if res.StatusCode != http.StatusForbidden || strings.Contains(body, "P-F83010") {
		t.Fatalf("another practice's list: %d\n%.300s", res.StatusCode, body)
	}
	res, body = own.get(t, ts.URL+"/reports/practice/F83004.pdf?quarter=2026Q2")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(body, "%PDF") {
		t.Fatalf("own list: %d\n%.300s", res.StatusCode, body)
	}
	if !strings.Contains(body, "P-F83004-8") || strings.Contains(body, "P-F83010") || !strings.Contains(body, "9OLF") {
		t.Errorf("own list does not hold its own notified outcome and code, or holds another's:\n%.2000s", body)
	}
	if cd := res.Header.Get("Content-Disposition"); !strings.Contains(cd, "F83004-2026Q2.pdf") {
		t.Errorf("Content-Disposition %q", cd)
	}
	res, _ = own.get(t, ts.URL+"/reports/practice/F83004.xlsx")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != xlsxType {
		t.Errorf("own list as Excel: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	var denied, downloaded bool
	for _, e := range ts.accounts.eventsOf(actionAccessDenied) {
		denied = denied || (e.Username == userPractice && strings.Contains(e.Detail, "F83010"))
	}
	for _, e := range ts.accounts.eventsOf(accounts.ActionDownload) {
		downloaded = downloaded || (e.Username == userPractice && strings.Contains(e.Detail, "report practice F83004 2026Q2.pdf"))
	}
	if !denied || !downloaded {
		t.Errorf("audit log: refusal recorded %v, download recorded %v", denied, downloaded)
	}
	// A commissioner gets the pack, and no practice's list.
	com := ts.as(t, userCommissioner)
	if res, _ := com.get(t, ts.URL+"/reports/practice/F83004.xlsx"); res.StatusCode != http.StatusForbidden {
		t.Errorf("commissioner fetching a practice's list: %d, want 403", res.StatusCode)
	}
	res, body = com.get(t, ts.URL+"/reports/pack.pdf")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "Quarterly report") || strings.Contains(body, "P-F83") {
		t.Errorf("pack: %d\n%.300s", res.StatusCode, body)
	}
	// The Overview links the pack; the practice page its own list.
	if _, page := com.get(t, ts.URL+"/"); !strings.Contains(page, `href="/reports/pack.pdf?quarter=`) {
		t.Error("the Overview does not link the pack for a commissioner")
	}
	if _, page := own.get(t, ts.URL+"/practices/F83004"); !strings.Contains(page, `href="/reports/practice/F83004.pdf?quarter=`) {
		t.Error("the practice page does not link its list for its own staff")
	}
	if _, page := own.get(t, ts.URL+"/practices/F83010"); strings.Contains(page, "/reports/practice/") {
		t.Error("another practice's page links its list")
	}
}
