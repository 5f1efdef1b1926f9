package dashboard

import (
	"context"
	"database/sql"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/uptake-nhs/uptake/db"
	"github.com/uptake-nhs/uptake/ingest"
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

// mustLoadDB opens a new database file in a temporary folder and loads
// the quarter folders into it, in order, with the real loader, which it
// returns for tests that load more later.
func mustLoadDB(tb testing.TB, folders ...string) (*sql.DB, *ingest.Loader) {
	tb.Helper()
	ctx := context.Background()
	conn, err := db.Open(ctx, filepath.Join(tb.TempDir(), "uptake.duckdb"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { conn.Close() })
	loader := &ingest.Loader{DB: conn}
	for _, f := range folders {
		if _, err := loader.LoadQuarter(ctx, f); err != nil {
			tb.Fatalf("loading %s: %v", f, err)
		}
	}
	return conn, loader
}
