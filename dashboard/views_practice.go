package dashboard

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/uptake-nhs/uptake/dashboard/charts"

	"github.com/uptake-nhs/uptake/queries"
	"github.com/uptake-nhs/uptake/queries/stats"
)

// The practice page's work lists. They name people (by pseudonym) and are
// not under the disclosure rule, so they are shown only to the practice
// itself: authorize (access.go) refuses the routes to everyone else, the
// practice page leaves their panels out, and the sources below check the
// request's user once more before asking the store.

// workListSource checks the practice and the user before load runs.
func workListSource[T any](load func(s Store, ctx context.Context, code string) ([]T, error)) func(Store, context.Context, queries.Filter) ([]T, error) {
	return func(s Store, ctx context.Context, f queries.Filter) ([]T, error) {
		if f.Practice == "" {
			return nil, invalid("The work list is for one practice: choose a practice (add practice=CODE to the address).")
		}
		if !mayViewWorkList(ctx, f.Practice) {
			return nil, errWorkListForbidden
		}
		return load(s, ctx, f.Practice)
	}
}

var srcFollowUpWorkList = newSource("followup-worklist", workListSource(Store.FollowUpWorkList))

func followUpWorkListView() view {
	return newView(srcFollowUpWorkList, "followup-worklist", "Non-attenders not yet followed up",
		"People who did not attend, declined or did not respond, whom nobody has contacted since that outcome. Open tasks come first, with the fewest days left; then overdue ones.",
		func(tasks []queries.FollowUpTask, l linker) Table {
			t := Table{Columns: []Column{text("Patient (pseudonym)"), text("Referral"), text("Referred"), text("Outcome"), text("Practice told"), text("Follow up by"), num("Days left")}}
			for _, k := range tasks {
				left := daysLeftCell(k.DaysLeft, k.Overdue)
				t.Rows = append(t.Rows, row(RowHeader(k.PatientID), Text(k.ReferralID), Text(k.ReferralDate), Text(k.Outcome), Text(k.NotifiedDate), Text(k.Deadline), left))
			}
			if len(tasks) > 0 {
				t.Notes = append(t.Notes, "As of "+tasks[0].AsOf+", the last day the loaded data cover.")
			}
			return t
		}, nil)
}

// practiceSource wraps a store method that answers for one practice: the
// filter must name it.
func practiceSource[T any](name string, load func(Store, context.Context, queries.Filter) (T, error)) sourceOf[T] {
	src := newSource(name, func(s Store, ctx context.Context, f queries.Filter) (T, error) {
		if f.Practice == "" {
			var zero T
			return zero, invalid("This is about one practice: choose a practice (add practice=CODE to the address).")
		}
		return load(s, ctx, f)
	})
	src.practice = true
	return src
}

// The practice's trends beside the borough's (queries.PracticeTrends):
// exact single quarters for its own staff, rolling four quarters for
// everyone else where single quarters would be withheld.
var srcPracticeTrends = practiceSource("practice-trends", Store.PracticeTrends)

// practiceTrendViews are the practice page's trends: one per measure of
// queries.PracticeTrends, by key.
var practiceTrendViewDefs = []struct{ name, key, title string }{
	{"practice-trend-conversion", "conversion", "Conversion, against the borough"},
	{"practice-trend-followup", "follow_up", "Follow-up of non-attenders, against the borough"},
	{"practice-trend-coding", "coding", "Outcomes coded in the practice record, against the borough"},
}

// practiceTrendMeasure finds a measure of the result by key.
func practiceTrendMeasure(r queries.PracticeTrends, key string) queries.PracticeTrendMeasure {
	for _, m := range r.Measures {
		if m.Key == key {
			return m
		}
	}
	return queries.PracticeTrendMeasure{Key: key}
}

