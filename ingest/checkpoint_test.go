package ingest

import (
	"context"
	"testing"
)

// TestDeferCheckpoints raises the checkpoint threshold for a run of loads
// and puts it back afterwards; the loads in between stay in the database.
func TestDeferCheckpoints(t *testing.T) {
	ctx := context.Background()
	db, _ := openTestDB(t)
	setting := func() string {
		var s string
		if err := db.QueryRowContext(ctx, "SELECT current_setting('checkpoint_threshold')").Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := setting()
	restore, err := deferCheckpoints(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if during := setting(); during == before {
		t.Errorf("checkpoint_threshold is still %s while checkpoints are deferred", during)
	}
	mustLoad(t, testLoader(db), quarterDir(t, "2026Q1"))
	if err := restore(ctx); err != nil {
		t.Fatal(err)
	}
	if after := setting(); after != before {
		t.Errorf("checkpoint_threshold is %s after restore, want %s", after, before)
	}
	if n := count(t, db, "SELECT count(*) FROM loads WHERE quarter = '2026Q1'"); n == 0 {
		t.Error("the load is gone")
	}
}
