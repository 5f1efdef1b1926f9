package dashboard

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/uptake-nhs/uptake/queries"
)

func numberedTable(n int) Table {
	t := Table{Title: "Practices", Columns: []Column{text("Practice")}, Sortable: true}
	for i := range n {
		t.Rows = append(t.Rows, []Cell{Text(fmt.Sprint(i))})
	}
	return t
}

func TestForPageKeepsShortTablesWhole(t *testing.T) {
	tab := numberedTable(pageRows)
	got := tab.forPage()
	if len(got.Rows) != pageRows || got.Shown != "" || got.ShownCount != "" {
		t.Errorf("a table of %d rows was cut: %d rows, %q", pageRows, len(got.Rows), got.Shown)
	}
	paged := numberedTable(pageRows + 1)
	paged.Pager = &Pager{Summary: "Rows 1 to 101"}
	if got := paged.forPage(); len(got.Rows) != pageRows+1 {
		t.Errorf("a paged table was cut again: %d rows", len(got.Rows))
	}
}

func TestForPageCutsLongTablesAndSaysSo(t *testing.T) {
	tab := numberedTable(6500)
	tab.long = longTable{noun: "practices", order: "the last first", narrow: "choose a network", first: newestFirst(6500)}
	got := tab.forPage()
	if len(got.Rows) != pageRows {
		t.Fatalf("%d rows shown, want %d", len(got.Rows), pageRows)
	}
	if first, last := got.Rows[0][0].Display(), got.Rows[pageRows-1][0].Display(); first != "6499" || last != "6400" {
		t.Errorf("shown rows run from %s to %s, want 6499 to 6400", first, last)
	}
	want := "Showing 100 of 6,500 practices, the last first. Download the CSV or Excel file for all of them, or choose a network. Sorting by a column sorts only the rows shown."
	if got.Shown != want {
		t.Errorf("Shown = %q\nwant    %q", got.Shown, want)
	}
	if got.ShownCount != "100 of 6,500 practices" {
		t.Errorf("ShownCount = %q", got.ShownCount)
	}
	if len(tab.Rows) != 6500 {
		t.Errorf("forPage changed the table it was given: %d rows", len(tab.Rows))
	}
	plain := numberedTable(150)
	plain.Sortable = false
	if got := plain.forPage(); got.Rows[0][0].Display() != "0" ||
		got.Shown != "Showing 100 of 150 rows. Download the CSV or Excel file for all of them, or narrow the filters." {
		t.Errorf("default order and words: first row %s, %q", got.Rows[0][0].Display(), got.Shown)
	}
}

// longStore is the fake store with n practices in its follow-up and
// benchmark results, as long as an England-scale list.
type longStore struct {
	*fakeStore
	n int
}

func (s longStore) practiceName(i int) (code, name string) {
	return fmt.Sprintf("Y%05d", i), fmt.Sprintf("Practice %04d", i)
}

func (s longStore) FollowUp(ctx context.Context, f queries.Filter) (queries.FollowUp, error) {
	r, err := s.fakeStore.FollowUp(ctx, f)
	r.Practices = nil
	for i := range s.n {
		code, name := s.practiceName(i)
		r.Practices = append(r.Practices, queries.FollowUpPractice{Code: code, Name: name, PCN: "North",
			NonAttenders: cnt(40), Rate: pci(int64(i%21), 20), FollowedUpByPractice: cnt(int64(i % 21)), FollowedUpByProvider: cnt(0)})
	}
	return r, err
}

// PracticeBenchmark labels every third practice from the third "Low
// (0.001)" and every third from the first "High (0.025)".
func (s longStore) PracticeBenchmark(ctx context.Context, f queries.Filter) (queries.PracticeBenchmark, error) {
	r, err := s.fakeStore.PracticeBenchmark(ctx, f)
	if err != nil || len(r.Practices) == 0 {
		return r, err
	}
	model := r.Practices[0]
	r.Practices = nil
	labels := []string{"High (0.025)", "Not significant", "Low (0.001)"}
	for i := range s.n {
		p := model
		p.Code, p.Name = s.practiceName(i)
		p.Conversion.Label = labels[i%len(labels)]
		r.Practices = append(r.Practices, p)
	}
	return r, nil
}

