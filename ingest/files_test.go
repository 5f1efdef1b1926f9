package ingest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// TestRefused checks each way a quarter is refused whole: the error names
// the file, line, column and rule, and the database is left as it was.
func TestRefused(t *testing.T) {
	overlay := func(name string) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) { copyDir(t, filepath.Join("testdata", "refused", name), dir) }
	}
	cases := []struct {
		name   string
		setup  func(t *testing.T, dir string)
		file   string
		line   int64
		column string
		rule   string
	}{
		{"missing column", overlay("missing_column"), "referrals.csv", 1, "sex", "missing_column"},
		{"unknown column", overlay("unknown_column"), "venues.csv", 1, "notes", "unknown_column"},
		{"duplicate column", overlay("duplicate_column"), "venues.csv", 1, "ward", "duplicate_column"},
		{"binary junk", overlay("binary_file"), "referrals.csv", 2, "", "binary_file"},
		{"neither UTF-8 nor Windows-1252", overlay("bad_encoding"), "practices.csv", 3, "", "bad_encoding"},
		{"empty file", overlay("empty_file"), "outcomes.csv", 1, "", "empty_file"},
		{"missing file", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "gp_codes.csv"))
		}, "gp_codes.csv", 0, "", "missing_file"},
		{"unknown file", func(t *testing.T, dir string) {
			writeFile(t, dir, "notes.txt", "remember to ring the venue\n")
		}, "notes.txt", 0, "", "unknown_file"},
		{"excel lock file", func(t *testing.T, dir string) {
			writeFile(t, dir, "~$referrals.xlsx", "lock")
		}, "~$referrals.xlsx", 0, "", "unknown_file"},
		{"file twice", func(t *testing.T, dir string) {
			writeFile(t, dir, "practices.xlsx", "")
		}, "practices.csv, practices.xlsx", 0, "", "duplicate_file"},
		{"too-long line", func(t *testing.T, dir string) {
			writeFile(t, dir, "followups.csv", "referral_id,followup_date,followup_by,method,result\n"+
				"R0003,2026-04-20,practice,phone,no contact\n"+
				"R0003,2026-04-21,practice,phone,"+strings.Repeat("x", maxLineBytes)+"\n")
		}, "followups.csv", 3, "", "line_too_long"},
		{"unclosed quote runs away", func(t *testing.T, dir string) {
			// Short lines, but a quoted field that never closes: only the
			// record limit of the second pass catches it.
			writeFile(t, dir, "followups.csv", "referral_id,followup_date,followup_by,method,result\n"+
				"R0003,2026-04-20,practice,phone,\"no contact\n"+strings.Repeat("more text\n", maxLineBytes/10+10000))
		}, "followups.csv", 2, "", "line_too_long"},
		{"semicolon separated", func(t *testing.T, dir string) {
			writeFile(t, dir, "text_campaigns.csv", "practice_code;date_sent;messages_sent\nF83004;2026-04-01;320\n")
		}, "text_campaigns.csv", 1, "", "bad_separator"},
		{"blank header cell", func(t *testing.T, dir string) {
			writeFile(t, dir, "text_campaigns.csv", "practice_code,,date_sent,messages_sent\nF83004,,2026-04-01,320\n")
		}, "text_campaigns.csv", 1, "", "blank_column"},
		{"not an xlsx", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "venues.csv"))
			writeFile(t, dir, "venues.xlsx", "venue_id,venue_name\n")
		}, "venues.xlsx", 0, "", "bad_xlsx"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := openTestDB(t)
			l := testLoader(db)
			mustLoad(t, l, quarterDir(t, "2026Q1"))
			mustLoad(t, l, quarterDir(t, "2026Q2"))
			before := snapshot(t, db)
			dir := quarterDir(t, "2026Q2")
			tc.setup(t, dir)
			res, err := l.LoadQuarter(context.Background(), dir)
			var refused *RefusedError
			if !errors.As(err, &refused) {
				t.Fatalf("LoadQuarter = %+v, %v; want a *RefusedError", res, err)
			}
			var found bool
			for _, p := range refused.Problems {
				if p.File == tc.file && p.Line == tc.line && p.Column == tc.column && p.Rule == tc.rule {
					found = true
				}
			}
			if !found {
				t.Errorf("problems %+v; want %s line %d column %q rule %s", refused.Problems, tc.file, tc.line, tc.column, tc.rule)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.file) || !strings.Contains(msg, tc.rule) || !strings.Contains(msg, "2026Q2") {
				t.Errorf("message does not name file, rule and quarter:\n%s", msg)
			}
			if after := snapshot(t, db); !after.equal(before) {
				t.Errorf("database changed: %+v -> %+v", before, after)
			}
		})
	}
}

