package dashboard

import (
	"strconv"
	"strings"

	"github.com/uptake-nhs/uptake/dashboard/charts"
	"github.com/uptake-nhs/uptake/queries"
	"github.com/uptake-nhs/uptake/queries/stats"
)

// The Practices page: each practice against the borough on funnel plots,
// and the text message campaigns.

var srcBenchmark = shapedForAPI(newSource("benchmark", Store.PracticeBenchmark), shapeBenchmark)

// benchmarkMeasure picks one of the three measures of a benchmark.
type benchmarkMeasure struct {
	name, title, howToRead string
	measure                func(queries.PracticeBenchmark) queries.BenchmarkMeasure
	value                  func(queries.PracticeBenchmarkRow) queries.PracticeMeasure
}

var benchmarkMeasures = []benchmarkMeasure{
	{"benchmark-conversion", "Conversion by practice, against the borough",
		"Each point is a practice: across, how many eligible referrals it made (final cohorts only); up, the share who started a course. Points outside the dashed (95%) or dotted (99.8%) lines differ from the borough by more than chance would explain; the table says which in words. Select a point or a practice to open its page.",
		func(b queries.PracticeBenchmark) queries.BenchmarkMeasure { return b.Conversion },
		func(r queries.PracticeBenchmarkRow) queries.PracticeMeasure { return r.Conversion }},
	{"benchmark-referral-rate", "Referral rate by practice, against the borough",
		"Each point is a practice: across, its type 2 diabetes register; up, the share of people on it referred. Points outside the lines differ from the borough by more than chance would explain. Select a point or a practice to open its page.",
		func(b queries.PracticeBenchmark) queries.BenchmarkMeasure { return b.ReferralRate },
		func(r queries.PracticeBenchmarkRow) queries.PracticeMeasure { return r.ReferralRate }},
	{"benchmark-followup", "Follow-up of non-attenders by practice, against the borough",
		"Each point is a practice: across, its non-attenders due a follow-up; up, the share followed up in time. Points outside the lines differ from the borough by more than chance would explain. Select a point or a practice to open its page.",
		func(b queries.PracticeBenchmark) queries.BenchmarkMeasure { return b.FollowUp },
		func(r queries.PracticeBenchmarkRow) queries.PracticeMeasure { return r.FollowUp }},
}

// rankCell is "5 of 35" (or "1,891 of 6,500"), or a dash for a practice not compared.
func rankCell(rank *int, ranked int) Cell {
	if rank == nil {
		return Missing()
	}
	return Text(groupThousands(strconv.Itoa(*rank)) + " of " + groupThousands(strconv.Itoa(ranked)))
}

