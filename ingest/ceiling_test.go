package ingest

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOverCeiling works through the ceiling's arithmetic with the
// defaults: reference files 10%, any file 25%, counted from 3 rows.
func TestOverCeiling(t *testing.T) {
	c := DefaultCeiling()
	q, _ := parseQuarter("2026Q4")
	practices, _ := TableByName("practices")
	referrals, _ := TableByName("referrals")
	cases := []struct {
		name               string
		table              Table
		accepted, rejected int64
		tally              fileTally
		rule               string // "" when within the ceiling
	}{
		{"reference file, 3 of 30 rejected: 10%, not over", practices, 27, 3, fileTally{}, ""},
		{"reference file, 4 of 30: 13%", practices, 26, 4, fileTally{}, "too_many_rejected"},
		{"reference file, 2 of 7: 29% but only 2 rows", practices, 5, 2, fileTally{}, ""},
		{"any file, 4 of 30: 13%", referrals, 26, 4, fileTally{}, ""},
		{"any file, 8 of 30: 27%", referrals, 22, 8, fileTally{}, "too_many_rejected"},
		{"any file, 1 of 1", referrals, 0, 1, fileTally{}, ""},
		{"all dated in 2026Q3", referrals, 0, 30, fileTally{dated: 30, outside: map[string]int64{"2026Q3": 30}}, "wrong_quarter"},
		{"16 of 30 dated elsewhere", referrals, 14, 16, fileTally{dated: 30, outside: map[string]int64{"2026Q3": 10, "2027Q1": 6}}, "wrong_quarter"},
		{"15 of 30 dated elsewhere: half is not most", referrals, 15, 15, fileTally{dated: 30, outside: map[string]int64{"2026Q3": 15}}, "too_many_rejected"},
		{"2 of 2 dated elsewhere: too few", referrals, 0, 2, fileTally{dated: 2, outside: map[string]int64{"2026Q3": 2}}, ""},
	}
	for _, tc := range cases {
		p := c.overCeiling(tc.table, tc.table.Name+".csv", q, tc.accepted, tc.rejected, tc.tally)
		switch {
		case tc.rule == "" && p != nil:
			t.Errorf("%s: over the ceiling: %v", tc.name, p)
		case tc.rule != "" && (p == nil || p.Rule != tc.rule):
			t.Errorf("%s: %v; want %s", tc.name, p, tc.rule)
		}
	}
	p := c.overCeiling(referrals, "referrals.csv", q, 14, 16, cases[7].tally)
	if !strings.Contains(p.Reason, "16 of its 30 rows are dated outside 2026Q4 (1 October 2026 to 31 December 2026), 10 of them in 2026Q3") {
		t.Errorf("reason %q", p.Reason)
	}
	p = c.overCeiling(practices, "practices.csv", q, 26, 4, fileTally{})
	if !strings.Contains(p.Reason, "4 of its 30 rows were rejected (13%), over the 10%") {
		t.Errorf("reason %q", p.Reason)
	}
	// While reading, with the rows so far against all the file can hold.
	if p := c.overCeilingSoFar(referrals, "referrals.csv", q, 0, map[string]int64{"2026Q3": 2001}, 4000); p == nil || p.Rule != "wrong_quarter" || !strings.HasPrefix(p.Reason, "At least 2,001 of its 4,000 rows") {
		t.Errorf("2,001 of at most 4,000 rows dated elsewhere: %v", p)
	}
	if p := c.overCeilingSoFar(referrals, "referrals.csv", q, 1000, map[string]int64{"2026Q3": 2000}, 4000); p != nil {
		t.Errorf("2,000 of at most 4,000 dated elsewhere, 1,000 rejected: %v", p)
	}
	if p := c.overCeilingSoFar(referrals, "referrals.csv", q, 1001, nil, 4000); p == nil || p.Rule != "too_many_rejected" {
		t.Errorf("1,001 of at most 4,000 rejected: %v", p)
	}
	for _, bad := range []RejectionCeiling{{0, 0.25, 3}, {0.1, 1.5, 3}, {0.1, 0.25, 0}} {
		if bad.Validate() == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
	if err := c.Validate(); err != nil {
		t.Error(err)
	}
}

// TestWrongFolderRefused puts the files of 2026Q3 in a folder named
// 2026Q4, the mistake that loaded a quarter of nothing but rejected rows:
// it is refused at its first dated file, saying which quarter the rows
// belong to, and nothing changes.
func TestWrongFolderRefused(t *testing.T) {
	db, _ := openTestDB(t)
	l := testLoader(db)
	mustLoad(t, l, copyQuarter(t, sampleQuarter))
	before := snapshot(t, db)

	dir := filepath.Join(t.TempDir(), "2026Q4")
	copyDir(t, filepath.Join("..", "sample-data", "2026Q3"), dir)
	_, err := l.LoadQuarter(context.Background(), dir)
	var refused *RefusedError
	if !errors.As(err, &refused) || !refused.Overridable || len(refused.Problems) != 1 {
		t.Fatalf("err = %v; want an overridable refusal", err)
	}
	p := refused.Problems[0]
	if p.File != "courses.csv" || p.Rule != "wrong_quarter" || p.Column != "first_session_date" || !strings.Contains(p.Reason, "in 2026Q3") {
		t.Errorf("problem %+v; want courses.csv wrong_quarter naming 2026Q3", p)
	}
	if len(refused.Rules) == 0 || refused.Rules[0].Rule != "outside_quarter" || refused.Rules[0].Example.Line != 2 {
		t.Errorf("rules %+v; want outside_quarter first, with line 2 as its example", refused.Rules)
	}
	if msg := err.Error(); !strings.Contains(msg, "--accept-rejections") || !strings.Contains(msg, "outside_quarter, e.g. courses.csv:2:first_session_date") {
		t.Errorf("message does not give the rules with an example and the way to accept it:\n%s", msg)
	}
	if after := snapshot(t, db); !after.equal(before) {
		t.Errorf("database changed: %+v -> %+v", before, after)
	}
}

// TestCeilingRefusesThenAccepts breaks the list size of some practices
// of the sample quarter: 3 of 35 (9%) load; 4 (11%) refuse the quarter,
// naming the share and the rule; with AcceptRejections the same files
// load, and the result says what was accepted.
func TestCeilingRefusesThenAccepts(t *testing.T) {
	db, _ := openTestDB(t)
	breakPractices := func(n int) string {
		dir := copyQuarter(t, sampleQuarter)
		rows := readCSV(t, filepath.Join(dir, "practices.csv"))
		for _, row := range rows[1 : n+1] {
			row[3] = "n/a"
		}
		var buf bytes.Buffer
		csv.NewWriter(&buf).WriteAll(rows)
		if err := os.WriteFile(filepath.Join(dir, "practices.csv"), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	l := testLoader(db)
	l.Ceiling = RejectionCeiling{ReferenceFiles: 0.10, AnyFile: 1, MinRows: 3} // the referrals of a lost practice are lost too
	if res := mustLoad(t, l, breakPractices(3)); res.Files[0].Rejected != 3 || len(res.OverCeiling) != 0 {
		t.Fatalf("3 of 35 practices: %+v", res.Files[0])
	}
	before := snapshot(t, db)

	dir := breakPractices(4)
	_, err := l.LoadQuarter(context.Background(), dir)
	var refused *RefusedError
	if !errors.As(err, &refused) || refused.Problems[0].File != "practices.csv" || refused.Problems[0].Rule != "too_many_rejected" ||
		!strings.Contains(refused.Problems[0].Reason, "4 of its 35 rows were rejected (11%)") ||
		len(refused.Rules) != 1 || refused.Rules[0].Rule != "bad_integer" || refused.Rules[0].Count != 4 || refused.Rules[0].Example.Value != "n/a" {
		t.Fatalf("err = %v (%+v); want practices.csv refused for 4 bad_integer rows", err, refused)
	}
	if after := snapshot(t, db); !after.equal(before) {
		t.Fatalf("database changed: %+v -> %+v", before, after)
	}

	l.AcceptRejections = true
	res := mustLoad(t, l, dir)
	if res.Files[0].Rejected != 4 || len(res.OverCeiling) != 1 || res.OverCeiling[0].File != "practices.csv" {
		t.Fatalf("accepted: files %+v, over the ceiling %+v", res.Files[0], res.OverCeiling)
	}
	var summary strings.Builder
	res.Summary(&summary)
	if !strings.Contains(summary.String(), "over the rejection ceiling") || !strings.Contains(summary.String(), "4 of its 35 rows") {
		t.Errorf("summary does not say the load went over the ceiling:\n%s", summary.String())
	}
}

// TestCeilingStopsReadingEarly loads a referrals file of 10,000 rows with
// impossible dates: the reader stops as soon as the rows rejected so far
// are more than a quarter of all the file can hold (the first pass
// counted them), instead of reading and staging the rest.
func TestCeilingStopsReadingEarly(t *testing.T) {
	db, _ := openTestDB(t)
	dir := copyQuarter(t, sampleQuarter)
	rows := readCSV(t, filepath.Join(dir, "referrals.csv"))
	template := rows[1]
	out := [][]string{rows[0]}
	for i := range 10_000 {
		row := append([]string(nil), template...)
		row[0] = fmt.Sprintf("R-BAD-%05d", i)
		row[3] = "2024-11-31"
		out = append(out, row)
	}
	var buf bytes.Buffer
	csv.NewWriter(&buf).WriteAll(out)
	writeFile(t, dir, "referrals.csv", buf.String())

	_, err := testLoader(db).LoadQuarter(context.Background(), dir)
	var refused *RefusedError
	if !errors.As(err, &refused) || !refused.Overridable || len(refused.Rules) == 0 {
		t.Fatalf("err = %v; want an overridable refusal with its rules", err)
	}
	// Batches of 2,048 rejections: after the second, 4,096 > 2,500.
	if p := refused.Problems[0]; p.File != "referrals.csv" || p.Rule != "too_many_rejected" ||
		!strings.HasPrefix(p.Reason, "At least 4,096 of its 10,000 rows were rejected, more than the 25% any file may lose; reading stopped there.") {
		t.Errorf("problem %+v", p)
	}
	if r := refused.Rules[0]; r.Rule != "bad_date" || r.Count != 4096 || r.Example.Line != 2 {
		t.Errorf("rules %+v; want bad_date, 4,096 so far, first at line 2", refused.Rules)
	}
	if n := count(t, db, "SELECT count(*) FROM loads"); n != 0 {
		t.Errorf("%d loads recorded", n)
	}
}
