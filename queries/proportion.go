package queries

import (
	"strings"

	"github.com/uptake-nhs/uptake/queries/stats"
)

// Proportion is a share of people as the pathway indicators publish it:
// numerator and denominator under the disclosure rule, the percentage
// worked out from those published counts (Percent), and the 95% Wilson
// score interval in percent units (0-100).
//
// The interval is worked out from the TRUE counts. The domain rule
// (docs/indicators.md, "Disclosure") says confidence intervals need no
// disclosure control, and an interval from rounded counts would be a
// different, wrong interval: rounding 8 of 18 to 10 of 20 moves the
// interval's centre by five points. But the two ends of a Wilson interval
// determine k and n, so an interval beside a count shown as "*" would
// publish the very number the rule hides: when either count is suppressed
// the interval is withheld too. It is also nil when the denominator is
// zero.
type Proportion struct {
	Numerator   Count    `json:"numerator"`
	Denominator Count    `json:"denominator"`
	Percent     *float64 `json:"percent"`
	CILow       *float64 `json:"ci_low"`
	CIHigh      *float64 `json:"ci_high"`
}

// proportion publishes k of n (true counts) as a Proportion.
func (d *discloser) proportion(k, n int64) Proportion {
	return d.proportionOf(k, n, d.count(n))
}

// proportionOf is proportion for a denominator already published as den
// (shared by several proportions), so that its suppression is tallied
// once.
func (d *discloser) proportionOf(k, n int64, den Count) Proportion {
	p := Proportion{Numerator: d.count(k), Denominator: den}
	p.Percent = Percent(p.Numerator, p.Denominator)
	if !p.Numerator.Suppressed && !p.Denominator.Suppressed {
		p.CILow, p.CIHigh = wilsonPercent(k, n)
	}
	return p
}

// wilsonPercent is the 95% Wilson interval of k of n in percent, or nils
// when there is none (n is zero).
func wilsonPercent(k, n int64) (lo, hi *float64) {
	l, h, ok := stats.Wilson(k, n, stats.Z95)
	if !ok {
		return nil, nil
	}
	l, h = 100*l, 100*h
	return &l, &h
}

// pointsChange is a - b in percentage points, or nil when either is
// missing (suppressed or no denominator).
func pointsChange(a, b *float64) *float64 {
	if a == nil || b == nil {
		return nil
	}
	d := *a - *b
	return &d
}

// countChange is the change between two published counts, or nil when
// either is suppressed. It is worked out from the published figures, like
// percentages, so that it cannot reveal a suppressed or rounded count.
func countChange(a, b Count) *int64 {
	if a.Suppressed || b.Suppressed {
		return nil
	}
	d := a.N - b.N
	return &d
}

// splitList splits the comma-separated list a query returns with
// string_agg; "" gives an empty (non-nil) slice so that JSON shows [].
func splitList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}
