package dashboard

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/uptake-nhs/uptake/accounts"
	"github.com/uptake-nhs/uptake/ingest/generate"
	"github.com/uptake-nhs/uptake/queries"
)

// One screen, one story (issue 10; docs/indicators.md, "One screen, one
// story"), checked over every JSON answer the dashboard gives: every
// source of dashboard.Endpoints, asked by every role, for the borough, the
// practice user's own practice, another practice and the last four
// quarters, on the sample and on an England-like borough of 300 practices
// made by ingest/generate. The walk is generic: it knows the JSON shapes
// of a proportion, a benchmark value, a fill rate and a capacity cell, not
// the sources.

// roles are the roles the property tests ask as.
var roles = []accounts.Role{accounts.RoleCommissioner, accounts.RoleServiceLead, accounts.RolePractice, accounts.RoleAdmin}

// significanceLabels are the benchmark labels that compare a value with
// the borough.
var significanceLabels = []string{"High (0.001)", "High (0.025)", "Not significant", "Low (0.025)", "Low (0.001)"}

// derivedFrom lists, for a key of a JSON object, the keys of the same
// object it is worked out from: when any of those is "*" (withheld), the
// derived value must be withheld too (null, or "*"), never a number
// (and so never a 0 standing for a withheld value).
var derivedFrom = map[string][]string{
	"percent":             {"numerator", "denominator", "people", "non_attenders", "referrals"},
	"ci_low":              {"numerator", "denominator"},
	"ci_high":             {"numerator", "denominator"},
	"lower_95":            {"numerator", "denominator"},
	"upper_95":            {"numerator", "denominator"},
	"lower_998":           {"numerator", "denominator"},
	"upper_998":           {"numerator", "denominator"},
	"rank":                {"numerator", "denominator"},
	"percent_of_referred": {"people"},
	"percent_of_previous": {"people"},
	"fill_rate":           {"booked"},
	"difference":          {"before", "after"},
	"ratio":               {"before", "after"},
	"count_change":        {"count", "previous_count"},
	"referrals_change":    {"referrals"},
	"median_days":         {"people", "booked"},
	"p90_days":            {"people", "booked"},
	"spare":               {"booked"},
}

// countKeys are the JSON keys of counts of people (queries.Count).
var countKeys = []string{"numerator", "denominator", "people", "referrals", "eligible", "non_attenders", "not_yet_notified", "notified",
	"not_yet_due", "followed_up_by_practice", "followed_up_by_provider", "inside_window", "before", "after", "booked", "not_booked",
	"provisional_referrals", "count", "previous_count", "starters", "wanting", "window_passed", "unmet"}

// honesty walks one JSON answer and reports what breaks the rules.
type honesty struct {
	t        *testing.T
	answer   string
	problems int
	// plain counts the labels checked against plain limits beside
	// limits adjusted for overdispersion.
	plain int
}

func (h *honesty) fail(path, format string, args ...any) {
	h.t.Helper()
	h.problems++
	if h.problems <= 10 {
		h.t.Errorf("%s %s: "+format, append([]any{h.answer, path}, args...)...)
	}
}

func number(v any) (float64, bool) {
	f, ok := v.(float64)
	return f, ok
}

func withheld(v any) bool { return v == "*" }

// walk checks every object of v.
func (h *honesty) walk(path string, v any) {
	h.t.Helper()
	switch v := v.(type) {
	case map[string]any:
		h.object(path, v)
		for k, c := range v {
			h.walk(path+"."+k, c)
		}
	case []any:
		for i, c := range v {
			h.walk(path+"["+strconv.Itoa(i)+"]", c)
		}
	}
}

