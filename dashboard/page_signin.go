package dashboard

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/uptake-nhs/uptake/accounts"
)

// signinForm is the sign-in page's view model.
type signinForm struct {
	Username string
	Next     string
	Error    string
	Notice   string
	// Demo lists the sample database's demo accounts, if served.
	Demo []demoAccount
}

type demoAccount struct {
	Username, Password, Role, Practice string
}

// Messages of the sign-in page. Unknown usernames and wrong passwords get
// the same one, and the same throttling, so the page does not tell which
// usernames exist.
var (
	msgBadCredentials = "Username or password is wrong."
	msgDisabled       = "This account is disabled. Ask an administrator if you still need it."
)

// throttledMessage asks to wait after too many wrong passwords for one
// username from one address.
func throttledMessage(wait time.Duration) string {
	return "Too many wrong passwords for this username from your address. Wait " + waitText(wait) +
		", then try again; if you have forgotten the password, ask an administrator to reset it."
}

// waitText writes a wait for people: 4 seconds, 2 minutes.
func waitText(d time.Duration) string {
	secs := int(math.Ceil(d.Seconds()))
	switch {
	case secs == 1:
		return "1 second"
	case secs < 120:
		return strconv.Itoa(secs) + " seconds"
	}
	return strconv.Itoa((secs+59)/60) + " minutes"
}

// signinPage serves GET /signin. A signed-in user goes straight on.
func (s *Server) signinPage(c *gin.Context) error {
	next := safeNext(c.Query("next"))
	if viewerOf(c) != nil {
		c.Redirect(http.StatusSeeOther, next)
		return nil
	}
	form := &signinForm{Next: next}
	switch c.Query("reason") {
	case "expired":
		form.Notice = "Your session has ended. Sign in again to carry on."
	case "signed-out":
		form.Notice = "You have signed out."
	}
	return s.renderSignin(c, http.StatusOK, form)
}

func (s *Server) renderSignin(c *gin.Context, status int, form *signinForm) error {
	for _, d := range s.opts.DemoAccounts {
		form.Demo = append(form.Demo, demoAccount{Username: d.Username, Password: d.Password, Role: d.Role.Label(), Practice: d.PracticeCode})
	}
	p := s.newPage(c, "signin", "Sign in")
	p.SignIn = form
	p.CSRF = s.signinToken(c)
	return s.render(c, status, "signin", p)
}

// signinSubmit serves POST /signin (guard has checked the form token).
// Before the password is checked, attempts are rate-limited per client
// address and from all addresses together, and an address that gave too
// many wrong passwords for this username must wait (signinThrottle);
// package accounts writes every attempt it checks to the audit log.
func (s *Server) signinSubmit(c *gin.Context) error {
	username := strings.TrimSpace(c.PostForm("username"))
	password := c.PostForm("password")
	form := &signinForm{Username: username, Next: safeNext(c.PostForm("next"))}
	if len(username) > 200 {
		username = username[:200]
	}

	ip := c.ClientIP()
	key := throttleKey(username, ip)
	ok, wait := s.ipLimit.allow(ip)
	if ok {
		ok, wait = s.allLimit.allow("")
	}
	if !ok {
		s.log.Warn("sign-in attempts throttled", "request_id", requestID(c), "remote_addr", ip)
		c.Header("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		form.Error = "Too many sign-in attempts. Wait " + waitText(wait) + ", then try again."
		return s.renderSignin(c, http.StatusTooManyRequests, form)
	}
	if wait := s.throttle.wait(key); wait > 0 {
		s.log.Warn("sign-in throttled after wrong passwords", "request_id", requestID(c), "remote_addr", ip)
		c.Header("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		form.Error = throttledMessage(wait)
		return s.renderSignin(c, http.StatusTooManyRequests, form)
	}

	u, err := s.accounts.Authenticate(c.Request.Context(), accounts.Attempt{Username: username, Password: password, RemoteAddr: ip, At: s.now()})
	switch {
	case errors.Is(err, accounts.ErrBadCredentials):
		s.throttle.failed(key)
		form.Error = msgBadCredentials
	case errors.Is(err, accounts.ErrDisabled):
		form.Error = msgDisabled
	case err != nil:
		return err
	}
	if form.Error != "" {
		return s.renderSignin(c, http.StatusUnauthorized, form)
	}
	s.throttle.succeeded(key)
	if err := s.startSession(c, u); err != nil {
		return err
	}
	// The sign-in form's token has done its job.
	s.setCookie(c, s.signinCookieName(c.Request), "", time.Time{}, http.SameSiteStrictMode)
	if u.MustChangePassword {
		c.Redirect(http.StatusSeeOther, "/account/password")
		return nil
	}
	c.Redirect(http.StatusSeeOther, form.Next)
	return nil
}

// signout serves POST /signout: it ends the session in the database, not
// only in the browser, so a copied cookie stops working too.
func (s *Server) signout(c *gin.Context) error {
	v := viewerOf(c)
	if err := s.accounts.DeleteSession(c.Request.Context(), v.token); err != nil {
		return err
	}
	_ = s.audit(c, v, accounts.ActionSignOut, "signed out") // logged if it fails; signing out must work
	s.clearSessionCookie(c)
	c.Redirect(http.StatusSeeOther, "/signin?reason=signed-out")
	return nil
}
