package dashboard

import (
	"strconv"
	"strings"

	"github.com/uptake-nhs/uptake/dashboard/charts"
	"github.com/uptake-nhs/uptake/queries"
)

// The Pathway page: conversion and completion by cohort, the wait for a
// first session, and who keeps coming once started.

var srcConversion = newSource("conversion", Store.ConversionByCohort)

// pathwayViews are the Pathway page's panels after the funnel, in page
// order.
func pathwayViews() []view {
	return []view{conversionCohortsView(), timeToFirstSessionView(), sessionRetentionView()}
}

// cohortLabel names a cohort on a chart axis, saying "provisional" in
// words so that the lighter bar is never the only sign.
func cohortLabel(quarter string, provisional bool) string {
	if provisional {
		return quarter + " (provisional)"
	}
	return quarter
}

func status(provisional bool) Cell {
	if provisional {
		return Text("provisional")
	}
	return Text("final")
}

// ciSeries is a chart series of proportions with their intervals.
func ciSeries(name string, ps []queries.Proportion, provisional []bool) charts.CISeries {
	s := charts.CISeries{Name: name, Provisional: provisional}
	for _, p := range ps {
		s.Values = append(s.Values, pctNum(p))
		s.Low = append(s.Low, charts.FromPtr(p.CILow))
		s.High = append(s.High, charts.FromPtr(p.CIHigh))
	}
	return s
}

func conversionCohortsView() view {
	return newView(srcConversion, "conversion-cohorts", "Conversion and completion, by referral quarter",
		"Each pair of bars is the share of a quarter's eligible referrals who started a course, and who completed one. The line on each bar is the 95% confidence interval. Lighter bars marked (provisional) are cohorts still inside the conversion window: their figures can still rise.",
		func(r queries.ConversionByCohort, l linker) Table {
			t := Table{
				Columns: cols(text("Referral quarter"), text("Status"), num("Eligible referrals"), num("Started"), ciColumns("Conversion"),
					num("Completed"), ciColumns("Completion")),
				Disclosure: r.Disclosure,
			}
			var prov []string
			for _, c := range r.Cohorts {
				t.Rows = append(t.Rows, row(RowHeader(c.Quarter), status(c.Provisional), CountCell(c.Eligible),
					CountCell(c.Conversion.Numerator), ciCells(c.Conversion), CountCell(c.Completion.Numerator), ciCells(c.Completion)))
				if c.Provisional {
					prov = append(prov, c.Quarter)
				}
			}
			t.Notes = append(t.Notes, "Started means attended a session within "+strconv.Itoa(r.WindowDays)+" days of referral; completed means attended "+
				strconv.Itoa(r.CompletionSessions)+" or more sessions.")
			if len(prov) > 0 {
				t.Notes = append(t.Notes, "Provisional cohorts ("+strings.Join(prov, ", ")+") have not had "+strconv.Itoa(r.WindowDays)+
					" days since every referral"+asOfSuffix(r.AsOf)+"; their figures may still rise.")
			}
			return t
		},
		func(r queries.ConversionByCohort, l linker) charts.Chart {
			var cats []string
			var conv, comp []queries.Proportion
			var prov []bool
			labels := map[string]string{}
			for _, c := range r.Cohorts {
				cats = append(cats, cohortLabel(c.Quarter, c.Provisional))
				labels[cats[len(cats)-1]] = c.Quarter
				conv, comp = append(conv, c.Conversion), append(comp, c.Completion)
				prov = append(prov, c.Provisional)
			}
			return quarterFilter(charts.BarsCI(cats, []charts.CISeries{ciSeries("Conversion", conv, prov), ciSeries("Completion", comp, prov)},
				charts.Axis{Name: "Share of eligible referrals (%)", Percent: true, Full: true}, false, nil), labels)
		})
}

var srcTimeToFirst = newSource("time-to-first-session", Store.TimeToFirstSession)

