package dashboard

import (
	"fmt"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/uptake-nhs/uptake/accounts"
	"github.com/uptake-nhs/uptake/queries"
)

// actionAccessDenied records a refused request: a role asking for a route
// it may not use, or a practice user asking for another practice's work
// list.
const actionAccessDenied = accounts.ActionAccessDenied

// audit writes an event to the audit log as the request's user, from the
// client's address (c.ClientIP believes X-Forwarded-For only from
// Options.TrustedProxies). A failure to write is logged and returned;
// most callers carry on (the request has been decided), but answers that
// name people are not sent unrecorded (auditRows).
func (s *Server) audit(c *gin.Context, v *viewer, action accounts.Action, detail string) error {
	var actor accounts.Actor
	if v != nil {
		actor = v.user.Actor(c.ClientIP())
	} else {
		actor = accounts.Actor{RemoteAddr: c.ClientIP()}
	}
	e := accounts.Event{At: s.now(), Username: actor.Username, Role: actor.Role, Action: action, Detail: detail, RemoteAddr: actor.RemoteAddr}
	err := s.accounts.Audit(c.Request.Context(), e)
	if err != nil {
		s.log.Error("writing the audit log", "request_id", requestID(c), "action", string(action), "err", err)
	}
	return err
}

// auditDenied records a refused request.
func (s *Server) auditDenied(c *gin.Context, v *viewer, resource, detail string) {
	_ = s.audit(c, v, actionAccessDenied, resource+": "+detail) // logged; the refusal stands
}

// actor is the request's user as the actor of a change (admin actions).
func actor(c *gin.Context, v *viewer) accounts.Actor {
	return v.user.Actor(c.ClientIP())
}

// auditRows records a download (or an API answer of rows that may name
// people): what, with which filters and parameters, and how many rows.
// Never the rows themselves: the detail holds no patient identifier, only
// the filters (quarters, practice codes, networks...) and the rejected-rows
// narrowing (quarter, file, rule, page) of the query string. When the log
// cannot be written, rows that may name people (sensitive) are not sent:
// the error comes back for a 500; other downloads go out.
func (s *Server) auditRows(c *gin.Context, what string, rows int, sensitive bool) error {
	detail := what
	q := c.Request.URL.Query()
	known := url.Values{}
	for _, k := range append(queries.FilterFields[:len(queries.FilterFields):len(queries.FilterFields)], rejectedParams...) {
		if v, ok := q[k]; ok {
			known[k] = v
		}
	}
	if len(known) > 0 {
		detail += " " + known.Encode()
	}
	if rows >= 0 {
		detail += " (" + strconv.Itoa(rows) + " rows)"
	}
	if err := s.audit(c, viewerOf(c), accounts.ActionDownload, detail); err != nil && sensitive {
		return fmt.Errorf("not sending %s unrecorded: %w", what, err)
	}
	return nil
}
