package queries

import (
	"context"
	"database/sql"
	"fmt"
)

// SlotDemand answers "which times do people want, and do we offer places
// there?": for each course slot (weekday daytime, weekday evening,
// weekend), the eligible referrals preferring it against the places
// offered and booked on courses that ran in it. Referrals with no
// preferred slot are shown separately.
//
// Referrals are filtered by the whole filter; courses by the course part
// only (quarter of first session, mode, language): practice and PCN
// filters narrow the demand but not the places, so the demand-to-places
// ratio is meant for the borough or a mode or language, not a practice.
type SlotDemand struct {
	Filter Filter           `json:"filter"`
	Slots  []SlotDemandSlot `json:"slots"`
	// NoPreference counts eligible referrals with no preferred slot.
	NoPreference Count      `json:"no_preference"`
	Disclosure   Disclosure `json:"disclosure"`
}

// SlotDemandSlot is demand and supply in one slot. Places are not people
// and are not under the disclosure rule; booked places are people and are.
type SlotDemandSlot struct {
	Slot      string `json:"slot"`
	Referrals Count  `json:"referrals"` // eligible referrals preferring the slot
	Courses   int64  `json:"courses"`   // courses that ran in the slot
	Places    int64  `json:"places"`    // their capacity
	Booked    Count  `json:"booked"`    // people booked on them
	// FillRate is Booked / Places as a percentage.
	FillRate *float64 `json:"fill_rate"`
	// ReferralsPerPlace is Referrals / Places: above 1, more people want
	// the slot than it has places.
	ReferralsPerPlace *float64 `json:"referrals_per_place"`
}

// slotPlaces is what SlotDemand.sql and DemandHeatmap.sql
// return for one group of courses that ran.
type slotPlaces struct{ courses, places, booked int64 }

// SlotDemand computes demand and places by slot under the filter. The SQL
// is sql/preferredSlots.sql and sql/SlotDemand.sql.
func (s *Store) SlotDemand(ctx context.Context, f Filter) (SlotDemand, error) {
	return remember(ctx, s, "SlotDemand", f, s.computeSlotDemand)
}

// computeSlotDemand works SlotDemand out from the database.
func (s *Store) computeSlotDemand(ctx context.Context, f Filter) (SlotDemand, error) {
	if err := s.CheckFilter(ctx, f); err != nil {
		return SlotDemand{}, err
	}
	d := s.newDiscloser(f)
	out := SlotDemand{Filter: f}
	prefs, err := s.preferredSlots(ctx, f)
	if err != nil {
		return out, err
	}
	places := map[string]slotPlaces{}
	err = s.forEachRow(ctx, query("SlotDemand"), f.courseArgs(), func(rows *sql.Rows) error {
		var slot string
		var p slotPlaces
		if err := rows.Scan(&slot, &p.courses, &p.places, &p.booked); err != nil {
			return err
		}
		places[slot] = p
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("places by slot: %w", err)
	}
	for _, slot := range CourseSlots {
		p := places[slot]
		row := SlotDemandSlot{Slot: slot, Referrals: d.count(prefs[slot]), Courses: p.courses, Places: p.places, Booked: d.count(p.booked)}
		row.FillRate = ratioOf(row.Booked, p.places, 100)
		row.ReferralsPerPlace = ratioOf(row.Referrals, p.places, 1)
		out.Slots = append(out.Slots, row)
	}
	out.NoPreference = d.count(prefs[SlotNoPreference])
	out.Disclosure = d.note()
	return out, nil
}

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
