package dashboard

import (
	"net/url"
	"slices"

	"github.com/uptake-nhs/uptake/accounts"
)

// Endpoint is one GET route a signed-in user's browser or script asks for:
// a page, which carries its charts' data, or a JSON source.
type Endpoint struct {
	// Name is "page NAME" or "api SOURCE".
	Name string
	// Path is the path with any query the route needs.
	Path string
	// Role is a role that may read the route: the commissioner where
	// they may, otherwise the practice (its own work lists) or the
	// service lead (the data pages).
	Role accounts.Role
}

// Endpoints lists every page of the navigation, the practice page and
// every JSON source, for `uptake bench` and the load test to request.
// practice is the practice code used where a route needs one; a
// practice-role user must belong to it to read the work lists.
func Endpoints(practice string) []Endpoint {
	roleFor := func(route string) accounts.Role {
		roles := accessTable[route].roles
		for _, r := range []accounts.Role{accounts.RoleCommissioner, accounts.RolePractice, accounts.RoleServiceLead} {
			if slices.Contains(roles, r) {
				return r
			}
		}
		return accounts.RoleAdmin
	}
	withPractice := "?" + url.Values{"practice": {practice}}.Encode()
	site := newSite()
	var out []Endpoint
	for _, p := range site.pages {
		out = append(out, Endpoint{Name: "page " + p.Name, Path: p.Path, Role: roleFor(p.Name)})
	}
	out = append(out, Endpoint{Name: "page practice", Path: "/practices/" + url.PathEscape(practice), Role: roleFor("practice")})
	for _, src := range site.sources {
		path := "/api/" + src.Name
		if src.practice || accessTable["api."+src.Name].workList {
			path += withPractice
		}
		out = append(out, Endpoint{Name: "api " + src.Name, Path: path, Role: roleFor("api." + src.Name)})
	}
	return out
}
