package dashboard

import (
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"
)

// apiSource answers /api/NAME: the indicator's result for the filters, as
// JSON, exactly as package queries returns it (counts already under the
// disclosure rule, suppressed counts as "*").
func (s *Server) apiSource(src *source) handlerFunc {
	return func(c *gin.Context) error {
		f, _, err := s.filter(c)
		if err != nil {
			return err
		}
		result, err := src.load(c.Request.Context(), s.store, f, c.Request.URL.Query())
		if err != nil {
			return err
		}
		// Rows that may name people leave as JSON as they would as a
		// download, so they are audited the same way.
		if accessTable["api."+src.Name].sensitive {
			rows := -1
			if v, ok := s.site.view(src.Name); ok {
				rows = len(v.table(result, linker{filter: f}).Rows)
			}
			if err := s.auditRows(c, "api "+src.Name, rows, true); err != nil {
				return err
			}
		}
		if src.api != nil {
			if result, err = src.api(result, c.Request.URL.Query()); err != nil {
				return err
			}
		}
		return writeJSON(c, result)
	}
}

// writeJSON writes v with encoding/json, which escapes <, > and & so a
// value can never become markup, even if a browser sniffs the type.
func writeJSON(c *gin.Context, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/json; charset=utf-8", b)
	return nil
}
