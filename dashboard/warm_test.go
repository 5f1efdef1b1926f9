package dashboard

import (
	"context"
	"net/http"
	"slices"
	"testing"
)

// Warm asks the store exactly what each page asks when opened with no
// filters, so the cached answers are the ones the pages then use.
func TestWarmAsksWhatPagesAsk(t *testing.T) {
	ts, store := newTestServer(t)
	if err := ts.srv.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	warmed := slices.Clone(store.calls)
	if len(warmed) < len(testSite.pages) {
		t.Fatalf("Warm made %d calls for %d pages: %v", len(warmed), len(testSite.pages), warmed)
	}
	store.calls = nil
	c := ts.as(t, userAdmin) // the admin may open every page
	for _, p := range testSite.pages {
		if res, body := c.get(t, ts.URL+p.Path); res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %.300s", p.Path, res.StatusCode, body)
		}
	}
	if len(store.calls) == 0 {
		t.Fatal("the pages asked the store nothing")
	}
	for _, call := range store.calls {
		if !slices.Contains(warmed, call) {
			t.Errorf("a page asked %s, which Warm did not", call)
		}
	}
}
