package queries

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/uptake-nhs/uptake/queries/stats"
)

// SPC answers "is this measure changing, or is it the usual noise?" as NHS
// England's Making Data Count programme does: an XmR chart ("plot the
// dots") of each overview measure month by month, with its mean, process
// limits, special causes, the variation icon of the latest month and,
// where a target is configured, the assurance icon. The statistics are
// package stats (stats.XmR); this type puts them on the measures.
//
// The measures, each by the month of its own event (sql/SPC.sql):
//
//   - referrals: referrals received, by referral month;
//   - conversion: eligible referrals who attended a session within the
//     conversion window, by referral month;
//   - follow_up: due non-attenders followed up within the follow-up window,
//     by the month the practice was notified;
//   - coding: due notified outcomes coded within the coding window, by the
//     month the practice was notified.
//
// The filter's quarters choose the months shown: referral months for the
// first two, months notified for the last two; its other fields choose the
// referrals, as everywhere.
//
// A month is provisional while any of its windows is open (an eligible
// referral that may still convert, a non-attender or outcome whose window
// has not closed): it is drawn, but kept out of the mean and limits and
// not tested, since its value is known to be incomplete. Values are worked
// out from the published counts, as every percentage is; a month whose
// value rests on a withheld count is withheld: drawn as a gap, never zero,
// and kept out of the limits like a provisional one. The limits are
// therefore those of the figures a reader sees.
type SPC struct {
	Filter Filter `json:"filter"`
	AsOf   string `json:"as_of"`
	// RunLength is the run that makes a special cause (7).
	RunLength  int          `json:"run_length"`
	Measures   []SPCMeasure `json:"measures"`
	Disclosure Disclosure   `json:"disclosure"`
}

// SPC measure names (SPCMeasure.Measure), which are also the keys of
// their settings in the configuration (SPCConfig).
const (
	SPCReferrals  = "referrals"
	SPCConversion = "conversion"
	SPCFollowUp   = "follow_up"
	SPCCoding     = "coding"
)

// SPC units (SPCMeasure.Unit).
const (
	UnitReferrals = "referrals"
	UnitPercent   = "percent"
)

// SPCMeasure is the XmR chart of one measure.
type SPCMeasure struct {
	// Measure names it: SPCReferrals, SPCConversion, SPCFollowUp or
	// SPCCoding.
	Measure string `json:"measure"`
	// Title names it in words; Basis says which month a point is ("referral
	// month" or "month notified").
	Title string `json:"title"`
	Basis string `json:"basis"`
	// Unit is UnitReferrals (a count a month) or UnitPercent.
	Unit string `json:"unit"`
	// Improvement is "increase" or "decrease" (configuration).
	Improvement string `json:"improvement"`
	// Target is the configured target in the unit, or nil.
	Target *float64 `json:"target"`
	// Rebase lists the months (YYYY-MM) that start new limits, from the
	// configured service changes that fall inside the series.
	Rebase []string   `json:"rebase"`
	Points []SPCPoint `json:"points"`
	// Latest is the month of the latest point tested against the rules,
	// whose special cause gives Variation; "" when none was tested.
	Latest string `json:"latest"`
	// Variation is the variation icon of Latest (stats.Variation*
	// constants: "common_cause", "improvement_high", "concern_low", ...),
	// or nil when no point was tested.
	Variation *string `json:"variation"`
	// Assurance is the assurance icon ("consistent_pass",
	// "consistent_fail", "hit_and_miss"), or nil when no target is set or
	// the latest limits cannot be worked out.
	Assurance *string `json:"assurance"`
	// InLimits counts the months in the latest limits (final, with a
	// value); Unreliable is true when some limits rest on fewer than 12,
	// and Message then says so in words.
	InLimits   int    `json:"in_limits"`
	Unreliable bool   `json:"unreliable"`
	Message    string `json:"message"`
}

