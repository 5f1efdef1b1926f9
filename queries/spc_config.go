package queries

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/uptake-nhs/uptake/queries/stats"
)

// SPCConfig configures the statistical process control charts (Store.SPC):
// which way each measure improves, an optional target, the dates of
// service changes that start new limits, and the run length of the rules.
// None of it changes the derived tables, so Config.Hash leaves it out.
type SPCConfig struct {
	// RunLength is how many points in a row on one side of the mean, or
	// each higher (or lower) than the last, make a special cause. Making
	// Data Count uses 7.
	RunLength int `json:"run_length"`
	// Rebase lists the dates of service changes that apply to every
	// measure, as YYYY-MM-DD: the month each falls in starts new limits.
	Rebase []string `json:"rebase"`
	// One setting per measure.
	Referrals  SPCMeasureConfig `json:"referrals"`
	Conversion SPCMeasureConfig `json:"conversion"`
	FollowUp   SPCMeasureConfig `json:"follow_up"`
	Coding     SPCMeasureConfig `json:"coding"`
}

// SPCMeasureConfig is the SPC setting of one measure.
type SPCMeasureConfig struct {
	// Improvement is "increase" or "decrease": the direction in which the
	// measure gets better, which makes a special cause an improvement or
	// a concern.
	Improvement string `json:"improvement"`
	// Target, when set, is the value the measure should reach (a
	// percentage for rates, referrals a month for referrals); it gives the
	// assurance icon. A target is a local decision, so none is set by
	// default.
	Target *float64 `json:"target"`
	// Rebase lists further service-change dates (YYYY-MM-DD) for this
	// measure only, on top of SPCConfig.Rebase.
	Rebase []string `json:"rebase"`
}

// DefaultSPCConfig is every measure improving upwards (more referrals,
// more conversion, more follow-up, more coding), no targets, no rebasing,
// and runs of 7.
func DefaultSPCConfig() SPCConfig {
	up := func() SPCMeasureConfig { return SPCMeasureConfig{Improvement: string(stats.Increase)} }
	return SPCConfig{
		RunLength:  stats.DefaultRunLength,
		Referrals:  up(),
		Conversion: up(),
		FollowUp:   up(),
		Coding:     up(),
	}
}

// maxRunLength keeps the run length to what a monthly series can show: a
// run longer than two years of months would never be seen.
const maxRunLength = 24

// measures pairs each measure's setting with its configuration key.
func (c SPCConfig) measures() []struct {
	key string
	m   SPCMeasureConfig
} {
	return []struct {
		key string
		m   SPCMeasureConfig
	}{{"referrals", c.Referrals}, {"conversion", c.Conversion}, {"follow_up", c.FollowUp}, {"coding", c.Coding}}
}

// Validate reports every SPC setting that cannot be right, each naming its
// key as the configuration file spells it.
func (c SPCConfig) Validate() error {
	var errs []error
	if c.RunLength < 2 || c.RunLength > maxRunLength {
		errs = append(errs, fmt.Errorf("spc.run_length must be 2 to %d points, not %d (Making Data Count uses 7)", maxRunLength, c.RunLength))
	}
	errs = append(errs, checkRebaseDates("spc.rebase", c.Rebase)...)
	for _, m := range c.measures() {
		key := "spc." + m.key
		switch stats.Direction(m.m.Improvement) {
		case stats.Increase, stats.Decrease:
		default:
			errs = append(errs, fmt.Errorf("%s.improvement must be \"increase\" or \"decrease\", not %q", key, m.m.Improvement))
		}
		if t := m.m.Target; t != nil {
			switch {
			case math.IsNaN(*t) || math.IsInf(*t, 0) || *t < 0:
				errs = append(errs, fmt.Errorf("%s.target must be a number of at least 0, not %v", key, *t))
			case m.key != "referrals" && *t > 100:
				errs = append(errs, fmt.Errorf("%s.target is a percentage and must be 0 to 100, not %v", key, *t))
			}
		}
		errs = append(errs, checkRebaseDates(key+".rebase", m.m.Rebase)...)
	}
	return errors.Join(errs...)
}

// checkRebaseDates reports rebase dates that are not YYYY-MM-DD.
func checkRebaseDates(key string, dates []string) []error {
	var errs []error
	for _, d := range dates {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			errs = append(errs, fmt.Errorf("%s: %q is not a date written YYYY-MM-DD (the first day of the service change, e.g. 2025-04-01)", key, d))
		}
	}
	return errs
}
