package dashboard

import (
	"context"

	"github.com/uptake-nhs/uptake/queries"
)

func (s *fakeStore) CodingCompleteness(ctx context.Context, f queries.Filter) (queries.CodingCompleteness, error) {
	if err := s.record(f); err != nil {
		return queries.CodingCompleteness{}, err
	}
	r := queries.CodingCompleteness{Filter: f, AsOf: "2026-06-30", WindowDays: 90, Notified: cnt(300), InsideWindow: cnt(40), Rate: pci(120, 260), Disclosure: fakeDisclosure}
	for i, c := range queries.CodingCategories {
		r.Categories = append(r.Categories, queries.CodingGroup{Key: c, InsideWindow: cnt(10), Rate: pci(int64(30+10*i), 90)})
	}
	for i, p := range s.practices(f) {
		r.Practices = append(r.Practices, queries.CodingGroup{Key: p.Code, Name: p.Name, PCN: p.PCN, InsideWindow: cnt(3), Rate: pci(int64(20+15*i), 80)})
	}
	for i, q := range s.quarters(f) {
		r.Quarters = append(r.Quarters, queries.CodingGroup{Key: q, InsideWindow: cnt(int64(i * 10)), Rate: pci(int64(40-5*i), 60)})
	}
	return r, nil
}

func (s *fakeStore) CodingWorkList(ctx context.Context, code string) ([]queries.CodingTask, error) {
	if err := s.CheckFilter(ctx, queries.Filter{Practice: code}); err != nil {
		return nil, err
	}
	return []queries.CodingTask{{ReferralID: "R-" + code + "-9", PatientID: "P-9", Outcome: "completed", Category: queries.CodingAttended,
		OutcomeDate: "2026-04-01", NotifiedDate: "2026-04-03", Codes: []string{"9OLB", "9OLF"}, DaysSinceNotified: 88, Deadline: "2026-07-02", DaysLeft: 2, AsOf: "2026-06-30"}}, nil
}

func (s *fakeStore) DemandHeatmap(ctx context.Context, f queries.Filter) (queries.DemandHeatmap, error) {
	if err := s.record(f); err != nil {
		return queries.DemandHeatmap{}, err
	}
	r := queries.DemandHeatmap{Filter: f, Weekdays: queries.Weekdays, Hours: []int{9, 10, 11, 12, 13, 14, 15, 16, 17, 18}, Eligible: cnt(400), Disclosure: fakeDisclosure}
	for d, day := range queries.Weekdays {
		for _, h := range r.Hours {
			c := queries.HeatmapCell{Weekday: day, Hour: h}
			if (h == 10 && d < 5) || (h == 18 && d%2 == 0) {
				fill := 75.0
				c.Courses, c.Places, c.Booked, c.FillRate = 2, 28, cnt(21), &fill
			}
			r.Cells = append(r.Cells, c)
		}
	}
	return r, nil
}

func (s *fakeStore) FillRates(ctx context.Context, f queries.Filter) (queries.FillRates, error) {
	if err := s.record(f); err != nil {
		return queries.FillRates{}, err
	}
	fill := func(v float64) *float64 { return &v }
	g := func(key, label string, courses int, places, booked int64) queries.FillGroup {
		return queries.FillGroup{Key: key, Label: label, Courses: courses, Places: places, Booked: cnt(booked), FillRate: fill(100 * float64(booked) / float64(places))}
	}
	r := queries.FillRates{Filter: f, Disclosure: fakeDisclosure,
		All:            g("", "All", 6, 84, 60),
		ByVenue:        []queries.FillGroup{g("V1", "Archway Library", 3, 42, 35), g("", "Online", 3, 42, 25)},
		BySlot:         []queries.FillGroup{g(queries.SlotDaytime, queries.SlotDaytime, 4, 56, 40), g(queries.SlotEvening, queries.SlotEvening, 2, 28, 20), g(queries.SlotWeekend, queries.SlotWeekend, 0, 0, 0)},
		ByLanguage:     []queries.FillGroup{g("English", "English", 5, 70, 50), g("Turkish", "Turkish", 1, 14, 10)},
		ByMode:         []queries.FillGroup{g("face-to-face", "face-to-face", 3, 42, 35), g("online", "online", 3, 42, 25)},
		CancelledCount: 1,
	}
	r.BySlot[2].FillRate = nil
	return r, nil
}

func (s *fakeStore) CourseFills(ctx context.Context, f queries.Filter, p queries.CoursePage) (queries.CourseFills, error) {
	if err := s.record(f); err != nil {
		return queries.CourseFills{}, err
	}
	fill := 85.7
	return queries.CourseFills{Filter: f, Disclosure: fakeDisclosure,
		Courses: []queries.CourseFill{{CourseID: "C-1", Status: "ran", VenueID: "V1", VenueName: "Archway Library", Mode: "face-to-face", Language: "English",
			Weekday: "Monday", StartTime: "10:00", Slot: queries.SlotDaytime, FirstSessionDate: "2026-04-06", Capacity: 14, Booked: cnt(12), FillRate: &fill}},
		Page: p, Total: 1, Cancelled: 1,
	}, nil
}

func (s *fakeStore) NotifiedOutcomes(ctx context.Context, code, quarter string) ([]queries.NotifiedOutcome, error) {
	if err := s.CheckFilter(ctx, queries.Filter{Practice: code, To: quarter}); err != nil {
		return nil, err
	}
	return []queries.NotifiedOutcome{{ReferralID: "R-" + code + "-8", PatientID: "P-" + code + "-8", ReferralDate: "2026-01-05", Outcome: "completed", Category: queries.CodingAttended,
		OutcomeDate: "2026-04-01", NotifiedDate: "2026-04-03", Enter: queries.CodeToEnter{ReadV2: "9OLF", SNOMEDCT: "755491000000100"}}}, nil
}
