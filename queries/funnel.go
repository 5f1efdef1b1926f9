package queries

import (
	"context"
	"database/sql"
	"fmt"
)

// Funnel answers "where along the pathway are referrals lost?": how many
// referrals were referred, eligible, booked on a course, started a course
// and completed one. The stages are nested, each a subset of the one
// before, so every drop between two stages is people lost there:
//
//   - Referred: every referral under the filter.
//   - Eligible: not ruled ineligible by the provider, and a carer or a
//     patient diagnosed at least MinYearsSinceDiagnosis ago.
//   - Booked: eligible and booked on at least one course (by the as-of date).
//   - Started: eligible and attended at least one session within
//     ConversionWindowDays of referral; this is "converted". The brief's
//     stage "attended first session" is taken to mean the person's first
//     attended session, not session 1 of the course: someone who misses
//     session 1 but comes to session 2 has still started the course.
//   - Completed: started, and attended at least CompletionSessions sessions
//     of a course begun inside the window.
//
// The funnel covers every cohort in the range, including recent ones whose
// conversion window has not closed: their people may still start, so the
// later stages are understated for them. ProvisionalReferrals counts those
// referrals and ProvisionalQuarters names their quarters, so the page can
// say that recent cohorts are still maturing.
type Funnel struct {
	Filter Filter `json:"filter"`
	// AsOf is the last day the loaded data cover (YYYY-MM-DD).
	AsOf string `json:"as_of"`
	// WindowDays is the conversion window (180).
	WindowDays int           `json:"window_days"`
	Stages     []FunnelStage `json:"stages"`
	// ProvisionalReferrals counts the referrals (all stages' population)
	// whose conversion window had not closed by AsOf.
	ProvisionalReferrals Count `json:"provisional_referrals"`
	// Provisional is true when any referral in the funnel is in a cohort
	// still maturing, so the later stages may yet grow.
	Provisional bool `json:"provisional"`
	// ProvisionalQuarters lists the quarters of the range whose cohort
	// window has not closed (quarter end + window after AsOf), oldest first.
	ProvisionalQuarters []string   `json:"provisional_quarters"`
	Disclosure          Disclosure `json:"disclosure"`
}

// FunnelStage is one stage of the pathway funnel. Both percentages are
// worked out from the published (rounded) counts; they are nil when a
// count involved is suppressed or the base is zero.
type FunnelStage struct {
	// Stage is the stage's key: "referred", "eligible", "booked", "started"
	// or "completed".
	Stage string `json:"stage"`
	// Label names the stage for people.
	Label  string `json:"label"`
	People Count  `json:"people"`
	// PercentOfReferred is People as a share of the referred stage (100
	// for the referred stage itself).
	PercentOfReferred *float64 `json:"percent_of_referred"`
	// PercentOfPrevious is People as a share of the stage before (nil for
	// the first stage).
	PercentOfPrevious *float64 `json:"percent_of_previous"`
}

// Funnel returns the pathway funnel for the filter. The SQL is
// sql/Funnel.sql.
func (s *Store) Funnel(ctx context.Context, f Filter) (Funnel, error) {
	return remember(ctx, s, "Funnel", f, s.computeFunnel)
}

// computeFunnel works Funnel out from the database.
func (s *Store) computeFunnel(ctx context.Context, f Filter) (Funnel, error) {
	if err := s.CheckFilter(ctx, f); err != nil {
		return Funnel{}, err
	}
	asOf, err := s.dataAsOf(ctx)
	if err != nil {
		return Funnel{}, err
	}
	var n [5]int64
	var provisional int64
	var quarters string
	args := f.args(sql.Named("conversion_window_days", s.cfg.ConversionWindowDays))
	err = s.db.QueryRowContext(ctx, query("Funnel"), args...).
		Scan(&n[0], &n[1], &n[2], &n[3], &n[4], &provisional, &quarters)
	if err != nil {
		return Funnel{}, fmt.Errorf("pathway funnel: %w", err)
	}

	d := s.newDiscloser(f)
	labels := [5][2]string{
		{"referred", "Referred"},
		{"eligible", "Eligible"},
		{"booked", "Booked on a course"},
		{"started", fmt.Sprintf("Started (attended a session within %d days)", s.cfg.ConversionWindowDays)},
		{"completed", fmt.Sprintf("Completed (%d or more sessions)", s.cfg.CompletionSessions)},
	}
	out := Funnel{
		Filter:              f,
		AsOf:                asOf,
		WindowDays:          s.cfg.ConversionWindowDays,
		ProvisionalQuarters: splitList(quarters),
	}
	for i, l := range labels {
		st := FunnelStage{Stage: l[0], Label: l[1], People: d.count(n[i])}
		if i == 0 {
			st.PercentOfReferred = Percent(st.People, st.People)
		} else {
			st.PercentOfReferred = Percent(st.People, out.Stages[0].People)
			st.PercentOfPrevious = Percent(st.People, out.Stages[i-1].People)
		}
		out.Stages = append(out.Stages, st)
	}
	out.ProvisionalReferrals = d.count(provisional)
	out.Provisional = provisional > 0
	out.Disclosure = d.note()
	return out, nil
}
