package dashboard

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/uptake-nhs/uptake/accounts"
	"github.com/uptake-nhs/uptake/queries"
)

// Sessions and their cookies.
//
// The session cookie holds a random token; the database keeps only its
// hash (package accounts). Its attributes:
//
//   - Name: "__Host-uptake_session" when served over HTTPS. The __Host-
//     prefix makes browsers refuse the cookie unless it is Secure, has
//     Path=/ and no Domain, so no other site or subdomain can plant or
//     overwrite it. Over plain HTTP (a laptop on localhost) browsers refuse
//     __Host- cookies, so the name is "uptake_session" and the cookie is not
//     Secure. Deployments must run behind HTTPS: set ForceSecureCookies when
//     TLS ends at a proxy, so the cookie is Secure and __Host- there too.
//   - HttpOnly: scripts cannot read it.
//   - SameSite=Lax: the browser does not send it on cross-site POSTs,
//     images or fetches, only on top-level navigations. Strict would be
//     stronger still, but a practice manager following a link to a work
//     list from an email or a shared document would land signed out every
//     time (the first request of a cross-site navigation carries no Strict
//     cookie). Forms are protected by CSRF tokens and
//     http.CrossOriginProtection anyway, and GET requests change nothing.
//   - Expires: the session's absolute expiry; the idle timeout is enforced
//     on the server.

const (
	sessionCookieTLS   = "__Host-uptake_session"
	sessionCookiePlain = "uptake_session"
	// The sign-in form's CSRF cookie (before there is a session).
	signinCookieTLS   = "__Host-uptake_signin"
	signinCookiePlain = "uptake_signin"

	// csrfField is the hidden form field of every POST form.
	csrfField = "csrf"
)

// viewer is the signed-in user of a request.
type viewer struct {
	user    accounts.User
	session accounts.Session
	token   string // the session token from the cookie
}

const viewerKey = "uptake.viewer"

type viewerCtxKey struct{}

// viewerOf returns the request's signed-in user, or nil.
func viewerOf(c *gin.Context) *viewer {
	v, _ := c.Get(viewerKey)
	vw, _ := v.(*viewer)
	return vw
}

// viewerFrom returns the signed-in user a request context carries, or nil.
// Sources that return identifiable rows check it themselves, as a second
// line behind authorize.
func viewerFrom(ctx context.Context) *viewer {
	v, _ := ctx.Value(viewerCtxKey{}).(*viewer)
	return v
}

func withViewer(c *gin.Context, v *viewer) {
	c.Set(viewerKey, v)
	c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), viewerCtxKey{}, v))
}

// mayViewWorkList reports whether the request's user may see the work
// lists of practice code.
func mayViewWorkList(ctx context.Context, code string) bool {
	v := viewerFrom(ctx)
	return v != nil && code != "" && v.user.CanSeeWorkList(code)
}

// audienceOf is who the request's answers are for: a practice's own
// staff (a practice user of that practice, not disabled), for whom their
// own practice's figures are exact, or the public, for everyone else
// (disclosure by audience, queries/disclosure.go).
func audienceOf(ctx context.Context) queries.Audience {
	v := viewerFrom(ctx)
	if v == nil || v.user.Role != accounts.RolePractice || v.user.Disabled {
		return queries.Audience{}
	}
	return queries.Audience{Practice: strings.ToUpper(strings.TrimSpace(v.user.PracticeCode))}
}

// secure reports whether cookies must be Secure: the request came over
// TLS, or the deployment says TLS ends at a proxy in front.
func (s *Server) secure(r *http.Request) bool {
	return r.TLS != nil || s.opts.ForceSecureCookies
}

func (s *Server) sessionCookieName(r *http.Request) string {
	if s.secure(r) {
		return sessionCookieTLS
	}
	return sessionCookiePlain
}

func (s *Server) signinCookieName(r *http.Request) string {
	if s.secure(r) {
		return signinCookieTLS
	}
	return signinCookiePlain
}

