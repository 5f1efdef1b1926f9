package queries

import (
	"context"
	"fmt"
	"sync"
)

// resultCacheSize bounds how many indicator results a Store keeps. At
// England scale the largest (a benchmark of 6,500 practices) is a few
// megabytes.
const resultCacheSize = 128

// resultCache keeps indicator results for the data version they were
// computed from. An indicator is a pure function of the loaded data, the
// configuration and the filter (with its audience), so when a commissioner's meeting opens the
// same page ten times it is worked out once; the first request after a
// load commits sees a new data version and empties the cache.
//
// Results are shared between callers and must be treated as read-only.
type resultCache struct {
	mu      sync.Mutex
	version int64
	entries map[string]any
	order   []string // insertion order, for eviction
	// off keeps no result between calls (DisableCache): benchmarks time
	// the computation, not the cache.
	off     bool
	flights map[string]*flight
}

// remember returns compute's result for (name, f), computing it at most
// once per data version while it stays in the cache. Errors are not kept.
// With the cache off nothing is kept, but callers asking at the same time
// still share one computation, as they do when they miss the cache
// together: a page whose panels ask for the same result (a practice's
// page reads the benchmark for its own panel and for its summary) is then
// timed computed afresh as a first visitor would wait for it, not twice.
func remember[T any](ctx context.Context, s *Store, name string, f Filter, compute func(context.Context, Filter) (T, error)) (T, error) {
	version, err := s.DataVersion(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	// The audience is part of the key: a practice's own staff and everyone
	// else get different answers to the same filter.
	key := name + "\x00" + f.Audience.Practice + "\x00" + f.Query().Encode()
	c := &s.cache
	c.mu.Lock()
	// A database with nothing loaded is version 0, the zero value: the
	// map must be made for it too.
	if c.version != version || c.entries == nil {
		c.version, c.entries, c.order = version, map[string]any{}, nil
	}
	if v, ok := c.entries[key]; ok && !c.off {
		c.mu.Unlock()
		return v.(T), nil
	}
	// Requests that miss together share one computation: fifty people
	// opening the same page after a load must not run its queries fifty
	// times at once.
	flightKey := fmt.Sprintf("%d\x00%s", version, key)
	if fl, ok := c.flights[flightKey]; ok {
		c.mu.Unlock()
		<-fl.done
		if fl.err != nil {
			var zero T
			return zero, fl.err
		}
		return fl.value.(T), nil
	}
	fl := &flight{done: make(chan struct{})}
	if c.flights == nil {
		c.flights = map[string]*flight{}
	}
	c.flights[flightKey] = fl
	c.mu.Unlock()

	// Others wait on this computation, so the first caller hanging up must
	// not cancel it; the result is kept for the next request anyway.
	v, err := compute(context.WithoutCancel(ctx), f)
	fl.value, fl.err = v, err
	close(fl.done)

	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.flights, flightKey)
	if err != nil || c.off {
		return v, err
	}
	if c.version == version {
		if _, ok := c.entries[key]; !ok {
			if len(c.order) >= resultCacheSize {
				delete(c.entries, c.order[0])
				c.order = c.order[1:]
			}
			c.entries[key] = v
			c.order = append(c.order, key)
		}
	}
	return v, nil
}

// flight is one computation that requests missing the cache together wait
// for.
type flight struct {
	done  chan struct{}
	value any
	err   error
}
