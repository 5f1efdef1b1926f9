package queries

import "fmt"

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
}

// DefaultBenchmarkConfig adjusts for overdispersion where there is some.
func DefaultBenchmarkConfig() BenchmarkConfig {
	return BenchmarkConfig{Limits: LimitsAuto}
}

// Validate reports a setting that cannot be right.
func (c BenchmarkConfig) Validate() error {
	if c.Limits != LimitsAuto && c.Limits != LimitsPlain {
		return fmt.Errorf("benchmark.limits must be %q or %q, not %q", LimitsAuto, LimitsPlain, c.Limits)
	}
	return nil
}
