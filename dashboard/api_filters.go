package dashboard

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/uptake-nhs/uptake/queries"
)

// apiFilters answers /api/filters with the values each filter can take.
func (s *Server) apiFilters(c *gin.Context) error {
	return s.sendJSON(c, "api filters", queries.Filter{}, func(ctx context.Context) (any, error) {
		return s.store.FilterOptions(ctx)
	})
}
