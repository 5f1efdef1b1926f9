package dashboard

import (
	"compress/gzip"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"
)

// Static assets: the embedded scripts, styles and vendored files
// (dashboard/static). Each is read, digested and gzipped once, on first
// use (gzipping ECharts takes tens of milliseconds, which every test
// server would otherwise pay at start), and served from memory with an
// ETag. Pages link them with a version in the URL (assetURL), so browsers
// keep them for a year and fetch them again only when the binary's copy
// changes; a URL without the current version is revalidated every time.

// staticAssets is the assets made so far, by name.
type staticAssets struct {
	fsys fs.FS
	mu   sync.Mutex
	m    map[string]*staticAsset
}

// staticAsset is one asset, read and digested once (pages need its
// version), and compressed once when it is first served.
type staticAsset struct {
	once, gzOnce sync.Once
	a            *answer
	version      string // a digest of the file, for its URL
	err          error
}

// assets are the files under dashboard/static.
var assets = func() *staticAssets {
	sub, err := fs.Sub(staticFiles, "static")
	if err != nil {
		panic(err) // "static" is a valid path: cannot happen
	}
	return &staticAssets{fsys: sub, m: map[string]*staticAsset{}}
}()

// get returns the asset called name (a path under static), compressed
// when serve is set, or an error when there is no such file.
func (sa *staticAssets) get(name string, serve bool) (*answer, string, error) {
	if name == "" || strings.HasSuffix(name, "/") || !fs.ValidPath(name) {
		return nil, "", errNotFound
	}
	sa.mu.Lock()
	as := sa.m[name]
	if as == nil {
		as = &staticAsset{}
		sa.m[name] = as
	}
	sa.mu.Unlock()
	as.once.Do(func() {
		b, err := fs.ReadFile(sa.fsys, name)
		if err != nil {
			as.err = errNotFound
			return
		}
		ct := mime.TypeByExtension(path.Ext(name))
		if ct == "" {
			ct = http.DetectContentType(b)
		}
		as.a = newAnswer(ct, b, "", 0)
		as.version = as.a.etag[1:13]
	})
	if serve && as.err == nil {
		// Made once and kept for the life of the process, so the best
		// level is worth its time: ECharts shrinks from 1 MB to about
		// 330 kB.
		as.gzOnce.Do(func() { as.a.compress(gzip.BestCompression) })
	}
	return as.a, as.version, as.err
}

// assetURL is the URL of a static asset with its version, for templates:
// {{asset "uptake.js"}} is /static/uptake.js?v=DIGEST. A name that is not
// an asset is a programming error the page tests catch: its URL has no
// version and answers 404.
func assetURL(name string) string {
	_, version, err := assets.get(name, false)
	if err != nil {
		return "/static/" + name
	}
	return "/static/" + name + "?v=" + version
}

// serveStatic serves an asset: for a year, immutable, when the URL names
// its current version (v); otherwise to be revalidated with its ETag on
// every use.
func (s *Server) serveStatic(c *gin.Context) {
	a, version, err := assets.get(strings.TrimPrefix(c.Param("file"), "/"), true)
	if err != nil {
		s.fail(c, route{Name: "static", Kind: pageRoute}, errNotFound)
		return
	}
	cc := cacheRevalidate
	if v := c.Query("v"); v != "" && v == version {
		cc = cacheVersion
	}
	sendAnswer(c, a, cc)
}
