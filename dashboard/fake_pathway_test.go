package dashboard

import (
	"context"
	"fmt"
	"time"

	"github.com/uptake-nhs/uptake/queries"
)

// Fake results for the overview, pathway, practices, equity, venues and
// data pages. Like the rest of the fake, they vary with the filter (the
// practice above all) so that tests can see a filter change a chart.

func fptr(v float64) *float64 { return &v }
func iptr(v int64) *int64     { return &v }

// practiceShift is how far a practice's figures lie from the borough's.
func practiceShift(f queries.Filter) int64 {
	switch f.Practice {
	case "":
		return 0
	case "F83004":
		return 11
	}
	return 5
}

// provisionalFrom is the first quarter the fake calls provisional.
const provisionalFrom = "2026Q2"

func (s *fakeStore) Headline(ctx context.Context, f queries.Filter) (queries.Headline, error) {
	if err := s.record(f); err != nil {
		return queries.Headline{}, err
	}
	tr, _ := s.trends(f)
	h := queries.Headline{Filter: f, AsOf: "2026-06-30", Disclosure: fakeDisclosure}
	if len(tr.Quarters) == 0 {
		return h, nil
	}
	last := tr.Quarters[len(tr.Quarters)-1]
	n := last.Referrals
	h.Referrals = queries.HeadlineTile{Title: "Referrals", Quarter: last.Quarter, Count: &n, CountChange: last.ReferralsChange}
	if len(tr.Quarters) > 1 {
		prev := tr.Quarters[len(tr.Quarters)-2]
		h.Referrals.PreviousQuarter, h.Referrals.PreviousCount = prev.Quarter, &prev.Referrals
	}
	final := last
	for i := len(tr.Quarters) - 1; i >= 0; i-- {
		if !tr.Quarters[i].Conversion.Provisional {
			final = tr.Quarters[i]
			break
		}
	}
	rate := func(title string, r queries.TrendRate) queries.HeadlineTile {
		p := r.Proportion
		t := queries.HeadlineTile{Title: title, Quarter: final.Quarter, PreviousQuarter: "2025Q4", Rate: &p, ChangePoints: r.ChangePoints, Provisional: r.Provisional}
		if r.Provisional {
			t.Note = "Cohort referred in " + final.Quarter + "; no cohort in the range is final yet, so this figure may still change."
		}
		return t
	}
	h.Conversion = rate("Conversion", final.Conversion)
	h.Completion = rate("Completion", final.Completion)
	h.FollowUp = rate("Follow-up rate", final.FollowUp)
	h.Coding = rate("Coding completeness", final.Coding)
	return h, nil
}

func (s *fakeStore) trends(f queries.Filter) (queries.Trends, error) {
	r := queries.Trends{Filter: f, AsOf: "2026-06-30", WindowDays: 180, Disclosure: fakeDisclosure, Quarters: []queries.TrendQuarter{}}
	shift := practiceShift(f)
	var prev *queries.TrendQuarter
	for i, q := range s.quarters(f) {
		k := int64(i)
		elig := 200 - 10*k
		prov := q >= provisionalFrom
		tq := queries.TrendQuarter{
			Quarter:    q,
			Referrals:  cnt(220 + 15*k - 4*shift),
			Conversion: queries.TrendRate{Proportion: pci(60+5*k+shift, elig), Provisional: prov},
			Completion: queries.TrendRate{Proportion: pci(40+3*k+shift, elig), Provisional: prov},
			FollowUp:   queries.TrendRate{Proportion: pci(20+4*k, 50), Provisional: prov || q >= "2026Q1"},
			Coding:     queries.TrendRate{Proportion: pci(30+2*k+shift, 80), Provisional: prov},
		}
		if prev != nil {
			tq.ReferralsChange = iptr(tq.Referrals.N - prev.Referrals.N)
			d := *tq.Conversion.Percent - *prev.Conversion.Percent
			tq.Conversion.ChangePoints = &d
		}
		r.Quarters = append(r.Quarters, tq)
		prev = &r.Quarters[len(r.Quarters)-1]
	}
	return r, nil
}

func (s *fakeStore) Trends(ctx context.Context, f queries.Filter) (queries.Trends, error) {
	if err := s.record(f); err != nil {
		return queries.Trends{}, err
	}
	return s.trends(f)
}

