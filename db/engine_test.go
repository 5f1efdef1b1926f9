package db

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// The engine settings reach DuckDB: a pool opened with them reports them
// back on every connection.
func TestOpenWithEngineSettings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "uptake.duckdb")
	db, err := OpenWith(context.Background(), path, Engine{MemoryLimit: "256MiB", Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxIdleConns(0) // each query below gets a fresh connection
	for range 3 {
		var limit string
		var threads int
		if err := db.QueryRow(`SELECT current_setting('memory_limit'), current_setting('threads')`).Scan(&limit, &threads); err != nil {
			t.Fatal(err)
		}
		if limit != "256.0 MiB" || threads != 1 {
			t.Fatalf("memory_limit %q, threads %d; want 256.0 MiB and 1", limit, threads)
		}
	}
}

func TestEngineValidate(t *testing.T) {
	for _, e := range []Engine{{}, DefaultEngine(), {MemoryLimit: "512MB", Threads: 2}, {MemoryLimit: "1.5 GiB"}} {
		if err := e.Validate(); err != nil {
			t.Errorf("%+v: %v", e, err)
		}
	}
	for _, e := range []Engine{{MemoryLimit: "lots"}, {MemoryLimit: "1GiB'; DROP TABLE loads; --"}, {MemoryLimit: "-1GB"}, {Threads: -1}} {
		err := e.Validate()
		if err == nil || !strings.Contains(err.Error(), "database.") {
			t.Errorf("%+v: %v; want an error naming the setting", e, err)
		}
		if _, err := OpenWith(context.Background(), filepath.Join(t.TempDir(), "x.duckdb"), e); err == nil {
			t.Errorf("%+v: OpenWith accepted it", e)
		}
	}
}
