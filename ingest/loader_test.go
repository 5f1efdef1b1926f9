package ingest

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"strings"
	"testing"

	"github.com/duckdb/duckdb-go/v2"
)

// goodCounts is the number of data rows in each file of the good 2026Q2 fixture.
var goodCounts = map[string]int64{
	"practices": 3, "venues": 2, "courses": 3, "referrals": 4, "attendance": 5,
	"outcomes": 3, "followups": 2, "gp_codes": 3, "text_campaigns": 2,
}

func TestLoadGoodQuarter(t *testing.T) {
	db, _ := openTestDB(t)
	l := testLoader(db)
	res := mustLoad(t, l, quarterDir(t, "2026Q2"))
	if res.Action != ActionLoaded || res.Quarter != "2026Q2" || res.LoadID == 0 {
		t.Fatalf("result = %+v", res)
	}
	if res.Rejected != 0 {
		t.Fatalf("rejected %d rows: %+v", res.Rejected, rejectedRows(t, db, "2026Q2"))
	}
	for _, f := range res.Files {
		if f.Accepted != goodCounts[f.Table] {
			t.Errorf("%s accepted %d, want %d", f.File, f.Accepted, goodCounts[f.Table])
		}
		if got := count(t, db, "SELECT count(*) FROM "+f.Table+" WHERE quarter = '2026Q2'"); got != goodCounts[f.Table] {
			t.Errorf("%s has %d rows, want %d", f.Table, got, goodCounts[f.Table])
		}
	}
	if n := count(t, db, "SELECT count(*) FROM loads WHERE load_id = $1 AND action = 'loaded'", res.LoadID); n != 9 {
		t.Errorf("loads rows = %d, want 9", n)
	}
	// Values are stored in their canonical form.
	var (
		code, slot string
		years      sql.NullFloat64
		start      string
		stepFree   bool
	)
	if err := db.QueryRow(`SELECT code FROM gp_codes WHERE practice_code = 'F83021'`).Scan(&code); err != nil || code != "9OLM" {
		t.Errorf("Read code = %q, %v; want 9OLM with its trailing dot removed", code, err)
	}
	if err := db.QueryRow(`SELECT preferred_slot, years_since_diagnosis FROM referrals WHERE referral_id = 'R0003'`).Scan(&slot, &years); err != nil || slot != "weekend" || years.Valid {
		t.Errorf("R0003 slot %q years %v, %v", slot, years, err)
	}
	if err := db.QueryRow(`SELECT CAST(start_time AS VARCHAR) FROM courses WHERE course_id = 'C2026Q2-02'`).Scan(&start); err != nil || start != "18:00:00" {
		t.Errorf("start_time = %q, %v", start, err)
	}
	if err := db.QueryRow(`SELECT step_free FROM venues WHERE venue_id = 'V01'`).Scan(&stepFree); err != nil || !stepFree {
		t.Errorf("step_free = %v, %v", stepFree, err)
	}
	var buf bytes.Buffer
	res.Summary(&buf)
	if !strings.Contains(buf.String(), "2026Q2 loaded") {
		t.Errorf("summary:\n%s", buf.String())
	}
}

// TestAppenderJoinsTransaction makes sure rows appended on the raw
// connection belong to the open transaction: a rollback must remove them.
func TestAppenderJoinsTransaction(t *testing.T) {
	db, _ := openTestDB(t)
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = conn.Raw(func(dc any) error {
		a, err := duckdb.NewAppender(dc.(driver.Conn), "", "main", "practices")
		if err != nil {
			return err
		}
		if err := a.AppendRow("2026Q2", "F83004", "A", "B", int32(10), int32(1), nil); err != nil {
			return err
		}
		return a.Close()
	})
	if err != nil {
		t.Fatal(err)
	}
	var inside int64
	if err := tx.QueryRow(`SELECT count(*) FROM practices`).Scan(&inside); err != nil || inside != 1 {
		t.Fatalf("inside the transaction: %d rows, %v; want 1", inside, err)
	}
	if got := count(t, db, `SELECT count(*) FROM practices`); got != 0 {
		t.Fatalf("another connection sees %d uncommitted rows", got)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if got := count(t, db, `SELECT count(*) FROM practices`); got != 0 {
		t.Fatalf("after rollback: %d rows, want 0", got)
	}
}
