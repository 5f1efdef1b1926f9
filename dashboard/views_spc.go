package dashboard

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/uptake-nhs/uptake/dashboard/charts"
	"github.com/uptake-nhs/uptake/queries"
	"github.com/uptake-nhs/uptake/queries/stats"
)

// Statistical process control, as NHS boards read it (Making Data Count):
// a summary table of each measure's latest month, mean, limits and icons,
// on the Overview and at the top of the SPC page, and an XmR chart per
// measure on the SPC page, one click from its row. A practice's page has
// the same for its own months, where its numbers allow a chart.

var srcSPC = newSource("spc", Store.SPC)

// spcMeasure is how the dashboard shows one measure of queries.SPC.
type spcMeasure struct {
	key   string // queries.SPCReferrals, ...
	slug  string // in view names: spc-SLUG
	name  string // in the summary, as the overview tiles name it
	what  string // what a month's value is, for the summary
	title string // panel title
	axis  string // value axis
	// numerator and denominator head the count columns; denominator ""
	// for a count.
	numerator, denominator string
}

var spcMeasures = []spcMeasure{
	{queries.SPCReferrals, "referrals", "Referrals", "referrals received a month",
		"Referrals received, by referral month", "Referrals", "Referrals", ""},
	{queries.SPCConversion, "conversion", "Conversion", "% of eligible referrals, by referral month",
		"Conversion, by referral month", "Conversion (%)", "Started a course in time", "Eligible referrals"},
	{queries.SPCFollowUp, "follow-up", "Follow-up rate", "% of due non-attenders, by month the practice was told",
		"Follow-up of non-attenders, by month the practice was told", "Followed up in time (%)", "Followed up in time", "Non-attenders due"},
	{queries.SPCCoding, "coding", "Coding completeness", "% of due outcomes, by month the practice was told",
		"Outcomes coded in the practice record, by month the practice was told", "Coded in time (%)", "Coded in time", "Outcomes due"},
}

// spcViews are the SPC page's panels: the summary, then each chart.
func spcViews() []view {
	out := []view{spcSummaryView()}
	for _, m := range spcMeasures {
		out = append(out, spcMeasureView(m, "spc-"+m.slug))
	}
	return out
}

// practiceSPCViews are the practice page's: the summary, then the chart
// of each measure whose numbers allow one (spcChartable).
func practiceSPCViews() []view {
	out := []view{practiceSPCSummaryView()}
	for _, m := range spcMeasures {
		out = append(out, shownIf(spcMeasureView(m, "practice-spc-"+m.slug), func(r queries.SPC) bool {
			ok, _ := spcChartable(measureNamed(r, m.key))
			return ok
		}))
	}
	return out
}

// measureNamed finds a measure of r; the zero measure when it is missing.
func measureNamed(r queries.SPC, key string) queries.SPCMeasure {
	for _, m := range r.Measures {
		if m.Measure == key {
			return m
		}
	}
	return queries.SPCMeasure{}
}

// spcChartable says whether one practice's measure has the numbers for a
// chart, and if not, why not in a sentence. A practice refers a few people
// a month: counts of 1 to 7 are withheld, and limits drawn through a
// handful of months would move with every month added and flag noise. So
// a practice's measure is charted when its latest limits rest on at least
// 12 months (the reference's threshold for reliable limits) with a final
// figure that can be shown.
func spcChartable(m queries.SPCMeasure) (bool, string) {
	if n := len(m.Points); m.InLimits >= stats.MinReliablePoints && n > 0 && m.Points[n-1].UPL != nil {
		return true, ""
	}
	withheld := 0
	for _, p := range m.Points {
		if p.Withheld {
			withheld++
		}
	}
	why := fmt.Sprintf("not charted: %d of its %s can be used for limits, and a chart needs %d.",
		m.InLimits, monthsWord(len(m.Points)), stats.MinReliablePoints)
	if withheld > 0 {
		why += fmt.Sprintf(" %s rest on counts too small to publish, which the disclosure rule withholds.", monthsWord(withheld))
	}
	return false, why
}

func monthsWord(n int) string {
	if n == 1 {
		return "1 month"
	}
	return strconv.Itoa(n) + " months"
}