func (s *fakeStore) Funnel(ctx context.Context, f queries.Filter) (queries.Funnel, error) {
	if err := s.record(f); err != nil {
		return queries.Funnel{}, err
	}
	shift := practiceShift(f)
	r := queries.Funnel{Filter: f, AsOf: "2026-06-30", WindowDays: 180, Provisional: true, ProvisionalReferrals: cnt(230),
		ProvisionalQuarters: []string{"2026Q1", "2026Q2"}, Disclosure: fakeDisclosure}
	labels := [][2]string{{"referred", "Referred"}, {"eligible", "Eligible"}, {"booked", "Booked on a course"},
		{"started", "Started (attended a session within 180 days)"}, {"completed", "Completed (5 or more sessions)"}}
	people := []int64{900 - 10*shift, 820, 500, 310 + shift, 6}
	for i, l := range labels {
		st := queries.FunnelStage{Stage: l[0], Label: l[1], People: cnt(people[i])}
		st.PercentOfReferred = queries.Percent(st.People, cnt(people[0]))
		if i > 0 {
			st.PercentOfPrevious = queries.Percent(st.People, cnt(people[i-1]))
		}
		r.Stages = append(r.Stages, st)
	}
	return r, nil
}

func (s *fakeStore) ConversionByCohort(ctx context.Context, f queries.Filter) (queries.ConversionByCohort, error) {
	if err := s.record(f); err != nil {
		return queries.ConversionByCohort{}, err
	}
	r := queries.ConversionByCohort{Filter: f, AsOf: "2026-06-30", WindowDays: 180, CompletionSessions: 5, Disclosure: fakeDisclosure, Cohorts: []queries.CohortConversion{}}
	for i, q := range s.quarters(f) {
		k := int64(i)
		elig := 180 + 10*k
		r.Cohorts = append(r.Cohorts, queries.CohortConversion{Quarter: q, Provisional: q >= provisionalFrom, Eligible: cnt(elig),
			Conversion: pci(70-5*k, elig), Completion: pci(45-5*k, elig)})
	}
	return r, nil
}

func (s *fakeStore) TimeToFirstSession(ctx context.Context, f queries.Filter) (queries.TimeToFirstSession, error) {
	if err := s.record(f); err != nil {
		return queries.TimeToFirstSession{}, err
	}
	r := queries.TimeToFirstSession{Filter: f, AsOf: "2026-06-30", WindowDays: 180, Method: "Linear interpolation (R type 7).", Disclosure: fakeDisclosure,
		Overall: queries.SessionWait{People: cnt(300), MedianDays: fptr(41.5), P90Days: fptr(96), Provisional: true}}
	for i, q := range s.quarters(f) {
		w := queries.CohortSessionWait{Quarter: q, SessionWait: queries.SessionWait{People: cnt(int64(70 - 20*i)), MedianDays: fptr(35 + 4*float64(i)), P90Days: fptr(90 + 3*float64(i)),
			Provisional: q >= provisionalFrom}}
		if i == 3 {
			w.People, w.MedianDays, w.P90Days, w.Suppressed = cnt(5), nil, nil, true
		}
		r.Cohorts = append(r.Cohorts, w)
	}
	return r, nil
}

func (s *fakeStore) SessionRetention(ctx context.Context, f queries.Filter) (queries.SessionRetention, error) {
	if err := s.record(f); err != nil {
		return queries.SessionRetention{}, err
	}
	r := queries.SessionRetention{Filter: f, AsOf: "2026-06-30", Starters: cnt(300), Disclosure: fakeDisclosure}
	for i := 1; i <= 7; i++ {
		r.Sessions = append(r.Sessions, queries.SessionPresence{Session: i, Present: pci(int64(290-20*i), int64(300-5*i))})
	}
	return r, nil
}

