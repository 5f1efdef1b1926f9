package dashboard

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/uptake-nhs/uptake"
	"github.com/uptake-nhs/uptake/dashboard/charts"
	"github.com/uptake-nhs/uptake/queries"
	"github.com/uptake-nhs/uptake/queries/stats"
)

// /api/benchmark at England scale: 6,500 practices of three measures are
// over 6 MiB of JSON, most of it practices within the limits. Above
// charts.DensityAbove practices the answer lists one page of practices
// (those beyond a limit first), says how many there are, and gives each
// measure's practices within the limits as a density; any practice is
// found by searching (q, a code or part of a name) or paging (offset,
// limit). Downloads keep every row. The same parameters page a smaller
// answer when given.

// defaultAPIPracticeRows and maxAPIPracticeRows bound a page of practices.
const (
	defaultAPIPracticeRows = 200
	maxAPIPracticeRows     = 1000
)

// benchmarkAnswer is /api/benchmark's answer: the benchmark with one page
// of its practices, and, when paged, what the page is and the density of
// the practices within the limits.
type benchmarkAnswer struct {
	queries.PracticeBenchmark
	// Paging says which practices are listed; nil when all are.
	Paging *benchmarkPaging `json:"paging,omitempty"`
	// Density is, per measure (referral_rate, conversion, follow_up),
	// the practices within the limits counted in bins of denominator and
	// rate: what the funnel plot draws for them.
	Density map[string][]densityBin `json:"density,omitempty"`
}

// benchmarkPaging says which practices a paged answer lists.
type benchmarkPaging struct {
	// Total is how many practices the benchmark lists in all; Matched
	// how many match Search; the answer lists Matched from Offset, at
	// most Limit, those beyond a limit on any measure first (the
	// furthest first), then the rest by name.
	Total   int    `json:"total"`
	Matched int    `json:"matched"`
	Offset  int    `json:"offset"`
	Limit   int    `json:"limit"`
	Search  string `json:"search,omitempty"`
}

// densityBin is a cell of a density: how many practices have a
// denominator in [DenLow, DenHigh) and a rate in [PctLow, PctHigh).
type densityBin struct {
	DenLow    float64 `json:"den_low"`
	DenHigh   float64 `json:"den_high"`
	PctLow    float64 `json:"pct_low"`
	PctHigh   float64 `json:"pct_high"`
	Practices int     `json:"practices"`
}

// shapeBenchmark pages r for the API when it is large or paging is asked
// for, keeping the practice of the filter (if any) on every page.
func shapeBenchmark(r queries.PracticeBenchmark, q url.Values) (any, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	search, limitText, offsetText := get("q"), get("limit"), get("offset")
	if len(r.Practices) <= charts.DensityAbove && search == "" && limitText == "" && offsetText == "" {
		return r, nil
	}
	limit, offset := defaultAPIPracticeRows, 0
	var err error
	if limitText != "" {
		if limit, err = strconv.Atoi(limitText); err != nil || limit < 1 || limit > maxAPIPracticeRows {
			return nil, &uptake.Error{Code: uptake.EINVALID, Message: "limit must be a whole number from 1 to " + strconv.Itoa(maxAPIPracticeRows) + ", not " + strconv.Quote(limitText)}
		}
	}
	if offsetText != "" {
		if offset, err = strconv.Atoi(offsetText); err != nil || offset < 0 {
			return nil, &uptake.Error{Code: uptake.EINVALID, Message: "offset must be a whole number, 0 or more, not " + strconv.Quote(offsetText)}
		}
	}
	if len(search) > 100 {
		return nil, &uptake.Error{Code: uptake.EINVALID, Message: "q, the search, must be at most 100 characters"}
	}
	out := benchmarkAnswer{PracticeBenchmark: r, Density: map[string][]densityBin{}}
	for _, m := range []struct {
		key   string
		value func(queries.PracticeBenchmarkRow) queries.PracticeMeasure
	}{{"referral_rate", func(p queries.PracticeBenchmarkRow) queries.PracticeMeasure { return p.ReferralRate }},
		{"conversion", func(p queries.PracticeBenchmarkRow) queries.PracticeMeasure { return p.Conversion }},
		{"follow_up", func(p queries.PracticeBenchmarkRow) queries.PracticeMeasure { return p.FollowUp }}} {
		var pts []charts.DensityPoint
		for _, p := range r.Practices {
			v := m.value(p)
			if v.Label == stats.NotSignificant && v.Percent != nil {
				n, _ := v.Denominator.Value()
				pts = append(pts, charts.DensityPoint{X: float64(n), Y: *v.Percent})
			}
		}
		out.Density[m.key] = []densityBin{}
		for _, b := range charts.Density(pts) {
			out.Density[m.key] = append(out.Density[m.key], densityBin{DenLow: b.XLow, DenHigh: b.XHigh, PctLow: b.YLow, PctHigh: b.YHigh, Practices: b.N})
		}
	}
	rows := slices.Clone(r.Practices)
	slices.SortStableFunc(rows, func(a, b queries.PracticeBenchmarkRow) int {
		return rowSeverity(b) - rowSeverity(a)
	})
	needle := strings.ToLower(search)
	matched := rows[:0:0]
	for _, p := range rows {
		if needle == "" || strings.Contains(strings.ToLower(p.Code), needle) || strings.Contains(strings.ToLower(p.Name), needle) {
			matched = append(matched, p)
		}
	}
	page := matched[min(offset, len(matched)):min(offset+limit, len(matched))]
	// The practice the filter names stays on every page.
	if f := r.Filter.Practice; f != "" && !slices.ContainsFunc(page, func(p queries.PracticeBenchmarkRow) bool { return p.Code == f }) {
		for _, p := range rows {
			if p.Code == f {
				page = append([]queries.PracticeBenchmarkRow{p}, page...)
			}
		}
	}
	out.Practices = append([]queries.PracticeBenchmarkRow{}, page...)
	out.Paging = &benchmarkPaging{Total: len(r.Practices), Matched: len(matched), Offset: offset, Limit: limit, Search: search}
	return out, nil
}

// rowSeverity orders practices for a page: beyond a 99.8% limit on any
// measure first, then beyond a 95% limit, then the rest.
func rowSeverity(p queries.PracticeBenchmarkRow) int {
	s := 0
	for _, v := range []queries.PracticeMeasure{p.ReferralRate, p.Conversion, p.FollowUp} {
		switch v.Label {
		case stats.HighSevere, stats.LowSevere:
			s = max(s, 2)
		case stats.High, stats.Low:
			s = max(s, 1)
		}
	}
	return s
}
