package dashboard

import (
	"context"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uptake-nhs/uptake/dashboard/charts"
	"github.com/uptake-nhs/uptake/queries"
)

// The Data page: what was loaded, how clean it was, and the rows refused.
// These describe files, not people, and take no filter. Rejected rows can
// hold a person's details (a pseudonym, a date), so the access table keeps
// the Data page and its sources to service leads and administrators.

// dataViews are the Data page's panels, in page order.
func dataViews() []view { return []view{dataQualityView(), loadsView(), rejectedRowsView()} }

var srcLoads = newSource("loads", func(s Store, ctx context.Context, _ queries.Filter) ([]queries.Load, error) {
	return s.Loads(ctx)
})

func loadsView() view {
	return newView(srcLoads, "loads", "Loads, newest first",
		"Each time a quarter's files were loaded: \"restated\" means the load replaced an earlier load of that quarter.",
		func(loads []queries.Load, l linker) Table {
			t := Table{Columns: cols(num("Load"), text("Quarter"), text("Loaded at (UTC)"), text("Action"), text("Files"), num("Rows accepted"), num("Rows rejected"))}
			for _, ld := range loads {
				var files []string
				for _, f := range ld.Files {
					files = append(files, f.File)
				}
				t.Rows = append(t.Rows, row(Int(ld.LoadID), RowHeader(ld.Quarter), Text(ld.LoadedAt.UTC().Format(time.DateTime)), Text(ld.Action),
					Text(strings.Join(files, ", ")), Int(ld.Accepted), Int(ld.Rejected)))
			}
			return t
		}, nil)
}

var srcQuality = newSource("data-quality", func(s Store, ctx context.Context, _ queries.Filter) (queries.DataQuality, error) {
	return s.DataQuality(ctx)
})

func rulesText(rs []queries.RuleCount) string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Rule+" ("+groupThousands(strconv.FormatInt(r.Rows, 10))+")")
	}
	return strings.Join(out, ", ")
}

func dataQualityView() view {
	return newView(srcQuality, "data-quality", "Rows rejected, by quarter and file",
		"The share of each quarter's rows that failed a check and were kept aside, with the rules that rejected most. Look at the rejected rows below to fix them at the source.",
		func(r queries.DataQuality, l linker) Table {
			t := Table{Columns: cols(text("Quarter"), text("File"), text("Table"), num("Rows accepted"), num("Rows rejected"), num("Rejected (%)"), text("Most common reasons")), Sortable: true}
			for _, q := range r.Quarters {
				t.Rows = append(t.Rows, row(RowHeader(q.Quarter), Text("all files"), Text(""), Int(q.Accepted), Int(q.Rejected), Percent(q.RejectionRate), Text("")))
				for _, f := range q.Files {
					t.Rows = append(t.Rows, row(RowHeader(q.Quarter), Text(f.File), Text(f.Table), Int(f.Accepted), Int(f.Rejected), Percent(f.RejectionRate), Text(rulesText(f.TopRules))))
				}
			}
			return t
		},
		func(r queries.DataQuality, l linker) charts.Chart {
			var qs []string
			s := charts.Series{Name: "Rows rejected"}
			for _, q := range r.Quarters {
				qs = append(qs, q.Quarter)
				s.Values = append(s.Values, charts.FromPtr(q.RejectionRate))
			}
			return charts.Bars(qs, []charts.Series{s}, charts.Axis{Name: "Rows rejected (%)", Percent: true}, false)
		})
}

// rejectedPageSize is how many rejected rows a page shows.
const rejectedPageSize = 100

// maxRejectedPage bounds the page parameter so that an offset never
// overflows.
const maxRejectedPage = 1_000_000

// rejectedParams are the query parameters of the rejected-rows source.
// They are not filter fields (queries.FilterFields), so they are checked
// here.
var rejectedParams = []string{"quarter", "file", "rule", "page"}

