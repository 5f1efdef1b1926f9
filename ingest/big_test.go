package ingest

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// writeBigQuarter synthesises a valid quarter folder with the given number
// of referrals: each attends all seven sessions of one course and has an
// outcome and a GP code, so attendance has 7×referrals rows. Ids carry the
// quarter so that several quarters can share a database.
func writeBigQuarter(tb testing.TB, parent, quarterName string, referrals int) string {
	tb.Helper()
	q, ok := parseQuarter(quarterName)
	if !ok {
		tb.Fatalf("bad quarter %s", quarterName)
	}
	dir := filepath.Join(parent, quarterName)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	const practices, venues, perCourse = 200, 20, 14
	courses := (referrals + perCourse - 1) / perCourse
	day := func(offset int) string { return q.first.AddDate(0, 0, offset).Format("2006-01-02") }
	write := func(name, header string, n int, row func(w *bufio.Writer, i int)) {
		f, err := os.Create(filepath.Join(dir, name+".csv"))
		if err != nil {
			tb.Fatal(err)
		}
		w := bufio.NewWriterSize(f, 1<<20)
		w.WriteString(header + "\n")
		for i := range n {
			row(w, i)
		}
		if err := w.Flush(); err != nil {
			tb.Fatal(err)
		}
		if err := f.Close(); err != nil {
			tb.Fatal(err)
		}
	}
	id := strings.ToLower(quarterName)
	write("practices", "practice_code,practice_name,pcn,list_size,t2d_register", practices, func(w *bufio.Writer, i int) {
		fmt.Fprintf(w, "F%05d,Practice %d,PCN %d,%d,%d\n", 10000+i, i, i/10, 8000+i, 500+i%100)
	})
	write("venues", "venue_id,venue_name,postcode,ward,step_free", venues, func(w *bufio.Writer, i int) {
		fmt.Fprintf(w, "V%02d,Venue %d,N%d 6PA,Ward %d,%s\n", i, i, 1+i%19, i, []string{"yes", "no"}[i%2])
	})
	write("courses", "course_id,venue_id,mode,language,weekday,start_time,first_session_date,sessions_planned,capacity,status", courses, func(w *bufio.Writer, i int) {
		first := q.first.AddDate(0, 0, i%20)
		venue, mode := fmt.Sprintf("V%02d", i%venues), "face-to-face"
		if i%5 == 0 {
			venue, mode = "", "online"
		}
		fmt.Fprintf(w, "C-%s-%d,%s,%s,English,%s,%02d:00,%s,7,14,ran\n", id, i, venue, mode, first.Weekday(), 9+i%10, first.Format("2006-01-02"))
	})
	write("referrals", "referral_id,patient_id,practice_code,referral_date,referrer,channel,patient_or_carer,age_band,sex,ethnic_group,language,years_since_diagnosis,imd_quintile,preferred_mode,preferred_slot", referrals, func(w *bufio.Writer, i int) {
		fmt.Fprintf(w, "R-%s-%d,P-%s-%d,F%05d,%s,GP,letter,patient,50-59,female,White,English,%d.5,%d,online,weekend\n", id, i, id, i, 10000+i%practices, day(0), i%30, 1+i%5)
	})
	write("attendance", "referral_id,course_id,session_number,session_date,attended", referrals*7, func(w *bufio.Writer, i int) {
		r, s := i/7, i%7
		c := r / perCourse
		fmt.Fprintf(w, "R-%s-%d,C-%s-%d,%d,%s,%s\n", id, r, id, c, s+1, day(c%20+7*s), []string{"yes", "no"}[i%3/2])
	})
	write("outcomes", "referral_id,outcome,outcome_date,practice_notified_date", referrals, func(w *bufio.Writer, i int) {
		fmt.Fprintf(w, "R-%s-%d,completed,%s,%s\n", id, i, day(75), day(77))
	})
	write("followups", "referral_id,followup_date,followup_by,method,result", referrals/10, func(w *bufio.Writer, i int) {
		fmt.Fprintf(w, "R-%s-%d,%s,practice,phone,rebooked\n", id, i*10, day(80))
	})
	write("gp_codes", "practice_code,patient_id,code,code_date", referrals, func(w *bufio.Writer, i int) {
		fmt.Fprintf(w, "F%05d,P-%s-%d,9OLF,%s\n", 10000+i%practices, id, i, day(80))
	})
	write("text_campaigns", "practice_code,date_sent,messages_sent", practices, func(w *bufio.Writer, i int) {
		fmt.Fprintf(w, "F%05d,%s,%d\n", 10000+i, day(i%60), 100+i)
	})
	return dir
}

// TestBigQuarterLoads checks the synthetic quarter is valid, so that the
// kill test and the benchmark measure a real load.
func TestBigQuarterLoads(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 25k rows")
	}
	db, _ := openTestDB(t)
	res := mustLoad(t, testLoader(db), writeBigQuarter(t, t.TempDir(), "2026Q2", 3000))
	if res.Rejected != 0 {
		t.Fatalf("rejected %d: %+v", res.Rejected, res.TopRules)
	}
	if res.Files[4].Accepted != 21000 {
		t.Errorf("attendance accepted %d, want 21000", res.Files[4].Accepted)
	}
}

