package queries

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/uptake-nhs/uptake"
)

// Filter is the one filter model every indicator takes. The zero Filter
// means "everything loaded".
//
// Referral-based indicators filter referrals by referral quarter and by the
// referral's practice, PCN, preferred mode, language, referrer and channel.
// Course-based indicators (fill rates, places offered) filter courses by
// the quarter of their first session, their mode and their language; the
// practice-level fields do not apply to courses and are ignored there.
type Filter struct {
	From     string `json:"from,omitempty"`     // first referral quarter, e.g. "2025Q3"; "" = earliest
	To       string `json:"to,omitempty"`       // last referral quarter; "" = latest
	PCN      string `json:"pcn,omitempty"`      // primary care network name
	Practice string `json:"practice,omitempty"` // ODS practice code
	Mode     string `json:"mode,omitempty"`     // "face-to-face" or "online"
	Language string `json:"language,omitempty"` // e.g. "Turkish"
	Referrer string `json:"referrer,omitempty"` // "GP", "nurse", "self" or "other"
	Channel  string `json:"channel,omitempty"`  // "letter", "e-referral", "phone", "email" or "text message"

	// Compare is what the practice benchmark compares practices with:
	// "" (the borough), CompareNetwork (needs a network or a practice) or
	// ComparePeers (needs a practice); without what it needs the
	// benchmark compares with the borough and says why. It is not a
	// filter of the referrals (no other indicator reads it, and it is not
	// in FilterFields), but it is in Query, so links and cached answers
	// keep it. ParseFilter reads it from the "compare" parameter.
	Compare string `json:"compare,omitempty"`

	// Audience is who the answer is for, which decides which counts are
	// exact (disclosure.go). It is not a filter a reader chooses: the
	// dashboard sets it from the signed-in session, ParseFilter never
	// reads it, and it is neither in Query nor in the answer's filter.
	Audience Audience `json:"-"`
}

// FilterError is a filter value that is malformed or unknown. It is the
// user's mistake, so the dashboard answers it with 400 and Message.
type FilterError struct {
	Field   string // the query parameter, e.g. "practice"
	Value   string
	Message string // a sentence saying what is wrong and what is allowed
}

func (e *FilterError) Error() string {
	return fmt.Sprintf("filter %s=%q: %s", e.Field, e.Value, e.Message)
}

// As lets errors.As read the error as an *uptake.Error with code
// uptake.EINVALID and the error's text as its message: it is the caller's
// mistake, which the dashboard answers with 400 and that text.
func (e *FilterError) As(target any) bool {
	t, ok := target.(**uptake.Error)
	if ok {
		*t = &uptake.Error{Code: uptake.EINVALID, Message: e.Error()}
	}
	return ok
}

// The comparators of Filter.Compare, as the "compare" parameter takes them
// ("borough", the default, is stored as "").
const (
	CompareBorough = "borough"
	CompareNetwork = "network"
	ComparePeers   = "peers"
)

// Comparators lists the values of the "compare" parameter.
var Comparators = []string{CompareBorough, CompareNetwork, ComparePeers}

// FilterFields are the query parameter names of Filter, in display order.
var FilterFields = []string{"from", "to", "pcn", "practice", "mode", "language", "referrer", "channel"}

// Allowed values of the enumerated filters. They mirror the data contract
// (sample-data/README.md).
var (
	Modes     = []string{"face-to-face", "online"}
	Referrers = []string{"GP", "nurse", "self", "other"}
	Channels  = []string{"letter", "e-referral", "phone", "email", "text message"}
)

var (
	quarterRE  = regexp.MustCompile(`^[0-9]{4}Q[1-4]$`)
	practiceRE = regexp.MustCompile(`^[A-Z][0-9]{5}$`)
)

const maxFilterValue = 100