// spcSummaryColumns are the columns boards read: each measure's latest
// tested month with its mean, limits, target and icons.
func spcSummaryColumns() []Column {
	return cols(text("Measure"), text("What is counted"), text("Latest month"), num("Latest value"), num("Mean"),
		num("Lower process limit"), num("Upper process limit"), num("Target"), text("Variation"), text("Assurance"))
}

func spcSummaryView() view {
	return newView(srcSPC, "spc-summary", "Monthly variation of each measure (SPC)",
		"Each row is one measure's latest month that was tested: its value, the mean and process limits of its months, and whether it shows special-cause variation (the first icon) or will meet its target (the second). Select a row for its chart.",
		func(r queries.SPC, l linker) Table {
			t := Table{Columns: spcSummaryColumns(), Disclosure: r.Disclosure, RowLinks: true}
			for _, sm := range spcMeasures {
				m := measureNamed(r, sm.key)
				href := withQuery("/spc", l.filter.Query()) + "#panel-spc-" + sm.slug
				t.Rows = append(t.Rows, spcSummaryRow(sm, m, Link(sm.name, href)))
				if m.Message != "" {
					t.Notes = append(t.Notes, sm.name+": "+m.Message)
				}
			}
			t.Notes = append(t.Notes, spcSummaryNote(r))
			return t
		}, nil)
}

func practiceSPCSummaryView() view {
	return newView(srcSPC, "practice-spc-summary", "Monthly variation of the practice's own figures (SPC)",
		"The practice's own months, measure by measure, where there are enough of them: a practice refers a few people a month and small counts are withheld under the disclosure rule, so a measure is charted only when at least 12 of its months can be used for limits. Select a row for its chart.",
		func(r queries.SPC, l linker) Table {
			t := Table{Columns: spcSummaryColumns(), Disclosure: r.Disclosure, RowLinks: true}
			for _, sm := range spcMeasures {
				m := measureNamed(r, sm.key)
				if ok, why := spcChartable(m); !ok {
					t.Rows = append(t.Rows, row(RowHeader(sm.name), Text(sm.what), Text("Not charted"), Missing(), Missing(), Missing(), Missing(), spcTarget(m), Missing(), Missing()))
					t.Notes = append(t.Notes, sm.name+": "+why)
					continue
				}
				href := l.practice(r.Filter.Practice) + "#panel-practice-spc-" + sm.slug
				t.Rows = append(t.Rows, spcSummaryRow(sm, m, Link(sm.name, href)))
				if m.Message != "" {
					t.Notes = append(t.Notes, sm.name+": "+m.Message)
				}
			}
			t.Notes = append(t.Notes, spcSummaryNote(r))
			return t
		}, nil)
}

// spcSummaryRow is a measure's summary: its latest tested month, the
// limits that month was tested against, and the icons.
func spcSummaryRow(sm spcMeasure, m queries.SPCMeasure, head Cell) []Cell {
	head.Header = true
	value, mean, lower, upper := Missing(), Missing(), Missing(), Missing()
	latest := Text("None tested")
	for _, p := range m.Points {
		if p.Period != m.Latest || m.Latest == "" {
			continue
		}
		latest = Text(p.Period)
		value = spcNumber(m, p.Value, false)
		mean, lower, upper = spcNumber(m, p.Mean, true), spcNumber(m, p.LPL, true), spcNumber(m, p.UPL, true)
	}
	variation := Text("Not enough months to tell")
	if m.Variation != nil {
		variation = IconCell(*m.Variation, *m.Variation)
	}
	assurance := Text("No target set")
	switch {
	case m.Assurance != nil:
		assurance = IconCell(*m.Assurance, *m.Assurance)
	case m.Target != nil:
		assurance = Text("No limits to compare the target with")
	}
	return row(head, Text(sm.what), latest, value, mean, lower, upper, spcTarget(m), variation, assurance)
}

// spcSummaryNote says which month a row shows and where the rules come
// from.
func spcSummaryNote(r queries.SPC) string {
	return "The latest month of each measure is the latest one tested against the special-cause rules: months still inside their window (provisional) and months whose figure is withheld are on the charts but not tested. " +
		"Special cause: a month beyond a process limit, " + strconv.Itoa(r.RunLength) + " months in a row on one side of the mean, " +
		strconv.Itoa(r.RunLength) + " months in a row rising or falling, or 2 of 3 months near a limit (NHS England, Making Data Count)."
}