func (s *fakeStore) PracticeBenchmark(ctx context.Context, f queries.Filter) (queries.PracticeBenchmark, error) {
	if err := s.record(f); err != nil {
		return queries.PracticeBenchmark{}, err
	}
	measure := func(title, num, den string, baseline float64) queries.BenchmarkMeasure {
		m := queries.BenchmarkMeasure{Title: title, NumeratorLabel: num, DenominatorLabel: den, Borough: pci(int64(baseline*4), 400), Baseline: fptr(baseline), Ranked: 3}
		for _, n := range []int64{1, 10, 50, 100, 200, 400} {
			w := 100 / float64(n+4)
			m.Curve = append(m.Curve, queries.FunnelPoint{Denominator: n, Lower95: max(0, baseline-2*w), Upper95: min(100, baseline+2*w),
				Lower998: max(0, baseline-3*w), Upper998: min(100, baseline+3*w)})
		}
		return m
	}
	r := queries.PracticeBenchmark{Filter: f, AsOf: "2026-06-30", Disclosure: fakeDisclosure,
		ReferralRate: measure("Referral rate", "People referred", "Type 2 diabetes register", 12),
		Conversion:   measure("Conversion", "Started a course", "Eligible referrals (final cohorts)", 35),
		FollowUp:     measure("Follow-up rate", "Followed up in time", "Non-attenders due follow-up", 40),
		Practices:    []queries.PracticeBenchmarkRow{},
	}
	labels := []string{"High (0.025)", "Not significant", "Low (0.001)"}
	all := s.opts.Practices
	for i, p := range all {
		if (f.PCN != "" && p.PCN != f.PCN) || (f.Practice != "" && p.Code != f.Practice) {
			continue
		}
		k := int64(i)
		pm := func(num, den int64, borough float64) queries.PracticeMeasure {
			rank := i + 1
			return queries.PracticeMeasure{Proportion: pci(num, den), Borough: fptr(borough), Lower95: fptr(borough - 5), Upper95: fptr(borough + 5),
				Lower998: fptr(borough - 8), Upper998: fptr(borough + 8), Label: labels[i%len(labels)], Rank: &rank}
		}
		// The third practice's register is stale (its note's test); the
		// figures are left as they were, since no chart draws the flag.
		r.Practices = append(r.Practices, queries.PracticeBenchmarkRow{Code: p.Code, Name: p.Name, PCN: p.PCN, RegisterQuarter: "2026Q2", StaleRegister: i == 2,
			ReferralRate: pm(60-15*k, 400+100*k, 12), Conversion: pm(40-10*k, 100+50*k, 35), FollowUp: pm(30-5*k, 60+10*k, 40)})
	}
	return r, nil
}

func (s *fakeStore) CampaignEffect(ctx context.Context, f queries.Filter) (queries.CampaignEffect, error) {
	if err := s.record(f); err != nil {
		return queries.CampaignEffect{}, err
	}
	r := queries.CampaignEffect{Filter: f, AsOf: "2026-06-30", WindowDays: 56, Disclosure: fakeDisclosure, Campaigns: []queries.Campaign{}}
	for i, p := range s.practices(f) {
		c := queries.Campaign{PracticeCode: p.Code, PracticeName: p.Name, PCN: p.PCN, DateSent: fmt.Sprintf("2026-0%d-10", 2+i), Messages: int64(300 + 50*i),
			BeforeFrom: "2025-12-16", AfterTo: "2026-04-06", Before: cnt(int64(10 + i)), After: cnt(int64(25 - 9*i)), BeforeComplete: true, AfterComplete: i < 2, Overlaps: i == 1}
		if !c.Before.Suppressed && !c.After.Suppressed {
			c.Difference = iptr(c.After.N - c.Before.N)
			c.Ratio = fptr(float64(c.After.N) / float64(c.Before.N))
		}
		r.Campaigns = append(r.Campaigns, c)
	}
	r.Summary = queries.CampaignSummary{Campaigns: 1, Incomplete: 1, Overlapping: 1, Before: cnt(10), After: cnt(25), Difference: iptr(15), Ratio: fptr(2.5)}
	return r, nil
}

func (s *fakeStore) Equity(ctx context.Context, f queries.Filter) (queries.Equity, error) {
	if err := s.record(f); err != nil {
		return queries.Equity{}, err
	}
	r := queries.Equity{Filter: f, AsOf: "2026-06-30", Overall: pci(300, 900), Disclosure: fakeDisclosure}
	dims := []struct {
		key, title string
		values     []string
	}{
		{"age_band", "Age band", []string{"18-39", "40-59", "60-79", "80+"}},
		{"sex", "Sex", []string{"female", "male"}},
		{"ethnic_group", "Ethnic group", []string{"White British", "Turkish", "Black Caribbean", evilName}},
		{"language", "Preferred language", []string{"English", "Turkish"}},
		{"imd_quintile", "Deprivation (IMD quintile, 1 = most deprived)", []string{"1", "2", "3", "4", "5"}},
		{"patient_or_carer", "Patient or carer", []string{"patient", "carer"}},
	}
	for _, d := range dims {
		dim := queries.EquityDimension{Key: d.key, Title: d.title}
		for i, v := range d.values {
			dim.Groups = append(dim.Groups, queries.EquityGroup{Value: v, Conversion: pci(int64(20+15*i), int64(100+10*i))})
		}
		r.Dimensions = append(r.Dimensions, dim)
	}
	return r, nil
}