// ParseFilter reads a Filter from query parameters. It checks form only
// (quarter shape, known enumerations, length); Store.CheckFilter checks
// that named practices, PCNs, languages and quarters exist. Parameters that
// are not filter fields are ignored, so a page's own parameters can share
// the query string.
func ParseFilter(v url.Values) (Filter, error) {
	var f Filter
	for _, field := range FilterFields {
		vals := v[field]
		if len(vals) == 0 {
			continue
		}
		if len(vals) > 1 {
			return f, &FilterError{field, strings.Join(vals, ","), "give this filter at most once"}
		}
		val := strings.TrimSpace(vals[0])
		if val == "" {
			continue // an empty select in the filter form means "all"
		}
		if len(val) > maxFilterValue || !validText(val) {
			return f, &FilterError{field, truncate(val, maxFilterValue), "is not a value this filter can take"}
		}
		var err error
		switch field {
		case "from":
			f.From, err = parseQuarter(field, val)
		case "to":
			f.To, err = parseQuarter(field, val)
		case "pcn":
			f.PCN = val
		case "practice":
			f.Practice = strings.ToUpper(val)
			if !practiceRE.MatchString(f.Practice) {
				err = &FilterError{field, val, "must be an ODS practice code: a letter and five digits, e.g. F83004"}
			}
		case "mode":
			f.Mode, err = oneOf(field, val, Modes)
		case "language":
			f.Language = val
		case "referrer":
			f.Referrer, err = oneOf(field, val, Referrers)
		case "channel":
			f.Channel, err = oneOf(field, val, Channels)
		}
		if err != nil {
			return f, err
		}
	}
	if vals := v["compare"]; len(vals) > 0 {
		c, err := parseCompare(vals)
		if err != nil {
			return f, err
		}
		f.Compare = c
	}
	if f.From != "" && f.To != "" && f.From > f.To {
		return f, &FilterError{"from", f.From, fmt.Sprintf("comes after to=%s; choose a first quarter no later than the last", f.To)}
	}
	return f, nil
}

// Query returns the filter as URL query parameters, so that links keep the
// view. Empty fields are left out.
func (f Filter) Query() url.Values {
	v := url.Values{}
	for i, val := range f.values() {
		if val != "" {
			v.Set(FilterFields[i], val)
		}
	}
	if f.Compare != "" {
		v.Set("compare", f.Compare)
	}
	return v
}

// parseCompare reads the "compare" parameter: one of Comparators, with
// "borough" (or empty) stored as "".
func parseCompare(vals []string) (string, error) {
	if len(vals) > 1 {
		return "", &FilterError{"compare", strings.Join(vals, ","), "give this parameter at most once"}
	}
	val := strings.TrimSpace(vals[0])
	if val == "" {
		return "", nil
	}
	c, err := oneOf("compare", truncate(val, maxFilterValue), Comparators)
	if c == CompareBorough {
		c = ""
	}
	return c, err
}

// IsZero reports whether the filter selects everything, whoever asks.
func (f Filter) IsZero() bool { return f == Filter{Audience: f.Audience} }

// values lists the fields in FilterFields order.
func (f Filter) values() []string {
	return []string{f.From, f.To, f.PCN, f.Practice, f.Mode, f.Language, f.Referrer, f.Channel}
}

// args binds the filter to the SQL's named parameters $from, $to, $pcn,
// $practice, $mode, $language, $referrer and $channel ("" means no
// filter), which the SQL hands to the filtered_referrals and
// filtered_outcomes table macros (sql/filter_macros.sql); extra are further sql.Named parameters.
func (f Filter) args(extra ...any) []any {
	var out []any
	for i, v := range f.values() {
		out = append(out, sql.Named(FilterFields[i], v))
	}
	return append(out, extra...)
}

// courseArgs binds the course part of the filter, $from, $to, $mode and
// $language, for the filtered_courses table macro; extra are further
// sql.Named parameters.
func (f Filter) courseArgs(extra ...any) []any {
	return append([]any{sql.Named("from", f.From), sql.Named("to", f.To), sql.Named("mode", f.Mode), sql.Named("language", f.Language)}, extra...)
}

