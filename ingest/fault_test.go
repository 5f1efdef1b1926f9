package ingest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The fault tests break the storage under a database: a read-only file, a
// disk that refuses to grow a file, a temporary directory that cannot be
// written. Each time the error must say what went wrong in plain words, and
// the database must hold exactly what it held, and keep answering.

// TestFaultHelper is not a test: the fault tests run the test binary again
// with UPTAKE_FAULT set, and this is the child's work. It reports on
// stdout, one fact a line.
func TestFaultHelper(t *testing.T) {
	mode := os.Getenv("UPTAKE_FAULT")
	if mode == "" {
		return
	}
	ctx := context.Background()
	db, err := openDB(ctx, os.Getenv("UPTAKE_DB"))
	if err != nil {
		fmt.Println("ERROR", err)
		return
	}
	defer db.Close()
	switch mode {
	case "open":
		fmt.Println("OPENED")
	case "fsize":
		before := snapshot(t, db)
		// From here no file may grow past 16 KiB: the database file is
		// larger already, so any write that extends it or the
		// write-ahead log fails with EFBIG instead of killing us.
		signal.Ignore(syscall.SIGXFSZ)
		limit := syscall.Rlimit{Cur: 16 << 10, Max: 16 << 10}
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &limit); err != nil {
			fmt.Println("SETUP", err)
			return
		}
		_, err := testLoader(db).LoadQuarter(ctx, os.Getenv("UPTAKE_DIR"))
		fmt.Println("ERROR", err)
		if after := snapshot(t, db); after.equal(before) {
			fmt.Println("UNCHANGED")
		}
	}
}

// runFaultHelper runs TestFaultHelper in a child process and returns its
// output; cred, if set, runs it as another user.
func runFaultHelper(t *testing.T, bin string, cred *syscall.Credential, env ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-test.run=^TestFaultHelper$", "-test.v=false")
	cmd.Env = append(os.Environ(), env...)
	if cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("helper: %v\n%s", err, out.String())
	}
	return out.String()
}

// helperLine returns the line of out starting with prefix, "" if none.
func helperLine(out, prefix string) string {
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, prefix) {
			return line
		}
	}
	return ""
}

func fileSum(tb testing.TB, path string) [32]byte {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return sha256.Sum256(data)
}

