package dashboard

import (
	"context"
	"strconv"

	"github.com/uptake-nhs/uptake/dashboard/charts"

	"github.com/uptake-nhs/uptake/queries"
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

// practiceTrends is one practice's trends beside the borough's.
type practiceTrends struct {
	Practice queries.Trends `json:"practice"`
	Borough  queries.Trends `json:"borough"`
}

// The practice's trends are Trends filtered to the practice; the
// borough's are Trends with the same quarters and other filters but no
// network or practice.
var srcPracticeTrends = newSource("practice-trends", func(s Store, ctx context.Context, f queries.Filter) (practiceTrends, error) {
	if f.Practice == "" {
		return practiceTrends{}, invalid("The practice trends are for one practice: choose a practice (add practice=CODE to the address).")
	}
	p, err := s.Trends(ctx, f)
	if err != nil {
		return practiceTrends{}, err
	}
	borough := f
	borough.PCN, borough.Practice = "", ""
	b, err := s.Trends(ctx, borough)
	return practiceTrends{Practice: p, Borough: b}, err
})

// practiceTrendMeasures are the measures shown practice against borough.
var practiceTrendMeasures = []struct {
	name, title, measure string
	pick                 func(queries.TrendQuarter) queries.TrendRate
}{
	{"practice-trend-conversion", "Conversion, against the borough", "Conversion",
		func(q queries.TrendQuarter) queries.TrendRate { return q.Conversion }},
	{"practice-trend-followup", "Follow-up of non-attenders, against the borough", "Follow-up rate",
		func(q queries.TrendQuarter) queries.TrendRate { return q.FollowUp }},
	{"practice-trend-coding", "Outcomes coded in the practice record, against the borough", "Coding completeness",
		func(q queries.TrendQuarter) queries.TrendRate { return q.Coding }},
}

// practiceTrendViews are the practice page's trends: one per measure of
// practiceTrendMeasures.
func practiceTrendViews() []view {
	var out []view
	for _, v := range practiceTrendMeasures {
		out = append(out, newView(srcPracticeTrends, v.name, v.title,
			"The practice's line beside the borough's, by referral quarter. A practice's figures rest on few people and move more from quarter to quarter; the interval in the table shows how much. Hollow points are provisional.",
			func(r practiceTrends, l linker) Table {
				t := Table{Columns: cols(text("Referral quarter"), ciColumns("Practice"), num("Borough (%)"), text("Status")), Disclosure: r.Practice.Disclosure}
				borough := map[string]queries.TrendRate{}
				for _, q := range r.Borough.Quarters {
					borough[q.Quarter] = v.pick(q)
				}
				for _, q := range r.Practice.Quarters {
					pr := v.pick(q)
					b := borough[q.Quarter]
					t.Rows = append(t.Rows, row(RowHeader(q.Quarter), ciCells(pr.Proportion), Percent(b.Percent), status(pr.Provisional || b.Provisional)))
				}
				return t
			},
			func(r practiceTrends, l linker) charts.Chart {
				qs := trendQuarters(r.Practice.Quarters)
				borough := map[string]queries.TrendQuarter{}
				for _, q := range r.Borough.Quarters {
					borough[q.Quarter] = q
				}
				aligned := make([]queries.TrendQuarter, len(qs))
				for i, q := range qs {
					aligned[i] = borough[q]
				}
				return quarterFilter(charts.TrendLines(qs, []charts.Series{
					trendRate("This practice", r.Practice.Quarters, v.pick),
					trendRate("Borough", aligned, v.pick),
				}, charts.Axis{Name: v.measure + " (%)", Percent: true, Full: true}), quarterLabels(qs))
			}))
	}
	return out
}

// The practice's place in the borough, from the benchmark filtered to it.
func practiceRankView() view {
	return newView(srcBenchmark, "practice-rank", "How the practice compares with the borough",
		"Each measure's value for the practice with its 95% confidence interval, the borough's value, whether the difference is more than chance would explain, and the practice's rank (1 is the highest).",
		func(r queries.PracticeBenchmark, l linker) Table {
			t := Table{Columns: cols(text("Measure"), num("People counted"), num("Out of"), ciColumns("Practice"), num("Borough (%)"), text("Compared with the borough"), text("Rank in the borough")), Disclosure: r.Disclosure}
			for _, p := range r.Practices {
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
			return t
		}, nil)
}

// practiceViews are the practice page's panels for everyone, in page
// order.
func practiceViews() []view { return append([]view{practiceRankView()}, practiceTrendViews()...) }

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
