package dashboard

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uptake-nhs/uptake/accounts"
)

// signinForm fetches the sign-in page with c and returns its form token.
func signinFormToken(t *testing.T, c *client) string {
	t.Helper()
	_, body := c.get(t, c.base+"/signin")
	m := csrfInputRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no form token on the sign-in page:\n%.300s", body)
	}
	return m[1]
}

// attempt posts the sign-in form.
func attempt(t *testing.T, c *client, username, password string, header ...string) (*http.Response, string) {
	t.Helper()
	form := url.Values{"csrf": {signinFormToken(t, c)}, "username": {username}, "password": {password}}
	req, _ := http.NewRequest(http.MethodPost, c.base+"/signin", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return c.do(t, req)
}

func TestSignedOutPagesRedirectAndAPIAnswers401(t *testing.T) {
	ts, _ := newTestServer(t)
	for path, want := range map[string]string{
		"/":                                 "/signin",
		"/practices/F83004?from=2025Q4":     "/signin?next=%2Fpractices%2FF83004%3Ffrom%3D2025Q4",
		"/data?page=2":                      "/signin?next=%2Fdata%3Fpage%3D2",
		"/no-such-page":                     "/signin?next=%2Fno-such-page",
		"//evil.example/":                   "/signin",
		"/admin/users/x/disable?csrf=forge": "/signin?next=%2Fadmin%2Fusers%2Fx%2Fdisable%3Fcsrf%3Dforge",
	} {
		res, _ := get(t, ts.URL+path)
		if res.StatusCode != http.StatusFound || res.Header.Get("Location") != want {
			t.Errorf("%s: %d to %q, want 302 to %q", path, res.StatusCode, res.Header.Get("Location"), want)
		}
	}
	for _, path := range []string{"/api/filters", "/api/followup-worklist?practice=F83004", "/download/funnel.csv", "/api/chart/funnel", "/api/nope"} {
		res, body := get(t, ts.URL+path)
		var e errorBody
		if res.StatusCode != http.StatusUnauthorized || json.Unmarshal([]byte(body), &e) != nil || e.Status != 401 || !strings.Contains(e.Error, "Sign in") {
			t.Errorf("%s: %d %s", path, res.StatusCode, body)
		}
	}
	for _, path := range []string{"/signin", "/healthz", "/static/uptake.css"} {
		if res, _ := get(t, ts.URL+path); res.StatusCode != http.StatusOK {
			t.Errorf("%s: %d without a session", path, res.StatusCode)
		}
	}
}

func TestSignInGoesBackToTheSafePageAsked(t *testing.T) {
	ts, _ := newTestServer(t)
	for next, want := range map[string]string{
		"/practices/F83004?from=2025Q4": "/practices/F83004?from=2025Q4",
		"https://evil.example/":         "/",
		"//evil.example/":               "/",
		"":                              "/",
	} {
		c := newClient(t, ts.URL)
		form := url.Values{"csrf": {signinFormToken(t, c)}, "username": {userCommissioner}, "password": {testPassword(userCommissioner)}, "next": {next}}
		res, _ := c.postForm(t, ts.URL+"/signin", form)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != want {
			t.Errorf("next=%q: %d to %q, want %q", next, res.StatusCode, res.Header.Get("Location"), want)
		}
	}
}

func TestSignInPageForm(t *testing.T) {
	ts, _ := newTestServer(t)
	res, body := get(t, ts.URL+"/signin?next=/venues")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	for _, want := range []string{`method="post" action="/signin"`, `autocomplete="username"`, `autocomplete="current-password"`,
		`type="password"`, `name="next" value="/venues"`, `name="csrf" value="`} {
		if !strings.Contains(body, want) {
			t.Errorf("sign-in page lacks %s", want)
		}
	}
	if strings.Contains(body, "Demo data") {
		t.Error("a server without demo accounts lists some")
	}
	if strings.Contains(body, `href="/pathway"`) {
		t.Error("the sign-in page shows the navigation")
	}
}

func TestDemoAccountsAreListedInAMarkedBox(t *testing.T) {
	ts, _ := newTestServerWith(t, Options{DemoAccounts: []accounts.DemoAccount{
		{Username: "demo-practice", Password: "demo-practice", Role: accounts.RolePractice, PracticeCode: "F83004"},
	}})
	_, body := get(t, ts.URL+"/signin")
	for _, want := range []string{"Demo data — these accounts exist only in the sample database", "<code>demo-practice</code>", "Practice user of F83004"} {
		if !strings.Contains(body, want) {
			t.Errorf("sign-in page lacks %q", want)
		}
	}
}

// TestWrongPasswordAndUnknownUserGetTheSameAnswer tries a known username
// with wrong passwords and an unknown one, each from an address of its
// own, in step: every answer, throttled or not, is the same, so that
// nothing on the page, its status or its headers tells which usernames
// exist. (That both take the same work, and so about the same time, is
// package accounts' TestNoUsernameEnumeration.)
func TestWrongPasswordAndUnknownUserGetTheSameAnswer(t *testing.T) {
	ts, _ := newTestServer(t)
	known := newClientFrom(t, ts.URL, "127.0.0.4")
	unknown := newClientFrom(t, ts.URL, "127.0.0.5")
	for i := 1; i <= 8; i++ {
		var answers []string
		for _, try := range []struct {
			c    *client
			user string
		}{{known, userCommissioner}, {unknown, "nobody-at-all"}} {
			res, body := attempt(t, try.c, try.user, "wrong password")
			if try.c.sessionToken(t) != "" {
				t.Fatalf("%s: a failed sign-in set a session cookie", try.user)
			}
			// The page keeps the username typed, so that differs; the
			// rest must not.
			answers = append(answers, fmt.Sprintf("%d Retry-After=%q\n%s", res.StatusCode, res.Header.Get("Retry-After"),
				reqIDRE.ReplaceAllString(strings.ReplaceAll(body, try.user, "USER"), "")))
		}
		if answers[0] != answers[1] {
			t.Fatalf("attempt %d: the answer for a wrong password differs from the answer for an unknown user:\n%.600s\n---\n%.600s", i, answers[0], answers[1])
		}
		// Three seconds apart: the waits after the fifth and sixth
		// failures, 4 and 8 seconds, hold up the next attempt.
		want := "401 "
		if i == 6 || i == 8 {
			want = "429 "
		}
		if !strings.HasPrefix(answers[0], want) {
			t.Errorf("attempt %d: %.80s; want %s", i, answers[0], want)
		}
		ts.clock.Add(3 * time.Second)
	}
}

// TestStrangersFailuresDoNotStopTheUser: five wrong passwords for a
// username from 127.0.0.2 slow down 127.0.0.2 only; the user signs in
// from 127.0.0.3 with the right password at once.
func TestStrangersFailuresDoNotStopTheUser(t *testing.T) {
	ts, _ := newTestServer(t)
	stranger := newClientFrom(t, ts.URL, "127.0.0.2")
	for i := 1; i <= 5; i++ {
		if res, body := attempt(t, stranger, userPractice, "a guess"); res.StatusCode != http.StatusUnauthorized && res.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("guess %d: %d\n%.400s", i, res.StatusCode, body)
		}
		ts.clock.Add(5 * time.Second) // the stranger waits out each delay
	}
	user := newClientFrom(t, ts.URL, "127.0.0.3")
	if res, body := attempt(t, user, userPractice, testPassword(userPractice)); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the right password from another address: %d\n%.400s", res.StatusCode, body)
	}
	// From 127.0.0.2, a sixth guess once the wait is over; then even the
	// right password waits, 8 seconds after six failures in a row.
	if res, _ := attempt(t, stranger, userPractice, "a guess"); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("sixth guess after waiting: %d", res.StatusCode)
	}
	res, body := attempt(t, stranger, userPractice, testPassword(userPractice))
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") != "8" || !strings.Contains(body, "Too many wrong passwords for this username from your address. Wait 8 seconds") {
		t.Fatalf("right password from the stranger's address at once: %d, Retry-After %q\n%.600s", res.StatusCode, res.Header.Get("Retry-After"), body)
	}
	ts.clock.Add(8 * time.Second)
	if res, _ := attempt(t, stranger, userPractice, testPassword(userPractice)); res.StatusCode != http.StatusSeeOther {
		t.Errorf("right password after the wait: %d", res.StatusCode)
	}
	// No lockout was recorded; every checked attempt was.
	if n := len(ts.accounts.eventsOf(accounts.ActionLockedOut)); n != 0 {
		t.Errorf("%d lockout events", n)
	}
	if n := len(ts.accounts.eventsOf(accounts.ActionSignInFailed)); n != 6 {
		t.Errorf("%d failed sign-ins audited, want the 6 checked", n)
	}
}

