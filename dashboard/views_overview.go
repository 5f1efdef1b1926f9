package dashboard

import (
	"strconv"
	"strings"

	"github.com/uptake-nhs/uptake/dashboard/charts"
	"github.com/uptake-nhs/uptake/queries"
)

// The Overview page: headline tiles (page_overview.go), quarterly trends
// and the pathway funnel.

// srcHeadline feeds the tiles (page_overview.go) and /api/headline.
var srcHeadline = newSource("headline", Store.Headline)

var srcTrends = newSource("trends", Store.Trends)

// trendViews are the overview's quarterly trends, in page order; the
// funnel (funnelView) follows them.
func trendViews() []view { return []view{trendsRatesView(), trendsReferralsView()} }

// provisionalMeasures names, in words, the measures of a quarter that may
// still change.
func provisionalMeasures(q queries.TrendQuarter) string {
	var out []string
	if q.Conversion.Provisional {
		out = append(out, "conversion", "completion")
	}
	if q.FollowUp.Provisional {
		out = append(out, "follow-up")
	}
	if q.Coding.Provisional {
		out = append(out, "coding")
	}
	if len(out) == 0 {
		return "final"
	}
	return "provisional: " + strings.Join(out, ", ")
}

// trendRate is one measure of Trends as a chart series.
func trendRate(name string, qs []queries.TrendQuarter, pick func(queries.TrendQuarter) queries.TrendRate) charts.Series {
	s := charts.Series{Name: name}
	for _, q := range qs {
		r := pick(q)
		s.Values = append(s.Values, trendNum(r))
		s.Provisional = append(s.Provisional, r.Provisional)
	}
	return s
}

// trendNum draws a trend's percentage, withheld when its counts are.
func trendNum(r queries.TrendRate) charts.Number { return pctNum(r.Proportion) }

func trendQuarters(qs []queries.TrendQuarter) []string {
	out := make([]string, len(qs))
	for i, q := range qs {
		out[i] = q.Quarter
	}
	return out
}

func trendsRatesView() view {
	return newView(srcTrends, "trends-rates", "Conversion, completion, follow-up and coding, by referral quarter",
		"Each line follows the people referred in a quarter. Hollow points are provisional: that cohort is still inside its window and its figure may still change. Drag the slider under the chart to narrow the quarters.",
		func(r queries.Trends, l linker) Table {
			t := Table{
				Columns:    cols(text("Referral quarter"), num("Conversion (%)"), num("Completion (%)"), num("Follow-up rate (%)"), num("Coding completeness (%)"), text("Status")),
				Disclosure: r.Disclosure,
			}
			for _, q := range r.Quarters {
				t.Rows = append(t.Rows, row(RowHeader(q.Quarter), Percent(q.Conversion.Percent), Percent(q.Completion.Percent),
					Percent(q.FollowUp.Percent), Percent(q.Coding.Percent), Text(provisionalMeasures(q))))
			}
			t.Notes = append(t.Notes, "Conversion and completion are of eligible referrals within "+strconv.Itoa(r.WindowDays)+" days of referral"+asOfSuffix(r.AsOf)+".")
			for _, rv := range r.References {
				t.Notes = append(t.Notes, referenceNotes(trendTitles[rv.Indicator], []queries.ReferenceValue{rv})...)
			}
			return t
		},
		func(r queries.Trends, l linker) charts.Chart {
			qs := trendQuarters(r.Quarters)
			ch := charts.TrendLines(qs, []charts.Series{
				trendRate("Conversion", r.Quarters, func(q queries.TrendQuarter) queries.TrendRate { return q.Conversion }),
				trendRate("Completion", r.Quarters, func(q queries.TrendQuarter) queries.TrendRate { return q.Completion }),
				trendRate("Follow-up rate", r.Quarters, func(q queries.TrendQuarter) queries.TrendRate { return q.FollowUp }),
				trendRate("Coding completeness", r.Quarters, func(q queries.TrendQuarter) queries.TrendRate { return q.Coding }),
			}, charts.Axis{Name: "Share (%)", Percent: true, Full: true})
			return quarterFilter(charts.WithReferenceLines(ch, trendReferenceLines(r, qs)), quarterLabels(qs))
		})
}

