package queries

import (
	"context"
	"fmt"
)

// Headline answers "how are we doing now?" with the five overview tiles:
// referrals, conversion, completion, follow-up rate and coding
// completeness, each with the change from the quarter before.
//
// The tiles do not all show the same quarter, and each says which it
// shows. Referrals show the latest quarter of the filter's range (the
// latest loaded when the range is open). Conversion and completion show
// the latest cohort whose conversion window has closed: the latest
// quarter's cohort has had at most three months of its 180 days, so its
// conversion is low only because it is young, and a tile showing it would
// report a fall every quarter. Follow-up rate and coding completeness show
// the latest cohort whose rate is final in the same way (see Trends). When
// no quarter of the range is final yet, a tile shows the latest quarter
// and is marked Provisional.
//
// Each tile is compared with the calendar quarter before its own, even
// when that lies before the range; the change is nil when that quarter is
// not loaded or a figure is suppressed. The figures are those of Trends.
type Headline struct {
	Filter     Filter       `json:"filter"`
	AsOf       string       `json:"as_of"`
	Referrals  HeadlineTile `json:"referrals"`
	Conversion HeadlineTile `json:"conversion"`
	Completion HeadlineTile `json:"completion"`
	FollowUp   HeadlineTile `json:"follow_up"`
	Coding     HeadlineTile `json:"coding"`
	Disclosure Disclosure   `json:"disclosure"`
}

// HeadlineTile is one overview tile. The referrals tile uses Count,
// PreviousCount and CountChange; the four rate tiles use Rate,
// PreviousPercent and ChangePoints.
type HeadlineTile struct {
	Title string `json:"title"`
	// Quarter is the referral quarter the tile shows ("" when nothing is
	// loaded in the range); PreviousQuarter the one it is compared with
	// ("" when that is not loaded).
	Quarter         string `json:"quarter"`
	PreviousQuarter string `json:"previous_quarter"`

	Count         *Count `json:"count,omitempty"`
	PreviousCount *Count `json:"previous_count,omitempty"`
	CountChange   *int64 `json:"count_change,omitempty"`

	Rate            *Proportion `json:"rate,omitempty"`
	PreviousPercent *float64    `json:"previous_percent,omitempty"`
	ChangePoints    *float64    `json:"change_points,omitempty"`

	// Provisional is true when the figure shown may still change.
	Provisional bool `json:"provisional"`
	// Note says in a sentence which quarter is shown and why, when it is
	// not simply the latest.
	Note string `json:"note,omitempty"`
}

// Headline returns the overview tiles for the filter. It reads what
// Trends reads (sql/Trends.sql).
func (s *Store) Headline(ctx context.Context, f Filter) (Headline, error) {
	return remember(ctx, s, "Headline", f, s.computeHeadline)
}

// computeHeadline works Headline out from the database.
func (s *Store) computeHeadline(ctx context.Context, f Filter) (Headline, error) {
	if err := s.CheckFilter(ctx, f); err != nil {
		return Headline{}, err
	}
	asOf, err := s.dataAsOf(ctx)
	if err != nil {
		return Headline{}, err
	}
	counts, err := s.trendCounts(ctx, f)
	if err != nil {
		return Headline{}, err
	}
	byQuarter := map[string]trendCounts{}
	var shown []trendCounts // the quarters of the range, oldest first
	for _, c := range counts {
		byQuarter[c.quarter] = c
		if inRange(f, c.quarter) {
			shown = append(shown, c)
		}
	}

	d := s.newDiscloser(f)
	// The counts behind a previous quarter's percentage are published only
	// to work out that percentage; they are not shown, so their
	// suppressions are not tallied.
	hidden := d.untallied()
	out := Headline{Filter: f, AsOf: asOf}

	// Referrals: the latest quarter.
	out.Referrals = HeadlineTile{Title: "Referrals"}
	if len(shown) > 0 {
		cur := shown[len(shown)-1]
		t := &out.Referrals
		t.Quarter = cur.quarter
		n := d.count(cur.referrals)
		t.Count = &n
		if prev, ok := byQuarter[previousQuarter(cur.quarter)]; ok {
			p := d.count(prev.referrals)
			t.PreviousQuarter, t.PreviousCount, t.CountChange = prev.quarter, &p, countChange(n, p)
		}
	}

	window := s.cfg.ConversionWindowDays
	rates := []struct {
		tile        *HeadlineTile
		title       string
		value       func(trendCounts) (k, n int64)
		provisional func(trendCounts) bool
		why         string
	}{
		{&out.Conversion, "Conversion",
			func(c trendCounts) (int64, int64) { return c.converted, c.eligible },
			func(c trendCounts) bool { return c.cohortOpen },
			fmt.Sprintf("whose %d-day conversion window has closed", window)},
		{&out.Completion, "Completion",
			func(c trendCounts) (int64, int64) { return c.completed, c.eligible },
			func(c trendCounts) bool { return c.cohortOpen },
			fmt.Sprintf("whose %d-day conversion window has closed", window)},
		{&out.FollowUp, "Follow-up rate",
			func(c trendCounts) (int64, int64) { return c.followedUp, c.followUpDue },
			func(c trendCounts) bool { return c.cohortOpen || c.followUpPending > 0 },
			"whose follow-up rate is final"},
		{&out.Coding, "Coding completeness",
			func(c trendCounts) (int64, int64) { return c.coded, c.codingDue },
			func(c trendCounts) bool { return c.cohortOpen || c.codingPending > 0 },
			"whose coding completeness is final"},
	}
	for _, r := range rates {
		*r.tile = HeadlineTile{Title: r.title}
		if len(shown) == 0 {
			continue
		}
		// The latest final quarter, else the latest quarter (provisional).
		cur := shown[len(shown)-1]
		for i := len(shown) - 1; i >= 0; i-- {
			if !r.provisional(shown[i]) {
				cur = shown[i]
				break
			}
		}
		t := r.tile
		t.Quarter = cur.quarter
		t.Provisional = r.provisional(cur)
		k, n := r.value(cur)
		rate := d.proportion(k, n)
		t.Rate = &rate
		switch {
		case t.Provisional:
			t.Note = fmt.Sprintf("Cohort referred in %s; no cohort in the range is final yet, so this figure may still change.", cur.quarter)
		case cur.quarter != shown[len(shown)-1].quarter:
			t.Note = fmt.Sprintf("Cohort referred in %s, the latest %s; later cohorts are still maturing.", cur.quarter, r.why)
		}
		if prev, ok := byQuarter[previousQuarter(cur.quarter)]; ok {
			pk, pn := r.value(prev)
			p := Percent(hidden.count(pk), hidden.count(pn))
			t.PreviousQuarter, t.PreviousPercent, t.ChangePoints = prev.quarter, p, pointsChange(rate.Percent, p)
		}
	}
	out.Disclosure = d.note()
	return out, nil
}
