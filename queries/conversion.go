package queries

import (
	"context"
	"database/sql"
	"fmt"
)

// ConversionByCohort answers "of the eligible people referred each
// quarter, how many started a course within the conversion window, and how
// many completed one?". Cohorts are by referral quarter; loaded quarters
// with no referrals appear with zeros.
//
// Conversion is converted / eligible and completion is completed /
// eligible (both denominators are the eligible referrals, as the domain
// defines them). A cohort is Provisional while the conversion window of
// its last possible referral is open (quarter end + ConversionWindowDays
// after AsOf): some of its people may still start, so its rates can only
// rise.
//
// Percentages are worked out from the published counts; the 95% Wilson
// intervals from the true counts (see Proportion).
type ConversionByCohort struct {
	Filter     Filter `json:"filter"`
	AsOf       string `json:"as_of"`
	WindowDays int    `json:"window_days"`
	// CompletionSessions is how many sessions count as completing (5).
	CompletionSessions int                `json:"completion_sessions"`
	Cohorts            []CohortConversion `json:"cohorts"`
	Disclosure         Disclosure         `json:"disclosure"`
}

// CohortConversion is one referral quarter's cohort. Conversion and
// Completion share the denominator: the cohort's eligible referrals.
type CohortConversion struct {
	Quarter     string     `json:"quarter"`
	Provisional bool       `json:"provisional"`
	Eligible    Count      `json:"eligible"`
	Conversion  Proportion `json:"conversion"`
	Completion  Proportion `json:"completion"`
}

// ConversionByCohort returns conversion and completion per referral
// quarter. The SQL is sql/ConversionByCohort.sql.
func (s *Store) ConversionByCohort(ctx context.Context, f Filter) (ConversionByCohort, error) {
	return remember(ctx, s, "ConversionByCohort", f, s.computeConversionByCohort)
}

// computeConversionByCohort works ConversionByCohort out from the database.
func (s *Store) computeConversionByCohort(ctx context.Context, f Filter) (ConversionByCohort, error) {
	if err := s.CheckFilter(ctx, f); err != nil {
		return ConversionByCohort{}, err
	}
	asOf, err := s.dataAsOf(ctx)
	if err != nil {
		return ConversionByCohort{}, err
	}
	out := ConversionByCohort{
		Filter: f, AsOf: asOf,
		WindowDays:         s.cfg.ConversionWindowDays,
		CompletionSessions: s.cfg.CompletionSessions,
		Cohorts:            []CohortConversion{},
	}
	d := s.newDiscloser(f)
	args := f.args(sql.Named("conversion_window_days", s.cfg.ConversionWindowDays))
	err = s.forEachRow(ctx, query("ConversionByCohort"), args, func(rows *sql.Rows) error {
		var c CohortConversion
		var eligible, converted, completed int64
		if err := rows.Scan(&c.Quarter, &c.Provisional, &eligible, &converted, &completed); err != nil {
			return err
		}
		c.Eligible = d.count(eligible)
		c.Conversion = d.proportionOf(converted, eligible, c.Eligible)
		c.Completion = d.proportionOf(completed, eligible, c.Eligible)
		out.Cohorts = append(out.Cohorts, c)
		return nil
	})
	if err != nil {
		return ConversionByCohort{}, fmt.Errorf("conversion by cohort: %w", err)
	}
	out.Disclosure = d.note()
	return out, nil
}
