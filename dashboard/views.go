package dashboard

import (
	"context"
	"net/url"

	"github.com/uptake-nhs/uptake/dashboard/charts"
	"github.com/uptake-nhs/uptake/queries"
)

// source is one indicator of package queries as the API offers it:
// GET /api/NAME with the filters answers the store's typed result as JSON.
// A few sources (the rejected rows) also read parameters of their own
// from the query string, q; the others ignore it.
type source struct {
	Name string
	load func(ctx context.Context, s Store, f queries.Filter, q url.Values) (any, error)
}

// sourceOf is a source whose result type is known, so views built on it
// are type-checked.
type sourceOf[T any] struct{ source }

// newSource wraps a store method (a method expression such as
// Store.FollowUp) as a source.
func newSource[T any](name string, load func(Store, context.Context, queries.Filter) (T, error)) sourceOf[T] {
	src := sourceOf[T]{source{Name: name}}
	src.load = func(ctx context.Context, s Store, f queries.Filter, _ url.Values) (any, error) {
		return load(s, ctx, f)
	}
	sourceList = append(sourceList, src.source)
	return src
}

// newParamSource is newSource for a source that reads its own query
// parameters besides the filters. load must check them and return an
// error with BadRequest() true for a bad value.
func newParamSource[T any](name string, load func(s Store, ctx context.Context, f queries.Filter, q url.Values) (T, error)) sourceOf[T] {
	src := sourceOf[T]{source{Name: name}}
	src.load = func(ctx context.Context, s Store, f queries.Filter, q url.Values) (any, error) {
		return load(s, ctx, f, q)
	}
	sourceList = append(sourceList, src.source)
	return src
}

// view is one table (and usually one chart) made from a source's result.
// It appears as a panel on a page; its table downloads from
// /download/NAME.csv and /download/NAME.xlsx, and its chart from
// /api/chart/NAME.
type view struct {
	// Name identifies the panel and the download.
	Name string
	// Source names the source the view reads.
	Source string
	// Title heads the panel and captions the table.
	Title string
	// HowToRead is one plain-English sentence on reading the chart.
	HowToRead string
	table     func(result any, l linker) Table
	chart     func(result any, l linker) charts.Chart
	// allRows are query parameters that make a paged source answer every
	// row; downloads of the view always set them (setAllRows).
	allRows url.Values
}

// setAllRows makes downloads of v ask its source for every row with q.
func setAllRows(v view, q url.Values) {
	for i := range viewList {
		if viewList[i].Name == v.Name {
			viewList[i].allRows = q
			return
		}
	}
	panic("setAllRows: unknown view " + v.Name)
}

// newView builds a view from typed functions. chart may be nil for a
// table-only view.
func newView[T any](src sourceOf[T], name, title, howToRead string,
	table func(T, linker) Table,
	chart func(T, linker) charts.Chart,
) view {
	v := view{
		Name: name, Source: src.Name, Title: title, HowToRead: howToRead,
		table: func(r any, l linker) Table {
			t := table(r.(T), l)
			if t.Title == "" {
				t.Title = title
			}
			return t
		},
	}
	if chart != nil {
		v.chart = func(r any, l linker) charts.Chart { return chart(r.(T), l) }
	}
	viewList = append(viewList, v)
	return v
}

// linker makes links that keep the current filters, for click-through
// from charts and tables.
type linker struct {
	filter queries.Filter
	// params are the request's parameters other than filters that the
	// page's sources read (rejected rows: quarter, file, rule, page).
	params url.Values
}

// practice is the page of one practice, keeping the other filters.
func (l linker) practice(code string) string {
	f := l.filter
	f.Practice = ""
	return withQuery("/practices/"+url.PathEscape(code), f.Query())
}

func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// sourceList and viewList hold every source and view; the sources_*.go and
// views_*.go files fill them as package-level variables are initialised.
var (
	sourceList []source
	viewList   []view
)

func findSource(name string) (source, bool) {
	for _, s := range sourceList {
		if s.Name == name {
			return s, true
		}
	}
	return source{}, false
}

func findView(name string) (view, bool) {
	for _, v := range viewList {
		if v.Name == name {
			return v, true
		}
	}
	return view{}, false
}

// results loads each source once per request, however many of the page's
// views read it.
type results struct {
	store Store
	query url.Values // the request's query string, for sources with parameters
	memo  map[string]any
}

func (r *results) get(ctx context.Context, src string, f queries.Filter) (any, error) {
	if v, ok := r.memo[src]; ok {
		return v, nil
	}
	s, ok := findSource(src)
	if !ok {
		return nil, ErrNotFound
	}
	v, err := s.load(ctx, r.store, f, r.query)
	if err != nil {
		return nil, err
	}
	if r.memo == nil {
		r.memo = map[string]any{}
	}
	r.memo[src] = v
	return v, nil
}
