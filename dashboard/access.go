package dashboard

import (
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/uptake-nhs/uptake/accounts"
	"github.com/uptake-nhs/uptake/queries"
)

// Who may use which route. This file is the dashboard's whole access
// policy: accessTable maps every route name of the route table to the
// roles allowed, and authorize enforces it before any handler runs. A
// route missing from the table is refused (TestEveryRouteIsInTheAccessTable
// makes that a test failure rather than a surprise).
//
// The domain rule behind the work lists: they name people (by pseudonym),
// so "a practice's own identifiable work lists are shown only to that
// practice". Commissioners, service leads and administrators never see
// them; a practice user sees only their own practice's, whatever code they
// put in the address. The rejected rows on the Data page may hold
// pseudonyms too, so the Data page is for service leads and administrators.

// access is the policy of one route.
type access struct {
	// public routes need no sign-in: the sign-in page, health checks.
	public bool
	// anyone signed in may use the route, whatever their role (signing
	// out, changing one's password).
	anyone bool
	// roles may use the route.
	roles []accounts.Role
	// workList routes answer one practice's identifiable work list: on top
	// of the role, the user must belong to the practice named by the
	// practice filter (accounts.User.CanSeeWorkList).
	workList bool
	// byView routes (downloads, chart data) take a view name from the
	// path: they are allowed exactly when the API route of the view's
	// source is, so a download never shows more than the JSON would.
	byView bool
	// sensitive routes answer rows that may hold pseudonyms (work lists,
	// rejected rows): every answer is written to the audit log.
	sensitive bool
	// practiceFile routes name the practice in the path, as the file
	// CODE.pdf or CODE.xlsx (a practice's quarterly list), not in the
	// practice filter; workList then checks that practice.
	practiceFile bool
}

var (
	allRoles  = accounts.Roles()
	dataRoles = []accounts.Role{accounts.RoleServiceLead, accounts.RoleAdmin}
	adminOnly = []accounts.Role{accounts.RoleAdmin}

	public     = access{public: true}
	signedIn   = access{anyone: true}
	aggregates = access{roles: allRoles}
	dataFiles  = access{roles: dataRoles}
	ownList    = access{roles: []accounts.Role{accounts.RolePractice}, workList: true, sensitive: true}
	perView    = access{byView: true}
	adminPage  = access{roles: adminOnly}
	// The quarterly pack is the commissioner's report, under the
	// disclosure rule; a practice's quarterly list names its patients and
	// goes to that practice alone ("only that practice's people, ever").
	packRoles    = access{roles: []accounts.Role{accounts.RoleCommissioner, accounts.RoleServiceLead, accounts.RoleAdmin}}
	practiceList = access{roles: []accounts.Role{accounts.RolePractice}, workList: true, sensitive: true, practiceFile: true}
)

// accessTable is the role of every route, by route name. Aggregates (counts
// under the disclosure rule, rates, intervals) are for every role.
var accessTable = map[string]access{
	// Signing in and out. ("static" is served by serveStatic, outside the
	// route table: the scripts and styles the sign-in page needs.)
	"healthz":         public,
	"static":          public,
	"signin":          public,
	"signin.submit":   public,
	"signout":         signedIn,
	"password":        signedIn,
	"password.submit": signedIn,

	// Pages. The practice page is an aggregate page; its work-list panels
	// are added only for the practice's own users (page_practice.go).
	"overview":     aggregates,
	"spc":          aggregates,
	"pathway":      aggregates,
	"practices":    aggregates,
	"practice":     aggregates,
	"nonattenders": aggregates,
	"venues":       aggregates,
	"equity":       aggregates,
	"data":         dataFiles,
	"data.upload":  dataFiles,

	// Administration.
	"admin":               adminPage,
	"admin.user.add":      adminPage,
	"admin.user.disable":  adminPage,
	"admin.user.enable":   adminPage,
	"admin.user.password": adminPage,

	// The quarterly reports (report.go).
	"reports.pack":      packRoles,
	"reports.pack.xlsx": packRoles,
	"reports.practice":  practiceList,

	// Downloads and chart data follow the view's source.
	"download":  perView,
	"api.chart": perView,

	// The JSON API, one route per source.
	"api.filters":               aggregates,
	"api.headline":              aggregates,
	"api.trends":                aggregates,
	"api.spc":                   aggregates,
	"api.funnel":                aggregates,
	"api.conversion":            aggregates,
	"api.time-to-first-session": aggregates,
	"api.session-retention":     aggregates,
	"api.benchmark":             aggregates,
	"api.campaigns":             aggregates,
	"api.equity":                aggregates,
	"api.followup":              aggregates,
	"api.coding":                aggregates,
	"api.practice-trends":       aggregates,
	"api.practice-summary":      aggregates,
	"api.capacity":              aggregates,
	"api.demand-heatmap":        aggregates,
	"api.fill-rates":            aggregates,
	"api.course-fills":          aggregates,
	"api.waits-by-slot":         aggregates,
	"api.followup-worklist":     ownList,
	"api.coding-worklist":       ownList,
	"api.loads":                 dataFiles,
	"api.data-quality":          dataFiles,
	"api.rejected-rows":         {roles: dataRoles, sensitive: true},
}

