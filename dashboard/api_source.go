package dashboard

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/uptake-nhs/uptake/queries"
)

// apiSource answers /api/NAME: the indicator's result for the filters, as
// JSON, exactly as package queries returns it (counts already under the
// disclosure rule, suppressed counts as "*"), with one page of its long
// list for the sources in pagedSources. Aggregates are kept per data
// version, audience and query, with an ETag (sendJSON); answers that may
// name people are made afresh, audited and never stored.
func (s *Server) apiSource(src *source) handlerFunc {
	pager := pagedSources[src]
	return func(c *gin.Context) error {
		f, _, err := s.filter(c)
		if err != nil {
			return err
		}
		q := c.Request.URL.Query()
		var page queries.ListPage
		if pager != nil {
			if page, err = parseListPage(q); err != nil {
				return err
			}
		}
		load := func(ctx context.Context) (any, error) {
			result, err := src.load(ctx, s.store, f, q)
			if err != nil {
				return nil, err
			}
			if pager != nil {
				result = pager(result, page)
			}
			if src.api != nil {
				// The source's own shaping of its answer (the
				// benchmark's paging and density at scale).
				return src.api(result, q)
			}
			return result, nil
		}
		if !accessTable["api."+src.Name].sensitive {
			return s.sendJSON(c, "api "+src.Name, f, load)
		}
		result, err := load(c.Request.Context())
		if err != nil {
			return err
		}
		// Rows that may name people leave as JSON as they would as a
		// download, so they are audited the same way.
		rows := -1
		if v, ok := s.site.view(src.Name); ok {
			rows = len(v.table(result, linker{filter: f}).Rows)
		}
		if err := s.auditRows(c, "api "+src.Name, rows, true); err != nil {
			return err
		}
		return sendPersonalJSON(c, result)
	}
}

// pagedSources are the sources whose JSON answers one page of a long list
// (limit and offset; queries.ListPage): at England scale their whole
// lists are over a megabyte. Pages and downloads read the whole result;
// the page tables show its first rows and say how many there are.
var pagedSources = map[*source]func(result any, p queries.ListPage) any{
	srcFollowUp.source:  func(r any, p queries.ListPage) any { return r.(queries.FollowUp).Paged(p) },
	srcCoding.source:    func(r any, p queries.ListPage) any { return r.(queries.CodingCompleteness).Paged(p) },
	srcCampaigns.source: func(r any, p queries.ListPage) any { return r.(queries.CampaignEffect).Paged(p) },
}

// parseListPage reads limit (1 to queries.MaxListLimit, or "all";
// queries.DefaultListLimit when not given) and offset from q. A bad value
// is an invalid-request error.
func parseListPage(q url.Values) (queries.ListPage, error) {
	p := queries.ListPage{}
	var err error
	if p.Limit, p.Offset, err = parseLimitOffset(q, queries.DefaultListLimit, queries.MaxListLimit); err != nil {
		return p, err
	}
	return p, p.Check()
}

// parseLimitOffset reads a page of a long answer from q: limit, from 1 to
// most or "all" (0), def when not given; and offset, 0 or more. A bad
// value is an invalid-request error that says what is allowed.
func parseLimitOffset(q url.Values, def, most int) (limit, offset int, err error) {
	limit = def
	switch v := strings.TrimSpace(q.Get("limit")); v {
	case "":
	case "all":
		limit = 0
	default:
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > most {
			return 0, 0, invalid("limit must be a whole number from 1 to " + groupThousands(strconv.Itoa(most)) + ", or all.")
		}
		limit = n
	}
	if v := strings.TrimSpace(q.Get("offset")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return 0, 0, invalid("offset must be a whole number, 0 or more.")
		}
		offset = n
	}
	return limit, offset, nil
}
