package dashboard

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"maps"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/uptake-nhs/uptake"
	"github.com/uptake-nhs/uptake/queries"
)

// What leaves uptake each quarter: the commissioner's pack and each
// practice's list (docs/pages.md, "The quarterly pack"). Both are print
// pages of this server, laid out for A4 by static/print.css from the
// same views, summaries and tables as the screen, so the pack never
// disagrees with the dashboard. PDFs are those pages printed by headless
// Chromium (package dashboard/pdf) through a PDFPrinter; without one the
// pages are still available as standalone HTML.
//
// Chromium loads the pages from a listener of this server's own on
// 127.0.0.1, started on first use, that answers only the print pages and
// the static assets, and only under a random token: the print pages take
// their audience from the route (the public for the pack, the practice
// itself for its list), not from a session, so nothing else may reach
// them.

// PDFPrinter prints a page to A4 PDF once its charts are drawn, with
// footer and "Page N of M" in every page's footer (*pdf.Printer).
type PDFPrinter interface {
	Print(ctx context.Context, url, footer string) ([]byte, error)
}

// errNoPDF is a PDF asked of a server without a PDFPrinter. The pages
// offer no PDF links then (CanPrintPDF), so only a typed address meets
// it: an internal error, logged.
var errNoPDF = errors.New("no PDF printer: Chromium is not installed on this server")

// packRows is how many rows a table of the pack shows; the rest are in the
// dashboard and, for practices, in the pack's spreadsheet.
const packRows = 15

// printDoc is what a print template receives.
type printDoc struct {
	Service  string
	Title    string
	Quarter  string
	AsOf     string
	Produced string
	Rule     string
	// Inline holds the style sheet and scripts in the page, for HTML
	// written to a file; nil links them from /static/ (the print
	// listener).
	Inline *inlineAssets
	Cover  []coverLine
	Tiles  []tile
	// Sections are the pack's sections; Definitions its appendix.
	Sections    []printSection
	Definitions []definition
	Practice    *practiceDoc
}

type coverLine struct{ Label, Value string }

// inlineAssets are the style sheet and scripts of a standalone page.
type inlineAssets struct {
	CSS     template.CSS
	Scripts []template.JS
}

// printSection is one section of the pack: its summary sentences, key
// charts and compact tables.
type printSection struct {
	ID, Title, Lead string
	Summary         []string
	Panels          []panel
	// XLSX names the spreadsheet beside the PDF that holds the section's
	// full tables, when there is one.
	XLSX string
}

// definition is one entry of the pack's appendix.
type definition struct {
	Title string
	Text  []string
}

// practiceDoc is the body of a practice's file.
type practiceDoc struct {
	Code, Name, PCN string
	Figures         Table
	Outcomes        Table
	FollowUp        Table
}

// packSection says what one section of the pack prints: the summary of
// page (only the sentences about panels, when set), the charts of charts
// and the tables of tables.
type packSection struct {
	id, title, page string
	panels          []string // summary sentences about these panels only ("" page: all)
	charts, tables  []string
	xlsx            bool
}

// packSections are the pack's sections, in order.
var packSections = []packSection{
	{id: "pathway", title: "Pathway and conversion", page: "pathway",
		charts: []string{"funnel", "conversion-cohorts"}, tables: []string{"conversion-cohorts"}},
	{id: "nonattenders", title: "Non-attenders and follow-up", page: "nonattenders",
		charts: []string{"followup-quarters"}, tables: []string{"followup-summary", "followup-reengagement"}},
	{id: "coding", title: "Coding of outcomes in practice records", page: "practices",
		panels: []string{"coding-practices", "coding-categories", "coding-quarters"},
		charts: []string{"coding-quarters"}, tables: []string{"coding-categories"}},
	{id: "venues", title: "Venues and times, and the capacity advice", page: "venues",
		charts: []string{"capacity", "demand-heatmap"}, tables: []string{"fill-slots"}},
	{id: "practices", title: "Practices", page: "practices",
		panels: []string{"benchmark-conversion", "benchmark-referral-rate", "benchmark-followup", "campaigns"},
		charts: []string{"benchmark-conversion"}, tables: []string{"benchmark-conversion"}, xlsx: true},
	{id: "equity", title: "Equity", page: "equity",
		charts: []string{"equity-age-band", "equity-ethnic-group", "equity-imd-quintile"}, tables: []string{"equity-language", "equity-sex"}},
}

