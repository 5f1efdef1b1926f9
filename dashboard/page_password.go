package dashboard

import (
	"errors"
	"math"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/uptake-nhs/uptake/accounts"
)

// passwordForm is the change-password page's view model.
type passwordForm struct {
	// Forced is true after an administrator reset the password: the user
	// can do nothing else until they choose their own.
	Forced bool
	Error  string
	Field  string // the field the error is about
	MinLen int
}

// passwordPage serves GET /account/password.
func (s *Server) passwordPage(c *gin.Context) error {
	return s.renderPassword(c, http.StatusOK, &passwordForm{})
}

func (s *Server) renderPassword(c *gin.Context, status int, form *passwordForm) error {
	v := viewerOf(c)
	form.Forced = v.user.MustChangePassword
	form.MinLen = accounts.MinPasswordLength
	p := s.newPage(c, "password", "Change your password")
	p.Password = form
	p.CSRF = v.session.CSRFToken
	return s.render(c, status, "password", p)
}

// passwordSubmit serves POST /account/password. Package accounts checks
// the current password (a wrong one is throttled as at sign-in), the new
// one's rules, writes the audit event and ends every session of the user;
// this one is replaced by a new session, so a session stolen before the
// change is worthless after it.
func (s *Server) passwordSubmit(c *gin.Context) error {
	v := viewerOf(c)
	current, next, confirm := c.PostForm("current"), c.PostForm("new"), c.PostForm("confirm")
	form := &passwordForm{}
	if next != confirm {
		form.Error, form.Field = "The two new passwords are not the same. Type the new password twice.", "confirm"
		return s.renderPassword(c, http.StatusBadRequest, form)
	}
	key := throttleKey(v.user.Username, c.ClientIP())
	if wait := s.throttle.wait(key); wait > 0 {
		c.Header("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		form.Error, form.Field = throttledMessage(wait), "current"
		return s.renderPassword(c, http.StatusTooManyRequests, form)
	}
	err := s.accounts.ChangePassword(c.Request.Context(), actor(c, v), v.user.Username, current, next, s.now())
	var ve *accounts.ValidationError
	switch {
	case errors.Is(err, accounts.ErrBadCredentials):
		s.throttle.failed(key)
		form.Error, form.Field = "The current password is wrong.", "current"
	case errors.As(err, &ve):
		form.Error, form.Field = ve.Msg, "new"
	case err != nil:
		return err
	}
	if form.Error != "" {
		return s.renderPassword(c, http.StatusBadRequest, form)
	}
	v.user.MustChangePassword = false
	if err := s.startSession(c, v.user); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/")
	return nil
}
