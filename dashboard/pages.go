package dashboard

import (
	"context"
	"fmt"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/uptake-nhs/uptake/queries"
)

// pageDef is one page of the main navigation: a list of views shown as
// panels, plus optional page-specific content (extra).
type pageDef struct {
	Name  string
	Path  string
	Title string
	// Lead tells the reader in plain English what the page answers and
	// how to read it.
	Lead  string
	Views []string
	// NoFilters hides the filter bar on pages that the filters do not
	// change.
	NoFilters bool
	extra     func(ctx context.Context, s *Server, f queries.Filter, q url.Values, p *pageData) error
}

// pageList is the main navigation, in order. Views listed here must be
// registered (TestPagesListRegisteredViews).
var pageList = []pageDef{
	{
		Name: "overview", Path: "/", Title: "Overview",
		Lead: "How many people were referred to diabetes education, and how many went on to attend and complete a course. " +
			"Each tile says which quarter it describes and compares it with the quarter before; tiles marked provisional may still change. The charts show every quarter.",
		Views: []string{"trends-rates", "trends-referrals", "funnel"},
		extra: overviewTiles,
	},
	{
		Name: "pathway", Path: "/pathway", Title: "Pathway",
		Lead: "Where people drop out between referral and completing a course, how long they wait for a first session, and whether they keep coming. " +
			"Cohorts are by referral quarter; the most recent cohorts are provisional because they have had less time to attend.",
		Views: []string{"funnel", "conversion-cohorts", "time-to-first-session", "session-retention"},
	},
	{
		Name: "practices", Path: "/practices", Title: "Practices",
		Lead: "How each practice compares with the borough. On each funnel plot, points outside the dashed lines differ from the borough by more than chance would explain, and the table says so in words. " +
			"Select a practice to see its trends and its work lists.",
		Views: []string{"benchmark-conversion", "benchmark-referral-rate", "benchmark-followup", "coding-practices", "coding-categories", "coding-quarters", "campaigns"},
	},
	{
		Name: "nonattenders", Path: "/non-attenders", Title: "Non-attenders",
		Lead:  "Whether people who did not attend, declined or did not respond were followed up within 28 days, and whether they later attended.",
		Views: []string{"followup-summary", "followup-practices", "followup-quarters", "followup-days", "followup-reengagement"},
	},
	{
		Name: "venues", Path: "/venues", Title: "Venues and times",
		Lead: "Which days, times and venues people want, against the places offered; how full courses are, how long people wait, " +
			"and how many extra courses next quarter would fill.",
		Views: []string{"slot-demand", "unmet-next-quarter", "unmet-demand", "waits-preferred", "waits-booked", "demand-heatmap", "fill-slots", "fill-venues", "fill-courses"},
	},
	{
		Name: "equity", Path: "/equity", Title: "Equity",
		Lead: "Conversion from referral to attending, by age, sex, ethnic group, language and deprivation. " +
			"The line across each bar shows the range the true value is likely to lie in; the dashed line is the value for everyone.",
		Views: equityViewNames(),
	},
	{
		Name: "data", Path: "/data", Title: "Data",
		Lead: "Which files were loaded and when, how many rows each had, which rows were rejected and why. " +
			"The filters do not apply here: this page is about the files, not the people in them.",
		Views:     []string{"data-quality", "loads", "rejected-rows"},
		NoFilters: true,
		extra:     dataPageForm,
	},
}

func equityViewNames() []string {
	var out []string
	for _, ev := range equityViews {
		out = append(out, equityViewName(ev.key))
	}
	return out
}

// pageHandler serves a page of pageList.
func (s *Server) pageHandler(p pageDef) handlerFunc {
	return func(c *gin.Context) error {
		data, err := s.buildPage(c, p)
		if err != nil {
			return err
		}
		return s.renderOK(c, p.Name, data)
	}
}

// buildPage gathers what page p shows for this request.
func (s *Server) buildPage(c *gin.Context, p pageDef) (*pageData, error) {
	ctx := c.Request.Context()
	f, opts, err := s.filter(c)
	if err != nil {
		return nil, err
	}
	data := s.newPage(c, p.Name, p.Title)
	data.Lead = p.Lead
	if !p.NoFilters {
		data.Filters = newFilterBar(p.Path, opts, f)
	}
	if data.Panels, err = s.panels(ctx, f, c.Request.URL.Query(), p.Views...); err != nil {
		return nil, err
	}
	if p.extra != nil {
		if err := p.extra(ctx, s, f, c.Request.URL.Query(), data); err != nil {
			return nil, err
		}
	}
	if p.Name == "data" {
		data.Upload = s.uploadFormFor(c, opts.Quarters)
	}
	return data, nil
}

// filter reads the filters from the query string and checks that the
// values they name exist in the loaded data. Both kinds of mistake come
// back as a *queries.FilterError, which fail answers with 400.
func (s *Server) filter(c *gin.Context) (queries.Filter, queries.FilterOptions, error) {
	f, err := queries.ParseFilter(c.Request.URL.Query())
	if err != nil {
		return f, queries.FilterOptions{}, err
	}
	ctx := c.Request.Context()
	if err := s.store.CheckFilter(ctx, f); err != nil {
		return f, queries.FilterOptions{}, err
	}
	opts, err := s.store.FilterOptions(ctx)
	return f, opts, err
}

// panels loads the named views for the filter; q is the request's query
// string, for sources with parameters of their own.
func (s *Server) panels(ctx context.Context, f queries.Filter, q url.Values, names ...string) ([]panel, error) {
	var out []panel
	l := linker{filter: f, params: ownParams(q)}
	res := &results{store: s.store, query: q}
	for _, name := range names {
		v, ok := findView(name)
		if !ok {
			return nil, fmt.Errorf("page lists unknown view %q", name)
		}
		result, err := res.get(ctx, v.Source, f)
		if err != nil {
			return nil, err
		}
		out = append(out, s.panel(v, result, l))
	}
	return out, nil
}

// ownParams keeps the parameters of q that sources read besides the
// filters, so that a panel's download and JSON links give what it shows.
func ownParams(q url.Values) url.Values {
	out := url.Values{}
	for _, k := range rejectedParams {
		if v := q.Get(k); v != "" {
			out.Set(k, v)
		}
	}
	return out
}

func (s *Server) panel(v view, result any, l linker) panel {
	// The page shows at most pageRows rows of a table; downloads hold all.
	p := panel{ID: v.Name, Title: v.Title, HowToRead: v.HowToRead, Table: v.table(result, l).forPage()}
	if v.chart != nil {
		ch := v.chart(result, l)
		p.Chart = &ch
	}
	q := l.filter.Query()
	for k, vals := range l.params {
		q[k] = vals
	}
	p.JSON = withQuery("/api/"+v.Source, q)
	p.CSV = withQuery("/download/"+v.Name+".csv", q)
	p.XLSX = withQuery("/download/"+v.Name+".xlsx", q)
	return p
}
