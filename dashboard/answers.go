package dashboard

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"

	"github.com/uptake-nhs/uptake/queries"
)

// Answers: compression, and the cache of serialised answers.
//
// Every answer the dashboard writes goes through send (made on the spot:
// pages, downloads, work lists) or sendAnswer (kept: the JSON of
// aggregates, and the static assets). Both gzip what compresses when the
// client accepts it. A kept answer is serialised and compressed once per
// data version, audience and query string, and carries an ETag, so that a
// browser revalidating it gets 304 and no body: at England scale answers
// are up to megabytes of JSON, and re-sending them was most of the
// server's time under load (issue 14).

// minGzipBytes is the smallest body worth compressing: below a kilobyte
// the gzip header and the work outweigh what is saved.
const minGzipBytes = 1 << 10

// acceptsGzip reports whether the request's Accept-Encoding allows gzip:
// named with a q above 0, or not named and allowed by "*".
func acceptsGzip(r *http.Request) bool {
	gzipQ, anyQ := -1.0, -1.0
	for _, h := range r.Header.Values("Accept-Encoding") {
		for _, part := range strings.Split(h, ",") {
			coding, params, _ := strings.Cut(part, ";")
			q := 1.0
			if k, v, ok := strings.Cut(params, "="); ok && strings.TrimSpace(k) == "q" {
				// A malformed weight refuses the coding.
				q, _ = strconv.ParseFloat(strings.TrimSpace(v), 64)
			}
			switch strings.ToLower(strings.TrimSpace(coding)) {
			case "gzip", "x-gzip":
				gzipQ = q
			case "*":
				anyQ = q
			}
		}
	}
	if gzipQ >= 0 {
		return gzipQ > 0
	}
	return anyQ > 0
}

// compressible reports whether a content type is text that gzip shrinks.
// Spreadsheets (zip files) and images other than SVG are compressed
// already.
func compressible(contentType string) bool {
	t, _, _ := strings.Cut(contentType, ";")
	switch strings.TrimSpace(t) {
	case "text/html", "text/csv", "text/plain", "text/css", "text/javascript", "application/javascript",
		"application/json", "image/svg+xml":
		return true
	}
	return false
}

// gzipWriters reuse compressors: each holds about a megabyte of tables.
var gzipWriters = map[int]*sync.Pool{}

func init() {
	for _, level := range []int{gzip.BestSpeed, gzip.DefaultCompression, gzip.BestCompression} {
		gzipWriters[level] = &sync.Pool{New: func() any {
			w, _ := gzip.NewWriterLevel(nil, level)
			return w
		}}
	}
}

// gzipBytes compresses b at level (gzip.BestSpeed for answers made once,
// gzip.BestCompression for those kept).
func gzipBytes(b []byte, level int) []byte {
	pool := gzipWriters[level]
	w := pool.Get().(*gzip.Writer)
	defer pool.Put(w)
	var buf bytes.Buffer
	buf.Grow(len(b)/4 + 64)
	w.Reset(&buf)
	// Writes to a bytes.Buffer cannot fail.
	_, _ = w.Write(b)
	_ = w.Close()
	return buf.Bytes()
}