func TestThrottleDelays(t *testing.T) {
	var got []time.Duration
	for n := 1; n <= 16; n++ {
		got = append(got, delayAfter(n))
	}
	s := time.Second
	want := []time.Duration{0, 0, s, 2 * s, 4 * s, 8 * s, 16 * s, 32 * s, 64 * s, 128 * s, 256 * s, 512 * s, 15 * time.Minute, 15 * time.Minute, 15 * time.Minute, 15 * time.Minute}
	if !slices.Equal(got, want) {
		t.Errorf("delays %v\nwant   %v", got, want)
	}
	clock := &testClock{t: time.Unix(0, 0)}
	th := newSigninThrottle(clock.Now)
	th.max = 2
	for _, k := range []string{"a", "b", "c"} {
		th.failed(k)
		clock.Add(time.Second)
	}
	if len(th.pairs) > 2 {
		t.Errorf("%d pairs kept, max 2", len(th.pairs))
	}
	key := throttleKey(" Fatima ", "192.0.2.1")
	for range 4 {
		th.failed(key)
	}
	if w := th.wait(throttleKey("fatima", "192.0.2.1")); w != 2*time.Second {
		t.Errorf("wait after 4 failures %v, want 2s, whatever the case and spaces typed", w)
	}
	if w := th.wait(throttleKey("fatima", "192.0.2.2")); w != 0 {
		t.Errorf("another address waits %v", w)
	}
	clock.Add(forgetAfter)
	if d := th.failed(key); d != 0 {
		t.Errorf("a failure a day after the last: wait %v, want a fresh start", d)
	}
	th.succeeded(key)
	if w := th.wait(key); w != 0 {
		t.Errorf("after a success: wait %v", w)
	}
}

