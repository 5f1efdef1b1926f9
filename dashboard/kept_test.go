package dashboard

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/uptake-nhs/uptake/accounts"
)

type keptValue struct{ n, bytes int }

func (v *keptValue) size() int { return v.bytes }

// TestKeptCache: a value is made once per version and key; a new version
// empties the cache; errors are not kept; the oldest values go first when
// the bytes run out, and a value over a quarter of them is never kept.
func TestKeptCache(t *testing.T) {
	ctx := context.Background()
	var made atomic.Int32
	kc := &keptCache[*keptValue]{maxBytes: 1000}
	get := func(version int64, key string, bytes int) *keptValue {
		v, err := kc.get(ctx, version, key, func(context.Context) (*keptValue, error) {
			return &keptValue{n: int(made.Add(1)), bytes: bytes}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if a, b := get(1, "a", 100), get(1, "a", 100); a != b || made.Load() != 1 {
		t.Errorf("asked twice in one version: made %d times", made.Load())
	}
	if get(2, "a", 100).n != 2 {
		t.Errorf("a new version kept the old value")
	}
	// a (100) + b, c and d (250 each) = 850; e (200) makes 1,050, so
	// the oldest, a, goes: 950.
	get(2, "b", 250)
	get(2, "c", 250)
	get(2, "d", 250)
	get(2, "e", 200)
	before := made.Load()
	get(2, "b", 250)
	if made.Load() != before {
		t.Errorf("b was dropped; the oldest, a, should have gone first")
	}
	get(2, "a", 100)
	if made.Load() != before+1 {
		t.Errorf("a was still kept after the bytes ran out")
	}
	big := get(2, "big", 251)
	if again := get(2, "big", 251); again == big {
		t.Errorf("a value over a quarter of the bytes was kept")
	}
	failed := errors.New("no")
	for range 2 {
		if _, err := kc.get(ctx, 2, "f", func(context.Context) (*keptValue, error) { made.Add(1); return nil, failed }); err != failed {
			t.Errorf("error %v, want %v", err, failed)
		}
	}
	kc.off.Store(true)
	n := made.Load()
	get(2, "b", 250)
	if made.Load() != n+1 {
		t.Errorf("with the cache off, a value was not made afresh")
	}
}

// TestKeptPanelsDrawAsFresh: every page, for every role, draws the same
// panels from kept panels (made once, drawn once) as from panels made and
// drawn for the request, on the real sample and with filters.
func TestKeptPanelsDrawAsFresh(t *testing.T) {
	h := newHonestSite(t, newRealServer(t))
	panelsOf := func(page string) string {
		i := strings.Index(page, `<section class="uptake-panel"`)
		j := strings.LastIndex(page, "</section>")
		if i < 0 || j < i {
			return ""
		}
		return page[i:j]
	}
	kp := &h.rs.srv.keptPanels
	seen := 0
	for _, role := range roles {
		c := h.clients[role]
		for _, e := range Endpoints(h.own) {
			if !strings.HasPrefix(e.Name, "page ") || !mayOpen(role, strings.TrimPrefix(e.Name, "page ")) {
				continue
			}
			for _, q := range []string{"", "practice=" + url.QueryEscape(h.other), "from=" + h.quarters[len(h.quarters)-2]} {
				path := e.Path + "?" + q
				kp.off.Store(true)
				_, fresh := c.get(t, h.rs.URL+path)
				kp.off.Store(false)
				_, first := c.get(t, h.rs.URL+path)
				_, kept := c.get(t, h.rs.URL+path)
				want := panelsOf(fresh)
				if want == "" && e.Name != "page data" {
					t.Fatalf("%s as %s: no panels on the page", path, role)
				}
				if got := panelsOf(first); got != want {
					t.Errorf("%s as %s: the panels made to keep differ from those made afresh", path, role)
				} else if got := panelsOf(kept); got != want {
					t.Errorf("%s as %s: the kept panels differ from those made afresh", path, role)
				}
				seen++
			}
		}
	}
	if seen < 20 {
		t.Errorf("compared %d pages", seen)
	}
}

// mayOpen reports whether role may open the page named.
func mayOpen(role accounts.Role, page string) bool {
	for _, r := range accessTable[page].roles {
		if r == role {
			return true
		}
	}
	return false
}
