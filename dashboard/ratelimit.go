package dashboard

import (
	"math"
	"sync"
	"time"
)

// limiter is an in-memory token bucket per key (a client address, or one
// key for all of them). It bounds the sign-in attempts of one address
// whatever the usernames, and of all addresses together, so that a flood
// of attempts does not queue password hashes; wrong passwords for one
// username are slowed down per address by signinThrottle. It is per
// process: behind several replicas each has its own, which still bounds
// the rate.
type limiter struct {
	rate  float64 // tokens added per second
	burst float64 // bucket size: attempts allowed at once
	max   int     // keys kept; beyond it the longest-idle key is dropped
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// newLimiter allows perMinute attempts a minute per key, all of them at
// once if the key has been quiet for a minute.
func newLimiter(perMinute int, now func() time.Time) *limiter {
	return &limiter{
		rate:    float64(perMinute) / 60,
		burst:   float64(perMinute),
		max:     10_000,
		now:     now,
		buckets: map[string]*bucket{},
	}
}

// allow takes a token for key. When none is left it returns false and how
// long until one is.
func (l *limiter) allow(key string) (ok bool, retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, found := l.buckets[key]
	if !found {
		if len(l.buckets) >= l.max {
			l.prune(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens = math.Min(l.burst, b.tokens+elapsed*l.rate)
	}
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
	return false, wait
}

// prune drops the buckets that have refilled (they are the same as no
// bucket), and if that frees nothing, the one idle longest, so memory stays
// bounded whatever the number of addresses. Called with mu held.
func (l *limiter) prune(now time.Time) {
	var oldestKey string
	var oldest time.Time
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*l.rate >= l.burst {
			delete(l.buckets, k)
			continue
		}
		if oldestKey == "" || b.last.Before(oldest) {
			oldestKey, oldest = k, b.last
		}
	}
	if len(l.buckets) >= l.max && oldestKey != "" {
		delete(l.buckets, oldestKey)
	}
}
