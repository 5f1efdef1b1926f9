package dashboard

import (
	"github.com/gin-gonic/gin"
)

// apiFilters answers /api/filters with the values each filter can take.
func (s *Server) apiFilters(c *gin.Context) error {
	opts, err := s.store.FilterOptions(c.Request.Context())
	if err != nil {
		return err
	}
	return writeJSON(c, opts)
}