func TestRefusedFolderName(t *testing.T) {
	db, _ := openTestDB(t)
	dir := filepath.Join(t.TempDir(), "Q2-2026")
	copyDir(t, filepath.Join("testdata", "quarters", "2026Q2"), dir)
	_, err := testLoader(db).LoadQuarter(context.Background(), dir)
	var refused *RefusedError
	if !errors.As(err, &refused) || refused.Problems[0].Rule != "bad_quarter_folder" || !strings.Contains(err.Error(), "Q2-2026") {
		t.Fatalf("err = %v; want bad_quarter_folder naming the folder", err)
	}
}

// TestRefusedListsEveryProblem checks that one refusal names all the files
// that are wrong, so that nobody has to fix them one run at a time.
func TestRefusedListsEveryProblem(t *testing.T) {
	db, _ := openTestDB(t)
	dir := quarterDir(t, "2026Q2", filepath.Join("testdata", "refused", "missing_column"), filepath.Join("testdata", "refused", "unknown_column"))
	_, err := testLoader(db).LoadQuarter(context.Background(), dir)
	var refused *RefusedError
	if !errors.As(err, &refused) || len(refused.Problems) != 2 {
		t.Fatalf("err = %v; want two problems", err)
	}
}

func TestEncodings(t *testing.T) {
	cases := []struct {
		name    string
		overlay string
		query   string
		want    []string
	}{
		{"UTF-8 with BOM", "bom", "SELECT practice_name FROM practices ORDER BY practice_code",
			[]string{"Archway Medical Centre", "Café Medical Centre", "Caledonian Road Surgery"}},
		{"Windows-1252", "win1252", "SELECT practice_name FROM practices ORDER BY practice_code",
			[]string{"St Anne’s Surgery", "Café Medical Centre", "Caledonian Road Surgery"}},
		{"UK dates, header in any case and order", "ukdates", "SELECT practice_code || ' ' || strftime(date_sent, '%Y-%m-%d') || ' ' || messages_sent FROM text_campaigns ORDER BY date_sent",
			[]string{"F83004 2026-04-01 320", "F83010 2026-05-12 1500"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := openTestDB(t)
			res := mustLoad(t, testLoader(db), quarterDir(t, "2026Q2", filepath.Join("testdata", "encodings", tc.overlay)))
			if res.Rejected != 0 {
				t.Fatalf("rejected: %+v", rejectedRows(t, db, "2026Q2"))
			}
			rows, err := db.Query(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var got []string
			for rows.Next() {
				var s string
				if err := rows.Scan(&s); err != nil {
					t.Fatal(err)
				}
				got = append(got, s)
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestXLSX loads referrals and courses from workbooks whose dates and times
// are real date cells (serial numbers with a date format), text, or numbers.
func TestXLSX(t *testing.T) {
	db, _ := openTestDB(t)
	dir := quarterDir(t, "2026Q2")
	os.Remove(filepath.Join(dir, "referrals.csv"))
	os.Remove(filepath.Join(dir, "courses.csv"))

	day := func(d int) time.Time { return time.Date(2026, 4, d, 0, 0, 0, 0, time.UTC) }
	writeXLSX(t, filepath.Join(dir, "referrals.xlsx"), [][]any{
		{"Referral_ID", "patient_id", "practice_code", "referral_date", "referrer", "channel", "patient_or_carer", "age_band", "sex", "ethnic_group", "language", "years_since_diagnosis", "imd_quintile", "preferred_mode", "preferred_slot"},
		{"R0001", "P-7F3A9C", "F83004", day(1), "GP", "letter", "patient", "50-59", "female", "White", "English", 2.5, 1, "face-to-face", "weekday daytime"},
		{"R0002", "P-11B2D4", "F83010", "02/04/2026", "Nurse", "e-referral", "patient", "60-69", "male", "Asian", "Turkish", 0.4, 2, "online", "weekday evening"},
		{"R0003", "P-90C1E8", "F83021", "2026-04-03", "self", "phone", "carer", "40-49", "not stated", "Not stated", "English", nil, 3, "no preference", "weekend"},
		{},
		{"R0004", "P-5D6E7F", "F83004", day(6), "other", "text message", "patient", "70-79", "other", "Black", "English", 10, 5, "face-to-face", "no preference"},
		{"R0005", "P-000001", "F83004", day(31), "GP", "letter", "patient", "50-59", "female", "White", "English", 1, 1, "online", "weekend"},
	})
	writeXLSX(t, filepath.Join(dir, "courses.xlsx"), [][]any{
		{"course_id", "venue_id", "mode", "language", "weekday", "start_time", "first_session_date", "sessions_planned", "capacity", "status"},
		{"C2026Q2-01", "V01", "face-to-face", "English", "Tuesday", clockCell(10, 0), day(7), 7, 14, "ran"},
		{"C2026Q2-02", nil, "online", "Turkish", "Wednesday", "18:00", day(15), 7, 12, "ran"},
		{"C2026Q2-03", "V02", "face-to-face", "English", "Saturday", clockCell(10, 30), "09/05/2026", 6.0, 16, "cancelled"},
	})

	res := mustLoad(t, testLoader(db), dir)
	rej := rejectedRows(t, db, "2026Q2")
	// R0005's date cell holds 31 April, which Excel would never store; as a
	// serial it is 1 May, which is inside the quarter, so the row loads.
	if len(rej) != 0 {
		t.Fatalf("rejected: %+v", rej)
	}
	if res.Files[3].File != "referrals.xlsx" || res.Files[3].Accepted != 5 || res.Files[2].Accepted != 3 {
		t.Fatalf("files: %+v", res.Files)
	}
	var dates string
	if err := db.QueryRow(`SELECT string_agg(referral_id || '=' || strftime(referral_date, '%Y-%m-%d') || '/' || referrer, ' ' ORDER BY referral_id) FROM referrals`).Scan(&dates); err != nil {
		t.Fatal(err)
	}
	if want := "R0001=2026-04-01/GP R0002=2026-04-02/nurse R0003=2026-04-03/self R0004=2026-04-06/other R0005=2026-05-01/GP"; dates != want {
		t.Errorf("referrals:\n got %s\nwant %s", dates, want)
	}
	var times string
	if err := db.QueryRow(`SELECT string_agg(CAST(start_time AS VARCHAR) || '@' || strftime(first_session_date, '%Y-%m-%d'), ' ' ORDER BY course_id) FROM courses`).Scan(&times); err != nil {
		t.Fatal(err)
	}
	if want := "10:00:00@2026-04-07 18:00:00@2026-04-15 10:30:00@2026-05-09"; times != want {
		t.Errorf("courses:\n got %s\nwant %s", times, want)
	}
	// Row numbers follow the sheet, counting the blank rows that are skipped:
	// the row dated in March is the sheet's row 4.
	writeXLSX(t, filepath.Join(dir, "referrals.xlsx"), [][]any{
		{"referral_id", "patient_id", "practice_code", "referral_date", "referrer", "channel", "patient_or_carer", "age_band", "sex", "ethnic_group", "language", "years_since_diagnosis", "imd_quintile", "preferred_mode", "preferred_slot"},
		{},
		{"R0001", "P-7F3A9C", "F83004", day(1), "GP", "letter", "patient", "50-59", "female", "White", "English", 2.5, 1, "face-to-face", "weekday daytime"},
		{"R0002", "P-11B2D4", "F83010", time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), "nurse", "e-referral", "patient", "60-69", "male", "Asian", "Turkish", 0.4, 2, "online", "weekday evening"},
	})
	// Its attendance rows now name referrals that are gone, too many for
	// the rejection ceiling: accept them, this is about row numbers.
	l := testLoader(db)
	l.AcceptRejections = true
	mustLoad(t, l, dir)
	var inSheet []Rejection
	for _, r := range rejectedRows(t, db, "2026Q2") {
		if r.File == "referrals.xlsx" {
			inSheet = append(inSheet, r)
		}
	}
	if len(inSheet) != 1 || inSheet[0].Line != 4 || inSheet[0].Rule != "outside_quarter" || inSheet[0].Column != "referral_date" {
		t.Errorf("rejections %+v; want referrals.xlsx row 4 outside_quarter", inSheet)
	}
}

// clockCell is a time of day as Excel stores it: a fraction of a day.
type clockValue float64

func clockCell(h, m int) clockValue { return clockValue(float64(h*60+m) / (24 * 60)) }

// writeXLSX writes rows to the first sheet; time.Time values become date
// cells and clockValue values time cells, as Excel would save them.
func writeXLSX(t *testing.T, path string, rows [][]any) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		t.Fatal(err)
	}
	timeStyle, err := f.NewStyle(&excelize.Style{NumFmt: 20})
	if err != nil {
		t.Fatal(err)
	}
	for r, row := range rows {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			switch v := v.(type) {
			case nil:
			case time.Time:
				must(t, f.SetCellValue(sheet, cell, v))
				must(t, f.SetCellStyle(sheet, cell, cell, dateStyle))
			case clockValue:
				must(t, f.SetCellFloat(sheet, cell, float64(v), -1, 64))
				must(t, f.SetCellStyle(sheet, cell, cell, timeStyle))
			default:
				must(t, f.SetCellValue(sheet, cell, v))
			}
		}
	}
	must(t, f.SaveAs(path))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
