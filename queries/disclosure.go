package queries

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
)

// DisclosureRule is the small-number rule for counts about people (NHS
// Digital's rule for published figures below national level). This file is
// the one place in uptake where counts are suppressed or rounded, and where
// it is decided, by audience, which counts are shown exact.
type DisclosureRule struct {
	// Enabled switches the rule on. It is on by default; turning it off is
	// for analysts working inside a secure environment.
	Enabled bool `json:"enabled"`
	// SuppressBelow: counts from 1 up to SuppressBelow-1 are shown as "*".
	SuppressBelow int64 `json:"suppress_below"`
	// RoundTo: counts of SuppressBelow or more are rounded to the nearest
	// multiple of RoundTo (halves round up).
	RoundTo int64 `json:"round_to"`
}

// DefaultDisclosureRule is 0 stays 0, 1-7 is "*", 8 or more rounds to the
// nearest 5.
func DefaultDisclosureRule() DisclosureRule {
	return DisclosureRule{Enabled: true, SuppressBelow: 8, RoundTo: 5}
}

// Validate reports settings that would publish nonsense.
func (r DisclosureRule) Validate() error {
	if r.SuppressBelow < 1 {
		return errors.New("disclosure.suppress_below must be at least 1")
	}
	if r.RoundTo < 1 {
		return errors.New("disclosure.round_to must be at least 1")
	}
	return nil
}

// Apply turns a true count into the count that may be published.
func (r DisclosureRule) Apply(n int64) Count {
	switch {
	case !r.Enabled || n == 0:
		return Count{N: n}
	case n < 0:
		// Counts of people are never negative; a negative value is a bug
		// upstream and must not be published as if it were a count.
		panic(fmt.Sprintf("disclosure: negative count %d", n))
	case n < r.SuppressBelow:
		return Count{Suppressed: true}
	default:
		return Count{N: ((n + r.RoundTo/2) / r.RoundTo) * r.RoundTo}
	}
}

// Count is a number of people as it may be published: either a value
// (rounded when the rule applies) or suppressed. The only way to make a
// non-zero Count from data is the store's discloser, which applies the
// rule or, for a practice's own staff reading its own figures, not.
type Count struct {
	N          int64
	Suppressed bool
}

// String renders a suppressed count as "*" and any other as its number.
func (c Count) String() string {
	if c.Suppressed {
		return "*"
	}
	return strconv.FormatInt(c.N, 10)
}

// Value returns the count for charts and arithmetic, and false when it is
// suppressed and must not be drawn.
func (c Count) Value() (int64, bool) { return c.N, !c.Suppressed }

// MarshalJSON writes a number, or the string "*" when suppressed, as the
// NHS publications do.
func (c Count) MarshalJSON() ([]byte, error) {
	if c.Suppressed {
		return []byte(`"*"`), nil
	}
	return strconv.AppendInt(nil, c.N, 10), nil
}

// UnmarshalJSON reads what MarshalJSON writes (used by API clients and tests).
func (c *Count) UnmarshalJSON(b []byte) error {
	if string(b) == `"*"` {
		*c = Count{Suppressed: true}
		return nil
	}
	var n int64
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("count must be a number or \"*\": %w", err)
	}
	*c = Count{N: n}
	return nil
}

// Percent returns num/den as a percentage computed from the published
// (rounded) figures, as the rule requires, or nil when either is
// suppressed or the denominator is zero.
func Percent(num, den Count) *float64 {
	if num.Suppressed || den.Suppressed || den.N == 0 {
		return nil
	}
	// Rounding is monotone, so a published numerator never exceeds its
	// published denominator and no clamp is needed.
	p := 100 * float64(num.N) / float64(den.N)
	return &p
}

// Disclosure says how a result's counts were treated and for whom, so
// every page, export and API answer can say so.
type Disclosure struct {
	// Audience is who the answer was made for: "public" (everyone but a
	// practice's own staff) or "own practice" (the staff of Practice).
	Audience string `json:"audience"`
	// Practice is the reader's own practice when Audience is "own
	// practice".
	Practice string `json:"practice,omitempty"`
	// Applied is true when the small-number rule was applied to any count
	// of the answer.
	Applied bool `json:"applied"`
	// Exact says which figures are exact: "none" (every count is under
	// the rule), "all" (the rule is off, or the whole answer is about the
	// reader's own practice) or "own practice" (the reader's own
	// practice's figures are exact; the borough's and other practices'
	// follow the rule).
	Exact string `json:"exact"`
	// Suppressed counts the cells shown as "*".
	Suppressed int `json:"suppressed"`
	// Rule describes in words what was done, for footnotes.
	Rule string `json:"rule,omitempty"`
}

// The values of Disclosure.Audience and Disclosure.Exact.
const (
	AudiencePublic      = "public"
	AudienceOwnPractice = "own practice"
	ExactNone           = "none"
	ExactAll            = "all"
	ExactOwnPractice    = "own practice"
)

// Audience is who an answer is for. The dashboard sets it from the
// signed-in session, never from the address, and it travels with the
// Filter into every Store method. The zero Audience is the public:
// everyone but a practice's own staff.
//
// A practice already holds its own patients' records, so figures that
// describe only its own patients are shown to its own staff exact;
// everything else (the borough, networks, other practices, courses,
// which mix every practice's patients) follows the disclosure rule for
// them as for anyone.
type Audience struct {
	// Practice is the ODS code of the reader's own practice when the
	// reader is one of its staff, and "" otherwise.
	Practice string
}