// TestHelperProcess is not a test: the kill and lock tests run the test
// binary again with UPTAKE_INGEST_HELPER set, and this is the child's work.
func TestHelperProcess(t *testing.T) {
	mode := os.Getenv("UPTAKE_INGEST_HELPER")
	if mode == "" {
		return
	}
	ctx := context.Background()
	db, err := openDB(ctx, os.Getenv("UPTAKE_DB"))
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	hang := func(signal string) {
		fmt.Println(signal)
		time.Sleep(2 * time.Minute) // the parent kills us long before
		os.Exit(3)
	}
	if mode == "hold" {
		hang("HOLDING")
	}
	l := &Loader{DB: db}
	l.Progress = func(p Progress) {
		// Only counts and file names: progress never carries row content.
		fmt.Printf("progress %s %s %d\n", p.Stage, p.File, p.Rows)
		if mode == "kill-reading" && p.Stage == "reading" && p.File == "attendance.csv" && p.Rows >= 100_000 {
			hang("UNDERWAY")
		}
	}
	if mode == "kill-afterload" {
		l.AfterLoad = func(ctx context.Context, tx *sql.Tx) error {
			hang("UNDERWAY")
			return nil
		}
	}
	if _, err := l.LoadQuarter(ctx, os.Getenv("UPTAKE_DIR")); err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	fmt.Println("DONE")
	os.Exit(0)
}

// startHelper runs the test binary as a child in the given mode and waits,
// up to a deadline, for it to print signal. It returns the running child.
func startHelper(t *testing.T, mode, dbPath, dir, signal string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.v=false")
	cmd.Env = append(os.Environ(), "UPTAKE_INGEST_HELPER="+mode, "UPTAKE_DB="+dbPath, "UPTAKE_DIR="+dir)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	go func() {
		s := bufio.NewScanner(out)
		for s.Scan() {
			lines <- s.Text()
		}
		close(lines)
	}()
	deadline := time.After(90 * time.Second)
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				cmd.Wait()
				t.Fatalf("helper %s ended before printing %s", mode, signal)
			}
			if line == signal {
				go func() {
					for range lines { // keep draining so the child never blocks on stdout
					}
				}()
				return cmd
			}
			if strings.HasPrefix(line, "ERROR") {
				t.Fatalf("helper %s: %s", mode, line)
			}
		case <-deadline:
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("helper %s did not print %s in time", mode, signal)
		}
	}
}

// TestKilledLoadLeavesDatabaseUnchanged kills (SIGKILL) a process in the
// middle of loading a large quarter, once while it appends attendance rows
// and once when every row is in but not committed. Reopened, the database
// must hold exactly what it held before, and the same quarter must then load.
func TestKilledLoadLeavesDatabaseUnchanged(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a large quarter")
	}
	big := writeBigQuarter(t, t.TempDir(), "2026Q2", 45_000) // 315,000 attendance rows
	dbPath := filepath.Join(t.TempDir(), "uptake.duckdb")
	db, err := openDB(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	l := testLoader(db)
	mustLoad(t, l, quarterDir(t, "2026Q1"))
	mustLoad(t, l, quarterDir(t, "2026Q2"))
	before := snapshot(t, db)
	db.Close()

	for _, mode := range []string{"kill-reading", "kill-afterload"} {
		t.Run(mode, func(t *testing.T) {
			cmd := startHelper(t, mode, dbPath, big, "UNDERWAY")
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			cmd.Wait()
			db, err := openDB(context.Background(), dbPath)
			if err != nil {
				t.Fatalf("reopen after kill: %v", err)
			}
			defer db.Close()
			if after := snapshot(t, db); !after.equal(before) {
				t.Fatalf("database changed by a killed load:\n%+v\n%+v", before, after)
			}
		})
	}

	db, err = openDB(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res := mustLoad(t, testLoader(db), big)
	if res.Action != ActionRestated || res.Rejected != 0 || res.Files[4].Accepted != 315_000 {
		t.Fatalf("load after the kills: %s, %d rejected, %d attendance", res.Action, res.Rejected, res.Files[4].Accepted)
	}
}

// TestLockConflict opens a database another process holds.
func TestLockConflict(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	_, path := openTestDB(t) // creates the file; closed at cleanup
	dbPath := path + ".held"
	db, err := openDB(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	cmd := startHelper(t, "hold", dbPath, "", "HOLDING")
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	_, err = openDB(context.Background(), dbPath)
	if !isLockConflict(err) {
		t.Fatalf("OpenDB on a held file: %v; want a lock conflict", err)
	}
	if isLockConflict(fmt.Errorf("other: %w", os.ErrNotExist)) {
		t.Error("IsLockConflict accepts an unrelated error")
	}
}

// BenchmarkLoadQuarter loads a quarter at England scale: 80k referrals,
// 560k attendance rows, 80k GP codes. UPTAKE_BENCH_QUARTERS=N first loads N
// other quarters of the same size, to measure a load into a full database.
func BenchmarkLoadQuarter(b *testing.B) {
	referrals := 80_000
	if s := os.Getenv("UPTAKE_BENCH_REFERRALS"); s != "" {
		referrals, _ = strconv.Atoi(s)
	}
	parent := b.TempDir()
	db, _ := openTestDB(b)
	l := testLoader(db)
	if n, _ := strconv.Atoi(os.Getenv("UPTAKE_BENCH_QUARTERS")); n > 0 {
		for i := range n {
			name := fmt.Sprintf("%dQ%d", 2020+i/4, 1+i%4)
			dir := writeBigQuarter(b, parent, name, referrals)
			mustLoad(b, l, dir)
			os.RemoveAll(dir)
		}
	}
	dir := writeBigQuarter(b, parent, "2030Q1", referrals)
	var rows int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// Change one byte so that every iteration is a real restatement.
		writeFile(b, dir, "text_campaigns.csv", fmt.Sprintf("practice_code,date_sent,messages_sent\nF10000,2030-01-02,%d\n", 100+i))
		res := mustLoad(b, l, dir)
		rows = res.Accepted + res.Rejected
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
