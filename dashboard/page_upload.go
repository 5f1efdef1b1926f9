package dashboard

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/uptake-nhs/uptake"
	"github.com/uptake-nhs/uptake/accounts"
)

// Loading a quarter from the Data page: a service lead or administrator
// uploads one zip holding the quarter's folder (or its nine files and the
// quarter chosen in the form). The dashboard saves the upload in
// Options.UploadDir (upload_files.go) and hands it to Options.Loads, which
// checks the zip before unzipping anything, loads the quarter whole or not
// at all, and writes the audit log. The dashboard itself never reads
// extracts nor writes to the database: files flow through ingest only.

// QuarterLoader loads an uploaded zip holding one quarter (its folder, or
// its files with quarter naming it) into the database for who; with
// acceptRejections, even if its files lose more rows to rejection than
// the configuration allows. Implementations run one load at a time and
// record each in the audit log, the acceptance included.
// A zip or quarter refused because of its files comes back as an
// *uptake.Error with code uptake.EINVALID, or uptake.ECEILING when only
// its rejected rows refused it (acceptRejections would load it); its
// message (naming the file, column and rule) is shown to the user. Any
// other error is logged and answered 500.
type QuarterLoader interface {
	LoadZip(ctx context.Context, zipPath, quarter string, acceptRejections bool, who accounts.Actor) (LoadOutcome, error)
}

// LoadOutcome is what a finished load did.
type LoadOutcome struct {
	Quarter  string
	Action   string // loaded, restated or unchanged
	Accepted int64
	Rejected int64
}

const (
	// defaultMaxUploadBytes bounds an uploaded zip when
	// Options.MaxUploadBytes is zero.
	defaultMaxUploadBytes = 512 << 20
	// uploadTime is how long an upload and its load may take: far longer
	// than the server's usual read and write timeouts.
	uploadTime = 30 * time.Minute
	// zipField, quarterField and acceptField are the upload form's fields.
	zipField     = "zip"
	quarterField = "quarter"
	acceptField  = "accept_rejections"
)

var quarterRE = regexp.MustCompile(`^(19|20)[0-9]{2}Q[1-4]$`)

// refuseUpload is an upload refused because of what was sent: the Data
// page is shown again with the message (showUploadRefusal).
func refuseUpload(format string, args ...any) error {
	return uptake.Errorf(uptake.EINVALID, format, args...)
}

// uploadForm is the upload form of the Data page, with the outcome of the
// last upload.
type uploadForm struct {
	MaxSize  string
	Quarters []filterOption
	Error    string // why the upload was refused
	Loaded   string // the flash message after a load
	// OfferAccept shows the box to load a quarter refused for its
	// rejected rows anyway, after such a refusal.
	OfferAccept bool
}

// uploadFormFor returns the Data page's upload form, or nil when loads are
// not enabled or the user may not load. The flash message after a load is
// read from the query string, each value checked.
func (s *Server) uploadFormFor(c *gin.Context, loaded []string) *uploadForm {
	if s.opts.Loads == nil || !viewerOf(c).mayOpen("data.upload") {
		return nil
	}
	f := &uploadForm{MaxSize: sizeText(s.opts.MaxUploadBytes)}
	chosen := c.PostForm(quarterField)
	for _, q := range quarterChoices(s.now(), loaded) {
		f.Quarters = append(f.Quarters, filterOption{Value: q, Label: q, Selected: q == chosen})
	}
	f.Loaded = flashMessage(c.Request.URL.Query())
	return f
}

// quarterChoices lists the quarters the form offers, newest first: the
// current quarter and the eleven before it, and every quarter loaded.
func quarterChoices(now time.Time, loaded []string) []string {
	year, q := now.Year(), (int(now.Month())-1)/3+1
	seen := map[string]bool{}
	var out []string
	for i := 0; i < 12; i++ {
		name := fmt.Sprintf("%dQ%d", year, q)
		seen[name] = true
		out = append(out, name)
		if q--; q == 0 {
			year, q = year-1, 4
		}
	}
	for i := len(loaded) - 1; i >= 0; i-- {
		if !seen[loaded[i]] && quarterRE.MatchString(loaded[i]) {
			seen[loaded[i]] = true
			out = append(out, loaded[i])
		}
	}
	return out
}

