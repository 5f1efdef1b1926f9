package dashboard

import (
	"context"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/uptake-nhs/uptake/accounts"
)

// The quarterly reports, signed in: the pack for commissioners, service
// leads and administrators, and a practice's list for that practice's
// own staff (accessTable). Every one is written to the audit log before
// it is sent; a practice's list, which names patients, is not sent if
// the log cannot be written.

// practiceFileCode is the practice a /reports/practice/CODE.pdf (or .xlsx)
// path names, upper-cased as practice codes are.
func practiceFileCode(file string) string {
	return strings.ToUpper(strings.TrimSuffix(file, path.Ext(file)))
}

// reportQuarter reads ?quarter=, the latest loaded by default.
func (s *Server) reportQuarter(c *gin.Context) (string, error) {
	return s.ReportQuarter(c.Request.Context(), c.Query("quarter"))
}

// downloadPack answers /reports/pack.pdf?quarter=Q.
func (s *Server) downloadPack(c *gin.Context) error {
	q, err := s.reportQuarter(c)
	if err != nil {
		return err
	}
	b, err := s.PackPDF(c.Request.Context(), q)
	if err != nil {
		return err
	}
	return s.sendReport(c, "report pack "+q+".pdf", PackFileName(q), "application/pdf", b, false)
}

// downloadPackXLSX answers /reports/pack-practices.xlsx?quarter=Q.
func (s *Server) downloadPackXLSX(c *gin.Context) error {
	q, err := s.reportQuarter(c)
	if err != nil {
		return err
	}
	b, err := s.PackXLSX(c.Request.Context(), q)
	if err != nil {
		return err
	}
	return s.sendReport(c, "report pack "+q+"-practices.xlsx", PackXLSXFileName(q), xlsxType, b, false)
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// downloadPracticeList answers /reports/practice/CODE.pdf and .xlsx. The
// route's policy has already checked that the user is one of the
// practice's own staff; the check is repeated here, as the work-list
// sources repeat it, so that the list never depends on one line alone.
func (s *Server) downloadPracticeList(c *gin.Context) error {
	file := c.Param("file")
	ext := path.Ext(file)
	code := practiceFileCode(file)
	if ext != ".pdf" && ext != ".xlsx" {
		return invalid("A practice's list downloads as .pdf or .xlsx.")
	}
	if !mayViewWorkList(c.Request.Context(), code) {
		return errWorkListForbidden
	}
	ctx := c.Request.Context()
	if _, err := s.practiceOption(ctx, code); err != nil {
		return err
	}
	q, err := s.reportQuarter(c)
	if err != nil {
		return err
	}
	var b []byte
	contentType := "application/pdf"
	if ext == ".pdf" {
		b, err = s.PracticePDF(ctx, code, q)
	} else {
		contentType = xlsxType
		b, err = s.PracticeXLSX(ctx, code, q)
	}
	if err != nil {
		return err
	}
	return s.sendReport(c, "report practice "+code+" "+q+ext, PracticeFileName(code, q, ext[1:]), contentType, b, true)
}

// sendReport audits the download, then sends it as an attachment.
func (s *Server) sendReport(c *gin.Context, what, name, contentType string, b []byte, sensitive bool) error {
	if err := s.audit(c, viewerOf(c), accounts.ActionDownload, what); err != nil && sensitive {
		return err
	}
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Data(http.StatusOK, contentType, b)
	return nil
}

// packLinks offers the latest quarter's pack on the Overview to the roles
// that may download it.
func (s *Server) packLinks(ctx context.Context, v *viewer) *reportLinks {
	if !v.mayOpen("reports.pack") {
		return nil
	}
	q, err := s.ReportQuarter(ctx, "")
	if err != nil {
		return nil
	}
	qs := "?quarter=" + url.QueryEscape(q)
	r := &reportLinks{Title: "Quarterly report", Text: "The commissioner's report for " + q + ", as sent each quarter:"}
	if s.CanPrintPDF() {
		r.Links = append(r.Links, navItem{Title: "PDF", Href: "/reports/pack.pdf" + qs})
	}
	r.Links = append(r.Links, navItem{Title: "every practice's figures (Excel)", Href: "/reports/pack-practices.xlsx" + qs})
	return r
}

// practiceLinks offers a practice's own staff its latest quarterly list.
func (s *Server) practiceLinks(ctx context.Context, code string) *reportLinks {
	if !mayViewWorkList(ctx, code) {
		return nil
	}
	q, err := s.ReportQuarter(ctx, "")
	if err != nil {
		return nil
	}
	qs := "?quarter=" + url.QueryEscape(q)
	href := "/reports/practice/" + url.PathEscape(code)
	r := &reportLinks{Title: "Your quarterly list", Text: "The people whose outcome you were told of in " + q + ", with the code to enter, and those to follow up:"}
	if s.CanPrintPDF() {
		r.Links = append(r.Links, navItem{Title: "PDF", Href: href + ".pdf" + qs})
	}
	r.Links = append(r.Links, navItem{Title: "Excel", Href: href + ".xlsx" + qs})
	return r
}
