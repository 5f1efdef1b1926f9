package dashboard

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// get fetches url without a session and without following redirects.
func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	return newClient(t, "").get(t, url)
}

func TestEveryPageRenders(t *testing.T) {
	ts, _ := newTestServer(t)
	sl := ts.as(t, userServiceLead) // every page is open to service leads
	for _, p := range testSite.pages {
		t.Run(p.Name, func(t *testing.T) {
			res, body := sl.get(t, ts.URL+p.Path+"?from=2025Q4&pcn=North")
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status %d, body:\n%s", res.StatusCode, body)
			}
			if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("content type %q", ct)
			}
			wants := []string{"<title>" + p.Title + " – ", `aria-current="page">` + p.Title + "</a>"}
			if !p.NoFilters {
				wants = append(wants, `<option value="2025Q4" selected>`, `<option value="North" selected>`,
					"Showing referrals from 2025Q4 onwards; network North.")
			} else if strings.Contains(body, `id="filters-heading"`) {
				t.Error("a page the filters do not change shows the filter bar")
			}
			for _, want := range wants {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %q", want)
				}
			}
			// The navigation keeps the filters.
			if !strings.Contains(body, `href="/equity?from=2025Q4&amp;pcn=North"`) {
				t.Error("navigation links do not keep the filters")
			}
		})
	}
}

func TestPracticeFilterOptionsFollowNetwork(t *testing.T) {
	ts, _ := newTestServer(t)
	c := ts.as(t, userCommissioner)
	_, body := c.get(t, ts.URL+"/?pcn=North")
	if !strings.Contains(body, `value="F83004"`) || strings.Contains(body, `value="F83020"`) {
		t.Error("with a network chosen, the practice select must list only its practices")
	}
}

func TestBadFilterIs400WithClearMessage(t *testing.T) {
	ts, _ := newTestServer(t)
	sl := ts.as(t, userServiceLead)
	cases := []struct{ path, want string }{
		{"/?from=2026Q9", "must be a quarter like 2026Q2"},
		{"/practices?practice=nonsense", "must be an ODS practice code"},
		{"/data?practice=Z99999", "is not a practice in the loaded data"},
		{"/?mode=carrier+pigeon", "must be one of: face-to-face, online"},
		{"/?from=2026Q2&to=2025Q3", "comes after to=2025Q3"},
	}
	for _, c := range cases {
		res, body := sl.get(t, ts.URL+c.path)
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", c.path, res.StatusCode)
		}
		if !strings.Contains(body, c.want) {
			t.Errorf("%s: page lacks %q", c.path, c.want)
		}
		if !strings.Contains(body, "There is a problem with the filters") {
			t.Errorf("%s: no error summary", c.path)
		}
	}
	res, body := sl.get(t, ts.URL+"/api/filters/nope")
	if res.StatusCode != http.StatusNotFound || !strings.Contains(res.Header.Get("Content-Type"), "application/json") {
		t.Errorf("unknown API path: %d %s", res.StatusCode, body)
	}
}

func TestUnknownPageIs404(t *testing.T) {
	ts, _ := newTestServer(t)
	c := ts.as(t, userCommissioner)
	for _, path := range []string{"/nope", "/practices/Z99999", "/static/nope.js"} {
		res, body := c.get(t, ts.URL+path)
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d", path, res.StatusCode)
		}
		if !strings.Contains(body, "There is no such page") {
			t.Errorf("%s: body lacks the explanation", path)
		}
	}
}

func TestPracticePage(t *testing.T) {
	ts, _ := newTestServer(t)
	c := ts.as(t, userCommissioner)
	res, body := c.get(t, ts.URL+"/practices/F83004?from=2025Q4")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d\n%s", res.StatusCode, body)
	}
	if !strings.Contains(body, "Archway Medical Centre") || !strings.Contains(body, "North") {
		t.Error("practice page lacks the practice's name or network")
	}
}

