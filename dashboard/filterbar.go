package dashboard

import (
	"net/url"
	"slices"
	"strings"

	"github.com/uptake-nhs/uptake/queries"
)

// filterBar is the view model of the filter form: a plain GET form that
// works without JavaScript. Changing a field never reloads the page (WCAG
// 2.2 SC 3.2.2, on input): the reader applies the changes with the
// button, and uptake.js says that changes are waiting until then.
type filterBar struct {
	Action  string // the page's path
	Selects []filterSelect
	// Summary says in words which filters are on, e.g. "Showing 2025Q3 to
	// 2026Q2, PCN: North, mode: online."
	Summary string
	Active  bool
	// Clear is the page without filters.
	Clear string
	// Chips are the filters that are on, each with a link that removes it
	// (and keeps the others).
	Chips []filterChip
}

// filterChip is one filter that is on, e.g. "Language: Turkish", and the
// page without it.
type filterChip struct {
	Label  string
	Remove string
}

type filterSelect struct {
	Name    string // query parameter
	Label   string
	Options []filterOption
	// Input makes the field a text box instead of a select, for a list
	// too long to send with every page (England's 6,500 practices):
	// Value is what it holds and Hint says what to type. uptake.js offers
	// the list as suggestions when the box is first used.
	Input       bool
	Value, Hint string
}

// maxSelectOptions is the most practices the practice filter offers as a
// select. England's 6,500 practices are 500 kB of options on every page,
// and take the browser longer to build than the charts. (England's 1,250
// networks stay a select: a tenth of the weight.)
const maxSelectOptions = 500

type filterOption struct {
	Value, Label string
	Selected     bool
}

var filterLabels = map[string]string{
	"from": "From quarter", "to": "To quarter", "pcn": "Primary care network", "practice": "Practice",
	"mode": "Mode", "language": "Language", "referrer": "Referred by", "channel": "Referral channel",
}

var allLabels = map[string]string{
	"from": "Earliest", "to": "Latest", "pcn": "All networks", "practice": "All practices",
	"mode": "All modes", "language": "All languages", "referrer": "Anyone", "channel": "All channels",
}

// newFilterBar builds the form for the page at action from the options
// in the loaded data and the current filter.
func newFilterBar(action string, o queries.FilterOptions, f queries.Filter) *filterBar {
	current := map[string]string{}
	for k, v := range f.Query() {
		current[k] = v[0]
	}
	plain := func(vals []string) []filterOption {
		out := make([]filterOption, len(vals))
		for i, v := range vals {
			out[i] = filterOption{Value: v, Label: v}
		}
		return out
	}
	practices := make([]filterOption, 0, len(o.Practices))
	for _, p := range o.Practices {
		if f.PCN != "" && p.PCN != f.PCN {
			continue
		}
		practices = append(practices, filterOption{Value: p.Code, Label: p.Name + " (" + p.Code + ")"})
	}
	options := map[string][]filterOption{
		"from": plain(o.Quarters), "to": plain(o.Quarters), "pcn": plain(o.PCNs), "practice": practices,
		"mode": plain(o.Modes), "language": plain(o.Languages), "referrer": plain(o.Referrers), "channel": plain(o.Channels),
	}
	b := &filterBar{Action: action, Clear: action, Active: !f.IsZero()}
	for _, name := range queries.FilterFields {
		sel := filterSelect{Name: name, Label: filterLabels[name]}
		if name == "practice" && len(options[name]) > maxSelectOptions {
			sel.Input, sel.Value = true, current[name]
			sel.Hint = "ODS code, e.g. " + options[name][0].Value + ". Choose a network for a list."
			b.Selects = append(b.Selects, sel)
			continue
		}
		sel.Options = append(sel.Options, filterOption{Value: "", Label: allLabels[name], Selected: current[name] == ""})
		for _, opt := range options[name] {
			opt.Selected = opt.Value == current[name]
			sel.Options = append(sel.Options, opt)
		}
		b.Selects = append(b.Selects, sel)
	}
	b.Summary = summarise(f, o)
	b.Chips = chips(action, f, o)
	return b
}

