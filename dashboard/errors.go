package dashboard

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"
)

// ErrNotFound is returned by handlers (and may be returned by the store)
// for a page or record that does not exist, such as an unknown practice.
var ErrNotFound = errors.New("not found")

// badRequester is satisfied by errors that are the caller's fault, such as
// *queries.FilterError. Their message is written for the user.
type badRequester interface{ BadRequest() bool }

// forbidder is satisfied by errors that refuse the signed-in user
// (forbiddenError). Their message is written for the user.
type forbidder interface{ Forbidden() bool }

// handlerFunc is the shape of every handler: it writes a response or
// returns an error, and handle maps the error to a status in one place.
type handlerFunc func(c *gin.Context) error

// errorBody is the JSON form of an error.
type errorBody struct {
	Error     string `json:"error"`
	Status    int    `json:"status"`
	RequestID string `json:"request_id,omitempty"`
}

// fail answers err: 400 with the message for the caller's mistakes, 403
// with the message for what the user's role does not allow, 404 for
// ErrNotFound, and 500 with only the request id for everything else
// (the details go to the log, never to the client).
func (s *Server) fail(c *gin.Context, r route, err error) {
	id := requestID(c)
	status, msg := http.StatusInternalServerError, "Something went wrong on our side. If it keeps happening, tell the service desk this reference: "+id+"."
	var br badRequester
	var fb forbidder
	var ur *uploadRefusal
	switch {
	case errors.As(err, &ur):
		s.refuseUpload(c, ur)
		return
	case errors.As(err, &br) && br.BadRequest():
		status, msg = http.StatusBadRequest, err.Error()
	case errors.As(err, &fb) && fb.Forbidden():
		status, msg = http.StatusForbidden, err.Error()
	case errors.Is(err, ErrNotFound):
		status, msg = http.StatusNotFound, "There is no such page. Check the address, or start again from the overview."
	case errors.Is(err, context.Canceled) && c.Request.Context().Err() != nil:
		// The browser went away; nobody is left to answer.
		s.log.Info("request cancelled", "request_id", id, "route", r.Name)
		c.Abort()
		return
	}
	if status == http.StatusInternalServerError {
		s.log.Error("request failed", "request_id", id, "route", r.Name, "err", err)
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