// object checks one JSON object's rules.
func (h *honesty) object(path string, m map[string]any) {
	h.t.Helper()
	const eps = 1e-9
	// Nothing worked out from a withheld count is shown.
	for key, sources := range derivedFrom {
		d, ok := m[key]
		if !ok || d == nil || withheld(d) {
			continue
		}
		for _, s := range sources {
			if withheld(m[s]) {
				h.fail(path, "%s is %v beside %s \"*\"", key, d, s)
			}
		}
	}
	// A proportion: its percentage from its counts as shown, inside its
	// interval, never above 100.
	// An SPC point (it has a period) gives its percentage as its value.
	pctKey := "percent"
	if _, ok := m["period"]; ok {
		pctKey = "value"
	}
	if num, ok := number(m["numerator"]); ok {
		if den, ok := number(m["denominator"]); ok {
			pct, hasPct := number(m[pctKey])
			switch {
			case hasPct && math.Abs(pct-100*num/den) > 1e-6:
				h.fail(path, "percent %v is not %v of %v", pct, num, den)
			case !hasPct && den > 0 && num <= den && m[pctKey] == nil && m["label"] == nil:
				h.fail(path, "%v of %v has no percent", num, den)
			}
			if den == 0 && hasPct {
				h.fail(path, "percent %v of a zero denominator", pct)
			}
		}
	}
	if pct, ok := number(m["percent"]); ok {
		if pct < -eps || pct > 100+eps {
			h.fail(path, "percent %v outside 0-100", pct)
		}
		lo, okLo := number(m["ci_low"])
		hi, okHi := number(m["ci_high"])
		if okLo && okHi && (pct < lo-eps || pct > hi+eps) {
			h.fail(path, "percent %v outside its interval %v-%v", pct, lo, hi)
		}
	}
	if f, ok := number(m["fill_rate"]); ok && f > 100+eps {
		h.fail(path, "fill rate %v above 100%%", f)
	}
	// A label or rank only beside a value shown, and a label that says
	// where the plotted point lies.
	if label, ok := m["label"].(string); ok && (m["lower_95"] != nil || m["rank"] != nil || slices.Contains(significanceLabels, label)) {
		pct, hasPct := number(m["percent"])
		if inner, ok := m["practice"].(map[string]any); ok {
			pct, hasPct = number(inner["percent"]) // a practice's summary: its value beside its label
		}
		if !hasPct && (slices.Contains(significanceLabels, label) || m["rank"] != nil || m["lower_95"] != nil) {
			h.fail(path, "label %q, rank %v or limits beside a value not shown", label, m["rank"])
		}
		lo95, _ := number(m["lower_95"])
		hi95, _ := number(m["upper_95"])
		lo998, _ := number(m["lower_998"])
		hi998, _ := number(m["upper_998"])
		if hasPct && m["lower_95"] != nil {
			var right bool
			switch label {
			case "High (0.001)":
				right = pct > hi998-eps
			case "High (0.025)":
				right = pct > hi95-eps && pct <= hi998+eps
			case "Not significant":
				right = pct >= lo95-eps && pct <= hi95+eps
			case "Low (0.025)":
				right = pct < lo95+eps && pct >= lo998-eps
			case "Low (0.001)":
				right = pct < lo998+eps
			default:
				right = true
			}
			if !right {
				h.fail(path, "label %q but %v lies against limits %v/%v and %v/%v", label, pct, lo998, lo95, hi95, hi998)
			}
		}
		// Limits adjusted for overdispersion come with the plain ones and
		// the label against them: that label agrees with them too, and
		// the adjusted limits are never inside the plain ones.
		if plainLabel, ok := m["plain_label"].(string); ok {
			plo95, ok1 := number(m["plain_lower_95"])
			phi95, ok2 := number(m["plain_upper_95"])
			plo998, ok3 := number(m["plain_lower_998"])
			phi998, ok4 := number(m["plain_upper_998"])
			h.plain++
			if !hasPct || !ok1 || !ok2 || !ok3 || !ok4 {
				h.fail(path, "plain label %q without a value shown or without the plain limits", plainLabel)
			} else {
				if plainLabel != labelAgainst(pct-eps, plo95, phi95, plo998, phi998) && plainLabel != labelAgainst(pct+eps, plo95, phi95, plo998, phi998) {
					h.fail(path, "plain label %q but %v lies against plain limits %v/%v and %v/%v", plainLabel, pct, plo998, plo95, phi95, phi998)
				}
				if lo95 > plo95+eps || hi95 < phi95-eps || lo998 > plo998+eps || hi998 < phi998-eps {
					h.fail(path, "adjusted limits %v/%v and %v/%v inside the plain %v/%v and %v/%v", lo998, lo95, hi95, hi998, plo998, plo95, phi95, phi998)
				}
			}
		}
	}
	// A capacity cell: its need from its figures, and no course added
	// where spare places cover the people wanting them.
	if need, ok := number(m["need"]); ok {
		wanting, _ := number(m["wanting"])
		flexible, _ := number(m["flexible"])
		places, _ := number(m["places"])
		spare, okSpare := number(m["spare"])
		if !okSpare {
			spare = places // a withheld booking counts as none
		}
		add, _ := number(m["add"])
		remove, _ := number(m["remove"])
		if need != wanting+flexible-spare {
			h.fail(path, "need %v is not %v wanting + %v flexible - %v spare", need, wanting, flexible, spare)
		}
		if add > 0 && (spare >= wanting+flexible || add*12 > need) {
			h.fail(path, "adds %v courses for a need of %v with %v spare places", add, need, spare)
		}
		if remove > 0 && need >= 0 {
			h.fail(path, "takes %v courses away with a need of %v", remove, need)
		}
	}
}

