package dashboard

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/uptake-nhs/uptake/accounts"
	"github.com/uptake-nhs/uptake/queries"
)

// getRaw asks u with the headers given and returns the answer as it came,
// not decompressed (setting Accept-Encoding stops Go's transport from
// decompressing).
func (c *client) getRaw(t testing.TB, u string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", "identity")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, b
}

func gunzip(t testing.TB, b []byte) []byte {
	t.Helper()
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestAcceptsGzip(t *testing.T) {
	for h, want := range map[string]bool{
		"": false, "identity": false, "gzip": true, "deflate, gzip;q=1.0, br": true, "GZIP": true, "x-gzip": true,
		"*": true, "gzip;q=0": false, "gzip; q=0.000": false, "gzip;q=0.5": true, "br, deflate": false,
		"*, gzip;q=0": false, "*;q=0": false, "gzip;q=x": false,
	} {
		r, _ := http.NewRequest(http.MethodGet, "/", nil)
		if h != "" {
			r.Header.Set("Accept-Encoding", h)
		}
		if got := acceptsGzip(r); got != want {
			t.Errorf("Accept-Encoding %q: gzip %v, want %v", h, got, want)
		}
	}
}

// TestGzipNegotiated: JSON, HTML, CSV and the static assets come gzipped
// exactly when the client accepts gzip, say that they vary by it, and
// hold the same bytes either way.
func TestGzipNegotiated(t *testing.T) {
	ts, _ := newTestServer(t)
	c := ts.as(t, userCommissioner)
	for _, path := range []string{
		"/api/followup?limit=all", "/practices", "/download/followup-practices.csv",
		"/static/vendor/echarts/echarts.min.js", assetURL("uptake.css"),
	} {
		plainRes, plain := c.getRaw(t, ts.URL+path, nil)
		gzRes, gz := c.getRaw(t, ts.URL+path, map[string]string{"Accept-Encoding": "gzip, deflate"})
		refusedRes, refused := c.getRaw(t, ts.URL+path, map[string]string{"Accept-Encoding": "gzip;q=0, deflate"})
		if plainRes.StatusCode != 200 || gzRes.StatusCode != 200 || refusedRes.StatusCode != 200 {
			t.Fatalf("%s: status %d, %d, %d", path, plainRes.StatusCode, gzRes.StatusCode, refusedRes.StatusCode)
		}
		if ce := plainRes.Header.Get("Content-Encoding"); ce != "" {
			t.Errorf("%s without gzip: Content-Encoding %q", path, ce)
		}
		if ce := refusedRes.Header.Get("Content-Encoding"); ce != "" || !bytes.Equal(refused, plain) {
			t.Errorf("%s with gzip refused: Content-Encoding %q", path, ce)
		}
		if len(plain) < minGzipBytes {
			if gzRes.Header.Get("Content-Encoding") != "" {
				t.Errorf("%s: %d bytes gzipped", path, len(plain))
			}
			continue
		}
		if ce := gzRes.Header.Get("Content-Encoding"); ce != "gzip" {
			t.Errorf("%s with gzip: Content-Encoding %q", path, ce)
			continue
		}
		for _, res := range []*http.Response{plainRes, gzRes} {
			if !strings.Contains(strings.Join(res.Header.Values("Vary"), ","), "Accept-Encoding") {
				t.Errorf("%s: Vary %q", path, res.Header.Values("Vary"))
			}
		}
		if !bytes.Equal(gunzip(t, gz), plain) {
			t.Errorf("%s: the gzipped answer is not the plain one", path)
		}
		if len(gz) >= len(plain) {
			t.Errorf("%s: gzipped %d bytes, plain %d", path, len(gz), len(plain))
		}
	}
	// An answer too small to be worth it is sent as it is.
	res, _ := c.getRaw(t, ts.URL+"/healthz", map[string]string{"Accept-Encoding": "gzip"})
	if res.Header.Get("Content-Encoding") != "" {
		t.Error("/healthz gzipped")
	}
}

// TestETag304: a kept answer carries an ETag; asking again with it gets
// 304 and no body, until the data version changes.
func TestETag304(t *testing.T) {
	ts, store := newTestServer(t)
	c := ts.as(t, userCommissioner)
	for _, path := range []string{"/api/followup", "/api/filters", "/api/chart/followup-practices", assetURL("uptake.js"), "/static/uptake.js"} {
		res, body := c.getRaw(t, ts.URL+path, nil)
		etag := res.Header.Get("ETag")
		if res.StatusCode != 200 || etag == "" || len(body) == 0 {
			t.Fatalf("%s: %d, ETag %q", path, res.StatusCode, etag)
		}
		res, body = c.getRaw(t, ts.URL+path, map[string]string{"If-None-Match": etag})
		if res.StatusCode != http.StatusNotModified || len(body) != 0 || res.Header.Get("ETag") != etag {
			t.Errorf("%s with its ETag: %d, %d bytes, ETag %q", path, res.StatusCode, len(body), res.Header.Get("ETag"))
		}
		res, _ = c.getRaw(t, ts.URL+path, map[string]string{"If-None-Match": `"other", W/` + etag})
		if res.StatusCode != http.StatusNotModified {
			t.Errorf("%s with its ETag in a list: %d", path, res.StatusCode)
		}
		res, _ = c.getRaw(t, ts.URL+path, map[string]string{"If-None-Match": `"other"`})
		if res.StatusCode != 200 {
			t.Errorf("%s with another ETag: %d", path, res.StatusCode)
		}
	}

	res, _ := c.getRaw(t, ts.URL+"/api/followup", nil)
	etag := res.Header.Get("ETag")
	store.mu.Lock()
	store.version++
	store.mu.Unlock()
	res, _ = c.getRaw(t, ts.URL+"/api/followup", map[string]string{"If-None-Match": etag})
	if res.StatusCode != 200 || res.Header.Get("ETag") == etag {
		t.Errorf("after a load: %d, ETag %q (was %q)", res.StatusCode, res.Header.Get("ETag"), etag)
	}

	// Work lists name patients: no ETag, stored nowhere.
	pr := ts.as(t, userPractice)
	res, _ = pr.getRaw(t, ts.URL+"/api/followup-worklist?practice=F83004", nil)
	if res.StatusCode != 200 || res.Header.Get("ETag") != "" || res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("work list: %d, ETag %q, Cache-Control %q", res.StatusCode, res.Header.Get("ETag"), res.Header.Get("Cache-Control"))
	}
}

