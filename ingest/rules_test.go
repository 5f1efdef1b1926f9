package ingest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRowRules loads, for each rule, the good quarter with one file replaced
// by testdata/rules/RULE/FILE: the good file plus one bad row at the end.
// The bad row must be rejected at the right file, line and column for the
// right rule, and every good row must still load.
func TestRowRules(t *testing.T) {
	for _, tc := range rowRuleCases {
		t.Run(tc.rule, func(t *testing.T) {
			testRowRule(t, tc)
		})
	}
}

// TestEveryRuleIsTested checks that Rules lists no row rule without a case
// in rowRuleCases, and no case uses a rule missing from Rules.
func TestEveryRuleIsTested(t *testing.T) {
	listed := map[string]bool{}
	for _, r := range Rules {
		listed[r.Name] = true
	}
	tested := map[string]bool{}
	for _, tc := range rowRuleCases {
		tested[tc.rule] = true
		if !listed[tc.rule] {
			t.Errorf("rule %s is not in Rules", tc.rule)
		}
	}
	for _, r := range Rules {
		if !r.Refuses && !tested[r.Name] {
			t.Errorf("row rule %s has no case in rowRuleCases", r.Name)
		}
	}
}

type rowRuleCase struct {
	rule   string
	file   string
	line   int64
	column string
	prior  bool // load 2026Q1 first
}

var rowRuleCases = []rowRuleCase{
	{"missing_value", "practices.csv", 5, "practice_name", false},
	{"bad_integer", "practices.csv", 5, "list_size", false},
	{"register_above_list_size", "practices.csv", 5, "t2d_register", false},
	{"bad_postcode", "venues.csv", 4, "postcode", false},
	{"out_of_range", "courses.csv", 5, "capacity", false},
	{"bad_time", "courses.csv", 5, "start_time", false},
	{"bad_language", "courses.csv", 5, "language", false},
	{"weekday_mismatch", "courses.csv", 5, "weekday", false},
	{"venue_mode_mismatch", "courses.csv", 5, "venue_id", false},
	{"unknown_venue", "courses.csv", 5, "venue_id", false},
	{"bad_decimal", "referrals.csv", 6, "years_since_diagnosis", false},
	{"bad_enum", "referrals.csv", 6, "referrer", false},
	{"years_missing_for_patient", "referrals.csv", 6, "years_since_diagnosis", false},
	{"nhs_number", "referrals.csv", 6, "patient_id", false},
	{"unknown_practice", "referrals.csv", 6, "practice_code", false},
	{"key_in_other_quarter", "referrals.csv", 6, "referral_id", true},
	{"bad_yes_no", "attendance.csv", 7, "attended", false},
	{"duplicate_key", "attendance.csv", 7, "referral_id, course_id, session_number", false},
	{"unknown_course", "attendance.csv", 7, "course_id", false},
	{"session_above_planned", "attendance.csv", 7, "session_number", false},
	{"before_course_start", "attendance.csv", 7, "session_date", false},
	{"bad_date", "outcomes.csv", 5, "practice_notified_date", false},
	{"notified_before_outcome", "outcomes.csv", 5, "practice_notified_date", false},
	{"unknown_referral", "outcomes.csv", 5, "referral_id", false},
	{"wrong_field_count", "followups.csv", 4, "", false},
	{"bad_csv", "followups.csv", 3, "", false},
	{"formula_cell", "followups.xlsx", 4, "result", false},
	{"before_referral", "followups.csv", 4, "followup_date", false},
	{"bad_clinical_code", "gp_codes.csv", 5, "code", false},
	{"bad_ods_code", "text_campaigns.csv", 4, "practice_code", false},
	{"outside_quarter", "text_campaigns.csv", 4, "date_sent", false},
}

// rowRuleSetups make the bad file for rules that a CSV overlay in
// testdata/rules cannot show.
var rowRuleSetups = map[string]func(t *testing.T, dir string){
	// The good followups as a workbook, plus a row whose result is a
	// formula saved without its value.
	"formula_cell": func(t *testing.T, dir string) {
		os.Remove(filepath.Join(dir, "followups.csv"))
		writeRawXLSX(t, filepath.Join(dir, "followups.xlsx"),
			xtexts(1, "referral_id", "followup_date", "followup_by", "method", "result")+
				xtexts(2, "R0003", "2026-04-20", "practice", "phone", "no contact")+
				xtexts(3, "R0003", "2026-04-27", "provider", "text", "rebooked")+
				xrow(4, xs("A4", "R0004"), xs("B4", "2026-05-01"), xs("C4", "practice"), xs("D4", "phone"), `<c r="E4"><f>1+1</f></c>`))
	},
}