// TestWrongCurrentPasswordIsThrottled: the change-password form is no way
// around the throttle.
func TestWrongCurrentPasswordIsThrottled(t *testing.T) {
	ts, _ := newTestServer(t)
	c := ts.as(t, userCommissioner)
	change := func(current string) *http.Response {
		res, _ := c.post(t, ts.URL+"/account/password", url.Values{"current": {current}, "new": {"violet canyon drum"}, "confirm": {"violet canyon drum"}})
		return res
	}
	for i := 1; i <= 3; i++ {
		if res := change("wrong"); res.StatusCode != http.StatusBadRequest {
			t.Fatalf("wrong current password %d: %d", i, res.StatusCode)
		}
	}
	if res := change(testPassword(userCommissioner)); res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") != "1" {
		t.Fatalf("right current password at once after three wrong: %d", res.StatusCode)
	}
	ts.clock.Add(time.Second)
	if res := change(testPassword(userCommissioner)); res.StatusCode != http.StatusSeeOther {
		t.Errorf("after the wait: %d", res.StatusCode)
	}
}

func TestSignInRateLimitPerAddress(t *testing.T) {
	ts, _ := newTestServer(t)
	c := newClient(t, ts.URL)
	for i := 1; i <= 10; i++ {
		// Different usernames, so the account lockout never applies, and
		// a forged X-Forwarded-For, which no trusted proxy vouches for.
		if res, _ := attempt(t, c, "someone"+strconv.Itoa(i), "x", "X-Forwarded-For", "192.0.2."+strconv.Itoa(i)); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i, res.StatusCode)
		}
	}
	res, body := attempt(t, c, userCommissioner, testPassword(userCommissioner), "X-Forwarded-For", "192.0.2.99")
	if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "Too many sign-in attempts") {
		t.Fatalf("11th attempt in a minute: %d", res.StatusCode)
	}
	if ra, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || ra < 1 || ra > 60 {
		t.Errorf("Retry-After %q", res.Header.Get("Retry-After"))
	}
	if c.sessionToken(t) != "" {
		t.Error("a throttled attempt signed in")
	}
	// A token comes back every six seconds.
	ts.clock.Add(6 * time.Second)
	if res, _ := attempt(t, c, userCommissioner, testPassword(userCommissioner)); res.StatusCode != http.StatusSeeOther {
		t.Errorf("after waiting: %d", res.StatusCode)
	}
}

// TestSignInRateLimitForAll: guessing spread over many addresses is
// bounded by the limit for all of them together.
func TestSignInRateLimitForAll(t *testing.T) {
	ts, _ := newTestServerWith(t, Options{SignInAttemptsPerMinuteAll: 3})
	for i := 1; i <= 4; i++ {
		c := newClientFrom(t, ts.URL, "127.0.0."+strconv.Itoa(10+i))
		res, body := attempt(t, c, "nobody", "x")
		want := http.StatusUnauthorized
		if i == 4 {
			want = http.StatusTooManyRequests
		}
		if res.StatusCode != want || (i == 4 && !strings.Contains(body, "Too many sign-in attempts. Wait 20 seconds")) {
			t.Errorf("attempt %d from its own address: %d, want %d\n%.400s", i, res.StatusCode, want, body)
		}
	}
}

