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
// the one place in uptake where counts are suppressed or rounded.
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
// (rounded when the rule is on) or suppressed. The only way to make a
// non-zero Count from data is DisclosureRule.Apply, via the store.
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

// Disclosure says how a result's counts were treated, so every page, export
// and API answer can say so.
type Disclosure struct {
	// Applied is true when the small-number rule was on.
	Applied bool `json:"applied"`
	// Suppressed counts the cells shown as "*".
	Suppressed int `json:"suppressed"`
	// Rule describes the rule in words, for footnotes.
	Rule string `json:"rule,omitempty"`
}

// discloser applies the store's rule while one result is built and keeps
// the tally that ends up in the result's Disclosure.
type discloser struct {
	rule       DisclosureRule
	mu         sync.Mutex
	suppressed int
}

func (s *Store) newDiscloser() *discloser { return &discloser{rule: s.cfg.Disclosure} }

// count publishes one true count.
func (d *discloser) count(n int64) Count {
	c := d.rule.Apply(n)
	if c.Suppressed {
		d.mu.Lock()
		d.suppressed++
		d.mu.Unlock()
	}
	return c
}

// statistic reports whether a statistic of a distribution (a median, a
// percentile) worked out from n people may be published. It may not when
// the rule is on and n is from 1 to SuppressBelow-1: with so few people an
// observed value can identify someone. A withheld statistic is shown as
// "*" and tallied like a suppressed count.
func (d *discloser) statistic(n int64) bool {
	if !d.rule.Enabled || n == 0 || n >= d.rule.SuppressBelow {
		return true
	}
	d.mu.Lock()
	d.suppressed++
	d.mu.Unlock()
	return false
}

// note is the Disclosure to attach to the finished result.
func (d *discloser) note() Disclosure {
	if !d.rule.Enabled {
		return Disclosure{Applied: false, Rule: "Counts are exact: the disclosure rule is off in this configuration."}
	}
	return Disclosure{
		Applied:    true,
		Suppressed: d.suppressed,
		Rule: fmt.Sprintf("Counts of 1 to %d people are shown as *; larger counts are rounded to the nearest %d; percentages are worked out from the rounded counts.",
			d.rule.SuppressBelow-1, d.rule.RoundTo),
	}
}