func TestAPIFiltersEscapesData(t *testing.T) {
	ts, _ := newTestServer(t)
	c := ts.as(t, userCommissioner)
	res, body := c.get(t, ts.URL+"/api/filters")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("%d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if strings.Contains(body, "<script>") || !strings.Contains(body, `\u003c/script\u003e`) {
		t.Errorf("JSON must escape < and >: %s", body)
	}
	var got struct{ Practices []struct{ Name string } }
	if err := json.Unmarshal([]byte(body), &got); err != nil || got.Practices[1].Name != evilName {
		t.Errorf("the name must survive the round trip: %v %+v", err, got)
	}
}

func TestHTMLEscapesData(t *testing.T) {
	ts, _ := newTestServer(t)
	c := ts.as(t, userCommissioner)
	_, body := c.get(t, ts.URL+"/")
	if strings.Contains(body, evilName) || strings.Contains(body, "<script>alert") {
		t.Fatal("a practice name was inserted into the page unescaped")
	}
	if !strings.Contains(body, "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the escaped practice name is missing from the filter select")
	}
}

func TestSecurityHeadersAndStatic(t *testing.T) {
	ts, _ := newTestServer(t)
	res, _ := ts.as(t, userCommissioner).get(t, ts.URL+"/")
	csp := res.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP %q", csp)
	}
	if res.Header.Get("X-Request-Id") == "" {
		t.Error("no request id")
	}
	// The assets need no sign-in: the sign-in page uses them.
	for path, ct := range map[string]string{
		"/static/uptake.js":                                    "javascript",
		"/static/uptake.css":                                   "text/css",
		"/static/vendor/echarts/echarts.min.js":                "javascript",
		"/static/vendor/nhsuk-frontend/nhsuk-frontend.min.css": "text/css",
	} {
		res, body := get(t, ts.URL+path)
		if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Type"), ct) || len(body) < 100 {
			t.Errorf("%s: %d %q %d bytes", path, res.StatusCode, res.Header.Get("Content-Type"), len(body))
		}
	}
}

func TestCrossOriginPostRefused(t *testing.T) {
	ts, _ := newTestServer(t)
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/", strings.NewReader("x=1"))
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site POST: status %d, want 403", res.StatusCode)
	}
}

func TestRequestLogHasRouteNotQuery(t *testing.T) {
	var buf bytes.Buffer
	acc := newFakeAccounts()
	srv, err := New(newFakeStore(), Options{Logger: slog.New(slog.NewJSONHandler(&buf, nil)), Accounts: acc})
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := acc.CreateSession(t.Context(), acc.users[userCommissioner].ID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/practices/F83004?practice=F83004&from=2025Q4", nil)
	req.AddCookie(&http.Cookie{Name: sessionCookiePlain, Value: token})
	srv.Handler().ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Fatalf("status %d", rec.Code)
	}
	var line map[string]any
	if err := json.Unmarshal(bytes.TrimSpace(buf.Bytes()), &line); err != nil {
		t.Fatalf("%v: %s", err, buf.String())
	}
	if line["route"] != "/practices/:code" || line["method"] != "GET" || line["status"] != float64(200) || line["request_id"] == "" {
		t.Errorf("log line %v", line)
	}
	if strings.Contains(buf.String(), "2025Q4") || strings.Contains(buf.String(), token) {
		t.Errorf("the log must not contain query values or the session token: %s", buf.String())
	}
}

func TestInternalErrorHidesDetail(t *testing.T) {
	var buf bytes.Buffer
	srv, err := New(newFakeStore(), Options{Logger: slog.New(slog.NewJSONHandler(&buf, nil)), Accounts: newFakeAccounts()})
	if err != nil {
		t.Fatal(err)
	}
	r := route{Name: "boom", Kind: apiRoute}
	rec := httptest.NewRecorder()
	c, _ := ginTestContext(rec)
	c.Set(requestIDKey, "abc123")
	srv.fail(c, r, io.ErrUnexpectedEOF)
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "unexpected EOF") || !strings.Contains(rec.Body.String(), "abc123") {
		t.Errorf("500 answer %d %s", rec.Code, rec.Body.String())
	}
	if !strings.Contains(buf.String(), "unexpected EOF") {
		t.Error("the log must have the detail")
	}
}
