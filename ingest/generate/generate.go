// Package generate writes deterministic synthetic quarterly extracts that
// follow the data contract v1 (sample-data/README.md): a fictional borough of
// GP practices referring people with type 2 diabetes to group education, and
// everything the provider and the practices record about them afterwards.
//
// The same Options always produce byte-identical files. The default run is
// the committed sample-data folder; larger runs (thousands of practices)
// stream quarter by quarter and are used for benchmarks.
package generate

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// Options says what to generate and where.
type Options struct {
	// Out is the directory to write to: one sub-folder per quarter (e.g.
	// Out/2026Q3/) and Out/manifest.json. Other files in Out are left alone.
	Out string `json:"-"`
	// Seed selects the synthetic world; the same seed gives the same bytes.
	Seed int64 `json:"seed"`
	// Practices is the number of GP practices (35 when zero). Beyond 50,
	// practices are grouped into borough-sized areas of 20-50, each with its
	// own venues, courses and second course language.
	Practices int `json:"practices"`
	// Quarters is how many quarters to write (8 when zero), ending with LastQuarter.
	Quarters int `json:"quarters"`
	// LastQuarter is the last quarter written, e.g. "2026Q3" (the default).
	// The data is as at its last day: later events are not written.
	LastQuarter string `json:"last_quarter"`
	// BadRows adds a few deliberately broken rows to every quarter, on top
	// of the valid ones; the manifest lists them as expected rejections.
	BadRows bool `json:"bad_rows"`
	// MixedFormats varies file formats as real extracts do: gp_codes as
	// XLSX in some quarters, a UTF-8 byte-order mark, a Windows-1252 file,
	// UK dates.
	MixedFormats bool `json:"mixed_formats"`
	// EdgeCases adds a few scripted referrals that sit exactly on the
	// boundaries of the indicator definitions (a first session on day 180
	// and on day 181, a course at 17:00, a stale register, ...), listed in
	// the manifest. Runs shorter than five quarters have no room for them.
	EdgeCases bool `json:"edge_cases"`
	// Progress, if set, is called after each quarter's folder is written.
	Progress func(quarter string) `json:"-"`
}

// DefaultOptions returns the options that made sample-data: 35 practices,
// 8 quarters to 2026Q3, seed 1, with bad rows, mixed formats and edge cases.
func DefaultOptions() Options {
	return Options{
		Out:          "sample-data",
		Seed:         1,
		Practices:    35,
		Quarters:     8,
		LastQuarter:  "2026Q3",
		BadRows:      true,
		MixedFormats: true,
		EdgeCases:    true,
	}
}

// Manifest describes what Generate wrote: the options and, for every
// quarter and file, how many rows a correct loader accepts and rejects.
type Manifest struct {
	ContractVersion int              `json:"contract_version"`
	Options         Options          `json:"options"`
	AsOf            string           `json:"as_of"` // last day of LastQuarter
	Areas           int              `json:"areas"`
	Quarters        []QuarterFiles   `json:"quarters"`
	Totals          map[string]Count `json:"totals"` // by table, over all quarters
	// EdgeCases lists the scripted edge-case referrals (Options.EdgeCases),
	// and StaleRegisterPractice the practice whose latest register is
	// smaller than the people it referred (when it referred anyone).
	EdgeCases             []EdgeCase `json:"edge_cases,omitempty"`
	StaleRegisterPractice string     `json:"stale_register_practice,omitempty"`
}

// QuarterFiles lists the nine files of one quarter folder.
type QuarterFiles struct {
	Quarter string     `json:"quarter"`
	Files   []FileInfo `json:"files"`
}

// FileInfo describes one written file.
type FileInfo struct {
	File     string `json:"file"`     // name within the quarter folder, e.g. "gp_codes.xlsx"
	Table    string `json:"table"`    // contract table, e.g. "gp_codes"
	Encoding string `json:"encoding"` // "utf-8", "utf-8-bom", "windows-1252" or "xlsx"
	Dates    string `json:"dates"`    // how dates are written: "iso", "uk", "date-cells", or "" when the file has none
	Count
	Rejected []BadRow `json:"rejected,omitempty"`
}

