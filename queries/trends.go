package queries

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
)

// Trends answers "is it getting better, quarter by quarter?": for each
// referral quarter's cohort, the five overview measures with the change
// from the quarter before.
//
//   - Referrals: referrals made in the quarter.
//   - Conversion and completion: of the cohort's eligible referrals, those
//     who started (attended a session within the conversion window) and
//     completed, as in ConversionByCohort.
//   - Follow-up rate: of the cohort's non-attenders whose follow-up window
//     has passed, those followed up in time.
//   - Coding completeness: of the cohort's provider outcomes notified to
//     practices whose coding window has passed, those the practice coded
//     (the filtered_outcomes macro).
//
// Every measure is by referral quarter, so a row follows one cohort. Rates
// carry a Provisional flag: conversion and completion while the cohort's
// conversion window is open (quarter end + window after AsOf); follow-up
// and coding also while the cohort is open (its non-attendance and
// completion outcomes are still arriving) or while any of its outcomes
// are still inside their follow-up or coding window. A provisional rate
// can still change and, for conversion, only rise.
//
// Changes are worked out from the published figures: count changes from
// the published counts (nil when either is suppressed), rate changes in
// percentage points from the published percentages. The first quarter of
// the range is compared with the quarter before it when that is loaded.
type Trends struct {
	Filter     Filter         `json:"filter"`
	AsOf       string         `json:"as_of"`
	WindowDays int            `json:"window_days"`
	Quarters   []TrendQuarter `json:"quarters"`
	// References are the configured reference values of the rates
	// (conversion, completion, follow_up, coding) for every quarter or a
	// quarter in the range, to draw and list beside them.
	References []ReferenceValue `json:"references"`
	Disclosure Disclosure       `json:"disclosure"`
}

// TrendQuarter is one referral quarter's cohort.
type TrendQuarter struct {
	Quarter   string `json:"quarter"`
	Referrals Count  `json:"referrals"`
	// ReferralsChange is Referrals minus the previous quarter's, or nil.
	ReferralsChange *int64    `json:"referrals_change"`
	Conversion      TrendRate `json:"conversion"`
	Completion      TrendRate `json:"completion"`
	FollowUp        TrendRate `json:"follow_up"`
	Coding          TrendRate `json:"coding"`
}

// TrendRate is one rate in one quarter with its change from the quarter
// before.
type TrendRate struct {
	Proportion
	// ChangePoints is Percent minus the previous quarter's Percent, in
	// percentage points; nil when either is missing.
	ChangePoints *float64 `json:"change_points"`
	Provisional  bool     `json:"provisional"`
}

// trendCounts are one quarter's true counts.
type trendCounts struct {
	quarter                                   string
	cohortOpen                                bool
	referrals, eligible, converted, completed int64
	followUpDue, followedUp, followUpPending  int64
	codingDue, coded, codingPending           int64
}

// Trends returns the overview measures per referral quarter. The SQL is
// sql/Trends.sql.
func (s *Store) Trends(ctx context.Context, f Filter) (Trends, error) {
	return remember(ctx, s, "Trends", f, s.computeTrends)
}

// computeTrends works Trends out from the database.
func (s *Store) computeTrends(ctx context.Context, f Filter) (Trends, error) {
	if err := s.CheckFilter(ctx, f); err != nil {
		return Trends{}, err
	}
	asOf, err := s.dataAsOf(ctx)
	if err != nil {
		return Trends{}, err
	}
	counts, err := s.trendCounts(ctx, f)
	if err != nil {
		return Trends{}, err
	}
	d := s.newDiscloser(f)
	// The quarter before the range is published only to work out the
	// first change; it is not shown, so its suppressions are not tallied.
	hidden := d.untallied()
	out := Trends{Filter: f, AsOf: asOf, WindowDays: s.cfg.ConversionWindowDays, Quarters: []TrendQuarter{}}
	byQuarter := map[string]TrendQuarter{}
	for _, c := range counts {
		pub := d
		if !inRange(f, c.quarter) {
			pub = hidden
		}
		q := pub.trendQuarter(c)
		if prev, ok := byQuarter[previousQuarter(c.quarter)]; ok {
			q.setChanges(prev)
		}
		byQuarter[c.quarter] = q
		if inRange(f, c.quarter) {
			out.Quarters = append(out.Quarters, q)
		}
	}
	out.References = []ReferenceValue{}
	for _, ind := range []string{"conversion", "completion", "follow_up", "coding"} {
		out.References = append(out.References, referencesFor(s.cfg.References, ind, f.From, f.To, false)...)
	}
	out.Disclosure = d.note()
	return out, nil
}