// spcNumber is a value of m in its unit: percentages to one decimal,
// counts whole, and means and limits of counts to one decimal.
func spcNumber(m queries.SPCMeasure, v *float64, level bool) Cell {
	if v == nil {
		return Missing()
	}
	if m.Unit == queries.UnitPercent || level {
		return Float(*v, 1)
	}
	return Float(*v, 0)
}

func spcTarget(m queries.SPCMeasure) Cell {
	if m.Target == nil {
		return Missing()
	}
	return spcNumber(m, m.Target, true)
}

// spcRuleWords says each rule of queries/stats in words.
func spcRuleWords(rule string, run int) string {
	switch rule {
	case stats.RuleOutsideLimits:
		return "beyond a process limit"
	case stats.RuleTrend:
		return strconv.Itoa(run) + " in a row rising or falling"
	case stats.RuleTwoOfThree:
		return "2 of 3 near a limit"
	case stats.RuleShift:
		return strconv.Itoa(run) + " in a row on one side of the mean"
	}
	return rule
}

// spcStatus says in words whether a month is final, provisional or
// withheld.
func spcStatus(p queries.SPCPoint) string {
	var out []string
	if p.Provisional {
		out = append(out, "provisional")
	}
	switch {
	case p.Withheld:
		out = append(out, "withheld")
	case p.Value == nil:
		out = append(out, "no one to count")
	}
	if len(out) == 0 {
		return "final"
	}
	return strings.Join(out, ", ")
}

// spcTested reports whether the month was tested against the rules: it is
// final, has a value, and its limits exist.
func spcTested(p queries.SPCPoint) bool {
	return !p.Provisional && p.Value != nil && p.UPL != nil
}

// spcCause says a month's special cause in words, with its rules.
func spcCause(p queries.SPCPoint, run int) string {
	if !spcTested(p) {
		return "not tested"
	}
	if p.SpecialCause == "none" || p.SpecialCause == "" {
		return "common cause"
	}
	words := make([]string, len(p.Rules))
	for i, r := range p.Rules {
		words[i] = spcRuleWords(r, run)
	}
	return p.SpecialCause + " (" + strings.Join(words, "; ") + ")"
}

// spcMeasureView is one measure's XmR chart with the table of its months,
// as the view name (spc-SLUG, or practice-spc-SLUG on a practice's page).
func spcMeasureView(sm spcMeasure, name string) view {
	how := "Each dot is one month. The solid line is the mean and the dashed lines the process limits: months between them differ by chance alone. " +
		"Blue circles mark special-cause improvement and orange diamonds concern; hollow dots on the dashed line are provisional (still inside their window) and are not tested. A gap is a month withheld or with no one to count."
	return newView(srcSPC, name, sm.title, how,
		func(r queries.SPC, l linker) Table {
			m := measureNamed(r, sm.key)
			t := Table{Disclosure: r.Disclosure}
			// A count is its own value; a rate has its two counts beside it.
			t.Columns = cols(text("Month"), num(sm.axis))
			if sm.denominator != "" {
				t.Columns = append(t.Columns, num(sm.numerator), num(sm.denominator))
			}
			t.Columns = append(t.Columns, text("Status"), num("Mean"), num("Lower process limit"), num("Upper process limit"), text("Special cause"))
			for _, p := range m.Points {
				cells := row(RowHeader(p.Period), CountCell(p.Numerator))
				if sm.denominator != "" {
					den := Missing()
					if p.Denominator != nil {
						den = CountCell(*p.Denominator)
					}
					cells = row(RowHeader(p.Period), spcNumber(m, p.Value, false), CountCell(p.Numerator), den)
				}
				cells = append(cells, Text(spcStatus(p)), spcNumber(m, p.Mean, true), spcNumber(m, p.LPL, true), spcNumber(m, p.UPL, true), Text(spcCause(p, r.RunLength)))
				t.Rows = append(t.Rows, cells)
			}
			t.Notes = spcMeasureNotes(m)
			return t
		},
		func(r queries.SPC, l linker) charts.Chart {
			m := measureNamed(r, sm.key)
			c := charts.XmR(spcChartData(m, sm.axis, r.RunLength))
			c.Caption = m.Message
			return c
		})
}

