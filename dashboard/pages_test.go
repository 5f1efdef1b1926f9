package dashboard

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
)

func TestOverviewTilesSayQuarterChangeAndProvisional(t *testing.T) {
	ts, _ := newTestServer(t)
	res, body := ts.as(t, userCommissioner).get(t, ts.URL+"/?to=2026Q2")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	for _, want := range []string{
		// The fake's latest quarter, its referrals and the change in words.
		"<p class=\"uptake-tile__label\">Referrals</p>", "Referred in 2026Q2", "up 15 on 2026Q1",
		// Rate tiles describe the latest final cohort.
		"Cohort referred in 2026Q1", "<p class=\"uptake-tile__label\">Follow-up rate <strong class=\"uptake-tag\">Provisional</strong></p>",
		"no cohort in the range is final yet",
		`id="panel-trends-rates"`, `id="panel-trends-referrals"`, `id="panel-funnel"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("overview lacks %q", want)
		}
	}
}

func TestEveryPanelHasHowToReadAndEveryPageALead(t *testing.T) {
	for _, p := range testSite.pages {
		if len(p.Lead) < 40 {
			t.Errorf("page %s: no plain-English lead", p.Name)
		}
	}
	for _, v := range testSite.views {
		if len(v.HowToRead) < 30 {
			t.Errorf("view %s: no how-to-read sentence", v.Name)
		}
	}
}

func TestPracticePageHasRankTrendsAndWorkLists(t *testing.T) {
	ts, store := newTestServer(t)
	// The practice's own user sees its work lists.
	res, body := ts.as(t, userPractice).get(t, ts.URL+"/practices/F83004?pcn=South")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d\n%s", res.StatusCode, body)
	}
	for _, want := range []string{`id="panel-practice-rank"`, "1 of 3", "High (0.025)", `id="panel-practice-trend-conversion"`,
		`id="panel-followup-worklist"`, `id="panel-coding-worklist"`} {
		if !strings.Contains(body, want) {
			t.Errorf("practice page lacks %q", want)
		}
	}
	// The page is about one practice: its filter bar has no network or
	// practice select, but keeps the others.
	if strings.Contains(body, `id="filter-practice"`) || strings.Contains(body, `id="filter-pcn"`) || !strings.Contains(body, `id="filter-mode"`) {
		t.Error("the practice page's filter bar should leave out the network and practice selects, and only those")
	}
	// The borough line comes from Trends without network or practice.
	if f := store.lastFilter(t); f.Practice != "F83004" && f.PCN != "" {
		t.Errorf("last filter %+v", f)
	}
}

// TestPracticePageNotesAStaleRegister: a practice whose register is
// smaller than the people it referred (the fake's F83020) is told so under
// its comparison table; a practice whose register is fine (F83004) is not.
func TestPracticePageNotesAStaleRegister(t *testing.T) {
	ts, _ := newTestServer(t)
	const note = "(2026Q2 snapshot) is smaller than the number of people it referred in these quarters"
	for code, want := range map[string]bool{"F83020": true, "F83004": false} {
		res, body := ts.as(t, userCommissioner).get(t, ts.URL+"/practices/"+code)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", code, res.StatusCode)
		}
		if got := strings.Contains(body, note); got != want {
			t.Errorf("%s: data-quality note shown %v, want %v", code, got, want)
		}
	}
}

func TestPracticesPageBenchmarkTablesSortAndLink(t *testing.T) {
	ts, _ := newTestServer(t)
	_, body := ts.as(t, userCommissioner).get(t, ts.URL+"/practices")
	for _, want := range []string{`id="table-benchmark-conversion" data-sortable="true" data-row-links="true"`,
		`<a href="/practices/F83004">Archway Medical Centre</a>`, "Low (0.001)", `id="panel-campaigns"`, "Text message campaigns"} {
		if !strings.Contains(body, want) {
			t.Errorf("practices page lacks %q", want)
		}
	}
}

func TestRejectedRowsPaging(t *testing.T) {
	ts, store := newTestServer(t)
	sl := ts.as(t, userServiceLead)
	res, body := sl.get(t, ts.URL+"/data?quarter=2026q2&file=referrals.csv&rule=bad_date&page=2")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d\n%s", res.StatusCode, body)
	}
	got := store.rejected[len(store.rejected)-1]
	if got.Quarter != "2026Q2" || got.File != "referrals.csv" || got.Rule != "bad_date" || got.Offset != 100 || got.Limit != 100 {
		t.Errorf("store asked for %+v", got)
	}
	for _, want := range []string{"Rows 101 to 123 of 123 (page 2 of 2).", `rel="prev"`,
		`href="/data?file=referrals.csv&amp;quarter=2026Q2&amp;rule=bad_date#panel-rejected-rows"`,
		`<option value="bad_date" selected>`, `href="/download/rejected-rows.csv?file=referrals.csv&amp;page=2&amp;quarter=2026q2&amp;rule=bad_date"`} {
		if !strings.Contains(body, want) {
			t.Errorf("data page lacks %q", want)
		}
	}
	if strings.Contains(body, `rel="next"`) {
		t.Error("the last page links to a next page")
	}
	// The download holds the rows of the page shown.
	_, csvBody := sl.get(t, ts.URL+"/download/rejected-rows.csv?quarter=2026Q2&page=2")
	records, err := csv.NewReader(strings.NewReader(csvBody)).ReadAll()
	if err != nil || len(records) != 1+23 {
		t.Errorf("CSV of page 2: %d records, %v", len(records), err)
	}
	if records[1][4] != "'=31/02/2026" {
		t.Errorf("a rejected value beginning with = must be neutralised: %q", records[1][4])
	}
}

func TestRejectedRowsBadParamsAre400(t *testing.T) {
	ts, _ := newTestServer(t)
	sl := ts.as(t, userServiceLead)
	for path, want := range map[string]string{
		"/api/rejected-rows?page=0":                 "page must be a whole number",
		"/api/rejected-rows?page=abc":               "page must be a whole number",
		"/api/rejected-rows?page=99999999999":       "page must be a whole number",
		"/api/rejected-rows?quarter=2026Q9":         "quarter must be a quarter like 2026Q2",
		"/api/rejected-rows?file=../../etc/passwd":  "file must be the name of an extract file",
		"/api/rejected-rows?rule=DROP%20TABLE":      "rule must be the name of a check",
		"/api/rejected-rows?page=1&page=2":          "Give page at most once",
		"/download/rejected-rows.csv?quarter=Q":     "quarter must be a quarter",
		"/data?rule=%3Cscript%3E":                   "rule must be the name of a check",
		"/api/chart/data-quality?practice=nonsense": "must be an ODS practice code",
	} {
		res, body := sl.get(t, ts.URL+path)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, want) {
			t.Errorf("%s: %d %s", path, res.StatusCode, body)
		}
	}
}