// trendCounts reads the true counts of every loaded quarter in the range
// and of the quarter before it.
func (s *Store) trendCounts(ctx context.Context, f Filter) ([]trendCounts, error) {
	return s.trendCountsBack(ctx, f, 1)
}

// trendCountsBack reads the true counts of every loaded quarter in the
// range and of the back quarters before it.
func (s *Store) trendCountsBack(ctx context.Context, f Filter, back int) ([]trendCounts, error) {
	wide := f
	if f.From != "" {
		wide.From = quartersBack(f.From, back+1)[0]
	}
	var out []trendCounts
	// Without a filter on the referrals' own attributes the counts kept
	// per practice and quarter give the same answer from a fraction of the
	// rows (Refresh.trend_counts.sql, Refresh.coding_counts.sql).
	args := wide.args(sql.Named("conversion_window_days", s.cfg.ConversionWindowDays), sql.Named("kept", s.useKeptCounts(f)))
	err := s.forEachRow(ctx, query("Trends"), args, func(rows *sql.Rows) error {
		var c trendCounts
		err := rows.Scan(&c.quarter, &c.cohortOpen, &c.referrals, &c.eligible, &c.converted, &c.completed,
			&c.followUpDue, &c.followedUp, &c.followUpPending, &c.codingDue, &c.coded, &c.codingPending)
		out = append(out, c)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("quarterly trends: %w", err)
	}
	return out, nil
}

// trendQuarter publishes one quarter's counts (changes are set later).
func (d *discloser) trendQuarter(c trendCounts) TrendQuarter {
	eligible := d.count(c.eligible)
	return TrendQuarter{
		Quarter:    c.quarter,
		Referrals:  d.count(c.referrals),
		Conversion: TrendRate{Proportion: d.proportionOf(c.converted, c.eligible, eligible), Provisional: c.cohortOpen},
		Completion: TrendRate{Proportion: d.proportionOf(c.completed, c.eligible, eligible), Provisional: c.cohortOpen},
		FollowUp:   TrendRate{Proportion: d.proportion(c.followedUp, c.followUpDue), Provisional: c.cohortOpen || c.followUpPending > 0},
		Coding:     TrendRate{Proportion: d.proportion(c.coded, c.codingDue), Provisional: c.cohortOpen || c.codingPending > 0},
	}
}

// setChanges sets q's changes from the quarter before, prev.
func (q *TrendQuarter) setChanges(prev TrendQuarter) {
	q.ReferralsChange = countChange(q.Referrals, prev.Referrals)
	q.Conversion.ChangePoints = pointsChange(q.Conversion.Percent, prev.Conversion.Percent)
	q.Completion.ChangePoints = pointsChange(q.Completion.Percent, prev.Completion.Percent)
	q.FollowUp.ChangePoints = pointsChange(q.FollowUp.Percent, prev.FollowUp.Percent)
	q.Coding.ChangePoints = pointsChange(q.Coding.Percent, prev.Coding.Percent)
}

// inRange reports whether quarter q lies within the filter's From..To.
func inRange(f Filter, q string) bool {
	return (f.From == "" || q >= f.From) && (f.To == "" || q <= f.To)
}

// previousQuarter names the quarter before q ("2026Q1" -> "2025Q4"). q
// has the form ParseFilter checks.
func previousQuarter(q string) string {
	year, _ := strconv.Atoi(q[:4])
	n := int(q[5] - '0')
	if n == 1 {
		return strconv.Itoa(year-1) + "Q4"
	}
	return q[:4] + "Q" + strconv.Itoa(n-1)
}
