package queries

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// This file holds what the service-facing indicators (follow-up, coding,
// venue and time demand, campaigns, data quality) share.

// The slots a course runs in and a referral may prefer, in display order.
// They are the values of course_facts.slot and referrals.preferred_slot.
const (
	SlotDaytime      = "weekday daytime"
	SlotEvening      = "weekday evening"
	SlotWeekend      = "weekend"
	SlotNoPreference = "no preference"
)

// CourseSlots are the slots a course can run in; PreferredSlots are what
// a referral can ask for.
var (
	CourseSlots    = []string{SlotDaytime, SlotEvening, SlotWeekend}
	PreferredSlots = []string{SlotDaytime, SlotEvening, SlotWeekend, SlotNoPreference}
)

// isoDate writes a date as YYYY-MM-DD, the form the JSON API and exports
// use for every date.
func isoDate(t time.Time) string { return t.Format(time.DateOnly) }

// ceilDiv is a/b rounded up, for "how many courses would these people fill".
func ceilDiv(a, b int64) int64 {
	if a <= 0 {
		return 0
	}
	return (a + b - 1) / b
}

// ratioOf is a published count over a number that is not a count of people
// (places, for example), or nil when the count is suppressed or the
// divisor is zero. scale is 100 for a percentage and 1 for a ratio.
func ratioOf(c Count, den int64, scale float64) *float64 {
	if c.Suppressed || den == 0 {
		return nil
	}
	v := scale * float64(c.N) / float64(den)
	return &v
}

// forEachRow runs q and calls scan for each row, closing the rows after.
func (s *Store) forEachRow(ctx context.Context, q string, args []any, scan func(*sql.Rows) error) error {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// checkPractice reports a *FilterError when code is not a practice in the
// loaded data; the work lists use it.
func (s *Store) checkPractice(ctx context.Context, code string) error {
	if !practiceRE.MatchString(code) {
		return &FilterError{"practice", truncate(code, maxFilterValue), "must be an ODS practice code: a letter and five digits, e.g. F83004"}
	}
	return s.CheckFilter(ctx, Filter{Practice: code})
}

// dataAsOf is the last day the loaded data cover, as YYYY-MM-DD, or ""
// when nothing is loaded.
func (s *Store) dataAsOf(ctx context.Context) (string, error) {
	var asOf sql.NullTime
	if err := s.db.QueryRowContext(ctx, query("dataAsOf")).Scan(&asOf); err != nil {
		return "", fmt.Errorf("data as-of date: %w", err)
	}
	if !asOf.Valid {
		return "", nil
	}
	return isoDate(asOf.Time), nil
}