func testRowRule(t *testing.T, tc rowRuleCase) {
	db, _ := openTestDB(t)
	l := testLoader(db)
	if tc.prior {
		mustLoad(t, l, quarterDir(t, "2026Q1"))
	}
	var dir string
	if setup, ok := rowRuleSetups[tc.rule]; ok {
		dir = quarterDir(t, "2026Q2")
		setup(t, dir)
	} else {
		dir = quarterDir(t, "2026Q2", filepath.Join("testdata", "rules", tc.rule))
	}
	res := mustLoad(t, l, dir)
	rej := rejectedRows(t, db, "2026Q2")
	if len(rej) != 1 {
		t.Fatalf("rejected %d rows, want 1: %+v", len(rej), rej)
	}
	r := rej[0]
	if r.File != tc.file || r.Line != tc.line || r.Column != tc.column || r.Rule != tc.rule {
		t.Errorf("rejected %s line %d column %q rule %s; want %s line %d column %q rule %s",
			r.File, r.Line, r.Column, r.Rule, tc.file, tc.line, tc.column, tc.rule)
	}
	if r.Reason == "" || !strings.HasSuffix(r.Reason, ".") {
		t.Errorf("reason %q is not a sentence", r.Reason)
	}
	for _, f := range res.Files {
		want := int64(0)
		if f.File == tc.file {
			want = 1
		}
		if f.Rejected != want {
			t.Errorf("%s: %d rejected, want %d", f.File, f.Rejected, want)
		}
		if f.Accepted != goodCounts[f.Table] {
			t.Errorf("%s: %d accepted, want all %d good rows", f.File, f.Accepted, goodCounts[f.Table])
		}
	}
	if n := count(t, db, "SELECT count(*) FROM rejected_rows WHERE load_id = $1", res.LoadID); n != 1 {
		t.Errorf("rejected_rows for the load: %d, want 1", n)
	}
}

// TestRuleReasonsHideIdentifiers checks that the sentences shown to people
// never repeat a patient id, even the one that looks like an NHS number.
func TestRuleReasonsHideIdentifiers(t *testing.T) {
	db, _ := openTestDB(t)
	l := testLoader(db)
	res := mustLoad(t, l, quarterDir(t, "2026Q2", filepath.Join("testdata", "rules", "nhs_number")))
	rej := rejectedRows(t, db, "2026Q2")
	if len(rej) != 1 || rej[0].Value != "4010232137" {
		t.Fatalf("rejected_rows = %+v; want the NHS-number-like value kept in the database", rej)
	}
	if strings.Contains(rej[0].Reason, "4010232137") {
		t.Errorf("reason repeats the identifier: %q", rej[0].Reason)
	}
	var sb strings.Builder
	res.Summary(&sb)
	if strings.Contains(sb.String(), "4010232137") || len(res.Sample) != 1 || res.Sample[0].Value != "" {
		t.Errorf("the terminal summary or sample shows the identifier:\n%s\n%+v", sb.String(), res.Sample)
	}
	if !strings.Contains(sb.String(), "referrals.csv:6:patient_id") {
		t.Errorf("summary lacks the example location:\n%s", sb.String())
	}
}

// TestEarlierQuarterReferences checks that attendance, outcomes and
// follow-ups may refer to referrals and courses loaded with an earlier
// quarter.
func TestEarlierQuarterReferences(t *testing.T) {
	db, _ := openTestDB(t)
	l := testLoader(db)
	mustLoad(t, l, quarterDir(t, "2026Q1"))
	dir := quarterDir(t, "2026Q2")
	writeFile(t, dir, "attendance.csv", "referral_id,course_id,session_number,session_date,attended\nR0100,C2026Q1-01,6,2026-04-07,yes\n")
	writeFile(t, dir, "outcomes.csv", "referral_id,outcome,outcome_date,practice_notified_date\nR0100,completed,2026-04-21,2026-04-22\n")
	res := mustLoad(t, l, dir)
	if res.Rejected != 0 {
		t.Fatalf("rejected: %+v", rejectedRows(t, db, "2026Q2"))
	}
	if n := count(t, db, "SELECT count(*) FROM attendance WHERE referral_id = 'R0100'"); n != 3 {
		t.Errorf("R0100 attendance rows = %d, want 3 (two from 2026Q1, one from 2026Q2)", n)
	}
}

