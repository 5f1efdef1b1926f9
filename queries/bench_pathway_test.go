package queries

import (
	"context"
	"testing"
)

// BenchmarkPathwayIndicators times each pathway indicator over the
// database named by UPTAKE_BENCH_DB (for example the England-scale one
// `uptake generate` makes), unfiltered and filtered to one practice:
//
//	UPTAKE_BENCH_DB=/path/to/uptake.duckdb go test ./queries -run '^$' -bench PathwayIndicators
func BenchmarkPathwayIndicators(b *testing.B) {
	s, opts := openBenchStore(b)
	ctx := context.Background()
	filters := []struct {
		name string
		f    Filter
	}{
		{"all", Filter{}},
		{"practice", Filter{Practice: opts.Practices[0].Code}},
	}
	indicators := []struct {
		name string
		run  func(context.Context, Filter) error
	}{
		{"Funnel", func(ctx context.Context, f Filter) error { _, err := s.Funnel(ctx, f); return err }},
		{"ConversionByCohort", func(ctx context.Context, f Filter) error { _, err := s.ConversionByCohort(ctx, f); return err }},
		{"TimeToFirstSession", func(ctx context.Context, f Filter) error { _, err := s.TimeToFirstSession(ctx, f); return err }},
		{"SessionRetention", func(ctx context.Context, f Filter) error { _, err := s.SessionRetention(ctx, f); return err }},
		{"PracticeBenchmark", func(ctx context.Context, f Filter) error { _, err := s.PracticeBenchmark(ctx, f); return err }},
		{"Equity", func(ctx context.Context, f Filter) error { _, err := s.Equity(ctx, f); return err }},
		{"Trends", func(ctx context.Context, f Filter) error { _, err := s.Trends(ctx, f); return err }},
		{"Headline", func(ctx context.Context, f Filter) error { _, err := s.Headline(ctx, f); return err }},
	}
	for _, ind := range indicators {
		for _, fl := range filters {
			b.Run(ind.name+"/"+fl.name, func(b *testing.B) {
				for b.Loop() {
					if err := ind.run(ctx, fl.f); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
