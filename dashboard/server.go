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
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/uptake-nhs/uptake/accounts"
	"github.com/uptake-nhs/uptake/queries"
)

//go:embed static
var staticFiles embed.FS

// Options configure a Server. Accounts is required.
type Options struct {
	// Logger receives one structured line per request and every error.
	// Nil means slog.Default().
	Logger *slog.Logger
	// TrustedProxies lists the proxies (IPs or CIDRs) whose
	// X-Forwarded-For headers are believed. Nil trusts none. The client
	// address it yields goes to the audit log and keys the sign-in rate
	// limit.
	TrustedProxies []string
	// ServiceName is shown in the header and page titles.
	ServiceName string

	// Accounts checks passwords and sessions and keeps the audit log
	// (*accounts.Store). It is required: the dashboard shows data about
	// patients and is never served without sign-in.
	Accounts Accounts
	// DemoAccounts are listed on the sign-in page in a box marked as demo
	// data. Set them only when serving the sample database
	// (accounts.Store.EnsureDemoUsers); their passwords are published.
	DemoAccounts []accounts.DemoAccount
	// ForceSecureCookies marks the cookies Secure, with the __Host- name
	// prefix, even for requests that reached the server over plain HTTP.
	// Deployments must be served over HTTPS; set this when TLS ends at a
	// proxy in front of uptake. Without it, cookies are Secure exactly
	// when the request came over TLS, so a laptop can serve plain
	// http://localhost.
	ForceSecureCookies bool
	// SignInAttemptsPerMinute limits sign-in attempts per client address,
	// whatever the usernames, on top of the throttle per username and
	// address (signinThrottle). Zero means 10.
	SignInAttemptsPerMinute int
	// SignInAttemptsPerMinuteAll limits sign-in attempts from all
	// addresses together, so that guessing spread over many addresses
	// cannot keep the password hashing busy. Zero means 600, a tenth of
	// what two cores can hash.
	SignInAttemptsPerMinuteAll int

	// Loads, when set, lets service leads and administrators load a
	// quarter from the Data page by uploading it as one zip. Nil hides
	// the form, and POST /data/upload answers 404.
	Loads QuarterLoader
	// MaxUploadBytes bounds an uploaded zip (the whole request). Zero
	// means 512 MiB.
	MaxUploadBytes int64
	// UploadDir is the folder uploads are written to while they load,
	// each in a folder of its own removed when its request ends. It is
	// required with Loads: uploads hold patient-level extracts, so it
	// must be private to the server (uptake serve keeps it beside the
	// database, mode 0700, emptied at start), never a shared temporary
	// folder.
	UploadDir string

	// NoAnswerCache makes every JSON answer afresh instead of keeping its
	// bytes until the next load: for measuring the work behind each answer
	// (uptake serve --no-result-cache), never for serving.
	NoAnswerCache bool
	// PDF prints the quarterly pack and the practices' lists for the
	// signed-in downloads (/reports/...) and uptake report
	// (*pdf.Printer). Nil answers the PDF downloads with a message that
	// the server cannot make PDFs; the spreadsheets still download.
	PDF PDFPrinter
	// Area names the area the service covers (a borough, an ICB) on the
	// quarterly pack's cover.
	Area string
}

// Server serves the dashboard. Make one with New.
type Server struct {
	store    Store
	accounts Accounts
	opts     Options
	log      *slog.Logger
	site     *site // the pages, views and sources (site.go)
	pages    map[string]*pageTemplate
	handler  http.Handler
	routes   []route
	// now is the clock for sessions, sign-in attempts and rate limits;
	// tests replace it.
	now func() time.Time
	// answers keeps the serialised JSON answers (answers.go).
	answers answerCache
	// keptPanels keeps the panels pages are made of (pages.go).
	keptPanels keptCache[*panel]
	// Sign-in attempts per client address and from all addresses, and
	// wrong passwords per username and address.
	ipLimit, allLimit *limiter
	throttle          *signinThrottle
	// print is the loopback listener Chromium loads the print pages
	// from (report.go).
	print printServer
}

