package queries

import (
	"strings"

	"github.com/uptake-nhs/uptake/queries/stats"
)

// Proportion is a share of people as the indicators publish it:
// numerator and denominator as shown (under the disclosure rule, or exact
// for a practice's own staff), and the percentage and its 95% Wilson
// score interval (percent units, 0-100) both worked out from those shown
// counts.
//
// One screen tells one story: the interval is the interval of the counts
// beside it, so it always contains the percentage, and a reader can work
// both out again from the table. (An interval from the true counts beside
// rounded ones could exclude the shown percentage, 10 of 10 = 100% beside
// 46.8-91.1%, and its two ends would give the true counts away.) When
// either count is withheld ("*"), the percentage and the interval are
// withheld too; they are also nil when the denominator is zero, and when
// the numerator exceeds the denominator (it is then not a share: a
// register out of date, say).
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
	return shownProportion(d.count(k), den)
}

// shownProportion is the Proportion of two counts as shown: the
// percentage and interval from them, or none (see Proportion).
func shownProportion(num, den Count) Proportion {
	p := Proportion{Numerator: num, Denominator: den}
	if num.Suppressed || den.Suppressed || den.N == 0 || num.N > den.N {
		return p
	}
	p.Percent = Percent(num, den)
	p.CILow, p.CIHigh = wilsonPercent(num.N, den.N)
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
