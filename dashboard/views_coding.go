package dashboard

import (
	"strconv"
	"strings"

	"github.com/uptake-nhs/uptake/dashboard/charts"
	"github.com/uptake-nhs/uptake/queries"
)

// Coding completeness: whether practices record the outcomes the provider
// tells them about.

var srcCoding = newSource("coding", Store.CodingCompleteness)

// codingViews are the Practices page's coding panels, in page order. The
// coding work list (codingWorkListView) is on the practice page.
func codingViews() []view {
	return []view{codingPracticesView(), codingCategoriesView(), codingQuartersView()}
}

func codingGroupRows(groups []queries.CodingGroup, first func(g queries.CodingGroup) []Cell) [][]Cell {
	var rows [][]Cell
	for _, g := range groups {
		rows = append(rows, row(first(g), CountCell(g.InsideWindow), CountCell(g.Rate.Denominator), CountCell(g.Rate.Numerator), ciCells(g.Rate)))
	}
	return rows
}

var codingColumns = cols(num("Inside window"), num("Due"), num("Coded in time"), ciColumns("Coded"))

func codingPracticesView() view {
	return newView(srcCoding, "coding-practices", "Outcomes coded in the practice record, by practice",
		"Each bar is the share of outcomes the provider reported that the practice coded within 90 days. Select a practice to see the outcomes still to code.",
		func(r queries.CodingCompleteness, l linker) Table {
			practices, total := pageRowsOf(l, r.Practices, nil)
			return Table{
				Columns:    cols(text("Practice"), text("Code"), text("Network"), codingColumns),
				Disclosure: r.Disclosure,
				Rows: codingGroupRows(practices, func(g queries.CodingGroup) []Cell {
					return []Cell{{kind: textCell, text: g.Name, Href: l.practice(g.Key), Header: true}, Text(g.Key), Text(g.PCN)}
				}),
				Notes: []string{codingNote(r)},
				long:  longTable{noun: "practices", order: "in name order", narrow: "choose a network or practice in the filters", total: total},
			}
		},
		func(r queries.CodingCompleteness, l linker) charts.Chart {
			rates := make([]practiceRate, len(r.Practices))
			for i, g := range r.Practices {
				rates[i] = practiceRate{name: g.Name, code: g.Key, rate: g.Rate}
			}
			return practiceRateChart(l, rates, "Coded in time", "share coded in time", "Coded in time (%)",
				"no outcomes due, or a count withheld")
		})
}

func codingNote(r queries.CodingCompleteness) string {
	s := "Overall, " + Percent(r.Rate.Percent).Display() + "% of the outcomes due were coded within " + strconv.Itoa(r.WindowDays) + " days"
	if r.AsOf != "" {
		s += " (data up to " + r.AsOf + ")"
	}
	return s + "."
}

func codingCategoriesView() view {
	return newView(srcCoding, "coding-categories", "Outcomes coded, by outcome",
		"Whether attendance, non-attendance and declines are coded equally often.",
		func(r queries.CodingCompleteness, l linker) Table {
			return Table{
				Columns:    cols(text("Outcome"), codingColumns),
				Disclosure: r.Disclosure,
				Rows:       codingGroupRows(r.Categories, func(g queries.CodingGroup) []Cell { return []Cell{RowHeader(g.Key)} }),
			}
		},
		func(r queries.CodingCompleteness, l linker) charts.Chart {
			var keys []string
			var vals []charts.Number
			for _, g := range r.Categories {
				keys = append(keys, g.Key)
				vals = append(vals, pctNum(g.Rate))
			}
			return charts.Bars(keys, []charts.Series{{Name: "Coded in time", Values: vals}}, charts.Axis{Name: "Coded (%)", Percent: true, Full: true}, false)
		})
}

func codingQuartersView() view {
	return newView(srcCoding, "coding-quarters", "Outcomes coded, by referral quarter",
		"The share of each quarter's reported outcomes coded in time. Recent quarters still have outcomes inside the 90-day window.",
		func(r queries.CodingCompleteness, l linker) Table {
			return Table{
				Columns:    cols(text("Referral quarter"), codingColumns),
				Disclosure: r.Disclosure,
				Rows:       codingGroupRows(r.Quarters, func(g queries.CodingGroup) []Cell { return []Cell{RowHeader(g.Key)} }),
			}
		},
		func(r queries.CodingCompleteness, l linker) charts.Chart {
			var keys []string
			var vals []charts.Number
			for _, g := range r.Quarters {
				keys = append(keys, g.Key)
				vals = append(vals, pctNum(g.Rate))
			}
			return quarterFilter(charts.Lines(keys, []charts.Series{{Name: "Coded in time", Values: vals}}, charts.Axis{Name: "Coded (%)", Percent: true, Full: true}), quarterLabels(keys))
		})
}

var srcCodingWorkList = newSource("coding-worklist", workListSource(Store.CodingWorkList))

func codingWorkListView() view {
	return newView(srcCodingWorkList, "coding-worklist", "Outcomes not yet coded in the practice record",
		"Outcomes the provider reported for which the practice record has no matching code. Any one of the codes listed records the outcome.",
		func(tasks []queries.CodingTask, l linker) Table {
			t := Table{Columns: []Column{text("Patient (pseudonym)"), text("Referral"), text("Outcome"), text("Practice told"), text("Code by"), num("Days left"), text("Codes")}}
			for _, k := range tasks {
				left := daysLeftCell(k.DaysLeft, k.Overdue)
				t.Rows = append(t.Rows, row(RowHeader(k.PatientID), Text(k.ReferralID), Text(k.Outcome), Text(k.NotifiedDate), Text(k.Deadline), left, Text(strings.Join(k.Codes, ", "))))
			}
			if len(tasks) > 0 {
				t.Notes = append(t.Notes, "As of "+tasks[0].AsOf+", the last day the loaded data cover.")
			}
			return t
		}, nil)
}
