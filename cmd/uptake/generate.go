package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/uptake-nhs/uptake/ingest/generate"
)

// generateCommand writes synthetic extracts: the sample data, test
// fixtures and England-scale benchmark data.
type generateCommand struct {
	stdout, stderr io.Writer
	opts           generate.Options
}

func (c *generateCommand) parse(args []string) error {
	c.opts = generate.DefaultOptions()
	fs := newFlagSet("generate", "uptake generate --out DIR [--seed N] [--practices P] [--quarters Q]", c.stderr)
	fs.StringVar(&c.opts.Out, "out", "", "`folder` to write the quarter folders and manifest.json into")
	fs.Int64Var(&c.opts.Seed, "seed", c.opts.Seed, "random `seed`; the same seed and options give identical files")
	fs.IntVar(&c.opts.Practices, "practices", c.opts.Practices, "number of GP `practices` (6500 is England scale)")
	fs.IntVar(&c.opts.Quarters, "quarters", c.opts.Quarters, "number of `quarters` to write")
	fs.StringVar(&c.opts.LastQuarter, "last-quarter", c.opts.LastQuarter, "the last `quarter` written, e.g. 2026Q3")
	fs.BoolVar(&c.opts.BadRows, "bad-rows", c.opts.BadRows, "add a few deliberately broken rows per quarter, as real extracts have")
	fs.BoolVar(&c.opts.MixedFormats, "mixed-formats", c.opts.MixedFormats, "vary formats as real extracts do (XLSX, Windows-1252, BOM, dd/mm/yyyy)")
	fs.BoolVar(&c.opts.EdgeCases, "edge-cases", c.opts.EdgeCases, "add the few scripted referrals that sit on the indicators' boundaries (listed in manifest.json)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if c.opts.Out == "" {
		fmt.Fprintln(c.stderr, "uptake generate: --out is required")
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(c.stderr, "uptake generate: unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	return nil
}

// Run writes the extracts, naming each quarter as it is finished.
func (c *generateCommand) Run(ctx context.Context) error {
	start := time.Now()
	c.opts.Progress = func(q string) { fmt.Fprintf(c.stderr, "  %s written (%s)\n", q, time.Since(start).Round(time.Second)) }
	m, err := generate.Generate(c.opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "Wrote %d quarters for %d practices to %s (manifest.json lists the rows) in %s.\n",
		c.opts.Quarters, c.opts.Practices, c.opts.Out, time.Since(start).Round(time.Second))
	_ = m
	return nil
}

// Close has nothing to release.
func (c *generateCommand) Close() error { return nil }
