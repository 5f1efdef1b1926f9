package queries

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
)

// ReferenceValue is a figure from outside the service that a chart draws
// as a labelled dashed line and a table lists beside its own: a national
// or regional value of an indicator, with where it comes from. They are
// read from the CSV file that the configuration's reference_values names
// (ReadReferenceValues).
type ReferenceValue struct {
	// Indicator is one of ReferenceIndicators.
	Indicator string `json:"indicator"`
	// Period is the quarter it is for ("2025Q3"), or "" for every quarter.
	Period string `json:"period"`
	// Value is a percentage, 0-100.
	Value float64 `json:"value"`
	// Label names it on the chart, e.g. "England (NDA 2016 cohort)".
	Label string `json:"label"`
	// Source says where it comes from, e.g. "National Diabetes Audit".
	Source string `json:"source"`
}

// ReferenceIndicators are the indicators a reference value may be for:
// the rates of the trends and of the practice benchmark.
var ReferenceIndicators = []string{"referral_rate", "conversion", "completion", "follow_up", "coding"}

// referenceHeader is the reference file's header, in order.
var referenceHeader = []string{"indicator", "period", "value", "label", "source"}

// ReadReferenceValues reads and checks the reference values file at path.
func ReadReferenceValues(path string) ([]ReferenceValue, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reference values: %w", err)
	}
	defer f.Close()
	refs, err := ParseReferenceValues(f)
	if err != nil {
		return nil, fmt.Errorf("reference values %s: %w", path, err)
	}
	return refs, nil
}

// ParseReferenceValues reads reference values as CSV with the header
// indicator,period,value,label,source. Every problem is reported, each
// with its line and what would be right; a file with any problem is
// refused whole, since a wrong line drawn across a chart misleads.
func ParseReferenceValues(r io.Reader) ([]ReferenceValue, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("line 1: no header: %w", err)
	}
	for i := range header {
		header[i] = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(header[i], "\ufeff")))
	}
	if !slices.Equal(header, referenceHeader) {
		return nil, fmt.Errorf("line 1: the header must be %s, not %s", strings.Join(referenceHeader, ","), strings.Join(header, ","))
	}
	var out []ReferenceValue
	var errs []error
	seen := map[string]int{}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("line %d: %w", line, err))
			continue
		}
		if len(rec) != len(referenceHeader) {
			errs = append(errs, fmt.Errorf("line %d: %d values, want 5 (%s)", line, len(rec), strings.Join(referenceHeader, ",")))
			continue
		}
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		rv := ReferenceValue{Indicator: rec[0], Period: strings.ToUpper(rec[1]), Label: rec[3], Source: rec[4]}
		if !slices.Contains(ReferenceIndicators, rv.Indicator) {
			errs = append(errs, fmt.Errorf("line %d: indicator %q must be one of %s", line, rv.Indicator, strings.Join(ReferenceIndicators, ", ")))
		}
		if rv.Period != "" && !quarterRE.MatchString(rv.Period) {
			errs = append(errs, fmt.Errorf("line %d: period %q must be a quarter like 2025Q3, or empty for every quarter", line, rec[1]))
		}
		v, err := strconv.ParseFloat(strings.TrimSuffix(rec[2], "%"), 64)
		if err != nil || math.IsNaN(v) || v < 0 || v > 100 {
			errs = append(errs, fmt.Errorf("line %d: value %q must be a percentage from 0 to 100", line, rec[2]))
		}
		rv.Value = v
		if rv.Label == "" || rv.Source == "" {
			errs = append(errs, fmt.Errorf("line %d: label and source must not be empty: a line on a chart says what it is and where it comes from", line))
		}
		key := rv.Indicator + "\x00" + rv.Period + "\x00" + rv.Label
		if first, ok := seen[key]; ok {
			errs = append(errs, fmt.Errorf("line %d: %s %q for period %q is already given on line %d", line, rv.Indicator, rv.Label, rv.Period, first))
		}
		seen[key] = line
		out = append(out, rv)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// referencesFor returns the reference values of indicator that apply to
// the quarters from..to ("" for open ends): those for every quarter, and
// those for a quarter within the range. With only is true, a quarter's
// value applies only when the range is that one quarter (a figure over a
// range of quarters is not comparable with one quarter's).
func referencesFor(refs []ReferenceValue, indicator, from, to string, only bool) []ReferenceValue {
	out := []ReferenceValue{}
	for _, r := range refs {
		if r.Indicator != indicator {
			continue
		}
		switch {
		case r.Period == "":
		case only && (from != r.Period || to != r.Period):
			continue
		case (from != "" && r.Period < from) || (to != "" && r.Period > to):
			continue
		}
		out = append(out, r)
	}
	return out
}
