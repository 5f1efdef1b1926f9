// Package dashboard is uptake's web interface: a Gin server whose pages
// show the indicators of package queries as charts with the table of their
// numbers beneath, plus a JSON API with one endpoint per indicator and
// CSV/XLSX downloads of every table.
//
// The dashboard is thin: it never writes SQL and never computes a
// statistic. Each handler parses the filter, asks the Store, and turns the
// typed result into a Table (views.go) and an ECharts option (package
// charts), which uptake.js draws in the browser.
package dashboard

import (
	"crypto/rand"
	"embed"
	"encoding/hex"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

//go:embed static
var staticFiles embed.FS

// Options configure a Server. The zero value is usable.
type Options struct {
	// Logger receives one structured line per request and every error.
	// Nil means slog.Default().
	Logger *slog.Logger
	// TrustedProxies lists the proxies (IPs or CIDRs) whose
	// X-Forwarded-For headers are believed. Nil trusts none.
	TrustedProxies []string
	// ServiceName is shown in the header and page titles.
	ServiceName string
}

// Server serves the dashboard. Make one with New.
type Server struct {
	store   Store
	opts    Options
	log     *slog.Logger
	pages   map[string]*pageTemplate
	static  fs.FS
	handler http.Handler
	routes  []route
}

// routeKind decides how errors are answered: HTML for pages, JSON for
// the API.
type routeKind uint8

const (
	pageRoute routeKind = iota
	apiRoute
)

// route is one entry of the route table. Name identifies the route for
// logs and, later, for access control: a middleware can look up the name
// (RouteName) and decide which roles may use it.
type route struct {
	Name   string
	Path   string
	Kind   routeKind
	Handle handlerFunc
}

// New builds a Server over store.
func New(store Store, opts Options) (*Server, error) {
	if store == nil {
		return nil, errors.New("dashboard: no store")
	}
	if opts.ServiceName == "" {
		opts.ServiceName = "Diabetes education uptake"
	}
	s := &Server{store: store, opts: opts, log: opts.Logger}
	if s.log == nil {
		s.log = slog.Default()
	}
	var err error
	if s.static, err = fs.Sub(staticFiles, "static"); err != nil {
		return nil, err
	}
	if s.pages, err = parsePages(); err != nil {
		return nil, err
	}
	s.routes = s.routeTable()

	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	if err := e.SetTrustedProxies(opts.TrustedProxies); err != nil {
		return nil, err
	}
	e.RedirectTrailingSlash = true
	e.HandleMethodNotAllowed = false
	e.Use(s.requestContext, gin.CustomRecovery(s.logPanic), securityHeaders)
	for _, r := range s.routes {
		e.GET(r.Path, s.handle(r))
		e.HEAD(r.Path, s.handle(r))
	}
	e.GET("/static/*file", s.serveStatic)
	e.HEAD("/static/*file", s.serveStatic)
	e.NoRoute(func(c *gin.Context) {
		r := route{Name: "notfound", Kind: pageRoute}
		if isAPIPath(c.Request.URL.Path) {
			r.Kind = apiRoute
		}
		s.fail(c, r, ErrNotFound)
	})
	s.handler = http.NewCrossOriginProtection().Handler(e)
	return s, nil
}

// Handler returns the dashboard's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// routeTable lists every page and API route. Paths are fixed strings or
// have one parameter; the API has one endpoint per source (indicator).
func (s *Server) routeTable() []route {
	rs := []route{
		{Name: "healthz", Path: "/healthz", Kind: apiRoute, Handle: s.healthz},
		{Name: "api.filters", Path: "/api/filters", Kind: apiRoute, Handle: s.apiFilters},
	}
	for _, p := range pageList {
		rs = append(rs, route{Name: p.Name, Path: p.Path, Kind: pageRoute, Handle: s.pageHandler(p)})
	}
	rs = append(rs, route{Name: "practice", Path: "/practices/:code", Kind: pageRoute, Handle: s.practicePage})
	rs = append(rs,
		route{Name: "download", Path: "/download/:file", Kind: apiRoute, Handle: s.download},
		route{Name: "api.chart", Path: "/api/chart/:view", Kind: apiRoute, Handle: s.apiChart},
	)
	for _, src := range sourceList {
		rs = append(rs, route{Name: "api." + src.Name, Path: "/api/" + src.Name, Kind: apiRoute, Handle: s.apiSource(src)})
	}
	return rs
}

const routeNameKey = "uptake.route"

// RouteName returns the name of the route serving c (for middleware such
// as access control).
func RouteName(c *gin.Context) string { return c.GetString(routeNameKey) }

// handle adapts a handlerFunc to Gin and sends its error to fail.
func (s *Server) handle(r route) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Set(routeNameKey, r.Name)
		if err := r.Handle(c); err != nil {
			s.fail(c, r, err)
		}
	}
}

const requestIDKey = "uptake.request_id"

func requestID(c *gin.Context) string { return c.GetString(requestIDKey) }

// requestContext gives each request an id (sent back as X-Request-Id) and
// logs one line when it ends. The log has the route pattern, never the raw
// URL: query strings may carry values nobody should find in a log.
func (s *Server) requestContext(c *gin.Context) {
	var b [8]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	c.Set(requestIDKey, id)
	c.Header("X-Request-Id", id)
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "(no route)"
	}
	s.log.LogAttrs(c.Request.Context(), slog.LevelInfo, "request",
		slog.String("request_id", id),
		slog.String("method", c.Request.Method),
		slog.String("route", route),
		slog.Int("status", c.Writer.Status()),
		slog.Int("bytes", c.Writer.Size()),
		slog.Duration("duration", time.Since(start)),
	)
}

// contentSecurityPolicy allows nothing from other origins and no inline
// script. Inline styles are allowed because ECharts writes its tooltips
// as HTML with style attributes.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
	"form-action 'self'; frame-ancestors 'none'"

func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	c.Next()
}

func isAPIPath(p string) bool { return p == "/api" || strings.HasPrefix(p, "/api/") }

// serveStatic serves the embedded scripts, styles and vendored assets.
func (s *Server) serveStatic(c *gin.Context) {
	name := strings.TrimPrefix(c.Param("file"), "/")
	if name == "" || strings.HasSuffix(name, "/") {
		s.fail(c, route{Name: "static", Kind: pageRoute}, ErrNotFound)
		return
	}
	if _, err := fs.Stat(s.static, name); err != nil {
		s.fail(c, route{Name: "static", Kind: pageRoute}, ErrNotFound)
		return
	}
	c.Header("Cache-Control", "public, max-age=3600")
	c.FileFromFS(name, http.FS(s.static))
}

// healthz answers load balancers and the browser tests.
func (s *Server) healthz(c *gin.Context) error {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
	return nil
}
