package queries

import (
	"context"
	"testing"
)

// BenchmarkServiceIndicators times each service indicator (follow-up,
// coding, venue and time demand, campaigns, data) over the database named
// by UPTAKE_BENCH_DB, unfiltered and filtered to one practice; the work
// lists take one practice and the data pages take no filter:
//
//	UPTAKE_BENCH_DB=/path/to/uptake.duckdb go test ./queries -run '^$' -bench ServiceIndicators
func BenchmarkServiceIndicators(b *testing.B) {
	s, opts := openBenchStore(b)
	ctx := context.Background()
	practice := opts.Practices[0].Code
	latest := opts.Quarters[len(opts.Quarters)-1]

	type run func(context.Context) error
	filtered := func(f func(context.Context, Filter) error) map[string]run {
		return map[string]run{
			"all":      func(ctx context.Context) error { return f(ctx, Filter{}) },
			"practice": func(ctx context.Context) error { return f(ctx, Filter{Practice: practice}) },
		}
	}
	benchmarks := []struct {
		name string
		runs map[string]run
	}{
		{"FollowUp", filtered(func(ctx context.Context, f Filter) error { _, err := s.FollowUp(ctx, f); return err })},
		{"FollowUpWorkList", map[string]run{"practice": func(ctx context.Context) error { _, err := s.FollowUpWorkList(ctx, practice); return err }}},
		{"CodingCompleteness", filtered(func(ctx context.Context, f Filter) error { _, err := s.CodingCompleteness(ctx, f); return err })},
		{"CodingWorkList", map[string]run{"practice": func(ctx context.Context) error { _, err := s.CodingWorkList(ctx, practice); return err }}},
		{"SlotDemand", filtered(func(ctx context.Context, f Filter) error { _, err := s.SlotDemand(ctx, f); return err })},
		{"FillRates", filtered(func(ctx context.Context, f Filter) error { _, err := s.FillRates(ctx, f); return err })},
		{"CourseFills", filtered(func(ctx context.Context, f Filter) error { _, err := s.CourseFills(ctx, f); return err })},
		{"WaitsBySlot", filtered(func(ctx context.Context, f Filter) error { _, err := s.WaitsBySlot(ctx, f); return err })},
		{"UnmetDemand", filtered(func(ctx context.Context, f Filter) error { _, err := s.UnmetDemand(ctx, f); return err })},
		{"DemandHeatmap", filtered(func(ctx context.Context, f Filter) error { _, err := s.DemandHeatmap(ctx, f); return err })},
		{"CampaignEffect", filtered(func(ctx context.Context, f Filter) error { _, err := s.CampaignEffect(ctx, f); return err })},
		{"Loads", map[string]run{"all": func(ctx context.Context) error { _, err := s.Loads(ctx); return err }}},
		{"RejectedRows", map[string]run{
			"all": func(ctx context.Context) error { _, err := s.RejectedRows(ctx, RejectedFilter{}); return err },
			"quarter": func(ctx context.Context) error {
				_, err := s.RejectedRows(ctx, RejectedFilter{Quarter: latest})
				return err
			},
		}},
		{"DataQuality", map[string]run{"all": func(ctx context.Context) error { _, err := s.DataQuality(ctx); return err }}},
	}
	for _, bm := range benchmarks {
		for _, variant := range []string{"all", "practice", "quarter"} {
			r, ok := bm.runs[variant]
			if !ok {
				continue
			}
			b.Run(bm.name+"/"+variant, func(b *testing.B) {
				for b.Loop() {
					if err := r(ctx); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
