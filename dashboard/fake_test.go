package dashboard

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptake-nhs/uptake/dashboard/charts"
	"github.com/uptake-nhs/uptake/queries"
)

// evilName is a practice name that would run script if any page or
// answer inserted it unescaped.
const evilName = `</script><script>alert(1)</script>`

// fakeStore answers every query from fixed data and records the filters
// it was asked with, so tests can check that handlers pass them through.
type fakeStore struct {
	mu      sync.Mutex
	filters []queries.Filter
	calls   []string // "Method?filter query" of each recorded call
	fail    error    // returned by indicator methods when set
	opts    queries.FilterOptions
	// rejected records the filters RejectedRows was asked with.
	rejected []queries.RejectedFilter
	// version is the data version (DataVersion), which keys the answers
	// the server keeps.
	version int64
}

func newFakeStore() *fakeStore {
	return &fakeStore{opts: queries.FilterOptions{
		Quarters: []string{"2025Q3", "2025Q4", "2026Q1", "2026Q2"},
		PCNs:     []string{"North", "South"},
		Practices: []queries.PracticeOption{
			{Code: "F83004", Name: "Archway Medical Centre", PCN: "North"},
			{Code: "F83010", Name: evilName, PCN: "South"},
			{Code: "F83020", Name: "Formula =1+2 Surgery", PCN: "South"},
		},
		Modes:     queries.Modes,
		Languages: []string{"English", "Turkish"},
		Referrers: queries.Referrers,
		Channels:  queries.Channels,
	}}
}

func (s *fakeStore) record(f queries.Filter) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.filters = append(s.filters, f)
	method := "?"
	if pc, _, _, ok := runtime.Caller(1); ok {
		name := runtime.FuncForPC(pc).Name()
		method = name[strings.LastIndex(name, ".")+1:]
	}
	s.calls = append(s.calls, method+"?"+f.Query().Encode())
	return s.fail
}

// lastFilter is the filter of the most recent indicator call.
func (s *fakeStore) lastFilter(t *testing.T) queries.Filter {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.filters) == 0 {
		t.Fatal("the store was never asked for an indicator")
	}
	return s.filters[len(s.filters)-1]
}

func (s *fakeStore) DataVersion(ctx context.Context) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.version, nil
}

func (s *fakeStore) FilterOptions(ctx context.Context) (queries.FilterOptions, error) {
	return s.opts, nil
}

// CheckFilter mimics queries.Store.CheckFilter for the practice field,
// enough to test that unknown values become 400.
func (s *fakeStore) CheckFilter(ctx context.Context, f queries.Filter) error {
	if f.Practice != "" && !slices.ContainsFunc(s.opts.Practices, func(p queries.PracticeOption) bool { return p.Code == f.Practice }) {
		return &queries.FilterError{Field: "practice", Value: f.Practice, Message: "is not a practice in the loaded data"}
	}
	if f.From != "" && !slices.Contains(s.opts.Quarters, f.From) {
		return &queries.FilterError{Field: "from", Value: f.From, Message: "no data is loaded for that quarter"}
	}
	return nil
}

// testServer is a dashboard over a fake store and fake accounts, served on
// loopback, with a clock the test moves.
type testServer struct {
	*httptest.Server
	srv      *Server
	accounts *fakeAccounts
	clock    *testClock
}

// newTestServer starts a dashboard over a fake store on loopback.
func newTestServer(t *testing.T) (*testServer, *fakeStore) {
	t.Helper()
	return newTestServerWith(t, Options{})
}

// newTestServerWith is newTestServer with options; the logger, accounts
// and clock are the test's.
func newTestServerWith(t *testing.T, opts Options) (*testServer, *fakeStore) {
	t.Helper()
	store := newFakeStore()
	acc := newFakeAccounts()
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	opts.Accounts = acc
	if opts.Loads != nil && opts.UploadDir == "" {
		opts.UploadDir = t.TempDir()
	}
	srv, err := New(store, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	clock := &testClock{t: time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)}
	srv.now = clock.Now
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &testServer{Server: ts, srv: srv, accounts: acc, clock: clock}, store
}

// as returns a client signed in as one of the test users.
func (ts *testServer) as(t testing.TB, username string) *client {
	t.Helper()
	c := newClient(t, ts.URL)
	c.signIn(t, username, testPassword(username))
	return c
}

var _ = charts.Num

// Helpers that make fake results vary with the filter, so tests can see
// a filter change a chart.

var rule = queries.DefaultDisclosureRule()

