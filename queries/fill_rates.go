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

// CourseFills is one page of the courses that ran under the course part
// of the filter, with their fill rates, the most recent first (by first
// session date, then course id), and how many courses ran and were
// cancelled in all.
type CourseFills struct {
	Filter     Filter       `json:"filter"`
	Page       CoursePage   `json:"page"`      // with the Limit used; 0 is every course
	Total      int64        `json:"total"`     // courses that ran, on every page
	Cancelled  int64        `json:"cancelled"` // courses cancelled under the filter
	Courses    []CourseFill `json:"courses"`   // this page of the courses that ran
	Disclosure Disclosure   `json:"disclosure"`
}

// CoursePage asks for part of the course list: at most Limit courses after
// skipping the Offset most recent. A Limit of 0 asks for every course, as
// downloads do.
type CoursePage struct {
	Limit  int `json:"limit"`
	Offset int `json:"offset"`
}

// DefaultCourseLimit is the page of courses the dashboard shows and the
// JSON API answers when no limit is given.
const DefaultCourseLimit = 100

// MaxCourseLimit is the largest page of courses but "every course". An
// England-scale list has about 100,000 courses: fetching all of them takes
// a few hundred milliseconds, ten times what a page of 100 takes.
const MaxCourseLimit = 10_000

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
// SQL is sql/FillRates.sql, which sums in the database and
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
	// Courses take people from every practice: their bookings follow the
	// rule whoever asks.
	d := s.newDiscloser(f).comparator()
	out := FillRates{Filter: f, ByVenue: []FillGroup{}, ByLanguage: []FillGroup{}}

	// Booked is disclosed once per group, from the group's true sum.
	publish := func(key, label string, courses int, places, booked int64) FillGroup {
		g := FillGroup{Key: key, Label: label, Courses: courses, Places: places, Booked: d.booked(booked, places)}
		g.FillRate = ratioOf(g.Booked, places, 100)
		return g
	}
	out.All = publish("", "All courses", 0, 0, 0)
	slots, modes := map[string]FillGroup{}, map[string]FillGroup{}
	err := s.forEachRow(ctx, query("FillRates"), f.courseArgs(), func(rows *sql.Rows) error {
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

// CourseFills returns one page of the courses that ran under the course
// part of the filter, with their fill rates. The SQL is
// sql/CourseFills.sql. Unlike the other indicators it lists a row
// per course, about 100,000 at England scale, so it answers a page at a
// time; use FillRates for anything grouped. A page outside the limits is a
// *FilterError.
func (s *Store) CourseFills(ctx context.Context, f Filter, p CoursePage) (CourseFills, error) {
	if p.Limit < 0 || p.Limit > MaxCourseLimit {
		return CourseFills{}, &FilterError{"limit", fmt.Sprint(p.Limit), fmt.Sprintf("must be from 1 to %d courses, or all", MaxCourseLimit)}
	}
	if p.Offset < 0 {
		return CourseFills{}, &FilterError{"offset", fmt.Sprint(p.Offset), "must not be negative"}
	}
	return remember(ctx, s, fmt.Sprintf("CourseFills/%d/%d", p.Limit, p.Offset), f, func(ctx context.Context, f Filter) (CourseFills, error) {
		return s.computeCourseFills(ctx, f, p)
	})
}

// computeCourseFills works CourseFills out from the database.
func (s *Store) computeCourseFills(ctx context.Context, f Filter, p CoursePage) (CourseFills, error) {
	if err := s.CheckFilter(ctx, f); err != nil {
		return CourseFills{}, err
	}
	d := s.newDiscloser(f).comparator() // courses take people from every practice
	out := CourseFills{Filter: f, Page: p, Courses: []CourseFill{}}
	var limit any // NULL: every course
	if p.Limit > 0 {
		limit = p.Limit
	}
	args := f.courseArgs(sql.Named("limit", limit), sql.Named("offset", p.Offset))
	err := s.forEachRow(ctx, query("CourseFills"), args, func(rows *sql.Rows) error {
		var id, venueID, venueName, mode, language, weekday, start, slot, first sql.NullString
		var capacity, booked sql.NullInt64
		if err := rows.Scan(&out.Total, &out.Cancelled, &id, &venueID, &venueName, &mode, &language, &weekday,
			&start, &slot, &first, &capacity, &booked); err != nil {
			return err
		}
		if !id.Valid {
			return nil // the row of an empty page, carrying only the totals
		}
		c := CourseFill{CourseID: id.String, Status: "ran", VenueID: venueID.String, VenueName: venueName.String,
			Mode: mode.String, Language: language.String, Weekday: weekday.String, StartTime: start.String,
			Slot: slot.String, FirstSessionDate: first.String, Capacity: capacity.Int64}
		c.Booked = d.booked(booked.Int64, c.Capacity)
		c.FillRate = ratioOf(c.Booked, c.Capacity, 100)
		out.Courses = append(out.Courses, c)
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("fill rate by course: %w", err)
	}
	out.Disclosure = d.note()
	return out, nil
}
