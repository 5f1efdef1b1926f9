package queries

import (
	"context"
	"database/sql"
	"fmt"
)

// DemandHeatmap answers "on which days and at which hours do we offer
// places, and are they taken?": places offered and booked on courses that
// ran, by weekday and start hour, for a heatmap; beside it, for
// comparison, the eligible referrals by preferred slot (referrals state a
// slot, not a day and hour). Courses are filtered by the course part of
// the filter, referrals by the whole filter.
type DemandHeatmap struct {
	Filter Filter `json:"filter"`
	// Weekdays are Monday to Sunday; Hours run from the earliest to the
	// latest start hour of any course in the selection, every hour
	// between included, so the axis is evenly spaced.
	Weekdays []string `json:"weekdays"`
	Hours    []int    `json:"hours"`
	// Cells has one cell per weekday and hour, weekday by weekday.
	Cells []HeatmapCell `json:"cells"`
	// Preferences are the eligible referrals preferring each slot, "no
	// preference" last; Eligible is all eligible referrals.
	Preferences []SlotPreference `json:"preferences"`
	Eligible    Count            `json:"eligible"`
	Disclosure  Disclosure       `json:"disclosure"`
}

// HeatmapCell is the courses starting on one weekday in one hour. Places
// are not people and are not under the disclosure rule; Booked is.
type HeatmapCell struct {
	Weekday  string   `json:"weekday"`
	Hour     int      `json:"hour"`
	Courses  int64    `json:"courses"`
	Places   int64    `json:"places"`
	Booked   Count    `json:"booked"`
	FillRate *float64 `json:"fill_rate"` // nil when no places or Booked is suppressed
}

// SlotPreference is how many eligible referrals prefer a slot and their
// share of all eligible referrals.
type SlotPreference struct {
	Slot      string   `json:"slot"`
	Referrals Count    `json:"referrals"`
	Percent   *float64 `json:"percent"`
}

// Weekdays are the days of the week in the order the dashboard shows them.
var Weekdays = []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}

// DemandHeatmap computes places by weekday and hour under the filter. The
// SQL is sql/DemandHeatmap.sql and
// sql/preferredSlots.sql.
func (s *Store) DemandHeatmap(ctx context.Context, f Filter) (DemandHeatmap, error) {
	return remember(ctx, s, "DemandHeatmap", f, s.computeDemandHeatmap)
}

// computeDemandHeatmap works DemandHeatmap out from the database.
func (s *Store) computeDemandHeatmap(ctx context.Context, f Filter) (DemandHeatmap, error) {
	if err := s.CheckFilter(ctx, f); err != nil {
		return DemandHeatmap{}, err
	}
	d := s.newDiscloser(f)
	out := DemandHeatmap{Filter: f, Weekdays: Weekdays, Hours: []int{}, Cells: []HeatmapCell{}}
	type key struct {
		weekday string
		hour    int
	}
	cells := map[key]slotPlaces{}
	first, last := 24, -1
	err := s.forEachRow(ctx, query("DemandHeatmap"), f.courseArgs(), func(rows *sql.Rows) error {
		var k key
		var p slotPlaces
		if err := rows.Scan(&k.weekday, &k.hour, &p.courses, &p.places, &p.booked); err != nil {
			return err
		}
		cells[k] = p
		first, last = min(first, k.hour), max(last, k.hour)
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("places by weekday and hour: %w", err)
	}
	for h := first; h <= last; h++ {
		out.Hours = append(out.Hours, h)
	}
	for _, wd := range Weekdays {
		for _, h := range out.Hours {
			p := cells[key{wd, h}]
			// Courses take people from every practice: their bookings follow
			// the rule whoever asks.
			c := HeatmapCell{Weekday: wd, Hour: h, Courses: p.courses, Places: p.places, Booked: d.comparator().booked(p.booked, p.places)}
			c.FillRate = ratioOf(c.Booked, p.places, 100)
			out.Cells = append(out.Cells, c)
		}
	}

	prefs, err := s.preferredSlots(ctx, f)
	if err != nil {
		return out, err
	}
	var all int64
	for _, n := range prefs {
		all += n
	}
	out.Eligible = d.count(all)
	for _, slot := range PreferredSlots {
		p := SlotPreference{Slot: slot, Referrals: d.count(prefs[slot])}
		p.Percent = Percent(p.Referrals, out.Eligible)
		out.Preferences = append(out.Preferences, p)
	}
	out.Disclosure = d.note()
	return out, nil
}

// slotPlaces is what DemandHeatmap.sql returns for one group of courses
// that ran.
type slotPlaces struct{ courses, places, booked int64 }

// preferredSlots returns the true number of eligible referrals preferring
// each slot, "no preference" included.
func (s *Store) preferredSlots(ctx context.Context, f Filter) (map[string]int64, error) {
	prefs := map[string]int64{}
	err := s.forEachRow(ctx, query("preferredSlots"), f.args(), func(rows *sql.Rows) error {
		var slot string
		var n int64
		if err := rows.Scan(&slot, &n); err != nil {
			return err
		}
		prefs[slot] = n
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("referrals by preferred slot: %w", err)
	}
	return prefs, nil
}
