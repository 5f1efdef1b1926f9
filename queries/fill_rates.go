package queries

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"
)

// FillRates answers "are the courses we run full?": people booked against
// capacity (places) for each course that ran, and by venue, slot,
// language and mode. Cancelled courses offered no places; they are listed
// and counted separately. Courses are filtered by the course part of the
// filter (quarter of first session, mode, language).
type FillRates struct {
	Filter     Filter       `json:"filter"`
	All        FillGroup    `json:"all"`
	Courses    []CourseFill `json:"courses"`  // courses that ran, by first session date
	ByVenue    []FillGroup  `json:"by_venue"` // Key: venue id ("" for online); by name
	BySlot     []FillGroup  `json:"by_slot"`  // every slot, in CourseSlots order
	ByLanguage []FillGroup  `json:"by_language"`
	ByMode     []FillGroup  `json:"by_mode"` // every mode, in Modes order
	// Cancelled lists the cancelled courses; CancelledCount is how many.
	Cancelled      []CourseFill `json:"cancelled"`
	CancelledCount int          `json:"cancelled_count"`
	Disclosure     Disclosure   `json:"disclosure"`
}

// CourseFill is one course with its places and bookings. Capacity is
// places, not people, and is not under the disclosure rule; Booked is
// people and is.
type CourseFill struct {
	CourseID         string   `json:"course_id"`
	Status           string   `json:"status"` // ran or cancelled
	VenueID          string   `json:"venue_id"`
	VenueName        string   `json:"venue_name"` // "Online" for online courses
	Mode             string   `json:"mode"`
	Language         string   `json:"language"`
	Weekday          string   `json:"weekday"`
	StartTime        string   `json:"start_time"` // HH:MM
	Slot             string   `json:"slot"`
	FirstSessionDate string   `json:"first_session_date"`
	Capacity         int64    `json:"capacity"`
	Booked           Count    `json:"booked"`
	FillRate         *float64 `json:"fill_rate"` // Booked / Capacity, percent
}

// FillGroup is the fill rate of a group of courses that ran: the sum of
// their bookings over the sum of their capacity.
type FillGroup struct {
	Key      string   `json:"key"`
	Label    string   `json:"label"`
	Courses  int      `json:"courses"`
	Places   int64    `json:"places"`
	Booked   Count    `json:"booked"`
	FillRate *float64 `json:"fill_rate"`
}

// FillRates computes fill rates under the course part of the filter. The
// SQL is sql/fill_rate_by_course.sql.
func (s *Store) FillRates(ctx context.Context, f Filter) (FillRates, error) {
	return remember(ctx, s, "FillRates", f, s.computeFillRates)
}

// computeFillRates works FillRates out from the database.
func (s *Store) computeFillRates(ctx context.Context, f Filter) (FillRates, error) {
	if err := s.CheckFilter(ctx, f); err != nil {
		return FillRates{}, err
	}
	d := s.newDiscloser()
	out := FillRates{Filter: f, Courses: []CourseFill{}, Cancelled: []CourseFill{}, ByVenue: []FillGroup{}, ByLanguage: []FillGroup{}}

	type group struct {
		label          string
		courses        int
		places, booked int64
	}
	all := &group{label: "All courses"}
	venues, slots, languages, modes := map[string]*group{}, map[string]*group{}, map[string]*group{}, map[string]*group{}
	for _, slot := range CourseSlots {
		slots[slot] = &group{label: slot}
	}
	for _, m := range Modes {
		modes[m] = &group{label: m}
	}
	add := func(m map[string]*group, key, label string, capacity, booked int64) {
		g := m[key]
		if g == nil {
			g = &group{label: label}
			m[key] = g
		}
		g.courses++
		g.places += capacity
		g.booked += booked
	}

	err := s.forEachRow(ctx, query("fill_rate_by_course"), f.courseArgs(), func(rows *sql.Rows) error {
		var c CourseFill
		var first time.Time
		var booked int64
		if err := rows.Scan(&c.CourseID, &c.Status, &c.VenueID, &c.VenueName, &c.Mode, &c.Language, &c.Weekday,
			&c.StartTime, &c.Slot, &first, &c.Capacity, &booked); err != nil {
			return err
		}
		c.FirstSessionDate = isoDate(first)
		c.Booked = d.count(booked)
		c.FillRate = ratioOf(c.Booked, c.Capacity, 100)
		if c.Status != "ran" {
			out.Cancelled = append(out.Cancelled, c)
			return nil
		}
		out.Courses = append(out.Courses, c)
		all.courses++
		all.places += c.Capacity
		all.booked += booked
		add(venues, c.VenueID, c.VenueName, c.Capacity, booked)
		add(slots, c.Slot, c.Slot, c.Capacity, booked)
		add(languages, c.Language, c.Language, c.Capacity, booked)
		add(modes, c.Mode, c.Mode, c.Capacity, booked)
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("fill rate by course: %w", err)
	}
	out.CancelledCount = len(out.Cancelled)

	publish := func(key string, g *group) FillGroup {
		fg := FillGroup{Key: key, Label: g.label, Courses: g.courses, Places: g.places, Booked: d.count(g.booked)}
		fg.FillRate = ratioOf(fg.Booked, g.places, 100)
		return fg
	}
	out.All = publish("", all)
	for _, slot := range CourseSlots {
		out.BySlot = append(out.BySlot, publish(slot, slots[slot]))
	}
	for _, m := range Modes {
		out.ByMode = append(out.ByMode, publish(m, modes[m]))
	}
	for key, g := range venues {
		out.ByVenue = append(out.ByVenue, publish(key, g))
	}
	slices.SortFunc(out.ByVenue, func(a, b FillGroup) int { return cmp.Or(cmp.Compare(a.Label, b.Label), cmp.Compare(a.Key, b.Key)) })
	for key, g := range languages {
		out.ByLanguage = append(out.ByLanguage, publish(key, g))
	}
	slices.SortFunc(out.ByLanguage, func(a, b FillGroup) int { return cmp.Compare(a.Key, b.Key) })
	out.Disclosure = d.note()
	return out, nil
}