// routeKind decides how errors are answered: HTML for pages, JSON for
// the API.
type routeKind uint8

const (
	pageRoute routeKind = iota
	apiRoute
)

// route is one entry of the route table. Name identifies the route for
// logs and for access control: accessTable (access.go) says which roles
// may use each name, and a name missing there is refused.
type route struct {
	Name string
	// Method is GET (the default, which also answers HEAD) or POST.
	Method string
	Path   string
	Kind   routeKind
	Handle handlerFunc
	// Upload marks a multipart POST carrying a file: its body may be up
	// to Options.MaxUploadBytes, and it is read only once the role is
	// known to be allowed (guard).
	Upload bool
	// refusal, when set, answers the caller's mistakes (400 and 413)
	// instead of the error page: an upload shows the Data page again
	// with why it was refused.
	refusal func(c *gin.Context, status int, err error)
}

// New builds a Server over store.
func New(store Store, opts Options) (*Server, error) {
	if store == nil {
		return nil, errors.New("dashboard: no store")
	}
	if opts.Accounts == nil {
		return nil, errors.New("dashboard: no accounts: the dashboard is always served behind sign-in")
	}
	if opts.ServiceName == "" {
		opts.ServiceName = "Diabetes education uptake"
	}
	if opts.SignInAttemptsPerMinute <= 0 {
		opts.SignInAttemptsPerMinute = 10
	}
	if opts.SignInAttemptsPerMinuteAll <= 0 {
		opts.SignInAttemptsPerMinuteAll = 600
	}
	if opts.MaxUploadBytes <= 0 {
		opts.MaxUploadBytes = defaultMaxUploadBytes
	}
	if opts.Loads != nil && opts.UploadDir == "" {
		return nil, errors.New("dashboard: Loads needs an UploadDir, a folder private to the server for the uploads")
	}
	s := &Server{store: store, accounts: opts.Accounts, opts: opts, log: opts.Logger, now: time.Now}
	s.answers.off.Store(opts.NoAnswerCache)
	s.keptPanels.off.Store(opts.NoAnswerCache)
	if s.log == nil {
		s.log = slog.Default()
	}
	clock := func() time.Time { return s.now() }
	s.ipLimit = newLimiter(opts.SignInAttemptsPerMinute, clock)
	s.allLimit = newLimiter(opts.SignInAttemptsPerMinuteAll, clock)
	s.throttle = newSigninThrottle(clock)
	var err error
	s.site = newSite()
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
	e.Use(s.requestContext, gin.CustomRecovery(s.logPanic), s.securityHeaders)
	for _, r := range s.routes {
		if r.Method == http.MethodPost {
			e.POST(r.Path, s.handle(r))
			continue
		}
		e.GET(r.Path, s.handle(r))
		e.HEAD(r.Path, s.handle(r))
	}
	e.GET("/static/*file", s.serveStatic)
	e.HEAD("/static/*file", s.serveStatic)
	e.NoRoute(s.noRoute)
	s.handler = http.NewCrossOriginProtection().Handler(e)
	return s, nil
}