// labelAgainst is the significance label of pct against limits, from
// the labels' definitions: beyond a limit is outside it, on it inside.
func labelAgainst(pct, lo95, hi95, lo998, hi998 float64) string {
	switch {
	case pct > hi998:
		return "High (0.001)"
	case pct > hi95:
		return "High (0.025)"
	case pct < lo998:
		return "Low (0.001)"
	case pct < lo95:
		return "Low (0.025)"
	}
	return "Not significant"
}

// checkRanks checks a benchmark answer's ranks: per measure, the ranks
// shown are those of the values shown, from the highest percentage down,
// and as many as Ranked says.
func checkRanks(t *testing.T, name string, v map[string]any) {
	t.Helper()
	practices, _ := v["practices"].([]any)
	for _, measure := range []string{"referral_rate", "conversion", "follow_up"} {
		bm, _ := v[measure].(map[string]any)
		ranked, _ := number(bm["ranked"])
		type r struct{ pct, rank float64 }
		var rs []r
		for _, p := range practices {
			pm, _ := p.(map[string]any)[measure].(map[string]any)
			rank, ok := number(pm["rank"])
			if !ok {
				continue
			}
			pct, ok := number(pm["percent"])
			if !ok {
				t.Errorf("%s %s: rank %v without a percentage", name, measure, rank)
				continue
			}
			if rank < 1 || rank > ranked {
				t.Errorf("%s %s: rank %v outside 1-%v", name, measure, rank, ranked)
			}
			rs = append(rs, r{pct, rank})
		}
		sort.Slice(rs, func(i, j int) bool { return rs[i].pct > rs[j].pct })
		for i := 1; i < len(rs); i++ {
			if rs[i].rank < rs[i-1].rank || (rs[i].pct < rs[i-1].pct-1e-9 && rs[i].rank == rs[i-1].rank) {
				t.Errorf("%s %s: %v%% ranked %v after %v%% ranked %v", name, measure, rs[i].pct, rs[i].rank, rs[i-1].pct, rs[i-1].rank)
			}
		}
	}
}

// honestSite is a dashboard over a real store, signed in as every role,
// with the demo practice user's practice and another.
type honestSite struct {
	rs         *realServer
	clients    map[accounts.Role]*client
	own, other string
	quarters   []string
}

