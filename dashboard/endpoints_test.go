package dashboard

import (
	"net/http"
	"testing"

	"github.com/uptake-nhs/uptake/accounts"
)

// Every endpoint answers its role with 200, and the list leaves out no
// page and no JSON source, so `uptake bench` measures them all.
func TestEndpointsAnswerTheirRole(t *testing.T) {
	rs := newRealServer(t)
	practice := rs.demo[accounts.RolePractice].PracticeCode
	clients := map[accounts.Role]*client{}
	seen := map[string]bool{}
	for _, e := range Endpoints(practice) {
		c, ok := clients[e.Role]
		if !ok {
			c = rs.as(t, e.Role)
			clients[e.Role] = c
		}
		res, body := c.get(t, rs.URL+e.Path)
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s %s as %s: %d\n%.300s", e.Name, e.Path, e.Role, res.StatusCode, body)
		}
		seen[e.Name] = true
	}
	for _, p := range testSite.pages {
		if !seen["page "+p.Name] {
			t.Errorf("page %s is not in Endpoints", p.Name)
		}
	}
	for _, src := range testSite.sources {
		if !seen["api "+src.Name] {
			t.Errorf("source %s is not in Endpoints", src.Name)
		}
	}
	if !seen["page practice"] || len(seen) != len(testSite.pages)+len(testSite.sources)+1 {
		t.Errorf("Endpoints covers %d names; want every page, the practice page and every source", len(seen))
	}
}
