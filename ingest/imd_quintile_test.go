package ingest

import (
	"database/sql"
	"strings"
	"testing"
)

// TestPracticesIMDQuintile: contract v2 added the optional practices
// column imd_quintile. A file of version 1, without the column, still
// loads, its practices with no quintile (NULL); a file with it stores the
// quintile, leaves an empty one NULL, and rejects a value outside 1-5 or
// not a whole number with a message saying what is allowed.
func TestPracticesIMDQuintile(t *testing.T) {
	db, _ := openTestDB(t)
	l := testLoader(db)

	// The fixture quarter's practices.csv is of contract v1.
	old := quarterDir(t, "2026Q2")
	if res := mustLoad(t, l, old); res.Rejected != 0 {
		t.Fatalf("v1 file: rejected %+v", rejectedRows(t, db, "2026Q2"))
	}
	if n := count(t, db, `SELECT count(*) FROM practices WHERE imd_quintile IS NOT NULL`); n != 0 {
		t.Errorf("v1 file: %d practices with a quintile, want none", n)
	}
	if n := count(t, db, `SELECT count(*) FROM practices`); n == 0 {
		t.Fatal("v1 file: no practices loaded")
	}

	dir := quarterDir(t, "2026Q2")
	writeFile(t, dir, "practices.csv", "practice_code,practice_name,pcn,list_size,t2d_register,imd_quintile\n"+
		"F83004,Roman Way Medical Practice,Islington North PCN,9200,610,1\n"+
		"F83010,Blackstock Surgery,Islington North PCN,6100,402,5\n"+
		"F83021,Mitchison Road Surgery,Islington Central PCN,7400,515,\n"+
		"F83022,Six Practice,Islington Central PCN,7400,515,6\n"+
		"F83023,Half Practice,Islington Central PCN,7400,515,2.5\n")
	mustLoad(t, l, dir)
	got := map[string]sql.NullInt64{}
	rows, err := db.Query(`SELECT practice_code, imd_quintile FROM practices WHERE quarter = '2026Q2'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		var q sql.NullInt64
		if err := rows.Scan(&code, &q); err != nil {
			t.Fatal(err)
		}
		got[code] = q
	}
	if got["F83004"].Int64 != 1 || got["F83010"].Int64 != 5 || got["F83021"].Valid || len(got) != 3 {
		t.Errorf("quintiles %v; want F83004 1, F83010 5, F83021 NULL, nothing else", got)
	}
	rej := rejectedRows(t, db, "2026Q2")
	want := map[int64]string{5: "out_of_range", 6: "bad_integer"}
	for _, r := range rej {
		if r.File != "practices.csv" {
			continue
		}
		if want[r.Line] != r.Rule || r.Column != "imd_quintile" {
			t.Errorf("line %d rejected as %s in %q (%s); want %s in imd_quintile", r.Line, r.Rule, r.Column, r.Reason, want[r.Line])
		}
		if r.Line == 5 && !strings.Contains(r.Reason, "5") {
			t.Errorf("line 5's reason %q does not say the range", r.Reason)
		}
		delete(want, r.Line)
	}
	if len(want) != 0 {
		t.Errorf("not rejected: lines %v", want)
	}
}
