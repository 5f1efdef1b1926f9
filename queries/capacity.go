package queries

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// Capacity answers "which courses should we add or take away next
// quarter?" with one model, per slot (weekday daytime, weekday evening,
// weekend), language and mode:
//
//   - People wanting a place: eligible referrals preferring the slot, in
//     the language and mode, not booked on a course starting within
//     UnmetDemandWindowDays of referral; a quarter, on average over the
//     last (up to) four quarters whose window has passed (Quarters).
//   - Places offered and booked on the courses that ran with a first
//     session in those quarters, a quarter; spare places are places not
//     booked.
//   - People with no preference of slot or mode (in their language) can
//     take a place in any slot or mode: the model puts them into spare
//     places first, where most are spare, and any left over with the
//     cell that is already short of places (else the one with the most
//     places). They reduce the need for new courses where places are
//     spare, and add to it where none are.
//   - Need = wanting + no-preference people placed here - spare places.
//     A course is added only if it would reach CourseMinPlaces people:
//     the courses to add are the smaller of need ÷ PlacesPerExtraCourse
//     rounded up and need ÷ CourseMinPlaces rounded down, so 30 gives 2
//     (a third course would have 2 people) and 10 gives none. Courses are
//     taken away only where spare places exceed the people wanting them by
//     at least one whole course (the average size of the cell's courses).
//     So a course is never added where spare places cover the demand.
//
// Counts of people follow the disclosure rule (courses take people from
// every practice, so always), the model works from the counts as shown,
// and a withheld count (1 to 7 people over the quarters averaged) counts
// as none in it; so a reader can check every figure of the advice from the
// table. Capacity is planned for the whole borough: the filter's quarters,
// mode and language apply, its network, practice, referrer and channel do
// not. Each slot has its trend (wanting a place, quarter by quarter) and a
// sentence of advice; Assumptions says all this in words.
type Capacity struct {
	Filter          Filter `json:"filter"`
	AsOf            string `json:"as_of"`
	WindowDays      int    `json:"window_days"`       // unmet-demand window (90)
	PlacesPerCourse int    `json:"places_per_course"` // places of a course added (14)
	MinPlaces       int    `json:"min_places"`        // people a course needs to run (12)
	// Quarters are the quarters averaged, oldest first: the last four (or
	// fewer) in the range whose unmet-demand window has passed for every
	// referral. Empty when none has: then there is no advice.
	Quarters    []string       `json:"quarters"`
	Slots       []CapacitySlot `json:"slots"`
	Assumptions []string       `json:"assumptions"`
	Disclosure  Disclosure     `json:"disclosure"`
}

// CapacitySlot is one slot: its cells' figures added up, its courses to add
// and take away, its trend and its advice.
type CapacitySlot struct {
	Slot string `json:"slot"`
	// Wanting, Flexible, Places, Booked and Spare add up the cells' figures
	// a quarter as the model uses them (a withheld count as none).
	Wanting  int64 `json:"wanting"`
	Flexible int64 `json:"flexible"`
	Places   int64 `json:"places"`
	Booked   int64 `json:"booked"`
	Spare    int64 `json:"spare"`
	// Add and Remove add up the cells' courses to add and take away.
	Add    int64 `json:"add"`
	Remove int64 `json:"remove"`
	// Trend compares the people wanting a place in the first and the last
	// of Quarters: "rising", "falling" or "steady"; "" when there are
	// fewer than two quarters or either is withheld.
	Trend string `json:"trend"`
	// Series is every loaded quarter of the range: people preferring the
	// slot (in any mode, no-preference people apart) not booked in time,
	// and places offered. A quarter that is not Final counts only the
	// referrals whose window has passed.
	Series []CapacityPoint `json:"series"`
	// Advice is one sentence saying what to do next quarter and why.
	Advice string         `json:"advice"`
	Cells  []CapacityCell `json:"cells"`
}

