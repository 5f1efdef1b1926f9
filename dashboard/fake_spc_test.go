package dashboard

import (
	"context"
	"fmt"

	"github.com/uptake-nhs/uptake/queries"
)

// The fake SPC: fourteen months, 2025-05 to 2026-06, of each measure with
// fixed means and limits (the statistics are queries' and are tested
// there). For the whole borough every measure has limits; for one
// practice, its referrals are withheld every month (counts of 1 to 7) and
// its follow-up has only five months for limits, so the practice page
// charts only conversion and coding and says why not for the others.
func (s *fakeStore) SPC(ctx context.Context, f queries.Filter) (queries.SPC, error) {
	if err := s.record(f); err != nil {
		return queries.SPC{}, err
	}
	r := queries.SPC{Filter: f, AsOf: "2026-06-30", RunLength: 7, Disclosure: fakeDisclosure}
	months := make([]string, 14)
	for i := range months {
		months[i] = fmt.Sprintf("%d-%02d", 2025+(i+4)/12, (i+4)%12+1)
	}
	practice := f.Practice != ""

	// Referrals: a count. The last month is far above the upper limit: an
	// improvement (more referrals is better).
	ref := queries.SPCMeasure{Measure: queries.SPCReferrals, Title: "Referrals received", Basis: "referral month",
		Unit: queries.UnitReferrals, Improvement: "increase", Rebase: []string{}}
	for i, m := range months {
		v := float64(100 + 5*(i%3))
		p := queries.SPCPoint{Period: m, Numerator: cnt(int64(v)), SpecialCause: "none", Rules: []string{},
			Mean: fptr(105), LPL: fptr(85), UPL: fptr(125)}
		if i == len(months)-1 {
			v = 140
			p.Numerator, p.SpecialCause, p.Rules = cnt(140), "improvement", []string{"outside_limits"}
		}
		p.Value = fptr(v)
		if practice {
			p = queries.SPCPoint{Period: m, Numerator: cnt(3), Withheld: true, SpecialCause: "none", Rules: []string{}}
		}
		ref.Points = append(ref.Points, p)
	}
	if practice {
		ref.Unreliable, ref.Message = true, "Fewer than 12 months are in the limits (2025-05 to 2026-06: no limits (0 months with a final figure that can be shown; limits need two in a row)), so the limits are unreliable."
	} else {
		ref.Latest, ref.Variation, ref.InLimits = "2026-06", sptr("improvement_high"), 14
	}

	// Conversion: a percentage with a target, rebased at 2025-09; the last
	// three months are provisional, a withheld month in the middle, a
	// concern in 2026-01.
	conv := queries.SPCMeasure{Measure: queries.SPCConversion, Title: "Conversion", Basis: "referral month",
		Unit: queries.UnitPercent, Improvement: "increase", Target: fptr(60), Rebase: []string{"2025-09"},
		Latest: "2026-03", Variation: sptr("common_cause"), Assurance: sptr("consistent_fail"), InLimits: 12}
	for i, m := range months {
		mean, lo, hi := 45.0, 30.0, 60.0
		if i >= 4 {
			mean, lo, hi = 50, -2.5, 58
		}
		p := queries.SPCPoint{Period: m, Value: fptr(mean + float64(i%2)), Numerator: cnt(int64(50 + i%2)), Denominator: ptrCount(cnt(100)),
			Mean: fptr(mean), LPL: fptr(lo), UPL: fptr(hi), SpecialCause: "none", Rules: []string{}, Provisional: i >= 11}
		switch m {
		case "2025-11":
			p.Value, p.Numerator, p.Withheld = nil, cnt(4), true
		case "2026-01":
			p.Value, p.SpecialCause, p.Rules = fptr(20), "concern", []string{"outside_limits"}
		}
		conv.Points = append(conv.Points, p)
	}

	// Follow-up: for the borough, common cause; for a practice, five
	// months in the limits, not enough for a chart there.
	fu := queries.SPCMeasure{Measure: queries.SPCFollowUp, Title: "Follow-up", Basis: "month notified",
		Unit: queries.UnitPercent, Improvement: "increase", Rebase: []string{}, Latest: "2026-05", Variation: sptr("common_cause"), InLimits: 13}
	for i, m := range months {
		p := queries.SPCPoint{Period: m, Value: fptr(20 + float64(i%4)), Numerator: cnt(20), Denominator: ptrCount(cnt(100)),
			Mean: fptr(21.5), LPL: fptr(15), UPL: fptr(28), SpecialCause: "none", Rules: []string{}, Provisional: i == 13}
		if practice && i < 8 {
			p.Value, p.Numerator, p.Withheld = nil, cnt(2), true
		}
		fu.Points = append(fu.Points, p)
	}
	if practice {
		fu.InLimits, fu.Unreliable = 5, true
		fu.Message = "Fewer than 12 months are in the limits (2025-05 to 2026-06: 5 months), so the limits are unreliable."
	}

	// Coding: a run of seven rising months ending in the latest: an
	// improvement.
	cod := queries.SPCMeasure{Measure: queries.SPCCoding, Title: "Coding", Basis: "month notified",
		Unit: queries.UnitPercent, Improvement: "increase", Rebase: []string{}, Latest: "2026-03", Variation: sptr("improvement_high"), InLimits: 14}
	for i, m := range months {
		p := queries.SPCPoint{Period: m, Value: fptr(30 + float64(i)), Numerator: cnt(int64(30 + i)), Denominator: ptrCount(cnt(100)),
			Mean: fptr(36.5), LPL: fptr(20), UPL: fptr(53), SpecialCause: "none", Rules: []string{}, Provisional: i >= 11}
		if i >= 4 && i <= 10 {
			p.SpecialCause, p.Rules = "improvement", []string{"trend"}
		}
		cod.Points = append(cod.Points, p)
	}
	r.Measures = []queries.SPCMeasure{ref, conv, fu, cod}
	return r, nil
}

func sptr(s string) *string                   { return &s }
func ptrCount(c queries.Count) *queries.Count { return &c }
