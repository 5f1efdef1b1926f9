package queries

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// FollowUp answers "of the people who did not attend, how many did anyone
// follow up in time, and did it help?". A non-attender is an eligible
// referral whose provider outcome was did not attend, declined or no
// response; the follow-up rate is the share followed up within
// FollowUpWindowDays of the practice being notified, counting only
// non-attenders whose whole window has passed ("due"). Percentages are
// worked out from the published counts, intervals from the true counts
// (see Proportion).
type FollowUp struct {
	Filter     Filter `json:"filter"`
	AsOf       string `json:"as_of"`       // last day the data cover
	WindowDays int    `json:"window_days"` // follow-up window (28)

	NonAttenders   Count `json:"non_attenders"`
	NotYetNotified Count `json:"not_yet_notified"` // the practice has not been told yet
	Notified       Count `json:"notified"`
	NotYetDue      Count `json:"not_yet_due"` // notified, window still open
	// Rate is followed up inside the window (numerator) of the due
	// non-attenders (denominator).
	Rate Proportion `json:"rate"`
	// FollowedUpByPractice and FollowedUpByProvider split Rate's numerator
	// by who made the first follow-up.
	FollowedUpByPractice Count `json:"followed_up_by_practice"`
	FollowedUpByProvider Count `json:"followed_up_by_provider"`

	Practices []FollowUpPractice `json:"practices"`
	// PracticesPage is set when Practices is one page of the list
	// (Paged): which page, and how many practices there are in all.
	PracticesPage  *ListPage            `json:"practices_page,omitempty"`
	Quarters       []FollowUpQuarter    `json:"quarters"`
	DaysToFollowUp []FollowUpDaysBin    `json:"days_to_follow_up"`
	ReEngagement   FollowUpReEngagement `json:"re_engagement"`

	Disclosure Disclosure `json:"disclosure"`
}

// FollowUpPractice is one practice's follow-up of its non-attenders.
// Practices without any appear with zeros.
type FollowUpPractice struct {
	Code                 string     `json:"code"`
	Name                 string     `json:"name"`
	PCN                  string     `json:"pcn"`
	NonAttenders         Count      `json:"non_attenders"`
	Rate                 Proportion `json:"rate"`
	FollowedUpByPractice Count      `json:"followed_up_by_practice"`
	FollowedUpByProvider Count      `json:"followed_up_by_provider"`
}

// FollowUpQuarter is the follow-up of one referral quarter's
// non-attenders. The quarter's rate is Provisional, and may still change,
// while its cohort's conversion window is open (non-attendance outcomes
// are still arriving) or any of its notified non-attenders is not yet due
// (notified less than the follow-up window ago), as in Trends. Those
// never notified are not in the rate, and hold no quarter provisional.
type FollowUpQuarter struct {
	Quarter      string     `json:"quarter"`
	NonAttenders Count      `json:"non_attenders"`
	NotYetDue    Count      `json:"not_yet_due"`
	Rate         Proportion `json:"rate"`
	Provisional  bool       `json:"provisional"`
}

// FollowUpDaysBin counts the due non-attenders whose first follow-up came
// that many days after the practice was notified. Bins are "0-7" (which
// also holds follow-ups made before the notification), "8-14", "15-21",
// "22-28", "29-42", "43+" and "never" (no follow-up on or after the
// outcome recorded by AsOf).
type FollowUpDaysBin struct {
	Bin          string   `json:"bin"`
	NonAttenders Count    `json:"non_attenders"`
	Percent      *float64 `json:"percent"` // of all due non-attenders
}

// FollowUpReEngagement is the share of due non-attenders who later
// attended a session (numerator: re-engaged; denominator: due
// non-attenders), overall and by whether they were followed up inside the
// window. It shows association, not effect: people who were easy to reach
// may have come back anyway.
type FollowUpReEngagement struct {
	All           Proportion `json:"all"`
	FollowedUp    Proportion `json:"followed_up"`
	NotFollowedUp Proportion `json:"not_followed_up"`
}

// followUpBins are the FollowUpDaysBin names, in order: the days_* and
// never columns of sql/FollowUp.sql.
var followUpBins = []string{"0-7", "8-14", "15-21", "22-28", "29-42", "43+", "never"}

// followUpTally is the follow-up of one group's non-attenders (a practice,
// a quarter, the borough): one row of the SQL, or their sum.
type followUpTally struct {
	nonAttenders, notified, due, followedUp int64
	// byPractice and byProvider split followedUp by who followed up
	// first. The SQL counts them for practices only (zero for quarters).
	byPractice, byProvider int64
	// bins count the due non-attenders by days to follow-up
	// (followUpBins).
	bins [7]int64
	// reEngaged counts the due non-attenders who later attended, of those
	// followed up in time and of the others. The SQL counts them for
	// quarters only (zero for practices).
	reEngagedFollowedUp, reEngagedNotFollowedUp int64
}

