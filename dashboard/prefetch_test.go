package dashboard

import (
	"context"
	"errors"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/uptake-nhs/uptake/queries"
)

// TestPrefetch: each distinct source of a page's views is loaded once,
// side by side, and kept for the views; a source already loaded is not
// loaded again; the first failing source in view order gives the error.
func TestPrefetch(t *testing.T) {
	var loads atomic.Int32
	running, most := atomic.Int32{}, atomic.Int32{}
	gate := make(chan struct{})
	src := func(name string, err error) *source {
		return &source{Name: name, load: func(context.Context, Store, queries.Filter, url.Values) (any, error) {
			loads.Add(1)
			n := running.Add(1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			if n == 2 {
				close(gate) // the second to start lets both finish
			}
			<-gate
			running.Add(-1)
			return name, err
		}}
	}
	a, b := src("a", nil), src("b", nil)
	views := []view{{Name: "a1", Source: a}, {Name: "b1", Source: b}, {Name: "a2", Source: a}}
	r := &results{}
	if err := r.prefetch(context.Background(), queries.Filter{}, views); err != nil {
		t.Fatal(err)
	}
	if loads.Load() != 2 || most.Load() != 2 {
		t.Errorf("%d loads, at most %d at once; want 2 and 2", loads.Load(), most.Load())
	}
	if r.memo[a] != "a" || r.memo[b] != "b" {
		t.Errorf("memo %v", r.memo)
	}
	if err := r.prefetch(context.Background(), queries.Filter{}, views); err != nil || loads.Load() != 2 {
		t.Errorf("again: %d loads (%v); want none more", loads.Load(), err)
	}

	errC, errD := errors.New("c failed"), errors.New("d failed")
	gate, running, most = make(chan struct{}), atomic.Int32{}, atomic.Int32{}
	c, d := src("c", errC), src("d", errD)
	if err := (&results{}).prefetch(context.Background(), queries.Filter{}, []view{{Source: c}, {Source: d}}); err != errC {
		t.Errorf("error %v, want %v (the first view's)", err, errC)
	}
}