// benchmarkViews are the funnel plots of benchmarkMeasures, in page order.
func benchmarkViews() []view {
	var out []view
	for _, m := range benchmarkMeasures {
		out = append(out, newView(srcBenchmark, m.name, m.title, m.howToRead,
			func(r queries.PracticeBenchmark, l linker) Table {
				bm := m.measure(r)
				columns := cols(text("Practice"), text("Code"), text("Network"), num(bm.NumeratorLabel), num(bm.DenominatorLabel),
					ciColumns(bm.Title), text(comparedColumn(r.Comparator, bm)), text("Rank in "+comparatorWords(r.Comparator)))
				if bm.Adjusted {
					columns = append(columns, text("Against the plain limits"))
				}
				t := Table{
					Columns:    columns,
					Disclosure: r.Disclosure,
					Sortable:   true,
					RowLinks:   true,
				}
				// A long table shows the practices outside the limits first:
				// those are the ones the funnel plot asks about.
				var beyond998, beyond95, inside []int
				for i, p := range r.Practices {
					switch m.value(p).Label {
					case stats.HighSevere, stats.LowSevere:
						beyond998 = append(beyond998, i)
					case stats.High, stats.Low:
						beyond95 = append(beyond95, i)
					default:
						inside = append(inside, i)
					}
				}
				first := append(append(beyond998, beyond95...), inside...)
				t.long = longTable{
					noun:   "practices",
					order:  "those outside the 99.8% limits first, then those outside the 95% limits, then the rest, each in name order",
					narrow: "choose a network or practice in the filters",
					first:  first,
				}
				rowOf := func(p queries.PracticeBenchmarkRow) []Cell {
					v := m.value(p)
					cells := row(Cell{kind: textCell, text: p.Name, Href: l.practice(p.Code), Header: true}, Text(p.Code), Text(p.PCN),
						CountCell(v.Numerator), CountCell(v.Denominator), ciCells(v.Proportion), Text(v.Label), rankCell(v.Rank, bm.Ranked))
					if bm.Adjusted {
						cells = append(cells, Text(plainLabel(v)))
					}
					return cells
				}
				practices, total := pageRowsOf(l, r.Practices, first)
				if total > 0 {
					t.long.first, t.long.total = nil, total // made in the page's order
				}
				for _, p := range practices {
					t.Rows = append(t.Rows, rowOf(p))
				}
				t.Notes = append(t.Notes, benchmarkNote(r.Comparator, bm))
				t.Notes = append(t.Notes, referenceNotes(bm.Title, bm.References)...)
				return t
			},
			func(r queries.PracticeBenchmark, l linker) charts.Chart {
				bm := m.measure(r)
				d := charts.FunnelPlotData{XName: bm.DenominatorLabel, YName: bm.Title + " (%)", Measure: bm.Title,
					NumeratorName: lowerFirst(bm.NumeratorLabel), DenominatorName: lowerFirst(bm.DenominatorLabel), Noun: "practices", Field: "practice"}
				if bm.Baseline != nil {
					d.Baseline = *bm.Baseline
				}
				d.Adjusted = bm.Adjusted
				d.Selected = r.Filter.Practice
				for _, rv := range bm.References {
					d.References = append(d.References, charts.Reference{Name: referenceName(rv), Value: charts.Num(rv.Value)})
				}
				if !againstBorough(r.Comparator) {
					d.Against = comparatorWords(r.Comparator)
				}
				for _, c := range bm.Curve {
					d.Limits = append(d.Limits, charts.Limit{Denominator: float64(c.Denominator), Lower95: c.Lower95, Upper95: c.Upper95, Lower998: c.Lower998, Upper998: c.Upper998})
				}
				for _, p := range r.Practices {
					v := m.value(p)
					// A practice whose rate is not shown (withheld, no
					// denominator, a stale register) is not plotted.
					n, ok := v.Denominator.Value()
					if !ok || pctNum(v.Proportion).Withheld {
						d.Withheld++
						continue
					}
					if v.Percent == nil {
						continue
					}
					d.Units = append(d.Units, charts.Unit{Name: practiceLabel(p.Name, p.Code), Href: l.practice(p.Code), Code: p.Code,
						Denominator: float64(n), Value: charts.FromPtr(v.Percent), Low: charts.FromPtr(v.CILow), High: charts.FromPtr(v.CIHigh),
						Numerator: CountCell(v.Numerator).Display(), Label: v.Label})
				}
				ch := charts.FunnelPlot(d)
				var caption []string
				if !againstBorough(r.Comparator) {
					caption = append(caption, "Compared with "+r.Comparator.Name+": "+strconv.Itoa(r.Comparator.Practices)+" practices, whose total is the centre line.")
				}
				if bm.Adjusted {
					caption = append(caption, overdispersionCaption(bm))
				}
				ch.Caption = strings.Join(caption, " ")
				return ch
			}))
	}
	return out
}

