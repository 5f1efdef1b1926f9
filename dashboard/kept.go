package dashboard

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
)

// sized is what a keptCache holds: a value that knows roughly how much
// memory it takes.
type sized interface{ size() int }

// keptCache keeps values made from one data version: the serialised JSON
// answers (answers.go) and the panels pages are made of (pages.go). A new
// data version empties it. It holds at most maxBytes by the values' own
// reckoning (answerCacheBytes when zero), dropping the oldest first, and
// never a value over a quarter of that.
type keptCache[T sized] struct {
	mu       sync.Mutex
	version  int64
	entries  map[string]T
	order    []string // insertion order, for eviction
	bytes    int
	maxBytes int
	flights  map[string]*keptFlight[T]
	off      atomic.Bool // uptake serve --no-result-cache: measure the work, not the cache
}

type keptFlight[T any] struct {
	done chan struct{}
	v    T
	err  error
}

// get returns the value kept for (version, key), making it with build at
// most once while it stays kept; requests that miss together share one
// making. Errors are not kept.
func (kc *keptCache[T]) get(ctx context.Context, version int64, key string, build func(context.Context) (T, error)) (T, error) {
	if kc.off.Load() {
		return build(ctx)
	}
	kc.mu.Lock()
	if kc.version != version || kc.entries == nil {
		kc.version, kc.entries, kc.order, kc.bytes = version, map[string]T{}, nil, 0
	}
	if v, ok := kc.entries[key]; ok {
		kc.mu.Unlock()
		return v, nil
	}
	fkey := strconv.FormatInt(version, 10) + "\x00" + key
	if fl, ok := kc.flights[fkey]; ok {
		kc.mu.Unlock()
		<-fl.done
		return fl.v, fl.err
	}
	fl := &keptFlight[T]{done: make(chan struct{})}
	if kc.flights == nil {
		kc.flights = map[string]*keptFlight[T]{}
	}
	kc.flights[fkey] = fl
	kc.mu.Unlock()

	// Others may be waiting: the first caller hanging up must not cancel
	// the making.
	fl.v, fl.err = build(context.WithoutCancel(ctx))
	close(fl.done)

	kc.mu.Lock()
	defer kc.mu.Unlock()
	delete(kc.flights, fkey)
	if fl.err != nil || kc.version != version {
		return fl.v, fl.err
	}
	limit := kc.maxBytes
	if limit == 0 {
		limit = answerCacheBytes
	}
	if _, ok := kc.entries[key]; !ok && fl.v.size() <= limit/4 {
		for kc.bytes+fl.v.size() > limit && len(kc.order) > 0 {
			kc.bytes -= kc.entries[kc.order[0]].size()
			delete(kc.entries, kc.order[0])
			kc.order = kc.order[1:]
		}
		kc.entries[key] = fl.v
		kc.order = append(kc.order, key)
		kc.bytes += fl.v.size()
	}
	return fl.v, nil
}
