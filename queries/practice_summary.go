package queries

import "context"

// PracticeSummary is what a practice's page opens with: its three numbers
// (referral rate, conversion, follow-up rate) against the borough, over
// the filter's quarters, and for the practice's own staff the sizes of its
// two work lists.
//
// The numbers are those of PracticeBenchmark for the practice, so the
// page's opening and its comparison table agree: exact for the
// practice's own staff, under the disclosure rule for everyone else, the
// borough always under the rule. The work lists name people, so their
// sizes are given only when the filter's audience is the practice's own
// staff (WorkLists is nil otherwise); being the lengths of the lists the
// practice sees, they are exact.
type PracticeSummary struct {
	Filter   Filter         `json:"filter"`
	AsOf     string         `json:"as_of"`
	Practice PracticeOption `json:"practice"`
	// Comparator is the benchmark's: what the practice is compared with.
	Comparator Comparator `json:"comparator"`
	// RegisterQuarter and StaleRegister are the benchmark's: when the
	// register is stale the referral rate is not shown.
	RegisterQuarter string                   `json:"register_quarter"`
	StaleRegister   bool                     `json:"stale_register"`
	Measures        []PracticeSummaryMeasure `json:"measures"`
	WorkLists       *PracticeWorkLists       `json:"work_lists"`
	Disclosure      Disclosure               `json:"disclosure"`
}

// PracticeSummaryMeasure is one of the practice's three numbers against
// the borough.
type PracticeSummaryMeasure struct {
	// Key is "referral_rate", "conversion" or "follow_up".
	Key              string `json:"key"`
	Title            string `json:"title"`
	NumeratorLabel   string `json:"numerator_label"`
	DenominatorLabel string `json:"denominator_label"`
	// Practice is the practice's value with its interval; Borough the
	// borough's, as the funnel plot's centre line.
	Practice Proportion `json:"practice"`
	Borough  Proportion `json:"borough"`
	// Label and Rank are the benchmark's: "Not compared" and no rank when
	// the practice's value is not shown.
	Label  string `json:"label"`
	Rank   *int   `json:"rank"`
	Ranked int    `json:"ranked"`
}

// PracticeWorkLists are the sizes of a practice's two work lists, and how
// many on each are past their deadline.
type PracticeWorkLists struct {
	FollowUp        int `json:"follow_up"`
	FollowUpOverdue int `json:"follow_up_overdue"`
	Coding          int `json:"coding"`
	CodingOverdue   int `json:"coding_overdue"`
}

// PracticeSummary returns the opening numbers of the filter's practice's
// page. The filter must name a practice (else a *FilterError). It reads
// what PracticeBenchmark, FollowUpWorkList and CodingWorkList read.
func (s *Store) PracticeSummary(ctx context.Context, f Filter) (PracticeSummary, error) {
	if f.Practice == "" {
		return PracticeSummary{}, &FilterError{"practice", "", "the practice summary is for one practice: choose a practice"}
	}
	b, err := s.PracticeBenchmark(ctx, f)
	if err != nil {
		return PracticeSummary{}, err
	}
	out := PracticeSummary{Filter: f, AsOf: b.AsOf, Measures: []PracticeSummaryMeasure{}, Disclosure: b.Disclosure}
	if len(b.Practices) == 0 {
		// A practice in the data but without a snapshot in the range: its
		// figures are the borough's zeros.
		b.Practices = []PracticeBenchmarkRow{{Code: f.Practice}}
	}
	// Against a network or peers, the benchmark lists the whole group.
	p := b.Practices[0]
	for _, r := range b.Practices {
		if r.Code == f.Practice {
			p = r
		}
	}
	out.Comparator = b.Comparator
	out.Practice = PracticeOption{Code: p.Code, Name: p.Name, PCN: p.PCN}
	out.RegisterQuarter, out.StaleRegister = p.RegisterQuarter, p.StaleRegister
	for _, m := range []struct {
		key string
		bm  BenchmarkMeasure
		v   PracticeMeasure
	}{{"referral_rate", b.ReferralRate, p.ReferralRate}, {"conversion", b.Conversion, p.Conversion}, {"follow_up", b.FollowUp, p.FollowUp}} {
		out.Measures = append(out.Measures, PracticeSummaryMeasure{
			Key: m.key, Title: m.bm.Title, NumeratorLabel: m.bm.NumeratorLabel, DenominatorLabel: m.bm.DenominatorLabel,
			Practice: m.v.Proportion, Borough: m.bm.Borough, Label: m.v.Label, Rank: m.v.Rank, Ranked: m.bm.Ranked,
		})
	}
	if f.Audience.owns(f.Practice) {
		fu, err := s.FollowUpWorkList(ctx, f.Practice)
		if err != nil {
			return out, err
		}
		cw, err := s.CodingWorkList(ctx, f.Practice)
		if err != nil {
			return out, err
		}
		w := &PracticeWorkLists{FollowUp: len(fu), Coding: len(cw)}
		for _, t := range fu {
			if t.Overdue {
				w.FollowUpOverdue++
			}
		}
		for _, t := range cw {
			if t.Overdue {
				w.CodingOverdue++
			}
		}
		out.WorkLists = w
	}
	return out, nil
}