// Count is rows written and how a correct loader splits them.
type Count struct {
	Rows             int `json:"rows"` // data rows, header excluded
	ExpectedAccepted int `json:"expected_accepted"`
	ExpectedRejected int `json:"expected_rejected"`
}

// BadRow is one deliberately broken row.
type BadRow struct {
	Line    int    `json:"line"`   // 1-based line (CSV) or row (XLSX); the header is line 1
	Column  string `json:"column"` // the offending column, or "" for the whole row
	Problem string `json:"problem"`
}

func (o Options) withDefaults() Options {
	if o.Practices <= 0 {
		o.Practices = 35
	}
	if o.Quarters <= 0 {
		o.Quarters = 8
	}
	if o.LastQuarter == "" {
		o.LastQuarter = "2026Q3"
	}
	return o
}

// Generate writes the quarter folders and manifest.json into opts.Out and
// returns the manifest. Zero Practices, Quarters and LastQuarter take their
// defaults. Existing files of the nine tables in the quarter folders it
// writes are replaced (both .csv and .xlsx, so a folder never holds a table twice).
func Generate(opts Options) (*Manifest, error) {
	opts = opts.withDefaults()
	if opts.Out == "" {
		return nil, errors.New("generate: no output directory")
	}
	g, err := newGen(opts)
	if err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	m := &Manifest{
		ContractVersion: 2,
		Options:         opts,
		AsOf:            g.asOf.iso(),
		Areas:           len(g.areas),
		Totals:          map[string]Count{},
		EdgeCases:       g.edgeCases,
	}
	if g.stalePractice >= 0 {
		m.StaleRegisterPractice = g.practices[g.stalePractice].code
	}
	for qi, q := range g.quarters {
		g.simulateQuarter(qi)
		files, err := g.writeQuarter(qi)
		if err != nil {
			return nil, fmt.Errorf("generate: %s: %w", q.name, err)
		}
		g.bufs[qi] = nil // written; let it go
		m.Quarters = append(m.Quarters, QuarterFiles{Quarter: q.name, Files: files})
		for _, f := range files {
			t := m.Totals[f.Table]
			t.Rows += f.Rows
			t.ExpectedAccepted += f.ExpectedAccepted
			t.ExpectedRejected += f.ExpectedRejected
			m.Totals[f.Table] = t
		}
		if opts.Progress != nil {
			opts.Progress(q.name)
		}
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	if err := os.WriteFile(filepath.Join(opts.Out, "manifest.json"), append(data, '\n'), 0o644); err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	return m, nil
}

// newGen sets up a run and builds its world (practices, venues, courses,
// campaigns); nothing is simulated or written yet.
func newGen(opts Options) (*gen, error) {
	if opts.Quarters > 200 {
		return nil, fmt.Errorf("%d quarters is more than 200", opts.Quarters)
	}
	last, err := parseQuarter(opts.LastQuarter)
	if err != nil {
		return nil, err
	}
	g := &gen{
		opts:     opts,
		r:        rand.New(rand.NewPCG(uint64(opts.Seed), 0x9E3779B97F4A7C15^uint64(opts.Seed)*0xBF58476D1CE4E5B9)),
		quarters: quartersEndingWith(last, opts.Quarters),
	}
	g.first, g.asOf = g.quarters[0].start, last.end
	if g.first < 0 {
		return nil, errors.New("quarters before 1970")
	}
	g.dates = newDateText(g.first, g.asOf)
	g.patientKey = g.r.Uint32()
	g.bufs = make([]*quarterBuf, len(g.quarters))
	for i := range g.bufs {
		g.bufs[i] = &quarterBuf{}
	}
	g.buildWorld()
	g.stalePractice, g.staleReferred = -1, map[uint32]bool{}
	g.planEdgeCases() // after the world, and drawing nothing from g.r
	return g, nil
}
