package dashboard

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"github.com/uptake-nhs/uptake/queries/stats"
)

// The overview carries the SPC summary; each row links to its measure's
// chart on the SPC page, keeping the filters, and shows the icons with
// their text equivalents.
func TestSPCSummaryOnTheOverviewLinksToTheCharts(t *testing.T) {
	ts, _ := newTestServer(t)
	c := ts.as(t, userCommissioner)
	res, body := c.get(t, ts.URL+"/?mode=online")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	for _, want := range []string{
		`id="panel-spc-summary"`,
		`<a href="/spc?mode=online#panel-spc-conversion">Conversion</a>`,
		`<a href="/spc?mode=online#panel-spc-referrals">Referrals</a>`,
		// The fake: referrals improve in their latest month, conversion
		// fails its target, follow-up is common cause.
		`role="img" aria-label="Special cause variation: improvement (high)"`,
		`role="img" aria-label="Assurance: the target will consistently be missed"`,
		`role="img" aria-label="Common cause variation: no significant change"`,
		`<span class="uptake-spc-icon__text" aria-hidden="true">Improvement (high)</span>`,
		"No target set",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("overview lacks %s", want)
		}
	}
	// The summary comes before the quarterly trends.
	if strings.Index(body, `id="panel-spc-summary"`) > strings.Index(body, `id="panel-trends-rates"`) {
		t.Error("the SPC summary should come before the trends")
	}

	res, body = c.get(t, ts.URL+"/spc?mode=online")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("/spc: status %d", res.StatusCode)
	}
	for _, want := range []string{`id="panel-spc-summary"`, `id="chart-spc-referrals"`, `id="chart-spc-conversion"`, `id="chart-spc-follow-up"`, `id="chart-spc-coding"`,
		// The conversion table says what each month is, in words.
		"withheld", "provisional", "concern (beyond a process limit)", "common cause",
		"New limits start at 2025-09, after a service change (configuration).",
		// Its limit below 0% is drawn at the edge, and the table says so.
		"draws it at that edge"} {
		if !strings.Contains(body, want) {
			t.Errorf("/spc lacks %s", want)
		}
	}

	// Downloads hold the icons' text.
	res, body = c.get(t, ts.URL+"/download/spc-summary.csv")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("download: %d", res.StatusCode)
	}
	records, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := records[1]; got[0] != "Referrals" || got[8] != "Special cause variation: improvement (high)" || got[9] != "No target set" {
		t.Errorf("referrals row of the download: %q", got)
	}
}

// A practice's page charts only the measures whose numbers allow it (the
// fake practice's conversion and coding), and says why not for the
// others (referrals withheld every month, follow-up with five months).
func TestPracticePageChartsSPCOnlyWhereTheNumbersAllow(t *testing.T) {
	ts, _ := newTestServer(t)
	res, body := ts.as(t, userCommissioner).get(t, ts.URL+"/practices/F83004")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	for _, want := range []string{`id="panel-practice-spc-summary"`, `id="panel-practice-spc-conversion"`, `id="panel-practice-spc-coding"`,
		`<a href="/practices/F83004#panel-practice-spc-conversion">Conversion</a>`,
		"Referrals: not charted: 0 of its 14 months can be used for limits, and a chart needs 12. 14 months rest on counts too small to publish, which the disclosure rule withholds.",
		"Follow-up rate: not charted: 5 of its 14 months can be used for limits, and a chart needs 12. 8 months rest on counts too small to publish, which the disclosure rule withholds."} {
		if !strings.Contains(body, want) {
			t.Errorf("practice page lacks %s", want)
		}
	}
	for _, absent := range []string{`id="panel-practice-spc-referrals"`, `id="panel-practice-spc-follow-up"`} {
		if strings.Contains(body, absent) {
			t.Errorf("practice page shows %s, which its numbers do not allow", absent)
		}
	}
}

// Every icon the statistics can name is drawn, with its text.
func TestEverySPCIconIsDrawnWithText(t *testing.T) {
	for _, name := range []string{stats.VariationCommonCause, stats.VariationImprovementHigh, stats.VariationImprovementLow,
		stats.VariationConcernHigh, stats.VariationConcernLow, stats.VariationNeutralHigh, stats.VariationNeutralLow,
		stats.AssurancePass, stats.AssuranceFail, stats.AssuranceHitAndMiss} {
		c := IconCell(name, name)
		html := string(c.IconHTML())
		if html == "" || c.Display() == name || !strings.Contains(html, `aria-label="`+c.Display()+`"`) || !strings.Contains(html, "<svg") {
			t.Errorf("%s: no icon with its text (%q)", name, html)
		}
		if strings.Contains(html, "<script") || strings.Contains(html, "href") {
			t.Errorf("%s: the icon must be plain drawing", name)
		}
	}
	if IconCell("no_such_icon", "words").IconHTML() != "" {
		t.Error("an unknown icon must be plain text")
	}
}