// TestReadOnlyDatabase opens a database whose file and folder are
// read-only: OpenDB must refuse with a plain reason, and leave the file as
// it was. Root ignores file modes, so as root the opening is done by a
// child process running as nobody.
func TestReadOnlyDatabase(t *testing.T) {
	db, path := openTestDB(t)
	mustLoad(t, testLoader(db), quarterDir(t, "2026Q1"))
	before := snapshot(t, db)
	db.Close()
	sum := fileSum(t, path)
	dir := filepath.Dir(path)
	if err := os.Chmod(path, 0o444); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	restore := func() {
		os.Chmod(dir, 0o755)
		os.Chmod(path, 0o644)
	}
	t.Cleanup(restore)

	var msg string
	if os.Geteuid() == 0 {
		bin := binaryForNobody(t)
		// The folders above the database must be passable for nobody.
		os.Chmod(filepath.Dir(dir), 0o755)
		out := runFaultHelper(t, bin, &syscall.Credential{Uid: 65534, Gid: 65534}, "UPTAKE_FAULT=open", "UPTAKE_DB="+path, "HOME="+filepath.Dir(bin))
		if strings.Contains(out, "OPENED") {
			t.Fatalf("nobody opened a read-only database for writing:\n%s", out)
		}
		msg = helperLine(out, "ERROR")
	} else {
		db, err := openDB(context.Background(), path)
		if err == nil {
			db.Close()
			t.Fatal("OpenDB opened a read-only database for writing")
		}
		msg = err.Error()
	}
	t.Logf("%s", msg)
	if !strings.Contains(msg, path) || !strings.Contains(msg, "cannot be written") {
		t.Errorf("error %q does not name the file and say it cannot be written", msg)
	}
	restore()
	if fileSum(t, path) != sum {
		t.Error("the database file changed")
	}
	db, err := openDB(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if after := snapshot(t, db); !after.equal(before) {
		t.Errorf("database changed:\n%+v\n%+v", before, after)
	}
}

// binaryForNobody links (or copies) the test binary where the user nobody
// can run it: go test builds it in a folder only its owner may enter.
func binaryForNobody(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(dir, "ingest.test")
	if err := os.Link(os.Args[0], bin); err != nil {
		in, err := os.Open(os.Args[0])
		if err != nil {
			t.Skipf("cannot find the test binary to run as nobody: %v", err)
		}
		defer in.Close()
		out, err := os.OpenFile(bin, os.O_CREATE|os.O_WRONLY, 0o755)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(out, in); err != nil {
			t.Fatal(err)
		}
		if err := out.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	return bin
}

// TestDiskWriteFailsAtCommit loads a quarter in a child process that may
// not grow any file, so that writing the load to disk fails at commit.
// The child's database must still answer with what it held, and so must
// the file, reopened.
func TestDiskWriteFailsAtCommit(t *testing.T) {
	db, path := openTestDB(t)
	l := testLoader(db)
	mustLoad(t, l, quarterDir(t, "2026Q1"))
	mustLoad(t, l, quarterDir(t, "2026Q2"))
	before := snapshot(t, db)
	db.Close()
	big := writeBigQuarter(t, t.TempDir(), "2026Q2", 3000)

	out := runFaultHelper(t, os.Args[0], nil, "UPTAKE_FAULT=fsize", "UPTAKE_DB="+path, "UPTAKE_DIR="+big)
	if line := helperLine(out, "SETUP"); line != "" {
		t.Skipf("cannot limit file sizes: %s", line)
	}
	msg := helperLine(out, "ERROR")
	t.Logf("%s", msg)
	for _, want := range []string{"quarter 2026Q2 not loaded, the database is unchanged", "the database file has reached the largest size", "File too large"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not say %q", msg, want)
		}
	}
	if !strings.Contains(out, "UNCHANGED") {
		t.Errorf("after the failed load the database no longer held what it had:\n%s", out)
	}

	db, err := openDB(context.Background(), path)
	if err != nil {
		t.Fatalf("reopen after the failed load: %v", err)
	}
	defer db.Close()
	if after := snapshot(t, db); !after.equal(before) {
		t.Fatalf("database changed:\n%+v\n%+v", before, after)
	}
	if res := mustLoad(t, testLoader(db), big); res.Action != ActionRestated || res.Rejected != 0 {
		t.Errorf("load once the disk is fine: %s, %d rejected", res.Action, res.Rejected)
	}
}

// TestTempWriteFailsMidLoad gives DuckDB too little memory for a quarter
// and a temporary directory it cannot create, so that spilling to disk
// fails while rows are being loaded. The same pool must keep answering
// with what it held, and load once the settings are back.
func TestTempWriteFailsMidLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a large quarter")
	}
	if _, err := os.Stat("/proc/self"); err != nil {
		t.Skip("needs /proc, where no directory can be created")
	}
	db, _ := openTestDB(t)
	l := testLoader(db)
	mustLoad(t, l, quarterDir(t, "2026Q1"))
	mustLoad(t, l, quarterDir(t, "2026Q2"))
	before := snapshot(t, db)
	big := writeBigQuarter(t, t.TempDir(), "2026Q2", 15_000)

	var memoryLimit, tempDir string
	if err := db.QueryRow(`SELECT current_setting('memory_limit'), current_setting('temp_directory')`).Scan(&memoryLimit, &tempDir); err != nil {
		t.Fatal(err)
	}
	for _, set := range []string{"SET memory_limit = '12MB'", "SET temp_directory = '/proc/uptake-no-such-dir'"} {
		if _, err := db.Exec(set); err != nil {
			t.Fatalf("%s: %v", set, err)
		}
	}
	_, err := l.LoadQuarter(context.Background(), big)
	t.Logf("%v", err)
	var refused *RefusedError
	if err == nil || errors.As(err, &refused) {
		t.Fatalf("load with no room to spill: %v; want a storage error", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "quarter 2026Q2 not loaded, the database is unchanged") || storageCause(msg) == "" {
		t.Errorf("error %q does not say plainly what went wrong", msg)
	}
	if after := snapshot(t, db); !after.equal(before) {
		t.Fatalf("database changed:\n%+v\n%+v", before, after)
	}

	for _, reset := range []string{"SET memory_limit = $1", "SET temp_directory = $1"} {
		value := memoryLimit
		if strings.Contains(reset, "temp") {
			value = tempDir
		}
		if _, err := db.Exec(strings.Replace(reset, "$1", "'"+strings.ReplaceAll(value, "'", "''")+"'", 1)); err != nil {
			t.Fatalf("%s: %v", reset, err)
		}
	}
	if res := mustLoad(t, l, big); res.Action != ActionRestated || res.Rejected != 0 {
		t.Errorf("load with the settings back: %s, %d rejected", res.Action, res.Rejected)
	}
}
