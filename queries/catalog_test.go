package queries

import (
	"context"
	"reflect"
	"slices"
	"testing"
)

// Every exported Store method that answers a question is in the
// catalogue, so `uptake bench` cannot silently leave a new indicator out.
func TestCatalogueHasEveryIndicator(t *testing.T) {
	notIndicators := []string{"CheckFilter", "Config", "DataVersion", "DisableCache", "FilterOptions", "Refresh"}
	var names []string
	for _, ind := range Indicators {
		if slices.Contains(names, ind.Name) {
			t.Errorf("%s is listed twice", ind.Name)
		}
		names = append(names, ind.Name)
	}
	st := reflect.TypeFor[*Store]()
	for i := range st.NumMethod() {
		m := st.Method(i).Name
		if !slices.Contains(notIndicators, m) && !slices.Contains(names, m) {
			t.Errorf("Store.%s is not in Indicators", m)
		}
	}
	for _, n := range names {
		if _, ok := st.MethodByName(n); !ok {
			t.Errorf("Indicators lists %s, which is not a Store method", n)
		}
	}
}

// Each catalogue entry asks its own question: the result cache holds one
// entry per cached indicator and filter after a run over the pathway
// fixture, and a second run adds none.
func TestCatalogueRuns(t *testing.T) {
	s := buildPathwayFixture(t).store()
	ctx := context.Background()
	for _, ind := range Indicators {
		for _, practice := range []string{"", "F83004"} {
			if (ind.Scope == PracticeScope && practice == "") || (ind.Scope == DataScope && practice != "") {
				continue
			}
			if err := ind.Run(ctx, s, Filter{Practice: practice}); err != nil {
				t.Errorf("%s(%q): %v", ind.Name, practice, err)
			}
		}
	}
	n := len(s.cache.entries)
	if n == 0 {
		t.Fatal("nothing was cached")
	}
	for _, ind := range Indicators {
		if ind.Scope != PracticeScope {
			ind.Run(ctx, s, Filter{})
		}
	}
	if len(s.cache.entries) != n {
		t.Errorf("a second run added %d cache entries", len(s.cache.entries)-n)
	}
}
