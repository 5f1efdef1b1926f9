package dashboard

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/uptake-nhs/uptake/queries"
)

// checkSummary checks every sentence of page p's summary for filter f
// against the full tables of the panels it links to: each figure must be
// in the sentence and be what the table shows at its row and column (or
// the number of rows a tally counts), and never a withheld or missing
// value. It returns how many figures it checked.
func checkSummary(t *testing.T, store Store, p pageDef, f queries.Filter) int {
	t.Helper()
	res := &results{store: store}
	sentences, err := p.summary(context.Background(), res, f)
	if err != nil {
		t.Fatalf("%s %+v: %v", p.Name, f, err)
	}
	checked := 0
	for _, s := range sentences {
		if strings.Contains(s.Text, "*") || strings.Contains(s.Text, "–") {
			t.Errorf("%s: a sentence states a withheld or missing value: %q", p.Name, s.Text)
		}
		tableOf := func(name string) (Table, bool) {
			i := slices.IndexFunc(p.Views, func(v view) bool { return v.Name == name })
			if i < 0 {
				t.Errorf("%s: %q refers to panel %q, which is not on the page", p.Name, s.Text, name)
				return Table{}, false
			}
			v := p.Views[i]
			result, err := res.get(context.Background(), v.Source, f)
			if err != nil {
				t.Fatal(err)
			}
			return v.table(result, linker{filter: f}), true
		}
		if _, ok := tableOf(s.Panel); !ok {
			continue
		}
		for _, fig := range s.Figures {
			checked++
			panel := s.Panel
			if fig.Panel != "" {
				panel = fig.Panel
			}
			table, ok := tableOf(panel)
			if !ok {
				continue
			}
			if !strings.Contains(s.Text, fig.Text) {
				t.Errorf("%s: %q does not state its figure %q", p.Name, s.Text, fig.Text)
			}
			col := slices.IndexFunc(table.Columns, func(c Column) bool { return c.Label == fig.Column })
			if col < 0 {
				t.Errorf("%s: %q: table %q has no column %q", p.Name, s.Text, table.Title, fig.Column)
				continue
			}
			if fig.Tally != nil {
				n := 0
				for _, r := range table.Rows {
					if slices.Contains(fig.Tally, r[col].Display()) {
						n++
					}
				}
				if got := groupThousands(itoa(n)); got != fig.Text {
					t.Errorf("%s: %q counts %s rows reading %v in %q; the table has %s", p.Name, s.Text, fig.Text, fig.Tally, fig.Column, got)
				}
				continue
			}
			row := slices.IndexFunc(table.Rows, func(r []Cell) bool {
				h := slices.IndexFunc(r, func(c Cell) bool { return c.Header })
				return h >= 0 && r[h].Display() == fig.Row
			})
			if row < 0 {
				t.Errorf("%s: %q: table %q has no row %q", p.Name, s.Text, table.Title, fig.Row)
				continue
			}
			cell := table.Rows[row][col]
			if cell.Suppressed() || cell.kind == missingCell {
				t.Errorf("%s: %q states %q, withheld or missing in the table (%s, %s)", p.Name, s.Text, fig.Text, fig.Row, fig.Column)
			}
			want := fig.Text
			if fig.Negative {
				want = "-" + want
			}
			if cell.Display() != want {
				t.Errorf("%s: %q states %q where the table shows %q (%s, %s)", p.Name, s.Text, fig.Text, cell.Display(), fig.Row, fig.Column)
			}
		}
	}
	return checked
}

func itoa(n int) string { return Int(int64(n)).Display() }

// TestSummariesAgreeWithTables checks every page's summary against its
// tables, over the fake store's fixed results for several filters.
func TestSummariesAgreeWithTables(t *testing.T) {
	store := newFakeStore()
	filters := []queries.Filter{{}, {PCN: "South"}, {Practice: "F83004"}, {From: "2026Q1", To: "2026Q1"}, {Language: "Turkish"}}
	checked := 0
	for _, p := range testSite.pages {
		if p.summary == nil {
			t.Errorf("page %s has no summary", p.Name)
			continue
		}
		for _, f := range filters {
			checked += checkSummary(t, store, p, f)
		}
	}
	if checked == 0 {
		t.Error("no figure was checked")
	}
}

// TestSummariesAgreeWithTablesOnTheSample does the same over the sample
// database, whose small practices have withheld counts.
func TestSummariesAgreeWithTablesOnTheSample(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the sample database")
	}
	store := realStore(t)
	opts, err := store.FilterOptions(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	filters := []queries.Filter{{}, {PCN: opts.PCNs[0]}, {Practice: opts.Practices[0].Code}, {Language: "Turkish"}}
	if n := len(opts.Quarters); n > 0 {
		filters = append(filters, queries.Filter{From: opts.Quarters[n-1], To: opts.Quarters[n-1]})
	}
	checked := 0
	for _, p := range testSite.pages {
		for _, f := range filters {
			checked += checkSummary(t, store, p, f)
		}
	}
	if checked < 20 {
		t.Errorf("only %d figures checked", checked)
	}
}

// TestSummarySentences pins the sentences the fake store's fixed results
// give, worked out by hand from fake_test.go and fake_pathway_test.go.
func TestSummarySentences(t *testing.T) {
	store := newFakeStore()
	for _, p := range testSite.pages {
		sentences, err := p.summary(context.Background(), &results{store: store}, queries.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(sentences) == 0 {
			t.Errorf("%s: no summary", p.Name)
		}
		for _, s := range sentences {
			t.Logf("%s: %s [%s]", p.Name, s.Text, s.Panel)
		}
	}
}
