package dashboard

import (
	"strings"

	"github.com/uptake-nhs/uptake/dashboard/charts"
	"github.com/uptake-nhs/uptake/queries"
)

// The Equity page: conversion by age, sex, ethnic group, language,
// deprivation and patient or carer, each with its interval and the value
// for everyone beside it.

var srcEquity = newSource("equity", Store.Equity)

// equityDimensions lists the dimensions of queries.Equity by key, in page
// order, with how to read each.
var equityDimensions = []struct{ key, title, howToRead string }{
	{"age_band", "Conversion by age band", "The share of eligible referrals in each age band who started a course."},
	{"sex", "Conversion by sex", "The share of eligible referrals of each sex who started a course."},
	{"ethnic_group", "Conversion by ethnic group", "The share of eligible referrals in each ethnic group who started a course. Small groups have wide intervals."},
	{"language", "Conversion by preferred language", "The share of eligible referrals preferring each language who started a course. Courses run in English and Turkish."},
	{"imd_quintile", "Conversion by deprivation", "The share of eligible referrals in each deprivation quintile who started a course; quintile 1 is the most deprived fifth of England."},
	{"patient_or_carer", "Conversion of patients and carers", "The share of eligible referrals of patients, and of carers, who started a course."},
}

// equityViewName is the view's name for a dimension key, e.g.
// "equity-age-band".
func equityViewName(key string) string { return "equity-" + strings.ReplaceAll(key, "_", "-") }

func equityDimension(r queries.Equity, key string) queries.EquityDimension {
	for _, d := range r.Dimensions {
		if d.Key == key {
			return d
		}
	}
	return queries.EquityDimension{Key: key}
}

// equityViews are the Equity page's panels: one per dimension of
// equityDimensions, in page order.
func equityViews() []view {
	var out []view
	for _, ev := range equityDimensions {
		out = append(out, newView(srcEquity, equityViewName(ev.key), ev.title,
			ev.howToRead+" The line through each dot is its 95% confidence interval, the range the true value is likely to lie in; the dashed line is everyone's conversion.",
			func(r queries.Equity, l linker) Table {
				d := equityDimension(r, ev.key)
				title := d.Title
				if title == "" {
					title = "Group"
				}
				t := Table{Columns: cols(text(title), num("Eligible referrals (final cohorts)"), num("Started"), ciColumns("Conversion")), Disclosure: r.Disclosure}
				for _, g := range d.Groups {
					t.Rows = append(t.Rows, row(RowHeader(g.Value), CountCell(g.Conversion.Denominator), CountCell(g.Conversion.Numerator), ciCells(g.Conversion)))
				}
				t.Rows = append(t.Rows, row(RowHeader("Everyone"), CountCell(r.Overall.Denominator), CountCell(r.Overall.Numerator), ciCells(r.Overall)))
				t.Notes = append(t.Notes, "Only referrals whose conversion window has closed count"+asOfSuffix(r.AsOf)+".")
				return t
			},
			func(r queries.Equity, l linker) charts.Chart {
				d := equityDimension(r, ev.key)
				var cats []string
				var ps []queries.Proportion
				for _, g := range d.Groups {
					cats = append(cats, g.Value)
					ps = append(ps, g.Conversion)
				}
				c := charts.DotsCI(cats, []charts.CISeries{ciSeries("Conversion", ps, nil)}, charts.Axis{Name: "Conversion (%)", Percent: true},
					&charts.Reference{Name: "Everyone", Value: charts.FromPtr(r.Overall.Percent)})
				if ev.key == "language" {
					// Language is a filter of the page; the other groups are not.
					c = c.FilterBy("language", map[string]string{})
					for _, g := range d.Groups {
						c.Filter.Items[g.Value] = charts.FilterItem{Field: "language", Value: g.Value}
					}
				}
				return c
			}))
	}
	return out
}