// scan reads one row of the SQL after by_practice and key. The SQL counts
// the due non-attenders by days to follow-up: every one of them is in one
// bin. Those followed up in time, within the configured window, it counts
// apart: the window need not end at a bin's edge.
func (t *followUpTally) scan(rows *sql.Rows, head ...any) error {
	var notYetDue int64
	cols := append(head, &t.nonAttenders, &notYetDue, &t.followedUp, &t.byPractice, &t.byProvider)
	for i := range t.bins {
		cols = append(cols, &t.bins[i])
	}
	if err := rows.Scan(append(cols, &t.reEngagedFollowedUp, &t.reEngagedNotFollowedUp)...); err != nil {
		return err
	}
	for _, n := range t.bins {
		t.due += n
	}
	t.notified = t.due + notYetDue
	return nil
}

func (t *followUpTally) addAll(o *followUpTally) {
	t.nonAttenders += o.nonAttenders
	t.notified += o.notified
	t.due += o.due
	t.followedUp += o.followedUp
	t.byPractice += o.byPractice
	t.byProvider += o.byProvider
	for i := range t.bins {
		t.bins[i] += o.bins[i]
	}
	t.reEngagedFollowedUp += o.reEngagedFollowedUp
	t.reEngagedNotFollowedUp += o.reEngagedNotFollowedUp
}

// FollowUp computes the follow-up of non-attenders under the filter. The
// SQL is sql/FollowUp.sql.
func (s *Store) FollowUp(ctx context.Context, f Filter) (FollowUp, error) {
	return remember(ctx, s, "FollowUp", f, s.computeFollowUp)
}