// packXLSXViews are the full per-practice tables of the pack's
// spreadsheet.
var packXLSXViews = []struct{ view, sheet string }{
	{"benchmark-conversion", "Conversion"}, {"benchmark-referral-rate", "Referral rate"}, {"benchmark-followup", "Follow-up against borough"},
	{"coding-practices", "Coding"}, {"followup-practices", "Follow-up"},
}

// PackFileName names the pack of a quarter.
func PackFileName(quarter string) string { return "uptake-pack-" + quarter + ".pdf" }

// PackXLSXFileName names the spreadsheet of every practice beside the pack.
func PackXLSXFileName(quarter string) string { return "uptake-pack-" + quarter + "-practices.xlsx" }

// PracticeFileName names a practice's file, ext "pdf", "xlsx" or "html".
func PracticeFileName(code, quarter, ext string) string { return code + "-" + quarter + "." + ext }

// ReportQuarter checks quarter against the loaded data and returns it, or
// the latest loaded quarter when it is "".
func (s *Server) ReportQuarter(ctx context.Context, quarter string) (string, error) {
	opts, err := s.store.FilterOptions(ctx)
	if err != nil {
		return "", err
	}
	if len(opts.Quarters) == 0 {
		return "", invalid("No quarters are loaded yet: load one with uptake ingest first.")
	}
	if quarter == "" {
		return opts.Quarters[len(opts.Quarters)-1], nil
	}
	if !slices.Contains(opts.Quarters, quarter) {
		return "", invalid(fmt.Sprintf("No data are loaded for %s; quarters loaded are %s to %s.", quarter, opts.Quarters[0], opts.Quarters[len(opts.Quarters)-1]))
	}
	return quarter, nil
}

// ReportPractices lists the codes of the loaded practices, in order.
func (s *Server) ReportPractices(ctx context.Context) ([]string, error) {
	opts, err := s.store.FilterOptions(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(opts.Practices))
	for i, p := range opts.Practices {
		out[i] = p.Code
	}
	return out, nil
}

func (s *Server) practiceOption(ctx context.Context, code string) (queries.PracticeOption, error) {
	opts, err := s.store.FilterOptions(ctx)
	if err != nil {
		return queries.PracticeOption{}, err
	}
	i := slices.IndexFunc(opts.Practices, func(p queries.PracticeOption) bool { return p.Code == code })
	if i < 0 {
		return queries.PracticeOption{}, &uptake.Error{Code: uptake.ENOTFOUND, Message: fmt.Sprintf("%s is not a practice in the loaded data.", code)}
	}
	return opts.Practices[i], nil
}

// ruleWords is the disclosure rule in words, for the cover.
func (s *Server) ruleWords() string {
	r := queries.DefaultDisclosureRule()
	if c, ok := s.store.(interface{ Config() queries.Config }); ok {
		r = c.Config().Disclosure
	}
	if !r.Enabled {
		return "The small-number rule is off in this deployment's configuration: every count is exact. Do not share this pack outside the organisation."
	}
	return fmt.Sprintf("Counts of people follow the NHS Digital disclosure rule: 0 stays 0, 1 to %d is shown as *, larger counts are rounded to the nearest %d, "+
		"and percentages are worked out from the rounded counts. Confidence intervals are from the true counts.", r.SuppressBelow-1, r.RoundTo)
}