// Handler returns the dashboard's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// routeTable lists every page, form and API route. Paths are fixed
// strings or have one parameter; the API has one endpoint per source
// (indicator). Every name must be in accessTable.
func (s *Server) routeTable() []route {
	post := http.MethodPost
	rs := []route{
		{Name: "healthz", Path: "/healthz", Kind: apiRoute, Handle: s.healthz},
		{Name: "signin", Path: "/signin", Kind: pageRoute, Handle: s.signinPage},
		{Name: "signin.submit", Method: post, Path: "/signin", Kind: pageRoute, Handle: s.signinSubmit},
		{Name: "signout", Method: post, Path: "/signout", Kind: pageRoute, Handle: s.signout},
		{Name: "password", Path: "/account/password", Kind: pageRoute, Handle: s.passwordPage},
		{Name: "password.submit", Method: post, Path: "/account/password", Kind: pageRoute, Handle: s.passwordSubmit},
		{Name: "admin", Path: "/admin", Kind: pageRoute, Handle: s.adminPage},
		{Name: "admin.user.add", Method: post, Path: "/admin/users", Kind: pageRoute, Handle: s.adminAddUser},
		{Name: "admin.user.disable", Method: post, Path: "/admin/users/:username/disable", Kind: pageRoute, Handle: s.adminSetDisabled(true)},
		{Name: "admin.user.enable", Method: post, Path: "/admin/users/:username/enable", Kind: pageRoute, Handle: s.adminSetDisabled(false)},
		{Name: "admin.user.password", Method: post, Path: "/admin/users/:username/password", Kind: pageRoute, Handle: s.adminResetPassword},
		{Name: "data.upload", Method: post, Path: "/data/upload", Kind: pageRoute, Handle: s.uploadQuarter, Upload: true, refusal: s.showUploadRefusal},
		{Name: "api.filters", Path: "/api/filters", Kind: apiRoute, Handle: s.apiFilters},
	}
	for _, p := range s.site.pages {
		rs = append(rs, route{Name: p.Name, Path: p.Path, Kind: pageRoute, Handle: s.pageHandler(p)})
	}
	rs = append(rs, route{Name: "practice", Path: "/practices/:code", Kind: pageRoute, Handle: s.practicePage})
	rs = append(rs,
		route{Name: "reports.pack", Path: "/reports/pack.pdf", Kind: pageRoute, Handle: s.downloadPack},
		route{Name: "reports.pack.xlsx", Path: "/reports/pack-practices.xlsx", Kind: pageRoute, Handle: s.downloadPackXLSX},
		route{Name: "reports.practice", Path: "/reports/practice/:file", Kind: pageRoute, Handle: s.downloadPracticeList},
		route{Name: "download", Path: "/download/:file", Kind: apiRoute, Handle: s.download},
		route{Name: "api.chart", Path: "/api/chart/:view", Kind: apiRoute, Handle: s.apiChart},
	)
	for _, src := range s.site.sources {
		rs = append(rs, route{Name: "api." + src.Name, Path: "/api/" + src.Name, Kind: apiRoute, Handle: s.apiSource(src)})
	}
	return rs
}

const routeNameKey = "uptake.route"

// RouteName returns the name of the route serving c (for middleware such
// as access control).
func RouteName(c *gin.Context) string { return c.GetString(routeNameKey) }

// handle adapts a handlerFunc to Gin: it checks sign-in, the form token
// and the access policy (guard), then runs the handler and sends its
// error to fail.
func (s *Server) handle(r route) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Set(routeNameKey, r.Name)
		if r.Upload {
			// An upload's files go before its answer does (a panic's
			// too); uploadQuarter removes them before its redirect.
			defer s.removeUpload(c)
		}
		if err := s.guard(c, r); err != nil {
			s.removeUpload(c)
			s.fail(c, r, err)
			return
		}
		if c.IsAborted() {
			return // guard has answered: the sign-in page, 401 or the password page
		}
		if err := r.Handle(c); err != nil {
			s.removeUpload(c)
			s.fail(c, r, err)
		}
	}
}

// maxFormBytes bounds a POSTed form.
const maxFormBytes = 64 << 10

var errBadFormToken = forbidden("This form has expired or did not come from this site. Go back, reload the page and try again.")