// lowerFirst lower-cases the first letter of a label for use mid-sentence.
func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func benchmarkNote(c queries.Comparator, bm queries.BenchmarkMeasure) string {
	if bm.Baseline == nil {
		return "There is no value of " + comparatorWords(c) + " to compare with for these filters."
	}
	note := comparatorHeading(c) + ": " + Percent(bm.Baseline).Display() + "%. \"High\" or \"Low (0.025)\" lies beyond the 95% limits, \"(0.001)\" beyond the 99.8% limits. "
	switch {
	case againstBorough(c):
		note += "The comparison is with the whole borough; the network and practice filters choose which practices are listed."
	default:
		note += "The comparison is with " + c.Name + ", " + strconv.Itoa(c.Practices) + " practices, all listed: their total is the centre line, and the limits and ranks are among them."
	}
	if c.Note != "" {
		note += " " + c.Note
	}
	switch {
	case bm.Adjusted:
		note += " " + overdispersionCaption(bm) + " The last column gives each practice's label against the plain Fingertips limits."
	case bm.Overdispersed:
		note += " The practices differ more than chance alone would make them (dispersion ratio φ = " + strconv.FormatFloat(bm.Phi, 'f', 2, 64) +
			"), but the configuration asks for the plain limits, so more practices lie beyond them than chance would explain."
	case bm.DispersionUnits >= 2:
		note += " The practices differ no more than chance would make them (dispersion ratio φ = " + strconv.FormatFloat(bm.Phi, 'f', 2, 64) + "): the plain limits apply."
	}
	return note
}

// referenceName labels a reference value's line: its label, and its
// quarter when it is for one.
func referenceName(rv queries.ReferenceValue) string {
	if rv.Period != "" {
		return rv.Label + " (" + rv.Period + ")"
	}
	return rv.Label
}

// referenceNotes lists a measure's reference values under its table, each
// with its source: "Reference for conversion: England 8.7% (National
// Diabetes Audit).".
func referenceNotes(title string, refs []queries.ReferenceValue) []string {
	var out []string
	for _, rv := range refs {
		out = append(out, "Reference for "+lowerFirst(title)+": "+referenceName(rv)+", "+strconv.FormatFloat(rv.Value, 'f', -1, 64)+
			"% (source: "+rv.Source+"), drawn as a dashed line.")
	}
	return out
}

// againstBorough reports whether c is the borough (the default).
func againstBorough(c queries.Comparator) bool {
	return c.Kind == "" || c.Kind == queries.CompareBorough
}

// overdispersionCaption says that, and by how much, a funnel plot's limits
// are widened.
func overdispersionCaption(bm queries.BenchmarkMeasure) string {
	return "Limits adjusted for overdispersion: the practices differ more than chance alone would make them (dispersion ratio φ = " +
		strconv.FormatFloat(bm.Phi, 'f', 2, 64) + ", between-practice variance τ² = " + strconv.FormatFloat(bm.Tau2, 'g', 3, 64) +
		"), so the limits are widened by it, as the NHS does for SHMI (Spiegelhalter 2005)."
}

// plainLabel is a practice's label against the plain Fingertips limits
// when the limits drawn are adjusted for overdispersion: "Not compared"
// when it has none.
func plainLabel(v queries.PracticeMeasure) string {
	if v.PlainLabel == "" {
		return v.Label
	}
	return v.PlainLabel
}

var srcCampaigns = newSource("campaigns", Store.CampaignEffect)

// campaignWindows says in words whether a campaign's comparison is fair.
func campaignWindows(c queries.Campaign) string {
	switch {
	case !c.BeforeComplete && !c.AfterComplete:
		return "both windows incomplete"
	case !c.BeforeComplete:
		return "before window starts before the data"
	case !c.AfterComplete:
		return "after window not over yet"
	case c.Overlaps:
		return "overlaps another campaign"
	}
	return "complete"
}

func campaignLabel(c queries.Campaign) string {
	return c.PracticeName + " (" + c.PracticeCode + "), " + c.DateSent
}

