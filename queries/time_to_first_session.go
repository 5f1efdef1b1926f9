package queries

import (
	"context"
	"database/sql"
	"fmt"
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
// filter. The SQL is sql/time_to_first_session.sql.
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
	d := s.newDiscloser()
	args := append(f.referralArgs(), s.cfg.ConversionWindowDays)
	err = s.forEachRow(ctx, query("time_to_first_session"), args, func(rows *sql.Rows) error {
		var quarter sql.NullString
		var people int64
		var median, p90 sql.NullFloat64
		var w SessionWait
		if err := rows.Scan(&quarter, &w.Provisional, &people, &median, &p90); err != nil {
			return err
		}
		w.People = d.count(people)
		// Both percentiles rest on the same people, so both are withheld or
		// neither; each withheld value is a "*" cell in the tally.
		medianOK, p90OK := d.statistic(people), d.statistic(people)
		if w.Suppressed = !medianOK || !p90OK; !w.Suppressed {
			if median.Valid {
				w.MedianDays = &median.Float64
			}
			if p90.Valid {
				w.P90Days = &p90.Float64
			}
		}
		if !quarter.Valid {
			out.Overall = w
		} else {
			out.Cohorts = append(out.Cohorts, CohortSessionWait{Quarter: quarter.String, SessionWait: w})
		}
		return nil
	})
	if err != nil {
		return TimeToFirstSession{}, fmt.Errorf("time to first session: %w", err)
	}
	out.Disclosure = d.note()
	return out, nil
}
