package queries

import (
	"context"
	"testing"
)

// BenchmarkIndicators times every indicator of the catalogue over the
// database named by UPTAKE_BENCH_DB (for example the England-scale one
// `uptake generate` and `uptake ingest` make), for all practices and for
// one; the work lists take one practice and the data pages no filter:
//
//	UPTAKE_BENCH_DB=/path/to/uptake.duckdb go test ./queries -run '^$' -bench Indicators
//
// `uptake bench` times the same catalogue with medians and 95th
// percentiles, at several data sizes in one run.
func BenchmarkIndicators(b *testing.B) {
	s, opts := openBenchStore(b)
	ctx := context.Background()
	for _, ind := range Indicators {
		variants := map[string]string{"all": "", "practice": opts.Practices[0].Code}
		switch ind.Scope {
		case PracticeScope:
			delete(variants, "all")
		case DataScope:
			delete(variants, "practice")
		}
		for _, name := range []string{"all", "practice"} {
			practice, ok := variants[name]
			if !ok {
				continue
			}
			b.Run(ind.Name+"/"+name, func(b *testing.B) {
				for b.Loop() {
					if err := ind.Run(ctx, s, Filter{Practice: practice}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
