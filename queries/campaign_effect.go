package queries

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// CampaignEffect answers "did referrals rise after a practice texted its
// patients?": for each text campaign, the distinct referrals from that
// practice in the CampaignWindowWeeks after it (from the day sent) against
// the same number of weeks before it.
//
// Campaigns are selected by the quarter they were sent in (the filter's
// from and to) and by PCN and practice; the referrals counted are filtered
// by mode, language, referrer and channel but not by quarter, because the
// windows cross quarter ends. A before-and-after comparison is not a
// controlled trial: referrals also move with the season and with other
// work at the practice.
type CampaignEffect struct {
	Filter     Filter `json:"filter"`
	AsOf       string `json:"as_of"`
	WindowDays int    `json:"window_days"` // width of each window (56)
	// Campaigns are by date sent, then practice.
	Campaigns []Campaign `json:"campaigns"`
	// CampaignsPage is set when Campaigns is one page of the list
	// (Paged): which page, and how many campaigns there are in all.
	CampaignsPage *ListPage `json:"campaigns_page,omitempty"`
	// Summary adds up the campaigns whose before and after windows are
	// both complete and shared with no other campaign; the others are
	// counted in Summary.Incomplete and Summary.Overlapping.
	Summary    CampaignSummary `json:"summary"`
	Disclosure Disclosure      `json:"disclosure"`
}

// Campaign is one text campaign and the referrals around it. Messages is a
// count of messages, not of people, and is not under the disclosure rule.
type Campaign struct {
	PracticeCode string `json:"practice_code"`
	PracticeName string `json:"practice_name"`
	PCN          string `json:"pcn"`
	DateSent     string `json:"date_sent"`
	Messages     int64  `json:"messages"`
	BeforeFrom   string `json:"before_from"` // first day of the before window
	AfterTo      string `json:"after_to"`    // last day of the after window
	Before       Count  `json:"before"`
	After        Count  `json:"after"`
	// Difference is After - Before and Ratio is After / Before, both from
	// the published counts; nil when either is suppressed (or Before is
	// zero, for Ratio).
	Difference *int64   `json:"difference"`
	Ratio      *float64 `json:"ratio"`
	// BeforeComplete is false when the before window starts before the
	// first loaded quarter; AfterComplete is false when the after window
	// ends after the data do (AsOf). An incomplete window undercounts.
	BeforeComplete bool `json:"before_complete"`
	AfterComplete  bool `json:"after_complete"`
	// Overlaps is true when the same practice sent another campaign less
	// than a window before or after this one, so their windows share
	// referrals.
	Overlaps bool `json:"overlaps"`
}

// CampaignSummary adds up the campaigns with both windows complete and
// no overlap: an incomplete window undercounts, and overlapping windows
// would count the same referrals twice and blur before with after.
type CampaignSummary struct {
	Campaigns   int      `json:"campaigns"`   // added up
	Incomplete  int      `json:"incomplete"`  // left out: a window not complete
	Overlapping int      `json:"overlapping"` // left out: complete, but overlaps another campaign
	Before      Count    `json:"before"`
	After       Count    `json:"after"`
	Difference  *int64   `json:"difference"`
	Ratio       *float64 `json:"ratio"`
}

// CampaignEffect computes referrals before and after each text campaign
// under the filter. The SQL is sql/CampaignEffect.sql.
func (s *Store) CampaignEffect(ctx context.Context, f Filter) (CampaignEffect, error) {
	return remember(ctx, s, "CampaignEffect", f, s.computeCampaignEffect)
}

// computeCampaignEffect works CampaignEffect out from the database.
func (s *Store) computeCampaignEffect(ctx context.Context, f Filter) (CampaignEffect, error) {
	if err := s.CheckFilter(ctx, f); err != nil {
		return CampaignEffect{}, err
	}
	d := s.newDiscloser(f)
	window := 7 * s.cfg.CampaignWindowWeeks
	out := CampaignEffect{Filter: f, WindowDays: window, Campaigns: []Campaign{}}
	var err error
	if out.AsOf, err = s.dataAsOf(ctx); err != nil {
		return out, err
	}
	var before, after int64
	args := f.args(sql.Named("window_days", window))
	err = s.forEachRow(ctx, query("CampaignEffect"), args, func(rows *sql.Rows) error {
		var c Campaign
		var sent, from, to time.Time
		var b, a int64
		if err := rows.Scan(&c.PracticeCode, &c.PracticeName, &c.PCN, &sent, &c.Messages, &from, &to,
			&b, &a, &c.BeforeComplete, &c.AfterComplete, &c.Overlaps); err != nil {
			return err
		}
		c.DateSent, c.BeforeFrom, c.AfterTo = isoDate(sent), isoDate(from), isoDate(to)
		u := d.unit(c.PracticeCode) // exact for the practice's own staff
		c.Before, c.After = u.count(b), u.count(a)
		c.Difference, c.Ratio = compareCounts(c.Before, c.After)
		switch {
		case !c.BeforeComplete || !c.AfterComplete:
			out.Summary.Incomplete++
		case c.Overlaps:
			out.Summary.Overlapping++
		default:
			out.Summary.Campaigns++
			before += b
			after += a
		}
		out.Campaigns = append(out.Campaigns, c)
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("campaign effect: %w", err)
	}
	out.Summary.Before, out.Summary.After = d.count(before), d.count(after)
	out.Summary.Difference, out.Summary.Ratio = compareCounts(out.Summary.Before, out.Summary.After)
	out.Disclosure = d.note()
	return out, nil
}

// compareCounts is after - before and after / before from published
// counts, nil where a count is suppressed or the ratio has no denominator.
func compareCounts(before, after Count) (*int64, *float64) {
	diff := countChange(after, before)
	if diff == nil || before.N == 0 {
		return diff, nil
	}
	ratio := float64(after.N) / float64(before.N)
	return diff, &ratio
}