// practiceTrendViews are the practice page's trends, in page order.
func practiceTrendViews() []view {
	var out []view
	for _, v := range practiceTrendViewDefs {
		out = append(out, newView(srcPracticeTrends, v.name, v.title,
			"The practice's line beside the borough's, by referral quarter. A practice's figures rest on few people and move more from quarter to quarter; the interval in the table shows how much. "+
				"Where a single quarter of a small practice would be withheld, each point adds up a year (the quarter and the three before it), for the borough too. Hollow points are provisional.",
			func(r practiceTrends, l linker) Table {
				m := practiceTrendMeasure(r, v.key)
				first := "Referral quarter"
				if m.Rolling {
					first = "Year to quarter (rolling)"
				}
				t := Table{Columns: cols(text(first), text("Quarters added up"), ciColumns("Practice"), ciColumns("Borough"), text("Status")), Disclosure: r.Disclosure}
				for _, p := range m.Points {
					window := p.Quarter
					if p.From != p.Quarter {
						window = p.From + " to " + p.Quarter
					}
					t.Rows = append(t.Rows, row(RowHeader(p.Quarter), Text(window), ciCells(p.Practice), ciCells(p.Borough), status(p.Provisional)))
				}
				if m.Rolling {
					t.Notes = append(t.Notes, "Rolling figures: "+m.Basis+".")
				}
				return t
			},
			func(r practiceTrends, l linker) charts.Chart {
				m := practiceTrendMeasure(r, v.key)
				var qs []string
				practice, borough := charts.Series{Name: "This practice"}, charts.Series{Name: "Borough"}
				if m.Rolling {
					practice.Name, borough.Name = "This practice (rolling year)", "Borough (rolling year)"
				}
				for _, p := range m.Points {
					qs = append(qs, p.Quarter)
					practice.Values = append(practice.Values, pctNum(p.Practice))
					practice.Provisional = append(practice.Provisional, p.Provisional)
					borough.Values = append(borough.Values, pctNum(p.Borough))
					borough.Provisional = append(borough.Provisional, p.Provisional)
				}
				return quarterFilter(charts.TrendLines(qs, []charts.Series{practice, borough}, charts.Axis{Name: m.Title + " (%)", Percent: true, Full: true}), quarterLabels(qs))
			}))
	}
	return out
}

// practiceTrends is the result type of srcPracticeTrends.
type practiceTrends = queries.PracticeTrends

// The practice page's opening: its three numbers against the borough and,
// for its own staff, its work lists' sizes (queries.PracticeSummary).
var srcPracticeSummary = practiceSource("practice-summary", Store.PracticeSummary)

// practiceSummaryView opens the practice page: a sentence per measure and
// per work list, and the numbers in a table.
func practiceSummaryView() view {
	return newView(srcPracticeSummary, "practice-summary", "The practice at a glance",
		"The practice's referral rate, conversion and follow-up over the chosen quarters, against the borough, and (for the practice's own staff) how many people are on its work lists.",
		func(r queries.PracticeSummary, l linker) Table {
			t := Table{Columns: cols(text("Measure"), num("People counted"), num("Out of"), ciColumns("Practice"), num(comparatorHeading(r.Comparator)+" (%)"),
				text("Compared with "+comparatorWords(r.Comparator)), text("Rank in "+comparatorWords(r.Comparator))),
				Disclosure: r.Disclosure}
			for _, m := range r.Measures {
				t.Rows = append(t.Rows, row(RowHeader(m.Title), CountCell(m.Practice.Numerator), CountCell(m.Practice.Denominator), ciCells(m.Practice),
					Percent(m.Borough.Percent), Text(m.Label), rankCell(m.Rank, m.Ranked)))
			}
			t.Notes = append(t.Notes, practiceSummarySentences(r)...)
			if r.StaleRegister {
				t.Notes = append(t.Notes, staleRegisterNote(r.RegisterQuarter))
			}
			return t
		}, nil)
}

// practiceSummarySentences says the summary in sentences: one per measure,
// and one per work list for the practice's own staff.
func practiceSummarySentences(r queries.PracticeSummary) []string {
	var out []string
	for _, m := range r.Measures {
		s := m.Title + ": "
		switch {
		case m.Practice.Percent != nil:
			s += Percent(m.Practice.Percent).Display() + "% (" + CountCell(m.Practice.Numerator).Display() + " of " + CountCell(m.Practice.Denominator).Display() + ")"
		case m.Practice.Numerator.Suppressed || m.Practice.Denominator.Suppressed:
			s += "withheld (fewer than 8 people)"
		default:
			s += "no figure"
		}
		if m.Borough.Percent != nil {
			s += ", against " + Percent(m.Borough.Percent).Display() + "% in " + comparatorWords(r.Comparator)
		}
		s += "; " + labelWords(m.Label, comparatorWords(r.Comparator)) + "."
		out = append(out, s)
	}
	if w := r.WorkLists; w != nil {
		out = append(out,
			countNoun(w.FollowUp, "person", "people")+" to follow up ("+strconv.Itoa(w.FollowUpOverdue)+" overdue), and "+
				countNoun(w.Coding, "outcome", "outcomes")+" to code in the practice record ("+strconv.Itoa(w.CodingOverdue)+" overdue): the lists are below.")
	}
	return out
}

