package queries

import (
	"strconv"
	"time"
)

// Quarter arithmetic in Go, for the few places that work on quarters after
// the SQL (the macros quarter_start, quarter_end and cohorts in
// sql/macros.sql do the same in the database).

// quarterEnd is the last day of quarter q ("2026Q2" -> 2026-06-30). q has
// the form ParseFilter checks.
func quarterEnd(q string) time.Time {
	year, _ := strconv.Atoi(q[:4])
	n := int(q[5] - '0')
	return time.Date(year, time.Month(3*n+1), 0, 0, 0, 0, 0, time.UTC)
}

// cohortOpen reports whether the cohort referred in quarter q is still
// provisional as of asOf (YYYY-MM-DD): the windowDays after the quarter's
// last day have not all passed, as the cohorts macro decides.
func cohortOpen(q, asOf string, windowDays int) bool {
	a, err := time.Parse(time.DateOnly, asOf)
	if err != nil {
		return true // no data: nothing is final
	}
	return quarterEnd(q).AddDate(0, 0, windowDays).After(a)
}

// quartersBack lists the n quarters ending with q, oldest first
// ("2026Q2", 3 -> 2025Q4, 2026Q1, 2026Q2).
func quartersBack(q string, n int) []string {
	out := make([]string, n)
	for i := n - 1; i >= 0; i-- {
		out[i] = q
		q = previousQuarter(q)
	}
	return out
}