func (s *fakeStore) WaitsBySlot(ctx context.Context, f queries.Filter) (queries.WaitsBySlot, error) {
	if err := s.record(f); err != nil {
		return queries.WaitsBySlot{}, err
	}
	r := queries.WaitsBySlot{Filter: f, Method: "Linear interpolation (R type 7).", Disclosure: fakeDisclosure}
	for i, slot := range queries.PreferredSlots {
		nb := cnt(int64(20 + 10*i))
		w := queries.SlotWait{Slot: slot, Booked: cnt(int64(120 - 30*i)), NotBooked: &nb, MedianDays: fptr(30 + 10*float64(i)), P90Days: fptr(80 + 15*float64(i))}
		if i == 2 {
			w.Booked, w.MedianDays, w.P90Days, w.Suppressed = cnt(4), nil, nil, true
		}
		r.ByPreferredSlot = append(r.ByPreferredSlot, w)
	}
	for i, slot := range queries.CourseSlots {
		r.ByBookedSlot = append(r.ByBookedSlot, queries.SlotWait{Slot: slot, Booked: cnt(int64(150 - 50*i)), MedianDays: fptr(28 + 7*float64(i)), P90Days: fptr(70 + 9*float64(i))})
	}
	return r, nil
}

func (s *fakeStore) Capacity(ctx context.Context, f queries.Filter) (queries.Capacity, error) {
	if err := s.record(f); err != nil {
		return queries.Capacity{}, err
	}
	r := queries.Capacity{Filter: f, AsOf: "2026-06-30", WindowDays: 90, PlacesPerCourse: 14, MinPlaces: 12,
		Quarters: []string{"2025Q3", "2025Q4", "2026Q1"}, Assumptions: []string{"Next quarter is taken to be like the average of those quarters."}, Disclosure: fakeDisclosure}
	for i, slot := range queries.CourseSlots {
		cell := queries.CapacityCell{Language: "English", Mode: "face-to-face", Wanting: cnt(int64(10 + 20*i)), Flexible: 2, Courses: 3, Places: 42,
			Booked: cnt(40), Spare: cnt(2)}
		cell.Need = cell.Wanting.N + cell.Flexible - cell.Spare.N
		cell.Add = min((cell.Need+13)/14, cell.Need/12)
		r.Slots = append(r.Slots, queries.CapacitySlot{Slot: slot, Wanting: cell.Wanting.N, Flexible: 2, Places: 42, Booked: 40, Spare: 2, Add: cell.Add,
			Trend: "rising", Series: []queries.CapacityPoint{{Quarter: "2025Q3", Final: true, Wanting: cnt(10), Places: 42}, {Quarter: "2026Q2", Wanting: cnt(5), Places: 42}},
			Advice: slot + ": add " + fmt.Sprint(cell.Add) + " courses next quarter.", Cells: []queries.CapacityCell{cell}})
	}
	return r, nil
}

func (s *fakeStore) PracticeTrends(ctx context.Context, f queries.Filter) (queries.PracticeTrends, error) {
	if err := s.record(f); err != nil {
		return queries.PracticeTrends{}, err
	}
	r := queries.PracticeTrends{Filter: f, AsOf: "2026-06-30", Disclosure: fakeDisclosure}
	for _, p := range s.opts.Practices {
		if p.Code == f.Practice {
			r.Practice = p
		}
	}
	for i, m := range []struct{ key, title string }{{"conversion", "Conversion"}, {"follow_up", "Follow-up rate"}, {"coding", "Coding completeness"}} {
		pm := queries.PracticeTrendMeasure{Key: m.key, Title: m.title, Rolling: i == 1, Basis: "single quarters"}
		if pm.Rolling {
			pm.Basis = "rolling 4 quarters"
		}
		for j, q := range s.quarters(f) {
			pt := queries.PracticeTrendPoint{Quarter: q, From: q, Quarters: 1, Practice: pci(int64(10+j), 30), Borough: pci(int64(100+10*j), 300), Provisional: j == 3}
			if pm.Rolling {
				pt.From = "2025Q3"
			}
			pm.Points = append(pm.Points, pt)
		}
		r.Measures = append(r.Measures, pm)
	}
	return r, nil
}

