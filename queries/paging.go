package queries

import "fmt"

// ListPage asks for part of an answer's long list (the practices of
// FollowUp and CodingCompleteness, the campaigns of CampaignEffect): at
// most Limit rows after skipping the first Offset, in the list's own
// order. A Limit of 0 asks for every row, as downloads do. In an answer,
// Total is how many rows the whole list has, on every page.
//
// Paging slices the answer computed for the whole list (and cached), so
// every page holds exactly the rows, counts and intervals the whole list
// has at those places, and everything else in the answer (the borough,
// the quarters, the summary, the disclosure note) is the whole list's.
type ListPage struct {
	Limit  int `json:"limit"`
	Offset int `json:"offset"`
	Total  int `json:"total"`
}

// DefaultListLimit is the page of rows the JSON API answers when no limit
// is given, the same as the page of courses and the rows a dashboard table
// shows: at England scale (6,500 practices, thousands of campaigns) a
// whole list is one to two megabytes of JSON, and a page of 100 rows
// about 30 kilobytes.
const DefaultListLimit = 100

// MaxListLimit is the largest page but "every row": more than England's
// practices, so one page can hold any practice list.
const MaxListLimit = 10_000

// Check returns a *FilterError when the page is outside the limits.
func (p ListPage) Check() error {
	if p.Limit < 0 || p.Limit > MaxListLimit {
		return &FilterError{"limit", fmt.Sprint(p.Limit), fmt.Sprintf("must be from 1 to %d rows, or all", MaxListLimit)}
	}
	if p.Offset < 0 {
		return &FilterError{"offset", fmt.Sprint(p.Offset), "must not be negative"}
	}
	return nil
}

// pageOf returns the rows p asks for (a new slice header over the same
// array: results are read-only) and p with Total set. An offset past the
// end is an empty page, not an error, so a client can tell where the list
// ends from Total.
func pageOf[T any](rows []T, p ListPage) ([]T, *ListPage) {
	p.Total = len(rows)
	from := min(p.Offset, len(rows))
	to := len(rows)
	if p.Limit > 0 {
		to = min(from+p.Limit, len(rows))
	}
	return rows[from:to:to], &p
}

// Paged returns the answer with one page of its practices. PracticesPage
// says which, and how many practices there are in all.
func (f FollowUp) Paged(p ListPage) FollowUp {
	f.Practices, f.PracticesPage = pageOf(f.Practices, p)
	return f
}

// Paged returns the answer with one page of its practices. PracticesPage
// says which, and how many practices there are in all.
func (c CodingCompleteness) Paged(p ListPage) CodingCompleteness {
	c.Practices, c.PracticesPage = pageOf(c.Practices, p)
	return c
}

// Paged returns the answer with one page of its campaigns, in the
// answer's order (by date sent, then practice). CampaignsPage says which,
// and how many campaigns there are in all; the Summary is every
// campaign's.
func (c CampaignEffect) Paged(p ListPage) CampaignEffect {
	c.Campaigns, c.CampaignsPage = pageOf(c.Campaigns, p)
	return c
}
