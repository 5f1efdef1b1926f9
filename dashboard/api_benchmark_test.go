package dashboard

import (
	"encoding/json"
	"fmt"
	"net/url"
	"testing"

	"github.com/uptake-nhs/uptake/dashboard/charts"
	"github.com/uptake-nhs/uptake/queries"
	"github.com/uptake-nhs/uptake/queries/stats"
)

// TestShapeBenchmark: above charts.DensityAbove practices /api/benchmark
// lists a page of them, those beyond a limit first, with the practice of
// the filter on every page, finds any practice by code or name, and gives
// the practices within the limits as a density that counts each of them
// once; a small answer is left whole unless paging is asked for.
func TestShapeBenchmark(t *testing.T) {
	pct := func(v float64) *float64 { return &v }
	measure := func(label string, n int64) queries.PracticeMeasure {
		return queries.PracticeMeasure{Proportion: queries.Proportion{Numerator: queries.Count{N: n / 2}, Denominator: queries.Count{N: n}, Percent: pct(50)}, Label: label}
	}
	b := queries.PracticeBenchmark{Filter: queries.Filter{Practice: "P00550"}}
	const total, beyond = 600, 7
	for i := range total {
		label := stats.NotSignificant
		if i%100 == 99 && i/100 < beyond { // P00099, P00199, ... beyond a limit
			label = stats.LowSevere
		}
		b.Practices = append(b.Practices, queries.PracticeBenchmarkRow{Code: fmt.Sprintf("P%05d", i), Name: fmt.Sprintf("Practice %d", i),
			ReferralRate: measure(label, int64(10+i)), Conversion: measure(stats.NotSignificant, int64(5+i)), FollowUp: measure(stats.NotCompared, 0)})
	}
	got, err := shapeBenchmark(b, url.Values{})
	if err != nil {
		t.Fatal(err)
	}
	a := got.(benchmarkAnswer)
	if a.Paging == nil || a.Paging.Total != total || a.Paging.Matched != total || a.Paging.Limit != defaultAPIPracticeRows {
		t.Fatalf("paging %+v", a.Paging)
	}
	// P00550 (the filter's) first, not on the first page otherwise, then
	// the 6 beyond a limit, then the rest by name.
	if len(a.Practices) != defaultAPIPracticeRows+1 || a.Practices[0].Code != "P00550" || a.Practices[1].ReferralRate.Label != stats.LowSevere ||
		a.Practices[6].ReferralRate.Label != stats.LowSevere || a.Practices[7].ReferralRate.Label != stats.NotSignificant {
		t.Errorf("first rows %s %s %s", a.Practices[0].Code, a.Practices[1].Code, a.Practices[7].Code)
	}
	within := 0
	for _, bin := range a.Density["referral_rate"] {
		within += bin.Practices
	}
	if within != total-6 || len(a.Density["follow_up"]) != 0 {
		t.Errorf("density holds %d practices within the limits, want %d; follow-up %v", within, total-6, a.Density["follow_up"])
	}
	js, _ := json.Marshal(a)
	var keys map[string]any
	if json.Unmarshal(js, &keys) != nil || keys["paging"] == nil || keys["density"] == nil || keys["referral_rate"] == nil {
		t.Errorf("JSON keys %v", keys)
	}

	got, err = shapeBenchmark(b, url.Values{"q": {"practice 42"}, "limit": {"5"}, "offset": {"1"}})
	if err != nil {
		t.Fatal(err)
	}
	a = got.(benchmarkAnswer)
	// "Practice 42" and "Practice 420" to "Practice 429": 11, from the
	// second, 5 of them, and P00550.
	if a.Paging.Matched != 11 || len(a.Practices) != 6 || a.Practices[1].Name != "Practice 420" {
		t.Errorf("search: paging %+v, %d rows, second %q", a.Paging, len(a.Practices), a.Practices[1].Name)
	}
	for _, q := range []url.Values{{"limit": {"0"}}, {"limit": {"1001"}}, {"offset": {"-1"}}, {"limit": {"x"}}} {
		if _, err := shapeBenchmark(b, q); err == nil {
			t.Errorf("%v accepted", q)
		}
	}
	small := queries.PracticeBenchmark{Practices: b.Practices[:charts.DensityAbove]}
	if got, _ := shapeBenchmark(small, url.Values{}); len(got.(queries.PracticeBenchmark).Practices) != charts.DensityAbove {
		t.Error("a small answer was paged")
	}
}
