package queries

import (
	"fmt"
	"strconv"
)

// Funnel limit choices of BenchmarkConfig.Limits.
const (
	// LimitsAuto draws and labels against the limits inflated for
	// overdispersion when the units are overdispersed (φ > 1, as
	// FunnelPlotR decides), and against the plain Fingertips limits
	// otherwise.
	LimitsAuto = "auto"
	// LimitsPlain always draws and labels against the plain Fingertips
	// limits; φ and τ² are still reported.
	LimitsPlain = "plain"
)

// BenchmarkConfig configures the practice funnel plots. It changes only
// how the benchmark reads the indicators, so it is left out of
// Config.Hash: changing it does not rebuild the derived tables.
type BenchmarkConfig struct {
	// Limits is LimitsAuto (the default) or LimitsPlain.
	Limits string `json:"limits"`
	// ListSizeBands are the list sizes at which a band of similar
	// practices starts, after the first (which starts at 1), in
	// increasing order: 5,000, 10,000 and 15,000 make the bands under
	// 5,000, 5,000-9,999, 10,000-14,999 and 15,000 and over.
	ListSizeBands []int64 `json:"list_size_bands"`
}

// DefaultListSizeBands are the list-size bands of similar practices:
// under 5,000, 5,000-9,999, 10,000-14,999 and 15,000 and over (the
// average English practice lists about 10,000 people).
var DefaultListSizeBands = []int64{5000, 10000, 15000}

// DefaultBenchmarkConfig adjusts for overdispersion where there is some,
// with the default list-size bands.
func DefaultBenchmarkConfig() BenchmarkConfig {
	return BenchmarkConfig{Limits: LimitsAuto, ListSizeBands: DefaultListSizeBands}
}

// listSizeBands is ListSizeBands, or the defaults when none are set.
func (c BenchmarkConfig) listSizeBands() []int64 {
	if len(c.ListSizeBands) == 0 {
		return DefaultListSizeBands
	}
	return c.ListSizeBands
}

// ListSizeBand names the band of bands (ListSizeBands) that list size n
// falls in: "under 5,000", "5,000–9,999", "15,000 and over".
func ListSizeBand(n int64, bands []int64) string {
	for i, b := range bands {
		if n < b {
			if i == 0 {
				return "under " + thousands(b)
			}
			return thousands(bands[i-1]) + "–" + thousands(b-1)
		}
	}
	return thousands(bands[len(bands)-1]) + " and over"
}

// thousands writes n with commas between groups of three digits.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// Validate reports a setting that cannot be right.
func (c BenchmarkConfig) Validate() error {
	if c.Limits != LimitsAuto && c.Limits != LimitsPlain {
		return fmt.Errorf("benchmark.limits must be %q or %q, not %q", LimitsAuto, LimitsPlain, c.Limits)
	}
	for i, b := range c.ListSizeBands {
		if b < 2 || (i > 0 && b <= c.ListSizeBands[i-1]) {
			return fmt.Errorf("benchmark.list_size_bands must be list sizes above 1 in increasing order, not %v", c.ListSizeBands)
		}
	}
	return nil
}