// CapacityCell is one slot, language and mode, a quarter on average over
// Capacity.Quarters.
type CapacityCell struct {
	Language string `json:"language"`
	Mode     string `json:"mode"`
	// Wanting is the people preferring exactly this slot and mode, not
	// booked in time; Flexible the people with no preference of slot or
	// mode the model places here.
	Wanting  Count   `json:"wanting"`
	Flexible int64   `json:"flexible"`
	Courses  float64 `json:"courses"` // courses that ran, one decimal
	Places   int64   `json:"places"`
	Booked   Count   `json:"booked"`
	// Spare is Places - Booked; withheld when Booked is.
	Spare Count `json:"spare"`
	// Need is Wanting + Flexible - Spare (withheld counts as none):
	// above zero, people the places do not cover; below, spare places
	// nobody is waiting for.
	Need   int64 `json:"need"`
	Add    int64 `json:"add"`
	Remove int64 `json:"remove"`
}

// CapacityPoint is one quarter of a slot's trend.
type CapacityPoint struct {
	Quarter string `json:"quarter"`
	Final   bool   `json:"final"`
	Wanting Count  `json:"wanting"`
	Places  int64  `json:"places"`
}

// estimateQuarters is how many recent quarters the capacity model
// averages: a year, so that seasons even out.
const estimateQuarters = 4

// capacityCellKey names a cell: a slot (or "no preference"), a language
// (lower case, so that "turkish" and "Turkish" meet) and a mode (or "no
// preference").
type capacityCellKey struct{ slot, language, mode string }

// capacityTotals are a cell's true totals over the quarters averaged.
type capacityTotals struct{ unmet, courses, places, booked int64 }

// Capacity computes the capacity model under the filter. The SQL is
// sql/Capacity.demand.sql and sql/Capacity.places.sql.
func (s *Store) Capacity(ctx context.Context, f Filter) (Capacity, error) {
	return remember(ctx, s, "Capacity", f, s.computeCapacity)
}