func parseQuarter(field, val string) (string, error) {
	q := strings.ToUpper(val)
	if !quarterRE.MatchString(q) {
		return "", &FilterError{field, val, "must be a quarter like 2026Q2"}
	}
	return q, nil
}

func oneOf(field, val string, allowed []string) (string, error) {
	for _, a := range allowed {
		if strings.EqualFold(a, val) {
			return a, nil
		}
	}
	return "", &FilterError{field, val, "must be one of: " + strings.Join(allowed, ", ")}
}

// validText refuses control characters, which no legitimate filter value has.
func validText(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == 0xfffd {
			return false
		}
	}
	return true
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// FilterOptions lists what the filters can take in the loaded data, for the
// dashboard's filter bar and for CheckFilter.
type FilterOptions struct {
	Quarters  []string         `json:"quarters"`
	PCNs      []string         `json:"pcns"`
	Practices []PracticeOption `json:"practices"`
	Modes     []string         `json:"modes"`
	Languages []string         `json:"languages"`
	Referrers []string         `json:"referrers"`
	Channels  []string         `json:"channels"`
}

// PracticeOption is one practice in the filter bar.
type PracticeOption struct {
	Code string `json:"code"`
	Name string `json:"name"`
	PCN  string `json:"pcn"`
}

// CheckFilter reports a *FilterError when the filter names a quarter,
// PCN, practice or language that is not in the loaded data, or a practice
// outside the chosen PCN.
func (s *Store) CheckFilter(ctx context.Context, f Filter) error {
	opts, err := s.FilterOptions(ctx)
	if err != nil {
		return err
	}
	if len(opts.Quarters) > 0 {
		first, last := opts.Quarters[0], opts.Quarters[len(opts.Quarters)-1]
		for _, q := range []struct{ field, val string }{{"from", f.From}, {"to", f.To}} {
			if q.val != "" && !slices.Contains(opts.Quarters, q.val) {
				return &FilterError{q.field, q.val, fmt.Sprintf("no data is loaded for that quarter; quarters loaded are %s to %s", first, last)}
			}
		}
	} else if f.From != "" || f.To != "" {
		return &FilterError{"from", f.From, "no quarters are loaded yet"}
	}
	if f.PCN != "" && !slices.Contains(opts.PCNs, f.PCN) {
		return &FilterError{"pcn", f.PCN, "is not a primary care network in the loaded data"}
	}
	if f.Practice != "" {
		i := slices.IndexFunc(opts.Practices, func(p PracticeOption) bool { return p.Code == f.Practice })
		if i < 0 {
			return &FilterError{"practice", f.Practice, "is not a practice in the loaded data"}
		}
		if f.PCN != "" && opts.Practices[i].PCN != f.PCN {
			return &FilterError{"practice", f.Practice, fmt.Sprintf("is in %s, not in the chosen network %s", opts.Practices[i].PCN, f.PCN)}
		}
	}
	if f.Language != "" {
		if i := slices.IndexFunc(opts.Languages, func(l string) bool { return strings.EqualFold(l, f.Language) }); i < 0 {
			return &FilterError{"language", f.Language, "is not a language in the loaded data: " + strings.Join(opts.Languages, ", ")}
		}
	}
	return nil
}

// useKeptCounts reports whether an indicator that keeps counts per
// practice and quarter (practice_quarter_counts and keptCounts) can add
// those up under f: when f chooses no referral by its own attributes
// (mode, language, referrer, channel), which the kept counts do not
// record. Quarters, network and practice are columns of the kept counts.
func (s *Store) useKeptCounts(f Filter) bool {
	return f.Mode == "" && f.Language == "" && f.Referrer == "" && f.Channel == "" && !s.countFromReferrals
}
