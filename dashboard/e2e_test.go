package dashboard

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/uptake-nhs/uptake/ingest"
	"github.com/uptake-nhs/uptake/queries"
)

// The end-to-end tests run the dashboard over the real store, filled by
// the real loader from ../sample-data. The database is built once per
// test binary, on first use, so that targeted runs of other tests do not
// pay for it; TestMain removes it at the end.

var sampleDir = filepath.Join("..", "sample-data")

var realDB struct {
	once  sync.Once
	dir   string
	store *queries.Store
	close func()
	err   error
	skip  string
}

func TestMain(m *testing.M) {
	code := m.Run()
	if realDB.close != nil {
		realDB.close()
	}
	if realDB.dir != "" {
		os.RemoveAll(realDB.dir)
	}
	os.Exit(code)
}

// realStore returns the store over the sample data, loading it on first
// call. It skips the test when the sample data are absent.
func realStore(t testing.TB) *queries.Store {
	t.Helper()
	realDB.once.Do(func() {
		if _, err := os.Stat(filepath.Join(sampleDir, "manifest.json")); err != nil {
			realDB.skip = "no sample data (" + sampleDir + "/manifest.json); the end-to-end tests need it"
			return
		}
		ctx := context.Background()
		realDB.dir, realDB.err = os.MkdirTemp("", "uptake-dashboard-e2e-")
		if realDB.err != nil {
			return
		}
		db, err := ingest.OpenDB(ctx, filepath.Join(realDB.dir, "sample.duckdb"))
		if err != nil {
			realDB.err = err
			return
		}
		realDB.close = func() { db.Close() }
		quarters, err := filepath.Glob(filepath.Join(sampleDir, "20[0-9][0-9]Q[1-4]"))
		if err != nil || len(quarters) == 0 {
			realDB.err = err
			realDB.skip = "no quarter folders in " + sampleDir
			return
		}
		loader := &ingest.Loader{DB: db}
		for _, dir := range quarters {
			if _, err := loader.LoadQuarter(ctx, dir); err != nil {
				realDB.err = err
				return
			}
		}
		realDB.store, realDB.err = queries.Open(ctx, db, queries.DefaultConfig())
	})
	if realDB.skip != "" {
		t.Skip(realDB.skip)
	}
	if realDB.err != nil {
		t.Fatalf("building the sample database: %v", realDB.err)
	}
	return realDB.store
}

// newRealServer starts the dashboard over the sample database on loopback.
func newRealServer(t testing.TB) *httptest.Server {
	t.Helper()
	srv, err := New(realStore(t), Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts
}

// firstPractice is a practice code and network from the loaded data.
func firstPractice(t *testing.T, ts *httptest.Server) (code, pcn string) {
	t.Helper()
	_, body := get(t, ts.URL+"/api/filters")
	var opts queries.FilterOptions
	if err := json.Unmarshal([]byte(body), &opts); err != nil || len(opts.Practices) == 0 {
		t.Fatalf("filters: %v %s", err, body)
	}
	return opts.Practices[0].Code, opts.Practices[0].PCN
}

func TestE2EEveryRouteAnswers200(t *testing.T) {
	ts := newRealServer(t)
	code, _ := firstPractice(t, ts)
	var paths []string
	for _, p := range pageList {
		paths = append(paths, p.Path)
	}
	paths = append(paths, "/practices/"+code, "/data?page=2", "/api/filters", "/healthz")
	for _, src := range sourceList {
		q := ""
		if strings.HasSuffix(src.Name, "worklist") || src.Name == "practice-trends" {
			q = "?practice=" + code
		}
		paths = append(paths, "/api/"+src.Name+q)
	}
	for _, v := range viewList {
		q := ""
		if strings.HasSuffix(v.Name, "worklist") || strings.HasPrefix(v.Name, "practice-") {
			q = "?practice=" + code
		}
		paths = append(paths, "/download/"+v.Name+".csv"+q)
		if v.chart != nil {
			paths = append(paths, "/api/chart/"+v.Name+q)
		}
	}
	for _, path := range paths {
		res, body := get(t, ts.URL+path)
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d\n%.500s", path, res.StatusCode, body)
		}
	}
}

func TestE2EFiltersReachTheStore(t *testing.T) {
	ts := newRealServer(t)
	code, pcn := firstPractice(t, ts)
	for _, p := range pageList {
		q := url.Values{"pcn": {pcn}, "practice": {code}, "mode": {"online"}}
		res, body := get(t, ts.URL+p.Path+"?"+q.Encode())
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s with filters: status %d\n%.500s", p.Path, res.StatusCode, body)
		}
	}
}

func TestE2EUnknownPracticeIs400WithTheStoresMessage(t *testing.T) {
	ts := newRealServer(t)
	ctx := context.Background()
	want := realStore(t).CheckFilter(ctx, queries.Filter{Practice: "A12345"})
	fe, ok := want.(*queries.FilterError)
	if !ok {
		t.Fatalf("the store accepts practice A12345 (%v); the test needs a code that is not loaded", want)
	}
	for _, path := range []string{"/?practice=A12345", "/api/trends?practice=A12345", "/download/funnel.csv?practice=A12345", "/api/chart/funnel?practice=A12345"} {
		res, body := get(t, ts.URL+path)
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", path, res.StatusCode)
		}
		if !strings.Contains(body, fe.Message) {
			t.Errorf("%s: body lacks the store's message %q:\n%.300s", path, fe.Message, body)
		}
	}
	res, _ := get(t, ts.URL+"/practices/A12345")
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("/practices/A12345: status %d, want 404", res.StatusCode)
	}
}