// TestAnswersKeptOnce: an answer is made once per data version and query,
// whoever asks (of the same audience), and again after a load.
func TestAnswersKeptOnce(t *testing.T) {
	ts, store := newTestServer(t)
	calls := func() int {
		store.mu.Lock()
		defer store.mu.Unlock()
		n := 0
		for _, c := range store.calls {
			if strings.HasPrefix(c, "FollowUp?") {
				n++
			}
		}
		return n
	}
	for _, user := range []string{userCommissioner, userServiceLead, userCommissioner} {
		ts.as(t, user).get(t, ts.URL+"/api/followup?pcn=North")
	}
	if n := calls(); n != 1 {
		t.Errorf("three asks: the store asked %d times, want 1", n)
	}
	ts.as(t, userCommissioner).get(t, ts.URL+"/api/followup?pcn=North&limit=2")
	store.mu.Lock()
	store.version++
	store.mu.Unlock()
	ts.as(t, userCommissioner).get(t, ts.URL+"/api/followup?pcn=North")
	if n := calls(); n != 3 {
		t.Errorf("another page and a load: the store asked %d times, want 3", n)
	}
}

// TestPagedAPI: the long lists answer a page, 100 rows unless asked, with
// the total; a bad page is 400.
func TestPagedAPI(t *testing.T) {
	ts, _ := newTestServer(t)
	c := ts.as(t, userCommissioner)
	var fu queries.FollowUp
	getJSONInto(t, c, ts.URL+"/api/followup?limit=2&offset=1", &fu)
	if len(fu.Practices) != 2 || fu.Practices[0].Code != "F83010" || fu.Practices[1].Code != "F83020" ||
		fu.PracticesPage == nil || *fu.PracticesPage != (queries.ListPage{Limit: 2, Offset: 1, Total: 3}) {
		t.Errorf("follow-up page: %+v %+v", fu.Practices, fu.PracticesPage)
	}
	var cc queries.CodingCompleteness
	getJSONInto(t, c, ts.URL+"/api/coding", &cc)
	if len(cc.Practices) != 3 || *cc.PracticesPage != (queries.ListPage{Limit: queries.DefaultListLimit, Total: 3}) {
		t.Errorf("coding default page: %d practices, %+v", len(cc.Practices), cc.PracticesPage)
	}
	var ce queries.CampaignEffect
	getJSONInto(t, c, ts.URL+"/api/campaigns?limit=all&offset=2", &ce)
	if len(ce.Campaigns) != 1 || *ce.CampaignsPage != (queries.ListPage{Offset: 2, Total: 3}) {
		t.Errorf("campaigns from the third: %d, %+v", len(ce.Campaigns), ce.CampaignsPage)
	}
	for _, q := range []string{"limit=0", "limit=-1", "limit=10001", "limit=x", "offset=-1", "offset=x"} {
		if res, body := c.get(t, ts.URL+"/api/campaigns?"+q); res.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d %.200s", q, res.StatusCode, body)
		}
	}
	// Downloads and pages keep every row.
	if _, body := c.get(t, ts.URL+"/download/followup-practices.csv"); strings.Count(body, "\n") != 4 {
		t.Errorf("download: %q", body)
	}
}

