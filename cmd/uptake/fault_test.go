package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/uptake-nhs/uptake/ingest/generate"
)

// TestInterruptedLoadWhileServing kills `uptake ingest` while the server
// it handed the load to is half-way through a large quarter. The server
// rolls the load back, keeps serving what it had, and the next load of
// the same quarter succeeds.
func TestInterruptedLoadWhileServing(t *testing.T) {
	db := filepath.Join(t.TempDir(), "live.duckdb")
	mustRunMain(t, append([]string{"ingest", "--db", db}, sampleQuarters(t)...)...)
	addUser(t, db, "tester", "a long test password")

	// A quarter big enough that its load takes a few seconds.
	big := t.TempDir()
	opts := generate.Options{Out: big, Seed: 9, Practices: 4000, Quarters: 1, LastQuarter: "2026Q4"}
	if _, err := generate.Generate(opts); err != nil {
		t.Fatal(err)
	}
	quarter := filepath.Join(big, "2026Q4")

	srv := startServer(t, t.TempDir(), "--db", db)
	srv.signIn(t, "tester", "a long test password")
	before := srv.quarters(t)

	cmd := exec.Command(os.Args[0], "ingest", "--db", db, quarter)
	cmd.Env = append(os.Environ(), "UPTAKE_TEST_RUN_MAIN=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill it once the server reports reading the attendance file: the
	// transaction is open and nothing is committed.
	underway := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sent := false
		for sc.Scan() {
			if !sent && strings.Contains(sc.Text(), "attendance") {
				underway <- true
				sent = true
			}
		}
		if !sent {
			underway <- false
		}
	}()
	select {
	case ok := <-underway:
		if !ok {
			t.Fatal("ingest ended before reporting the attendance file")
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("no progress from ingest within 2 minutes")
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	// The server notices the dropped connection and rolls back; it goes on
	// answering with the quarters it had.
	after := srv.quarters(t)
	if !slices.Equal(after, before) {
		t.Fatalf("after the interrupted load the server shows %v, want %v", after, before)
	}
	out := mustRunMain(t, "ingest", "--db", db, quarter)
	if !strings.Contains(out, "handing the load to it") {
		t.Errorf("second load did not go through the server:\n%s", out)
	}
	// "loaded", not "unchanged": the killed load left nothing behind.
	if !strings.Contains(out, "2026Q4 loaded") {
		t.Errorf("the interrupted load was not rolled back:\n%s", out)
	}
	if got := srv.quarters(t); len(got) != len(before)+1 || got[len(got)-1] != "2026Q4" {
		t.Errorf("after loading 2026Q4 again the server shows %v", got)
	}
}