func newHonestSite(t *testing.T, rs *realServer) *honestSite {
	t.Helper()
	h := &honestSite{rs: rs, clients: map[accounts.Role]*client{}, own: rs.demo[accounts.RolePractice].PracticeCode}
	for _, role := range roles {
		h.clients[role] = rs.as(t, role)
	}
	var opts queries.FilterOptions
	if _, body := h.clients[accounts.RoleCommissioner].get(t, rs.URL+"/api/filters"); json.Unmarshal([]byte(body), &opts) != nil || len(opts.Practices) < 2 {
		t.Fatalf("filters: %.300s", body)
	}
	for _, p := range opts.Practices {
		if p.Code != h.own && h.other == "" {
			h.other = p.Code
		}
	}
	h.quarters = opts.Quarters
	return h
}

// variants are the filters each source is asked with.
func (h *honestSite) variants(path string) []string {
	u, _ := url.Parse(path)
	q := u.Query()
	var out []string
	with := func(k, v string) {
		q2 := url.Values{}
		for key, vals := range q {
			q2[key] = vals
		}
		q2.Set(k, v)
		out = append(out, u.Path+"?"+q2.Encode())
	}
	if q.Get("practice") == "" {
		out = append(out, path)
		if len(h.quarters) >= 4 {
			with("from", h.quarters[len(h.quarters)-4])
		}
	}
	with("practice", h.own)
	with("practice", h.other)
	// The benchmark against the practices' networks and peers too: the
	// group's baseline, limits and ranks must tell the same story.
	if strings.HasSuffix(u.Path, "/benchmark") {
		for _, v := range []url.Values{{"practice": {h.own}, "compare": {"peers"}}, {"practice": {h.other}, "compare": {"network"}}, {"practice": {h.other}, "compare": {"peers"}}} {
			out = append(out, u.Path+"?"+v.Encode())
		}
	}
	return out
}

// getJSON asks path as role: the decoded answer, or nil when the role may
// not ask (403).
func (h *honestSite) getJSON(t *testing.T, role accounts.Role, path string) any {
	t.Helper()
	res, body := h.clients[role].get(t, h.rs.URL+path)
	switch res.StatusCode {
	case http.StatusOK:
	case http.StatusForbidden:
		return nil
	default:
		t.Fatalf("%s as %s: status %d\n%.300s", path, role, res.StatusCode, body)
	}
	var v any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("%s as %s: %v", path, role, err)
	}
	return v
}

// checkEveryAnswer asks every source of Endpoints as every role with
// every variant of the filter and walks each answer.
func (h *honestSite) checkEveryAnswer(t *testing.T) {
	answers, problems, plain := 0, 0, 0
	for _, e := range Endpoints(h.own) {
		if !strings.HasPrefix(e.Name, "api ") {
			continue
		}
		for _, path := range h.variants(e.Path) {
			for _, role := range roles {
				v := h.getJSON(t, role, path)
				if v == nil {
					continue
				}
				answers++
				hw := &honesty{t: t, answer: path + " as " + string(role)}
				hw.walk("", v)
				problems += hw.problems
				plain += hw.plain
				if e.Name == "api benchmark" {
					checkRanks(t, hw.answer, v.(map[string]any))
				}
			}
		}
	}
	if answers < 150 {
		t.Errorf("only %d answers checked", answers)
	}
	if plain == 0 {
		t.Errorf("no benchmark measure was adjusted for overdispersion: the plain labels went unchecked")
	}
	t.Logf("%d JSON answers checked, %d problems; %d labels against plain limits beside adjusted ones", answers, problems, plain)
}

// nhsRule is the NHS Digital rule, written here independently of package
// queries: 0 stays 0, 1-7 is "*", 8 or more rounds to the nearest 5.
func nhsRule(v any) any {
	n, ok := number(v)
	if !ok || n != math.Trunc(n) || n < 0 {
		return v
	}
	switch {
	case n == 0:
		return 0.0
	case n < 8:
		return "*"
	}
	return 5 * math.Floor((n+2.5)/5)
}