// TestAuditHasForwardedAddress: behind a trusted proxy the audit log has
// the client's address from X-Forwarded-For, and so does the throttle.
func TestAuditHasForwardedAddress(t *testing.T) {
	ts, _ := newTestServerWith(t, Options{TrustedProxies: []string{"127.0.0.1"}})
	c := newClient(t, ts.URL)
	for i := 1; i <= 5; i++ {
		if res, _ := attempt(t, c, userCommissioner, "x", "X-Forwarded-For", "192.0.2."+strconv.Itoa(i)); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("attempt %d from its own address: %d", i, res.StatusCode)
		}
	}
	var found bool
	for _, e := range ts.accounts.eventsOf(accounts.ActionSignInFailed) {
		found = found || e.RemoteAddr == "192.0.2.3"
	}
	if !found {
		t.Error("failed sign-ins are not audited with the forwarded address")
	}
}

func TestLimiterForgetsIdleKeys(t *testing.T) {
	clock := &testClock{t: time.Unix(0, 0)}
	l := newLimiter(10, clock.Now)
	l.max = 3
	for i := range 5 {
		l.allow(strconv.Itoa(i))
	}
	if len(l.buckets) > 3 {
		t.Errorf("%d buckets kept, max 3", len(l.buckets))
	}
	for range 10 {
		l.allow("busy")
	}
	if ok, wait := l.allow("busy"); ok || wait != 6*time.Second {
		t.Errorf("11th attempt: %v, wait %v", ok, wait)
	}
}

func TestSessionCookieOverPlainHTTP(t *testing.T) {
	ts, _ := newTestServer(t)
	c := newClient(t, ts.URL)
	form := url.Values{"csrf": {signinFormToken(t, c)}, "username": {userCommissioner}, "password": {testPassword(userCommissioner)}}
	res, _ := c.postForm(t, ts.URL+"/signin", form)
	ck := findCookie(res, sessionCookiePlain)
	if ck == nil {
		t.Fatalf("no %s cookie: %v", sessionCookiePlain, res.Header["Set-Cookie"])
	}
	if !ck.HttpOnly || ck.Secure || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Domain != "" {
		t.Errorf("cookie %+v", ck)
	}
	if want := ts.clock.Now().Add(accounts.AbsoluteLifetime); !ck.Expires.Equal(want) {
		t.Errorf("cookie expires %v, want the session's absolute expiry %v", ck.Expires, want)
	}
}

func TestSessionCookieIsHostPrefixedAndSecure(t *testing.T) {
	check := func(t *testing.T, res *http.Response) {
		ck := findCookie(res, sessionCookieTLS)
		if ck == nil {
			t.Fatalf("no %s cookie: %v", sessionCookieTLS, res.Header["Set-Cookie"])
		}
		if !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Domain != "" {
			t.Errorf("cookie %+v", ck)
		}
		if res.Header.Get("Strict-Transport-Security") == "" {
			t.Error("no Strict-Transport-Security")
		}
	}
	t.Run("ForceSecureCookies", func(t *testing.T) {
		ts, _ := newTestServerWith(t, Options{ForceSecureCookies: true})
		// A cookie jar does not give Secure cookies back over http, so
		// carry the sign-in cookie by hand.
		c := newClient(t, ts.URL)
		res, body := c.get(t, ts.URL+"/signin")
		token := csrfInputRE.FindStringSubmatch(body)[1]
		signin := findCookie(res, signinCookieTLS)
		if signin == nil || !signin.Secure || signin.SameSite != http.SameSiteStrictMode {
			t.Fatalf("sign-in cookie %+v", signin)
		}
		form := url.Values{"csrf": {token}, "username": {userCommissioner}, "password": {testPassword(userCommissioner)}}
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/signin", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: signinCookieTLS, Value: signin.Value})
		res, _ = c.do(t, req)
		check(t, res)
	})
	t.Run("TLS", func(t *testing.T) {
		ts, _ := newTestServer(t)
		ts.Close()
		tls := newTLSTestServer(t, ts.srv)
		c := newClient(t, tls.URL)
		c.http.Transport = tls.Client().Transport
		res, _ := attempt(t, c, userCommissioner, testPassword(userCommissioner))
		check(t, res)
		if res, _ := c.get(t, tls.URL+"/"); res.StatusCode != http.StatusOK {
			t.Errorf("signed in over TLS, / answers %d", res.StatusCode)
		}
	})
}

// reqIDRE matches what differs between two renderings of a page for two
// browsers: form tokens.
var reqIDRE = regexp.MustCompile(`value="[A-Za-z0-9_-]{43}"`)