// SPCPoint is one month of an XmR chart.
type SPCPoint struct {
	// Period is the month, YYYY-MM.
	Period string `json:"period"`
	// Value is the published count (referrals) or the percentage worked
	// out from the published counts; nil when it is withheld or there is
	// nothing to divide by.
	Value     *float64 `json:"value"`
	Numerator Count    `json:"numerator"`
	// Denominator is nil for a count of referrals.
	Denominator *Count `json:"denominator"`
	// Provisional months may still change and are out of the limits.
	Provisional bool `json:"provisional"`
	// Withheld is true when Value rests on a count withheld by the
	// disclosure rule. (A value missing for want of a denominator is nil
	// without being withheld.)
	Withheld bool `json:"withheld"`
	// Mean, LPL and UPL are the point's segment's mean and lower and upper
	// process limits; nil when the segment has none.
	Mean *float64 `json:"mean"`
	LPL  *float64 `json:"lpl"`
	UPL  *float64 `json:"upl"`
	// SpecialCause is "none", "improvement" or "concern"; Rules lists the
	// rules that fired (stats.Rule* names: "outside_limits", "trend",
	// "two_of_three", "shift").
	SpecialCause string   `json:"special_cause"`
	Rules        []string `json:"rules"`
}

// spcMonth is one month's true counts from sql/SPC.sql.
type spcMonth struct {
	period                                   string
	referrals, eligible, converted           int64
	conversionPending                        int64
	followUpDue, followedUp, followUpPending int64
	codingDue, coded, codingPending          int64
}

// SPC returns the XmR chart of each measure under the filter. The SQL is
// sql/SPC.sql.
func (s *Store) SPC(ctx context.Context, f Filter) (SPC, error) {
	return remember(ctx, s, "SPC", f, s.computeSPC)
}

// computeSPC works SPC out from the database.
func (s *Store) computeSPC(ctx context.Context, f Filter) (SPC, error) {
	if err := s.CheckFilter(ctx, f); err != nil {
		return SPC{}, err
	}
	asOf, err := s.dataAsOf(ctx)
	if err != nil {
		return SPC{}, err
	}
	var months []spcMonth
	err = s.forEachRow(ctx, query("SPC"), f.args(), func(rows *sql.Rows) error {
		var m spcMonth
		err := rows.Scan(&m.period, &m.referrals, &m.eligible, &m.converted, &m.conversionPending,
			&m.followUpDue, &m.followedUp, &m.followUpPending, &m.codingDue, &m.coded, &m.codingPending)
		months = append(months, m)
		return err
	})
	if err != nil {
		return SPC{}, fmt.Errorf("monthly series: %w", err)
	}

	d := s.newDiscloser(f)
	c := s.cfg.SPC
	out := SPC{Filter: f, AsOf: asOf, RunLength: c.RunLength}
	series := []struct {
		key, title, basis, unit string
		cfg                     SPCMeasureConfig
		point                   func(spcMonth) SPCPoint
	}{
		{SPCReferrals, "Referrals received", "referral month", UnitReferrals, c.Referrals, d.spcCount},
		{SPCConversion, "Conversion: attended a session within " + strconv.Itoa(s.cfg.ConversionWindowDays) + " days of referral", "referral month", UnitPercent, c.Conversion,
			func(m spcMonth) SPCPoint {
				return d.spcRate(m.converted, m.eligible, m.conversionPending)
			}},
		{SPCFollowUp, "Non-attenders followed up within " + strconv.Itoa(s.cfg.FollowUpWindowDays) + " days", "month notified", UnitPercent, c.FollowUp,
			func(m spcMonth) SPCPoint {
				return d.spcRate(m.followedUp, m.followUpDue, m.followUpPending)
			}},
		{SPCCoding, "Outcomes coded in the practice record within " + strconv.Itoa(s.cfg.CodingWindowDays) + " days", "month notified", UnitPercent, c.Coding,
			func(m spcMonth) SPCPoint {
				return d.spcRate(m.coded, m.codingDue, m.codingPending)
			}},
	}
	for _, sr := range series {
		m := SPCMeasure{Measure: sr.key, Title: sr.title, Basis: sr.basis, Unit: sr.unit,
			Improvement: sr.cfg.Improvement, Target: sr.cfg.Target, Rebase: []string{}, Points: []SPCPoint{}}
		for _, month := range months {
			p := sr.point(month)
			p.Period = month.period
			m.Points = append(m.Points, p)
		}
		if err := m.chart(slices.Concat(c.Rebase, sr.cfg.Rebase), c.RunLength); err != nil {
			return SPC{}, fmt.Errorf("SPC of %s: %w", sr.key, err)
		}
		out.Measures = append(out.Measures, m)
	}
	out.Disclosure = d.note()
	return out, nil
}

// spcCount publishes a month's referrals as a point.
func (d *discloser) spcCount(m spcMonth) SPCPoint {
	p := SPCPoint{Numerator: d.count(m.referrals)}
	if n, ok := p.Numerator.Value(); ok {
		v := float64(n)
		p.Value = &v
	} else {
		p.Withheld = true
	}
	return p
}

