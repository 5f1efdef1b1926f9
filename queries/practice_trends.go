package queries

import (
	"context"
	"fmt"
)

// PracticeTrends answers "is this practice getting better, and how does it
// compare with the borough?": one practice's conversion, follow-up rate
// and coding completeness by referral quarter, each beside the borough's
// (every practice, under the same quarters and other filters), as in
// Trends.
//
// A practice's own staff see its figures exact, one quarter at a time.
// For everyone else they follow the disclosure rule, and a small
// practice's single quarters would be mostly "*": a trend of dashes. So
// for them a measure whose practice figures would be withheld in any
// quarter of the range is shown as rolling four-quarter figures instead:
// each point adds up the quarter and the three before it (fewer where
// fewer are loaded: Quarters says how many), and the borough's line is
// rolled the same way, so the two lines compare like with like. Rolling
// says so for each measure, and every point names its window.
//
// A point is Provisional when any quarter of its window is, by the rules
// of Trends. Rates and intervals are worked out from the counts as shown
// (Proportion).
type PracticeTrends struct {
	Filter     Filter                 `json:"filter"`
	AsOf       string                 `json:"as_of"`
	Practice   PracticeOption         `json:"practice"`
	Measures   []PracticeTrendMeasure `json:"measures"`
	Disclosure Disclosure             `json:"disclosure"`
}

// PracticeTrendMeasure is one measure's line for the practice and the
// borough.
type PracticeTrendMeasure struct {
	// Key is "conversion", "follow_up" or "coding".
	Key   string `json:"key"`
	Title string `json:"title"`
	// Rolling is true when the points are rolling four-quarter figures,
	// for the practice and the borough alike; Basis says so in words.
	Rolling bool                 `json:"rolling"`
	Basis   string               `json:"basis"`
	Points  []PracticeTrendPoint `json:"points"`
}

// PracticeTrendPoint is one referral quarter of a measure, or the four
// quarters up to it when the measure is rolling.
type PracticeTrendPoint struct {
	// Quarter is the quarter the point is drawn at; From is the first
	// quarter it adds up (Quarter itself unless rolling) and Quarters how
	// many loaded quarters that is.
	Quarter     string     `json:"quarter"`
	From        string     `json:"from"`
	Quarters    int        `json:"quarters"`
	Practice    Proportion `json:"practice"`
	Borough     Proportion `json:"borough"`
	Provisional bool       `json:"provisional"`
}

// rollingQuarters is how many quarters a rolling figure adds up: a year.
const rollingQuarters = 4

// practiceTrendMeasures are the measures of PracticeTrends, each with its
// counts and when a quarter of it is provisional (as in Trends).
var practiceTrendMeasures = []struct {
	key, title  string
	value       func(trendCounts) (k, n int64)
	provisional func(trendCounts) bool
}{
	{"conversion", "Conversion",
		func(c trendCounts) (int64, int64) { return c.converted, c.eligible },
		func(c trendCounts) bool { return c.cohortOpen }},
	{"follow_up", "Follow-up rate",
		func(c trendCounts) (int64, int64) { return c.followedUp, c.followUpDue },
		func(c trendCounts) bool { return c.cohortOpen || c.followUpPending > 0 }},
	{"coding", "Coding completeness",
		func(c trendCounts) (int64, int64) { return c.coded, c.codingDue },
		func(c trendCounts) bool { return c.cohortOpen || c.codingPending > 0 }},
}

// PracticeTrends returns the filter's practice's quarterly rates beside
// the borough's. The filter must name a practice (else a *FilterError);
// the SQL is sql/Trends.sql, run for the practice and for the borough.
func (s *Store) PracticeTrends(ctx context.Context, f Filter) (PracticeTrends, error) {
	if f.Practice == "" {
		return PracticeTrends{}, &FilterError{"practice", "", "the practice trends are for one practice: choose a practice"}
	}
	return remember(ctx, s, "PracticeTrends", f, s.computePracticeTrends)
}

// computePracticeTrends works PracticeTrends out from the database.
func (s *Store) computePracticeTrends(ctx context.Context, f Filter) (PracticeTrends, error) {
	if err := s.CheckFilter(ctx, f); err != nil {
		return PracticeTrends{}, err
	}
	opts, err := s.FilterOptions(ctx) // cached by CheckFilter
	if err != nil {
		return PracticeTrends{}, err
	}
	out := PracticeTrends{Filter: f, Measures: []PracticeTrendMeasure{}}
	for _, p := range opts.Practices {
		if p.Code == f.Practice {
			out.Practice = p
		}
	}
	if out.AsOf, err = s.dataAsOf(ctx); err != nil {
		return out, err
	}
	borough := f
	borough.PCN, borough.Practice = "", ""
	practiceCounts, err := s.trendCountsBack(ctx, f, rollingQuarters-1)
	if err != nil {
		return out, err
	}
	boroughCounts, err := s.trendCountsBack(ctx, borough, rollingQuarters-1)
	if err != nil {
		return out, err
	}
	practiceBy, boroughBy := map[string]trendCounts{}, map[string]trendCounts{}
	for _, c := range practiceCounts {
		practiceBy[c.quarter] = c
	}
	for _, c := range boroughCounts {
		boroughBy[c.quarter] = c
	}
	var shown []string // the loaded quarters of the range, oldest first
	for _, c := range practiceCounts {
		if inRange(f, c.quarter) {
			shown = append(shown, c.quarter)
		}
	}

	d := s.newDiscloser(f)
	for _, m := range practiceTrendMeasures {
		pm := PracticeTrendMeasure{Key: m.key, Title: m.title, Basis: "single quarters", Points: []PracticeTrendPoint{}}
		// Rolling where a single quarter of the practice would be withheld.
		probe := d.untallied()
		for _, q := range shown {
			k, n := m.value(practiceBy[q])
			if p := probe.proportion(k, n); p.Numerator.Suppressed || p.Denominator.Suppressed {
				pm.Rolling = true
			}
		}
		window := 1
		if pm.Rolling {
			window = rollingQuarters
			pm.Basis = fmt.Sprintf("rolling %d quarters: each point adds up its quarter and the %d before it, for the practice and the borough alike, because single quarters of this practice would be withheld", rollingQuarters, rollingQuarters-1)
		}
		for _, q := range shown {
			pt := PracticeTrendPoint{Quarter: q}
			var pk, pn, bk, bn int64
			for _, w := range quartersBack(q, window) {
				pc, ok := practiceBy[w]
				if !ok {
					continue // not loaded: the window is shorter
				}
				if pt.From == "" {
					pt.From = w
				}
				pt.Quarters++
				k, n := m.value(pc)
				pk, pn = pk+k, pn+n
				k, n = m.value(boroughBy[w])
				bk, bn = bk+k, bn+n
				pt.Provisional = pt.Provisional || m.provisional(pc) || m.provisional(boroughBy[w])
			}
			pt.Practice = d.proportion(pk, pn)
			pt.Borough = d.comparator().proportion(bk, bn)
			pm.Points = append(pm.Points, pt)
		}
		out.Measures = append(out.Measures, pm)
	}
	out.Disclosure = d.note()
	return out, nil
}
