package dashboard

import (
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/uptake-nhs/uptake/queries"
)

// practiceInfo heads a practice's page.
type practiceInfo struct {
	Code, Name, PCN string
}

// practicePage serves /practices/:code: one practice's numbers against the
// borough, then (for the practice's own users only) its work lists, then
// its rank and trends. Anyone else sees the same page without the lists,
// and a note saying why. The practice's own users see its figures exact;
// everyone else under the disclosure rule (the filter's audience).
func (s *Server) practicePage(c *gin.Context) error {
	f, opts, err := s.filter(c)
	if err != nil {
		return err
	}
	code := c.Param("code")
	i := slices.IndexFunc(opts.Practices, func(p queries.PracticeOption) bool { return p.Code == code })
	if i < 0 {
		return errNotFound
	}
	pr := opts.Practices[i]
	data := s.newPage(c, "practice", pr.Name)
	data.Practice = &practiceInfo{Code: pr.Code, Name: pr.Name, PCN: pr.PCN}
	// The page opens with the practice's numbers; its own staff then see
	// their work lists before the comparisons and trends.
	views := slices.Concat(s.site.practiceOpening, s.site.practiceViews)
	if mayViewWorkList(c.Request.Context(), pr.Code) {
		views = slices.Concat(s.site.practiceOpening, s.site.workListViews, s.site.practiceViews)
		data.Lead = "How " + pr.Name + " compares with the borough, and the people the practice can act for now: " +
			"non-attenders not yet followed up, and course outcomes not yet coded in the practice record."
	} else {
		data.Lead = "How " + pr.Name + " compares with the borough. " +
			"The practice's work lists name patients, so they are shown only to the practice's own staff."
	}
	// The page is about this practice whatever the network and practice
	// filters say, so its filter bar leaves them out.
	pf := f
	pf.PCN, pf.Practice = "", ""
	data.Filters = newFilterBar(c.Request.URL.Path, opts, pf).without("pcn", "practice").withCompare(pf)
	pf.Practice = pr.Code
	data.Reports = s.practiceLinks(c.Request.Context(), pr.Code)
	if data.Panels, err = s.panels(c.Request.Context(), pf, nil, views); err != nil {
		return err
	}
	return s.renderOK(c, "practice", data)
}