// packDoc gathers the pack for quarter: all quarters up to it, for the
// public (the disclosure rule applies to every count).
func (s *Server) packDoc(ctx context.Context, quarter string) (*printDoc, error) {
	f := queries.Filter{To: quarter}
	opts, err := s.store.FilterOptions(ctx)
	if err != nil {
		return nil, err
	}
	h, err := s.store.Headline(ctx, f)
	if err != nil {
		return nil, err
	}
	doc := &printDoc{Service: s.opts.ServiceName, Title: "Quarterly report", Quarter: quarter, AsOf: h.AsOf,
		Produced: s.now().Format("2 January 2006"), Rule: s.ruleWords()}
	pcns := map[string]bool{}
	for _, p := range opts.Practices {
		pcns[p.PCN] = true
	}
	area := fmt.Sprintf("%s practices in %s primary care networks", groupThousands(strconv.Itoa(len(opts.Practices))), groupThousands(strconv.Itoa(len(pcns))))
	if s.opts.Area != "" {
		area = s.opts.Area + ": " + area
	}
	doc.Cover = []coverLine{
		{"Service", s.opts.ServiceName}, {"Area", area}, {"Quarter", quarter + ", with every quarter loaded before it (" + opts.Quarters[0] + " onwards) for trends"},
		{"Data as of", h.AsOf}, {"Produced", doc.Produced},
	}
	p := &pageData{}
	if err := overviewTiles(ctx, s, f, nil, p); err != nil {
		return nil, err
	}
	doc.Tiles = p.Tiles

	res := &results{store: s.store}
	l := linker{filter: f}
	// The overview's summary opens the pack.
	overview, _ := s.site.page("overview")
	first := printSection{ID: "overview", Title: "At a glance", Lead: strings.TrimSpace(screenOnly.ReplaceAllString(overview.Lead, ""))}
	if first.Summary, err = summaryTexts(ctx, overview, res, f, nil); err != nil {
		return nil, err
	}
	if first.Panels, err = s.printPanels(ctx, res, l, f, []string{"trends-rates"}, nil, ""); err != nil {
		return nil, err
	}
	doc.Sections = append(doc.Sections, first)
	for _, ps := range packSections {
		pg, ok := s.site.page(ps.page)
		if !ok {
			return nil, fmt.Errorf("pack section %s: no page %s", ps.id, ps.page)
		}
		sec := printSection{ID: ps.id, Title: ps.title, Lead: strings.TrimSpace(screenOnly.ReplaceAllString(pg.Lead, ""))}
		if ps.xlsx {
			sec.XLSX = PackXLSXFileName(quarter)
		}
		if sec.Summary, err = summaryTexts(ctx, pg, res, f, ps.panels); err != nil {
			return nil, err
		}
		if sec.Panels, err = s.printPanels(ctx, res, l, f, ps.charts, ps.tables, sec.XLSX); err != nil {
			return nil, err
		}
		doc.Sections = append(doc.Sections, sec)
	}
	doc.Definitions = definitions(uptake.IndicatorsDoc)
	return doc, nil
}

// summaryTexts is page p's summary for f as sentences, only those about
// panels when panels is not empty.
func summaryTexts(ctx context.Context, p pageDef, res *results, f queries.Filter, panels []string) ([]string, error) {
	if p.summary == nil {
		return nil, nil
	}
	sentences, err := p.summary(ctx, res, f)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, st := range sentences {
		if len(panels) == 0 || slices.Contains(panels, st.Panel) {
			out = append(out, st.Text)
		}
	}
	return out, nil
}

// printPanels makes the panels of a section: one per chart (without its
// table), then one per table (without its chart), each table cut to
// packRows rows.
func (s *Server) printPanels(ctx context.Context, res *results, l linker, f queries.Filter, chartViews, tableViews []string, xlsx string) ([]panel, error) {
	var out []panel
	for i, names := range [][]string{chartViews, tableViews} {
		for _, name := range names {
			v, ok := s.site.view(name)
			if !ok {
				return nil, fmt.Errorf("pack: no view %s", name)
			}
			result, err := res.get(ctx, v.Source, f)
			if err != nil {
				return nil, err
			}
			p := panel{ID: v.Name, Title: v.Title, HowToRead: v.HowToRead}
			if i == 0 {
				if v.chart == nil {
					continue
				}
				ch := v.chart(result, l)
				// Paper has no slider to narrow the quarters with.
				if _, ok := ch.Option["dataZoom"]; ok {
					opt := maps.Clone(ch.Option)
					delete(opt, "dataZoom")
					ch.Option = opt
				}
				p.HowToRead = screenOnly.ReplaceAllString(p.HowToRead, "")
				p.Chart = &ch
				p.ID = "chart-" + v.Name
			} else {
				p.ID = "table-" + v.Name
				p.HowToRead = ""
				t := v.table(result, l)
				if et, ok := extremes(t, packRows, xlsx); ok {
					p.Table = et
				} else {
					p.Table = compact(t, packRows, xlsx)
				}
			}
			out = append(out, p)
		}
	}
	return out, nil
}

