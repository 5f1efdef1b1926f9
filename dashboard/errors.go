package dashboard

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/uptake-nhs/uptake"
)

// codes is the HTTP status of each error code of package uptake: the one
// place that decides how an error is answered. An error without a code is
// internal (500).
var codes = map[string]int{
	uptake.EINVALID:   http.StatusBadRequest,
	uptake.ECEILING:   http.StatusBadRequest,
	uptake.EFORBIDDEN: http.StatusForbidden,
	uptake.ENOTFOUND:  http.StatusNotFound,
	uptake.ETOOLARGE:  http.StatusRequestEntityTooLarge,
	uptake.EINTERNAL:  http.StatusInternalServerError,
}

// errNotFound answers a page or record that does not exist, such as an
// unknown practice or view.
var errNotFound = &uptake.Error{Code: uptake.ENOTFOUND, Message: "There is no such page. Check the address, or start again from the overview."}

// invalid is a mistake in the request other than a filter (those are
// *queries.FilterError), such as an unknown download format. msg is for
// the user.
func invalid(msg string) *uptake.Error { return &uptake.Error{Code: uptake.EINVALID, Message: msg} }

// forbidden is a request the user's role does not allow. msg is for the
// user.
func forbidden(msg string) *uptake.Error { return &uptake.Error{Code: uptake.EFORBIDDEN, Message: msg} }

// handlerFunc is the shape of every handler: it writes a response or
// returns an error, and handle maps the error to a status in one place.
type handlerFunc func(c *gin.Context) error

// errorBody is the JSON form of an error.
type errorBody struct {
	Error     string `json:"error"`
	Status    int    `json:"status"`
	RequestID string `json:"request_id,omitempty"`
}

// fail answers err with the status of its code (codes) and its message,
// written for the user; an internal error is answered with only the
// request id (the details go to the log, never to the client). A route
// with a refusal page shows the caller's mistakes there instead.
func (s *Server) fail(c *gin.Context, r route, err error) {
	id := requestID(c)
	status, ok := codes[uptake.ErrorCode(err)]
	if !ok {
		status = http.StatusInternalServerError
	}
	msg := uptake.ErrorMessage(err)
	if status == http.StatusInternalServerError {
		if errors.Is(err, context.Canceled) && c.Request.Context().Err() != nil {
			// The browser went away; nobody is left to answer.
			s.log.Info("request cancelled", "request_id", id, "route", r.Name)
			c.Abort()
			return
		}
		msg = "Something went wrong on our side. If it keeps happening, tell the service desk this reference: " + id + "."
		s.log.Error("request failed", "request_id", id, "route", r.Name, "err", err)
	}
	if r.refusal != nil && (status == http.StatusBadRequest || status == http.StatusRequestEntityTooLarge) {
		r.refusal(c, status, err)
		return
	}
	c.Error(err) //nolint:errcheck // recorded for the request log only
	if c.Writer.Written() {
		// Too late to change the status; the log has the error.
		c.Abort()
		return
	}
	if r.Kind == apiRoute {
		c.AbortWithStatusJSON(status, errorBody{Error: msg, Status: status, RequestID: id})
		return
	}
	s.renderError(c, status, msg)
}

// renderError writes the HTML error page. It never fails the request a
// second time: if the template breaks, a plain-text answer goes out.
func (s *Server) renderError(c *gin.Context, status int, msg string) {
	title := http.StatusText(status)
	switch status {
	case http.StatusForbidden:
		title = "You do not have access to this"
	case http.StatusNotFound:
		title = "Page not found"
	}
	p := s.newPage(c, "error", title)
	p.Error = msg
	p.Status = status
	if err := s.render(c, status, "error", p); err != nil {
		s.log.Error("rendering error page", "request_id", requestID(c), "err", err)
		c.Data(status, "text/plain; charset=utf-8", []byte(msg+"\n"))
	}
	c.Abort()
}

// logPanic is the recovery handler: a panic becomes a 500 like any other
// error, with its value in the log.
func (s *Server) logPanic(c *gin.Context, recovered any) {
	s.log.Error("panic", "request_id", requestID(c), "route", c.FullPath(), "panic", slog.AnyValue(recovered))
	if c.Writer.Written() {
		c.Abort()
		return
	}
	if isAPIPath(c.Request.URL.Path) {
		c.AbortWithStatusJSON(http.StatusInternalServerError, errorBody{Error: "internal error", Status: 500, RequestID: requestID(c)})
		return
	}
	s.renderError(c, http.StatusInternalServerError, "Something went wrong on our side. Reference: "+requestID(c)+".")
}
