package dashboard

import (
	"context"
	"net/url"
	"slices"
	"sync"

	"github.com/uptake-nhs/uptake/dashboard/charts"
	"github.com/uptake-nhs/uptake/queries"
)

// source is one indicator of package queries as the API offers it:
// GET /api/NAME with the filters answers the store's typed result as JSON.
// A few sources (the rejected rows, the course list) also read parameters
// of their own from the query string, q; the others ignore it. Sources are
// package-level values that register nothing: the API has a route for
// each source that a page's views read (site.go).
type source struct {
	Name string
	load func(ctx context.Context, s Store, f queries.Filter, q url.Values) (any, error)
	// practice is true for sources about one practice, whose filter must
	// name it (the practice page's).
	practice bool
	// api, when set, shapes the result for /api/NAME (a page of a long
	// answer, with the parameters q); pages and downloads get it whole.
	api func(result any, q url.Values) (any, error)
}

// shapedForAPI gives src the API shape shape.
func shapedForAPI[T any](src sourceOf[T], shape func(T, url.Values) (any, error)) sourceOf[T] {
	src.api = func(result any, q url.Values) (any, error) { return shape(result.(T), q) }
	return src
}

// sourceOf is a source whose result type is known, so views built on it
// are type-checked.
type sourceOf[T any] struct{ *source }

// newSource wraps a store method (a method expression such as
// Store.FollowUp) as a source.
func newSource[T any](name string, load func(Store, context.Context, queries.Filter) (T, error)) sourceOf[T] {
	return sourceOf[T]{&source{Name: name, load: func(ctx context.Context, s Store, f queries.Filter, _ url.Values) (any, error) {
		return load(s, ctx, f)
	}}}
}

// newParamSource is newSource for a source that reads its own query
// parameters besides the filters. load must check them and return an
// invalid-request error (errors.go) for a bad value.
func newParamSource[T any](name string, load func(s Store, ctx context.Context, f queries.Filter, q url.Values) (T, error)) sourceOf[T] {
	return sourceOf[T]{&source{Name: name, load: func(ctx context.Context, s Store, f queries.Filter, q url.Values) (any, error) {
		return load(s, ctx, f, q)
	}}}
}

// view is one table (and usually one chart) made from a source's result.
// It appears as a panel on a page; its table downloads from
// /download/NAME.csv and /download/NAME.xlsx, and its chart from
// /api/chart/NAME. The views_*.go files make them; the pages of site.go
// list them.
type view struct {
	// Name identifies the panel and the download.
	Name string
	// Source is the source the view reads.
	Source *source
	// Title heads the panel and captions the table.
	Title string
	// HowToRead is one plain-English sentence on reading the chart.
	HowToRead string
	table     func(result any, l linker) Table
	chart     func(result any, l linker) charts.Chart
	// allRows are query parameters that make a paged source answer every
	// row; downloads of the view always set them (withAllRows).
	allRows url.Values
	// shown, when set, decides from the result whether a page shows the
	// panel at all (shownIf); its download and chart routes stay.
	shown func(result any) bool
}

// shownIf returns v shown on pages only when show says so for the result
// (a practice's SPC chart, only where its numbers allow one).
func shownIf[T any](v view, show func(T) bool) view {
	v.shown = func(r any) bool { return show(r.(T)) }
	return v
}

// withAllRows returns v whose downloads ask its source for every row
// with q.
func (v view) withAllRows(q url.Values) view {
	v.allRows = q
	return v
}

// newView builds a view from typed functions. chart may be nil for a
// table-only view.
func newView[T any](src sourceOf[T], name, title, howToRead string,
	table func(T, linker) Table,
	chart func(T, linker) charts.Chart,
) view {
	v := view{
		Name: name, Source: src.source, Title: title, HowToRead: howToRead,
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
	return v
}

// linker makes links that keep the current filters, for click-through
// from charts and tables.
type linker struct {
	filter queries.Filter
	// params are the request's parameters other than filters that the
	// page's sources read (rejected rows: quarter, file, rule, page).
	params url.Values
	// page says the table is for a page, which shows its first pageRows
	// rows (Table.forPage): a view may then make only those. Downloads
	// and the print pack get every row.
	page bool
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

// results loads each source once per request, however many of the page's
// views read it.
type results struct {
	store Store
	query url.Values // the request's query string, for sources with parameters
	memo  map[*source]any
}

func (r *results) get(ctx context.Context, src *source, f queries.Filter) (any, error) {
	if v, ok := r.memo[src]; ok {
		return v, nil
	}
	v, err := src.load(ctx, r.store, f, r.query)
	if err != nil {
		return nil, err
	}
	if r.memo == nil {
		r.memo = map[*source]any{}
	}
	r.memo[src] = v
	return v, nil
}

// prefetch loads the distinct sources of views not yet loaded side by
// side. A page of several sources computed afresh (a filter no one has
// asked for since the last load) then waits for the slowest query rather
// than for all of them in turn: on two cores the database works on one
// while Go reads the rows of another. The first error, in view order,
// is returned.
func (r *results) prefetch(ctx context.Context, f queries.Filter, views []view) error {
	var srcs []*source
	for _, v := range views {
		if _, done := r.memo[v.Source]; !done && !slices.Contains(srcs, v.Source) {
			srcs = append(srcs, v.Source)
		}
	}
	if len(srcs) < 2 {
		return nil
	}
	vals := make([]any, len(srcs))
	errs := make([]error, len(srcs))
	var wg sync.WaitGroup
	for i, src := range srcs {
		wg.Go(func() { vals[i], errs[i] = src.load(ctx, r.store, f, r.query) })
	}
	wg.Wait()
	if r.memo == nil {
		r.memo = map[*source]any{}
	}
	for i, src := range srcs {
		if errs[i] != nil {
			return errs[i]
		}
		r.memo[src] = vals[i]
	}
	return nil
}