// compact is t as the pack prints it: at most n rows, in the order the
// page shows a long table (practices outside the limits first), saying
// how many of how many and where the rest are.
func compact(t Table, n int, xlsx string) Table {
	total := len(t.Rows)
	t.Sortable, t.RowLinks, t.Pager = false, false, nil
	if total <= n {
		return t
	}
	var rows [][]Cell
	if t.long.first != nil {
		for _, i := range t.long.first[:min(n, len(t.long.first))] {
			rows = append(rows, t.Rows[i])
		}
	} else {
		rows = t.Rows[:n]
	}
	noun := t.long.noun
	if noun == "" {
		noun = "rows"
	}
	t.Shown = "Showing " + strconv.Itoa(len(rows)) + " of " + groupThousands(strconv.Itoa(total)) + " " + noun
	if t.long.order != "" {
		t.Shown += ", " + t.long.order
	}
	t.Shown += "."
	if xlsx != "" {
		t.Shown += " All of them are in the spreadsheet sent with this report, " + xlsx + "."
	} else {
		t.Shown += " The dashboard shows all of them."
	}
	t.Rows = rows
	return t
}

// extremes is a practice benchmark table as the pack prints it when it
// has more than n practices: the practices furthest above the borough
// and those furthest below, among those the funnel plot marks as beyond
// its limits, about half each, by rate. ok is false for a table that is
// not such a benchmark (no "Compared with the borough" column after the
// rate and its interval) or is short enough to print whole.
func extremes(t Table, n int, xlsx string) (Table, bool) {
	k := slices.IndexFunc(t.Columns, func(c Column) bool { return c.Label == "Compared with the borough" })
	if k < 3 || len(t.Rows) <= n {
		return t, false
	}
	rate := k - 3 // the rate, then its 95% interval, then the comparison
	var highs, lows []int
	for i, r := range t.Rows {
		if len(r) <= k || r[rate].kind != numberCell {
			continue
		}
		switch label := r[k].Display(); {
		case strings.HasPrefix(label, "High"):
			highs = append(highs, i)
		case strings.HasPrefix(label, "Low"):
			lows = append(lows, i)
		}
	}
	value := func(i int) float64 { return t.Rows[i][rate].num }
	slices.SortStableFunc(highs, func(a, b int) int { return cmpFloat(value(b), value(a)) })
	slices.SortStableFunc(lows, func(a, b int) int { return cmpFloat(value(a), value(b)) })
	nh := min(len(highs), max((n+1)/2, n-len(lows)))
	nl := min(len(lows), n-nh)
	total := len(t.Rows)
	var rows [][]Cell
	for _, i := range highs[:nh] {
		rows = append(rows, t.Rows[i])
	}
	for _, i := range lows[:nl] {
		rows = append(rows, t.Rows[i])
	}
	t.Sortable, t.RowLinks = false, false
	t.Shown = fmt.Sprintf("Showing the %s highest above the borough and the %d lowest below it, of %s beyond the 95%% limits (%s above, %s below) and %s practices in all.",
		countNoun(nh, "practice", "practices"), nl, groupThousands(strconv.Itoa(len(highs)+len(lows))), groupThousands(strconv.Itoa(len(highs))), groupThousands(strconv.Itoa(len(lows))), groupThousands(strconv.Itoa(total)))
	if xlsx != "" {
		t.Shown += " All of them are in the spreadsheet sent with this report, " + xlsx + "."
	}
	t.Rows = rows
	return t, true
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// PackXLSX is the spreadsheet sent with the pack: the full per-practice
// tables the pack cuts short, under the disclosure rule.
func (s *Server) PackXLSX(ctx context.Context, quarter string) ([]byte, error) {
	f := queries.Filter{To: quarter}
	res := &results{store: s.store}
	var tables []workbookSheet
	for _, x := range packXLSXViews {
		v, ok := s.site.view(x.view)
		if !ok {
			return nil, fmt.Errorf("pack spreadsheet: no view %s", x.view)
		}
		result, err := res.get(ctx, v.Source, f)
		if err != nil {
			return nil, err
		}
		tables = append(tables, workbookSheet{x.sheet, v.table(result, linker{filter: f})})
	}
	var buf bytes.Buffer
	about := []string{s.opts.ServiceName + ": every practice's figures, referral quarters up to " + quarter + ".", s.ruleWords()}
	if err := writeWorkbook(&buf, tables, about); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// practiceDocFor gathers practice code's list for quarter: its figures
// against the borough, exact (its own), the people whose outcome it was
// told of in the quarter with the code to enter, and its non-attenders
// awaiting follow-up. Only that practice's people.
func (s *Server) practiceDocFor(ctx context.Context, code, quarter string) (*printDoc, error) {
	pr, err := s.practiceOption(ctx, code)
	if err != nil {
		return nil, err
	}
	f := queries.Filter{To: quarter, Practice: code, Audience: queries.Audience{Practice: code}}
	summary, err := s.store.PracticeSummary(ctx, f)
	if err != nil {
		return nil, err
	}
	outcomes, err := s.store.NotifiedOutcomes(ctx, code, quarter)
	if err != nil {
		return nil, err
	}
	tasks, err := s.store.FollowUpWorkList(ctx, code)
	if err != nil {
		return nil, err
	}
	doc := &printDoc{Service: s.opts.ServiceName, Title: "Outcomes to code and people to follow up", Quarter: quarter,
		AsOf: summary.AsOf, Produced: s.now().Format("2 January 2006")}
	figures := practiceSummaryView().table(summary, linker{filter: f})
	figures.Title = pr.Name + " against the borough, referral quarters up to " + quarter
	figures.Notes = append([]string{"The practice's own figures are exact; the borough's follow the disclosure rule."}, figures.Notes...)
	doc.Practice = &practiceDoc{Code: pr.Code, Name: pr.Name, PCN: pr.PCN, Figures: figures,
		Outcomes: notifiedOutcomesTable(outcomes, quarter), FollowUp: followUpTable(tasks)}
	doc.Cover = []coverLine{{"Practice", pr.Name + " (" + pr.Code + ")"}, {"Network", pr.PCN}, {"Quarter", quarter}, {"Data as of", summary.AsOf}, {"Produced", doc.Produced}}
	return doc, nil
}

// notifiedOutcomesTable is the practice's list of outcomes to code.
func notifiedOutcomesTable(os []queries.NotifiedOutcome, quarter string) Table {
	t := Table{Title: "People whose outcome you were told of in " + quarter + ", and the code to enter",
		Columns: cols(text("Patient (pseudonym)"), text("Referral"), text("Referred"), text("Outcome"), text("Outcome date"), text("Practice told"),
			text("Read v2 code to enter"), text("SNOMED CT code to enter"), text("Already coded"))}
	coded := 0
	for _, o := range os {
		already := "No: please enter the code"
		if o.Coded {
			already = "Yes: " + o.CodedAs + " on " + o.CodedDate
			coded++
		}
		t.Rows = append(t.Rows, row(RowHeader(o.PatientID), Text(o.ReferralID), Text(o.ReferralDate), Text(o.Outcome), Text(o.OutcomeDate), Text(o.NotifiedDate),
			Text(o.Enter.ReadV2), Text(o.Enter.SNOMEDCT), Text(already)))
	}
	t.Notes = append(t.Notes, fmt.Sprintf("%s; %d already coded in the practice record, %d to code. Any code of the outcome's kind counts as coded.",
		countNoun(len(os), "person", "people"), coded, len(os)-coded))
	return t
}

// followUpTable is the practice's non-attenders awaiting follow-up: the
// follow-up work list as the practice page shows it.
func followUpTable(tasks []queries.FollowUpTask) Table {
	t := followUpWorkListView().table(tasks, linker{})
	t.Title = "Non-attenders awaiting follow-up, with the days left to follow them up"
	return t
}

// PracticeXLSX is practice code's list for quarter as a spreadsheet, one
// sheet per table of its PDF.
func (s *Server) PracticeXLSX(ctx context.Context, code, quarter string) ([]byte, error) {
	doc, err := s.practiceDocFor(ctx, code, quarter)
	if err != nil {
		return nil, err
	}
	p := doc.Practice
	var buf bytes.Buffer
	about := []string{s.opts.ServiceName + ": " + p.Name + " (" + p.Code + "), " + quarter + ", data as of " + doc.AsOf + ".",
		"This file names the practice's own patients (by pseudonym). It is for " + p.Name + " only: do not send it on."}
	if err := writeWorkbook(&buf, []workbookSheet{{"Outcomes to code", p.Outcomes}, {"To follow up", p.FollowUp}, {"Figures", p.Figures}}, about); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Print templates: one set per document, each with print/layout.html.
var printTemplates = sync.OnceValues(func() (map[string]*template.Template, error) {
	out := map[string]*template.Template{}
	for _, name := range []string{"pack", "practice"} {
		t, err := template.New("layout.html").Funcs(templateFuncs).ParseFS(templateFiles, "templates/print/layout.html", "templates/print/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("parsing print/%s.html: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
})

// renderPrint executes print template name with doc.
func renderPrint(name string, doc *printDoc) ([]byte, error) {
	ts, err := printTemplates()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := ts[name].ExecuteTemplate(&buf, "layout.html", doc); err != nil {
		return nil, fmt.Errorf("rendering print/%s: %w", name, err)
	}
	return buf.Bytes(), nil
}

// inline reads the assets a standalone page holds.
func (s *Server) inline(scripts bool) (*inlineAssets, error) {
	css, err := fs.ReadFile(assets.fsys, "print.css")
	if err != nil {
		return nil, err
	}
	a := &inlineAssets{CSS: template.CSS(css)}
	if scripts {
		for _, name := range []string{"vendor/echarts/echarts.min.js", "uptake.js"} {
			b, err := fs.ReadFile(assets.fsys, name)
			if err != nil {
				return nil, err
			}
			a.Scripts = append(a.Scripts, template.JS(b))
		}
	}
	return a, nil
}

// PackHTML is the pack as one standalone HTML file, its style sheet and
// scripts inside it, for when no PDF can be made: a browser opening it
// draws the charts and can print it.
func (s *Server) PackHTML(ctx context.Context, quarter string) ([]byte, error) {
	doc, err := s.packDoc(ctx, quarter)
	if err != nil {
		return nil, err
	}
	if doc.Inline, err = s.inline(true); err != nil {
		return nil, err
	}
	return renderPrint("pack", doc)
}

// PracticeHTML is practice code's list as one standalone HTML file.
func (s *Server) PracticeHTML(ctx context.Context, code, quarter string) ([]byte, error) {
	doc, err := s.practiceDocFor(ctx, code, quarter)
	if err != nil {
		return nil, err
	}
	if doc.Inline, err = s.inline(false); err != nil {
		return nil, err
	}
	return renderPrint("practice", doc)
}

// PackPDF prints the pack for quarter.
func (s *Server) PackPDF(ctx context.Context, quarter string) ([]byte, error) {
	return s.printPDF(ctx, "pack?quarter="+url.QueryEscape(quarter), s.opts.ServiceName+" · quarterly report "+quarter)
}

// PracticePDF prints practice code's list for quarter.
func (s *Server) PracticePDF(ctx context.Context, code, quarter string) ([]byte, error) {
	if _, err := s.practiceOption(ctx, code); err != nil {
		return nil, err
	}
	return s.printPDF(ctx, "practice/"+url.PathEscape(code)+"?quarter="+url.QueryEscape(quarter), code+" · "+quarter+" · for this practice only")
}

// CanPrintPDF reports whether the server has a PDF printer.
func (s *Server) CanPrintPDF() bool { return s.opts.PDF != nil }

func (s *Server) printPDF(ctx context.Context, path, footer string) ([]byte, error) {
	if s.opts.PDF == nil {
		return nil, errNoPDF
	}
	base, err := s.printListener()
	if err != nil {
		return nil, err
	}
	return s.opts.PDF.Print(ctx, base+path, footer)
}

// printServer is the loopback listener Chromium loads print pages from.
type printServer struct {
	mu    sync.Mutex
	srv   *http.Server
	base  string // http://127.0.0.1:PORT/print/TOKEN/
	token string
}

// printListener starts the print listener on first use and returns the
// base URL of its print pages.
func (s *Server) printListener() (string, error) {
	ps := &s.print
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if ps.srv != nil {
		return ps.base, nil
	}
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	ps.token = hex.EncodeToString(b[:])
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("starting the print listener: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(assets.fsys)))
	mux.HandleFunc("GET /print/{token}/pack", s.printPage(func(r *http.Request, q string) (string, *printDoc, error) {
		doc, err := s.packDoc(r.Context(), q)
		return "pack", doc, err
	}))
	mux.HandleFunc("GET /print/{token}/practice/{code}", s.printPage(func(r *http.Request, q string) (string, *printDoc, error) {
		doc, err := s.practiceDocFor(r.Context(), r.PathValue("code"), q)
		return "practice", doc, err
	}))
	ps.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	ps.base = "http://" + ln.Addr().String() + "/print/" + ps.token + "/"
	go ps.srv.Serve(ln) //nolint:errcheck // ends with Close
	return ps.base, nil
}

// printPage serves one print page to Chromium, under the token.
func (s *Server) printPage(build func(r *http.Request, quarter string) (string, *printDoc, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.PathValue("token")), []byte(s.print.token)) != 1 {
			http.NotFound(w, r)
			return
		}
		q, err := s.ReportQuarter(r.Context(), r.URL.Query().Get("quarter"))
		var name string
		var doc *printDoc
		if err == nil {
			name, doc, err = build(r, q)
		}
		var body []byte
		if err == nil {
			body, err = renderPrint(name, doc)
		}
		if err != nil {
			s.log.Error("print page", "err", err)
			http.Error(w, "the report could not be made", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Write(body) //nolint:errcheck
	}
}

// Close stops the print listener, if it was started.
func (s *Server) Close() error {
	ps := &s.print
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if ps.srv == nil {
		return nil
	}
	err := ps.srv.Close()
	ps.srv = nil
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// screenOnly matches sentences of a view's HowToRead that are about the
// screen (sliders, selecting items), which paper cannot do.
var screenOnly = regexp.MustCompile(`\s*[^.]*\b(slider|[Ss]elect|[Cc]lick|[Hh]over)\b[^.]*\.`)

var (
	mdHeading  = regexp.MustCompile(`^## (.+)$`)
	mdMarkup   = regexp.MustCompile("\\*\\*|`|\\*")
	mdLink     = regexp.MustCompile(`\[([^\]]+)\]\([^)]+\)`)
	mdStoreRef = regexp.MustCompile(" — `?Store\\..*$")
)

// skipDefinitions are sections of docs/indicators.md that are not one
// indicator's definition.
// The practices' own lists are not in the commissioner's pack either.
var skipDefinitions = []string{"Shared definitions", "Conventions of the service indicators", "Plausible ranges", "Every definition changes the sample",
	"Data: loads, rejected rows, data quality", "Follow-up work list", "Coding work list", "Notified outcomes"}

// definitions reads the appendix from docs/indicators.md: each indicator
// section's heading and its first paragraph and first points, as plain
// text.
func definitions(doc string) []definition {
	var out []definition
	var cur *definition
	para := ""
	inSQL := false // an "SQL:" line and its continuation
	flush := func() {
		if cur != nil && para != "" && len(cur.Text) < 3 {
			cur.Text = append(cur.Text, para)
		}
		para = ""
	}
	for line := range strings.SplitSeq(doc, "\n") {
		if m := mdHeading.FindStringSubmatch(line); m != nil {
			flush()
			title, _, _ := strings.Cut(m[1], " — ")
			cur = nil
			if !slices.Contains(skipDefinitions, title) {
				out = append(out, definition{Title: title})
				cur = &out[len(out)-1]
			}
			continue
		}
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "SQL:") {
			inSQL = true
		}
		if inSQL {
			inSQL = trimmed != ""
			continue
		}
		switch {
		case cur == nil:
		case trimmed == "" || strings.HasPrefix(trimmed, "#") || strings.HasPrefix(trimmed, "|") || strings.HasPrefix(trimmed, "```"):
			flush()
		case strings.HasPrefix(trimmed, "* "):
			flush()
			para = strings.TrimPrefix(trimmed, "* ")
		default:
			if para != "" {
				para += " "
			}
			para += trimmed
		}
	}
	flush()
	for i := range out {
		for j, t := range out[i].Text {
			t = mdLink.ReplaceAllString(t, "$1")
			t = mdMarkup.ReplaceAllString(t, "")
			out[i].Text[j] = strings.TrimSpace(mdStoreRef.ReplaceAllString(t, ""))
		}
	}
	return slices.DeleteFunc(out, func(d definition) bool { return len(d.Text) == 0 })
}
