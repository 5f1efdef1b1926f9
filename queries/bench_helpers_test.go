package queries

import (
	"context"
	"database/sql"
	"os"
	"testing"
)

// openBenchStore opens the database named by UPTAKE_BENCH_DB (for example
// the England-scale one `uptake generate` and `uptake ingest` make), or
// skips the benchmark when it is unset. It is opened read-write because
// Open rebuilds stale derived tables; that happens once, before timing.
// The result cache is off, so benchmarks time the indicators themselves.
func openBenchStore(b *testing.B) (*Store, FilterOptions) {
	b.Helper()
	path := os.Getenv("UPTAKE_BENCH_DB")
	if path == "" {
		b.Skip("set UPTAKE_BENCH_DB to a database file made by `uptake generate` and `uptake ingest` to run the indicator benchmarks")
	}
	db, err := sql.Open("duckdb", path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	ctx := context.Background()
	s, err := Open(ctx, db, DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	s.DisableCache()
	opts, err := s.FilterOptions(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if len(opts.Practices) == 0 || len(opts.Quarters) == 0 {
		b.Fatal("the benchmark database has no practices or no quarters")
	}
	return s, opts
}
