package queries

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
)

// FillRates answers "are the courses we run full?": people booked against
// capacity (places) for the courses that ran, all together and by venue,
// slot, language and mode. Cancelled courses offered no places; they are
// counted separately. Courses are filtered by the course part of the
// filter (quarter of first session, mode, language). The courses
// themselves are CourseFills.
type FillRates struct {
	Filter     Filter      `json:"filter"`
	All        FillGroup   `json:"all"`
	ByVenue    []FillGroup `json:"by_venue"` // Key: venue id ("" for online); by name
	BySlot     []FillGroup `json:"by_slot"`  // every slot, in CourseSlots order
	ByLanguage []FillGroup `json:"by_language"`
	ByMode     []FillGroup `json:"by_mode"` // every mode, in Modes order
	// CancelledCount is how many courses were cancelled.
	CancelledCount int        `json:"cancelled_count"`
	Disclosure     Disclosure `json:"disclosure"`
}

// CourseFills lists the courses under the course part of the filter with
// their fill rates: those that ran and, separately, those cancelled, each
// the most recent first (by first session date, then course id).
type CourseFills struct {
	Filter     Filter       `json:"filter"`
	Courses    []CourseFill `json:"courses"`   // courses that ran
	Cancelled  []CourseFill `json:"cancelled"` // cancelled courses
	Disclosure Disclosure   `json:"disclosure"`
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
// SQL is sql/fill_rate_by_group.sql, which sums in the database and
// returns only the groups: at England scale there are about 100,000
// courses, and fetching them all into Go took most of the time.
func (s *Store) FillRates(ctx context.Context, f Filter) (FillRates, error) {
	return remember(ctx, s, "FillRates", f, s.computeFillRates)
}

// computeFillRates works FillRates out from the database.
func (s *Store) computeFillRates(ctx context.Context, f Filter) (FillRates, error) {
	if err := s.CheckFilter(ctx, f); err != nil {
		return FillRates{}, err
	}
	d := s.newDiscloser()
	out := FillRates{Filter: f, ByVenue: []FillGroup{}, ByLanguage: []FillGroup{}}

	// Booked is disclosed once per group, from the group's true sum.
	publish := func(key, label string, courses int, places, booked int64) FillGroup {
		g := FillGroup{Key: key, Label: label, Courses: courses, Places: places, Booked: d.count(booked)}
		g.FillRate = ratioOf(g.Booked, places, 100)
		return g
	}
	out.All = publish("", "All courses", 0, 0, 0)
	slots, modes := map[string]FillGroup{}, map[string]FillGroup{}
	err := s.forEachRow(ctx, query("fill_rate_by_group"), f.courseArgs(), func(rows *sql.Rows) error {
		var groupedBy, key, label string
		var courses int
		var places, booked int64
		if err := rows.Scan(&groupedBy, &key, &label, &courses, &places, &booked); err != nil {
			return err
		}
		if label == "" {
			label = key
		}
		switch groupedBy {
		case "cancelled":
			out.CancelledCount = courses
		case "all":
			out.All = publish("", "All courses", courses, places, booked)
		case "slot":
			slots[key] = publish(key, label, courses, places, booked)
		case "venue":
			out.ByVenue = append(out.ByVenue, publish(key, label, courses, places, booked))
		case "language":
			out.ByLanguage = append(out.ByLanguage, publish(key, label, courses, places, booked))
		case "mode":
			modes[key] = publish(key, label, courses, places, booked)
		default:
			return fmt.Errorf("unknown grouping %q", groupedBy)
		}
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("fill rate by group: %w", err)
	}

	// Every slot and mode is listed, with no courses if none ran in it.
	for _, slot := range CourseSlots {
		g, ok := slots[slot]
		if !ok {
			g = publish(slot, slot, 0, 0, 0)
		}
		out.BySlot = append(out.BySlot, g)
	}
	for _, m := range Modes {
		g, ok := modes[m]
		if !ok {
			g = publish(m, m, 0, 0, 0)
		}
		out.ByMode = append(out.ByMode, g)
	}
	slices.SortFunc(out.ByVenue, func(a, b FillGroup) int { return cmp.Or(cmp.Compare(a.Label, b.Label), cmp.Compare(a.Key, b.Key)) })
	slices.SortFunc(out.ByLanguage, func(a, b FillGroup) int { return cmp.Compare(a.Key, b.Key) })
	out.Disclosure = d.note()
	return out, nil
}

// CourseFills lists every course under the course part of the filter with
// its fill rate. The SQL is sql/fill_rate_by_course.sql. Unlike the other
// indicators it returns one row per course, about 100,000 at England
// scale, and fetching and scanning that many rows makes it several times
// slower than they are (hundreds of milliseconds, not tens); use FillRates
// for anything grouped.
func (s *Store) CourseFills(ctx context.Context, f Filter) (CourseFills, error) {
	return remember(ctx, s, "CourseFills", f, s.computeCourseFills)
}

// computeCourseFills works CourseFills out from the database.
func (s *Store) computeCourseFills(ctx context.Context, f Filter) (CourseFills, error) {
	if err := s.CheckFilter(ctx, f); err != nil {
		return CourseFills{}, err
	}
	d := s.newDiscloser()
	out := CourseFills{Filter: f, Courses: []CourseFill{}, Cancelled: []CourseFill{}}
	err := s.forEachRow(ctx, query("fill_rate_by_course"), f.courseArgs(), func(rows *sql.Rows) error {
		var c CourseFill
		var booked int64
		if err := rows.Scan(&c.CourseID, &c.Status, &c.VenueID, &c.VenueName, &c.Mode, &c.Language, &c.Weekday,
			&c.StartTime, &c.Slot, &c.FirstSessionDate, &c.Capacity, &booked); err != nil {
			return err
		}
		c.Booked = d.count(booked)
		c.FillRate = ratioOf(c.Booked, c.Capacity, 100)
		if c.Status != "ran" {
			out.Cancelled = append(out.Cancelled, c)
		} else {
			out.Courses = append(out.Courses, c)
		}
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("fill rate by course: %w", err)
	}
	out.Disclosure = d.note()
	return out, nil
}