var tempPasswordRE = regexp.MustCompile(`<code id="temp-password">([^<]+)</code>`)

// newTLSTestServer serves srv over HTTPS on loopback.
func newTLSTestServer(t *testing.T, srv *Server) *httptest.Server {
	t.Helper()
	ts := httptest.NewTLSServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts
}

func findCookie(res *http.Response, name string) *http.Cookie {
	for _, ck := range res.Cookies() {
		if ck.Name == name {
			return ck
		}
	}
	return nil
}

func TestSignInRotatesTheSession(t *testing.T) {
	ts, _ := newTestServer(t)
	c := ts.as(t, userCommissioner)
	first := c.sessionToken(t)
	// Signing in again from the same browser (e.g. as someone else).
	form := url.Values{"csrf": {}, "username": {userAdmin}, "password": {testPassword(userAdmin)}}
	fresh := newClient(t, ts.URL)
	form.Set("csrf", signinFormToken(t, fresh))
	for _, ck := range fresh.http.Jar.Cookies(mustURL(t, ts.URL)) {
		c.http.Jar.SetCookies(mustURL(t, ts.URL), []*http.Cookie{ck})
	}
	if res, _ := c.postForm(t, ts.URL+"/signin", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("second sign-in: %d", res.StatusCode)
	}
	if second := c.sessionToken(t); second == first || second == "" {
		t.Error("signing in kept the old session token")
	}
	if _, _, err := ts.accounts.LookupSession(t.Context(), first, ts.clock.Now()); err == nil {
		t.Error("the old session still works after signing in again")
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestSignOutEndsTheSession(t *testing.T) {
	ts, _ := newTestServer(t)
	c := ts.as(t, userCommissioner)
	token := c.sessionToken(t)
	res, _ := c.post(t, ts.URL+"/signout", nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/signin?reason=signed-out" {
		t.Fatalf("sign-out: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if ck := findCookie(res, sessionCookiePlain); ck == nil || ck.MaxAge >= 0 {
		t.Errorf("sign-out does not remove the cookie: %v", res.Header["Set-Cookie"])
	}
	// The old cookie, replayed, no longer works.
	replay := newClient(t, ts.URL)
	replay.http.Jar.SetCookies(mustURL(t, ts.URL), []*http.Cookie{{Name: sessionCookiePlain, Value: token}})
	if res, _ := replay.get(t, ts.URL+"/api/filters"); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("replayed cookie after sign-out: %d", res.StatusCode)
	}
	if n := len(ts.accounts.eventsOf(accounts.ActionSignOut)); n != 1 {
		t.Errorf("%d sign-out events", n)
	}
}

func TestSessionExpires(t *testing.T) {
	ts, _ := newTestServer(t)
	t.Run("idle", func(t *testing.T) {
		c := ts.as(t, userCommissioner)
		ts.clock.Add(accounts.IdleTimeout - time.Minute)
		if res, _ := c.get(t, ts.URL+"/"); res.StatusCode != http.StatusOK {
			t.Fatalf("before the idle timeout: %d", res.StatusCode)
		}
		ts.clock.Add(accounts.IdleTimeout)
		res, _ := c.get(t, ts.URL+"/venues")
		if res.StatusCode != http.StatusFound || res.Header.Get("Location") != "/signin?next=%2Fvenues&reason=expired" {
			t.Errorf("idle session: %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		_, body := c.get(t, ts.URL+"/signin?reason=expired")
		if !strings.Contains(body, "Your session has ended") {
			t.Error("the sign-in page does not say the session ended")
		}
	})
	t.Run("absolute", func(t *testing.T) {
		c := ts.as(t, userCommissioner)
		for elapsed := time.Duration(0); elapsed < accounts.AbsoluteLifetime-20*time.Minute; elapsed += 20 * time.Minute {
			ts.clock.Add(20 * time.Minute)
			if res, _ := c.get(t, ts.URL+"/api/filters"); res.StatusCode != http.StatusOK {
				t.Fatalf("after %v in use: %d", elapsed, res.StatusCode)
			}
		}
		ts.clock.Add(20 * time.Minute)
		if res, _ := c.get(t, ts.URL+"/api/filters"); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("after the absolute lifetime: %d", res.StatusCode)
		}
	})
}

func TestCSRF(t *testing.T) {
	ts, _ := newTestServer(t)
	t.Run("cross-origin refused", func(t *testing.T) {
		c := ts.as(t, userAdmin)
		for _, h := range [][2]string{{"Sec-Fetch-Site", "cross-site"}, {"Origin", "http://evil.example"}} {
			for _, path := range []string{"/signout", "/admin/users/commissioner/disable", "/signin"} {
				form := url.Values{"csrf": {c.csrf(t)}}
				req, _ := http.NewRequest(http.MethodPost, ts.URL+path, strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set(h[0], h[1])
				if res, _ := c.do(t, req); res.StatusCode != http.StatusForbidden {
					t.Errorf("POST %s with %s: %s: %d", path, h[0], h[1], res.StatusCode)
				}
			}
		}
		if res, _ := c.get(t, ts.URL+"/admin"); res.StatusCode != http.StatusOK {
			t.Error("a refused cross-origin sign-out signed the user out")
		}
	})
	t.Run("missing or wrong token refused", func(t *testing.T) {
		c := ts.as(t, userAdmin)
		other := ts.as(t, userCommissioner)
		for name, token := range map[string]string{"missing": "", "wrong": "AAAA", "another session's": other.csrf(t), "the session token itself": c.sessionToken(t)} {
			for _, path := range []string{"/signout", "/admin/users/commissioner/disable", "/admin/users", "/account/password", "/admin/users/commissioner/password"} {
				form := url.Values{"username": {"newbie"}, "role": {"commissioner"}}
				if token != "" {
					form.Set("csrf", token)
				}
				res, body := c.postForm(t, ts.URL+path, form)
				if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "This form has expired or did not come from this site") {
					t.Errorf("POST %s with %s token: %d", path, name, res.StatusCode)
				}
			}
		}
		if res, _ := c.get(t, ts.URL+"/admin"); res.StatusCode != http.StatusOK {
			t.Error("a refused sign-out signed the user out")
		}
		if n := len(ts.accounts.eventsOf(accounts.ActionUserDisabled)) + len(ts.accounts.eventsOf(accounts.ActionUserAdded)); n != 0 {
			t.Errorf("%d changes went through without a token", n)
		}
	})
	t.Run("sign-in form token", func(t *testing.T) {
		for name, token := range map[string]string{"missing": "", "wrong": strings.Repeat("A", 43)} {
			c := newClient(t, ts.URL)
			signinFormToken(t, c) // sets the cookie
			form := url.Values{"username": {userCommissioner}, "password": {testPassword(userCommissioner)}}
			if token != "" {
				form.Set("csrf", token)
			}
			if res, _ := c.postForm(t, ts.URL+"/signin", form); res.StatusCode != http.StatusForbidden || c.sessionToken(t) != "" {
				t.Errorf("sign-in with %s token: %d", name, res.StatusCode)
			}
		}
		// A token without its cookie (another browser's) is refused too.
		token := signinFormToken(t, newClient(t, ts.URL))
		c := newClient(t, ts.URL)
		form := url.Values{"csrf": {token}, "username": {userCommissioner}, "password": {testPassword(userCommissioner)}}
		if res, _ := c.postForm(t, ts.URL+"/signin", form); res.StatusCode != http.StatusForbidden {
			t.Errorf("sign-in with another browser's token: %d", res.StatusCode)
		}
	})
}

func TestSecurityHeadersEverywhere(t *testing.T) {
	ts, _ := newTestServer(t)
	sl := ts.as(t, userServiceLead)
	pr := ts.as(t, userPractice)
	for _, tc := range []struct {
		c    *client
		path string
	}{
		{newClient(t, ts.URL), "/signin"},
		{sl, "/"}, {sl, "/data"}, {sl, "/api/filters"}, {sl, "/download/rejected-rows.csv"},
		{pr, "/api/followup-worklist?practice=F83004"}, {pr, "/download/followup-worklist.xlsx?practice=F83004"},
		{pr, "/practices/F83004"}, {pr, "/api/followup-worklist?practice=F83010"}, {sl, "/nope"},
	} {
		res, _ := tc.c.get(t, ts.URL+tc.path)
		h := res.Header
		for _, want := range []string{"default-src 'self'", "script-src 'self';", "style-src 'self' 'unsafe-inline'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"} {
			if !strings.Contains(h.Get("Content-Security-Policy"), want) {
				t.Errorf("%s: CSP lacks %s", tc.path, want)
			}
		}
		// Kept aggregates are private and revalidated; everything else,
		// work lists above all, is stored nowhere.
		cache := "no-store"
		if tc.path == "/api/filters" {
			cache = "private, no-cache"
		}
		for k, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "Cache-Control": cache, "X-Frame-Options": "DENY"} {
			if got := h.Get(k); got != want {
				t.Errorf("%s (%d): %s = %q, want %q", tc.path, res.StatusCode, k, got, want)
			}
		}
		if !strings.Contains(h.Get("Permissions-Policy"), "camera=()") {
			t.Errorf("%s: Permissions-Policy %q", tc.path, h.Get("Permissions-Policy"))
		}
		if h.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS over plain HTTP", tc.path)
		}
	}
	res, _ := get(t, ts.URL+"/static/uptake.js")
	if res.Header.Get("Cache-Control") != "no-cache" || res.Header.Get("ETag") == "" {
		t.Errorf("static assets without a version: Cache-Control %q, ETag %q", res.Header.Get("Cache-Control"), res.Header.Get("ETag"))
	}
	res, _ = get(t, ts.URL+assetURL("uptake.js"))
	if res.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Errorf("static assets with their version: Cache-Control %q", res.Header.Get("Cache-Control"))
	}
}