func trendsReferralsView() view {
	return newView(srcTrends, "trends-referrals", "Referrals, by quarter",
		"How many referrals were made each quarter. Drag the slider under the chart to narrow the quarters.",
		func(r queries.Trends, l linker) Table {
			t := Table{Columns: cols(text("Referral quarter"), num("Referrals"), num("Change on the quarter before")), Disclosure: r.Disclosure}
			for _, q := range r.Quarters {
				change := Missing()
				if q.ReferralsChange != nil {
					change = Int(*q.ReferralsChange)
				}
				t.Rows = append(t.Rows, row(RowHeader(q.Quarter), CountCell(q.Referrals), change))
			}
			return t
		},
		func(r queries.Trends, l linker) charts.Chart {
			s := charts.Series{Name: "Referrals"}
			for _, q := range r.Quarters {
				s.Values = append(s.Values, countNum(q.Referrals))
			}
			qs := trendQuarters(r.Quarters)
			return quarterFilter(charts.TrendLines(qs, []charts.Series{s}, peopleAxis("Referrals")), quarterLabels(qs))
		})
}

var srcFunnel = newSource("funnel", Store.Funnel)

// funnelView is on the Overview and the Pathway page.

func funnelView() view {
	return newView(srcFunnel, "funnel", "From referral to completing a course",
		"Each stage is a subset of the one above, so the drop between two stages is the people lost there.",
		func(r queries.Funnel, l linker) Table {
			t := Table{Columns: cols(text("Stage"), num("People"), num("Share of referred (%)"), num("Share of the stage before (%)")), Disclosure: r.Disclosure}
			for _, s := range r.Stages {
				t.Rows = append(t.Rows, row(RowHeader(s.Label), CountCell(s.People), Percent(s.PercentOfReferred), Percent(s.PercentOfPrevious)))
			}
			if r.Provisional {
				t.Notes = append(t.Notes, "Provisional: "+CountCell(r.ProvisionalReferrals).Display()+" of these referrals (from "+
					strings.Join(r.ProvisionalQuarters, ", ")+") are less than "+strconv.Itoa(r.WindowDays)+
					" days old"+asOfSuffix(r.AsOf)+", so the later stages may still grow.")
			}
			return t
		},
		func(r queries.Funnel, l linker) charts.Chart {
			var stages []charts.Stage
			for _, s := range r.Stages {
				stages = append(stages, charts.Stage{Name: s.Label, Value: countNum(s.People)})
			}
			return charts.Funnel(stages)
		})
}

// asOfSuffix is ", with data up to DATE" or nothing.
func asOfSuffix(asOf string) string {
	if asOf == "" {
		return ""
	}
	return " (data up to " + asOf + ")"
}

// trendTitles name the indicators of reference values on the trends.
var trendTitles = map[string]string{"conversion": "Conversion", "completion": "Completion", "follow_up": "Follow-up rate", "coding": "Coding completeness"}

// trendReferenceLines draws the trends' reference values: across every
// quarter shown, or at its own quarter.
func trendReferenceLines(r queries.Trends, qs []string) []charts.ReferenceLine {
	var out []charts.ReferenceLine
	for _, rv := range r.References {
		l := charts.ReferenceLine{Name: trendTitles[rv.Indicator] + ": " + referenceName(rv)}
		for _, q := range qs {
			if rv.Period == "" || rv.Period == q {
				l.Points = append(l.Points, [2]any{q, charts.Num(rv.Value)})
			}
		}
		if len(l.Points) > 0 {
			out = append(out, l)
		}
	}
	return out
}
