package queries

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
)

// TimeToFirstSession answers "how long do people wait from referral to
// their first session?": the median and 90th percentile of days from
// referral to the first attended session, over eligible referrals that
// converted (first attended within ConversionWindowDays), for the whole
// range and per referral quarter.
//
// Percentiles are linear interpolations between the two nearest people
// (DuckDB quantile_cont, the method of R's default type 7 and Excel's
// PERCENTILE.INC), so the median of an even number of people is the mean
// of the middle two and may end in .5.
//
// A percentile of very few people can identify someone (a median of one
// person is that person's wait), so when the disclosure rule is on and a
// row rests on fewer than its suppression threshold (8) people, both
// percentiles are withheld: Suppressed is true and the values are nil.
//
// In a Provisional cohort only people who started early have been seen,
// so its waits are understated until the window closes. The overall row
// is provisional when any quarter of the range is.
type TimeToFirstSession struct {
	Filter     Filter `json:"filter"`
	AsOf       string `json:"as_of"`
	WindowDays int    `json:"window_days"`
	// Method names the percentile method, for footnotes.
	Method     string              `json:"method"`
	Overall    SessionWait         `json:"overall"`
	Cohorts    []CohortSessionWait `json:"cohorts"`
	Disclosure Disclosure          `json:"disclosure"`
}

// SessionWait is the distribution of days to first session of one group
// of starters.
type SessionWait struct {
	// People is how many starters the percentiles describe.
	People Count `json:"people"`
	// MedianDays and P90Days are nil when there are no starters or the
	// values are suppressed.
	MedianDays *float64 `json:"median_days"`
	P90Days    *float64 `json:"p90_days"`
	// Suppressed is true when the percentiles were withheld because too
	// few people lie behind them; show them as "*".
	Suppressed  bool `json:"suppressed"`
	Provisional bool `json:"provisional"`
}

// CohortSessionWait is the wait of one referral quarter's starters.
type CohortSessionWait struct {
	Quarter string `json:"quarter"`
	SessionWait
}

// percentileMethod describes the quantile method in words.
const percentileMethod = "Linear interpolation between the nearest people (R type 7, Excel PERCENTILE.INC); the median of an even number of people is the mean of the middle two."

// TimeToFirstSession returns the median and 90th percentile wait for the
// filter. The SQL is sql/TimeToFirstSession.sql.
func (s *Store) TimeToFirstSession(ctx context.Context, f Filter) (TimeToFirstSession, error) {
	return remember(ctx, s, "TimeToFirstSession", f, s.computeTimeToFirstSession)
}

// computeTimeToFirstSession works TimeToFirstSession out from the database.
func (s *Store) computeTimeToFirstSession(ctx context.Context, f Filter) (TimeToFirstSession, error) {
	if err := s.CheckFilter(ctx, f); err != nil {
		return TimeToFirstSession{}, err
	}
	asOf, err := s.dataAsOf(ctx)
	if err != nil {
		return TimeToFirstSession{}, err
	}
	out := TimeToFirstSession{
		Filter: f, AsOf: asOf,
		WindowDays: s.cfg.ConversionWindowDays,
		Method:     percentileMethod,
		Cohorts:    []CohortSessionWait{},
	}
	d := s.newDiscloser(f)
	args := f.args(sql.Named("conversion_window_days", s.cfg.ConversionWindowDays))
	// Counts of people per quarter and day, oldest quarter first; the
	// overall row merges them.
	type histogram struct {
		quarter     string
		provisional bool
		days        []int64 // ascending
		people      []int64
		n           int64
	}
	var quarters []*histogram
	overall := map[int64]int64{}
	err = s.forEachRow(ctx, query("TimeToFirstSession"), args, func(rows *sql.Rows) error {
		var quarter string
		var provisional bool
		var days sql.NullInt64
		var people int64
		if err := rows.Scan(&quarter, &provisional, &days, &people); err != nil {
			return err
		}
		if len(quarters) == 0 || quarters[len(quarters)-1].quarter != quarter {
			quarters = append(quarters, &histogram{quarter: quarter, provisional: provisional})
		}
		if h := quarters[len(quarters)-1]; days.Valid && people > 0 {
			h.days, h.people, h.n = append(h.days, days.Int64), append(h.people, people), h.n+people
			overall[days.Int64] += people
		}
		return nil
	})
	if err != nil {
		return TimeToFirstSession{}, fmt.Errorf("time to first session: %w", err)
	}
	wait := func(h *histogram) SessionWait {
		w := SessionWait{Provisional: h.provisional, People: d.count(h.n)}
		// Both percentiles rest on the same people, so both are withheld or
		// neither; each withheld value is a "*" cell in the tally.
		medianOK, p90OK := d.statistic(h.n), d.statistic(h.n)
		if w.Suppressed = !medianOK || !p90OK; !w.Suppressed && h.n > 0 {
			median := histogramQuantile(h.days, h.people, h.n, 0.5)
			p90 := histogramQuantile(h.days, h.people, h.n, 0.9)
			w.MedianDays, w.P90Days = &median, &p90
		}
		return w
	}
	all := &histogram{}
	for _, day := range slices.Sorted(maps.Keys(overall)) {
		all.days, all.people, all.n = append(all.days, day), append(all.people, overall[day]), all.n+overall[day]
	}
	for _, h := range quarters {
		// The whole range is provisional when any quarter in it is.
		all.provisional = all.provisional || h.provisional
	}
	out.Overall = wait(all)
	for _, h := range quarters {
		out.Cohorts = append(out.Cohorts, CohortSessionWait{Quarter: h.quarter, SessionWait: wait(h)})
	}
	out.Disclosure = d.note()
	return out, nil
}