// checkRuleOf walks the practice user's answer (own) beside the
// commissioner's (pub): every count that differs must be the rule applied
// to the practice user's (one they see exact, others rounded or
// withheld). It returns how many differ, that is how many the practice
// user sees exact; the callers require some.
func checkRuleOf(t *testing.T, name, path string, own, pub any) (exact int) {
	t.Helper()
	switch o := own.(type) {
	case map[string]any:
		p, ok := pub.(map[string]any)
		if !ok {
			t.Errorf("%s %s: shapes differ", name, path)
			return 0
		}
		for k, ov := range o {
			pv, ok := p[k]
			if !ok || pv == nil {
				continue // the practice's own extras (its work lists' sizes)
			}
			if k == "curve" || k == "plain_curve" {
				continue // denominators of a drawing, not counts
			}
			if _, isNumber := ov.(float64); slices.Contains(countKeys, k) && (isNumber || withheld(ov)) {
				// Comparators (and averages, and bookings shown as the
				// places) are the same for both; a count that differs is
				// one the practice sees exact and others under the rule.
				if reflect.DeepEqual(ov, pv) {
					continue
				}
				exact++
				if want := nhsRule(ov); !reflect.DeepEqual(pv, want) {
					t.Errorf("%s %s.%s: %v to the practice, %v to others; want %v", name, path, k, ov, pv, want)
				}
				continue
			}
			exact += checkRuleOf(t, name, path+"."+k, ov, pv)
		}
	case []any:
		p, ok := pub.([]any)
		if !ok || len(p) != len(o) {
			t.Errorf("%s %s: lists differ in length", name, path)
			return 0
		}
		for i := range o {
			exact += checkRuleOf(t, name, path+"["+strconv.Itoa(i)+"]", o[i], p[i])
		}
	}
	return exact
}

// checkTrendBasis: the practice's own user sees every measure of its
// trends in single quarters; others see rolling years where a single
// quarter would be withheld, and so (for the small practices the tests
// use) somewhere.
func checkTrendBasis(t *testing.T, path string, own, pub any) {
	t.Helper()
	var o, p queries.PracticeTrends
	for _, x := range []struct {
		v   any
		out *queries.PracticeTrends
	}{{own, &o}, {pub, &p}} {
		b, _ := json.Marshal(x.v)
		if err := json.Unmarshal(b, x.out); err != nil {
			t.Fatal(err)
		}
	}
	rolling := false
	for i, m := range o.Measures {
		if m.Rolling {
			t.Errorf("%s: the practice's own user sees %s as rolling years", path, m.Key)
		}
		rolling = rolling || p.Measures[i].Rolling
		for _, pt := range p.Measures[i].Points {
			if p.Measures[i].Rolling && pt.From == pt.Quarter && pt.Quarters != 1 {
				t.Errorf("%s: a rolling point %+v", path, pt)
			}
		}
	}
	if !rolling {
		t.Errorf("%s: no measure of a small practice is rolling for others", path)
	}
}

// withoutAudience removes what says who an answer was for, and the ranks
// and curves that a practice's own exact value moves, so that answers
// for different readers can be compared.
func withoutAudience(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, c := range v {
			switch k {
			case "audience", "practice", "rank", "ranked", "curve":
				if _, isString := c.(string); k != "practice" || isString {
					continue
				}
			}
			out[k] = withoutAudience(c)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i := range v {
			out[i] = withoutAudience(v[i])
		}
		return out
	}
	return v
}

// withoutSPCSignals removes from an SPC answer what is worked out from its
// values (means, limits, special causes, icons, the latest month tested),
// which differ between readers who see the values exact and rounded.
func withoutSPCSignals(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, c := range v {
			switch k {
			case "mean", "lpl", "upl", "special_cause", "rules", "variation", "assurance", "latest", "in_limits", "unreliable", "message":
				continue
			}
			out[k] = withoutSPCSignals(c)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i := range v {
			out[i] = withoutSPCSignals(v[i])
		}
		return out
	}
	return v
}