// days is a number of days with one decimal (medians may end in .5), "*"
// when withheld, or a dash when there is none.
func days(v *float64, suppressed bool) Cell {
	if suppressed {
		return Cell{kind: suppressedCell}
	}
	if v == nil {
		return Missing()
	}
	return Float(*v, 1)
}

// daysNum draws a number of days: withheld when suppressed.
func daysNum(v *float64, suppressed bool) charts.Number {
	if suppressed {
		return charts.Withheld()
	}
	return charts.FromPtr(v)
}

func timeToFirstSessionView() view {
	return newView(srcTimeToFirst, "time-to-first-session", "Days from referral to the first session",
		"The median (half of people waited less) and the 90th percentile (one in ten waited longer), by referral quarter. Hollow points are provisional cohorts, whose waits are understated until their window closes.",
		func(r queries.TimeToFirstSession, l linker) Table {
			t := Table{Columns: cols(text("Referral quarter"), text("Status"), num("People who started"), num("Median (days)"), num("90th percentile (days)")), Disclosure: r.Disclosure}
			o := r.Overall
			t.Rows = append(t.Rows, row(RowHeader("All quarters"), status(o.Provisional), CountCell(o.People), days(o.MedianDays, o.Suppressed), days(o.P90Days, o.Suppressed)))
			for _, c := range r.Cohorts {
				t.Rows = append(t.Rows, row(RowHeader(c.Quarter), status(c.Provisional), CountCell(c.People), days(c.MedianDays, c.Suppressed), days(c.P90Days, c.Suppressed)))
			}
			t.Notes = append(t.Notes, "Percentiles: "+r.Method, "Percentiles of fewer than 8 people are not shown (*), as they could describe one person.")
			return t
		},
		func(r queries.TimeToFirstSession, l linker) charts.Chart {
			var qs []string
			med := charts.Series{Name: "Median"}
			p90 := charts.Series{Name: "90th percentile"}
			for _, c := range r.Cohorts {
				qs = append(qs, c.Quarter)
				med.Values, p90.Values = append(med.Values, daysNum(c.MedianDays, c.Suppressed)), append(p90.Values, daysNum(c.P90Days, c.Suppressed))
				med.Provisional, p90.Provisional = append(med.Provisional, c.Provisional), append(p90.Provisional, c.Provisional)
			}
			return quarterFilter(charts.TrendLines(qs, []charts.Series{med, p90}, daysAxis()), quarterLabels(qs))
		})
}

var srcRetention = newSource("session-retention", Store.SessionRetention)

func sessionRetentionView() view {
	return newView(srcRetention, "session-retention", "Who keeps coming: attendance at each session",
		"Of the people who started a course, the share present at each of the seven sessions, with its 95% confidence interval. Only courses that had held a session by the end of the data count for it.",
		func(r queries.SessionRetention, l linker) Table {
			t := Table{Columns: cols(text("Session"), num("Starters whose course held it"), num("Present"), ciColumns("Present")), Disclosure: r.Disclosure}
			for _, s := range r.Sessions {
				t.Rows = append(t.Rows, row(RowHeader("Session "+strconv.Itoa(s.Session)), CountCell(s.Present.Denominator), CountCell(s.Present.Numerator), ciCells(s.Present)))
			}
			t.Notes = append(t.Notes, CountCell(r.Starters).Display()+" people started a course"+asOfSuffix(r.AsOf)+". Session 1 can be below 100%: someone who missed it but came to session 2 has started.")
			return t
		},
		func(r queries.SessionRetention, l linker) charts.Chart {
			var cats []string
			var ps []queries.Proportion
			for _, s := range r.Sessions {
				cats = append(cats, "Session "+strconv.Itoa(s.Session))
				ps = append(ps, s.Present)
			}
			return charts.BarsCI(cats, []charts.CISeries{ciSeries("Present", ps, nil)}, charts.Axis{Name: "Starters present (%)", Percent: true, Full: true}, false, nil)
		})
}