func (s *fakeStore) PracticeSummary(ctx context.Context, f queries.Filter) (queries.PracticeSummary, error) {
	b, err := s.PracticeBenchmark(ctx, f)
	if err != nil {
		return queries.PracticeSummary{}, err
	}
	r := queries.PracticeSummary{Filter: f, AsOf: b.AsOf, Disclosure: b.Disclosure}
	p := b.Practices[0]
	r.Practice = queries.PracticeOption{Code: p.Code, Name: p.Name, PCN: p.PCN}
	r.RegisterQuarter, r.StaleRegister = p.RegisterQuarter, p.StaleRegister
	for _, m := range []struct {
		key string
		bm  queries.BenchmarkMeasure
		v   queries.PracticeMeasure
	}{{"referral_rate", b.ReferralRate, p.ReferralRate}, {"conversion", b.Conversion, p.Conversion}, {"follow_up", b.FollowUp, p.FollowUp}} {
		r.Measures = append(r.Measures, queries.PracticeSummaryMeasure{Key: m.key, Title: m.bm.Title, Practice: m.v.Proportion, Borough: m.bm.Borough,
			Label: m.v.Label, Rank: m.v.Rank, Ranked: m.bm.Ranked})
	}
	if f.Audience.Practice == f.Practice {
		r.WorkLists = &queries.PracticeWorkLists{FollowUp: 1, Coding: 1}
	}
	return r, nil
}

func (s *fakeStore) Loads(ctx context.Context) ([]queries.Load, error) {
	at := time.Date(2026, 7, 2, 9, 30, 0, 0, time.UTC)
	return []queries.Load{
		{LoadID: 2, Quarter: "2026Q2", LoadedAt: at, Action: "restated", Accepted: 1200, Rejected: 12,
			Files: []queries.LoadFile{{File: "referrals.csv", Table: "referrals", Accepted: 1000, Rejected: 12}, {File: "practices.csv", Table: "practices", Accepted: 200}}},
		{LoadID: 1, Quarter: "2026Q1", LoadedAt: at.Add(-90 * 24 * time.Hour), Action: "loaded", Accepted: 1100, Rejected: 3,
			Files: []queries.LoadFile{{File: "referrals.xlsx", Table: "referrals", Accepted: 1100, Rejected: 3}}},
	}, nil
}

func (s *fakeStore) DataQuality(ctx context.Context) (queries.DataQuality, error) {
	return queries.DataQuality{Quarters: []queries.QualityQuarter{
		{Quarter: "2026Q1", Accepted: 1100, Rejected: 3, RejectionRate: fptr(0.27), Files: []queries.QualityFile{
			{File: "referrals.xlsx", Table: "referrals", Accepted: 1100, Rejected: 3, RejectionRate: fptr(0.27), TopRules: []queries.RuleCount{{Rule: "bad_date", Rows: 3}}}}},
		{Quarter: "2026Q2", Accepted: 1200, Rejected: 12, RejectionRate: fptr(0.99), Files: []queries.QualityFile{
			{File: "referrals.csv", Table: "referrals", Accepted: 1000, Rejected: 12, RejectionRate: fptr(1.19), TopRules: []queries.RuleCount{{Rule: "bad_date", Rows: 8}, {Rule: "unknown_practice", Rows: 4}}},
			{File: "practices.csv", Table: "practices", Accepted: 200, RejectionRate: fptr(0), TopRules: []queries.RuleCount{}}}},
	}}, nil
}

// fakeRejectedTotal is how many rejected rows the fake holds: a page and
// a bit, so that paging shows.
const fakeRejectedTotal = 123

func (s *fakeStore) RejectedRows(ctx context.Context, rf queries.RejectedFilter) (queries.RejectedRows, error) {
	s.mu.Lock()
	s.rejected = append(s.rejected, rf)
	s.mu.Unlock()
	out := queries.RejectedRows{Filter: rf, Total: fakeRejectedTotal, Rows: []queries.RejectedRow{}}
	for i := rf.Offset; i < fakeRejectedTotal && i < rf.Offset+rf.Limit; i++ {
		out.Rows = append(out.Rows, queries.RejectedRow{LoadID: 2, Quarter: "2026Q2", File: "referrals.csv", Line: int64(i + 2), Column: "referral_date",
			Value: "=31/02/2026", Rule: "bad_date", Reason: "The date 31/02/2026 does not exist."})
	}
	return out, nil
}