// spcMeasureNotes explain a measure's table: its months, direction,
// target, rebases and anything that makes its limits weak.
func spcMeasureNotes(m queries.SPCMeasure) []string {
	var notes []string
	if m.Message != "" {
		notes = append(notes, m.Message)
	}
	better := "Higher is better"
	if m.Improvement == string(stats.Decrease) {
		better = "Lower is better"
	}
	notes = append(notes, "Months are by "+m.Basis+". "+better+" (configuration), which makes a special cause an improvement or a concern.")
	if m.Target != nil {
		notes = append(notes, "Target (configuration): "+spcNumber(m, m.Target, true).Display()+spcUnitSuffix(m)+".")
	}
	if len(m.Rebase) > 0 {
		notes = append(notes, "New limits start at "+strings.Join(m.Rebase, ", ")+", after a service change (configuration).")
	}
	if spcClamped(m) {
		notes = append(notes, "Where a process limit lies beyond what the measure can take (below 0, or above 100%), the chart draws it at that edge: no month can fall beyond it. The table gives the limit worked out.")
	}
	return notes
}

func spcUnitSuffix(m queries.SPCMeasure) string {
	if m.Unit == queries.UnitPercent {
		return "%"
	}
	return " referrals a month"
}

// spcBounds are the values a measure can take: 0 to 100 for a
// percentage, 0 or more for a count.
func spcBounds(m queries.SPCMeasure) (lo, hi float64) {
	if m.Unit == queries.UnitPercent {
		return 0, 100
	}
	return 0, math.Inf(1)
}

// spcClamped reports whether any limit lies beyond the measure's bounds.
func spcClamped(m queries.SPCMeasure) bool {
	lo, hi := spcBounds(m)
	for _, p := range m.Points {
		if (p.LPL != nil && *p.LPL < lo) || (p.UPL != nil && *p.UPL > hi) {
			return true
		}
	}
	return false
}

// spcChartData turns a measure into what charts.XmR draws: limits kept
// within what the measure can take, a segment number from the rebases, and
// each month said in words for its tooltip.
func spcChartData(m queries.SPCMeasure, axis string, run int) charts.XmRData {
	lo, hi := spcBounds(m)
	clamp := func(v *float64) charts.Number {
		if v == nil {
			return charts.Gap()
		}
		return charts.Num(math.Min(hi, math.Max(lo, *v)))
	}
	d := charts.XmRData{YName: axis, Percent: m.Unit == queries.UnitPercent, Target: charts.FromPtr(m.Target)}
	segment := 0
	for _, p := range m.Points {
		for _, r := range m.Rebase {
			if p.Period == r {
				segment++
			}
		}
		value := charts.FromPtr(p.Value)
		if p.Withheld {
			value = charts.Withheld()
		}
		x := charts.XmRPoint{Period: p.Period, Value: value, Provisional: p.Provisional, Segment: segment,
			Mean: charts.FromPtr(p.Mean), Lower: clamp(p.LPL), Upper: clamp(p.UPL), Tooltip: spcTooltip(m, p, run)}
		if spcTested(p) {
			switch p.SpecialCause {
			case "improvement":
				x.Cause = charts.CauseImprovement
			case "concern":
				x.Cause = charts.CauseConcern
			}
		}
		d.Points = append(d.Points, x)
	}
	return d
}

// spcTooltip says one month in words: its value and counts, its limits
// and what was found.
func spcTooltip(m queries.SPCMeasure, p queries.SPCPoint, run int) string {
	unit := spcUnitSuffix(m)
	text := p.Period + ": "
	if p.Value == nil {
		text += "no value (" + spcStatus(p) + ")"
	} else {
		text += spcNumber(m, p.Value, false).Display() + unit
		if p.Denominator != nil {
			text += " (" + p.Numerator.String() + " of " + p.Denominator.String() + ")"
		}
	}
	if p.Mean != nil && p.UPL != nil {
		text += "<br/>Mean " + spcNumber(m, p.Mean, true).Display() + unit + ", limits " +
			spcNumber(m, p.LPL, true).Display() + " to " + spcNumber(m, p.UPL, true).Display() + unit
	}
	switch {
	case p.Provisional:
		text += "<br/>Provisional: may still change, so not tested"
	case spcTested(p):
		cause := spcCause(p, run)
		text += "<br/>" + strings.ToUpper(cause[:1]) + cause[1:]
	}
	return text
}
