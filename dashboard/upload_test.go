package dashboard

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/uptake-nhs/uptake"
	"github.com/uptake-nhs/uptake/accounts"
	"github.com/uptake-nhs/uptake/ingest"
)

// fakeLoader records the loads asked of it and the files it was given.
type fakeLoader struct {
	mu    sync.Mutex
	calls []fakeLoad
	err   error // returned instead of loading
}

type fakeLoad struct {
	quarter string // the folder's name
	files   []string
	who     accounts.Actor
	zipPath string // where the dashboard saved the upload
}

// LoadZip unzips as the real loader does (ingest.UnzipQuarter, whose
// refusals are the user's) and records the quarter folder it would load.
func (l *fakeLoader) LoadZip(ctx context.Context, zipPath, quarter string, acceptRejections bool, who accounts.Actor) (LoadOutcome, error) {
	work, err := os.MkdirTemp(filepath.Dir(zipPath), "unzip-")
	if err != nil {
		return LoadOutcome{}, err
	}
	defer os.RemoveAll(work)
	dir, err := ingest.UnzipQuarter(zipPath, work, quarter)
	var problem *ingest.Problem
	if errors.As(err, &problem) {
		return LoadOutcome{}, refusal(problem.Reason + " Nothing was loaded.")
	}
	if err != nil {
		return LoadOutcome{}, err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return LoadOutcome{}, err
	}
	var files []string
	for _, e := range entries {
		files = append(files, e.Name())
	}
	sort.Strings(files)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, fakeLoad{quarter: filepath.Base(dir), files: files, who: who, zipPath: zipPath})
	if l.err != nil {
		return LoadOutcome{}, l.err
	}
	return LoadOutcome{Quarter: filepath.Base(dir), Action: "restated", Accepted: 1234, Rejected: 5}, nil
}

func (l *fakeLoader) loads() []fakeLoad {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]fakeLoad(nil), l.calls...)
}

// refusal is a load refused for its files, as the real loader's is.
func refusal(msg string) error { return &uptake.Error{Code: uptake.EINVALID, Message: msg} }

