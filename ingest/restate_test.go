package ingest

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestRestatement(t *testing.T) {
	db, _ := openTestDB(t)
	l := testLoader(db)
	mustLoad(t, l, quarterDir(t, "2026Q1"))
	q1 := count(t, db, "SELECT count(*) FROM referrals WHERE quarter = '2026Q1'")

	// First load of 2026Q2 carries one bad row.
	first := mustLoad(t, l, quarterDir(t, "2026Q2", filepath.Join("testdata", "rules", "bad_enum")))
	if first.Action != ActionLoaded || first.Rejected != 1 {
		t.Fatalf("first load: %s, %d rejected", first.Action, first.Rejected)
	}
	loaded := snapshot(t, db)

	// The same bytes from another folder change nothing.
	again := mustLoad(t, l, quarterDir(t, "2026Q2", filepath.Join("testdata", "rules", "bad_enum")))
	if again.Action != ActionUnchanged || again.LoadID != first.LoadID || again.Accepted != first.Accepted || again.Rejected != 1 {
		t.Fatalf("identical load: %+v", again)
	}
	if after := snapshot(t, db); !after.equal(loaded) {
		t.Fatalf("identical load changed the database:\n%+v\n%+v", loaded, after)
	}

	// A corrected quarter, with one referral withdrawn, replaces it.
	dir := quarterDir(t, "2026Q2")
	writeFile(t, dir, "referrals.csv", strings.Join(strings.Split(readFixture(t, "quarters/2026Q2/referrals.csv"), "\n")[:4], "\n")+"\n")
	writeFile(t, dir, "attendance.csv", "referral_id,course_id,session_number,session_date,attended\nR0001,C2026Q2-01,1,2026-04-07,yes\n")
	writeFile(t, dir, "outcomes.csv", "referral_id,outcome,outcome_date,practice_notified_date\n")
	restated := mustLoad(t, l, dir)
	if restated.Action != ActionRestated || restated.Rejected != 0 || restated.LoadID <= first.LoadID {
		t.Fatalf("restatement: %+v", restated)
	}
	if n := count(t, db, "SELECT count(*) FROM referrals WHERE quarter = '2026Q2'"); n != 3 {
		t.Errorf("2026Q2 referrals = %d, want 3", n)
	}
	if n := count(t, db, "SELECT count(*) FROM attendance WHERE quarter = '2026Q2'"); n != 1 {
		t.Errorf("2026Q2 attendance = %d, want 1", n)
	}
	if n := count(t, db, "SELECT count(*) FROM rejected_rows WHERE quarter = '2026Q2'"); n != 0 {
		t.Errorf("the restated quarter keeps %d old rejected rows", n)
	}
	if n := count(t, db, "SELECT count(*) FROM referrals WHERE quarter = '2026Q1'"); n != q1 {
		t.Errorf("2026Q1 referrals changed: %d, want %d", n, q1)
	}
	if n := count(t, db, "SELECT count(*) FROM loads WHERE quarter = '2026Q2'"); n != 18 {
		t.Errorf("loads rows for 2026Q2 = %d, want 18 (two loads of nine files)", n)
	}
	if n := count(t, db, "SELECT count(*) FROM loads WHERE load_id = $1 AND action = 'restated'", restated.LoadID); n != 9 {
		t.Errorf("restated loads rows = %d, want 9", n)
	}
	var accepted, rejected int64
	if err := db.QueryRow("SELECT rows_accepted, rows_rejected FROM loads WHERE load_id = $1 AND table_name = 'referrals'", restated.LoadID).Scan(&accepted, &rejected); err != nil || accepted != 3 || rejected != 0 {
		t.Errorf("loads referrals row: %d accepted, %d rejected, %v", accepted, rejected, err)
	}

	// Going back to the first files is a change, hence a restatement.
	back := mustLoad(t, l, quarterDir(t, "2026Q2", filepath.Join("testdata", "rules", "bad_enum")))
	if back.Action != ActionRestated || back.Rejected != 1 {
		t.Errorf("reload of the first files: %s, %d rejected", back.Action, back.Rejected)
	}
}

func readFixture(t *testing.T, path string) string {
	t.Helper()
	b, err := fixtureBytes(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestAfterLoadFailureRollsBack checks that an AfterLoad hook sees the new
// rows inside the transaction and that its error undoes the whole load.
func TestAfterLoadFailureRollsBack(t *testing.T) {
	db, _ := openTestDB(t)
	l := testLoader(db)
	mustLoad(t, l, quarterDir(t, "2026Q1"))
	mustLoad(t, l, quarterDir(t, "2026Q2", filepath.Join("testdata", "rules", "bad_enum")))
	before := snapshot(t, db)

	boom := errors.New("derived tables failed")
	var seen int64
	l.AfterLoad = func(ctx context.Context, tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM rejected_rows WHERE quarter = '2026Q2'").Scan(&seen); err != nil {
			return err
		}
		return boom
	}
	_, err := l.LoadQuarter(context.Background(), quarterDir(t, "2026Q2"))
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v; want the hook's error", err)
	}
	if seen != 0 {
		t.Errorf("inside the transaction the hook saw %d old rejected rows; want the new load's 0", seen)
	}
	if after := snapshot(t, db); !after.equal(before) {
		t.Fatalf("database changed:\n%+v\n%+v", before, after)
	}
	l.AfterLoad = nil
	if res := mustLoad(t, l, quarterDir(t, "2026Q2")); res.Action != ActionRestated {
		t.Errorf("next load: %s", res.Action)
	}
}

// TestCancelRollsBack cancels the context at several points of a load; each
// time the database must be left as it was and the next load must work.
func TestCancelRollsBack(t *testing.T) {
	for _, at := range []string{"checking", "reading", "validating", "committing"} {
		t.Run(at, func(t *testing.T) {
			db, _ := openTestDB(t)
			l := testLoader(db)
			mustLoad(t, l, quarterDir(t, "2026Q1"))
			mustLoad(t, l, quarterDir(t, "2026Q2", filepath.Join("testdata", "rules", "bad_enum")))
			before := snapshot(t, db)

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			l.Progress = func(p Progress) {
				if p.Stage == at && (p.File == "" || p.File == "attendance.csv") {
					cancel()
				}
			}
			_, err := l.LoadQuarter(ctx, quarterDir(t, "2026Q2"))
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v; want context.Canceled", err)
			}
			if after := snapshot(t, db); !after.equal(before) {
				t.Fatalf("database changed:\n%+v\n%+v", before, after)
			}
			l.Progress = nil
			if res := mustLoad(t, l, quarterDir(t, "2026Q2")); res.Action != ActionRestated {
				t.Errorf("next load: %s", res.Action)
			}
		})
	}
}

func TestTerminalProgressPlain(t *testing.T) {
	var b strings.Builder
	db, _ := openTestDB(t)
	l := testLoader(db)
	l.Progress = TerminalProgress(&b)
	mustLoad(t, l, quarterDir(t, "2026Q2"))
	out := b.String()
	if strings.Contains(out, "\r") {
		t.Errorf("plain output redraws lines:\n%q", out)
	}
	for _, want := range []string{"2026Q2: reading [5/9] attendance.csv", "2026Q2: committing"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if lines := strings.Count(out, "\n"); lines > 40 {
		t.Errorf("%d lines for a small quarter; want a few per file", lines)
	}
}
