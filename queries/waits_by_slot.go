package queries

import (
	"context"
	"database/sql"
	"fmt"
)

// WaitsBySlot answers "how long do people wait for a course, and is it
// longer for the times they want?": days from referral to the start of the
// first course each eligible referral was booked on, median and 90th
// percentile.
//
// The primary view is by the slot the person preferred: it is the
// question service leads and commissioners ask ("do people who can only
// come in the evening wait longer?") and it keeps everyone who asked for
// a slot, whatever they were eventually offered. The view by the booked
// course's slot is the supply side: how long the courses of each slot
// take to reach people. People not yet booked have no wait to measure;
// their count is shown beside each preferred slot, because many unbooked
// people make the measured waits look shorter than they are.
type WaitsBySlot struct {
	Filter Filter `json:"filter"`
	// Method names the percentile method, for footnotes (as
	// TimeToFirstSession).
	Method string `json:"method"`
	// ByPreferredSlot has the three course slots and "no preference".
	ByPreferredSlot []SlotWait `json:"by_preferred_slot"`
	// ByBookedSlot has the three course slots; NotBooked is absent.
	ByBookedSlot []SlotWait `json:"by_booked_slot"`
	Disclosure   Disclosure `json:"disclosure"`
}

// SlotWait is the wait for one slot. The median and 90th percentile are
// in days, interpolated between the nearest people, and nil when nobody
// was booked or when they are withheld (Suppressed): with the disclosure
// rule on, a percentile of fewer than its threshold of people describes
// those people.
type SlotWait struct {
	Slot       string   `json:"slot"`
	Booked     Count    `json:"booked"`
	NotBooked  *Count   `json:"not_booked,omitempty"`
	MedianDays *float64 `json:"median_days"`
	P90Days    *float64 `json:"p90_days"`
	Suppressed bool     `json:"suppressed"`
}

// WaitsBySlot computes waits to course start by slot under the filter.
// The SQL is sql/WaitsBySlot.sql.
func (s *Store) WaitsBySlot(ctx context.Context, f Filter) (WaitsBySlot, error) {
	return remember(ctx, s, "WaitsBySlot", f, s.computeWaitsBySlot)
}

// computeWaitsBySlot works WaitsBySlot out from the database.
func (s *Store) computeWaitsBySlot(ctx context.Context, f Filter) (WaitsBySlot, error) {
	if err := s.CheckFilter(ctx, f); err != nil {
		return WaitsBySlot{}, err
	}
	d := s.newDiscloser(f)
	out := WaitsBySlot{Filter: f, Method: percentileMethod}
	// Days waited and how many people waited them, ascending, per slot.
	type histogram struct{ days, people []int64 }
	preferred, booked := map[string]*histogram{}, map[string]*histogram{}
	notBooked := map[string]int64{}
	err := s.forEachRow(ctx, query("WaitsBySlot"), f.args(), func(rows *sql.Rows) error {
		var by, slot string
		var days sql.NullInt64
		var people int64
		if err := rows.Scan(&by, &slot, &days, &people); err != nil {
			return err
		}
		m := preferred
		switch by {
		case "not booked":
			notBooked[slot] = people
			return nil
		case "booked":
			m = booked
		}
		if m[slot] == nil {
			m[slot] = &histogram{}
		}
		m[slot].days = append(m[slot].days, days.Int64)
		m[slot].people = append(m[slot].people, people)
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("waits by slot: %w", err)
	}
	publish := func(slot string, h *histogram) SlotWait {
		if h == nil {
			h = &histogram{}
		}
		var n int64
		for _, p := range h.people {
			n += p
		}
		sw := SlotWait{Slot: slot, Booked: d.count(n)}
		if sw.Suppressed = !d.statistic(n); !sw.Suppressed && n > 0 {
			median := histogramQuantile(h.days, h.people, n, 0.5)
			p90 := histogramQuantile(h.days, h.people, n, 0.9)
			sw.MedianDays, sw.P90Days = &median, &p90
		}
		return sw
	}
	for _, slot := range PreferredSlots {
		sw := publish(slot, preferred[slot])
		nb := d.count(notBooked[slot])
		sw.NotBooked = &nb
		out.ByPreferredSlot = append(out.ByPreferredSlot, sw)
	}
	for _, slot := range CourseSlots {
		out.ByBookedSlot = append(out.ByBookedSlot, publish(slot, booked[slot]))
	}
	out.Disclosure = d.note()
	return out, nil
}

// histogramQuantile is the p-th quantile of n people whose values are
// given as distinct values (ascending) and how many people have each, by
// linear interpolation between the nearest people (R type 7, DuckDB
// quantile_cont): the value at 0-based rank (n-1)p.
func histogramQuantile(values, people []int64, n int64, p float64) float64 {
	h := float64(n-1) * p
	lo := int64(h)
	at := func(rank int64) float64 {
		var seen int64
		for i, c := range people {
			seen += c
			if rank < seen {
				return float64(values[i])
			}
		}
		return float64(values[len(values)-1])
	}
	v := at(lo)
	if frac := h - float64(lo); frac > 0 {
		v += frac * (at(lo+1) - v)
	}
	return v
}
