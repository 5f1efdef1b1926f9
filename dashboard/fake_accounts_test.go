package dashboard

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptake-nhs/uptake/accounts"
)

// fakeAccounts is an in-memory Accounts that follows the documented rules
// of package accounts (the lockout after MaxFailedAttempts, the session
// lifetimes, one answer for unknown users and wrong passwords) without
// DuckDB or argon2, so that handler tests are fast. The end-to-end tests
// use the real accounts.Store.
type fakeAccounts struct {
	mu        sync.Mutex
	nextID    int64
	users     map[string]*fakeUser // by username
	sessions  map[string]*fakeSession
	events    []accounts.Event
	failAudit error
}

type fakeUser struct {
	accounts.User
	password string
}

type fakeSession struct {
	sess   accounts.Session
	userID int64
}

// The test users: one per role, and a practice user for two practices.
const (
	userCommissioner = "commissioner"
	userServiceLead  = "servicelead"
	userPractice     = "practice-f83004" // of F83004
	userPractice2    = "practice-f83010" // of F83010
	userAdmin        = "admin"
)

// testPassword is the password of each test user.
func testPassword(username string) string { return "the password of " + username }

func newFakeAccounts() *fakeAccounts {
	a := &fakeAccounts{users: map[string]*fakeUser{}, sessions: map[string]*fakeSession{}}
	for _, u := range []accounts.User{
		{Username: userCommissioner, DisplayName: "Cara Commissioner", Role: accounts.RoleCommissioner},
		{Username: userServiceLead, DisplayName: "Sam Lead", Role: accounts.RoleServiceLead},
		{Username: userPractice, DisplayName: "Pat Archway", Role: accounts.RolePractice, PracticeCode: "F83004"},
		{Username: userPractice2, DisplayName: "Pia Other", Role: accounts.RolePractice, PracticeCode: "F83010"},
		{Username: userAdmin, DisplayName: "Ada Admin", Role: accounts.RoleAdmin},
	} {
		a.add(u, testPassword(u.Username))
	}
	return a
}

func (a *fakeAccounts) add(u accounts.User, password string) accounts.User {
	a.nextID++
	u.ID = a.nextID
	a.users[u.Username] = &fakeUser{User: u, password: password}
	return u
}

func (a *fakeAccounts) byID(id int64) *fakeUser {
	for _, u := range a.users {
		if u.ID == id {
			return u
		}
	}
	return nil
}

func (a *fakeAccounts) log(e accounts.Event) {
	a.events = append(a.events, e)
}

// eventsOf returns the audit events with action.
func (a *fakeAccounts) eventsOf(action accounts.Action) []accounts.Event {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []accounts.Event
	for _, e := range a.events {
		if e.Action == action {
			out = append(out, e)
		}
	}
	return out
}

func (a *fakeAccounts) Authenticate(ctx context.Context, at accounts.Attempt) (accounts.User, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	u, ok := a.users[strings.ToLower(strings.TrimSpace(at.Username))]
	if !ok {
		a.log(accounts.Event{At: at.At, Action: accounts.ActionSignInFailed, Detail: "unknown username", RemoteAddr: at.RemoteAddr})
		return accounts.User{}, accounts.ErrBadCredentials
	}
	ev := func(action accounts.Action, detail string) {
		a.log(accounts.Event{At: at.At, Username: u.Username, Role: u.Role, Action: action, Detail: detail, RemoteAddr: at.RemoteAddr})
	}
	if at.Password != u.password {
		ev(accounts.ActionSignInFailed, "wrong password")
		return accounts.User{}, accounts.ErrBadCredentials
	}
	if u.Disabled {
		ev(accounts.ActionSignInFailed, "account disabled")
		return accounts.User{}, accounts.ErrDisabled
	}
	u.LastSignInAt = at.At
	ev(accounts.ActionSignIn, "signed in")
	return u.User, nil
}