// checkAudience: the practice user sees their own practice's figures
// exact and everything else under the rule, in the JSON API; about another
// practice they see what everyone sees.
func (h *honestSite) checkAudience(t *testing.T) {
	exact := 0
	for _, e := range Endpoints(h.own) {
		if !strings.HasPrefix(e.Name, "api ") {
			continue
		}
		for _, path := range h.variants(e.Path) {
			own := h.getJSON(t, accounts.RolePractice, path)
			pub := h.getJSON(t, accounts.RoleCommissioner, path)
			if own == nil || pub == nil {
				continue
			}
			if strings.Contains(path, "compare=") {
				// A network or peer group lists all its practices, which
				// may hold the user's own: exact there, the rule elsewhere.
				exact += checkRuleOf(t, path, "", own, pub)
				continue
			}
			if strings.Contains(path, "practice="+h.other) {
				if !reflect.DeepEqual(withoutAudience(own), withoutAudience(pub)) {
					t.Errorf("%s: another practice's user sees something other than everyone else", path)
				}
				continue
			}
			if strings.HasPrefix(path, "/api/practice-trends?") {
				// Another table for others: rolling years where its
				// quarters would be withheld.
				checkTrendBasis(t, path, own, pub)
				continue
			}
			if strings.HasPrefix(path, "/api/spc?") {
				// The limits and signals follow from the values each reader
				// sees, exact or not: compare the counts only.
				own, pub = withoutSPCSignals(own), withoutSPCSignals(pub)
			}
			n := checkRuleOf(t, path, "", own, pub)
			exact += n
			d, _ := own.(map[string]any)["disclosure"].(map[string]any)
			if d != nil && (d["audience"] != queries.AudienceOwnPractice || d["practice"] != h.own) {
				t.Errorf("%s: disclosure %v to the practice's own user", path, d)
			}
			if d != nil && n > 0 && d["exact"] == queries.ExactNone {
				t.Errorf("%s: %d figures exact, but the answer says none is", path, n)
			}
			if pd, _ := pub.(map[string]any)["disclosure"].(map[string]any); pd != nil && (pd["audience"] != queries.AudiencePublic || pd["exact"] != queries.ExactNone) {
				t.Errorf("%s: disclosure %v to a commissioner", path, pd)
			}
		}
	}
	if exact == 0 {
		t.Error("the practice's own user sees no figure exact that others see rounded or withheld")
	}
	t.Logf("%d counts exact for the practice's own user", exact)
}

// checkDownloads: the same in the CSV downloads, which must agree with the
// API: every count column of every view about the practice is exact for
// its own user and the rule applied to it for a commissioner. (The trends
// are left out: to others they are rolling years, another table; so are
// the SPC summaries: a month withheld from others is not tested, so their
// row shows an earlier latest month. The JSON walk checks SPC's points.)
func (h *honestSite) checkDownloads(t *testing.T) {
	exact := 0
	for _, v := range testSite.views {
		if strings.HasPrefix(v.Name, "practice-trend-") || strings.HasSuffix(v.Name, "worklist") || strings.Contains(v.Name, "spc") {
			continue
		}
		path := "/download/" + v.Name + ".csv?practice=" + h.own
		own, pub := h.csv(t, accounts.RolePractice, path), h.csv(t, accounts.RoleCommissioner, path)
		if own == nil || pub == nil {
			continue
		}
		if len(own) != len(pub) || len(own[0]) != len(pub[0]) {
			t.Errorf("%s: %dx%d to the practice, %dx%d to others", path, len(own), len(own[0]), len(pub), len(pub[0]))
			continue
		}
		for c, head := range own[0] {
			// Counts only: not percentages, waits, averages, or changes
			// and differences worked out from counts (the JSON walk checks
			// those are withheld with their counts).
			lower := strings.ToLower(head)
			if strings.ContainsAny(head, "%") || strings.Contains(lower, "days") || strings.Contains(lower, "percentile") ||
				strings.Contains(lower, "a quarter") || strings.Contains(lower, "change") || strings.Contains(lower, "difference") {
				continue
			}
			for r := 1; r < len(own); r++ {
				o, p := own[r][c], pub[r][c]
				n, err := strconv.ParseInt(o, 10, 64)
				if err != nil {
					continue
				}
				// Places, labels and figures that follow the rule for everyone
				// are the same for both; a figure that differs is one the
				// practice sees exact, and others see under the rule.
				if o == p {
					continue
				}
				exact++
				if want := fmt.Sprint(nhsRule(float64(n))); p != want {
					t.Errorf("%s row %d %q: %s to the practice, %s to others; want %s", path, r, head, o, p, want)
				}
			}
		}
	}
	if exact == 0 {
		t.Error("no download shows the practice's own user a figure exact that others see rounded or withheld")
	}
	t.Logf("%d download cells exact for the practice's own user", exact)

	// The practice page's download says what its JSON says.
	var sum queries.PracticeSummary
	_, body := h.clients[accounts.RolePractice].get(t, h.rs.URL+"/api/practice-summary?practice="+h.own)
	if err := json.Unmarshal([]byte(body), &sum); err != nil {
		t.Fatal(err)
	}
	rows := h.csv(t, accounts.RolePractice, "/download/practice-summary.csv?practice="+h.own)
	for i, m := range sum.Measures {
		if got, want := rows[i+1][1]+" of "+rows[i+1][2], m.Practice.Numerator.String()+" of "+m.Practice.Denominator.String(); got != want {
			t.Errorf("practice summary %s: download %s, API %s", m.Title, got, want)
		}
	}
	if sum.WorkLists == nil {
		t.Error("the practice's own user is not told its work lists' sizes")
	}
}

