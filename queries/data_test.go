package queries

import (
	"context"
	"reflect"
	"testing"
	"time"
)

// loadFile records one file of a load in the loads table.
func (f *fixture) loadFile(id int64, quarter, file, action string, accepted, rejected int64, at string) {
	f.tb.Helper()
	f.exec(`INSERT INTO loads VALUES (?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS TIMESTAMP))`,
		id, quarter, file, file[:len(file)-4], "sha-"+quarter+"-"+file, accepted, rejected, action, at)
}

// rejectedRow records one rejected row.
func (f *fixture) rejectedRow(loadID int64, quarter, file string, line int64, column, value, rule string) {
	f.tb.Helper()
	f.exec(`INSERT INTO rejected_rows VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		loadID, quarter, file, line, column, value, rule, "reason for "+rule)
}

// buildDataFixture: 2026Q1 loaded (load 1), 2026Q2 loaded (load 2), then
// 2026Q1 restated (load 3), which replaced 2026Q1's rejected rows.
//
//	load quarter file           accepted rejected  action
//	1    2026Q1  outcomes.csv   50       0         loaded
//	1    2026Q1  referrals.csv  100      2         loaded
//	2    2026Q2  outcomes.csv   60       1         loaded
//	2    2026Q2  referrals.csv  120      5         loaded
//	3    2026Q1  outcomes.csv   50       0         restated
//	3    2026Q1  referrals.csv  101      1         restated
func buildDataFixture(tb testing.TB) *fixture {
	f := newFixture(tb)
	f.loadFile(1, "2026Q1", "outcomes.csv", "loaded", 50, 0, "2026-04-02 09:00:00")
	f.loadFile(1, "2026Q1", "referrals.csv", "loaded", 100, 2, "2026-04-02 09:00:00")
	f.loadFile(2, "2026Q2", "outcomes.csv", "loaded", 60, 1, "2026-07-02 09:00:00")
	f.loadFile(2, "2026Q2", "referrals.csv", "loaded", 120, 5, "2026-07-02 09:00:00")
	f.loadFile(3, "2026Q1", "outcomes.csv", "restated", 50, 0, "2026-07-03 10:30:00")
	f.loadFile(3, "2026Q1", "referrals.csv", "restated", 101, 1, "2026-07-03 10:30:00")
	f.rejectedRow(3, "2026Q1", "referrals.csv", 5, "referral_date", "31/02/2026", "bad_date")
	f.rejectedRow(2, "2026Q2", "outcomes.csv", 4, "referral_id", "R-404", "unknown_referral")
	f.rejectedRow(2, "2026Q2", "referrals.csv", 12, "imd_quintile", "9", "out_of_range")
	f.rejectedRow(2, "2026Q2", "referrals.csv", 3, "referral_date", "2026-13-01", "bad_date")
	f.rejectedRow(2, "2026Q2", "referrals.csv", 7, "patient_id", "PX-12", "nhs_number")
	f.rejectedRow(2, "2026Q2", "referrals.csv", 9, "referral_date", "yesterday", "bad_date")
	f.rejectedRow(2, "2026Q2", "referrals.csv", 11, "sex", "F", "bad_enum")
	return f
}

func TestLoads(t *testing.T) {
	got, err := buildDataFixture(t).store().Loads(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		v, _ := time.Parse(time.DateTime, s)
		return v
	}
	file := func(q, name, action string, acc, rej int64) LoadFile {
		return LoadFile{File: name, Table: name[:len(name)-4], SHA256: "sha-" + q + "-" + name, Action: action, Accepted: acc, Rejected: rej}
	}
	// Newest first, files by name.
	want := []Load{
		{LoadID: 3, Quarter: "2026Q1", LoadedAt: at("2026-07-03 10:30:00"), Action: "restated", Accepted: 151, Rejected: 1,
			Files: []LoadFile{file("2026Q1", "outcomes.csv", "restated", 50, 0), file("2026Q1", "referrals.csv", "restated", 101, 1)}},
		{LoadID: 2, Quarter: "2026Q2", LoadedAt: at("2026-07-02 09:00:00"), Action: "loaded", Accepted: 180, Rejected: 6,
			Files: []LoadFile{file("2026Q2", "outcomes.csv", "loaded", 60, 1), file("2026Q2", "referrals.csv", "loaded", 120, 5)}},
		{LoadID: 1, Quarter: "2026Q1", LoadedAt: at("2026-04-02 09:00:00"), Action: "loaded", Accepted: 150, Rejected: 2,
			Files: []LoadFile{file("2026Q1", "outcomes.csv", "loaded", 50, 0), file("2026Q1", "referrals.csv", "loaded", 100, 2)}},
	}
	for i := range got {
		got[i].LoadedAt = got[i].LoadedAt.UTC()
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("loads:\n got %+v\nwant %+v", got, want)
	}
}

func TestRejectedRows(t *testing.T) {
	s := buildDataFixture(t).store()
	ctx := context.Background()

	// Everything, by quarter, file and line; default page size.
	got, err := s.RejectedRows(ctx, RejectedFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Total != 7 || got.Filter.Limit != DefaultRejectedLimit || len(got.Rows) != 7 {
		t.Fatalf("all rejected rows: total %d, limit %d, %d rows", got.Total, got.Filter.Limit, len(got.Rows))
	}
	var order []int64
	for _, r := range got.Rows {
		order = append(order, r.Line)
	}
	if !reflect.DeepEqual(order, []int64{5, 4, 3, 7, 9, 11, 12}) {
		t.Errorf("lines in order = %v, want 2026Q1 referrals 5; 2026Q2 outcomes 4; 2026Q2 referrals 3 7 9 11 12", order)
	}

	// One page of one file: the second and third of its five rows, values
	// as stored (a pseudonym included: the page is for administrators).
	got, err = s.RejectedRows(ctx, RejectedFilter{Quarter: "2026Q2", File: "referrals.csv", Limit: 2, Offset: 1})
	if err != nil {
		t.Fatal(err)
	}
	want := []RejectedRow{
		{LoadID: 2, Quarter: "2026Q2", File: "referrals.csv", Line: 7, Column: "patient_id", Value: "PX-12", Rule: "nhs_number", Reason: "reason for nhs_number"},
		{LoadID: 2, Quarter: "2026Q2", File: "referrals.csv", Line: 9, Column: "referral_date", Value: "yesterday", Rule: "bad_date", Reason: "reason for bad_date"},
	}
	if got.Total != 5 || !reflect.DeepEqual(got.Rows, want) {
		t.Errorf("page: total %d rows %+v; want 5, %+v", got.Total, got.Rows, want)
	}

	// By rule, across quarters.
	got, err = s.RejectedRows(ctx, RejectedFilter{Rule: "bad_date"})
	if err != nil || got.Total != 3 || len(got.Rows) != 3 {
		t.Errorf("bad_date: %+v, %v; want 3 rows", got, err)
	}

	// A page past the end still says how many there are.
	got, err = s.RejectedRows(ctx, RejectedFilter{Offset: 50})
	if err != nil || got.Total != 7 || len(got.Rows) != 0 || got.Rows == nil {
		t.Errorf("past the end: %+v, %v; want total 7 and no rows", got, err)
	}

	for _, c := range []struct {
		rf    RejectedFilter
		field string
	}{
		{RejectedFilter{Quarter: "2026-2"}, "quarter"},
		{RejectedFilter{Limit: -1}, "limit"},
		{RejectedFilter{Limit: MaxRejectedLimit + 1}, "limit"},
		{RejectedFilter{Offset: -5}, "offset"},
		{RejectedFilter{File: "a\x00b"}, "file"},
	} {
		_, err := s.RejectedRows(ctx, c.rf)
		checkFilterError(t, err, c.field)
	}
}

func TestDataQuality(t *testing.T) {
	got, err := buildDataFixture(t).store().DataQuality(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// The latest load of each file: 2026Q1 from the restatement (load 3),
	// 2026Q2 from load 2. Rates are rejected / (accepted + rejected).
	// 2026Q2 referrals.csv: bad_date 2, then bad_enum, nhs_number and
	// out_of_range 1 each; ties go by name, so out_of_range drops off.
	if len(got.Quarters) != 2 {
		t.Fatalf("quarters: %+v", got.Quarters)
	}
	q1, q2 := got.Quarters[0], got.Quarters[1]
	if q1.Quarter != "2026Q1" || q1.Accepted != 151 || q1.Rejected != 1 || q2.Quarter != "2026Q2" || q2.Accepted != 180 || q2.Rejected != 6 {
		t.Errorf("quarter totals: %+v / %+v", q1, q2)
	}
	checkFloat(t, "2026Q1 rate", q1.RejectionRate, 100*1.0/152)
	checkFloat(t, "2026Q2 rate", q2.RejectionRate, 100*6.0/186)
	wantFiles := []struct {
		q     QualityQuarter
		i     int
		file  string
		acc   int64
		rej   int64
		rate  float64
		rules []RuleCount
	}{
		{q1, 0, "outcomes.csv", 50, 0, 0, []RuleCount{}},
		{q1, 1, "referrals.csv", 101, 1, 100 * 1.0 / 102, []RuleCount{{"bad_date", 1}}},
		{q2, 0, "outcomes.csv", 60, 1, 100 * 1.0 / 61, []RuleCount{{"unknown_referral", 1}}},
		{q2, 1, "referrals.csv", 120, 5, 4, []RuleCount{{"bad_date", 2}, {"bad_enum", 1}, {"nhs_number", 1}}},
	}
	for _, w := range wantFiles {
		f := w.q.Files[w.i]
		if f.File != w.file || f.Table != w.file[:len(w.file)-4] || f.Accepted != w.acc || f.Rejected != w.rej || !reflect.DeepEqual(f.TopRules, w.rules) {
			t.Errorf("%s %s = %+v, want %d accepted, %d rejected, rules %v", w.q.Quarter, w.file, f, w.acc, w.rej, w.rules)
		}
		checkFloat(t, w.q.Quarter+" "+w.file+" rate", f.RejectionRate, w.rate)
	}
}

// TestPinDataVersion: within a pinned context DataVersion keeps the
// version it first read, after a load commits; outside it, it follows.
func TestPinDataVersion(t *testing.T) {
	f := buildDataFixture(t)
	s := f.store()
	ctx := context.Background()
	pinned := PinDataVersion(ctx)
	for _, c := range []struct {
		ctx  context.Context
		name string
	}{{pinned, "pinned"}, {ctx, "unpinned"}} {
		if v, err := s.DataVersion(c.ctx); err != nil || v != 3 {
			t.Fatalf("%s, before the load: version %d (%v), want 3", c.name, v, err)
		}
	}
	f.loadFile(4, "2026Q3", "referrals.csv", "loaded", 10, 0, "2026-10-02 09:00:00")
	if v, _ := s.DataVersion(pinned); v != 3 {
		t.Errorf("pinned, after load 4: version %d, want 3 as first read", v)
	}
	if v, _ := s.DataVersion(ctx); v != 4 {
		t.Errorf("unpinned, after load 4: version %d, want 4", v)
	}
	if v, _ := s.DataVersion(PinDataVersion(ctx)); v != 4 {
		t.Errorf("pinned afresh, after load 4: version %d, want 4", v)
	}
}
