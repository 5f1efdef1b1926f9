package generate

import (
	"fmt"
	"strconv"
	"time"
)

// day is a calendar date as days since 1970-01-01 (UTC). Plain integers keep
// per-event state small and arithmetic cheap at England scale.
type day int32

// noDay marks a missing date, such as a practice not yet notified.
const noDay day = -1

func dayOf(y int, m time.Month, d int) day {
	return day(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func (d day) time() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// weekday works for days on or after 1970-01-01, a Thursday.
func (d day) weekday() time.Weekday { return time.Weekday((int(d) + 4) % 7) }

func (d day) iso() string { return d.time().Format("2006-01-02") }

// quarter is one calendar quarter with its first and last day (inclusive).
type quarter struct {
	name       string // e.g. "2026Q3"
	year, q    int
	start, end day
}

func newQuarter(year, q int) quarter {
	start := dayOf(year, time.Month(3*(q-1)+1), 1)
	end := dayOf(year, time.Month(3*q+1), 1) - 1 // time.Date normalises month 13
	return quarter{name: fmt.Sprintf("%dQ%d", year, q), year: year, q: q, start: start, end: end}
}

// parseQuarter reads "2026Q3".
func parseQuarter(s string) (quarter, error) {
	if len(s) != 6 || s[4] != 'Q' {
		return quarter{}, fmt.Errorf("quarter %q: want YYYYQn, e.g. 2026Q3", s)
	}
	y, err := strconv.Atoi(s[:4])
	if err != nil || y < 1971 || y > 9998 {
		return quarter{}, fmt.Errorf("quarter %q: bad year", s)
	}
	q := int(s[5] - '0')
	if q < 1 || q > 4 {
		return quarter{}, fmt.Errorf("quarter %q: quarter must be 1 to 4", s)
	}
	return newQuarter(y, q), nil
}

// quartersEndingWith lists n quarters in time order, the last being last.
func quartersEndingWith(last quarter, n int) []quarter {
	qs := make([]quarter, n)
	y, q := last.year, last.q
	for i := n - 1; i >= 0; i-- {
		qs[i] = newQuarter(y, q)
		q--
		if q == 0 {
			q, y = 4, y-1
		}
	}
	return qs
}

// dateText caches the ISO and UK spellings of every day in the generated
// period, so that writing millions of rows does not format dates again.
type dateText struct {
	first day
	iso   []string
}

func newDateText(first, last day) *dateText {
	dt := &dateText{first: first, iso: make([]string, last-first+1)}
	for d := first; d <= last; d++ {
		dt.iso[d-first] = d.iso()
	}
	return dt
}

func (dt *dateText) ISO(d day) string {
	if i := int(d - dt.first); i >= 0 && i < len(dt.iso) {
		return dt.iso[i]
	}
	return d.iso()
}

// ukFromISO turns "2026-04-07" into "07/04/2026"; anything else is returned
// unchanged (deliberately broken values stay broken).
func ukFromISO(s string) string {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return s
	}
	return s[8:10] + "/" + s[5:7] + "/" + s[0:4]
}

// parseISO reads "2026-04-07"; ok is false for anything else.
func parseISO(s string) (day, bool) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return 0, false
	}
	return day(t.Unix() / 86400), true
}
