package db

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
)

// Engine holds DuckDB's resource settings: how much memory it may use and
// how many threads it may run. They come from the "database" section of
// the configuration file (docs/configuration.md).
type Engine struct {
	// MemoryLimit caps DuckDB's buffer manager, in DuckDB's own syntax
	// ("1GiB", "512MB"). Work that needs more spills to a temporary folder
	// beside the database instead of growing the process. Empty means
	// DuckDB's default, 80% of the machine's memory.
	MemoryLimit string `json:"memory_limit"`
	// Threads is how many threads DuckDB runs queries on; 0 means one per
	// CPU core.
	Threads int `json:"threads"`
}

// DefaultEngine returns the settings uptake uses unless told otherwise.
// One GiB holds an England-scale warehouse's working set (the derived tables
// of 6,500 practices over five years are about 450 MB on disk) and keeps
// `uptake serve` well inside a laptop shared with a browser and an office
// suite; the England-scale ingest spills its largest joins instead of taking
// most of the machine, as DuckDB's own default of 80% of memory would.
func DefaultEngine() Engine {
	return Engine{MemoryLimit: "1GiB"}
}

var memoryLimitPattern = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$`)

// Validate reports a setting DuckDB would refuse or that cannot be right.
func (e Engine) Validate() error {
	if e.MemoryLimit != "" && !memoryLimitPattern.MatchString(e.MemoryLimit) {
		return fmt.Errorf(`database.memory_limit must be a size such as "1GiB" or "512MB", not %q`, e.MemoryLimit)
	}
	if e.Threads < 0 || e.Threads > 1024 {
		return fmt.Errorf("database.threads must be 0 (one per core) or a number of threads up to 1024, not %d", e.Threads)
	}
	return nil
}

// dsn is the DuckDB data source name for the file at path with these
// settings. DuckDB reads them as options of the database instance, so they
// apply to every connection of the pool from the first.
func (e Engine) dsn(path string) string {
	v := url.Values{}
	if e.MemoryLimit != "" {
		v.Set("memory_limit", e.MemoryLimit)
	}
	if e.Threads > 0 {
		v.Set("threads", strconv.Itoa(e.Threads))
	}
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}