// owns reports whether figures about practice code alone are the
// audience's own.
func (a Audience) owns(code string) bool { return a.Practice != "" && code == a.Practice }

// disclosureTally is what the counts of one result went through, shared by
// the disclosers that publish its parts.
type disclosureTally struct {
	mu         sync.Mutex
	suppressed int
	ruled      bool // some count went through the rule
	exact      bool // some count was given exact to its own practice
	capped     bool // some count of people booked was shown as the places
}

// discloser applies the store's rule while one result is built and keeps
// the tally that ends up in the result's Disclosure. exact is true for the
// parts of a result that describe only the audience's own practice: their
// counts are published as they are.
type discloser struct {
	rule     DisclosureRule
	audience Audience
	exact    bool
	tally    *disclosureTally
}

// newDiscloser publishes the counts of one result for the filter f: exact
// when f selects the audience's own practice alone, under the rule
// otherwise. Parts of the result that describe more than f selects (the
// borough a practice is compared with) use comparator; per-practice rows
// use unit.
func (s *Store) newDiscloser(f Filter) *discloser {
	return &discloser{rule: s.cfg.Disclosure, audience: f.Audience, exact: f.Audience.owns(f.Practice), tally: &disclosureTally{}}
}

// comparator is d for figures that are not the audience's practice's own
// (the borough, courses): always under the rule. It shares d's tally.
func (d *discloser) comparator() *discloser {
	c := *d
	c.exact = false
	return &c
}

// unit is d for the row of practice code in a list of practices: exact
// exactly when that practice is the audience's own, whatever the filter.
// It shares d's tally.
func (d *discloser) unit(code string) *discloser {
	c := *d
	c.exact = d.audience.owns(code)
	return &c
}

// untallied is d with a tally of its own, for counts worked out only to
// derive something else (a previous quarter's percentage, the ranks of
// practices not listed) whose suppressions are not cells of the result.
func (d *discloser) untallied() *discloser {
	c := *d
	c.tally = &disclosureTally{}
	return &c
}

// count publishes one true count.
func (d *discloser) count(n int64) Count {
	if d.exact || !d.rule.Enabled {
		if n < 0 {
			panic(fmt.Sprintf("disclosure: negative count %d", n))
		}
		d.tally.mu.Lock()
		d.tally.exact = d.tally.exact || d.rule.Enabled
		d.tally.mu.Unlock()
		return Count{N: n}
	}
	c := d.rule.Apply(n)
	d.tally.mu.Lock()
	d.tally.ruled = true
	if c.Suppressed {
		d.tally.suppressed++
	}
	d.tally.mu.Unlock()
	return c
}

// booked publishes the people booked on courses offering places places.
// Rounding can push a count past the places (13 booked on a course of 13
// rounds to 15); the places are a public ceiling, so the count is then
// shown as the places, which tells a reader nothing that the rounded count
// and the places did not already tell together. A true count above the
// places (overbooking) is published as it is.
func (d *discloser) booked(n, places int64) Count {
	c := d.count(n)
	if !c.Suppressed && c.N > places && n <= places {
		c.N = places
		d.tally.mu.Lock()
		d.tally.capped = true
		d.tally.mu.Unlock()
	}
	return c
}

// statistic reports whether a statistic of a distribution (a median, a
// percentile) worked out from n people may be published. It may not when
// the rule applies and n is from 1 to SuppressBelow-1: with so few people
// an observed value can identify someone. A withheld statistic is shown
// as "*" and tallied like a suppressed count.
func (d *discloser) statistic(n int64) bool {
	if d.exact || !d.rule.Enabled || n == 0 || n >= d.rule.SuppressBelow {
		return true
	}
	d.tally.mu.Lock()
	d.tally.ruled = true
	d.tally.suppressed++
	d.tally.mu.Unlock()
	return false
}

// note is the Disclosure to attach to the finished result.
func (d *discloser) note() Disclosure {
	t := d.tally
	t.mu.Lock()
	defer t.mu.Unlock()
	out := Disclosure{Audience: AudiencePublic, Suppressed: t.suppressed}
	if d.audience.Practice != "" {
		out.Audience, out.Practice = AudienceOwnPractice, d.audience.Practice
	}
	rule := fmt.Sprintf("Counts of 1 to %d people are shown as *; larger counts are rounded to the nearest %d; "+
		"percentages, intervals, comparisons with the borough and ranks are worked out from the counts as shown.",
		d.rule.SuppressBelow-1, d.rule.RoundTo)
	if t.capped {
		rule += " Where rounding would show more people booked than a course has places, the places are shown."
	}
	ruled, exact := t.ruled, t.exact
	if !ruled && !exact {
		// Nothing was counted: say what would have applied.
		ruled, exact = !d.exact, d.exact
	}
	switch {
	case !d.rule.Enabled:
		out.Exact, out.Rule = ExactAll, "Counts are exact: the disclosure rule is off in this configuration."
	case ruled && exact:
		out.Applied, out.Exact = true, ExactOwnPractice
		out.Rule = "Figures about " + d.audience.Practice + " alone are exact, because they are shown to its own staff. " +
			"Figures about the borough, other practices and courses follow the disclosure rule: " + rule
	case exact:
		out.Exact = ExactAll
		out.Rule = "Counts are exact: they describe only " + d.audience.Practice + "'s own patients and are shown to its own staff. " +
			"Anything shared beyond the practice follows the disclosure rule."
	default:
		out.Applied, out.Exact, out.Rule = true, ExactNone, rule
	}
	return out
}
