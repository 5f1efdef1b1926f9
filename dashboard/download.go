package dashboard

import (
	"bytes"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"
)

// download answers /download/VIEW.csv and /download/VIEW.xlsx with the
// view's table for the filters: the same Table the page shows under the
// chart, so a download holds what is on screen, and every row of a table
// too long for the page (see Table.forPage). Every download is written to
// the audit log.
func (s *Server) download(c *gin.Context) error {
	file := c.Param("file")
	ext := path.Ext(file)
	v, ok := s.site.view(strings.TrimSuffix(file, ext))
	if !ok {
		return errNotFound
	}
	if ext != ".csv" && ext != ".xlsx" {
		return invalid("downloads are .csv or .xlsx")
	}
	f, opts, err := s.filter(c)
	if err != nil {
		return err
	}
	q := c.Request.URL.Query()
	for k, vals := range v.allRows {
		q[k] = vals
	}
	res := &results{store: s.store, query: q}
	result, err := res.get(c.Request.Context(), v.Source, f)
	if err != nil {
		return err
	}
	t := v.table(result, linker{filter: f})
	var buf bytes.Buffer
	contentType := "text/csv; charset=utf-8"
	if ext == ".csv" {
		err = WriteCSV(&buf, t)
	} else {
		contentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		err = WriteXLSX(&buf, t, []string{summarise(f, opts), "From the " + s.opts.ServiceName + " dashboard."})
	}
	if err != nil {
		return err
	}
	if err := s.auditRows(c, "download "+v.Name+ext, len(t.Rows), accessTable["api."+v.Source.Name].sensitive); err != nil {
		return err
	}
	c.Header("Content-Disposition", `attachment; filename="`+downloadName(v.Name, ext[1:])+`"`)
	send(c, http.StatusOK, contentType, buf.Bytes(), cacheNowhere)
	return nil
}