var (
	quarterParamRE = regexp.MustCompile(`^[0-9]{4}Q[1-4]$`)
	fileParamRE    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9 _.-]{0,99}$`)
	ruleParamRE    = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)
)

// parseRejectedFilter reads quarter, file, rule and page (1-based, 100
// rows a page) from q. A bad value is an invalid-request error (400).
func parseRejectedFilter(q url.Values) (queries.RejectedFilter, error) {
	rf := queries.RejectedFilter{Limit: rejectedPageSize}
	vals := map[string]string{}
	for _, k := range rejectedParams {
		if len(q[k]) > 1 {
			return rf, invalid("Give " + k + " at most once.")
		}
		vals[k] = strings.TrimSpace(q.Get(k))
	}
	if v := strings.ToUpper(vals["quarter"]); v != "" {
		if !quarterParamRE.MatchString(v) {
			return rf, invalid("quarter must be a quarter like 2026Q2.")
		}
		rf.Quarter = v
	}
	if v := vals["file"]; v != "" {
		if !fileParamRE.MatchString(v) {
			return rf, invalid("file must be the name of an extract file, such as referrals.csv.")
		}
		rf.File = v
	}
	if v := vals["rule"]; v != "" {
		if !ruleParamRE.MatchString(v) {
			return rf, invalid("rule must be the name of a check, such as bad_date.")
		}
		rf.Rule = v
	}
	if v := vals["page"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxRejectedPage {
			return rf, invalid("page must be a whole number from 1 to " + strconv.Itoa(maxRejectedPage) + ".")
		}
		rf.Offset = (n - 1) * rejectedPageSize
	}
	return rf, nil
}

// rejectedQuery is the query string of a rejected-rows page.
func rejectedQuery(l linker, rf queries.RejectedFilter, page int) url.Values {
	q := l.filter.Query()
	for k, v := range map[string]string{"quarter": rf.Quarter, "file": rf.File, "rule": rf.Rule} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	return q
}

var srcRejected = newParamSource("rejected-rows", func(s Store, ctx context.Context, _ queries.Filter, q url.Values) (queries.RejectedRows, error) {
	rf, err := parseRejectedFilter(q)
	if err != nil {
		return queries.RejectedRows{}, err
	}
	return s.RejectedRows(ctx, rf)
})

func rejectedRowsView() view {
	return newView(srcRejected, "rejected-rows", "Rejected rows",
		"Every row a check refused, with its file, line and reason, 100 to a page. Choose a quarter, file or reason to narrow the list.",
		func(r queries.RejectedRows, l linker) Table {
			t := Table{Columns: cols(text("Quarter"), text("File"), num("Line"), text("Column"), text("Value"), text("Rule"), text("Reason"))}
			for _, x := range r.Rows {
				t.Rows = append(t.Rows, row(RowHeader(x.Quarter), Text(x.File), Int(x.Line), Text(x.Column), Text(x.Value), Text(x.Rule), Text(x.Reason)))
			}
			limit := r.Filter.Limit
			if limit <= 0 {
				limit = rejectedPageSize
			}
			page := r.Filter.Offset/limit + 1
			pages := int((r.Total + int64(limit) - 1) / int64(limit))
			p := &Pager{}
			if len(r.Rows) > 0 {
				p.Summary = "Rows " + groupThousands(strconv.Itoa(r.Filter.Offset+1)) + " to " + groupThousands(strconv.Itoa(r.Filter.Offset+len(r.Rows))) +
					" of " + groupThousands(strconv.FormatInt(r.Total, 10)) + " (page " + strconv.Itoa(page) + " of " + strconv.Itoa(pages) + ")."
			} else {
				p.Summary = groupThousands(strconv.FormatInt(r.Total, 10)) + " rows match; none on this page."
			}
			if page > 1 {
				p.Prev = withQuery("/data", rejectedQuery(l, r.Filter, min(page-1, max(pages, 1)))) + "#panel-rejected-rows"
			}
			if page < pages {
				p.Next = withQuery("/data", rejectedQuery(l, r.Filter, page+1)) + "#panel-rejected-rows"
			}
			t.Pager = p
			return t
		}, nil)
}

// rejectedForm is the form that narrows the rejected rows, with choices
// from the data-quality summary.
func rejectedForm(dq queries.DataQuality, q url.Values) *panelForm {
	cur := func(k string) string { return strings.TrimSpace(q.Get(k)) }
	form := &panelForm{Action: "/data#panel-rejected-rows", Keep: keepFilterParams(q)}
	var quarters, files, rules []string
	for _, qq := range dq.Quarters {
		quarters = appendNew(quarters, qq.Quarter)
		for _, f := range qq.Files {
			files = appendNew(files, f.File)
			for _, r := range f.TopRules {
				rules = appendNew(rules, r.Rule)
			}
		}
	}
	sel := func(name, label, all string, values []string) filterSelect {
		s := filterSelect{Name: name, Label: label, Options: []filterOption{{Value: "", Label: all, Selected: cur(name) == ""}}}
		found := cur(name) == ""
		for _, v := range values {
			s.Options = append(s.Options, filterOption{Value: v, Label: v, Selected: v == cur(name)})
			found = found || v == cur(name)
		}
		if !found {
			s.Options = append(s.Options, filterOption{Value: cur(name), Label: cur(name), Selected: true})
		}
		return s
	}
	form.Selects = []filterSelect{
		sel("quarter", "Quarter", "All quarters", quarters),
		sel("file", "File", "All files", files),
		sel("rule", "Reason", "All reasons", rules),
	}
	return form
}

// appendNew appends v to list unless it is there already.
func appendNew(list []string, v string) []string {
	if slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}

// dataPageForm adds the rejected-rows form to the Data page.
func dataPageForm(ctx context.Context, s *Server, f queries.Filter, q url.Values, p *pageData) error {
	dq, err := s.store.DataQuality(ctx)
	if err != nil {
		return err
	}
	for i := range p.Panels {
		if p.Panels[i].ID == "rejected-rows" {
			p.Panels[i].Form = rejectedForm(dq, q)
		}
	}
	return nil
}
