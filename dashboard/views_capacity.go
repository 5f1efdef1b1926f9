package dashboard

import (
	"strings"

	"github.com/uptake-nhs/uptake/dashboard/charts"
	"github.com/uptake-nhs/uptake/queries"
)

// The capacity model on the Venues and times page: one table, one chart
// and one sentence of advice per slot, with the model's assumptions beside
// them (queries.Capacity).

var srcCapacity = newSource("capacity", Store.Capacity)

// capacityView is the capacity model: a row per slot (its cells added up,
// with the trend) followed by a row per language and mode, the advice
// sentences and the assumptions as the table's notes.
func capacityView() view {
	return newView(srcCapacity, "capacity", "Courses to add or take away next quarter, by slot",
		"For each slot, the people a quarter who asked for it and were not booked in time, against the spare places on the courses that ran; "+
			"a course is advised only where enough people would fill it. Each slot's advice is under the table, with what the model assumes.",
		func(r queries.Capacity, l linker) Table {
			t := Table{
				Columns: []Column{text("Slot"), text("Language"), text("Mode"), num("Wanting a place, a quarter"), num("No preference, placed here"),
					num("Courses run, a quarter"), num("Places, a quarter"), num("Booked, a quarter"), num("Spare places, a quarter"),
					num("Not covered (+) or spare (−)"), num("Courses to add"), num("Courses to take away"), text("Trend of people wanting a place")},
				Disclosure: r.Disclosure,
			}
			for _, s := range r.Slots {
				t.Rows = append(t.Rows, row(RowHeader(s.Slot), Text("all"), Text("all"), Int(s.Wanting), Int(s.Flexible), Missing(),
					Int(s.Places), Int(s.Booked), Int(s.Spare), Missing(), Int(s.Add), Int(s.Remove), Text(capacityTrendText(s))))
				for _, c := range s.Cells {
					t.Rows = append(t.Rows, row(RowHeader(s.Slot), Text(c.Language), Text(c.Mode), CountCell(c.Wanting), Int(c.Flexible), Float(c.Courses, 1),
						Int(c.Places), CountCell(c.Booked), CountCell(c.Spare), Int(c.Need), Int(c.Add), Int(c.Remove), Missing()))
				}
			}
			for _, s := range r.Slots {
				t.Notes = append(t.Notes, s.Advice)
			}
			t.Notes = append(t.Notes, r.Assumptions...)
			return t
		},
		func(r queries.Capacity, l linker) charts.Chart {
			var slots []string
			want := charts.Series{Name: "Wanting a place, a quarter (with no-preference people placed there)"}
			spare := charts.Series{Name: "Spare places, a quarter"}
			for _, s := range r.Slots {
				slots = append(slots, s.Slot)
				want.Values = append(want.Values, charts.Num(float64(s.Wanting+s.Flexible)))
				spare.Values = append(spare.Values, charts.Num(float64(s.Spare)))
			}
			return charts.Bars(slots, []charts.Series{want, spare}, charts.Axis{Name: "People or places"}, false)
		})
}

// capacityTrendText is a slot's trend in words with the quarters behind
// it: "rising: 2025Q3 30, 2025Q4 35, 2026Q1 40 (2026Q2 so far: 12)".
func capacityTrendText(s queries.CapacitySlot) string {
	var final, open []string
	for _, p := range s.Series {
		v := CountCell(p.Wanting).Display()
		if p.Final {
			final = append(final, p.Quarter+" "+v)
		} else {
			open = append(open, p.Quarter+" so far "+v)
		}
	}
	out := strings.Join(final, ", ")
	if s.Trend != "" {
		out = s.Trend + ": " + out
	}
	if len(open) > 0 {
		out += " (" + strings.Join(open, ", ") + ")"
	}
	return strings.TrimSpace(out)
}
