package dashboard

import (
	"strconv"

	"github.com/uptake-nhs/uptake/dashboard/charts"
	"github.com/uptake-nhs/uptake/queries"
)

// The Non-attenders page: follow-up of people who did not attend.

var srcFollowUp = newSource("followup", Store.FollowUp)

// nonAttenderViews are the Non-attenders page's panels, in page order.
func nonAttenderViews() []view {
	return []view{followUpSummaryView(), followUpPracticesView(), followUpQuartersView(), followUpDaysView(), followUpReEngagementView()}
}

func followUpSummaryView() view {
	return newView(srcFollowUp, "followup-summary", "Follow-up of non-attenders",
		"From everyone who did not attend to those followed up in time. Only people whose follow-up window has passed count towards the rate.",
		func(r queries.FollowUp, l linker) Table {
			w := strconv.Itoa(r.WindowDays)
			t := Table{
				Columns:    []Column{text("Stage"), num("People")},
				Disclosure: r.Disclosure,
				Rows: [][]Cell{
					{RowHeader("Did not attend, declined or did not respond"), CountCell(r.NonAttenders)},
					{RowHeader("Practice not yet told"), CountCell(r.NotYetNotified)},
					{RowHeader("Practice told"), CountCell(r.Notified)},
					{RowHeader("Told less than " + w + " days ago (not yet due)"), CountCell(r.NotYetDue)},
					{RowHeader("Due: " + w + " days have passed"), CountCell(r.Rate.Denominator)},
					{RowHeader("Followed up within " + w + " days"), CountCell(r.Rate.Numerator)},
					{RowHeader("… first by the practice"), CountCell(r.FollowedUpByPractice)},
					{RowHeader("… first by the provider"), CountCell(r.FollowedUpByProvider)},
				},
				Notes: []string{followUpRateNote(r)},
			}
			return t
		},
		func(r queries.FollowUp, l linker) charts.Chart {
			return charts.Funnel([]charts.Stage{
				{Name: "Non-attenders", Value: countNum(r.NonAttenders)},
				{Name: "Practice told", Value: countNum(r.Notified)},
				{Name: "Due for follow-up", Value: countNum(r.Rate.Denominator)},
				{Name: "Followed up in time", Value: countNum(r.Rate.Numerator)},
			})
		})
}

func followUpRateNote(r queries.FollowUp) string {
	if r.Rate.Percent == nil {
		return "The follow-up rate cannot be shown for these filters."
	}
	s := "Follow-up rate: " + Percent(r.Rate.Percent).Display() + "%"
	if r.Rate.CILow != nil && r.Rate.CIHigh != nil {
		s += " (95% CI " + Percent(r.Rate.CILow).Display() + "% to " + Percent(r.Rate.CIHigh).Display() + "%)"
	}
	if r.AsOf != "" {
		s += ", with data up to " + r.AsOf
	}
	return s + "."
}

func followUpPracticesView() view {
	return newView(srcFollowUp, "followup-practices", "Follow-up rate by practice",
		"Each bar is the share of a practice's due non-attenders followed up in time. Select a bar or a practice name to open that practice's work list.",
		func(r queries.FollowUp, l linker) Table {
			t := Table{
				Columns:    cols(text("Practice"), text("Code"), text("Network"), num("Non-attenders"), num("Due"), num("Followed up"), num("By practice"), num("By provider"), ciColumns("Follow-up rate")),
				Disclosure: r.Disclosure,
			}
			practices, total := pageRowsOf(l, r.Practices, nil)
			for _, p := range practices {
				t.Rows = append(t.Rows, row(Cell{kind: textCell, text: p.Name, Href: l.practice(p.Code), Header: true}, Text(p.Code), Text(p.PCN),
					CountCell(p.NonAttenders), CountCell(p.Rate.Denominator), CountCell(p.Rate.Numerator), CountCell(p.FollowedUpByPractice), CountCell(p.FollowedUpByProvider),
					ciCells(p.Rate)))
			}
			t.long = longTable{noun: "practices", order: "in name order", narrow: "choose a network or practice in the filters", total: total}
			return t
		},
		func(r queries.FollowUp, l linker) charts.Chart {
			rates := make([]practiceRate, len(r.Practices))
			for i, p := range r.Practices {
				rates[i] = practiceRate{name: p.Name, code: p.Code, rate: p.Rate}
			}
			return practiceRateChart(l, rates, "Follow-up rate", "follow-up rate", "Followed up in time (%)",
				"nobody due for follow-up, or a count withheld")
		})
}

