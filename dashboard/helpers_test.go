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
