package ingest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestRejectionsAcrossBatches breaks attendance rows on both sides of the
// reader's batch boundaries: exactly those lines must be rejected, and
// every other row loaded.
func TestRejectionsAcrossBatches(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 25k rows")
	}
	dir := writeBigQuarter(t, t.TempDir(), "2026Q2", 3000)
	path := filepath.Join(dir, "attendance.csv")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	// Line numbers of the file (the header is line 1).
	bad := []int64{2, batchRows, batchRows + 1, batchRows + 2, 2*batchRows + 1, 10_000, int64(len(lines) - 1)}
	for _, n := range bad {
		fields := strings.Split(lines[n-1], ",")
		fields[3] = "31/02/2026" // session_date: no such day
		lines[n-1] = strings.Join(fields, ",")
	}
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	db, _ := openTestDB(t)
	res := mustLoad(t, testLoader(db), dir)
	if got, want := res.Files[4].Accepted, int64(21000-len(bad)); got != want {
		t.Errorf("attendance accepted %d, want %d", got, want)
	}
	rows, err := db.Query(`SELECT line FROM rejected_rows WHERE file = 'attendance.csv' AND rule = 'bad_date' ORDER BY line`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []int64
	for rows.Next() {
		var n int64
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		got = append(got, n)
	}
	if !slices.Equal(got, bad) {
		t.Errorf("rejected lines %v, want %v", got, bad)
	}
	if res.Rejected != int64(len(bad)) {
		t.Errorf("rejected %d rows in all: %+v", res.Rejected, res.TopRules)
	}
}

// TestReadAheadBounded lets the reader run with nobody consuming its rows:
// it must stop at its budget rather than read a large file into memory, and
// stop must end it.
func TestReadAheadBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 64 MiB file")
	}
	dir := quarterDir(t, "2026Q2")
	f, err := os.Create(filepath.Join(dir, "practices.csv"))
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("practice_code,practice_name,pcn,list_size,t2d_register\n")
	name := strings.Repeat("Long Practice Name ", 50)
	for i, written := 0, 0; written < 64<<20; i++ {
		n, err := fmt.Fprintf(f, "F%05d,%s%d,PCN %d,%d,%d\n", i%100000, name, i, i%40, 5000+i%1000, 300+i%100)
		if err != nil {
			t.Fatal(err)
		}
		written += n
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	q, _ := parseQuarter("2026Q2")
	files, err := (&Loader{}).checkFolder(dir, q)
	if err != nil {
		t.Fatal(err)
	}
	r := startReading(context.Background(), q, files, nil, nil)
	inUse := func() int64 {
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.inUse
	}
	// Wait until the reader stops making progress: it is blocked.
	last := int64(-1)
	for i := 0; i < 200; i++ {
		time.Sleep(20 * time.Millisecond)
		if n := inUse(); n == last && n > 0 {
			break
		} else {
			last = n
		}
	}
	t.Logf("read ahead: %d MiB", inUse()>>20)
	if n := inUse(); n > readAheadBytes+batchBytes+maxLineBytes {
		t.Errorf("the reader holds %d MiB of rows ahead; its budget is %d MiB", n>>20, readAheadBytes>>20)
	}
	done := make(chan struct{})
	go func() {
		r.stop()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("stop did not end the reader")
	}
}
