package dashboard

import (
	"context"

	"github.com/gin-gonic/gin"
)

// apiChart answers /api/chart/VIEW with the view's ECharts option and
// click-through links: the JSON a page embeds for the chart, for scripts
// that want one chart without the page.
func (s *Server) apiChart(c *gin.Context) error {
	v, ok := s.site.view(c.Param("view"))
	if !ok || v.chart == nil {
		return errNotFound
	}
	f, _, err := s.filter(c)
	if err != nil {
		return err
	}
	build := func(ctx context.Context) (any, error) {
		res := &results{store: s.store, query: c.Request.URL.Query()}
		result, err := res.get(ctx, v.Source, f)
		if err != nil {
			return nil, err
		}
		return v.chart(result, linker{filter: f}), nil
	}
	if accessTable["api."+v.Source.Name].sensitive {
		result, err := build(c.Request.Context())
		if err != nil {
			return err
		}
		return sendPersonalJSON(c, result)
	}
	return s.sendJSON(c, "chart "+v.Name, f, build)
}