// newLongServer serves a longStore of n practices.
func newLongServer(t *testing.T, n int) *testServer {
	t.Helper()
	acc := newFakeAccounts()
	srv, err := New(longStore{newFakeStore(), n}, Options{Accounts: acc, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	clock := &testClock{t: time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)}
	srv.now = clock.Now
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &testServer{Server: ts, srv: srv, accounts: acc, clock: clock}
}

var tableRow = regexp.MustCompile(`(?s)<tbody class="nhsuk-table__body">(.*?)</tbody>`)

// tableRows counts the body rows of the table with the given id.
func tableRows(t *testing.T, body, id string) int {
	t.Helper()
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		t.Fatalf("no table %s", id)
	}
	m := tableRow.FindStringSubmatch(body[i:])
	if m == nil {
		t.Fatalf("table %s has no body", id)
	}
	return strings.Count(m[1], "<tr ")
}

func TestLongPracticeListsShowAHundredRowsAndBands(t *testing.T) {
	ts := newLongServer(t, 250)
	c := ts.as(t, userCommissioner)

	_, body := c.get(t, ts.URL+"/non-attenders")
	if n := tableRows(t, body, "table-followup-practices"); n != pageRows {
		t.Errorf("follow-up table shows %d rows, want %d", n, pageRows)
	}
	for _, want := range []string{
		"Showing 100 of 250 practices, in name order. Download the CSV or Excel file for all of them, or choose a network or practice in the filters.",
		`Follow-up rate by practice <span class="uptake-table__count">(100 of 250 practices shown)</span>`,
		"There are 250 practices, too many for a bar each: each bar counts the practices whose follow-up rate lies in a 10-point band.",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("non-attenders page lacks %q", want)
		}
	}
	// Downloads hold every practice.
	_, csvBody := c.get(t, ts.URL+"/download/followup-practices.csv")
	if records, err := csv.NewReader(strings.NewReader(csvBody)).ReadAll(); err != nil || len(records) != 1+250 {
		t.Errorf("CSV: %d records, %v; want a header and 250 practices", len(records), err)
	}

	// The benchmark tables show the practices beyond the 99.8% limits
	// first (the fake labels every third from the third "Low (0.001)"),
	// then those beyond the 95% limits (every third from the first).
	_, body = c.get(t, ts.URL+"/practices")
	i := strings.Index(body, `id="table-benchmark-conversion"`)
	first := regexp.MustCompile(`<a href="/practices/(Y\d+)">`).FindAllStringSubmatch(body[i:], 3)
	if len(first) < 3 || first[0][1] != "Y00002" || first[1][1] != "Y00005" || first[2][1] != "Y00008" {
		t.Errorf("benchmark table begins with %v, want Y00002, Y00005, Y00008", first)
	}
	if !strings.Contains(body[i:], "Showing 100 of 250 practices, those outside the 99.8% limits first") {
		t.Error("benchmark table does not say which practices it shows")
	}
}

func TestLongPracticeListIsATextBox(t *testing.T) {
	opts := newFakeStore().opts
	opts.Practices = nil
	for i := range maxSelectOptions + 1 {
		opts.Practices = append(opts.Practices, queries.PracticeOption{Code: fmt.Sprintf("Y%05d", i), Name: fmt.Sprintf("Practice %04d", i), PCN: "North"})
	}
	bar := newFilterBar("/", opts, queries.Filter{Practice: "Y00007"})
	for _, s := range bar.Selects {
		switch {
		case s.Name == "practice" && (!s.Input || s.Value != "Y00007" || len(s.Options) != 0 || !strings.Contains(s.Hint, "ODS code, e.g. Y00000")):
			t.Errorf("practice field: %+v", s)
		case s.Name != "practice" && s.Input:
			t.Errorf("%s became a text box", s.Name)
		}
	}
	// Within a network short enough for a list, it is a select again.
	opts.Practices[0].PCN = "South"
	bar = newFilterBar("/", opts, queries.Filter{PCN: "South"})
	for _, s := range bar.Selects {
		if s.Name == "practice" && (s.Input || len(s.Options) != 2) {
			t.Errorf("practice field within a small network: input %v, %d options", s.Input, len(s.Options))
		}
	}
}
