package dashboard

import (
	"crypto/rand"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/uptake-nhs/uptake/accounts"
)

// The administration page: users (list, add, disable and enable, reset a
// password) and the audit log. Only administrators reach it (accessTable).
// Package accounts checks every field and writes every change to the audit
// log.

// auditPageSize is how many audit events a page shows.
const auditPageSize = 100

// adminData is the admin page's view model.
type adminData struct {
	Users []adminUser
	Roles []roleOption
	// Message says what the last action did; Error what went wrong.
	Message string
	Error   string
	// TempPassword is shown once, after adding a user or resetting a
	// password, for the administrator to pass on. The user must change it
	// at their first sign-in.
	TempPassword string
	TempFor      string
	// Form keeps what was typed into the add-user form after an error.
	Form  accounts.NewUser
	Audit []auditRow
	Pager *Pager
}

type adminUser struct {
	Username, Name, Role, Practice, Status, LastSignIn string
	Disabled, Self                                     bool
	DisablePath, EnablePath, PasswordPath              string
}

type roleOption struct {
	Value, Label string
	Selected     bool
}

type auditRow struct {
	At, Username, Role, Action, Detail, RemoteAddr string
}

// adminPage serves GET /admin.
func (s *Server) adminPage(c *gin.Context) error {
	return s.renderAdmin(c, http.StatusOK, &adminData{})
}

func (s *Server) renderAdmin(c *gin.Context, status int, d *adminData) error {
	ctx := c.Request.Context()
	v := viewerOf(c)
	users, err := s.accounts.ListUsers(ctx)
	if err != nil {
		return err
	}
	for _, u := range users {
		au := adminUser{
			Username: u.Username, Name: u.DisplayName, Role: u.Role.Label(), Practice: u.PracticeCode,
			Status: "Active", LastSignIn: "never", Disabled: u.Disabled, Self: u.ID == v.user.ID,
			DisablePath:  "/admin/users/" + url.PathEscape(u.Username) + "/disable",
			EnablePath:   "/admin/users/" + url.PathEscape(u.Username) + "/enable",
			PasswordPath: "/admin/users/" + url.PathEscape(u.Username) + "/password",
		}
		switch {
		case u.Disabled:
			au.Status = "Disabled"
		case u.MustChangePassword:
			au.Status = "Must choose a new password"
		}
		if u.Demo {
			au.Status += " (demo account)"
		}
		if !u.LastSignInAt.IsZero() {
			au.LastSignIn = u.LastSignInAt.UTC().Format(time.DateTime) + " UTC"
		}
		d.Users = append(d.Users, au)
	}
	for _, r := range accounts.Roles() {
		d.Roles = append(d.Roles, roleOption{Value: string(r), Label: r.Label(), Selected: r == d.Form.Role})
	}

	page := 1
	if p := c.Query("audit_page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 100_000 {
			return invalid("audit_page must be a whole number from 1 to 100000.")
		}
		page = n
	}
	// One more than a page tells whether there is a next page.
	events, err := s.accounts.AuditLog(ctx, auditPageSize+1, (page-1)*auditPageSize)
	if err != nil {
		return err
	}
	d.Pager = &Pager{Summary: "Newest first, " + strconv.Itoa(auditPageSize) + " to a page (page " + strconv.Itoa(page) + ")."}
	if len(events) > auditPageSize {
		events = events[:auditPageSize]
		d.Pager.Next = "/admin?audit_page=" + strconv.Itoa(page+1) + "#audit"
	}
	if page > 1 {
		d.Pager.Prev = "/admin?audit_page=" + strconv.Itoa(page-1) + "#audit"
	}
	for _, e := range events {
		d.Audit = append(d.Audit, auditRow{At: e.At.UTC().Format(time.DateTime), Username: e.Username, Role: string(e.Role),
			Action: string(e.Action), Detail: e.Detail, RemoteAddr: e.RemoteAddr})
	}

	p := s.newPage(c, "admin", "Administration")
	p.Lead = "Who may sign in, and what they did. Every change here is written to the audit log below."
	p.Admin = d
	return s.render(c, status, "admin", p)
}