func cnt(n int64) queries.Count { return rule.Apply(n) }

// pci is a Proportion with a made-up interval (the dashboard only shows
// intervals; queries computes them).
func pci(num, den int64) queries.Proportion {
	out := queries.Proportion{Numerator: cnt(num), Denominator: cnt(den)}
	out.Percent = queries.Percent(out.Numerator, out.Denominator)
	if out.Percent != nil {
		lo, hi := *out.Percent-5, *out.Percent+5
		out.CILow, out.CIHigh = &lo, &hi
	}
	return out
}

func (s *fakeStore) practices(f queries.Filter) []queries.PracticeOption {
	var out []queries.PracticeOption
	for _, p := range s.opts.Practices {
		if (f.PCN == "" || p.PCN == f.PCN) && (f.Practice == "" || p.Code == f.Practice) {
			out = append(out, p)
		}
	}
	return out
}

func (s *fakeStore) quarters(f queries.Filter) []string {
	var out []string
	for _, q := range s.opts.Quarters {
		if (f.From == "" || q >= f.From) && (f.To == "" || q <= f.To) {
			out = append(out, q)
		}
	}
	return out
}

var fakeDisclosure = queries.Disclosure{Applied: true, Rule: "Counts of 1 to 7 people are shown as *; larger counts are rounded to the nearest 5; percentages are worked out from the rounded counts."}

func (s *fakeStore) FollowUp(ctx context.Context, f queries.Filter) (queries.FollowUp, error) {
	if err := s.record(f); err != nil {
		return queries.FollowUp{}, err
	}
	r := queries.FollowUp{Filter: f, AsOf: "2026-06-30", WindowDays: 28, Disclosure: fakeDisclosure}
	var total, due, done int64
	for i, p := range s.practices(f) {
		n, d, fu := int64(40+20*i), int64(30+10*i), int64(10+12*i)
		total, due, done = total+n, due+d, done+fu
		r.Practices = append(r.Practices, queries.FollowUpPractice{Code: p.Code, Name: p.Name, PCN: p.PCN,
			NonAttenders: cnt(n), FollowedUpByPractice: cnt(fu - 3), FollowedUpByProvider: cnt(3), Rate: pci(fu, d)})
	}
	for i, q := range s.quarters(f) {
		d, fu := int64(25), int64(5+5*i)
		r.Quarters = append(r.Quarters, queries.FollowUpQuarter{Quarter: q, NonAttenders: cnt(d + 5), NotYetDue: cnt(5), Rate: pci(fu, d)})
	}
	r.NonAttenders, r.Notified = cnt(total), cnt(total-5)
	r.NotYetNotified, r.NotYetDue = cnt(5), cnt(total-5-due)
	r.FollowedUpByPractice, r.FollowedUpByProvider = cnt(done-3), cnt(3)
	r.Rate = pci(done, due)
	for _, b := range []string{"0-7", "8-14", "15-21", "22-28", "29-42", "43+", "never"} {
		p := 100.0 / 7
		r.DaysToFollowUp = append(r.DaysToFollowUp, queries.FollowUpDaysBin{Bin: b, NonAttenders: cnt(due / 7), Percent: &p})
	}
	r.ReEngagement = queries.FollowUpReEngagement{
		All:           pci(due/4, due),
		FollowedUp:    pci(done/3, done),
		NotFollowedUp: pci(3, due-done),
	}
	return r, nil
}

func (s *fakeStore) FollowUpWorkList(ctx context.Context, code string) ([]queries.FollowUpTask, error) {
	if err := s.record(queries.Filter{Practice: code}); err != nil {
		return nil, err
	}
	if err := s.CheckFilter(ctx, queries.Filter{Practice: code}); err != nil {
		return nil, err
	}
	return []queries.FollowUpTask{
		{ReferralID: "R-" + code + "-1", PatientID: "P-=cmd|' /C calc'!A0", ReferralDate: "2026-01-05", Outcome: "did not attend", OutcomeDate: "2026-03-01",
			NotifiedDate: "2026-06-10", DaysSinceNotified: 20, Deadline: "2026-07-08", DaysLeft: 8, AsOf: "2026-06-30"},
		{ReferralID: "R-" + code + "-2", PatientID: "P-2", ReferralDate: "2025-11-05", Outcome: "declined", OutcomeDate: "2026-01-01",
			NotifiedDate: "2026-02-01", DaysSinceNotified: 149, Deadline: "2026-03-01", DaysLeft: -121, Overdue: true, AsOf: "2026-06-30"},
	}, nil
}
