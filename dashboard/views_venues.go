package dashboard

import (
	"context"
	"net/url"
	"strconv"

	"github.com/uptake-nhs/uptake/dashboard/charts"
	"github.com/uptake-nhs/uptake/queries"
)

// The Venues and times page: demand against places, and fill rates.

// venueViews are the Venues and times page's panels, in page order.
func venueViews() []view {
	return []view{capacityView(), waitsPreferredView(), waitsBookedView(),
		demandHeatmapView(), fillSlotsView(), fillVenuesView(), courseListView()}
}

var srcHeatmap = newSource("demand-heatmap", Store.DemandHeatmap)

func demandHeatmapView() view {
	return newView(srcHeatmap, "demand-heatmap", "Places offered by weekday and start time",
		"Darker cells have more places. Each cell's tooltip and the table give the places, bookings and fill rate. Referrals state a slot rather than a day and hour; see the capacity chart above.",
		func(r queries.DemandHeatmap, l linker) Table {
			t := Table{Columns: []Column{text("Weekday"), text("Start hour"), num("Courses"), num("Places"), num("Booked"), num("Fill rate (%)")}, Disclosure: r.Disclosure}
			for _, c := range r.Cells {
				if c.Courses == 0 {
					continue
				}
				t.Rows = append(t.Rows, row(RowHeader(c.Weekday), Text(hourLabel(c.Hour)), Int(c.Courses), Int(c.Places), CountCell(c.Booked), Percent(c.FillRate)))
			}
			return t
		},
		func(r queries.DemandHeatmap, l linker) charts.Chart {
			hours := make([]string, len(r.Hours))
			index := map[int]int{}
			for i, h := range r.Hours {
				hours[i] = hourLabel(h)
				index[h] = i
			}
			day := map[string]int{}
			for i, d := range r.Weekdays {
				day[d] = i
			}
			grid := make([][]charts.Number, len(r.Weekdays))
			for i := range grid {
				grid[i] = make([]charts.Number, len(hours))
			}
			for _, c := range r.Cells {
				if c.Places > 0 {
					grid[day[c.Weekday]][index[c.Hour]] = charts.Num(float64(c.Places))
				}
			}
			return charts.Heatmap(charts.Grid{X: hours, Y: r.Weekdays, Values: grid, Name: "Places offered", Unit: " places"})
		})
}

func hourLabel(h int) string {
	if h < 10 {
		return "0" + strconv.Itoa(h) + ":00"
	}
	return strconv.Itoa(h) + ":00"
}

var srcFillRates = newSource("fill-rates", Store.FillRates)

func fillGroupTable(first string, groups []queries.FillGroup, d queries.Disclosure) Table {
	t := Table{Columns: []Column{text(first), num("Courses"), num("Places"), num("Booked"), num("Fill rate (%)")}, Disclosure: d}
	for _, g := range groups {
		t.Rows = append(t.Rows, row(RowHeader(g.Label), Int(int64(g.Courses)), Int(g.Places), CountCell(g.Booked), Percent(g.FillRate)))
	}
	return t
}

func fillGroupChart(groups []queries.FillGroup, horizontal bool) charts.Chart {
	var labels []string
	var vals []charts.Number
	for _, g := range groups {
		labels = append(labels, g.Label)
		vals = append(vals, fillNum(g))
	}
	return charts.Bars(labels, []charts.Series{{Name: "Fill rate", Values: vals}}, charts.Axis{Name: "Places booked (%)", Percent: true, Full: true}, horizontal)
}

// fillNum draws a fill rate: withheld when the bookings are.
func fillNum(g queries.FillGroup) charts.Number {
	if g.FillRate == nil && g.Booked.Suppressed {
		return charts.Withheld()
	}
	return charts.FromPtr(g.FillRate)
}

// groupLabels maps each group's label to its key, the filter's value.
func groupLabels(groups []queries.FillGroup) map[string]string {
	out := map[string]string{}
	for _, g := range groups {
		out[g.Label] = g.Key
	}
	return out
}

func fillVenuesView() view {
	return newView(srcFillRates, "fill-venues", "How full courses are, by venue",
		"Each bar is the share of places booked on the courses that ran at a venue.",
		func(r queries.FillRates, l linker) Table {
			t := fillGroupTable("Venue", r.ByVenue, r.Disclosure)
			t.long = longTable{noun: "venues", order: "in name order"}
			return t
		},
		func(r queries.FillRates, l linker) charts.Chart {
			if len(r.ByVenue) > charts.MaxBars {
				vals := make([]charts.Number, len(r.ByVenue))
				for i, g := range r.ByVenue {
					vals[i] = fillNum(g)
				}
				return bandsChart(vals, "venues", "fill rate", "Places booked (%)", "the count of bookings withheld", "")
			}
			return fillGroupChart(r.ByVenue, true)
		})
}

func fillSlotsView() view {
	return newView(srcFillRates, "fill-slots", "How full courses are, by slot, language and mode",
		"The share of places booked, for daytime, evening and weekend courses, each language and each mode.",
		func(r queries.FillRates, l linker) Table {
			t := fillGroupTable("Group", nil, r.Disclosure)
			for _, part := range [][]queries.FillGroup{r.BySlot, r.ByLanguage, r.ByMode} {
				t.Rows = append(t.Rows, fillGroupTable("", part, r.Disclosure).Rows...)
			}
			return t
		},
		func(r queries.FillRates, l linker) charts.Chart {
			var all []queries.FillGroup
			all = append(append(append(all, r.BySlot...), r.ByLanguage...), r.ByMode...)
			c := fillGroupChart(all, false)
			// Languages and modes are filters of the page; slots are not.
			c = c.FilterBy("language", groupLabels(r.ByLanguage))
			return c.FilterBy("mode", groupLabels(r.ByMode))
		})
}