func (a *fakeAccounts) CreateSession(ctx context.Context, userID int64, now time.Time) (string, accounts.Session, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if u := a.byID(userID); u == nil || u.Disabled {
		return "", accounts.Session{}, accounts.ErrNoSuchUser
	}
	raw := make([]byte, 32)
	rand.Read(raw)
	token := base64.RawURLEncoding.EncodeToString(raw)
	sess := accounts.Session{UserID: userID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(accounts.AbsoluteLifetime), CSRFToken: accounts.CSRFToken(token)}
	a.sessions[token] = &fakeSession{sess: sess, userID: userID}
	return token, sess, nil
}

func (a *fakeAccounts) LookupSession(ctx context.Context, token string, now time.Time) (accounts.Session, accounts.User, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	fs, ok := a.sessions[token]
	if !ok {
		return accounts.Session{}, accounts.User{}, accounts.ErrNoSession
	}
	u := a.byID(fs.userID)
	switch {
	case !now.Before(fs.sess.ExpiresAt) || !now.Before(fs.sess.IdleExpiresAt()):
		delete(a.sessions, token)
		return accounts.Session{}, accounts.User{}, accounts.ErrSessionExpired
	case u == nil || u.Disabled:
		delete(a.sessions, token)
		return accounts.Session{}, accounts.User{}, accounts.ErrNoSession
	}
	fs.sess.LastSeenAt = now
	return fs.sess, u.User, nil
}

func (a *fakeAccounts) DeleteSession(ctx context.Context, token string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.sessions, token)
	return nil
}

func (a *fakeAccounts) deleteUserSessions(id int64) {
	for t, s := range a.sessions {
		if s.userID == id {
			delete(a.sessions, t)
		}
	}
}

func (a *fakeAccounts) ChangePassword(ctx context.Context, by accounts.Actor, username, current, next string, now time.Time) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	u, ok := a.users[username]
	if !ok {
		return accounts.ErrNoSuchUser
	}
	if current != u.password {
		return accounts.ErrBadCredentials
	}
	if err := accounts.CheckPassword(username, next); err != nil {
		return err
	}
	u.password, u.MustChangePassword = next, false
	a.deleteUserSessions(u.ID)
	a.log(accounts.Event{At: now, Username: by.Username, Role: by.Role, Action: accounts.ActionPasswordChanged, RemoteAddr: by.RemoteAddr})
	return nil
}

func (a *fakeAccounts) Audit(ctx context.Context, e accounts.Event) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.failAudit != nil {
		return a.failAudit
	}
	a.log(e)
	return nil
}

func (a *fakeAccounts) AuditLog(ctx context.Context, limit, offset int) ([]accounts.Event, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := slices.Clone(a.events)
	slices.Reverse(out)
	if offset >= len(out) {
		return nil, nil
	}
	out = out[offset:]
	return out[:min(limit, len(out))], nil
}

func (a *fakeAccounts) ListUsers(ctx context.Context) ([]accounts.User, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []accounts.User
	for _, u := range a.users {
		out = append(out, u.User)
	}
	slices.SortFunc(out, func(x, y accounts.User) int { return strings.Compare(x.Username, y.Username) })
	return out, nil
}

func (a *fakeAccounts) AddUser(ctx context.Context, by accounts.Actor, nu accounts.NewUser) (accounts.User, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	name := strings.ToLower(strings.TrimSpace(nu.Username))
	if len(name) < 3 {
		return accounts.User{}, &accounts.ValidationError{Field: "username", Msg: "A username has 3 to 64 characters."}
	}
	if _, taken := a.users[name]; taken {
		return accounts.User{}, accounts.ErrUsernameTaken
	}
	if !nu.Role.Valid() {
		return accounts.User{}, &accounts.ValidationError{Field: "role", Msg: "not a role"}
	}
	if (nu.Role == accounts.RolePractice) != (nu.PracticeCode != "") {
		return accounts.User{}, &accounts.ValidationError{Field: "practice", Msg: "A practice user needs the ODS code of their practice, and only they."}
	}
	if err := accounts.CheckPassword(name, nu.Password); err != nil {
		return accounts.User{}, err
	}
	u := a.add(accounts.User{Username: name, DisplayName: nu.DisplayName, Role: nu.Role, PracticeCode: strings.ToUpper(nu.PracticeCode)}, nu.Password)
	a.log(accounts.Event{Username: by.Username, Role: by.Role, Action: accounts.ActionUserAdded, Detail: "added " + name, RemoteAddr: by.RemoteAddr})
	return u, nil
}

