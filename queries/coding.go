package queries

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"
)

// The outcome categories of coding completeness, as in
// outcome_facts.code_category: each has its own list of GP codes.
const (
	CodingAttended     = "attended"       // attended or completed: Codes.Attended
	CodingDidNotAttend = "did not attend" // Codes.DidNotAttend
	CodingDeclined     = "declined"       // declined or no response: Codes.Declined
)

// CodingCategories are the outcome categories in display order.
var CodingCategories = []string{CodingAttended, CodingDidNotAttend, CodingDeclined}

// CodingCompleteness answers "when the provider tells a practice what
// happened, does the practice record it?": of provider outcomes notified
// to practices whose CodingWindowDays have passed, the share with a
// matching GP code for the same patient at the same practice, dated from
// the referral to the end of the window. A code from the wrong category
// (9OLM for a did-not-attend) does not match. Percentages are worked out
// from the published counts, intervals from the true counts (see
// Proportion).
type CodingCompleteness struct {
	Filter     Filter `json:"filter"`
	AsOf       string `json:"as_of"`
	WindowDays int    `json:"window_days"` // coding window (90)

	Notified     Count `json:"notified"`      // outcomes notified to practices
	InsideWindow Count `json:"inside_window"` // notified, window still open: not in the rate yet
	// Rate is coded inside the window (numerator) of the outcomes whose
	// window has passed (denominator).
	Rate Proportion `json:"rate"`

	Categories []CodingGroup `json:"categories"` // Key: attended, did not attend, declined
	Practices  []CodingGroup `json:"practices"`  // Key: practice code; practices with none appear with zeros
	// PracticesPage is set when Practices is one page of the list
	// (Paged): which page, and how many practices there are in all.
	PracticesPage *ListPage     `json:"practices_page,omitempty"`
	Quarters      []CodingGroup `json:"quarters"` // Key: referral quarter; empty quarters appear with zeros

	Disclosure Disclosure `json:"disclosure"`
}

// CodingGroup is coding completeness for one category, practice or
// quarter. Name and PCN are set for practices only. Provisional is set for
// quarters only, as in Trends: the quarter's rate may still change while
// its cohort's conversion window is open (outcomes are still arriving) or
// any of its notified outcomes is inside the coding window.
type CodingGroup struct {
	Key          string     `json:"key"`
	Name         string     `json:"name,omitempty"`
	PCN          string     `json:"pcn,omitempty"`
	InsideWindow Count      `json:"inside_window"`
	Rate         Proportion `json:"rate"` // coded of due, as CodingCompleteness.Rate
	Provisional  bool       `json:"provisional,omitempty"`
}

// codingTally counts one group's notified outcomes, as the columns of
// sql/CodingCompleteness.sql.
type codingTally struct {
	notified, insideWindow, due, codedInWindow int64
}

func (t codingTally) plus(u codingTally) codingTally {
	return codingTally{t.notified + u.notified, t.insideWindow + u.insideWindow, t.due + u.due, t.codedInWindow + u.codedInWindow}
}

func (t codingTally) group(d *discloser, key string) CodingGroup {
	return CodingGroup{
		Key:          key,
		InsideWindow: d.count(t.insideWindow),
		Rate:         d.proportion(t.codedInWindow, t.due),
	}
}

// CodingCompleteness computes coding completeness under the filter. The
// SQL is sql/CodingCompleteness.sql.
func (s *Store) CodingCompleteness(ctx context.Context, f Filter) (CodingCompleteness, error) {
	return remember(ctx, s, "CodingCompleteness", f, s.computeCodingCompleteness)
}

