package dashboard

import (
	"strconv"
	"strings"

	"github.com/uptake-nhs/uptake/dashboard/charts"
	"github.com/uptake-nhs/uptake/queries"
)

// Helpers shared by the views_*.go files.

// num is a numeric column.
func num(label string) Column { return Column{Label: label, Numeric: true} }

// text is a text column.
func text(label string) Column { return Column{Label: label} }

// ciColumns are the three columns of a percentage with its 95% interval.
func ciColumns(label string) []Column {
	return []Column{num(label + " (%)"), num("95% CI low (%)"), num("95% CI high (%)")}
}

// ciCells are the cells for ciColumns. A proportion withheld because a
// count is "*" shows "*" for its percentage too, so that it never reads
// as a value that is merely missing, and no interval.
func ciCells(p queries.Proportion) []Cell {
	if p.Numerator.Suppressed || p.Denominator.Suppressed {
		return []Cell{CountCell(queries.Count{Suppressed: true}), Missing(), Missing()}
	}
	return []Cell{Percent(p.Percent), Percent(p.CILow), Percent(p.CIHigh)}
}

// row joins cells and groups of cells into one table row.
func row(parts ...any) []Cell {
	var out []Cell
	for _, p := range parts {
		switch p := p.(type) {
		case Cell:
			out = append(out, p)
		case []Cell:
			out = append(out, p...)
		}
	}
	return out
}

// cols joins columns and groups of columns.
func cols(parts ...any) []Column {
	var out []Column
	for _, p := range parts {
		switch p := p.(type) {
		case Column:
			out = append(out, p)
		case []Column:
			out = append(out, p...)
		}
	}
	return out
}

// countNum draws a published count; a suppressed count is drawn as
// withheld.
func countNum(c queries.Count) charts.Number {
	if n, ok := c.Value(); ok {
		return charts.Num(float64(n))
	}
	return charts.Withheld()
}

// pctNum draws a proportion's percentage: withheld when a count it is
// worked out from is withheld, a gap when there is nobody to count.
func pctNum(p queries.Proportion) charts.Number {
	if p.Percent == nil && (p.Numerator.Suppressed || p.Denominator.Suppressed) {
		return charts.Withheld()
	}
	return charts.FromPtr(p.Percent)
}

// peopleAxis is a value axis of counts of people.
func peopleAxis(name string) charts.Axis { return charts.Axis{Name: name, Unit: " people"} }

// daysAxis is a value axis of days, to one decimal (medians may end in .5).
func daysAxis() charts.Axis { return charts.Axis{Name: "Days", Unit: " days", Decimals: 1} }

// quarterFilter makes each quarter category filter the page to that
// quarter; labels maps a category's label to its quarter where they differ
// ("2026Q1 (provisional)").
func quarterFilter(c charts.Chart, labels map[string]string) charts.Chart {
	return c.FilterBy("quarter", labels)
}

// quarterLabels maps each quarter to itself, for quarterFilter.
func quarterLabels(qs []string) map[string]string {
	out := make(map[string]string, len(qs))
	for _, q := range qs {
		out[q] = q
	}
	return out
}

// practiceLabel names a practice uniquely for charts (names may repeat).
func practiceLabel(name, code string) string { return name + " (" + code + ")" }

// bandsChart draws a percentage per unit (practice, venue) as how many
// units lie in each 10-point band, for lists too long for a bar each
// (more than charts.MaxBars). units is the plural, e.g. "practices";
// measure names the percentage, e.g. "follow-up rate"; axis labels it,
// e.g. "Followed up in time (%)"; missing says why a unit may have no
// percentage; narrow says how to get a bar per unit again.
func bandsChart(values []charts.Number, units, measure, axis, missing, narrow string) charts.Chart {
	gaps := 0
	for _, v := range values {
		if !v.OK {
			gaps++
		}
	}
	c := charts.PercentBands(values, strings.ToUpper(units[:1])+units[1:], axis)
	c.Caption = "There are " + groupThousands(strconv.Itoa(len(values))) + " " + units + ", too many for a bar each: each bar counts the " +
		units + " whose " + measure + " lies in a 10-point band."
	if gaps > 0 {
		c.Caption += " " + groupThousands(strconv.Itoa(gaps)) + " " + units + " have no " + measure + " to count (" + missing + ")."
	}
	c.Caption += " The table lists the " + units
	if narrow != "" {
		c.Caption += "; " + narrow + " to see a bar for each"
	}
	c.Caption += "."
	return c
}

// practiceRate is one practice's rate in a by-practice chart.
type practiceRate struct {
	name, code string
	rate       queries.Proportion
}

// practiceRateChart draws one bar per practice, each opening the
// practice's page; past charts.MaxBars practices it draws how many fall in
// each 10-point band instead (bandsChart), since thousands of bars say
// nothing. series names the bars, measure the rate in words, axis the value
// axis, and missing the practices without a rate.
func practiceRateChart(l linker, rates []practiceRate, series, measure, axis, missing string) charts.Chart {
	if len(rates) > charts.MaxBars {
		vals := make([]charts.Number, len(rates))
		for i, r := range rates {
			vals[i] = pctNum(r.rate)
		}
		return bandsChart(vals, "practices", measure, axis, missing, "choose a network in the filters")
	}
	names := make([]string, len(rates))
	vals := make([]charts.Number, len(rates))
	links := map[string]string{}
	codes := map[string]string{}
	for i, r := range rates {
		names[i] = practiceLabel(r.name, r.code)
		vals[i] = pctNum(r.rate)
		links[names[i]] = l.practice(r.code)
		codes[names[i]] = r.code
	}
	c := charts.Bars(names, []charts.Series{{Name: series, Values: vals}}, charts.Axis{Name: axis, Percent: true, Full: true}, true)
	c.Links = links
	return practiceFilter(c, codes)
}

// practiceFilter makes each practice of a chart, named as practiceLabel
// names it, filter the page to that practice; codes maps the names to ODS
// codes. Clicking a practice offers its page too (uptake.js).
func practiceFilter(c charts.Chart, codes map[string]string) charts.Chart {
	c = c.FilterBy("practice", codes)
	for name, item := range c.Filter.Items {
		if item.Field == "practice" {
			item.Label = name
			c.Filter.Items[name] = item
		}
	}
	return c
}