func (h *honestSite) csv(t *testing.T, role accounts.Role, path string) [][]string {
	t.Helper()
	res, body := h.clients[role].get(t, h.rs.URL+path)
	if res.StatusCode == http.StatusForbidden {
		return nil
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("%s as %s: %d %.300s", path, role, res.StatusCode, body)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix([]byte(body), []byte("\ufeff")))).ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("%s: %v", path, err)
	}
	return rows
}

func TestHonestNumbersSample(t *testing.T) {
	h := newHonestSite(t, newRealServer(t))
	t.Run("every answer", h.checkEveryAnswer)
	t.Run("audience", h.checkAudience)
	t.Run("downloads", h.checkDownloads)
	t.Run("sizes and pages", h.checkAnswerSizes)
}

// TestHonestNumbersEnglandLike runs the same checks on a borough of 300
// practices over six quarters made by ingest/generate (without bad rows,
// mixed formats or edge cases, which the sample has), about 150,000 rows:
// it takes seconds to make and load.
func TestHonestNumbersEnglandLike(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and loads 300 practices")
	}
	dir := t.TempDir()
	if _, err := generate.Generate(generate.Options{Out: dir, Seed: 10, Practices: 300, Quarters: 6}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	folders, err := filepath.Glob(filepath.Join(dir, "20[0-9][0-9]Q[1-4]"))
	if err != nil || len(folders) != 6 {
		t.Fatalf("quarter folders %v: %v", folders, err)
	}
	conn, _ := mustLoadDB(t, folders...)
	store, err := queries.Open(ctx, conn, queries.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	h := newHonestSite(t, newServerOver(t, store, conn))
	t.Run("every answer", h.checkEveryAnswer)
	t.Run("audience", h.checkAudience)
	t.Run("downloads", h.checkDownloads)
	t.Run("sizes and pages", h.checkAnswerSizes)
}

// newServerOver starts the dashboard over store on loopback, with demo
// accounts in conn, as newRealServer does over the sample.
func newServerOver(t *testing.T, store *queries.Store, conn *sql.DB) *realServer {
	t.Helper()
	acc := accounts.New(conn)
	demo, err := acc.EnsureDemoUsers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(store, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Accounts: acc, DemoAccounts: demo})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	rs := &realServer{Server: ts, srv: srv, accounts: acc, demo: map[accounts.Role]accounts.DemoAccount{}}
	for _, d := range demo {
		rs.demo[d.Role] = d
	}
	return rs
}