func TestParseValues(t *testing.T) {
	for _, s := range []string{"2026-04-07", "07/04/2026", "7/4/2026"} {
		d, ok := parseDate(s)
		if !ok || d.Format("2006-01-02") != "2026-04-07" {
			t.Errorf("parseDate(%q) = %v, %v", s, d, ok)
		}
	}
	for _, s := range []string{"31/02/2026", "2026-02-29", "2026-13-01", "04/07/26", "2026-4-7", "07.04.2026", "2026-04-07x"} {
		if _, ok := parseDate(s); ok {
			t.Errorf("parseDate(%q) accepted an invalid date", s)
		}
	}
	if _, ok := parseDate("29/02/2028"); !ok {
		t.Error("29 February of a leap year refused")
	}
	if d, ok := excelSerialDate("46119", false); !ok || d.Format("2006-01-02") != "2026-04-07" {
		t.Errorf("serial 46119 = %v, %v; want 2026-04-07", d, ok)
	}
	for s, want := range map[string]string{"18:00": "18:00", "9:30": "09:30", "18:30:00": "18:30", "18:30:45": "18:30",
		// The 12-hour clock of Excel and LibreOffice in an en-US locale.
		"10:00:00 AM": "10:00", "06:30:00 PM": "18:30", "6:30 PM": "18:30", "6:30pm": "18:30",
		"12:30 AM": "00:30", "12:00 PM": "12:00", "11:59 pm": "23:59"} {
		c, ok := parseClock(s)
		if !ok || c.Format("15:04") != want {
			t.Errorf("parseClock(%q) = %v, %v", s, c, ok)
		}
	}
	for _, s := range []string{"24:00", "18:60", "1800", "6pm", "13:00 PM", "0:30 AM", "18:30:60", "18:30:5", "PM", "6:30 XM"} {
		if _, ok := parseClock(s); ok {
			t.Errorf("parseClock(%q) accepted", s)
		}
	}
	if c, ok := excelSerialClock("0.75"); !ok || c.Format("15:04") != "18:00" {
		t.Errorf("serial clock 0.75 = %v, %v", c, ok)
	}
	for in, want := range map[string]string{"n7 6pa": "N7 6PA", "N76PA": "N7 6PA", "EC1A 1BB": "EC1A 1BB", "w1a0ax": "W1A 0AX", "SW1A 2AA": "SW1A 2AA"} {
		if got, ok := normalisePostcode(in); !ok || got != want {
			t.Errorf("postcode %q = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, s := range []string{"N7", "12345", "N7 6P1", "N777 6PA"} {
		if _, ok := normalisePostcode(s); ok {
			t.Errorf("postcode %q accepted", s)
		}
	}
	// 943 476 5919 is the NHS's published example number.
	for s, want := range map[string]bool{"9434765919": true, "943 476 5919": true, "943-476-5919": true, "9434765918": false, "P-9434765919": false, "943476591": false} {
		if got := looksLikeNHSNumber(s); got != want {
			t.Errorf("looksLikeNHSNumber(%q) = %v", s, got)
		}
	}
	for in, want := range map[string]string{"9OLF": "9OLF", "9OLF.": "9OLF", "8Hj0.": "8Hj0", "9N...": "9N", "755491000000100": "755491000000100"} {
		if got, ok := normaliseClinicalCode(in); !ok || got != want {
			t.Errorf("clinical code %q = %q, %v", in, got, ok)
		}
	}
	for _, s := range []string{"12345", "9OLF..", "9O-LF", ".", "1234567890123456789"} {
		if got, ok := normaliseClinicalCode(s); ok && s != "12345" {
			t.Errorf("clinical code %q accepted as %q", s, got)
		}
	}
	for s, want := range map[string]int64{"9200": 9200, "9,200": 9200, "1,234,567": 1234567,
		// Zero fractions, as pandas and spreadsheets write whole numbers.
		"12.0": 12, "14.00": 14, "9,200.00": 9200, "-3.0": -3} {
		if got, ok := parseInteger(s, false); !ok || got != want {
			t.Errorf("parseInteger(%q) = %d, %v", s, got, ok)
		}
	}
	for _, s := range []string{"9,20", "2.5", "12.05", "12.", ".0", "12.0.0", "1e3", ",200"} {
		if _, ok := parseInteger(s, false); ok {
			t.Errorf("parseInteger(%q) accepted from CSV", s)
		}
	}
	if got, ok := parseInteger("12.0", true); !ok || got != 12 {
		t.Errorf("parseInteger(12.0) from XLSX = %d, %v", got, ok)
	}
	if q, ok := parseQuarter("2026Q2"); !ok || q.first.Format("2006-01-02") != "2026-04-01" || q.end.Format("2006-01-02") != "2026-07-01" {
		t.Errorf("parseQuarter(2026Q2) = %+v, %v", q, ok)
	}
	for _, s := range []string{"2026Q5", "2026q2", "26Q2", "2026-Q2", "+026Q2"} {
		if _, ok := parseQuarter(s); ok {
			t.Errorf("parseQuarter(%q) accepted", s)
		}
	}
	if got := truncateValue(strings.Repeat("é", 300)); len([]rune(got)) != 200 {
		t.Errorf("truncateValue kept %d characters", len([]rune(got)))
	}
}