// zipOf zips name → content pairs.
func zipOf(t *testing.T, files ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i+1 < len(files); i += 2 {
		w, err := zw.Create(files[i])
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(files[i+1]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// upload posts a zip (nil: no file part) through the upload form.
func (c *client) upload(t *testing.T, csrf, quarter, filename string, zipped []byte) (*http.Response, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if csrf != "" {
		mw.WriteField("csrf", csrf)
	}
	mw.WriteField("quarter", quarter)
	if zipped != nil {
		fw, err := mw.CreateFormFile("zip", filename)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(zipped)
	}
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, c.base+"/data/upload", &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", c.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.do(t, req)
}

func TestUploadFormOnlyWithLoadsAndForDataRoles(t *testing.T) {
	ts, _ := newTestServer(t)
	c := ts.as(t, userServiceLead)
	if _, body := c.get(t, ts.URL+"/data"); strings.Contains(body, `action="/data/upload"`) {
		t.Error("the upload form is shown without Options.Loads")
	}
	if res, _ := c.upload(t, c.csrf(t), "", "q.zip", zipOf(t, "2026Q3/referrals.csv", "x")); res.StatusCode != http.StatusNotFound {
		t.Errorf("upload without Options.Loads: %d, want 404", res.StatusCode)
	}

	ts, _ = newTestServerWith(t, Options{Loads: &fakeLoader{}})
	for _, u := range []string{userServiceLead, userAdmin} {
		_, body := ts.as(t, u).get(t, ts.URL+"/data")
		for _, want := range []string{`action="/data/upload"`, `enctype="multipart/form-data"`, `name="csrf"`,
			"Zip the quarter's folder and choose it here. The quarter is loaded whole or not at all.", "512 MiB", `<option value="2026Q3">`} {
			if !strings.Contains(body, want) {
				t.Errorf("Data page as %s lacks %q", u, want)
			}
		}
	}
}

func TestUploadRoles(t *testing.T) {
	loader := &fakeLoader{}
	ts, _ := newTestServerWith(t, Options{Loads: loader})
	zipped := zipOf(t, "2026Q3/referrals.csv", "x")
	for user, want := range map[string]int{
		"": http.StatusFound, userCommissioner: http.StatusForbidden, userPractice: http.StatusForbidden,
		userServiceLead: http.StatusSeeOther, userAdmin: http.StatusSeeOther,
	} {
		c := newClient(t, ts.URL)
		csrf := "x"
		if user != "" {
			c = ts.as(t, user)
			csrf = c.csrf(t)
		}
		res, body := c.upload(t, csrf, "", "2026Q3.zip", zipped)
		if res.StatusCode != want {
			t.Errorf("upload as %q: %d, want %d\n%.300s", user, res.StatusCode, want, body)
		}
	}
	if n := len(loader.loads()); n != 2 {
		t.Errorf("%d loads, want 2 (service lead and admin)", n)
	}
}

func TestUploadLoadsAndRedirects(t *testing.T) {
	loader := &fakeLoader{}
	ts, _ := newTestServerWith(t, Options{Loads: loader})
	c := ts.as(t, userServiceLead)

	res, body := c.upload(t, c.csrf(t), "", "q.zip", zipOf(t, "2026Q3/referrals.csv", "a", "2026Q3/sessions.xlsx", "b", "__MACOSX/2026Q3/._referrals.csv", "junk"))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d\n%.400s", res.StatusCode, body)
	}
	loc := res.Header.Get("Location")
	if !strings.HasPrefix(loc, "/data?") || !strings.Contains(loc, "loaded=2026Q3") || !strings.Contains(loc, "action=restated") {
		t.Errorf("redirected to %q", loc)
	}
	loads := loader.loads()
	if len(loads) != 1 || loads[0].quarter != "2026Q3" || strings.Join(loads[0].files, ",") != "referrals.csv,sessions.xlsx" || loads[0].who.Username != userServiceLead {
		t.Fatalf("loads: %+v", loads)
	}
	_, page := c.get(t, ts.URL+loc)
	if !strings.Contains(page, "Loaded 2026Q3, replacing its earlier load: 1,234 rows accepted, 5 rejected. See the rejected rows below.") {
		t.Error("the Data page does not say what the load did")
	}

	// Files at the zip's root take the quarter chosen.
	res, body = c.upload(t, c.csrf(t), "2026Q2", "files.zip", zipOf(t, "referrals.csv", "a"))
	if res.StatusCode != http.StatusSeeOther || loader.loads()[1].quarter != "2026Q2" {
		t.Errorf("files at the root with quarter 2026Q2: %d %+v\n%.300s", res.StatusCode, loader.loads(), body)
	}
}

func TestUploadRefusals(t *testing.T) {
	loader := &fakeLoader{}
	ts, _ := newTestServerWith(t, Options{Loads: loader, MaxUploadBytes: 64 << 10})
	c := ts.as(t, userAdmin)
	bomb := func() []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, _ := zw.Create("2026Q3/referrals.csv")
		zeros := make([]byte, 1<<20)
		for range 16 { // 16 MiB of zeros deflate to about 16 KiB
			w.Write(zeros)
		}
		zw.Close()
		return buf.Bytes()
	}()
	cases := []struct {
		name, quarter, filename string
		zipped                  []byte
		status                  int
		want                    string
	}{
		{"climbs out", "", "q.zip", zipOf(t, "../evil.csv", "x"), 400, "a path with empty, . or .. steps"},
		{"zip bomb", "", "q.zip", bomb, 400, "over 100 times its size"},
		{"not a zip", "", "q.zip", []byte("referral_id,practice\n1,F83004\n"), 400, "not a readable zip"},
		{"not named .zip", "", "referrals.csv", zipOf(t, "2026Q3/referrals.csv", "x"), 400, "not a .zip file"},
		{"no file", "", "", nil, 400, "Choose the quarter&#39;s .zip file"},
		{"bad quarter", "2026Q5", "q.zip", zipOf(t, "referrals.csv", "x"), 400, "Choose the quarter from the list"},
		{"root without quarter", "", "q.zip", zipOf(t, "referrals.csv", "x"), 400, "choose the quarter they are for"},
		{"quarters differ", "2026Q2", "q.zip", zipOf(t, "2026Q3/referrals.csv", "x"), 400, "you chose the quarter 2026Q2"},
		{"too large", "", "q.zip", bytes.Repeat([]byte("x"), 100<<10), 413, "larger than the 64 KiB a zip may be"},
	}
	for _, tc := range cases {
		res, body := c.upload(t, c.csrf(t), tc.quarter, tc.filename, tc.zipped)
		if res.StatusCode != tc.status || !strings.Contains(body, tc.want) || !strings.Contains(body, `id="upload-error"`) {
			t.Errorf("%s: %d, want %d with %q on the Data page\n%.2000s", tc.name, res.StatusCode, tc.status, tc.want, body)
		}
	}
	if n := len(loader.loads()); n != 0 {
		t.Errorf("%d refused uploads reached the loader", n)
	}

	// The loader's refusal (naming file, column and rule) is shown.
	loader.err = refusal("quarter 2026Q3 refused, nothing was loaded:\n  referrals.csv column nhs_number: missing_column: The file has no nhs_number column.")
	res, body := c.upload(t, c.csrf(t), "", "q.zip", zipOf(t, "2026Q3/referrals.csv", "x"))
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "referrals.csv column nhs_number: missing_column") {
		t.Errorf("refused quarter: %d\n%.600s", res.StatusCode, body)
	}
	// Any other failure is the server's: 500, without its text.
	loader.err = errors.New("disk on fire")
	if res, body := c.upload(t, c.csrf(t), "", "q.zip", zipOf(t, "2026Q3/referrals.csv", "x")); res.StatusCode != 500 || strings.Contains(body, "disk on fire") {
		t.Errorf("failed load: %d", res.StatusCode)
	}
}