// srcCourseFills is the one source with a row per course (about 100,000 at
// England scale), so it answers a page at a time: limit (1 to
// queries.MaxCourseLimit, or "all"; 100 when not given) and offset.
// Downloads of its view always hold every course (courseListView).
var srcCourseFills = newParamSource("course-fills", func(s Store, ctx context.Context, f queries.Filter, q url.Values) (queries.CourseFills, error) {
	p, err := parseCoursePage(q)
	if err != nil {
		return queries.CourseFills{}, err
	}
	return s.CourseFills(ctx, f, p)
})

// parseCoursePage reads limit (1 to queries.MaxCourseLimit, or "all";
// queries.DefaultCourseLimit when not given) and offset from q. A bad
// value is an invalid-request error (400).
func parseCoursePage(q url.Values) (queries.CoursePage, error) {
	var p queries.CoursePage
	var err error
	p.Limit, p.Offset, err = parseLimitOffset(q, queries.DefaultCourseLimit, queries.MaxCourseLimit)
	return p, err
}

// courseListView's downloads hold every course, however many the page
// shows.
func courseListView() view {
	return newView(srcCourseFills, "fill-courses", "Every course that ran",
		"One row per course, the most recent first session first. Cancelled courses are counted under the table.",
		func(r queries.CourseFills, l linker) Table {
			t := Table{
				Columns:    []Column{text("Course"), text("Venue"), text("Mode"), text("Language"), text("Day"), text("Starts"), text("First session"), num("Places"), num("Booked"), num("Fill rate (%)")},
				Disclosure: r.Disclosure,
			}
			for _, c := range r.Courses {
				t.Rows = append(t.Rows, row(RowHeader(c.CourseID), Text(c.VenueName), Text(c.Mode), Text(c.Language), Text(c.Weekday), Text(c.StartTime), Text(c.FirstSessionDate),
					Int(c.Capacity), CountCell(c.Booked), Percent(c.FillRate)))
			}
			if r.Cancelled > 0 {
				t.Notes = append(t.Notes, groupThousands(strconv.FormatInt(r.Cancelled, 10))+" courses were cancelled and offered no places.")
			}
			t.long = longTable{noun: "courses", order: "the most recent first", narrow: "choose quarters, a mode or a language in the filters", total: int(r.Total)}
			return t
		}, nil).withAllRows(url.Values{"limit": {"all"}})
}

var srcWaits = newSource("waits-by-slot", Store.WaitsBySlot)

func waitSeries(ws []queries.SlotWait) ([]string, []charts.Series) {
	var slots []string
	med, p90 := charts.Series{Name: "Median"}, charts.Series{Name: "90th percentile"}
	for _, w := range ws {
		slots = append(slots, w.Slot)
		med.Values, p90.Values = append(med.Values, daysNum(w.MedianDays, w.Suppressed)), append(p90.Values, daysNum(w.P90Days, w.Suppressed))
	}
	return slots, []charts.Series{med, p90}
}

func waitsPreferredView() view {
	return newView(srcWaits, "waits-preferred", "Days from referral to course start, by the slot people asked for",
		"Half of people waited less than the median and one in ten waited longer than the 90th percentile. People not yet booked have no wait to measure; many of them make the measured waits look shorter than they are.",
		func(r queries.WaitsBySlot, l linker) Table {
			t := Table{Columns: cols(text("Preferred slot"), num("Booked"), num("Not yet booked"), num("Median (days)"), num("90th percentile (days)")), Disclosure: r.Disclosure}
			for _, w := range r.ByPreferredSlot {
				nb := Missing()
				if w.NotBooked != nil {
					nb = CountCell(*w.NotBooked)
				}
				t.Rows = append(t.Rows, row(RowHeader(w.Slot), CountCell(w.Booked), nb, days(w.MedianDays, w.Suppressed), days(w.P90Days, w.Suppressed)))
			}
			t.Notes = append(t.Notes, "Percentiles: "+r.Method)
			return t
		},
		func(r queries.WaitsBySlot, l linker) charts.Chart {
			slots, series := waitSeries(r.ByPreferredSlot)
			return charts.Bars(slots, series, daysAxis(), false)
		})
}

func waitsBookedView() view {
	return newView(srcWaits, "waits-booked", "Days from referral to course start, by the slot of the course booked",
		"The supply side: how long the courses of each slot take to reach the people booked on them.",
		func(r queries.WaitsBySlot, l linker) Table {
			t := Table{Columns: cols(text("Course slot"), num("Booked"), num("Median (days)"), num("90th percentile (days)")), Disclosure: r.Disclosure}
			for _, w := range r.ByBookedSlot {
				t.Rows = append(t.Rows, row(RowHeader(w.Slot), CountCell(w.Booked), days(w.MedianDays, w.Suppressed), days(w.P90Days, w.Suppressed)))
			}
			return t
		},
		func(r queries.WaitsBySlot, l linker) charts.Chart {
			slots, series := waitSeries(r.ByBookedSlot)
			return charts.Bars(slots, series, daysAxis(), false)
		})
}

// newestFirst lists the indices of n rows in date order from the last,
// for tables whose rows come oldest first.
func newestFirst(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = n - 1 - i
	}
	return out
}
