package dashboard

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/uptake-nhs/uptake/dashboard/charts"
	"github.com/uptake-nhs/uptake/queries"
)

// pageHandler serves a page of the navigation.
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
		if p.Compare {
			data.Filters.withCompare(f)
		}
	}
	res := &results{store: s.store, query: c.Request.URL.Query()}
	if data.Panels, err = s.panelsFrom(ctx, res, f, p.Views); err != nil {
		return nil, err
	}
	if p.summary != nil {
		sentences, err := p.summary(ctx, res, f)
		if err != nil {
			return nil, err
		}
		data.Summary = summaryLines(sentences, data.Panels)
	}
	if p.extra != nil {
		if err := p.extra(ctx, s, f, c.Request.URL.Query(), data); err != nil {
			return nil, err
		}
	}
	if p.Name == "overview" {
		data.Reports = s.packLinks(ctx, viewerOf(c))
	}
	if p.Name == "data" {
		data.Upload = s.uploadFormFor(c, opts.Quarters)
	}
	return data, nil
}

// filter reads the filters from the query string and checks that the
// values they name exist in the loaded data. Both kinds of mistake come
// back as a *queries.FilterError, which fail answers with 400. The
// filter's audience comes from the signed-in session, never from the
// query string (audienceOf): every page, chart, download and JSON answer
// is worked out for whoever asks, with the same disclosure.
func (s *Server) filter(c *gin.Context) (queries.Filter, queries.FilterOptions, error) {
	f, err := queries.ParseFilter(c.Request.URL.Query())
	if err != nil {
		return f, queries.FilterOptions{}, err
	}
	f.Audience = audienceOf(c.Request.Context())
	ctx := c.Request.Context()
	if err := s.store.CheckFilter(ctx, f); err != nil {
		return f, queries.FilterOptions{}, err
	}
	opts, err := s.store.FilterOptions(ctx)
	return f, opts, err
}

// panels loads the views for the filter; q is the request's query
// string, for sources with parameters of their own.
func (s *Server) panels(ctx context.Context, f queries.Filter, q url.Values, views []view) ([]panel, error) {
	return s.panelsFrom(ctx, &results{store: s.store, query: q}, f, views)
}

// panelsFrom is panels with the request's results, which the page's
// summary reads too.
func (s *Server) panelsFrom(ctx context.Context, res *results, f queries.Filter, views []view) ([]panel, error) {
	if err := res.prefetch(ctx, f, views); err != nil {
		return nil, err
	}
	var out []panel
	l := linker{filter: f, params: ownParams(res.query), page: true}
	for _, v := range views {
		result, err := res.get(ctx, v.Source, f)
		if err != nil {
			return nil, err
		}
		if v.shown != nil && !v.shown(result) {
			continue
		}
		p, err := s.keptPanel(ctx, v, result, l, res.query)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// keptPanel is panel, kept per data version, audience, filter and query
// string like the JSON answers (answers.go). At England scale making the
// Practices page's panels (tables and funnel plots of 6,500 practices)
// from results already kept took most of the time of serving it, for
// every visitor. Panels that may name people (work lists, rejected rows)
// are never kept: they are made for the request, as their JSON is.
func (s *Server) keptPanel(ctx context.Context, v view, result any, l linker, q url.Values) (panel, error) {
	if accessTable["api."+v.Source.Name].sensitive || s.keptPanels.off.Load() {
		return s.panel(v, result, l), nil
	}
	version, err := s.store.DataVersion(ctx)
	if err != nil {
		return panel{}, err
	}
	key := v.Name + "\x00" + l.filter.Audience.Practice + "\x00" + l.filter.Query().Encode() + "\x00" + q.Encode()
	p, err := s.keptPanels.get(ctx, version, key, func(context.Context) (*panel, error) {
		p := s.panel(v, result, l)
		// Its HTML too: executing the table's hundred rows cell by cell
		// was most of what remained of serving the page.
		if err := s.renderPanel(&p); err != nil {
			return nil, err
		}
		return &p, nil
	})
	if err != nil {
		return panel{}, err
	}
	return *p, nil
}

// renderPanel sets p.HTML to the panel as the "panel" template of
// partials.html draws it. That template sees nothing but the panel, so
// its HTML is the same on every page that shows it and for every reader
// given the same panel.
func (s *Server) renderPanel(p *panel) error {
	pt, ok := s.pages["overview"] // every page's set has the same partials
	if !ok {
		return nil
	}
	var buf bytes.Buffer
	if err := pt.t.ExecuteTemplate(&buf, "panel", p); err != nil {
		return fmt.Errorf("rendering panel %s: %w", p.ID, err)
	}
	p.HTML = template.HTML(buf.String())
	p.bytes += buf.Len()
	return nil
}

// chartInlineMax is the most bytes of chart data a page carries inline.
// A larger chart (the funnel plots' outliers at England scale, hundreds of
// kilobytes each) is fetched by the browser from /api/chart/VIEW, an
// answer kept per data version with an ETag (answers.go): the page stays
// small and cheap to make, and a browser that has the chart revalidates it
// with a 304 instead of receiving it again inside every page.
var chartInlineMax = 64 << 10 // a variable so that tests can send every chart by address

// foldAfter is how many rows a table without a chart shows before it
// folds away.
const foldAfter = 25

// summaryLine is one sentence of a page's summary as the page shows it:
// with a link to its panel, named by the panel's title.
type summaryLine struct {
	Text  string
	Href  string
	Panel string // the panel's title
	Chart bool   // the panel has a chart (else the link says "table")
}

// summaryLines links each sentence to its panel on the page; a sentence
// whose panel is not on the page is shown without a link.
func summaryLines(sentences []Sentence, panels []panel) []summaryLine {
	out := make([]summaryLine, 0, len(sentences))
	for _, s := range sentences {
		l := summaryLine{Text: s.Text}
		for _, p := range panels {
			if p.ID == s.Panel {
				l.Href, l.Panel, l.Chart = "#panel-"+p.ID, p.Title, p.Chart != nil
			}
		}
		out = append(out, l)
	}
	return out
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
	q := l.filter.Query()
	for k, vals := range l.params {
		q[k] = vals
	}
	if v.chart != nil {
		ch := v.chart(result, l)
		p.Chart = &ch
		b, err := json.Marshal(ch)
		switch {
		case err != nil:
			// Leave it to the template, which says what went wrong.
		case len(b) > chartInlineMax:
			p.ChartSrc = withQuery("/api/chart/"+v.Name, q)
			// The page needs only the chart's words; the browser fetches
			// the rest, so a kept panel does not hold it twice.
			p.Chart = &charts.Chart{Caption: ch.Caption, Description: ch.Description, Rows: ch.Rows}
		default:
			// json.Marshal escapes <, > and & (HTMLEscape), so the bytes
			// are safe inside the page's <script type="application/json">
			// as they stand: the template does not marshal them again.
			p.ChartJSON = template.JS(b)
			p.bytes += len(b)
		}
	}
	p.bytes += p.Table.size()
	p.Fold = p.Chart == nil && len(p.Table.Rows) > foldAfter && !strings.HasSuffix(v.Name, "-worklist")
	p.JSON = withQuery("/api/"+v.Source.Name, q)
	p.CSV = withQuery("/download/"+v.Name+".csv", q)
	p.XLSX = withQuery("/download/"+v.Name+".xlsx", q)
	return p
}
