package dashboard

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/uptake-nhs/uptake/accounts"
	"github.com/uptake-nhs/uptake/dashboard/charts"
	"github.com/uptake-nhs/uptake/queries"
)

//go:embed templates
var templateFiles embed.FS

// pageTemplate is one page's template set: the layout, the shared
// partials and the page itself, parsed together so that pages cannot see
// or break each other's blocks.
type pageTemplate struct {
	t *template.Template
}

var templateFuncs = template.FuncMap{
	"add":   func(a, b int) int { return a + b },
	"asset": assetURL,
}

// parsePages parses templates/layout.html and templates/partials.html with
// each other templates/*.html file into one set per page.
func parsePages() (map[string]*pageTemplate, error) {
	entries, err := fs.ReadDir(templateFiles, "templates")
	if err != nil {
		return nil, err
	}
	pages := map[string]*pageTemplate{}
	for _, e := range entries {
		name := e.Name()
		if name == "layout.html" || name == "partials.html" || !strings.HasSuffix(name, ".html") {
			continue
		}
		t, err := template.New("layout.html").Funcs(templateFuncs).ParseFS(templateFiles,
			"templates/layout.html", "templates/partials.html", "templates/"+name)
		if err != nil {
			return nil, fmt.Errorf("parsing %s: %w", name, err)
		}
		pages[strings.TrimSuffix(name, ".html")] = &pageTemplate{t: t}
	}
	return pages, nil
}

// pageData is what every page template receives.
type pageData struct {
	Service string
	Name    string // the page's name, e.g. "overview"
	Title   string
	Lead    string // how to read the page, one or two sentences
	Nav     []navItem
	Filters *filterBar
	Panels  []panel
	// Summary opens the page, "At a glance" (summary.go).
	Summary   []summaryLine
	RequestID string

	// Error pages.
	Status int
	Error  string

	// The signed-in user, or nil on the sign-in page; CSRF is the token
	// every POST form carries.
	User *userInfo
	CSRF string

	// Page-specific content.
	Tiles    []tile
	Practice *practiceInfo
	SignIn   *signinForm
	Password *passwordForm
	Admin    *adminData
	Upload   *uploadForm
	// Reports links the quarterly files the user may download.
	Reports *reportLinks
}

// reportLinks are the quarterly files a page offers (report_download.go).
type reportLinks struct {
	Title, Text string
	Links       []navItem
}

// userInfo names the signed-in user in the header.
type userInfo struct {
	Name, Username, Role, Practice string
}

// navItem is one link of the main navigation.
type navItem struct {
	Title   string
	Href    string
	Current bool
}

// panel is one view on a page: its chart (if any), the table beneath and
// the download links.
type panel struct {
	ID        string
	Title     string
	HowToRead string
	Chart     *charts.Chart
	// ChartSrc, when set, is where the browser fetches the chart from
	// instead of an inline block (chartInlineMax).
	ChartSrc string
	// ChartJSON is the chart inline, already serialised (nil with
	// ChartSrc).
	ChartJSON template.JS
	Table     Table
	CSV, XLSX string // download URLs with the filters
	JSON      string // the API endpoint with the filters
	// Form, when set, narrows this panel alone (the rejected rows).
	Form *panelForm
	// Fold folds a long table that has no chart above it (the course
	// list) under a "Show the table" link; tables under charts always
	// fold. Work lists never do: they are what their page is for.
	Fold bool
	// HTML, when set, is the panel already drawn (renderPanel): a kept
	// panel is drawn once per data version, not for every request. Setting
	// Form afterwards makes the page draw the panel afresh.
	HTML template.HTML
	// bytes is roughly what the panel holds in memory, for keptPanels.
	bytes int
}

// size is what the panel holds in memory, roughly.
func (p *panel) size() int { return p.bytes + 512 }

// panelForm is a small GET form above a panel's table, for parameters
// that are not filters. Keep holds the filters to carry along.
type panelForm struct {
	Action  string
	Keep    url.Values
	Selects []filterSelect
}

// Hidden lists the kept parameters for hidden inputs, in a stable order.
func (f *panelForm) Hidden() [][2]string {
	var out [][2]string
	for _, k := range queries.FilterFields {
		if v := f.Keep.Get(k); v != "" {
			out = append(out, [2]string{k, v})
		}
	}
	return out
}

// newPage starts the data for page name. The navigation lists the pages
// the user's role may open and keeps the current filters, so moving
// between pages keeps the view. Without a signed-in user there is no
// navigation.
func (s *Server) newPage(c *gin.Context, name, title string) *pageData {
	p := &pageData{Service: s.opts.ServiceName, Name: name, Title: title, RequestID: requestID(c)}
	v := viewerOf(c)
	if v == nil {
		return p
	}
	p.User = &userInfo{Name: v.user.DisplayName, Username: v.user.Username, Role: v.user.Role.Label(), Practice: v.user.PracticeCode}
	p.CSRF = v.session.CSRFToken
	if v.user.MustChangePassword {
		return p // nowhere to go but the password page (and signing out)
	}
	q := keepFilterParams(c.Request.URL.Query())
	for _, pg := range s.site.pages {
		if v.mayOpen(pg.Name) {
			p.Nav = append(p.Nav, navItem{Title: pg.Title, Href: withQuery(pg.Path, q), Current: pg.Name == name})
		}
	}
	if code := v.user.PracticeCode; code != "" && v.user.Role == accounts.RolePractice {
		href := "/practices/" + url.PathEscape(code)
		p.Nav = append(p.Nav, navItem{Title: "Your practice", Href: withQuery(href, q), Current: name == "practice" && c.Param("code") == code})
	}
	if v.mayOpen("admin") {
		p.Nav = append(p.Nav, navItem{Title: "Admin", Href: "/admin", Current: name == "admin"})
	}
	return p
}

// render executes the page's template into a buffer first, so a template
// error becomes a clean 500 rather than half a page.
func (s *Server) render(c *gin.Context, status int, name string, data *pageData) error {
	pt, ok := s.pages[name]
	if !ok {
		return fmt.Errorf("no template for page %q", name)
	}
	var buf bytes.Buffer
	if err := pt.t.ExecuteTemplate(&buf, "layout.html", data); err != nil {
		return fmt.Errorf("rendering %s: %w", name, err)
	}
	// Pages name the user and carry a form token and a request id, so
	// they are made for one request (from cached results) and never kept.
	send(c, status, "text/html; charset=utf-8", buf.Bytes(), cacheNowhere)
	return nil
}

// renderOK renders a page with status 200.
func (s *Server) renderOK(c *gin.Context, name string, data *pageData) error {
	return s.render(c, http.StatusOK, name, data)
}