// send writes an answer made for this request alone: gzipped when the
// client accepts it and it is worth it, with cacheControl (pages and
// downloads: no-store).
func send(c *gin.Context, status int, contentType string, body []byte, cacheControl string) {
	h := c.Writer.Header()
	h.Set("Cache-Control", cacheControl)
	if compressible(contentType) {
		h.Add("Vary", "Accept-Encoding")
		if len(body) >= minGzipBytes && acceptsGzip(c.Request) {
			body = gzipBytes(body, gzip.BestSpeed)
			h.Set("Content-Encoding", "gzip")
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	c.Data(status, contentType, body)
}

// answer is a serialised answer kept for reuse: its bytes, compressed
// once, and its ETag.
type answer struct {
	contentType string
	plain, gz   []byte // gz is nil when compressing is not worth it
	etag        string // quoted, as in the header
}

// newAnswer prepares body for reuse, gzipped at level when that is worth
// it (0: not yet; see compress). tag, when set, is put in the ETag before
// the digest of the body (the data version): the digest alone already
// tells answers apart, the version makes every ETag change with each load.
func newAnswer(contentType string, body []byte, tag string, level int) *answer {
	sum := sha256.Sum256(body)
	a := &answer{contentType: contentType, plain: body, etag: `"` + tag + hex.EncodeToString(sum[:12]) + `"`}
	if level != 0 {
		a.compress(level)
	}
	return a
}

// compress sets gz when the answer is text long enough to be worth it.
func (a *answer) compress(level int) {
	if compressible(a.contentType) && len(a.plain) >= minGzipBytes {
		a.gz = gzipBytes(a.plain, level)
	}
}

// size is what the answer holds in memory.
func (a *answer) size() int { return len(a.plain) + len(a.gz) + 128 }

// sendAnswer writes a kept answer, or 304 Not Modified when the request's
// If-None-Match names its ETag.
func sendAnswer(c *gin.Context, a *answer, cacheControl string) {
	h := c.Writer.Header()
	h.Set("Cache-Control", cacheControl)
	h.Set("ETag", a.etag)
	if compressible(a.contentType) {
		h.Add("Vary", "Accept-Encoding")
	}
	if etagMatches(c.Request.Header.Get("If-None-Match"), a.etag) {
		c.Status(http.StatusNotModified)
		c.Writer.WriteHeaderNow()
		return
	}
	body := a.plain
	if a.gz != nil && acceptsGzip(c.Request) {
		body = a.gz
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	c.Data(http.StatusOK, a.contentType, body)
}

// etagMatches reports whether an If-None-Match header names etag (or is
// "*"). Weak tags match too (a proxy may weaken them when it recompresses),
// as RFC 9110's weak comparison for If-None-Match says.
func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

// answerCacheBytes bounds the memory the kept answers take, compressed and
// not. At England scale the largest (a benchmark of 6,500 practices) is a
// few megabytes before compression.
const answerCacheBytes = 96 << 20

// answerCache keeps answers for the data version they were made from,
// like the store's result cache (queries/cache.go) one level up: the
// store keeps results, this keeps their bytes. Keys hold everything an
// answer depends on besides the data: the route, the audience and the
// query string.
type answerCache = keptCache[*answer]

// jsonType is the content type of every JSON answer.
const jsonType = "application/json; charset=utf-8"

// Cache-Control of the answers. Aggregates are private (they are for
// signed-in users) and revalidated every time (no-cache), which costs a
// 304 when nothing changed. Answers naming people (work lists, rejected
// rows) are never stored anywhere.
const (
	cacheData       = "private, no-cache"
	cacheNowhere    = "no-store"
	cacheVersion    = "public, max-age=31536000, immutable"
	cacheRevalidate = "no-cache"
)

// sendJSON answers with a JSON value kept per data version, audience and
// query: what (e.g. "api followup") names the route, build makes the value
// on a miss. The key holds the audience because the practice's own staff
// get its figures exact and everyone else under the disclosure rule; the
// answers this serves depend on nothing else about the user (personal
// answers go through sendPersonalJSON).
func (s *Server) sendJSON(c *gin.Context, what string, f queries.Filter, build func(context.Context) (any, error)) error {
	ctx := c.Request.Context()
	version, err := s.store.DataVersion(ctx)
	if err != nil {
		return err
	}
	key := what + "\x00" + f.Audience.Practice + "\x00" + c.Request.URL.Query().Encode()
	a, err := s.answers.get(ctx, version, key, func(ctx context.Context) (*answer, error) {
		v, err := build(ctx)
		if err != nil {
			return nil, err
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		// The default level: a 6 MB answer takes about a tenth of a second
		// and shrinks to a tenth of its size; the best level would take
		// several times longer for a few percent more.
		return newAnswer(jsonType, b, "v"+strconv.FormatInt(version, 10)+"-", gzip.DefaultCompression), nil
	})
	if err != nil {
		return err
	}
	sendAnswer(c, a, cacheData)
	return nil
}

// sendPersonalJSON answers with a JSON value that names people (a work
// list, rejected rows): made for this request, never kept by the server,
// a browser or a proxy, so nothing of it can reach another user.
func sendPersonalJSON(c *gin.Context, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	send(c, http.StatusOK, jsonType, b, cacheNowhere)
	return nil
}