func TestUploadNeedsTheFormToken(t *testing.T) {
	loader := &fakeLoader{}
	ts, _ := newTestServerWith(t, Options{Loads: loader})
	c := ts.as(t, userServiceLead)
	other := ts.as(t, userAdmin)
	for name, token := range map[string]string{"missing": "", "another session's": other.csrf(t)} {
		res, body := c.upload(t, token, "", "q.zip", zipOf(t, "2026Q3/referrals.csv", "x"))
		if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "This form has expired") {
			t.Errorf("upload with %s token: %d", name, res.StatusCode)
		}
	}
	if n := len(loader.loads()); n != 0 {
		t.Errorf("%d loads without a valid token", n)
	}
}

// TestUploadsStayInUploadDir: the uploaded zip is written under
// Options.UploadDir, never the system's temporary folder, and removed
// when the request ends, loaded, refused or forbidden alike.
func TestUploadsStayInUploadDir(t *testing.T) {
	loader := &fakeLoader{}
	dir := t.TempDir()
	ts, _ := newTestServerWith(t, Options{Loads: loader, UploadDir: dir})
	c := ts.as(t, userServiceLead)
	empty := func(when string) {
		t.Helper()
		if entries, err := os.ReadDir(dir); err != nil || len(entries) != 0 {
			t.Errorf("%s, the upload folder holds %v (%v)", when, entries, err)
		}
	}
	if res, body := c.upload(t, c.csrf(t), "", "q.zip", zipOf(t, "2026Q3/referrals.csv", "x")); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d\n%.300s", res.StatusCode, body)
	}
	if p := loader.loads()[0].zipPath; !strings.HasPrefix(p, dir+string(filepath.Separator)) {
		t.Errorf("the zip was saved at %s, not under the upload folder %s", p, dir)
	}
	empty("after a load")
	loader.err = refusal("refused")
	c.upload(t, c.csrf(t), "", "q.zip", zipOf(t, "2026Q3/referrals.csv", "x"))
	empty("after a refused load")
	if res, _ := c.upload(t, "not the token", "", "q.zip", zipOf(t, "2026Q3/referrals.csv", "x")); res.StatusCode != http.StatusForbidden {
		t.Errorf("upload with a wrong token: %d", res.StatusCode)
	}
	empty("after an upload refused for its form token")

	if _, err := New(newFakeStore(), Options{Accounts: newFakeAccounts(), Loads: loader}); err == nil {
		t.Error("a server with Loads but no UploadDir was made")
	}
}