// cookieValue returns the value of cookie name, or "".
func cookieValue(r *http.Request, name string) string {
	ck, err := r.Cookie(name)
	if err != nil {
		return ""
	}
	return ck.Value
}

// setCookie sets a cookie with the attributes every uptake cookie has.
func (s *Server) setCookie(c *gin.Context, name, value string, expires time.Time, sameSite http.SameSite) {
	ck := &http.Cookie{
		Name: name, Value: value, Path: "/",
		HttpOnly: true, Secure: s.secure(c.Request), SameSite: sameSite,
	}
	if value == "" {
		ck.MaxAge = -1
	} else {
		ck.Expires = expires.UTC()
		ck.MaxAge = max(1, int(expires.Sub(s.now()).Seconds()))
	}
	http.SetCookie(c.Writer, ck)
}

func (s *Server) setSessionCookie(c *gin.Context, token string, expires time.Time) {
	s.setCookie(c, s.sessionCookieName(c.Request), token, expires, http.SameSiteLaxMode)
}

func (s *Server) clearSessionCookie(c *gin.Context) {
	s.setCookie(c, s.sessionCookieName(c.Request), "", time.Time{}, http.SameSiteLaxMode)
}

// loadViewer looks up the request's session. It returns nil when there is
// none; expired is true when there was one and it has run out (the
// sign-in page then says why). The cookie of a dead session is removed.
func (s *Server) loadViewer(c *gin.Context) (v *viewer, expired bool, err error) {
	token := cookieValue(c.Request, s.sessionCookieName(c.Request))
	if token == "" {
		return nil, false, nil
	}
	sess, u, err := s.accounts.LookupSession(c.Request.Context(), token, s.now())
	if errors.Is(err, accounts.ErrNoSession) {
		s.clearSessionCookie(c)
		return nil, errors.Is(err, accounts.ErrSessionExpired), nil
	}
	if err != nil {
		return nil, false, err
	}
	return &viewer{user: u, session: sess, token: token}, false, nil
}

// startSession signs u in: it ends the request's old session, if any, and
// starts a new one with a new token, so a token planted before sign-in
// (session fixation) is worth nothing after it.
func (s *Server) startSession(c *gin.Context, u accounts.User) error {
	ctx := c.Request.Context()
	if old := cookieValue(c.Request, s.sessionCookieName(c.Request)); old != "" {
		if err := s.accounts.DeleteSession(ctx, old); err != nil {
			return err
		}
	}
	token, sess, err := s.accounts.CreateSession(ctx, u.ID, s.now())
	if err != nil {
		return err
	}
	s.setSessionCookie(c, token, sess.ExpiresAt)
	return nil
}

// checkSessionCSRF checks the form token of a POST by a signed-in user.
func checkSessionCSRF(c *gin.Context, v *viewer) bool {
	return accounts.ValidCSRFToken(v.token, c.PostForm(csrfField))
}

// signinToken returns the sign-in form's CSRF token, setting its cookie
// when the browser has none yet. Before sign-in there is no session to
// bind a token to, so the form carries a copy of a random cookie (double
// submit): a page on another site can neither read the cookie nor set it
// (SameSite=Strict, and __Host- over HTTPS).
func (s *Server) signinToken(c *gin.Context) string {
	name := s.signinCookieName(c.Request)
	if t := cookieValue(c.Request, name); len(t) == 43 {
		return t
	}
	var b [32]byte
	rand.Read(b[:])
	t := base64.RawURLEncoding.EncodeToString(b[:])
	s.setCookie(c, name, t, s.now().Add(12*time.Hour), http.SameSiteStrictMode)
	return t
}

// checkSigninCSRF checks the sign-in form's token against its cookie.
func (s *Server) checkSigninCSRF(c *gin.Context) bool {
	want := cookieValue(c.Request, s.signinCookieName(c.Request))
	got := c.PostForm(csrfField)
	return want != "" && got != "" && subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}