// computeCapacity works Capacity out from the database.
func (s *Store) computeCapacity(ctx context.Context, f Filter) (Capacity, error) {
	if err := s.CheckFilter(ctx, f); err != nil {
		return Capacity{}, err
	}
	c := s.cfg
	out := Capacity{Filter: f, WindowDays: c.UnmetDemandWindowDays, PlacesPerCourse: c.PlacesPerExtraCourse,
		MinPlaces: c.CourseMinPlaces, Quarters: []string{}, Slots: []CapacitySlot{}}
	var err error
	if out.AsOf, err = s.dataAsOf(ctx); err != nil {
		return out, err
	}
	// Places are planned for the borough: only the quarters, mode and
	// language of the filter apply.
	args := func(extra ...any) []any {
		return append([]any{sql.Named("from", f.From), sql.Named("to", f.To), sql.Named("mode", f.Mode), sql.Named("language", f.Language)}, extra...)
	}

	type quarterRow struct {
		quarter string
		final   bool
	}
	var quarters []quarterRow
	unmet := map[string]map[capacityCellKey]int64{} // by quarter
	languages := map[string]string{}                // lower case -> as first written
	err = s.forEachRow(ctx, query("Capacity.demand"), args(sql.Named("unmet_window_days", c.UnmetDemandWindowDays)), func(rows *sql.Rows) error {
		var q string
		var final bool
		var slot, language, mode sql.NullString
		var n int64
		if err := rows.Scan(&q, &final, &slot, &language, &mode, &n); err != nil {
			return err
		}
		if len(quarters) == 0 || quarters[len(quarters)-1].quarter != q {
			quarters = append(quarters, quarterRow{q, final})
			unmet[q] = map[capacityCellKey]int64{}
		}
		if slot.Valid {
			k := capacityCellKey{slot.String, strings.ToLower(language.String), mode.String}
			unmet[q][k] += n
			if _, ok := languages[k.language]; !ok {
				languages[k.language] = language.String
			}
		}
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("capacity, demand: %w", err)
	}
	type supply struct{ courses, places, booked int64 }
	places := map[string]map[capacityCellKey]supply{}
	err = s.forEachRow(ctx, query("Capacity.places"), args(), func(rows *sql.Rows) error {
		var q, slot, language, mode string
		var p supply
		if err := rows.Scan(&q, &slot, &language, &mode, &p.courses, &p.places, &p.booked); err != nil {
			return err
		}
		k := capacityCellKey{slot, strings.ToLower(language), mode}
		if places[q] == nil {
			places[q] = map[capacityCellKey]supply{}
		}
		t := places[q][k]
		places[q][k] = supply{t.courses + p.courses, t.places + p.places, t.booked + p.booked}
		if _, ok := languages[k.language]; !ok {
			languages[k.language] = language
		}
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("capacity, places: %w", err)
	}

	// The quarters averaged: the last four final ones, oldest first.
	for i := len(quarters) - 1; i >= 0 && len(out.Quarters) < estimateQuarters; i-- {
		if quarters[i].final {
			out.Quarters = append([]string{quarters[i].quarter}, out.Quarters...)
		}
	}
	n := int64(len(out.Quarters))
	totals := map[capacityCellKey]*capacityTotals{}
	total := func(k capacityCellKey) *capacityTotals {
		if totals[k] == nil {
			totals[k] = &capacityTotals{}
		}
		return totals[k]
	}
	for _, q := range out.Quarters {
		for k, v := range unmet[q] {
			total(k).unmet += v
		}
		for k, p := range places[q] {
			t := total(k)
			t.courses, t.places, t.booked = t.courses+p.courses, t.places+p.places, t.booked+p.booked
		}
	}

	// Courses take people from every practice: the rule applies to every
	// count, whoever asks.
	d := s.newDiscloser(f).comparator()
	langs := slices.Sorted(func(yield func(string) bool) {
		for l := range languages {
			if !yield(l) {
				return
			}
		}
	})
	model := capacityModel{per: int64(c.PlacesPerExtraCourse), min: int64(c.CourseMinPlaces), n: n}
	cells := map[capacityCellKey]*capacityModelCell{}
	for _, lang := range langs {
		var group []*capacityModelCell
		for _, slot := range CourseSlots {
			for _, mode := range Modes {
				k := capacityCellKey{slot, lang, mode}
				cell := model.cell(d, k, languages[lang], totals[k])
				cells[k] = cell
				group = append(group, cell)
			}
		}
		// People with no preference of mode, then of slot, then of
		// either: the most constrained first.
		var flex []capacityCellKey
		for _, slot := range CourseSlots {
			flex = append(flex, capacityCellKey{slot, lang, SlotNoPreference})
		}
		for _, mode := range Modes {
			flex = append(flex, capacityCellKey{SlotNoPreference, lang, mode})
		}
		flex = append(flex, capacityCellKey{SlotNoPreference, lang, SlotNoPreference})
		for _, k := range flex {
			var people int64
			if t := totals[k]; t != nil && n > 0 {
				if w := d.count(t.unmet); !w.Suppressed {
					people = perQuarter(w.N, n)
				}
			}
			model.place(people, group, func(c *capacityModelCell) bool {
				return (k.slot == SlotNoPreference || k.slot == c.key.slot) && (k.mode == SlotNoPreference || k.mode == c.key.mode)
			})
		}
		for _, cell := range group {
			model.advise(cell)
		}
	}

	for _, slot := range CourseSlots {
		sl := CapacitySlot{Slot: slot, Series: []CapacityPoint{}, Cells: []CapacityCell{}}
		for _, lang := range langs {
			for _, mode := range Modes {
				cell := cells[capacityCellKey{slot, lang, mode}]
				if cell.empty() {
					continue // nobody wants it and nothing runs in it
				}
				sl.Cells = append(sl.Cells, cell.CapacityCell)
				sl.Wanting += cell.wanting
				sl.Flexible += cell.Flexible
				sl.Places += cell.Places
				sl.Booked += cell.booked
				sl.Spare += cell.spare
				sl.Add += cell.Add
				sl.Remove += cell.Remove
			}
		}
		for _, q := range quarters {
			pt := CapacityPoint{Quarter: q.quarter, Final: q.final}
			var wanting int64
			for k, v := range unmet[q.quarter] {
				if k.slot == slot {
					wanting += v
				}
			}
			for k, p := range places[q.quarter] {
				if k.slot == slot {
					pt.Places += p.places
				}
			}
			pt.Wanting = d.count(wanting)
			sl.Series = append(sl.Series, pt)
		}
		sl.Trend = capacityTrend(sl.Series, out.Quarters)
		sl.Advice = capacityAdvice(sl, out)
		out.Slots = append(out.Slots, sl)
	}
	out.Assumptions = capacityAssumptions(out, s.cfg.Disclosure)
	out.Disclosure = d.note()
	return out, nil
}

// capacityModel works out the cells' needs and advice from the counts as
// shown, averaged over n quarters.
type capacityModel struct{ per, min, n int64 }

// capacityModelCell is a cell with the figures the model uses: withheld
// counts as none.
type capacityModelCell struct {
	CapacityCell
	key                                 capacityCellKey
	wanting, booked, spare, coursesSeen int64
	totalPlaces                         int64
}

// empty reports whether nobody wants the cell and nothing runs in it.
func (c *capacityModelCell) empty() bool {
	return c.Wanting == (Count{}) && c.Flexible == 0 && c.Places == 0 && c.Booked == (Count{})
}

// room is the spare places nobody is yet placed in.
func (c *capacityModelCell) room() int64 { return c.spare - c.wanting - c.Flexible }

// cell publishes a cell's totals (t may be nil) a quarter; language is
// its language as written.
func (m capacityModel) cell(d *discloser, k capacityCellKey, language string, t *capacityTotals) *capacityModelCell {
	if t == nil {
		t = &capacityTotals{}
	}
	c := &capacityModelCell{key: k, totalPlaces: t.places, coursesSeen: t.courses}
	c.Language, c.Mode = language, k.mode
	if m.n == 0 {
		return c
	}
	w := d.count(t.unmet)
	c.Wanting = w
	if !w.Suppressed {
		c.Wanting.N = perQuarter(w.N, m.n)
		c.wanting = c.Wanting.N
	}
	c.Places = perQuarter(t.places, m.n)
	c.Courses = float64(perQuarter(10*t.courses, m.n)) / 10
	b := d.booked(t.booked, t.places)
	c.Booked, c.Spare = b, b
	if !b.Suppressed {
		c.Booked.N = perQuarter(b.N, m.n)
		c.booked = c.Booked.N
		c.Spare.N = max(0, c.Places-c.booked)
	}
	c.spare = max(0, c.Places-c.booked)
	return c
}

// place puts people with no preference into the cells that fit them:
// first into spare places, the cell with the most room first; any left
// over into the fitting cell already short of the most places, else the
// fitting cell with the most places (ties: slot order, then mode order,
// the order of cells).
func (m capacityModel) place(people int64, cells []*capacityModelCell, fits func(*capacityModelCell) bool) {
	var fitting []*capacityModelCell
	for _, c := range cells {
		if fits(c) {
			fitting = append(fitting, c)
		}
	}
	for people > 0 {
		best := slices.MaxFunc(fitting, func(a, b *capacityModelCell) int { return cmp.Compare(a.room(), b.room()) })
		if best.room() <= 0 {
			break
		}
		take := min(people, best.room())
		best.Flexible += take
		people -= take
	}
	if people == 0 {
		return
	}
	// MaxFunc returns the first of equal maxima: the order of cells.
	target := slices.MaxFunc(fitting, func(a, b *capacityModelCell) int { return cmp.Compare(-a.room(), -b.room()) })
	if target.room() >= 0 {
		target = slices.MaxFunc(fitting, func(a, b *capacityModelCell) int { return cmp.Compare(a.Places, b.Places) })
	}
	target.Flexible += people
}

// advise works out a cell's need and the courses to add or take away.
func (m capacityModel) advise(c *capacityModelCell) {
	c.Need = c.wanting + c.Flexible - c.spare
	switch {
	case c.Need > 0:
		c.Add = min(ceilDiv(c.Need, m.per), c.Need/m.min)
	case c.Need < 0 && c.coursesSeen > 0:
		size := max(1, (2*c.totalPlaces+c.coursesSeen)/(2*c.coursesSeen)) // the cell's average course, rounded
		c.Remove = min(-c.Need/size, c.coursesSeen/m.n)
	}
}

// perQuarter is total over n quarters, a quarter, rounded half up.
func perQuarter(total, n int64) int64 { return (2*total + n) / (2 * n) }

// capacityTrend compares the people wanting a place in the first and last
// quarter averaged.
func capacityTrend(series []CapacityPoint, averaged []string) string {
	if len(averaged) < 2 {
		return ""
	}
	var first, last *Count
	for i := range series {
		switch series[i].Quarter {
		case averaged[0]:
			first = &series[i].Wanting
		case averaged[len(averaged)-1]:
			last = &series[i].Wanting
		}
	}
	if first == nil || last == nil || first.Suppressed || last.Suppressed {
		return ""
	}
	switch {
	case last.N > first.N:
		return "rising"
	case last.N < first.N:
		return "falling"
	}
	return "steady"
}

// capacityAdvice is the slot's sentence of advice.
func capacityAdvice(sl CapacitySlot, c Capacity) string {
	name := strings.ToUpper(sl.Slot[:1]) + sl.Slot[1:]
	if len(c.Quarters) == 0 {
		return name + ": no advice yet: no quarter in the range has had its " + fmt.Sprint(c.WindowDays) + " days to book people."
	}
	if len(sl.Cells) == 0 {
		return name + ": nobody was left waiting for this slot and no courses ran in it: nothing to change."
	}
	var adds, removes []string
	var short *CapacityCell
	for i, cell := range sl.Cells {
		what := cell.Mode + " in " + cell.Language
		if cell.Add > 0 {
			adds = append(adds, fmt.Sprintf("%d %s", cell.Add, what))
		}
		if cell.Remove > 0 {
			removes = append(removes, fmt.Sprintf("%d %s", cell.Remove, what))
		}
		if cell.Need > 0 && (short == nil || cell.Need > short.Need) {
			short = &sl.Cells[i]
		}
	}
	why := fmt.Sprintf("%s a quarter asked for this slot and were not booked within %d days, %s with no preference of slot or mode could take its places, and it had %s a quarter.",
		people(sl.Wanting), c.WindowDays, people(sl.Flexible), plural(sl.Spare, "spare place", "spare places"))
	var do string
	switch {
	case len(adds) > 0 && len(removes) > 0:
		do = fmt.Sprintf("add %s (%s) and run %d fewer (%s) next quarter", plural(sl.Add, "course", "courses"), strings.Join(adds, ", "), sl.Remove, strings.Join(removes, ", "))
	case len(adds) > 0:
		do = fmt.Sprintf("add %s next quarter (%s)", plural(sl.Add, "course", "courses"), strings.Join(adds, ", "))
	case len(removes) > 0:
		do = fmt.Sprintf("%s could run next quarter (%s): spare places exceed the people waiting by at least a course", plural(sl.Remove, "fewer course", "fewer courses"), strings.Join(removes, ", "))
	case short != nil:
		do = fmt.Sprintf("no extra course: the largest shortfall, %s (%s in %s), is under the %d a course needs", people(short.Need), short.Mode, short.Language, c.MinPlaces)
	default:
		do = "no extra course: the spare places cover the people waiting"
	}
	return name + ": " + do + ". " + why
}

// people is "1 person" or "n people".
func people(n int64) string { return plural(n, "person", "people") }

func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// capacityAssumptions says in sentences what the model assumes.
func capacityAssumptions(c Capacity, rule DisclosureRule) []string {
	averaged := "no quarter yet"
	if len(c.Quarters) > 0 {
		averaged = strings.Join(c.Quarters, ", ")
	}
	out := []string{
		fmt.Sprintf("People wanting a place: eligible referrals preferring the slot, language and mode, not booked on a course starting within %d days of referral; a quarter, on average over the last quarters whose %d days have passed for everyone (%s).", c.WindowDays, c.WindowDays, averaged),
		"Places: the capacity of the courses that ran with a first session in those quarters, a quarter; spare places are places not booked.",
		"People with no preference of slot or mode can take a place in any slot or mode of their language: the model puts them into spare places first, then with the slot already short of places.",
		fmt.Sprintf("A course is added only if at least %d people would fill it: the courses to add are the smaller of the shortfall ÷ %d rounded up and the shortfall ÷ %d rounded down. A course is taken away only where spare places exceed the people waiting by a whole course.", c.MinPlaces, c.PlacesPerCourse, c.MinPlaces),
		"Next quarter is taken to be like the average of those quarters: the trend is shown, not projected, and people already waiting and the effect of new courses on who comes are not modelled.",
		"Places are planned for the whole borough: the quarter, mode and language filters apply; network, practice, referrer and channel do not.",
	}
	if rule.Enabled {
		out = append(out, fmt.Sprintf("Counts of people follow the disclosure rule and the advice is worked out from them as shown; a withheld count (1 to %d people over those quarters) counts as none.", rule.SuppressBelow-1))
	}
	return out
}