// computeCodingCompleteness works CodingCompleteness out from the database.
func (s *Store) computeCodingCompleteness(ctx context.Context, f Filter) (CodingCompleteness, error) {
	if err := s.CheckFilter(ctx, f); err != nil {
		return CodingCompleteness{}, err
	}
	opts, err := s.FilterOptions(ctx) // cached by CheckFilter
	if err != nil {
		return CodingCompleteness{}, err
	}
	d := s.newDiscloser(f)
	out := CodingCompleteness{Filter: f, WindowDays: s.cfg.CodingWindowDays,
		Categories: []CodingGroup{}, Practices: []CodingGroup{}, Quarters: []CodingGroup{}}
	if out.AsOf, err = s.dataAsOf(ctx); err != nil {
		return out, err
	}
	tallies := map[string]map[string]codingTally{"category": {}, "practice": {}, "quarter": {}}
	// Without a filter on the referrals' own attributes the counts kept
	// per practice, quarter and category give the same answer from a
	// fraction of the rows (Refresh.coding_counts.sql).
	err = s.forEachRow(ctx, query("CodingCompleteness"), f.args(sql.Named("kept", s.useKeptCounts(f))), func(rows *sql.Rows) error {
		var breakdown, key string
		var t codingTally
		if err := rows.Scan(&breakdown, &key, &t.notified, &t.insideWindow, &t.due, &t.codedInWindow); err != nil {
			return err
		}
		tallies[breakdown][key] = t
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("coding by category, practice and quarter: %w", err)
	}
	tally := func(breakdown, key string) codingTally { return tallies[breakdown][key] }

	// Categories partition the outcomes, so the borough is their sum.
	var all codingTally
	for _, cat := range CodingCategories {
		all = all.plus(tally("category", cat))
	}
	out.Notified = d.count(all.notified)
	out.InsideWindow = d.count(all.insideWindow)
	out.Rate = d.proportion(all.codedInWindow, all.due)
	for _, cat := range CodingCategories {
		out.Categories = append(out.Categories, tally("category", cat).group(d, cat))
	}
	// Every practice under the filter's PCN and practice, with none or not.
	for _, p := range opts.Practices {
		if (f.PCN != "" && p.PCN != f.PCN) || (f.Practice != "" && p.Code != f.Practice) {
			continue
		}
		g := tally("practice", p.Code).group(d.unit(p.Code), p.Code) // exact for the practice's own staff
		g.Name, g.PCN = p.Name, p.PCN
		out.Practices = append(out.Practices, g)
	}
	// Every loaded quarter in the filter's range, with none or not.
	for _, q := range opts.Quarters {
		if (f.From != "" && q < f.From) || (f.To != "" && q > f.To) {
			continue
		}
		t := tally("quarter", q)
		g := t.group(d, q)
		g.Provisional = cohortOpen(q, out.AsOf, s.cfg.ConversionWindowDays) || t.insideWindow > 0
		out.Quarters = append(out.Quarters, g)
	}

	out.Disclosure = d.note()
	return out, nil
}

// CodingTask is one line of a practice's coding work list: a provider
// outcome the practice was told about and has not coded.
type CodingTask struct {
	ReferralID   string `json:"referral_id"`
	PatientID    string `json:"patient_id"` // the pseudonym the practice can look up
	Outcome      string `json:"outcome"`    // the provider's outcome, e.g. completed
	Category     string `json:"category"`   // attended, did not attend or declined
	OutcomeDate  string `json:"outcome_date"`
	NotifiedDate string `json:"notified_date"`
	// Codes are the GP codes any one of which records this outcome, from
	// the configuration's list for its category (Config.Codes).
	Codes             []string `json:"codes"`
	DaysSinceNotified int      `json:"days_since_notified"`
	Deadline          string   `json:"deadline"`  // notified + the coding window
	DaysLeft          int      `json:"days_left"` // from AsOf to the deadline; zero or less when overdue
	Overdue           bool     `json:"overdue"`
	AsOf              string   `json:"as_of"` // the last day the loaded data cover
}

// CodingWorkList lists the provider outcomes notified to the practice for
// which the practice's system holds no matching code for that patient
// since the referral, both those still inside the coding window and those
// past it: open items first, fewest days left first, then overdue items,
// longest overdue first. An outcome coded after its window is off the list
// (the record is right now) though it still counts as not coded in time.
//
// The list identifies people (by pseudonym) and is NOT under the
// disclosure rule: it is the practice's own list of its own patients. The
// dashboard must show it only to that practice. An unknown practice is a
// *FilterError for the field "practice". The SQL is
// sql/CodingWorkList.sql.
func (s *Store) CodingWorkList(ctx context.Context, practiceCode string) ([]CodingTask, error) {
	if err := s.checkPractice(ctx, practiceCode); err != nil {
		return nil, err
	}
	c := s.cfg
	codes := map[string][]string{
		CodingAttended:     c.Codes.Attended,
		CodingDidNotAttend: c.Codes.DidNotAttend,
		CodingDeclined:     c.Codes.Declined,
	}
	args := []any{sql.Named("practice", practiceCode), sql.Named("coding_window_days", c.CodingWindowDays),
		sql.Named("attended_codes", c.Codes.Attended), sql.Named("did_not_attend_codes", c.Codes.DidNotAttend), sql.Named("declined_codes", c.Codes.Declined)}
	tasks := []CodingTask{}
	err := s.forEachRow(ctx, query("CodingWorkList"), args, func(rows *sql.Rows) error {
		var t CodingTask
		var outcome, notified, deadline, asOf time.Time
		if err := rows.Scan(&t.ReferralID, &t.PatientID, &t.Outcome, &t.Category, &outcome, &notified,
			&t.DaysSinceNotified, &deadline, &t.Overdue, &asOf); err != nil {
			return err
		}
		t.OutcomeDate, t.NotifiedDate, t.Deadline, t.AsOf = isoDate(outcome), isoDate(notified), isoDate(deadline), isoDate(asOf)
		t.DaysLeft = c.CodingWindowDays - t.DaysSinceNotified
		t.Codes = slices.Clone(codes[t.Category])
		tasks = append(tasks, t)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("coding work list: %w", err)
	}
	return tasks, nil
}