// guard runs before every handler. It finds the signed-in user, sends
// everyone else to the sign-in page (pages) or answers 401 (API), holds a
// user who must change their password to that page, checks the CSRF token
// of every POST, and enforces the access table. When it has answered the
// request itself (a redirect, or 401) it aborts it and returns nil.
func (s *Server) guard(c *gin.Context, r route) error {
	if r.Method == http.MethodPost {
		limit := int64(maxFormBytes)
		if r.Upload {
			limit = s.opts.MaxUploadBytes
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	}
	v, expired, err := s.loadViewer(c)
	if err != nil {
		return err
	}
	if v != nil {
		withViewer(c, v)
	}
	if pol, ok := accessTable[r.Name]; ok && pol.public {
		if r.Method == http.MethodPost && !s.checkSigninCSRF(c) {
			return errBadFormToken
		}
		return nil
	}
	if v == nil {
		s.needSignIn(c, r.Kind, expired)
		return nil
	}
	if v.user.MustChangePassword && r.Name != "password" && r.Name != "password.submit" && r.Name != "signout" {
		if r.Kind == apiRoute {
			return forbidden("Choose a new password first: sign in to the dashboard in a browser.")
		}
		c.Redirect(http.StatusSeeOther, "/account/password")
		c.Abort()
		return nil
	}
	if r.Upload {
		// The role is checked before the (large) body is read, so that a
		// role that may not load never gets a file stored; the form token
		// is in the body, so it is checked after.
		if err := s.authorize(c, r, v); err != nil {
			return err
		}
		if err := s.readUpload(c); err != nil {
			return err
		}
	}
	if r.Method == http.MethodPost && !checkSessionCSRF(c, v) {
		s.log.Warn("form token refused", "request_id", requestID(c), "route", r.Name)
		return errBadFormToken
	}
	return s.authorize(c, r, v)
}

// needSignIn answers a request without a session: pages redirect to the
// sign-in page, which comes back here afterwards; the API answers 401.
func (s *Server) needSignIn(c *gin.Context, kind routeKind, expired bool) {
	if kind == apiRoute || isAPIPath(c.Request.URL.Path) {
		c.AbortWithStatusJSON(http.StatusUnauthorized, errorBody{
			Error: "Sign in first: this API answers only requests with the session cookie of a signed-in user.", Status: http.StatusUnauthorized, RequestID: requestID(c)})
		return
	}
	q := url.Values{}
	if c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead {
		if next := safeNext(c.Request.URL.RequestURI()); next != "/" {
			q.Set("next", next)
		}
	}
	if expired {
		q.Set("reason", "expired")
	}
	c.Redirect(http.StatusFound, withQuery("/signin", q))
	c.Abort()
}

// noRoute answers paths no route has: 404 for a signed-in user; the
// sign-in page (or 401) for anyone else, so that without a session nothing
// can be learnt about which paths exist.
func (s *Server) noRoute(c *gin.Context) {
	r := route{Name: "notfound", Kind: pageRoute}
	if isAPIPath(c.Request.URL.Path) {
		r.Kind = apiRoute
	}
	v, expired, err := s.loadViewer(c)
	if err != nil {
		s.fail(c, r, err)
		return
	}
	if v == nil {
		s.needSignIn(c, r.Kind, expired)
		return
	}
	withViewer(c, v)
	s.fail(c, r, errNotFound)
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
	if m := c.Request.Method; m == http.MethodGet || m == http.MethodHead {
		// A GET loads nothing, so it reads one data version throughout.
		c.Request = c.Request.WithContext(queries.PinDataVersion(c.Request.Context()))
	}
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
// as HTML with style attributes. Forms may post only to this site, no
// page may be framed, and no <base> may redirect relative links.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
	"form-action 'self'; frame-ancestors 'none'"

// permissionsPolicy turns off browser features no page uses.
const permissionsPolicy = "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()"

// securityHeaders sets the headers of every answer. Cache-Control: no-store
// keeps pages, API answers and downloads (work lists name patients) out of
// browser and proxy caches unless an answer says otherwise: kept JSON
// aggregates and the assets (answers.go, static.go).
func (s *Server) securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Permissions-Policy", permissionsPolicy)
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	if s.secure(c.Request) {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	c.Next()
}

func isAPIPath(p string) bool { return p == "/api" || strings.HasPrefix(p, "/api/") }

// healthz answers load balancers and the browser tests.
func (s *Server) healthz(c *gin.Context) error {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
	return nil
}