func getJSONInto(t testing.TB, c *client, u string, v any) {
	t.Helper()
	res, body := c.get(t, u)
	if res.StatusCode != 200 {
		t.Fatalf("%s: %d %.300s", u, res.StatusCode, body)
	}
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("%s: %v", u, err)
	}
}

// TestAnswersByAudienceAndUser runs over the sample data with two practice
// users of different practices: each gets their own practice's figures
// exact and the other's under the rule, the ETags differ by audience, and
// neither ever receives the other's kept answer or work list.
func TestAnswersByAudienceAndUser(t *testing.T) {
	rs := newRealServer(t)
	own := rs.demo[accounts.RolePractice].PracticeCode
	com := rs.as(t, accounts.RoleCommissioner)
	var opts queries.FilterOptions
	getJSONInto(t, com, rs.URL+"/api/filters", &opts)
	other := ""
	for _, p := range opts.Practices {
		if p.Code != own {
			other = p.Code
			break
		}
	}
	const otherUser = "answers-test-other"
	if _, err := rs.accounts.AddUser(t.Context(), accounts.Actor{Username: "test"}, accounts.NewUser{
		Username: otherUser, Role: accounts.RolePractice, PracticeCode: other, Password: "a long test password 1",
	}); err != nil {
		t.Fatal(err)
	}
	a := rs.as(t, accounts.RolePractice)
	b := newClient(t, rs.URL)
	b.signIn(t, otherUser, "a long test password 1")

	tags := map[string]string{}
	for name, c := range map[string]*client{"commissioner": com, "own": a, "other": b} {
		for _, path := range []string{"/api/followup?practice=" + own, "/api/coding?practice=" + own} {
			res, body := c.getRaw(t, rs.URL+path, nil)
			var ans struct{ Disclosure queries.Disclosure }
			if err := json.Unmarshal(body, &ans); err != nil || res.StatusCode != 200 {
				t.Fatalf("%s as %s: %d %v", path, name, res.StatusCode, err)
			}
			// A practice user's answers are made for their practice: its
			// own figures exact, none here for the other practice's user.
			want := queries.Disclosure{Audience: queries.AudiencePublic, Exact: queries.ExactNone}
			switch name {
			case "own":
				want = queries.Disclosure{Audience: queries.AudienceOwnPractice, Practice: own, Exact: ans.Disclosure.Exact}
			case "other":
				want = queries.Disclosure{Audience: queries.AudienceOwnPractice, Practice: other, Exact: queries.ExactNone}
			}
			if ans.Disclosure.Audience != want.Audience || ans.Disclosure.Practice != want.Practice || ans.Disclosure.Exact != want.Exact ||
				(name == "own" && ans.Disclosure.Exact == queries.ExactNone) {
				t.Errorf("%s as %s: disclosure %+v", path, name, ans.Disclosure)
			}
			tags[name+path] = res.Header.Get("ETag")
			if cc := res.Header.Get("Cache-Control"); cc != "private, no-cache" {
				t.Errorf("%s as %s: Cache-Control %q", path, name, cc)
			}
		}
	}
	path := "/api/followup?practice=" + own
	if tags["own"+path] == tags["commissioner"+path] || tags["own"+path] == tags["other"+path] || tags["other"+path] == tags["commissioner"+path] {
		t.Errorf("ETags do not differ by audience: %v", tags)
	}
	// The other practice's user sending the own user's ETag learns
	// nothing: their own answer, not 304.
	res, body := b.getRaw(t, rs.URL+path, map[string]string{"If-None-Match": tags["own"+path]})
	var ans struct{ Disclosure queries.Disclosure }
	if json.Unmarshal(body, &ans); res.StatusCode != 200 || ans.Disclosure.Practice != other {
		t.Errorf("another user with the own user's ETag: %d %.200s", res.StatusCode, body)
	}

	// A CSV download long enough to be worth it comes gzipped.
	res, gz := com.getRaw(t, rs.URL+"/download/followup-practices.csv", map[string]string{"Accept-Encoding": "gzip"})
	_, plain := com.getRaw(t, rs.URL+"/download/followup-practices.csv", nil)
	if res.Header.Get("Content-Encoding") != "gzip" || len(plain) < minGzipBytes || !bytes.Equal(gunzip(t, gz), plain) {
		t.Errorf("CSV: Content-Encoding %q, %d bytes plain", res.Header.Get("Content-Encoding"), len(plain))
	}

	// Work lists: after the own user's, the other's user is refused, and
	// nothing about it is kept.
	wl := "/api/followup-worklist?practice=" + own
	res, _ = a.getRaw(t, rs.URL+wl, nil)
	if res.StatusCode != 200 || res.Header.Get("Cache-Control") != "no-store" || res.Header.Get("ETag") != "" {
		t.Errorf("own work list: %d, Cache-Control %q, ETag %q", res.StatusCode, res.Header.Get("Cache-Control"), res.Header.Get("ETag"))
	}
	for _, c := range []*client{b, com} {
		if res, body := c.getRaw(t, rs.URL+wl, nil); res.StatusCode != http.StatusForbidden {
			t.Errorf("another's work list: %d %.200s", res.StatusCode, body)
		}
	}
}

