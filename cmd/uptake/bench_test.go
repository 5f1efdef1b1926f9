package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/uptake-nhs/uptake/dashboard"
	"github.com/uptake-nhs/uptake/ingest/generate"
	"github.com/uptake-nhs/uptake/queries"
)

// A small bench run measures every phase for every size: read_csv reads
// exactly the rows generated, the last quarter is added to the others,
// every indicator is timed under each filter of the matrix and every
// endpoint is timed, and the load phase makes every request it should,
// without failures.
func TestBenchSmallSizes(t *testing.T) {
	if testing.Short() {
		t.Skip("generates, ingests and serves two small data sets")
	}
	dir := t.TempDir()
	jsonPath := filepath.Join(dir, "bench.json")
	cmd := exec.Command(os.Args[0], "bench", "--sizes", "4,10", "--quarters", "2", "--runs", "2", "--clients", "2",
		"--dir", filepath.Join(dir, "work"), "--keep", "--json", jsonPath)
	cmd.Env = append(os.Environ(), "UPTAKE_TEST_RUN_MAIN=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("uptake bench: %v\n%s", err, stderr.String())
	}
	var rep benchReport
	b, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Sizes) != 2 || rep.Sizes[0].Practices != 4 || rep.Sizes[1].Practices != 10 {
		t.Fatalf("sizes: %+v", rep.Sizes)
	}
	for _, s := range rep.Sizes {
		var m generate.Manifest
		mb, err := os.ReadFile(filepath.Join(dir, "work", sizeDirName(benchSize{Name: s.Name}), "extracts", "manifest.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(mb, &m); err != nil {
			t.Fatal(err)
		}
		var rows int64
		for _, n := range m.Totals {
			rows += int64(n.Rows)
		}
		if s.Rows != rows || s.ReadCSV.Rows != rows {
			t.Errorf("%s: %d rows reported, read_csv read %d; the extracts have %d", s.Name, s.Rows, s.ReadCSV.Rows, rows)
		}
		if s.Ingest.Seconds <= 0 || s.Ingest.RowsPerSecond <= 0 || s.Ingest.ShareOfReadCSV <= 0 || s.DatabaseBytes <= 0 ||
			s.Ingest.LoadSeconds <= 0 || s.Ingest.RebuildSeconds < 0 || s.Ingest.LoadSeconds+s.Ingest.RebuildSeconds > s.Ingest.Seconds {
			t.Errorf("%s: ingest %+v, database %d bytes", s.Name, s.Ingest, s.DatabaseBytes)
		}

		if a := s.AddQuarter; a.Quarter != "2026Q3" || a.LoadSeconds <= 0 || a.RefreshSeconds <= 0 ||
			a.LoadSeconds+a.RefreshSeconds > a.Seconds || a.RatioToLoad < 1 {
			t.Errorf("%s: adding a quarter %+v", s.Name, a)
		}

		// Every indicator under each filter of the matrix it takes.
		var want []string
		for _, ind := range queries.Indicators {
			switch ind.Scope {
			case queries.PracticeScope:
				want = append(want, ind.Name+"/practice")
			case queries.DataScope:
				want = append(want, ind.Name+"/all")
			default:
				for _, f := range []string{"all", "practice", "network", "language", "quarters"} {
					want = append(want, ind.Name+"/"+f)
				}
			}
		}
		var got []string
		for _, l := range s.Indicators {
			got = append(got, l.Name+"/"+l.Filter)
			if l.Runs != 2 || l.MedianMS <= 0 || l.P95MS < l.MedianMS || l.MaxMS < l.P95MS {
				t.Errorf("%s %s/%s: %+v", s.Name, l.Name, l.Filter, l)
			}
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: indicators timed\n%v\nwant\n%v", s.Name, got, want)
		}

		endpoints := dashboard.Endpoints(s.Practice)
		if len(s.Endpoints) != len(endpoints) {
			t.Fatalf("%s: %d endpoints timed, want %d", s.Name, len(s.Endpoints), len(endpoints))
		}
		for i, e := range endpoints {
			if l := s.Endpoints[i]; l.Path != e.Path || l.Bytes <= 0 || l.MedianMS <= 0 {
				t.Errorf("%s: endpoint %d: %+v, want %s", s.Name, i, l, e.Path)
			}
		}
		// Load: three rounds per client; after the first, a client
		// revalidates what it has, and kept answers come back 304.
		if l := s.Serve.Load; l.Errors != 0 || l.Requests != 2*3*len(endpoints) || l.RequestsPerSecond <= 0 ||
			l.NotModified <= 0 || l.NotModified > 2*2*len(endpoints) || l.BytesReceived <= 0 ||
			l.P99MS < l.P95MS || l.MaxMS < l.P99MS || l.Over2s < 0 || l.Over2s > l.Requests {
			t.Errorf("%s: load %+v", s.Name, l)
		}
		if sl := s.Serve.Load.Slowest; len(sl) != 5 || sl[0].MaxMS != s.Serve.Load.MaxMS || sl[0].Runs != 2*3 || sl[4].MaxMS > sl[0].MaxMS {
			t.Errorf("%s: slowest under load %+v", s.Name, sl)
		}

		// Sizes: every endpoint once, then the paged lists whole.
		wantSizes := map[string]bool{}
		for _, e := range endpoints {
			wantSizes[e.Path] = true
			for _, paged := range []string{"/api/followup", "/api/coding", "/api/campaigns"} {
				if p, _, _ := strings.Cut(e.Path, "?"); p == paged {
					sep := "?"
					if strings.Contains(e.Path, "?") {
						sep = "&"
					}
					wantSizes[e.Path+sep+"limit=all"] = false
				}
			}
		}
		if len(s.Answers) != len(wantSizes) || len(wantSizes) != len(endpoints)+3 {
			t.Errorf("%s: %d answer sizes, want %d", s.Name, len(s.Answers), len(wantSizes))
		}
		for _, a := range s.Answers {
			dflt, ok := wantSizes[a.Path]
			if !ok || a.Default != dflt || a.IdentityBytes <= 0 || a.GzipBytes <= 0 || a.ContentType == "" {
				t.Errorf("%s: answer size %+v", s.Name, a)
			}
			delete(wantSizes, a.Path)
			if strings.HasPrefix(a.ContentType, "application/json") && a.IdentityBytes > 1<<10 &&
				(!a.Gzipped || a.GzipBytes > a.IdentityBytes) {
				t.Errorf("%s: %s: gzip %d bytes (gzipped %v), identity %d", s.Name, a.Path, a.GzipBytes, a.Gzipped, a.IdentityBytes)
			}
		}
		if len(wantSizes) > 0 {
			t.Errorf("%s: no sizes for %v", s.Name, wantSizes)
		}
		if runtime.GOOS == "linux" && (s.Ingest.PeakRSSBytes < 1<<20 || s.Serve.UncachedPeakRSSBytes < 1<<20 || s.Serve.LoadPeakRSSBytes < 1<<20) {
			t.Errorf("%s: peak memory not read: ingest %d, serve %d and %d", s.Name, s.Ingest.PeakRSSBytes, s.Serve.UncachedPeakRSSBytes, s.Serve.LoadPeakRSSBytes)
		}
	}
	for _, want := range []string{"| indicator | filter | 4 practices | 10 practices | median, 10 practices ÷ 4 practices |", "| `/api/course-fills` |", "ingest throughput ÷ read_csv",
		"| adding a quarter ÷ loading its files |", "**Answer sizes** at 10 practices", "| **largest as the pages ask** |",
		"| requests over 2 s |", "| slowest paths under load, slowest request ms |", "| 304 Not Modified (If-None-Match) |", "**Filter matrix** at 10 practices", "| indicator | all | practice | network | language | quarters |"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("the printed tables lack %q:\n%s", want, stdout.String())
		}
	}
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 20; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	// Nearest rank: the 95th percentile of 20 samples is the 19th.
	for p, want := range map[float64]time.Duration{0.5: 10 * time.Millisecond, 0.95: 19 * time.Millisecond, 1: 20 * time.Millisecond, 0: time.Millisecond} {
		if got := percentile(d, p); got != want {
			t.Errorf("percentile(%v) = %v, want %v", p, got, want)
		}
	}
	if got := percentile(d[:1], 0.95); got != time.Millisecond {
		t.Errorf("one sample: %v", got)
	}
}

func TestBenchFormatting(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 12038299: "12,038,299", -4500: "-4,500"} {
		if got := formatInt(n); got != want {
			t.Errorf("formatInt(%d) = %q, want %q", n, got, want)
		}
	}
	for n, want := range map[int64]string{512: "512 B", 1536: "1.5 KiB", 450 << 20: "450 MiB", 3 << 30: "3.0 GiB"} {
		if got := formatBytes(n); got != want {
			t.Errorf("formatBytes(%d) = %q, want %q", n, got, want)
		}
	}
	for s, want := range map[string]int{"borough": 50, "England": 6500, "region": 1300, "200": 200} {
		if got, err := parseBenchSize(s); err != nil || got.Practices != want {
			t.Errorf("parseBenchSize(%q) = %+v, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "wales", "0", "-3", "99999"} {
		if _, err := parseBenchSize(s); err == nil {
			t.Errorf("parseBenchSize(%q) accepted", s)
		}
	}
}