// computeFollowUp works FollowUp out from the database.
func (s *Store) computeFollowUp(ctx context.Context, f Filter) (FollowUp, error) {
	if err := s.CheckFilter(ctx, f); err != nil {
		return FollowUp{}, err
	}
	opts, err := s.FilterOptions(ctx) // cached by CheckFilter
	if err != nil {
		return FollowUp{}, err
	}
	d := s.newDiscloser(f)
	out := FollowUp{Filter: f, WindowDays: s.cfg.FollowUpWindowDays,
		Practices: []FollowUpPractice{}, Quarters: []FollowUpQuarter{}}
	if out.AsOf, err = s.dataAsOf(ctx); err != nil {
		return out, err
	}

	practices, quarters := map[string]*followUpTally{}, map[string]*followUpTally{}
	// Without a filter on the referrals' own attributes the counts kept
	// per practice and quarter give the same answer from a sixth of the
	// rows (Refresh.followup_counts.sql).
	err = s.forEachRow(ctx, query("FollowUp"), f.args(sql.Named("kept", s.useKeptCounts(f))), func(rows *sql.Rows) error {
		var byPractice bool
		var key string
		var t followUpTally
		if err := t.scan(rows, &byPractice, &key); err != nil {
			return err
		}
		if byPractice {
			practices[key] = &t
		} else {
			quarters[key] = &t
		}
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("follow-up by practice and quarter: %w", err)
	}

	// The borough is every practice's non-attenders, listed or not; its
	// re-engagement, which the SQL counts by quarter only, is every
	// quarter's.
	var all, byQuarter followUpTally
	for _, t := range practices {
		all.addAll(t)
	}
	for _, t := range quarters {
		byQuarter.addAll(t)
	}
	all.reEngagedFollowedUp, all.reEngagedNotFollowedUp = byQuarter.reEngagedFollowedUp, byQuarter.reEngagedNotFollowedUp
	out.NonAttenders = d.count(all.nonAttenders)
	out.NotYetNotified = d.count(all.nonAttenders - all.notified)
	out.Notified = d.count(all.notified)
	out.NotYetDue = d.count(all.notified - all.due)
	out.Rate = d.proportion(all.followedUp, all.due)
	out.FollowedUpByPractice = d.count(all.byPractice)
	out.FollowedUpByProvider = d.count(all.byProvider)
	for i, bin := range followUpBins {
		b := FollowUpDaysBin{Bin: bin, NonAttenders: d.count(all.bins[i])}
		b.Percent = Percent(b.NonAttenders, out.Rate.Denominator)
		out.DaysToFollowUp = append(out.DaysToFollowUp, b)
	}
	out.ReEngagement = FollowUpReEngagement{
		All:           d.proportion(all.reEngagedFollowedUp+all.reEngagedNotFollowedUp, all.due),
		FollowedUp:    d.proportion(all.reEngagedFollowedUp, all.followedUp),
		NotFollowedUp: d.proportion(all.reEngagedNotFollowedUp, all.due-all.followedUp),
	}

	// Every practice under the filter's PCN and practice, with none or not.
	for _, p := range opts.Practices {
		if (f.PCN != "" && p.PCN != f.PCN) || (f.Practice != "" && p.Code != f.Practice) {
			continue
		}
		t := practices[p.Code]
		if t == nil {
			t = &followUpTally{}
		}
		u := d.unit(p.Code) // exact for the practice's own staff
		out.Practices = append(out.Practices, FollowUpPractice{
			Code: p.Code, Name: p.Name, PCN: p.PCN,
			NonAttenders:         u.count(t.nonAttenders),
			Rate:                 u.proportion(t.followedUp, t.due),
			FollowedUpByPractice: u.count(t.byPractice),
			FollowedUpByProvider: u.count(t.byProvider),
		})
	}
	// Every loaded quarter in the filter's range, with none or not.
	for _, q := range opts.Quarters {
		if (f.From != "" && q < f.From) || (f.To != "" && q > f.To) {
			continue
		}
		t := quarters[q]
		if t == nil {
			t = &followUpTally{}
		}
		out.Quarters = append(out.Quarters, FollowUpQuarter{
			Quarter:      q,
			NonAttenders: d.count(t.nonAttenders),
			NotYetDue:    d.count(t.notified - t.due),
			Rate:         d.proportion(t.followedUp, t.due),
			Provisional:  cohortOpen(q, out.AsOf, s.cfg.ConversionWindowDays) || t.notified > t.due,
		})
	}

	out.Disclosure = d.note()
	return out, nil
}

// FollowUpTask is one line of a practice's follow-up work list: a person
// who did not attend, whom nobody has followed up yet.
type FollowUpTask struct {
	ReferralID   string `json:"referral_id"`
	PatientID    string `json:"patient_id"` // the pseudonym the practice can look up
	ReferralDate string `json:"referral_date"`
	Outcome      string `json:"outcome"` // did not attend, declined or no response
	OutcomeDate  string `json:"outcome_date"`
	NotifiedDate string `json:"notified_date"`
	// DaysSinceNotified and Overdue are as of AsOf, the last day the
	// loaded data cover.
	DaysSinceNotified int    `json:"days_since_notified"`
	Deadline          string `json:"deadline"` // notified + the follow-up window
	// DaysLeft is days from AsOf to the deadline; zero or less when overdue.
	DaysLeft int    `json:"days_left"`
	Overdue  bool   `json:"overdue"`
	AsOf     string `json:"as_of"`
}

// FollowUpWorkList lists the practice's eligible non-attenders whom the
// practice has been told about, whom nobody has followed up on or after
// the non-attendance outcome (the follow-ups the rate counts) and who have
// not attended since: open tasks first, fewest days left first, then
// overdue tasks, longest overdue first. Anyone followed up after the
// outcome, even late, is off the list (they were contacted); so is anyone
// who came back.
//
// The list identifies people (by pseudonym) and is NOT under the
// disclosure rule: it is the practice's own list of its own patients. The
// dashboard must show it only to that practice. An unknown practice is a
// *FilterError for the field "practice". The SQL is
// sql/FollowUpWorkList.sql.
func (s *Store) FollowUpWorkList(ctx context.Context, practiceCode string) ([]FollowUpTask, error) {
	if err := s.checkPractice(ctx, practiceCode); err != nil {
		return nil, err
	}
	tasks := []FollowUpTask{}
	err := s.forEachRow(ctx, query("FollowUpWorkList"), []any{sql.Named("practice", practiceCode), sql.Named("followup_window_days", s.cfg.FollowUpWindowDays)}, func(rows *sql.Rows) error {
		var t FollowUpTask
		var referred, outcome, notified, deadline, asOf time.Time
		if err := rows.Scan(&t.ReferralID, &t.PatientID, &referred, &t.Outcome, &outcome, &notified,
			&t.DaysSinceNotified, &deadline, &t.Overdue, &asOf); err != nil {
			return err
		}
		t.ReferralDate, t.OutcomeDate, t.NotifiedDate = isoDate(referred), isoDate(outcome), isoDate(notified)
		t.Deadline, t.AsOf = isoDate(deadline), isoDate(asOf)
		t.DaysLeft = s.cfg.FollowUpWindowDays - t.DaysSinceNotified
		tasks = append(tasks, t)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("follow-up work list: %w", err)
	}
	return tasks, nil
}
