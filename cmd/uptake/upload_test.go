package main

import (
	"archive/zip"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uptake-nhs/uptake/accounts"
)

// TestUploadWhileServing loads the last sample quarter through the Data
// page's upload form, as a service lead would, into a running server: the
// new quarter is served at once, and the load is audited as the service
// lead's.
func TestUploadWhileServing(t *testing.T) {
	quarters := sampleQuarters(t)
	db := filepath.Join(t.TempDir(), "live.duckdb")
	mustRunMain(t, append([]string{"ingest", "--db", db}, quarters[:len(quarters)-1]...)...)
	addUserAs(t, db, "lead", "a long test password", accounts.RoleServiceLead)

	srv := startServer(t, t.TempDir(), "--db", db)
	srv.signIn(t, "lead", "a long test password")
	if got := len(srv.quarters(t)); got != len(quarters)-1 {
		t.Fatalf("server shows %d quarters before the upload, want %d", got, len(quarters)-1)
	}

	last := quarters[len(quarters)-1]
	resp, answer := uploadQuarter(t, srv, last)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "loaded="+filepath.Base(last)) || !strings.Contains(loc, "action=loaded") {
		t.Fatalf("upload: %d to %q\n%.1000s", resp.StatusCode, loc, answer)
	}
	after := srv.quarters(t)
	if len(after) != len(quarters) || after[len(after)-1] != filepath.Base(last) {
		t.Errorf("after uploading %s the server shows %v", filepath.Base(last), after)
	}
	srv.stop(t)

	conn, err := sql.Open("duckdb", db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	events, err := accounts.New(conn).AuditLog(context.Background(), 50, 0)
	if err != nil {
		t.Fatal(err)
	}
	var audited bool
	for _, e := range events {
		if e.Action == accounts.ActionLoad && e.Username == "lead" && strings.Contains(e.Detail, filepath.Base(last)+" from folder") {
			audited = true
		}
	}
	if !audited {
		t.Errorf("the upload is not in the audit log as the service lead's: %+v", events)
	}
}

// zipFolder zips the folder dir as the zip's one folder.
func zipFolder(t *testing.T, dir string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create(filepath.Base(dir) + "/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// uploadQuarter uploads the quarter folder dir on the Data page (the
// client must be signed in as a service lead or admin) and returns the
// answer, whose body has been read into the returned string.
func uploadQuarter(t *testing.T, srv *server, dir string) (*http.Response, string) {
	t.Helper()
	return uploadQuarterWith(t, srv, dir, nil)
}

// uploadQuarterWith uploads dir as uploadQuarter does, with more form
// fields.
func uploadQuarterWith(t *testing.T, srv *server, dir string, fields map[string]string) (*http.Response, string) {
	t.Helper()
	resp, err := srv.client.Get(srv.url + "/data")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfFieldRE.FindSubmatch(page)
	if resp.StatusCode != http.StatusOK || m == nil || !bytes.Contains(page, []byte(`action="/data/upload"`)) {
		t.Fatalf("Data page %d without the upload form", resp.StatusCode)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", string(m[1]))
	mw.WriteField("quarter", "")
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("zip", filepath.Base(dir)+".zip")
	fw.Write(zipFolder(t, dir))
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, srv.url+"/data/upload", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", srv.url)
	resp, err = srv.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(answer)
}

// TestKilledUploadIsSweptAtStart kills the server while a quarter is being
// uploaded: the zip it was writing stays in the upload folder beside the
// database (never the system's temporary folder), and the next server to
// start on that database removes it before serving.
func TestKilledUploadIsSweptAtStart(t *testing.T) {
	quarters := sampleQuarters(t)
	db := filepath.Join(t.TempDir(), "live.duckdb")
	mustRunMain(t, "ingest", "--db", db, quarters[0])
	addUserAs(t, db, "lead", "a long test password", accounts.RoleServiceLead)
	uploads := db + ".uploads"

	srv := startServer(t, t.TempDir(), "--db", db)
	srv.signIn(t, "lead", "a long test password")
	resp, err := srv.client.Get(srv.url + "/data")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfFieldRE.FindSubmatch(page)
	if m == nil {
		t.Fatal("no form token on the Data page")
	}

	// An upload whose body stops half-way, as if the connection were slow.
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	req, _ := http.NewRequest(http.MethodPost, srv.url+"/data/upload", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", srv.url)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if resp, err := srv.client.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	mw.WriteField("csrf", string(m[1]))
	fw, _ := mw.CreateFormFile("zip", "2024Q4.zip")
	zipped := zipFolder(t, quarters[0])
	fw.Write(zipped[:len(zipped)/2])

	var partial string
	for deadline := time.Now().Add(30 * time.Second); partial == "" && time.Now().Before(deadline); {
		found, _ := filepath.Glob(filepath.Join(uploads, "upload-*", "upload.zip"))
		if len(found) == 1 {
			if st, err := os.Stat(found[0]); err == nil && st.Size() > 0 {
				partial = found[0]
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	if partial == "" {
		t.Fatalf("no partial upload appeared in %s within 30 s", uploads)
	}
	if err := srv.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	srv.cmd.Wait()
	pw.CloseWithError(errors.New("server killed"))
	<-done
	if _, err := os.Stat(partial); err != nil {
		t.Fatalf("the killed server's upload is already gone (%v); the test shows nothing", err)
	}

	startServer(t, t.TempDir(), "--db", db)
	entries, err := os.ReadDir(uploads)
	if err != nil || len(entries) != 0 {
		t.Errorf("after the next start the upload folder holds %v (%v)", entries, err)
	}
	if st, err := os.Stat(uploads); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("upload folder %v, %v; want mode 0700", st.Mode(), err)
	}
}