// policyFor returns the policy of route name r, resolving per-view routes
// to the policy of the view's source. ok is false for a route (or source)
// missing from the table, which authorize refuses.
func (s *Server) policyFor(r route, c *gin.Context) (pol access, resource string, ok bool) {
	pol, ok = accessTable[r.Name]
	resource = r.Name
	if !ok || !pol.byView {
		return pol, resource, ok
	}
	v, found := s.site.view(viewParam(r, c))
	if !found {
		// Unknown views are the handler's 404; any signed-in role may
		// learn that a view does not exist.
		return aggregates, resource, true
	}
	resource = "api." + v.Source.Name
	pol, ok = accessTable[resource]
	return pol, resource, ok && !pol.byView
}

// viewParam is the view a per-view route names: /download/VIEW.csv or
// /api/chart/VIEW.
func viewParam(r route, c *gin.Context) string {
	switch r.Name {
	case "download":
		file := c.Param("file")
		return strings.TrimSuffix(file, path.Ext(file))
	case "api.chart":
		return c.Param("view")
	}
	return ""
}

// allows reports whether the role is among the policy's roles.
func (a access) allows(role accounts.Role) bool {
	return a.public || a.anyone || slices.Contains(a.roles, role)
}

var (
	errRoleForbidden = forbidden("Your account does not give access to this page or data. " +
		"If you need it for your work, ask an administrator.")
	errWorkListForbidden = forbidden("Work lists name patients, so a practice's work lists are shown only to that practice's own staff. " +
		"You can see the practice's figures on its page.")
)

// authorize decides whether v may use route r for this request. It returns
// nil, a forbidden error (uptake.EFORBIDDEN), or a filter error when the practice named is
// malformed (400, as the handler would answer).
func (s *Server) authorize(c *gin.Context, r route, v *viewer) error {
	pol, resource, ok := s.policyFor(r, c)
	if !ok {
		s.log.Error("route missing from the access table; refused", "route", r.Name, "resource", resource)
		return errRoleForbidden
	}
	if pol.public || pol.anyone {
		return nil
	}
	if !pol.allows(v.user.Role) {
		s.auditDenied(c, v, resource, "role "+string(v.user.Role)+" may not use "+resource)
		if pol.workList {
			return errWorkListForbidden
		}
		return errRoleForbidden
	}
	if pol.workList {
		// Read the practice exactly as the handler will: the same parser
		// over the same query string.
		f, err := queries.ParseFilter(c.Request.URL.Query())
		if err != nil {
			return err
		}
		if pol.practiceFile {
			f.Practice = practiceFileCode(c.Param("file"))
		}
		if f.Practice == "" {
			return nil // the handler asks which practice (400); nothing is shown
		}
		if !v.user.CanSeeWorkList(f.Practice) {
			s.auditDenied(c, v, resource, fmt.Sprintf("work list of %s asked for by a user of %s", f.Practice, v.user.PracticeCode))
			return errWorkListForbidden
		}
	}
	return nil
}

// mayOpen reports whether the viewer's role may open the route named, for
// links in the navigation.
func (v *viewer) mayOpen(routeName string) bool {
	if v == nil {
		return false
	}
	pol, ok := accessTable[routeName]
	return ok && pol.allows(v.user.Role)
}

// safeNext returns raw if it is a path on this site to come back to after
// signing in, and "/" otherwise: only a local absolute path (never
// "//host" or "/\host", which browsers treat as another site), with its
// query, and never the sign-in or sign-out pages themselves.
func safeNext(raw string) string {
	if raw == "" || len(raw) > 2000 || raw[0] != '/' || strings.HasPrefix(raw, "//") || strings.ContainsAny(raw, "\\\x00\r\n\t") {
		return "/"
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") {
		return "/"
	}
	switch u.Path {
	case "/signin", "/signout":
		return "/"
	}
	out := u.EscapedPath()
	if u.RawQuery != "" {
		out += "?" + u.RawQuery
	}
	return out
}