// tempPassword makes a password for an administrator to pass on: 26
// random letters and digits (130 bits), which the user must replace at
// their first sign-in.
func tempPassword() string { return rand.Text() }

// adminError turns the errors of package accounts that are the
// administrator's mistake into a message; others stay errors.
func adminError(err error) (string, bool) {
	var ve *accounts.ValidationError
	switch {
	case errors.As(err, &ve):
		return ve.Msg, true
	case errors.Is(err, accounts.ErrUsernameTaken):
		return "That username is taken: choose another.", true
	case errors.Is(err, accounts.ErrNoSuchUser):
		return "There is no such user.", true
	}
	return "", false
}

// adminAddUser serves POST /admin/users. The new user gets a temporary
// password, shown once, which they must change at their first sign-in.
func (s *Server) adminAddUser(c *gin.Context) error {
	v := viewerOf(c)
	ctx := c.Request.Context()
	nu := accounts.NewUser{
		Username: c.PostForm("username"), DisplayName: c.PostForm("display_name"),
		Role: accounts.Role(c.PostForm("role")), PracticeCode: c.PostForm("practice"),
		Password: tempPassword(),
	}
	u, err := s.accounts.AddUser(ctx, actor(c, v), nu)
	if err == nil {
		// AddUser keeps the password as given; a reset marks it temporary.
		err = s.accounts.ResetPassword(ctx, actor(c, v), u.Username, nu.Password)
	}
	if msg, ok := adminError(err); ok {
		nu.Password = ""
		return s.renderAdmin(c, http.StatusBadRequest, &adminData{Error: msg, Form: nu})
	}
	if err != nil {
		return err
	}
	return s.renderAdmin(c, http.StatusOK, &adminData{
		Message:      "Added " + u.Username + " as " + u.Role.Label() + ".",
		TempPassword: nu.Password, TempFor: u.Username,
	})
}

// adminSetDisabled serves POST /admin/users/NAME/disable and /enable.
// Disabling ends the user's sessions at once. Administrators cannot
// disable themselves, so the last one cannot lock everyone out.
func (s *Server) adminSetDisabled(disable bool) handlerFunc {
	return func(c *gin.Context) error {
		v := viewerOf(c)
		username := c.Param("username")
		var err error
		msg := "Enabled " + username + "."
		switch {
		case disable && username == v.user.Username:
			return s.renderAdmin(c, http.StatusBadRequest, &adminData{Error: "You cannot disable your own account."})
		case disable:
			err = s.accounts.DisableUser(c.Request.Context(), actor(c, v), username)
			msg = "Disabled " + username + "; their sessions have ended."
		default:
			err = s.accounts.EnableUser(c.Request.Context(), actor(c, v), username)
		}
		if m, ok := adminError(err); ok {
			return s.renderAdmin(c, http.StatusBadRequest, &adminData{Error: m})
		}
		if err != nil {
			return err
		}
		return s.renderAdmin(c, http.StatusOK, &adminData{Message: msg})
	}
}

// adminResetPassword serves POST /admin/users/NAME/password: a new
// temporary password, shown once; the user's sessions end.
func (s *Server) adminResetPassword(c *gin.Context) error {
	v := viewerOf(c)
	username := c.Param("username")
	pw := tempPassword()
	err := s.accounts.ResetPassword(c.Request.Context(), actor(c, v), username, pw)
	if m, ok := adminError(err); ok {
		return s.renderAdmin(c, http.StatusBadRequest, &adminData{Error: m})
	}
	if err != nil {
		return err
	}
	return s.renderAdmin(c, http.StatusOK, &adminData{
		Message:      "Reset the password of " + username + ". They must choose a new one when they next sign in.",
		TempPassword: pw, TempFor: username,
	})
}
