package queries

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
)

// Config holds every window, threshold and code list the indicators use.
// The defaults are those of the product brief (docs/configuration.md); a
// deployment overrides them with a JSON file given to `uptake serve -config`.
type Config struct {
	// ConversionWindowDays is how long after referral a first attended
	// session still counts as conversion. Cohorts younger than this are
	// provisional.
	ConversionWindowDays int `json:"conversion_window_days"`
	// CompletionSessions is how many sessions of one course count as
	// completing it.
	CompletionSessions int `json:"completion_sessions"`
	// FollowUpWindowDays is how long after the practice is notified of a
	// non-attendance a follow-up still counts.
	FollowUpWindowDays int `json:"follow_up_window_days"`
	// CodingWindowDays is how long after notification a matching GP code
	// still counts as the outcome being coded.
	CodingWindowDays int `json:"coding_window_days"`
	// UnmetDemandWindowDays is how soon after referral a course must start
	// for a referral preferring that slot to count as met.
	UnmetDemandWindowDays int `json:"unmet_demand_window_days"`
	// PlacesPerExtraCourse is the places of a course the capacity model
	// advises adding.
	PlacesPerExtraCourse int `json:"places_per_extra_course"`
	// CourseMinPlaces is how many people a course needs to run (the
	// service runs courses of 12-16): the capacity model advises a course
	// only where at least this many people would fill it.
	CourseMinPlaces int `json:"course_min_places"`
	// CampaignWindowWeeks is the width of the before and after windows
	// around a text campaign.
	CampaignWindowWeeks int `json:"campaign_window_weeks"`
	// MinYearsSinceDiagnosis is the eligibility threshold for patients
	// (three months). Carers are eligible without it.
	MinYearsSinceDiagnosis float64 `json:"min_years_since_diagnosis"`
	// EveningFrom is the start time (HH:MM) at or after which a weekday
	// course counts as an evening course.
	EveningFrom string `json:"evening_from"`
	// Codes lists the GP codes (Read v2 and SNOMED CT) that record each
	// outcome in practice systems.
	Codes CodeLists `json:"codes"`
	// CodesToEnter is the code a practice is asked to enter for each
	// outcome notified to it (the practice's quarterly list), keyed by
	// outcome: completed, attended, did not attend, declined, no response.
	// Each must be in Codes for the outcome's category.
	CodesToEnter map[string]CodeToEnter `json:"codes_to_enter,omitempty"`
	// Disclosure is the small-number rule applied to every count about
	// people that leaves the system.
	Disclosure DisclosureRule `json:"disclosure"`
	// SPC configures the statistical process control charts
	// (spc_config.go).
	SPC SPCConfig `json:"spc,omitzero"`
	// Benchmark configures the practice funnel plots
	// (benchmark_config.go).
	Benchmark BenchmarkConfig `json:"benchmark,omitzero"`
	// ReferenceValues names a CSV file of reference values
	// (reference_values.go), e.g. national figures, drawn on the charts;
	// "" for none. The program that reads the configuration reads the
	// file into References.
	ReferenceValues string `json:"reference_values,omitempty"`
	// References are the values read from ReferenceValues.
	References []ReferenceValue `json:"-"`
}

// CodeLists maps provider outcomes to the GP codes that record them. Both
// 9OLB (attended) and 9OLF (completed) count as attendance coded, because
// the borough asks for 9OLF while national definitions use 9OLB.
type CodeLists struct {
	Referred     []string `json:"referred"`
	Attended     []string `json:"attended"`
	DidNotAttend []string `json:"did_not_attend"`
	Declined     []string `json:"declined"`
}

// DefaultConfig returns the configuration described in domain.md.
func DefaultConfig() Config {
	return Config{
		ConversionWindowDays:   180,
		CompletionSessions:     5,
		FollowUpWindowDays:     28,
		CodingWindowDays:       90,
		UnmetDemandWindowDays:  90,
		PlacesPerExtraCourse:   14,
		CourseMinPlaces:        12,
		CampaignWindowWeeks:    8,
		MinYearsSinceDiagnosis: 0.25,
		EveningFrom:            "17:00",
		Codes: CodeLists{
			Referred:     []string{"8Hj0", "8Hj3", "8Hj4", "8Hj5", "415270003"},
			Attended:     []string{"9OLB", "9OLF", "413597006", "755491000000100"},
			DidNotAttend: []string{"9NiA", "306861000000107"},
			Declined:     []string{"9OLM", "306591000000103"},
		},
		CodesToEnter: DefaultCodesToEnter(),
		Disclosure:   DefaultDisclosureRule(),
		SPC:          DefaultSPCConfig(),
		Benchmark:    DefaultBenchmarkConfig(),
	}
}

var hhmm = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

// Validate reports the first setting that cannot be right.
func (c Config) Validate() error {
	var errs []error
	positive := map[string]int{
		"conversion_window_days":   c.ConversionWindowDays,
		"follow_up_window_days":    c.FollowUpWindowDays,
		"coding_window_days":       c.CodingWindowDays,
		"unmet_demand_window_days": c.UnmetDemandWindowDays,
		"places_per_extra_course":  c.PlacesPerExtraCourse,
		"course_min_places":        c.CourseMinPlaces,
		"campaign_window_weeks":    c.CampaignWindowWeeks,
	}
	for _, name := range slices.Sorted(maps.Keys(positive)) {
		if positive[name] < 1 {
			errs = append(errs, fmt.Errorf("%s must be at least 1, not %d", name, positive[name]))
		}
	}
	if c.CompletionSessions < 1 || c.CompletionSessions > 7 {
		errs = append(errs, fmt.Errorf("completion_sessions must be 1-7, not %d", c.CompletionSessions))
	}
	if c.CourseMinPlaces > c.PlacesPerExtraCourse {
		errs = append(errs, fmt.Errorf("course_min_places (%d) must not exceed places_per_extra_course (%d)", c.CourseMinPlaces, c.PlacesPerExtraCourse))
	}
	if c.MinYearsSinceDiagnosis < 0 {
		errs = append(errs, errors.New("min_years_since_diagnosis must not be negative"))
	}
	if !hhmm.MatchString(c.EveningFrom) {
		errs = append(errs, fmt.Errorf("evening_from must be HH:MM, not %q", c.EveningFrom))
	}
	lists := map[string][]string{
		"attended": c.Codes.Attended, "did_not_attend": c.Codes.DidNotAttend, "declined": c.Codes.Declined,
	}
	for _, name := range slices.Sorted(maps.Keys(lists)) {
		if len(lists[name]) == 0 {
			errs = append(errs, fmt.Errorf("codes.%s must list at least one code", name))
		}
	}
	if err := c.validateCodesToEnter(); err != nil {
		errs = append(errs, err)
	}
	if err := c.Disclosure.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := c.SPC.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := c.Benchmark.Validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Hash identifies the settings that change derived tables, so that a
// changed configuration rebuilds them. The SPC and benchmark settings only
// change how the charts read the indicators, so they are left out:
// changing a target must not rebuild an England-scale database; nor do
// the reference values, which are only drawn, nor the codes to enter,
// which only word the practices' lists. (With SPC, Benchmark and
// CodesToEnter zero, omitzero leaves them out of the JSON, so the hash is
// what it was before those settings existed.)
func (c Config) Hash() string {
	c.SPC = SPCConfig{}
	c.Benchmark = BenchmarkConfig{}
	c.ReferenceValues = ""
	c.CodesToEnter = nil
	b, _ := json.Marshal(c)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}