// chips lists the filters of f that are on, each with the page at action
// without it. A single quarter (from and to the same) is one chip.
func chips(action string, f queries.Filter, o queries.FilterOptions) []filterChip {
	q := f.Query()
	without := func(names ...string) string {
		rest := url.Values{}
		for k, v := range q {
			if !slices.Contains(names, k) {
				rest[k] = v
			}
		}
		return withQuery(action, rest)
	}
	var out []filterChip
	if f.From != "" && f.From == f.To {
		out = append(out, filterChip{Label: "Quarter: " + f.From, Remove: without("from", "to")})
	} else {
		if f.From != "" {
			out = append(out, filterChip{Label: "From " + f.From, Remove: without("from")})
		}
		if f.To != "" {
			out = append(out, filterChip{Label: "To " + f.To, Remove: without("to")})
		}
	}
	for _, name := range queries.FilterFields[2:] {
		v := q.Get(name)
		if v == "" {
			continue
		}
		label := v
		if name == "practice" {
			for _, p := range o.Practices {
				if p.Code == v {
					label = p.Name + " (" + p.Code + ")"
				}
			}
		}
		out = append(out, filterChip{Label: filterLabels[name] + ": " + label, Remove: without(name)})
	}
	return out
}

// compareLabels word the comparators of the practice benchmark
// (queries.Comparators) in the filter bar.
var compareLabels = map[string]string{
	queries.CompareBorough: "The borough",
	queries.CompareNetwork: "Their network",
	queries.ComparePeers:   "Similar practices (list size and deprivation)",
}

// withCompare adds the choice of what the practice benchmark compares
// with (queries.Filter.Compare), for the pages that show it: the borough,
// the network, or similar practices. It is a select of the same GET form,
// so it works without JavaScript, and a chip when it is on.
func (b *filterBar) withCompare(f queries.Filter) *filterBar {
	sel := filterSelect{Name: "compare", Label: "Compare practices with"}
	for _, c := range queries.Comparators {
		v := c
		if c == queries.CompareBorough {
			v = ""
		}
		sel.Options = append(sel.Options, filterOption{Value: v, Label: compareLabels[c], Selected: f.Compare == v})
	}
	b.Selects = append(b.Selects, sel)
	if f.Compare != "" {
		rest := f.Query()
		rest.Del("compare")
		b.Chips = append(b.Chips, filterChip{Label: "Compared with: " + strings.ToLower(compareLabels[f.Compare]), Remove: withQuery(b.Action, rest)})
	}
	return b
}

// without drops the named selects, for a page that the filters they set
// do not change.
func (b *filterBar) without(names ...string) *filterBar {
	b.Selects = slices.DeleteFunc(b.Selects, func(s filterSelect) bool { return slices.Contains(names, s.Name) })
	b.Chips = slices.DeleteFunc(b.Chips, func(c filterChip) bool {
		for _, n := range names {
			if strings.HasPrefix(c.Label, filterLabels[n]+": ") {
				return true
			}
		}
		return false
	})
	return b
}

// summarise says in words what the page shows.
func summarise(f queries.Filter, o queries.FilterOptions) string {
	var parts []string
	switch {
	case f.From != "" && f.To != "":
		parts = append(parts, "referrals from "+f.From+" to "+f.To)
	case f.From != "":
		parts = append(parts, "referrals from "+f.From+" onwards")
	case f.To != "":
		parts = append(parts, "referrals up to "+f.To)
	default:
		parts = append(parts, "all quarters loaded")
	}
	if f.PCN != "" {
		parts = append(parts, "network "+f.PCN)
	}
	if f.Practice != "" {
		name := f.Practice
		for _, p := range o.Practices {
			if p.Code == f.Practice {
				name = p.Name + " (" + p.Code + ")"
			}
		}
		parts = append(parts, "practice "+name)
	}
	for _, kv := range [][2]string{{"mode", f.Mode}, {"language", f.Language}, {"referred by", f.Referrer}, {"channel", f.Channel}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+" "+kv[1])
		}
	}
	return "Showing " + strings.Join(parts, "; ") + "."
}

// keepFilterParams returns only the filter parameters of q, for links
// that keep the view (and drop page-specific parameters such as format).
func keepFilterParams(q url.Values) url.Values {
	out := url.Values{}
	for _, k := range queries.FilterFields {
		if v := q.Get(k); v != "" {
			out.Set(k, v)
		}
	}
	return out
}