func (a *fakeAccounts) setDisabled(by accounts.Actor, username string, disabled bool) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	u, ok := a.users[username]
	if !ok {
		return accounts.ErrNoSuchUser
	}
	u.Disabled = disabled
	action := accounts.ActionUserEnabled
	if disabled {
		action = accounts.ActionUserDisabled
		a.deleteUserSessions(u.ID)
	}
	a.log(accounts.Event{Username: by.Username, Role: by.Role, Action: action, Detail: username, RemoteAddr: by.RemoteAddr})
	return nil
}

func (a *fakeAccounts) DisableUser(ctx context.Context, by accounts.Actor, username string) error {
	return a.setDisabled(by, username, true)
}

func (a *fakeAccounts) EnableUser(ctx context.Context, by accounts.Actor, username string) error {
	return a.setDisabled(by, username, false)
}

func (a *fakeAccounts) ResetPassword(ctx context.Context, by accounts.Actor, username, pw string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	u, ok := a.users[username]
	if !ok {
		return accounts.ErrNoSuchUser
	}
	if err := accounts.CheckPassword(username, pw); err != nil {
		return err
	}
	u.password, u.MustChangePassword = pw, true
	a.deleteUserSessions(u.ID)
	a.log(accounts.Event{Username: by.Username, Role: by.Role, Action: accounts.ActionPasswordReset, Detail: username, RemoteAddr: by.RemoteAddr})
	return nil
}

var _ Accounts = (*fakeAccounts)(nil)

// testClock is a clock tests move by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// client is a browser-like HTTP client with a cookie jar that does not
// follow redirects, so tests see each answer.
type client struct {
	http *http.Client
	base string
}

func newClient(t testing.TB, base string) *client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &client{base: base, http: &http.Client{
		Jar:           jar,
		Timeout:       2 * time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// newClientFrom is newClient connecting from the loopback address ip,
// such as 127.0.0.2, so that the server sees each client at an address
// of its own.
func newClientFrom(t testing.TB, base, ip string) *client {
	t.Helper()
	c := newClient(t, base)
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 10 * time.Second}
	c.http.Transport = &http.Transport{DialContext: dialer.DialContext}
	return c
}

var csrfInputRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// signIn signs c in through the sign-in form and fails the test unless
// the server answers with a redirect.
func (c *client) signIn(t testing.TB, username, password string) {
	t.Helper()
	res, body := c.get(t, c.base+"/signin")
	m := csrfInputRE.FindStringSubmatch(body)
	if res.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("sign-in page: %d, no csrf field:\n%.400s", res.StatusCode, body)
	}
	res, body = c.postForm(t, c.base+"/signin", url.Values{"csrf": {m[1]}, "username": {username}, "password": {password}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("signing in as %s: %d\n%.600s", username, res.StatusCode, body)
	}
}

// sessionToken is the session cookie's value.
func (c *client) sessionToken(t testing.TB) string {
	t.Helper()
	u, _ := url.Parse(c.base)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == sessionCookiePlain || ck.Name == sessionCookieTLS {
			return ck.Value
		}
	}
	return ""
}

// csrf is the form token of c's session.
func (c *client) csrf(t testing.TB) string {
	t.Helper()
	tok := c.sessionToken(t)
	if tok == "" {
		t.Fatal("not signed in")
	}
	return accounts.CSRFToken(tok)
}

func (c *client) do(t testing.TB, req *http.Request) (*http.Response, string) {
	t.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b strings.Builder
	if _, err := io.Copy(&b, res.Body); err != nil {
		t.Fatal(err)
	}
	return res, b.String()
}

func (c *client) get(t testing.TB, u string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c.do(t, req)
}

// postForm posts form as a same-origin browser form would.
func (c *client) postForm(t testing.TB, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", c.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.do(t, req)
}

// post posts form with the session's CSRF token.
func (c *client) post(t testing.TB, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("csrf") == "" {
		form.Set("csrf", c.csrf(t))
	}
	return c.postForm(t, u, form)
}
