package dashboard

import (
	"strings"
	"testing"

	"github.com/uptake-nhs/uptake/queries"
)

// TestFilterBarCompare: the Practices page's filter bar offers the
// comparators, shows the chosen one selected and as a chip whose link
// drops it and keeps the other filters.
func TestFilterBarCompare(t *testing.T) {
	f := queries.Filter{Practice: "F83004", Compare: queries.ComparePeers}
	b := newFilterBar("/practices", queries.FilterOptions{}, f).withCompare(f)
	sel := b.Selects[len(b.Selects)-1]
	if sel.Name != "compare" || len(sel.Options) != 3 {
		t.Fatalf("last select %+v", sel)
	}
	for _, o := range sel.Options {
		if o.Selected != (o.Value == queries.ComparePeers) {
			t.Errorf("option %+v selected %v", o, o.Selected)
		}
	}
	if sel.Options[0].Value != "" || sel.Options[0].Label != "The borough" {
		t.Errorf("first option %+v, want the borough as the default", sel.Options[0])
	}
	chip := b.Chips[len(b.Chips)-1]
	if !strings.HasPrefix(chip.Label, "Compared with: similar practices") || strings.Contains(chip.Remove, "compare=") || !strings.Contains(chip.Remove, "practice=F83004") {
		t.Errorf("chip %+v", chip)
	}
	plain := newFilterBar("/practices", queries.FilterOptions{}, queries.Filter{}).withCompare(queries.Filter{})
	if len(plain.Chips) != 0 || !plain.Selects[len(plain.Selects)-1].Options[0].Selected {
		t.Errorf("no comparator chosen: chips %v, options %+v", plain.Chips, plain.Selects[len(plain.Selects)-1].Options)
	}
}