// spcRate publishes k of n as a point: the percentage from the published
// counts, as every percentage is (the interval Proportion also works out
// is not used: an SPC point has its limits instead). pending above zero
// makes the month provisional.
func (d *discloser) spcRate(k, n, pending int64) SPCPoint {
	pr := d.proportion(k, n)
	den := pr.Denominator
	return SPCPoint{
		Value: pr.Percent, Numerator: pr.Numerator, Denominator: &den,
		Provisional: pending > 0,
		Withheld:    pr.Numerator.Suppressed || pr.Denominator.Suppressed,
	}
}

// chart works out m's XmR chart from its points with stats.XmR, starting
// new limits at the month of each rebase date that falls inside the
// series.
func (m *SPCMeasure) chart(rebaseDates []string, runLength int) error {
	in := make([]stats.SPCPoint, len(m.Points))
	for i, p := range m.Points {
		in[i] = stats.SPCPoint{Provisional: p.Provisional, Withheld: p.Value == nil}
		if p.Value != nil {
			in[i].Value = *p.Value
		}
	}
	rebase := rebaseIndexes(m.Points, rebaseDates)
	for _, i := range rebase {
		m.Rebase = append(m.Rebase, m.Points[i].Period)
	}
	x, err := stats.XmR(in, stats.SPCOptions{
		Improvement: stats.Direction(m.Improvement), Target: m.Target, Rebase: rebase, RunLength: runLength,
	})
	if err != nil {
		return err
	}
	for i, r := range x.Points {
		p := &m.Points[i]
		seg := x.Segments[r.Segment]
		if seg.N > 0 {
			p.Mean = ptr(r.Mean)
		}
		if seg.HasLimits {
			p.LPL, p.UPL = ptr(r.LPL), ptr(r.UPL)
		}
		p.SpecialCause, p.Rules = r.SpecialCause, r.Rules
	}
	if x.Latest >= 0 {
		m.Latest = m.Points[x.Latest].Period
		m.Variation = ptr(x.Variation)
	}
	if x.Assurance != "" {
		m.Assurance = ptr(x.Assurance)
	}
	if n := len(x.Segments); n > 0 {
		m.InLimits = x.Segments[n-1].N
	}
	m.Unreliable = x.Unreliable
	m.Message = spcMessage(x, m.Points)
	return nil
}

// rebaseIndexes turns service-change dates into the indexes of the points
// that start new limits: the month each date falls in, or the first month
// after it that the series has (when its own month is not loaded). A date
// before the first month or after the last changes nothing here, and
// dates that land on the same point count once.
func rebaseIndexes(points []SPCPoint, dates []string) []int {
	seen := map[int]bool{}
	var out []int
	for _, d := range dates {
		t, err := time.Parse(time.DateOnly, d)
		if err != nil {
			continue // Config.Validate refuses it first
		}
		month := t.Format("2006-01")
		i := sort.Search(len(points), func(i int) bool { return points[i].Period >= month })
		if i > 0 && i < len(points) && !seen[i] {
			seen[i] = true
			out = append(out, i)
		}
	}
	sort.Ints(out)
	return out
}

// spcMessage says in words why the limits are unreliable or missing, or
// "" when they are sound.
func spcMessage(x stats.SPC, points []SPCPoint) string {
	if len(points) == 0 {
		return "No months are loaded for these filters."
	}
	var weak []string
	for _, seg := range x.Segments {
		if !seg.Unreliable {
			continue
		}
		span := points[seg.Start].Period + " to " + points[seg.End-1].Period
		if !seg.HasLimits {
			weak = append(weak, span+": no limits ("+monthsWord(seg.N)+" with a final figure that can be shown; limits need two in a row)")
		} else {
			weak = append(weak, span+": "+monthsWord(seg.N))
		}
	}
	if len(weak) == 0 {
		return ""
	}
	return fmt.Sprintf("Fewer than %d months are in the limits (%s), so the limits are unreliable: "+
		"they may move as months are added, and signals should be read with care. "+
		"Provisional months, and months whose figure is withheld, are not counted.",
		stats.MinReliablePoints, strings.Join(weak, "; "))
}

// monthsWord is "1 month" or "N months".
func monthsWord(n int) string {
	if n == 1 {
		return "1 month"
	}
	return strconv.Itoa(n) + " months"
}

func ptr[T any](v T) *T { return &v }