func TestMustChangePassword(t *testing.T) {
	ts, _ := newTestServer(t)
	admin := ts.as(t, userAdmin)
	res, body := admin.post(t, ts.URL+"/admin/users/"+userPractice+"/password", nil)
	m := tempPasswordRE.FindStringSubmatch(body)
	if res.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("reset: %d\n%.500s", res.StatusCode, body)
	}
	c := newClient(t, ts.URL)
	res, _ = attempt(t, c, userPractice, m[1])
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account/password" {
		t.Fatalf("sign-in with a temporary password: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res, _ := c.get(t, ts.URL+"/practices/F83004"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account/password" {
		t.Errorf("a page before changing: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res, _ := c.get(t, ts.URL+"/api/followup-worklist?practice=F83004"); res.StatusCode != http.StatusForbidden {
		t.Errorf("the API before changing: %d", res.StatusCode)
	}
	_, body = c.get(t, ts.URL+"/account/password")
	if !strings.Contains(body, "Choose your own before you carry on") || strings.Contains(body, `href="/pathway"`) {
		t.Error("the forced change page should explain itself and offer nothing else")
	}
	for _, tc := range []struct {
		current, next, confirm string
		want                   string
	}{
		{"wrong", "a new password for me", "a new password for me", "The current password is wrong."},
		{m[1], "a new password for me", "a different one", "not the same"},
		{m[1], "short", "short", "at least 12 characters"},
	} {
		res, body := c.post(t, ts.URL+"/account/password", url.Values{"current": {tc.current}, "new": {tc.next}, "confirm": {tc.confirm}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, tc.want) {
			t.Errorf("change %+v: %d, want %q", tc, res.StatusCode, tc.want)
		}
	}
	old := c.sessionToken(t)
	res, _ = c.post(t, ts.URL+"/account/password", url.Values{"current": {m[1]}, "new": {"a new password for me"}, "confirm": {"a new password for me"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("change: %d", res.StatusCode)
	}
	if c.sessionToken(t) == old {
		t.Error("changing the password kept the session token")
	}
	if res, _ := c.get(t, ts.URL+"/api/followup-worklist?practice=F83004"); res.StatusCode != http.StatusOK {
		t.Errorf("after changing: %d", res.StatusCode)
	}
}

func TestAdminManagesUsers(t *testing.T) {
	ts, _ := newTestServer(t)
	admin := ts.as(t, userAdmin)
	victim := ts.as(t, userCommissioner)

	res, body := admin.post(t, ts.URL+"/admin/users", url.Values{"username": {"new.practice"}, "display_name": {"New <b>Practice</b>"}, "role": {"practice"}, "practice": {"F83010"}})
	m := tempPasswordRE.FindStringSubmatch(body)
	if res.StatusCode != http.StatusOK || m == nil || !strings.Contains(body, "Added new.practice as Practice user.") {
		t.Fatalf("add: %d\n%.800s", res.StatusCode, body)
	}
	if strings.Contains(body, "<b>Practice</b>") {
		t.Error("a name was shown unescaped")
	}
	nc := newClient(t, ts.URL)
	if res, _ := attempt(t, nc, "new.practice", m[1]); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account/password" {
		t.Errorf("the new user must choose a password first: %d %q", res.StatusCode, res.Header.Get("Location"))
	}

	res, body = admin.post(t, ts.URL+"/admin/users", url.Values{"username": {"x"}, "role": {"practice"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Nothing was changed") {
		t.Errorf("bad add: %d", res.StatusCode)
	}

	res, _ = admin.post(t, ts.URL+"/admin/users/"+userCommissioner+"/disable", nil)
	if res.StatusCode != http.StatusOK {
		t.Errorf("disable: %d", res.StatusCode)
	}
	if res, _ := victim.get(t, ts.URL+"/"); res.StatusCode != http.StatusFound {
		t.Errorf("a disabled user's session still works: %d", res.StatusCode)
	}
	if res, body := attempt(t, newClient(t, ts.URL), userCommissioner, testPassword(userCommissioner)); res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "disabled") {
		t.Errorf("disabled user signing in: %d", res.StatusCode)
	}
	if res, _ := admin.post(t, ts.URL+"/admin/users/"+userCommissioner+"/enable", nil); res.StatusCode != http.StatusOK {
		t.Errorf("enable: %d", res.StatusCode)
	}
	ts.as(t, userCommissioner)

	if res, body := admin.post(t, ts.URL+"/admin/users/"+userAdmin+"/disable", nil); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "cannot disable your own account") {
		t.Errorf("disabling oneself: %d", res.StatusCode)
	}

	_, body = admin.get(t, ts.URL+"/admin")
	for _, want := range []string{`id="table-users"`, "new.practice", `id="table-audit"`, "user_disabled", "user_added", "sign_in", "127.0.0.1"} {
		if !strings.Contains(body, want) {
			t.Errorf("admin page lacks %q", want)
		}
	}
	if strings.Contains(body, m[1]) {
		t.Error("the temporary password is shown again")
	}
	for i := 0; i < 120; i++ {
		ts.accounts.Audit(t.Context(), accounts.Event{Action: accounts.ActionLoad, Detail: "load " + strconv.Itoa(i)})
	}
	_, body = admin.get(t, ts.URL+"/admin?audit_page=2")
	if !strings.Contains(body, `rel="prev"`) || !strings.Contains(body, "page 2") {
		t.Error("the audit log does not page")
	}
	if res, _ := admin.get(t, ts.URL+"/admin?audit_page=-1"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("bad audit page: %d", res.StatusCode)
	}
}

func TestDownloadsAreAudited(t *testing.T) {
	ts, _ := newTestServer(t)
	pr := ts.as(t, userPractice)
	res, _ := pr.get(t, ts.URL+"/download/followup-worklist.csv?practice=F83004&from=2025Q4&junk=P-2")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("download: %d", res.StatusCode)
	}
	pr.get(t, ts.URL+"/api/coding-worklist?practice=F83004")
	ts.as(t, userCommissioner).get(t, ts.URL+"/download/funnel.xlsx?pcn=North")
	events := ts.accounts.eventsOf(accounts.ActionDownload)
	want := []string{
		"download followup-worklist.csv from=2025Q4&practice=F83004 (2 rows)",
		"api coding-worklist practice=F83004",
		"download funnel.xlsx pcn=North",
	}
	if len(events) != len(want) {
		t.Fatalf("%d download events, want %d: %+v", len(events), len(want), events)
	}
	for i, e := range events {
		if !strings.HasPrefix(e.Detail, want[i]) || e.RemoteAddr != "127.0.0.1" || e.Username == "" {
			t.Errorf("event %d: %+v, want detail %q", i, e, want[i])
		}
		if strings.Contains(e.Detail, "P-") || strings.Contains(e.Detail, "R-F83") {
			t.Errorf("event %d holds a patient or referral id: %q", i, e.Detail)
		}
	}
}

// TestWorkListsAreNotSentUnrecorded: with the audit log failing, work
// lists and rejected rows are refused (500); aggregates still download.
func TestWorkListsAreNotSentUnrecorded(t *testing.T) {
	ts, _ := newTestServer(t)
	c, pr, sl := ts.as(t, userCommissioner), ts.as(t, userPractice), ts.as(t, userServiceLead)
	ts.accounts.mu.Lock()
	ts.accounts.failAudit = errors.New("the audit log is down")
	ts.accounts.mu.Unlock()
	if res, _ := c.get(t, ts.URL+"/download/funnel.csv"); res.StatusCode != http.StatusOK {
		t.Errorf("aggregate download with the audit log down: %d", res.StatusCode)
	}
	for _, ask := range []struct {
		c    *client
		path string
	}{{pr, "/download/followup-worklist.csv?practice=F83004"}, {pr, "/api/coding-worklist?practice=F83004"}, {sl, "/download/rejected-rows.xlsx"}, {sl, "/api/rejected-rows"}} {
		res, body := ask.c.get(t, ts.URL+ask.path)
		if res.StatusCode != http.StatusInternalServerError || strings.Contains(body, "P-2") {
			t.Errorf("%s with the audit log down: %d", ask.path, res.StatusCode)
		}
	}
}

func TestNewRefusesToServeWithoutAccounts(t *testing.T) {
	if _, err := New(newFakeStore(), Options{}); err == nil || !strings.Contains(err.Error(), "sign-in") {
		t.Errorf("New without accounts: %v", err)
	}
}
