package db

import (
	"context"
	"path/filepath"
	"testing"
)

// Migrating a database twice applies each migration once.
func TestMigrateIsIdempotent(t *testing.T) {
	ctx := context.Background()
	conn, err := Open(ctx, filepath.Join(t.TempDir(), "uptake.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for range 2 {
		if err := Migrate(ctx, conn); err != nil {
			t.Fatal(err)
		}
	}
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := conn.QueryRow("SELECT count(*) FROM schema_migrations").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != len(ms) || n < 2 {
		t.Errorf("schema_migrations rows = %d, want one per embedded migration (%d)", n, len(ms))
	}
	if v, err := SchemaVersion(); err != nil || v != ms[len(ms)-1].version {
		t.Errorf("SchemaVersion() = %d, %v; want %d", v, err, ms[len(ms)-1].version)
	}
	if err := conn.QueryRow("SELECT count(*) FROM information_schema.tables WHERE table_name IN ('practices', 'loads', 'rejected_rows', 'users')").Scan(&n); err != nil || n != 4 {
		t.Errorf("tables found: %d (%v)", n, err)
	}
}
