package dashboard

import (
	"strings"
	"sync"
	"time"
)

// signinThrottle slows down password guessing without letting anyone lock
// a user out. It counts wrong passwords per pair of username and client
// address: after freeFailures of them in a row, the pair must wait before
// its next attempt, twice as long after each further failure, up to
// maxDelay. A success clears the pair.
//
// A stranger's failures slow only the stranger: the user signing in from
// their own address is never held up, however many wrong passwords are
// tried for their username elsewhere (there is no account lockout; see
// package accounts). The pair's username is the one typed, whether or not
// it exists, and is counted the same either way, so the throttle's answers
// say nothing about which usernames exist. Guessing from many addresses at
// once is bounded by the per-address and global rate limits (limiter).
//
// It lives in memory, per process: a restart forgets it, which costs an
// attacker a restart they cannot cause.
type signinThrottle struct {
	now func() time.Time

	mu    sync.Mutex
	pairs map[string]*failures
	max   int // pairs kept; beyond it forgotten pairs, then the oldest, are dropped
}

type failures struct {
	n    int       // wrong passwords in a row
	last time.Time // when the last one was
}

const (
	// freeFailures wrong passwords in a row cost nothing: people mistype.
	freeFailures = 3
	// firstDelay is the wait after freeFailures failures; it doubles with
	// each further one.
	firstDelay = time.Second
	// maxDelay caps the wait: after 13 failures in a row a pair may try
	// once every 15 minutes, about a hundred guesses a day.
	maxDelay = 15 * time.Minute
	// forgetAfter is how long a pair with no new failure is remembered.
	forgetAfter = 24 * time.Hour
)

func newSigninThrottle(now func() time.Time) *signinThrottle {
	return &signinThrottle{now: now, pairs: map[string]*failures{}, max: 100_000}
}

// throttleKey is the pair a sign-in attempt is counted under: the
// username as typed (in the case and spacing accounts ignore) and the
// client address.
func throttleKey(username, clientAddr string) string {
	return strings.ToLower(strings.TrimSpace(username)) + "\x00" + clientAddr
}

// delayAfter is the wait after n wrong passwords in a row.
func delayAfter(n int) time.Duration {
	if n < freeFailures {
		return 0
	}
	d := firstDelay
	for i := freeFailures; i < n && d < maxDelay; i++ {
		d *= 2
	}
	return min(d, maxDelay)
}

// wait returns how long the pair must still wait before an attempt; 0
// when it may try now.
func (t *signinThrottle) wait(key string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	f, ok := t.pairs[key]
	if !ok {
		return 0
	}
	left := f.last.Add(delayAfter(f.n)).Sub(t.now())
	return max(left, 0)
}

// failed counts a wrong password for the pair and returns how long its
// next attempt must wait.
func (t *signinThrottle) failed(key string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	f, ok := t.pairs[key]
	if !ok || now.Sub(f.last) >= forgetAfter {
		if !ok && len(t.pairs) >= t.max {
			t.prune(now)
		}
		f = &failures{}
		t.pairs[key] = f
	}
	f.n++
	f.last = now
	return delayAfter(f.n)
}

// succeeded clears the pair: its owner has shown they know the password.
func (t *signinThrottle) succeeded(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.pairs, key)
}

// prune drops the pairs to forget, and if that frees nothing the one whose
// last failure is oldest, so that memory stays bounded. Called with mu held.
func (t *signinThrottle) prune(now time.Time) {
	var oldestKey string
	var oldest time.Time
	for k, f := range t.pairs {
		if now.Sub(f.last) >= forgetAfter {
			delete(t.pairs, k)
			continue
		}
		if oldestKey == "" || f.last.Before(oldest) {
			oldestKey, oldest = k, f.last
		}
	}
	if len(t.pairs) >= t.max && oldestKey != "" {
		delete(t.pairs, oldestKey)
	}
}