// TestETagFollowsLoads loads two quarters of the sample, then a third
// while the server runs: every kept answer's ETag changes, and the old
// one no longer gets 304.
func TestETagFollowsLoads(t *testing.T) {
	if testing.Short() {
		t.Skip("loads three quarters of the sample")
	}
	ctx := context.Background()
	conn, loader := mustLoadDB(t, filepath.Join(sampleDir, "2024Q4"), filepath.Join(sampleDir, "2025Q1"))
	store, err := queries.Open(ctx, conn, queries.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	rs := newServerOver(t, store, conn)
	c := rs.as(t, accounts.RoleCommissioner)
	paths := []string{"/api/headline", "/api/followup", "/api/filters", "/api/campaigns?limit=5"}
	before := map[string]string{}
	for _, p := range paths {
		res, _ := c.getRaw(t, rs.URL+p, nil)
		before[p] = res.Header.Get("ETag")
		if res, _ := c.getRaw(t, rs.URL+p, map[string]string{"If-None-Match": before[p]}); res.StatusCode != http.StatusNotModified {
			t.Fatalf("%s before the load: %d, want 304", p, res.StatusCode)
		}
	}
	// Pages are made from kept panels (pages.go): the load must reach
	// them too.
	panels := func() string {
		_, page := c.get(t, rs.URL+"/pathway")
		return page[max(0, strings.Index(page, `<section class="uptake-panel"`)):]
	}
	if p := panels(); strings.Contains(p, "2025Q2") || !strings.Contains(p, "2025Q1") {
		t.Fatalf("the pathway page before the load: 2025Q1 %v, 2025Q2 %v", strings.Contains(p, "2025Q1"), strings.Contains(p, "2025Q2"))
	}
	if _, err := loader.LoadQuarter(ctx, filepath.Join(sampleDir, "2025Q2")); err != nil {
		t.Fatal(err)
	}
	if p := panels(); !strings.Contains(p, "2025Q2") {
		t.Errorf("the pathway page after loading 2025Q2 does not show it: its panels were kept from before the load")
	}
	for _, p := range paths {
		res, _ := c.getRaw(t, rs.URL+p, map[string]string{"If-None-Match": before[p]})
		if res.StatusCode != 200 || res.Header.Get("ETag") == before[p] || res.Header.Get("ETag") == "" {
			t.Errorf("%s after the load: %d, ETag %q (was %q)", p, res.StatusCode, res.Header.Get("ETag"), before[p])
		}
	}
}

// maxAnswerBytes is the largest JSON answer the dashboard should give by
// default (issue 14: none over 1 MiB at England scale).
const maxAnswerBytes = 1 << 20

// checkAnswerSizes asks every JSON source as a role allowed to read it:
// every answer is under maxAnswerBytes, and every paged list (a key X
// beside X_page) holds the rows its page says, no more than the default
// page, all of them with limit=all, and one with limit=1 at the last
// offset.
func (h *honestSite) checkAnswerSizes(t *testing.T) {
	paged := 0
	for _, e := range Endpoints(h.own) {
		if !strings.HasPrefix(e.Name, "api ") {
			continue
		}
		res, body := h.clients[e.Role].get(t, h.rs.URL+e.Path)
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d", e.Path, res.StatusCode)
		}
		if len(body) > maxAnswerBytes {
			t.Errorf("%s: %d bytes, over %d", e.Path, len(body), maxAnswerBytes)
		}
		var v map[string]any
		if err := json.Unmarshal([]byte(body), &v); err != nil {
			continue // a list (loads)
		}
		for key, pv := range v {
			list, ok := strings.CutSuffix(key, "_page")
			if !ok {
				continue
			}
			paged++
			page := pv.(map[string]any)
			rows, _ := v[list].([]any)
			total := int(page["total"].(float64))
			if page["limit"] != float64(queries.DefaultListLimit) || page["offset"] != 0.0 || len(rows) != min(total, queries.DefaultListLimit) {
				t.Errorf("%s: %d %s, page %v", e.Path, len(rows), list, page)
			}
			sep := "?"
			if strings.Contains(e.Path, "?") {
				sep = "&"
			}
			var all, last map[string]any
			for u, into := range map[string]*map[string]any{
				e.Path + sep + "limit=all":                                       &all,
				e.Path + sep + "limit=1&offset=" + strconv.Itoa(max(total-1, 0)): &last,
			} {
				_, b := h.clients[e.Role].get(t, h.rs.URL+u)
				if err := json.Unmarshal([]byte(b), into); err != nil {
					t.Fatalf("%s: %v", u, err)
				}
			}
			allRows, _ := all[list].([]any)
			lastRows, _ := last[list].([]any)
			if len(allRows) != total || len(lastRows) != min(total, 1) {
				t.Errorf("%s: total %d, %d with limit=all, %d on the last page of 1", e.Path, total, len(allRows), len(lastRows))
			} else if total > 0 && !reflect.DeepEqual(lastRows[0], allRows[total-1]) {
				t.Errorf("%s: the last page's row %v is not the whole list's last %v", e.Path, lastRows[0], allRows[total-1])
			}
		}
	}
	if paged < 3 {
		t.Errorf("only %d paged lists seen", paged)
	}
}
