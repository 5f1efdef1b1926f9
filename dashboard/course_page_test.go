package dashboard

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/uptake-nhs/uptake/accounts"
	"github.com/uptake-nhs/uptake/queries"
)

// The course list answers a page at a time through the JSON API, while the
// venues page says how many courses there are and the downloads hold every
// one of them. The sample data have a few hundred courses.
func TestCourseListPages(t *testing.T) {
	rs := newRealServer(t)
	c := rs.as(t, accounts.RoleServiceLead)
	fills := func(query string) queries.CourseFills {
		t.Helper()
		res, body := c.get(t, rs.URL+"/api/course-fills"+query)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", query, res.StatusCode, body)
		}
		var r queries.CourseFills
		if err := json.Unmarshal([]byte(body), &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	first := fills("")
	total := int(first.Total)
	if total <= pageRows || len(first.Courses) != queries.DefaultCourseLimit || first.Page.Limit != queries.DefaultCourseLimit {
		t.Fatalf("first page: %d courses of %d, page %+v", len(first.Courses), total, first.Page)
	}
	all := fills("?limit=all")
	if len(all.Courses) != total || all.Total != first.Total {
		t.Fatalf("limit=all: %d courses, want %d", len(all.Courses), total)
	}
	second := fills("?limit=20&offset=100")
	if len(second.Courses) != 20 || second.Courses[0].CourseID != all.Courses[100].CourseID || second.Courses[19].CourseID != all.Courses[119].CourseID {
		t.Errorf("limit=20&offset=100 gave %d courses from %s; want the 101st to 120th of %d", len(second.Courses), second.Courses[0].CourseID, total)
	}
	if past := fills("?offset=" + strconv.Itoa(total)); len(past.Courses) != 0 || past.Total != first.Total {
		t.Errorf("past the end: %d courses, total %d", len(past.Courses), past.Total)
	}
	for _, bad := range []string{"?limit=0", "?limit=ten", "?limit=10001", "?offset=-1", "?offset=x"} {
		if res, body := c.get(t, rs.URL+"/api/course-fills"+bad); res.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d %.200s; want 400", bad, res.StatusCode, body)
		}
	}

	res, body := c.get(t, rs.URL+"/venues")
	want := "Showing 100 of " + groupThousands(strconv.Itoa(total)) + " courses, the most recent first."
	if res.StatusCode != http.StatusOK || !strings.Contains(body, want) {
		t.Errorf("the venues page does not say %q", want)
	}

	// The download holds every course whatever limit its link carries.
	for _, query := range []string{"", "?limit=5"} {
		res, body = c.get(t, rs.URL+"/download/fill-courses.csv"+query)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("download: %d", res.StatusCode)
		}
		r := csv.NewReader(strings.NewReader(body))
		r.FieldsPerRecord = -1
		records, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		courses := 0
		for _, rec := range records {
			if len(rec) == 10 && strings.HasPrefix(rec[0], all.Courses[0].CourseID[:2]) {
				courses++
			}
		}
		if courses != total {
			t.Errorf("download%s holds %d courses, want %d", query, courses, total)
		}
	}
}