// labelWords says a benchmark label in words, against the comparator
// (comparatorWords: "the borough").
func labelWords(label, against string) string {
	switch label {
	case stats.HighSevere:
		return "higher than " + against + ", beyond the 99.8% limit"
	case stats.High:
		return "higher than " + against + ", beyond the 95% limit"
	case stats.Low:
		return "lower than " + against + ", beyond the 95% limit"
	case stats.LowSevere:
		return "lower than " + against + ", beyond the 99.8% limit"
	case stats.NotSignificant:
		return "not significantly different from " + against
	}
	return "not compared with " + against
}

// comparatorWords names a benchmark's comparator mid-sentence: "the
// borough", "the network", "similar practices".
func comparatorWords(c queries.Comparator) string {
	switch c.Kind {
	case queries.CompareNetwork:
		return "the network"
	case queries.ComparePeers:
		return "similar practices"
	}
	return "the borough"
}

// comparatorHeading names a benchmark's comparator as a column heading:
// "Borough", "Network", "Similar practices".
func comparatorHeading(c queries.Comparator) string {
	w := strings.TrimPrefix(comparatorWords(c), "the ")
	return strings.ToUpper(w[:1]) + w[1:]
}

// The practice's place in the borough, from the benchmark filtered to it.
func practiceRankView() view {
	return newView(srcBenchmark, "practice-rank", "How the practice compares with the borough",
		"Each measure's value for the practice with its 95% confidence interval, the borough's value, whether the difference is more than chance would explain, and the practice's rank (1 is the highest).",
		func(r queries.PracticeBenchmark, l linker) Table {
			t := Table{Columns: cols(text("Measure"), num("People counted"), num("Out of"), ciColumns("Practice"), num(comparatorHeading(r.Comparator)+" (%)"),
				text(comparedColumn(r.Comparator, queries.BenchmarkMeasure{})), text("Rank in "+comparatorWords(r.Comparator))), Disclosure: r.Disclosure}
			for _, p := range r.Practices {
				// Against a network or peers the benchmark lists the
				// group; this table is the practice's.
				if r.Filter.Practice != "" && p.Code != r.Filter.Practice {
					continue
				}
				for _, m := range []struct {
					bm queries.BenchmarkMeasure
					v  queries.PracticeMeasure
				}{{r.ReferralRate, p.ReferralRate}, {r.Conversion, p.Conversion}, {r.FollowUp, p.FollowUp}} {
					t.Rows = append(t.Rows, row(RowHeader(m.bm.Title), CountCell(m.v.Numerator), CountCell(m.v.Denominator), ciCells(m.v.Proportion),
						Percent(m.v.Borough), Text(m.v.Label), rankCell(m.v.Rank, m.bm.Ranked)))
				}
				if p.StaleRegister {
					t.Notes = append(t.Notes, staleRegisterNote(p.RegisterQuarter))
				}
			}
			for _, bm := range []queries.BenchmarkMeasure{r.ReferralRate, r.Conversion, r.FollowUp} {
				if bm.Adjusted {
					t.Notes = append(t.Notes, bm.Title+": "+overdispersionCaption(bm))
				}
			}
			if r.Comparator.Note != "" {
				t.Notes = append(t.Notes, r.Comparator.Note)
			}
			return t
		}, nil)
}

// practiceViews are the practice page's panels for everyone, in page
// order after its summary (practiceSummaryView), which opens it and is
// followed by the work lists for the practice's own staff.
func practiceViews() []view {
	return slices.Concat([]view{practiceRankView()}, practiceTrendViews(), practiceSPCViews())
}

// workListViews are the practice page's work lists, which follow its
// other panels for the practice's own users only.
func workListViews() []view { return []view{followUpWorkListView(), codingWorkListView()} }

// daysLeftCell is a work-list task's days left, or how long it is overdue,
// in the same words on both lists.
func daysLeftCell(daysLeft int, overdue bool) Cell {
	if overdue {
		return Text("overdue by " + strconv.Itoa(-daysLeft) + " days")
	}
	return Int(int64(daysLeft))
}

// staleRegisterNote tells a practice that its register, from the
// snapshot of quarter q, is smaller than the people it referred: the
// figure it sent is out of date, which is why its referral rate is "Not
// compared". It names no count, so it says the same under the disclosure
// rule as without it.
func staleRegisterNote(q string) string {
	return "Data quality: the type 2 diabetes register this practice reported (" + q + " snapshot) is smaller than the number of people it referred in these quarters, " +
		"so the register looks out of date and the referral rate is not compared with the borough. " +
		"Its referrals and register still count in the borough's figures. Check the register count in the practice's extract."
}

// countNoun is "1 person" or "n people".
func countNoun(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
