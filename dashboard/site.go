package dashboard

import (
	"context"
	"fmt"
	"net/url"
	"slices"

	"github.com/uptake-nhs/uptake/queries"
)

// What the dashboard shows, in one place. navigation lists the pages in
// order, each with the views it shows as panels; the views_*.go files make
// the views; newSite derives from the pages every view and every source,
// and so every download, chart and JSON route. Nothing registers itself:
// a view exists when a page lists it, a source when a view (or a page's
// own content) reads it, and a misspelt view is a compile error.
//
// To add a view, write it in the views_*.go file of its subject and list
// it on its page below. To add a page, add it here, give it a template in
// templates/ and a line in accessTable (access.go).

// pageDef is one page of the main navigation: a list of views shown as
// panels, plus optional page-specific content (extra).
type pageDef struct {
	Name  string
	Path  string
	Title string
	// Lead tells the reader in plain English what the page answers and
	// how to read it.
	Lead  string
	Views []view
	// NoFilters hides the filter bar on pages that the filters do not
	// change.
	NoFilters bool
	// Compare adds the choice of comparator of the practice benchmark to
	// the filter bar (filterBar.withCompare).
	Compare bool
	// extra adds what is not a panel (the overview's tiles, the Data
	// page's forms); extraSources are the sources it reads that no view
	// does, which the API offers too.
	extra        func(ctx context.Context, s *Server, f queries.Filter, q url.Values, p *pageData) error
	extraSources []*source
	// summary opens the page: a few sentences from its results, each
	// linking to its panel (summary.go).
	summary summaryFunc
}

// navigation is the main navigation, in order.
func navigation() []pageDef {
	return []pageDef{
		{
			Name: "overview", Path: "/", Title: "Overview",
			Lead: "How many people were referred to diabetes education, and how many went on to attend and complete a course. " +
				"Each tile says which quarter it describes and compares it with the quarter before; tiles marked provisional may still change. The charts show every quarter.",
			Views:        slices.Concat([]view{spcSummaryView()}, trendViews(), []view{funnelView()}),
			extra:        overviewTiles,
			extraSources: []*source{srcHeadline.source},
			summary:      overviewPageSummary,
		},
		{
			Name: "spc", Path: "/spc", Title: "SPC charts",
			Lead: "Month by month, whether each measure is changing or only varying as it usually does: statistical process control charts as NHS boards read them (Making Data Count). " +
				"Months beyond the dashed process limits, or long runs on one side of the mean, are special causes, coloured blue for improvement and orange for concern. Recent months still inside their window are provisional and not tested.",
			Views:   spcViews(),
			summary: spcPageSummary,
		},
		{
			Name: "pathway", Path: "/pathway", Title: "Pathway",
			Lead: "Where people drop out between referral and completing a course, how long they wait for a first session, and whether they keep coming. " +
				"Cohorts are by referral quarter; the most recent cohorts are provisional because they have had less time to attend.",
			Views:   append([]view{funnelView()}, pathwayViews()...),
			summary: pathwayPageSummary,
		},
		{
			Name: "practices", Path: "/practices", Title: "Practices", Compare: true,
			Lead: "How each practice compares with the borough. On each funnel plot, points outside the dashed lines differ from the borough by more than chance would explain, and the table says so in words. " +
				"Select a practice to see its trends and its work lists.",
			Views:   slices.Concat(benchmarkViews(), codingViews(), []view{campaignsView()}),
			summary: practicesPageSummary,
		},
		{
			Name: "nonattenders", Path: "/non-attenders", Title: "Non-attenders",
			Lead:    "Whether people who did not attend, declined or did not respond were followed up within 28 days, and whether they later attended.",
			Views:   nonAttenderViews(),
			summary: nonAttendersPageSummary,
		},
		{
			Name: "venues", Path: "/venues", Title: "Venues and times",
			Lead: "Which days, times and venues people want, against the places offered; how full courses are, how long people wait, " +
				"and how many extra courses next quarter would fill.",
			Views:   venueViews(),
			summary: venuesPageSummary,
		},
		{
			Name: "equity", Path: "/equity", Title: "Equity",
			Lead: "Conversion from referral to attending, by age, sex, ethnic group, language and deprivation. " +
				"The line across each bar shows the range the true value is likely to lie in; the dashed line is the value for everyone.",
			Views:   equityViews(),
			summary: equityPageSummary,
		},
		{
			Name: "data", Path: "/data", Title: "Data",
			Lead: "Which files were loaded and when, how many rows each had, which rows were rejected and why. " +
				"The filters do not apply here: this page is about the files, not the people in them.",
			Views:     dataViews(),
			NoFilters: true,
			extra:     dataPageForm,
			summary:   dataPageSummary,
		},
	}
}

// site is every page with its views, and what newSite derives from them.
type site struct {
	// pages is the navigation, in order.
	pages []pageDef
	// The practice page (page_practice.go) opens with practiceOpening,
	// then for the practice's own users workListViews, then
	// practiceViews.
	practiceOpening, practiceViews, workListViews []view
	// views are the views of every page, each once, in page order.
	views []view
	// sources are the sources those views and the pages' extra content
	// read, each once, in page order: one JSON route each.
	sources []*source
}

// newSite builds the site from navigation and the practice page's views.
// A name given to two different views or sources is a programming error,
// which it reports by panicking (every test builds a site).
func newSite() *site {
	s := &site{pages: navigation(), practiceOpening: []view{practiceSummaryView()}, practiceViews: practiceViews(), workListViews: workListViews()}
	var all []view
	for _, p := range s.pages {
		all = append(all, p.Views...)
		s.addSources(p.extraSources...)
	}
	all = slices.Concat(all, s.practiceOpening, s.workListViews, s.practiceViews)
	for _, v := range all {
		if prev, ok := s.view(v.Name); ok {
			// A view on two pages (the funnel) is made twice by the same
			// function; two different views may not share a name.
			if prev.Source != v.Source || prev.Title != v.Title || prev.HowToRead != v.HowToRead {
				panic(fmt.Sprintf("dashboard: two views are named %q", v.Name))
			}
			continue
		}
		s.views = append(s.views, v)
		s.addSources(v.Source)
	}
	return s
}

func (s *site) addSources(srcs ...*source) {
	for _, src := range srcs {
		i := slices.IndexFunc(s.sources, func(o *source) bool { return o.Name == src.Name })
		switch {
		case i < 0:
			s.sources = append(s.sources, src)
		case s.sources[i] != src:
			panic(fmt.Sprintf("dashboard: two sources are named %q", src.Name))
		}
	}
}

// view finds a view by name, for the routes that name one.
func (s *site) view(name string) (view, bool) {
	i := slices.IndexFunc(s.views, func(v view) bool { return v.Name == name })
	if i < 0 {
		return view{}, false
	}
	return s.views[i], true
}

// page finds a page of the navigation by name.
func (s *site) page(name string) (pageDef, bool) {
	i := slices.IndexFunc(s.pages, func(p pageDef) bool { return p.Name == name })
	if i < 0 {
		return pageDef{}, false
	}
	return s.pages[i], true
}
