package dashboard

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/uptake-nhs/uptake"
	"github.com/uptake-nhs/uptake/accounts"
	"github.com/uptake-nhs/uptake/dashboard/pdf"
	"github.com/uptake-nhs/uptake/queries"
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

// newReportPrinter starts Chromium for the report tests, or skips them
// without it (unless UPTAKE_REQUIRE_BROWSER=1).
func newReportPrinter(t *testing.T) *pdf.Printer {
	t.Helper()
	findChromium(t)
	p, err := pdf.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

var (
	pseudonymRE = regexp.MustCompile(`PX-[0-9A-F]{8}`)
	// smallCountRE finds a count of 1 to 7 people written in words.
	smallCountRE = regexp.MustCompile(`(?:^|[^0-9.,*])([1-7]) (?:people|person|referrals?|non-attenders?|outcomes?|patients?|starters?|carers?)\b`)
)

// The pack, printed by Chromium from the sample data: its title, quarter
// and page footers, the headline figures exactly as the JSON API gives
// them to a commissioner, and nothing a practice's list would hold: no
// pseudonym, and no count of 1 to 7 people.
func TestPackPDF(t *testing.T) {
	printer := newReportPrinter(t)
	rs := newRealServerWith(t, Options{PDF: printer})
	ctx := t.Context()
	q, err := rs.srv.ReportQuarter(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	b, err := rs.srv.PackPDF(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, b)
	for _, want := range []string{"Quarterly report", q, "Page 1 of", "Contents", "Pathway and conversion", "Non-attenders and follow-up",
		"Coding of outcomes", "Venues and times, and the capacity advice", "Practices", "Equity", "Definitions", "quarterly report " + q} {
		if !strings.Contains(text, want) {
			t.Errorf("the pack does not say %q", want)
		}
	}
	pages := strings.Count(text, "\f")
	if pages < 8 || pages > 20 || !strings.Contains(text, fmt.Sprintf("Page %d of %d", pages, pages)) {
		t.Errorf("the pack has %d pages, or its last footer does not say so", pages)
	}

	// The headline tiles print the API's figures, in one row.
	_, body := rs.as(t, accounts.RoleCommissioner).get(t, rs.URL+"/api/headline?to="+q)
	var h queries.Headline
	if err := json.Unmarshal([]byte(body), &h); err != nil || h.Referrals.Count == nil {
		t.Fatalf("headline: %v\n%.300s", err, body)
	}
	var values []string
	values = append(values, regexp.QuoteMeta(CountCell(*h.Referrals.Count).Display()))
	for _, tile := range []queries.HeadlineTile{h.Conversion, h.Completion, h.FollowUp, h.Coding} {
		values = append(values, regexp.QuoteMeta(Percent(tile.Rate.Percent).Display()+"%"))
	}
	tiles := regexp.MustCompile(`(?m)^\s*` + strings.Join(values, `\s+`) + `\s*$`)
	if !tiles.MatchString(text) {
		t.Errorf("no line of the pack reads the headline figures %q", values)
	}

	// Paper cannot be clicked: no sentence about the screen's controls.
	for _, screen := range []string{"slider", "Select a", "Click", "hover"} {
		if strings.Contains(text, screen) {
			t.Errorf("the pack speaks of the screen: %q", screen)
		}
	}
	if m := pseudonymRE.FindString(text); m != "" {
		t.Errorf("the pack names a patient: %s", m)
	}
	// The rule itself speaks of "1 to 7 people".
	for _, m := range smallCountRE.FindAllStringSubmatch(strings.ReplaceAll(text, "1 to 7 people", "the rule"), -1) {
		t.Errorf("the pack states a count of 1 to 7 people: %q", m[0])
	}
}

// Each practice's files hold exactly its own notified outcomes for the
// quarter, with the configured codes to enter, and no pseudonym but its
// own patients': checked in the spreadsheet's cells and the PDF's text,
// for two practices, each against the other.
func TestPracticeFilesHoldOnlyTheirOwnPeople(t *testing.T) {
	printer := newReportPrinter(t)
	rs := newRealServerWith(t, Options{PDF: printer})
	store := realStore(t)
	ctx := t.Context()
	q, err := rs.srv.ReportQuarter(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	codes, err := rs.srv.ReportPractices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	type practice struct {
		code     string
		outcomes []queries.NotifiedOutcome
		own      map[string]bool // every pseudonym its files may name
	}
	var chosen []practice
	for _, code := range codes {
		os, err := store.NotifiedOutcomes(ctx, code, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(os) < 2 {
			continue
		}
		p := practice{code: code, outcomes: os, own: map[string]bool{}}
		for _, o := range os {
			p.own[o.PatientID] = true
		}
		tasks, err := store.FollowUpWorkList(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range tasks {
			p.own[k.PatientID] = true
		}
		if chosen = append(chosen, p); len(chosen) == 2 {
			break
		}
	}
	if len(chosen) < 2 {
		t.Fatalf("the sample data have fewer than two practices with two outcomes notified in %s", q)
	}
	enter := store.Config().CodesToEnter
	for i, p := range chosen {
		other := chosen[1-i]
		b, err := rs.srv.PracticeXLSX(ctx, p.code, q)
		if err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		sheets := f.GetSheetList()
		rows, err := f.GetRows(sheets[0])
		if err != nil {
			t.Fatal(err)
		}
		// The first sheet: a header, then one row per notified outcome,
		// in the store's order, with the codes of the configuration.
		if len(rows) != len(p.outcomes)+1 {
			t.Errorf("%s: %d rows of outcomes, want %d", p.code, len(rows)-1, len(p.outcomes))
		}
		for j, o := range p.outcomes {
			if j+1 >= len(rows) {
				break
			}
			r := rows[j+1]
			want := []string{o.PatientID, o.ReferralID, o.ReferralDate, o.Outcome, o.OutcomeDate, o.NotifiedDate, enter[o.Outcome].ReadV2, enter[o.Outcome].SNOMEDCT}
			if len(r) < 9 || !slices.Equal(r[:8], want) || strings.HasPrefix(r[8], "Yes") != o.Coded {
				t.Errorf("%s row %d = %q, want %q (coded %v)", p.code, j+1, r, want, o.Coded)
			}
			if enter[o.Outcome].ReadV2 == "" {
				t.Errorf("%s: no code to enter for %q", p.code, o.Outcome)
			}
		}
		for _, sh := range sheets {
			all, _ := f.GetRows(sh)
			for _, r := range all {
				for _, cell := range r {
					for _, id := range pseudonymRE.FindAllString(cell, -1) {
						if !p.own[id] {
							t.Errorf("%s spreadsheet, sheet %s, names %s, not one of its own patients (other practice's: %v)", p.code, sh, id, other.own[id])
						}
					}
				}
			}
		}
		f.Close()

		b, err = rs.srv.PracticePDF(ctx, p.code, q)
		if err != nil {
			t.Fatal(err)
		}
		text := pdfText(t, b)
		for _, o := range p.outcomes {
			line := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(o.PatientID) + `\s+` + regexp.QuoteMeta(o.ReferralID) + `\b.*\b` +
				regexp.QuoteMeta(enter[o.Outcome].ReadV2) + `\s+` + regexp.QuoteMeta(enter[o.Outcome].SNOMEDCT) + `\b`)
			if !line.MatchString(text) {
				t.Errorf("%s PDF has no line for %s with codes %v", p.code, o.PatientID, enter[o.Outcome])
			}
		}
		for _, id := range pseudonymRE.FindAllString(text, -1) {
			if !p.own[id] {
				t.Errorf("%s PDF names %s, not one of its own patients (other practice's: %v)", p.code, id, other.own[id])
			}
		}
		if !strings.Contains(text, p.code+" · "+q) || !strings.Contains(text, "Page 1 of") {
			t.Errorf("%s PDF footer lacks the practice, quarter or page number", p.code)
		}
	}
}

// The pack's practices table, worked by hand: of six practices, two above
// the borough (72% and 80%), two below (20% and 35%) and two inside the
// limits; with room for three rows it prints the highest above, 80%,
// then 72%, and the lowest below, 20%, and says how many there were.
func TestPackPracticesTableGivesTheExtremes(t *testing.T) {
	tab := Table{Columns: cols(text("Practice"), num("Conversion (%)"), num("95% CI low (%)"), num("95% CI high (%)"), text("Compared with the borough"))}
	for _, p := range []struct {
		name  string
		rate  float64
		label string
	}{{"A", 72, "High (0.025)"}, {"B", 50, "Not significant"}, {"C", 20, "Low (0.001)"}, {"D", 80, "High (0.001)"}, {"E", 35, "Low (0.025)"}, {"F", 55, "Not significant"}} {
		tab.Rows = append(tab.Rows, row(RowHeader(p.name), Float(p.rate, 1), Float(p.rate-5, 1), Float(p.rate+5, 1), Text(p.label)))
	}
	got, ok := extremes(tab, 3, "x.xlsx")
	if !ok {
		t.Fatal("not recognised as a benchmark table")
	}
	var names []string
	for _, r := range got.Rows {
		names = append(names, r[0].Display())
	}
	if !slices.Equal(names, []string{"D", "A", "C"}) {
		t.Errorf("rows %v, want D, A, C", names)
	}
	if want := "Showing the 2 practices highest above the borough and the 1 lowest below it, of 4 beyond the 95% limits (2 above, 2 below) and 6 practices in all."; !strings.HasPrefix(got.Shown, want) {
		t.Errorf("Shown = %q", got.Shown)
	}
	if _, ok := extremes(tab, 6, ""); ok {
		t.Error("a table short enough to print whole was cut")
	}
	if _, ok := extremes(Table{Columns: cols(text("Slot")), Rows: tab.Rows}, 3, ""); ok {
		t.Error("a table that is not a benchmark was taken for one")
	}
}

// The definitions appendix is read from docs/indicators.md: a heading
// without its method name, and its first paragraphs as plain text, never
// the SQL file's line; the practices' own lists are left out.
func TestDefinitionsFromTheIndicatorsDoc(t *testing.T) {
	doc := "# Indicators\n\n## Shared definitions\n\nSkipped.\n\n## Coding work list — `Store.CodingWorkList`\n\nA practice's own list: not in the pack.\n\n" +
		"## Coding completeness — `Store.CodingCompleteness`\n\nSQL: `queries/sql/CodingCompleteness.sql`\n(and more).\n\n" +
		"The practice's **notified outcomes** with\nno matching code ([more](x.md)).\n\n* First point.\n* Second point.\n* Third point.\n\n## Empty\n\n| a | b |\n"
	got := definitions(doc)
	want := []definition{{Title: "Coding completeness", Text: []string{"The practice's notified outcomes with no matching code (more).", "First point.", "Second point."}}}
	if len(got) != 1 || got[0].Title != want[0].Title || !slices.Equal(got[0].Text, want[0].Text) {
		t.Errorf("definitions = %+v\nwant %+v", got, want)
	}
	if real := definitions(uptake.IndicatorsDoc); len(real) < 10 {
		t.Errorf("only %d definitions from docs/indicators.md", len(real))
	}
}
