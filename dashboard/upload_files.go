package dashboard

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/url"
	"os"
	"path/filepath"

	"github.com/gin-gonic/gin"
)

// An uploaded zip holds a quarter's patient-level extracts. It is written
// only to Options.UploadDir, a folder of the server's own (uptake serve
// keeps it beside the database, mode 0700, and empties it at start, so
// that a server killed during an upload leaves nothing behind for long),
// never to the system's shared temporary folder, where net/http would put
// a multipart file above its in-memory size. So the form is read part by
// part: the small fields into memory, the file straight into a folder of
// its own under UploadDir, which is removed when the request ends,
// whatever its outcome.

const (
	// uploadDirKey and uploadFileKey hold, in the request's context, the
	// folder an upload was written to and the uploaded file.
	uploadDirKey  = "uptake.upload.dir"
	uploadFileKey = "uptake.upload.file"
)

// uploadedFile is the zip of an upload: where it was written, and the name
// the browser gave it.
type uploadedFile struct {
	path string
	name string
}

// streamUpload reads a multipart upload: fields into the request's form,
// so that c.PostForm finds them, and the zip field's file into a new
// folder under UploadDir (uploadedZip). The body's size is bounded by the
// caller (http.MaxBytesReader); errors from reading it are returned as
// they come, for readUpload to explain.
func (s *Server) streamUpload(c *gin.Context) error {
	mr, err := c.Request.MultipartReader()
	if err != nil {
		// Not multipart: let the form be parsed as any other
		// (MultipartReader marked it as read by a reader).
		c.Request.MultipartForm = nil
		return err
	}
	values := url.Values{}
	defer func() {
		// Whatever happened, later reads of the form see these fields
		// rather than an error about the reader.
		c.Request.Form, c.Request.PostForm = values, values
		c.Request.MultipartForm = &multipart.Form{Value: values}
	}()
	var fieldBytes int64
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		name := part.FormName()
		if part.FileName() == "" {
			b, err := io.ReadAll(io.LimitReader(part, maxFormBytes+1))
			if err != nil {
				return err
			}
			if fieldBytes += int64(len(b)); fieldBytes > maxFormBytes {
				return errors.New("the form's fields are too long")
			}
			values.Add(name, string(b))
			continue
		}
		if _, done := c.Get(uploadFileKey); name != zipField || done {
			if _, err := io.Copy(io.Discard, part); err != nil {
				return err
			}
			continue
		}
		path, err := s.saveUploadPart(c, part)
		if err != nil {
			return err
		}
		c.Set(uploadFileKey, uploadedFile{path: path, name: part.FileName()})
	}
}

// saveUploadPart writes an uploaded file into a new folder under
// UploadDir, readable only by the server's user.
func (s *Server) saveUploadPart(c *gin.Context, part io.Reader) (string, error) {
	dir, err := os.MkdirTemp(s.opts.UploadDir, "upload-")
	if err != nil {
		return "", fmt.Errorf("a folder for the upload: %w", err)
	}
	c.Set(uploadDirKey, dir)
	path := filepath.Join(dir, "upload.zip")
	out, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(out, part); err != nil {
		out.Close()
		return "", err
	}
	return path, out.Close()
}

// uploadedZip returns the zip streamUpload saved, if the form had one.
func uploadedZip(c *gin.Context) (uploadedFile, bool) {
	v, ok := c.Get(uploadFileKey)
	if !ok {
		return uploadedFile{}, false
	}
	f, ok := v.(uploadedFile)
	return f, ok
}

// removeUpload deletes what streamUpload wrote for the request, before
// the answer goes out, so that nothing of it outlives the request. It
// does nothing the second time.
func (s *Server) removeUpload(c *gin.Context) {
	if dir := c.GetString(uploadDirKey); dir != "" {
		if err := os.RemoveAll(dir); err != nil {
			s.log.Error("removing an upload", "request_id", requestID(c), "err", err)
		}
		c.Set(uploadDirKey, "")
	}
}
