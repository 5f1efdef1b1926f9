package queries

import (
	"context"
	"database/sql"
	"fmt"
	"math"
)

// UnmetDemand answers "how many more courses, and when, would meet the
// demand we did not meet?". Unmet demand is eligible referrals preferring
// a slot whose UnmetDemandWindowDays have passed without a booking on a
// course starting inside them (a booking on any course counts as met);
// the extra courses it would fill are the unmet count divided by
// PlacesPerExtraCourse, rounded up. Referrals still inside their window
// are left out: they may yet be booked.
//
// Counts follow the disclosure rule and extra courses are worked out from
// the published count, so a reader can check them; when the count is
// suppressed (1-7 people, at most one course) ExtraCourses is nil.
type UnmetDemand struct {
	Filter          Filter `json:"filter"`
	AsOf            string `json:"as_of"`
	WindowDays      int    `json:"window_days"`       // unmet-demand window (90)
	PlacesPerCourse int    `json:"places_per_course"` // places an extra course fills (14)

	// Slots are weekday daytime, weekday evening and weekend, over the
	// whole filtered range.
	Slots []UnmetSlot `json:"slots"`
	// NoPreference is the same for people with no preferred slot; their
	// courses could run in any slot.
	NoPreference UnmetSlot `json:"no_preference"`
	// Quarters are the referral quarters in the range, each with the three
	// slots and "no preference" in that order.
	Quarters []UnmetQuarter `json:"quarters"`
	// NextQuarter estimates, per slot (three slots and "no preference"),
	// the extra courses a quarter like the recent ones would need: the
	// average unmet demand per quarter over EstimateQuarters (the last
	// four or fewer final quarters in the range) divided by the places per
	// course, rounded up. It assumes next quarter resembles those: it does
	// not model trend, season or the effect of adding courses, and it is
	// about new referrals, not the people already left waiting.
	NextQuarter      []UnmetEstimate `json:"next_quarter"`
	EstimateQuarters []string        `json:"estimate_quarters"`

	Disclosure Disclosure `json:"disclosure"`
}

// UnmetSlot is unmet demand for one preferred slot.
type UnmetSlot struct {
	Slot string `json:"slot"`
	// WindowPassed counts eligible referrals preferring the slot whose
	// unmet-demand window has passed: the denominator.
	WindowPassed Count    `json:"window_passed"`
	Unmet        Count    `json:"unmet"`
	UnmetPercent *float64 `json:"unmet_percent"`
	ExtraCourses *int64   `json:"extra_courses"`
}

// UnmetQuarter is one referral quarter's unmet demand. A quarter is Final
// when the window of its last day's referrals has passed; before that its
// figures count only the referrals whose window has.
type UnmetQuarter struct {
	Quarter string      `json:"quarter"`
	Final   bool        `json:"final"`
	Slots   []UnmetSlot `json:"slots"`
}

// UnmetEstimate is the next-quarter estimate for one slot.
type UnmetEstimate struct {
	Slot string `json:"slot"`
	// AverageUnmet is the published unmet count over EstimateQuarters
	// divided by their number; nil when it is suppressed or there are none.
	AverageUnmet *float64 `json:"average_unmet"`
	ExtraCourses *int64   `json:"extra_courses"`
}

// estimateQuarters is how many recent final quarters the next-quarter
// estimate averages: a year, so that seasons even out.
const estimateQuarters = 4

// UnmetDemand computes unmet demand by preferred slot under the filter.
// The SQL is sql/UnmetDemand.sql.
func (s *Store) UnmetDemand(ctx context.Context, f Filter) (UnmetDemand, error) {
	return remember(ctx, s, "UnmetDemand", f, s.computeUnmetDemand)
}

// computeUnmetDemand works UnmetDemand out from the database.
func (s *Store) computeUnmetDemand(ctx context.Context, f Filter) (UnmetDemand, error) {
	if err := s.CheckFilter(ctx, f); err != nil {
		return UnmetDemand{}, err
	}
	d := s.newDiscloser(f)
	per := int64(s.cfg.PlacesPerExtraCourse)
	out := UnmetDemand{Filter: f, WindowDays: s.cfg.UnmetDemandWindowDays, PlacesPerCourse: s.cfg.PlacesPerExtraCourse,
		Quarters: []UnmetQuarter{}, EstimateQuarters: []string{}}
	var err error
	if out.AsOf, err = s.dataAsOf(ctx); err != nil {
		return out, err
	}
	publish := func(slot string, passed, unmet int64) UnmetSlot {
		u := UnmetSlot{Slot: slot, WindowPassed: d.count(passed), Unmet: d.count(unmet)}
		u.UnmetPercent = Percent(u.Unmet, u.WindowPassed)
		if !u.Unmet.Suppressed {
			n := ceilDiv(u.Unmet.N, per)
			u.ExtraCourses = &n
		}
		return u
	}

	type cell struct{ passed, unmet int64 }
	slots := PreferredSlots
	type quarterCells struct {
		quarter string
		final   bool
		cells   map[string]cell
	}
	var quarters []*quarterCells
	totals := map[string]cell{}
	args := f.args(sql.Named("unmet_window_days", s.cfg.UnmetDemandWindowDays))
	err = s.forEachRow(ctx, query("UnmetDemand"), args, func(rows *sql.Rows) error {
		var q, slot string
		var final bool
		var c cell
		if err := rows.Scan(&q, &slot, &final, &c.passed, &c.unmet); err != nil {
			return err
		}
		if len(quarters) == 0 || quarters[len(quarters)-1].quarter != q {
			quarters = append(quarters, &quarterCells{quarter: q, final: final, cells: map[string]cell{}})
		}
		quarters[len(quarters)-1].cells[slot] = c
		t := totals[slot]
		totals[slot] = cell{t.passed + c.passed, t.unmet + c.unmet}
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("unmet demand by quarter: %w", err)
	}

	for _, slot := range CourseSlots {
		out.Slots = append(out.Slots, publish(slot, totals[slot].passed, totals[slot].unmet))
	}
	out.NoPreference = publish(SlotNoPreference, totals[SlotNoPreference].passed, totals[SlotNoPreference].unmet)
	for _, q := range quarters {
		uq := UnmetQuarter{Quarter: q.quarter, Final: q.final}
		for _, slot := range slots {
			uq.Slots = append(uq.Slots, publish(slot, q.cells[slot].passed, q.cells[slot].unmet))
		}
		out.Quarters = append(out.Quarters, uq)
	}

	// The last (up to) four final quarters, oldest first.
	var recent []*quarterCells
	for i := len(quarters) - 1; i >= 0 && len(recent) < estimateQuarters; i-- {
		if quarters[i].final {
			recent = append([]*quarterCells{quarters[i]}, recent...)
		}
	}
	for _, q := range recent {
		out.EstimateQuarters = append(out.EstimateQuarters, q.quarter)
	}
	for _, slot := range slots {
		e := UnmetEstimate{Slot: slot}
		if len(recent) > 0 {
			var sum int64
			for _, q := range recent {
				sum += q.cells[slot].unmet
			}
			if c := d.count(sum); !c.Suppressed {
				avg := float64(c.N) / float64(len(recent))
				courses := int64(math.Ceil(avg / float64(per)))
				e.AverageUnmet, e.ExtraCourses = &avg, &courses
			}
		}
		out.NextQuarter = append(out.NextQuarter, e)
	}
	out.Disclosure = d.note()
	return out, nil
}