func followUpQuartersView() view {
	return newView(srcFollowUp, "followup-quarters", "Follow-up rate by referral quarter",
		"The share of each quarter's due non-attenders followed up in time. A quarter with people not yet due may still change.",
		func(r queries.FollowUp, l linker) Table {
			t := Table{
				Columns:    cols(text("Referral quarter"), num("Non-attenders"), num("Not yet due"), num("Due"), num("Followed up"), ciColumns("Follow-up rate")),
				Disclosure: r.Disclosure,
			}
			for _, q := range r.Quarters {
				t.Rows = append(t.Rows, row(RowHeader(q.Quarter), CountCell(q.NonAttenders), CountCell(q.NotYetDue), CountCell(q.Rate.Denominator), CountCell(q.Rate.Numerator), ciCells(q.Rate)))
			}
			return t
		},
		func(r queries.FollowUp, l linker) charts.Chart {
			var qs []string
			var vals []charts.Number
			for _, q := range r.Quarters {
				qs = append(qs, q.Quarter)
				vals = append(vals, pctNum(q.Rate))
			}
			return quarterFilter(charts.Lines(qs, []charts.Series{{Name: "Follow-up rate", Values: vals}}, charts.Axis{Name: "Followed up in time (%)", Percent: true, Full: true}), quarterLabels(qs))
		})
}

func followUpDaysView() view {
	return newView(srcFollowUp, "followup-days", "Days from the practice being told to the first follow-up",
		"How quickly non-attenders were contacted. \"Never\" means no follow-up since the outcome is recorded yet.",
		func(r queries.FollowUp, l linker) Table {
			t := Table{Columns: []Column{text("Days"), num("Non-attenders"), num("Share (%)")}, Disclosure: r.Disclosure}
			for _, b := range r.DaysToFollowUp {
				t.Rows = append(t.Rows, row(RowHeader(b.Bin), CountCell(b.NonAttenders), Percent(b.Percent)))
			}
			return t
		},
		func(r queries.FollowUp, l linker) charts.Chart {
			var bins []string
			var vals []charts.Number
			for _, b := range r.DaysToFollowUp {
				bins = append(bins, b.Bin)
				vals = append(vals, countNum(b.NonAttenders))
			}
			return charts.Bars(bins, []charts.Series{{Name: "Non-attenders", Values: vals}}, peopleAxis("People"), false)
		})
}

func followUpReEngagementView() view {
	return newView(srcFollowUp, "followup-reengagement", "Non-attenders who later attended",
		"The share who came back to a course, by whether they were followed up in time. This shows association, not effect: people who were easy to reach may have come back anyway.",
		func(r queries.FollowUp, l linker) Table {
			t := Table{Columns: cols(text("Group"), num("Non-attenders"), num("Later attended"), ciColumns("Re-engaged")), Disclosure: r.Disclosure}
			for _, g := range []struct {
				name string
				r    queries.Proportion
			}{{"All due non-attenders", r.ReEngagement.All}, {"Followed up in time", r.ReEngagement.FollowedUp}, {"Not followed up in time", r.ReEngagement.NotFollowedUp}} {
				t.Rows = append(t.Rows, row(RowHeader(g.name), CountCell(g.r.Denominator), CountCell(g.r.Numerator), ciCells(g.r)))
			}
			return t
		},
		func(r queries.FollowUp, l linker) charts.Chart {
			return charts.BarsCI([]string{"All", "Followed up in time", "Not followed up in time"}, []charts.CISeries{
				ciSeries("Later attended", []queries.Proportion{r.ReEngagement.All, r.ReEngagement.FollowedUp, r.ReEngagement.NotFollowedUp}, nil),
			}, charts.Axis{Name: "Later attended (%)", Percent: true}, false, nil)
		})
}
