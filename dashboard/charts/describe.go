package charts

import (
	"strconv"
	"strings"
)

// The one-sentence descriptions that, after the panel's title, are each
// chart's accessible name. They say what the chart holds and its extremes,
// never every value: the table beneath is the detail.

// maxDescribed is how many series a description names one by one.
const maxDescribed = 3

// valueText writes v as the axis shows it: "23.4%", "1,250" or "12.5 days".
func valueText(v float64, a Axis) string {
	if a.Percent {
		return strconv.FormatFloat(round2(v), 'f', 1, 64) + "%"
	}
	s := strconv.FormatFloat(v, 'f', a.Decimals, 64)
	if a.Decimals == 0 {
		s = thousands(v)
	}
	return s + a.Unit
}

// joinWords joins words as a sentence does: "a", "a and b", "a, b and c".
func joinWords(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

func seriesNames(series []Series) []string {
	out := make([]string, len(series))
	for i, s := range series {
		out[i] = s.Name
	}
	return out
}

// countWithheld counts the withheld values of series.
func countWithheld(series []Series) int {
	n := 0
	for _, s := range series {
		for _, v := range s.Values {
			if v.Withheld {
				n++
			}
		}
	}
	return n
}

// describeSeries says what a bar chart holds: each series' lowest and
// highest value with their categories.
func describeSeries(categories []string, series []Series, a Axis) string {
	var b strings.Builder
	b.WriteString(joinWords(seriesNames(series)) + " for " + strconv.Itoa(len(categories)) + " categories")
	if len(series) <= maxDescribed {
		var parts []string
		for _, s := range series {
			lo, hi := -1, -1
			for i, v := range s.Values {
				if !v.OK || i >= len(categories) {
					continue
				}
				if lo < 0 || v.V < s.Values[lo].V {
					lo = i
				}
				if hi < 0 || v.V > s.Values[hi].V {
					hi = i
				}
			}
			if lo < 0 {
				continue
			}
			prefix := ""
			if len(series) > 1 {
				prefix = s.Name + " "
			}
			if lo == hi {
				parts = append(parts, prefix+valueText(s.Values[lo].V, a)+" ("+categories[lo]+")")
				continue
			}
			parts = append(parts, prefix+"from "+valueText(s.Values[lo].V, a)+" ("+categories[lo]+") to "+valueText(s.Values[hi].V, a)+" ("+categories[hi]+")")
		}
		if parts != nil {
			b.WriteString(": " + strings.Join(parts, "; "))
		}
	}
	if n := countWithheld(series); n > 0 {
		b.WriteString("; " + strconv.Itoa(n) + " withheld")
	}
	b.WriteString(".")
	return b.String()
}

// describeLines says what a line chart holds: its span and each series'
// latest value.
func describeLines(categories []string, series []Series, a Axis) string {
	if len(categories) == 0 {
		return "No values to draw."
	}
	var b strings.Builder
	b.WriteString(joinWords(seriesNames(series)) + " over " + strconv.Itoa(len(categories)) + " periods, " + categories[0] + " to " + categories[len(categories)-1])
	if len(series) <= maxDescribed {
		var parts []string
		for _, s := range series {
			for i := len(s.Values) - 1; i >= 0; i-- {
				if s.Values[i].OK && i < len(categories) {
					p := s.Name + " " + valueText(s.Values[i].V, a) + " in " + categories[i]
					if s.provisional(i) {
						p += " (provisional)"
					}
					parts = append(parts, p)
					break
				}
			}
		}
		if parts != nil {
			b.WriteString("; latest: " + strings.Join(parts, ", "))
		}
	}
	if n := countWithheld(series); n > 0 {
		b.WriteString("; " + strconv.Itoa(n) + " withheld")
	}
	b.WriteString(".")
	return b.String()
}