func campaignsView() view {
	return newView(srcCampaigns, "campaigns", "Text message campaigns",
		"For each text message a practice sent its patients with type 2 diabetes, the referrals from that practice in the 8 weeks before and the 8 weeks after. A rise suggests, but does not prove, that the message helped.",
		func(r queries.CampaignEffect, l linker) Table {
			w := strconv.Itoa(r.WindowDays)
			t := Table{
				Columns: cols(text("Practice"), text("Code"), text("Sent"), num("Messages"), num("Referrals in the "+w+" days before"), num("Referrals in the "+w+" days after"),
					num("Difference"), num("After ÷ before"), text("Windows")),
				Disclosure: r.Disclosure,
				Sortable:   true,
			}
			long := longTable{noun: "campaigns", order: "the most recent first", narrow: "choose a network or practice in the filters", first: newestFirst(len(r.Campaigns))}
			campaigns, total := pageRowsOf(l, r.Campaigns, long.first)
			if total > 0 {
				long.first, long.total = nil, total // made in the page's order
			}
			for _, c := range campaigns {
				diff, ratio := Missing(), Missing()
				if c.Difference != nil {
					diff = Int(*c.Difference)
				}
				if c.Ratio != nil {
					ratio = Float(*c.Ratio, 2)
				}
				t.Rows = append(t.Rows, row(Cell{kind: textCell, text: c.PracticeName, Href: l.practice(c.PracticeCode), Header: true}, Text(c.PracticeCode), Text(c.DateSent),
					Int(c.Messages), CountCell(c.Before), CountCell(c.After), diff, ratio, Text(campaignWindows(c))))
			}
			s := r.Summary
			note := strconv.Itoa(s.Campaigns) + " campaigns with complete, separate windows: " + CountCell(s.Before).Display() + " referrals before and " +
				CountCell(s.After).Display() + " after"
			if s.Ratio != nil {
				note += " (after ÷ before = " + strconv.FormatFloat(*s.Ratio, 'f', 2, 64) + ")"
			}
			note += ". Left out of that sum: " + strconv.Itoa(s.Incomplete) + " with a window not complete, " + strconv.Itoa(s.Overlapping) + " overlapping another campaign."
			t.Notes = append(t.Notes, note, "Before and after is not a controlled comparison: referrals also move with the season and other work at the practice.")
			t.long = long
			return t
		},
		func(r queries.CampaignEffect, l linker) charts.Chart {
			drawn, caption := r.Campaigns, ""
			if len(drawn) > charts.MaxBars {
				drawn, caption = recentCampaigns(r.Campaigns)
			}
			var cats []string
			before, after := charts.Series{Name: "8 weeks before"}, charts.Series{Name: "8 weeks after"}
			links, codes := map[string]string{}, map[string]string{}
			for _, c := range drawn {
				name := campaignLabel(c)
				cats = append(cats, name)
				before.Values, after.Values = append(before.Values, countNum(c.Before)), append(after.Values, countNum(c.After))
				links[name] = l.practice(c.PracticeCode)
				codes[name] = c.PracticeCode
			}
			ch := charts.Bars(cats, []charts.Series{before, after}, peopleAxis("Referrals"), true)
			ch.Links = links
			ch.Caption = caption
			ch = practiceFilter(ch, codes)
			for _, c := range drawn {
				it := ch.Filter.Items[campaignLabel(c)]
				it.Label = practiceLabel(c.PracticeName, c.PracticeCode)
				ch.Filter.Items[campaignLabel(c)] = it
			}
			return ch
		})
}

// recentCampaigns is the campaigns a chart draws when there are too many
// for a pair of bars each: the most recent campaignsDrawn whose windows
// are complete and separate (campaigns come in date order), and a caption
// saying so.
func recentCampaigns(all []queries.Campaign) ([]queries.Campaign, string) {
	var fair []queries.Campaign
	for _, c := range all {
		if c.BeforeComplete && c.AfterComplete && !c.Overlaps {
			fair = append(fair, c)
		}
	}
	drawn := fair[max(0, len(fair)-campaignsDrawn):]
	caption := "There are " + groupThousands(strconv.Itoa(len(all))) + " campaigns, too many for a pair of bars each: the chart shows the " +
		strconv.Itoa(len(drawn)) + " most recent of the " + groupThousands(strconv.Itoa(len(fair))) +
		" whose windows are complete and do not overlap another campaign. The table lists the campaigns, the most recent first."
	return drawn, caption
}

// campaignsDrawn is how many campaigns recentCampaigns keeps.
const campaignsDrawn = 25
