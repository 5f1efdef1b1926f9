package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uptake-nhs/uptake/dashboard/pdf"
)

// runReport runs uptake report in-process with a printer of the test's
// choosing (nil: as if Chromium were missing).
func runReport(t *testing.T, withChromium bool, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	c := &reportCommand{stdout: &out, stderr: &errOut}
	if !withChromium {
		c.newPrinter = func() (*pdf.Printer, error) { return nil, pdf.ErrNoChromium }
	}
	err = c.parse(args)
	if err == nil {
		err = c.Run(context.Background())
	}
	if cerr := c.Close(); err == nil {
		err = cerr
	}
	return out.String(), errOut.String(), err
}

// Without Chromium, uptake report says so plainly and writes the reports
// as HTML: the pack whole (its scripts inside it), and for every practice
// an HTML list and a spreadsheet, with progress on stderr. The quarter is
// the latest loaded; the folder is created.
func TestReportWithoutChromiumWritesHTML(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "borough.duckdb")
	mustRunMain(t, append([]string{"ingest", "--db", db}, sampleQuarters(t)...)...)
	out := filepath.Join(dir, "new", "reports")
	stdout, stderr, err := runReport(t, false, "--db", db, "--out", out)
	if err != nil {
		t.Fatalf("uptake report: %v\n%s", err, stderr)
	}
	if !strings.Contains(stderr, "cannot make PDFs") || !strings.Contains(stderr, "apt-get install chromium") || !strings.Contains(stderr, "as HTML instead") {
		t.Errorf("stderr does not say plainly that PDFs need Chromium:\n%s", stderr)
	}
	quarter := filepath.Base(sampleQuarters(t)[len(sampleQuarters(t))-1])
	pack, err := os.ReadFile(filepath.Join(out, "uptake-pack-"+quarter+".html"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(pack, []byte("Quarterly report")) || bytes.Contains(pack, []byte(`src="/static/`)) || !bytes.Contains(pack, []byte("echarts")) {
		t.Error("the pack's HTML is not a standalone page with its charts' script")
	}
	if _, err := os.Stat(filepath.Join(out, "uptake-pack-"+quarter+"-practices.xlsx")); err != nil {
		t.Error(err)
	}
	lists, _ := filepath.Glob(filepath.Join(out, "practices", "*-"+quarter+".html"))
	sheets, _ := filepath.Glob(filepath.Join(out, "practices", "*-"+quarter+".xlsx"))
	if len(lists) == 0 || len(lists) != len(sheets) {
		t.Errorf("%d practice lists and %d spreadsheets", len(lists), len(sheets))
	}
	if !strings.Contains(stderr, "practice 1 of ") || !strings.Contains(stdout, "Wrote ") {
		t.Errorf("no progress or summary:\n%s\n%s", stdout, stderr)
	}

	// Mistakes are named.
	if _, _, err := runReport(t, false, "--db", db, "--out", out, "--quarter", "2019Q1"); err == nil || !strings.Contains(err.Error(), "No data are loaded for 2019Q1") {
		t.Errorf("unknown quarter: %v", err)
	}
	if _, _, err := runReport(t, false, "--db", db, "--out", out, "--practice", "Z99999"); err == nil || !strings.Contains(err.Error(), "Z99999 is not a practice") {
		t.Errorf("unknown practice: %v", err)
	}
	if _, _, err := runReport(t, false, "--db", db); err == nil {
		t.Error("no --out accepted")
	}

	// With Chromium, one practice's list as a PDF, and nothing else.
	if _, err := pdf.Find(); err != nil {
		if os.Getenv("UPTAKE_REQUIRE_BROWSER") == "1" {
			t.Fatal(err)
		}
		t.Skip("no Chromium: " + err.Error())
	}
	code := strings.TrimSuffix(filepath.Base(lists[0]), "-"+quarter+".html")
	pdfOut := filepath.Join(dir, "pdf")
	if _, stderr, err := runReport(t, true, "--db", db, "--out", pdfOut, "--practice", code, "--quarter", quarter); err != nil {
		t.Fatalf("uptake report --practice: %v\n%s", err, stderr)
	}
	b, err := os.ReadFile(filepath.Join(pdfOut, "practices", code+"-"+quarter+".pdf"))
	if err != nil || !bytes.HasPrefix(b, []byte("%PDF")) {
		t.Fatalf("no PDF list for %s: %v", code, err)
	}
	if _, err := os.Stat(filepath.Join(pdfOut, "uptake-pack-"+quarter+".pdf")); err == nil {
		t.Error("--practice wrote the pack too")
	}
	if txt, err := exec.LookPath("pdftotext"); err == nil {
		text, _ := exec.Command(txt, filepath.Join(pdfOut, "practices", code+"-"+quarter+".pdf"), "-").Output()
		if !bytes.Contains(text, []byte(code+" · "+quarter)) {
			t.Errorf("the list's footer does not name %s and %s", code, quarter)
		}
	}
}
