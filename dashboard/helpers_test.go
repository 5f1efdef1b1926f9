package dashboard

import (
	"net/http/httptest"

	"github.com/gin-gonic/gin"
)

func ginTestContext(rec *httptest.ResponseRecorder) (*gin.Context, *gin.Engine) {
	c, e := gin.CreateTestContext(rec)
	c.Request = httptest.NewRequest("GET", "/api/x", nil)
	return c, e
}

// testSite is the dashboard's pages, views and sources, for tests that
// visit every one.
var testSite = newSite()

// sourceNamed is the source of the API route /api/NAME, or nil.
func sourceNamed(name string) *source {
	for _, src := range testSite.sources {
		if src.Name == name {
			return src
		}
	}
	return nil
}