// flashMessage is the sentence shown after a load redirected back to the
// Data page, or "".
func flashMessage(q url.Values) string {
	quarter, action := q.Get("loaded"), q.Get("action")
	accepted, err1 := strconv.ParseInt(q.Get("accepted"), 10, 64)
	rejected, err2 := strconv.ParseInt(q.Get("rejected"), 10, 64)
	if !quarterRE.MatchString(quarter) || err1 != nil || err2 != nil || accepted < 0 || rejected < 0 {
		return ""
	}
	var what string
	switch action {
	case "loaded":
		what = "Loaded " + quarter
	case "restated":
		what = "Loaded " + quarter + ", replacing its earlier load"
	case "unchanged":
		return quarter + " was already loaded from exactly these files; nothing changed."
	default:
		return ""
	}
	msg := fmt.Sprintf("%s: %s rows accepted, %s rejected.", what, thousands(accepted), thousands(rejected))
	if rejected > 0 {
		msg += " See the rejected rows below."
	}
	return msg
}

func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// sizeText writes a byte count for people: 512 MiB.
func sizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", (n+(1<<19))>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", (n+(1<<9))>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// readUpload reads an upload's multipart body, the file into UploadDir
// (streamUpload), before the form token in it is checked. A body over the
// limit is refused with 413. The upload gets more time than other
// requests.
func (s *Server) readUpload(c *gin.Context) error {
	if s.opts.Loads == nil {
		return errNotFound
	}
	rc := http.NewResponseController(c.Writer)
	_ = rc.SetReadDeadline(time.Now().Add(uploadTime)) // not every writer can; the defaults then stand
	_ = rc.SetWriteDeadline(time.Now().Add(uploadTime))
	err := s.streamUpload(c)
	var tooBig *http.MaxBytesError
	switch {
	case err == nil, errors.Is(err, http.ErrNotMultipart):
		return nil // a plain form has no file; the handler says so
	case errors.As(err, &tooBig):
		return uptake.Errorf(uptake.ETOOLARGE, "The file is larger than the %s a zip may be; nothing was loaded. Ask whoever runs the server to load it with `uptake ingest`.", sizeText(s.opts.MaxUploadBytes))
	}
	return refuseUpload("The upload did not arrive whole (%v); nothing was loaded. Try again.", err)
}

// showUploadRefusal shows the Data page again with why the upload was
// refused (err's message), answered with status (400 or 413).
func (s *Server) showUploadRefusal(c *gin.Context, status int, refused error) {
	msg := uptake.ErrorMessage(refused)
	s.log.Info("upload refused", "request_id", requestID(c), "status", status)
	p, ok := s.site.page("data")
	var data *pageData
	var err error
	if ok && viewerOf(c) != nil {
		data, err = s.buildPage(c, p)
	}
	if !ok || viewerOf(c) == nil || err != nil || data.Upload == nil {
		s.renderError(c, status, msg)
		return
	}
	// A quarter refused only for its rejected rows may be loaded anyway:
	// the page offers the box that does it.
	data.Upload.Error, data.Upload.OfferAccept = msg, uptake.ErrorCode(refused) == uptake.ECEILING
	if err := s.render(c, status, "data", data); err != nil {
		s.renderError(c, status, msg)
		return
	}
	c.Abort()
}

// uploadQuarter serves POST /data/upload: it checks and unzips the zip,
// has Options.Loads load the quarter, and sends the browser back to the
// Data page with what the load did.
func (s *Server) uploadQuarter(c *gin.Context) error {
	if s.opts.Loads == nil {
		return errNotFound
	}
	quarter := strings.TrimSpace(c.PostForm(quarterField))
	if quarter != "" && !quarterRE.MatchString(quarter) {
		return refuseUpload("Choose the quarter from the list, or leave it empty when the zip holds the quarter's folder.")
	}
	zip, ok := uploadedZip(c)
	if !ok || zip.name == "" {
		return refuseUpload("Choose the quarter's .zip file; nothing was loaded.")
	}
	if !strings.EqualFold(path.Ext(zip.name), ".zip") {
		return refuseUpload("The file chosen is not a .zip file. Zip the quarter's folder and choose the zip.")
	}
	v := viewerOf(c)
	// A refusal for the files (uptake.EINVALID or ECEILING) shows the Data
	// page again with its message (showUploadRefusal); anything else is a
	// 500.
	accept := c.PostForm(acceptField) == "yes"
	out, err := s.opts.Loads.LoadZip(c.Request.Context(), zip.path, quarter, accept, actor(c, v))
	s.removeUpload(c)
	if err != nil {
		return err
	}
	q := url.Values{
		"loaded": {out.Quarter}, "action": {out.Action},
		"accepted": {strconv.FormatInt(out.Accepted, 10)}, "rejected": {strconv.FormatInt(out.Rejected, 10)},
	}
	c.Redirect(http.StatusSeeOther, "/data?"+q.Encode()+"#upload")
	return nil
}
