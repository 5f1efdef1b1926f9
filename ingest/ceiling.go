package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
)

// A quarter whose files lose too many rows to rejection is broken as a
// whole, not here and there: a practices file whose every row fails, the
// right files in the wrong quarter's folder, a new export format. Loaded,
// it would become the latest quarter with a fraction of its rows, and the
// headline would show the fraction. So each file is weighed as soon as
// its rows are checked, and the quarter is refused whole, naming the file,
// the share lost and the commonest reasons with an example each, unless
// whoever loads it says the rejections are expected (Loader.AcceptRejections,
// `uptake ingest --accept-rejections`, audited).

// RejectionCeiling bounds the rows a quarter may lose to rejection. It is
// the configuration's "rejection_ceiling" (docs/configuration.md, where the
// defaults are argued for).
type RejectionCeiling struct {
	// ReferenceFiles is the largest share of its rows practices, venues
	// or courses may lose: every other file's rows are checked against
	// them, so each row lost there takes the rows naming it with it.
	ReferenceFiles float64 `json:"reference_files"`
	// AnyFile is the largest share of its rows any file may lose.
	AnyFile float64 `json:"any_file"`
	// MinRows is how many rows a file must lose before a share counts: in
	// a file of a few rows, one or two bad ones make a large share
	// without saying the file is broken.
	MinRows int64 `json:"min_rows"`
}

// DefaultCeiling returns the ceiling a load has unless configured.
func DefaultCeiling() RejectionCeiling {
	return RejectionCeiling{ReferenceFiles: 0.10, AnyFile: 0.25, MinRows: 3}
}

// Validate reports a ceiling that cannot work.
func (c RejectionCeiling) Validate() error {
	switch {
	case !(c.ReferenceFiles > 0 && c.ReferenceFiles <= 1):
		return fmt.Errorf("rejection_ceiling.reference_files is %v; it must be a share above 0 and at most 1 (1 turns it off)", c.ReferenceFiles)
	case !(c.AnyFile > 0 && c.AnyFile <= 1):
		return fmt.Errorf("rejection_ceiling.any_file is %v; it must be a share above 0 and at most 1 (1 turns it off)", c.AnyFile)
	case c.MinRows < 1:
		return fmt.Errorf("rejection_ceiling.min_rows is %d; it must be at least 1", c.MinRows)
	}
	return nil
}

// ceilingTables are the files the ReferenceFiles share applies to.
var ceilingTables = map[string]bool{"practices": true, "venues": true, "courses": true}

// fileTally is what staging one file counted, for the ceiling.
type fileTally struct {
	read     int64            // data rows read
	rejected int64            // rows the reader rejected, before the cross checks
	dated    int64            // rows whose quarter date was read, inside the quarter or not
	outside  map[string]int64 // of those, the rows dated in each other quarter
}

// overCeiling reports how a checked file of quarter q breaks the ceiling,
// or nil: most of its dated rows outside the quarter (the wrong folder),
// or more of its rows rejected than its share allows.
func (c RejectionCeiling) overCeiling(t Table, file string, q quarter, accepted, rejected int64, tally fileTally) *Problem {
	return c.judge(t, file, q, rejected, accepted+rejected, tally.dated, tally.outside, false)
}

// overCeilingSoFar reports, while a file is read, that it will break the
// ceiling whatever its remaining rows hold: rejected and outside are the
// rows so far, and maxRows bounds the rows the file can have (the first
// pass counted them), so the shares can only grow past it.
func (c RejectionCeiling) overCeilingSoFar(t Table, file string, q quarter, rejected int64, outside map[string]int64, maxRows int64) *Problem {
	if maxRows <= 0 {
		return nil
	}
	return c.judge(t, file, q, rejected, maxRows, maxRows, outside, true)
}

// judge applies the ceiling to a file of total rows, of which rejected
// were rejected and dated had their quarter date read, outside counting
// those dated in each other quarter. With soFar, rejected and outside are
// counts so far, and total and dated upper bounds.
func (c RejectionCeiling) judge(t Table, file string, q quarter, rejected, total, dated int64, outside map[string]int64, soFar bool) *Problem {
	atLeast, stopped := "", ""
	if soFar {
		atLeast, stopped = "At least ", " (reading stopped there)"
	}
	var out int64
	var elsewhere []string
	for name, n := range outside {
		out += n
		elsewhere = append(elsewhere, name)
	}
	if out >= c.MinRows && 2*out > dated {
		sort.Slice(elsewhere, func(i, j int) bool {
			a, b := outside[elsewhere[i]], outside[elsewhere[j]]
			return a > b || a == b && elsewhere[i] < elsewhere[j]
		})
		most := elsewhere[0]
		return &Problem{File: file, Column: t.DateColumn, Rule: "wrong_quarter", Reason: fmt.Sprintf(
			"%s%s of its %s rows are dated outside %s (%s to %s), %s of them in %s%s: the folder seems to be named for the wrong quarter, or the file comes from another quarter's folder. Put the files in a folder named for the quarter their %s falls in.",
			atLeast, thousands(out), thousands(dated), q.name, q.first.Format("2 January 2006"), q.end.AddDate(0, 0, -1).Format("2 January 2006"),
			thousands(outside[most]), most, stopped, t.DateColumn)}
	}
	if rejected < c.MinRows || total == 0 {
		return nil
	}
	share := float64(rejected) / float64(total)
	limit, why := c.AnyFile, "any file may lose"
	if ceilingTables[t.Name] {
		limit, why = c.ReferenceFiles, "practices, venues or courses may lose, since every row naming a rejected one is lost with it"
	}
	if share <= limit {
		return nil
	}
	if soFar {
		return &Problem{File: file, Rule: "too_many_rejected", Reason: fmt.Sprintf(
			"At least %s of its %s rows were rejected, more than the %s %s; reading stopped there.",
			thousands(rejected), thousands(total), percent(limit), why)}
	}
	return &Problem{File: file, Rule: "too_many_rejected", Reason: fmt.Sprintf(
		"%s of its %s rows were rejected (%s), over the %s %s.",
		thousands(rejected), thousands(total), percent(share), percent(limit), why)}
}

// ceilingStop ends reading a file that will break the ceiling whatever
// its remaining rows hold (overCeilingSoFar).
type ceilingStop struct{ problem Problem }

func (s *ceilingStop) Error() string { return s.problem.String() }

// maxDataRows bounds the data rows a checked file can hold, as its first
// pass counted them (blank rows included); 0 when unknown.
func (fc fileCheck) maxDataRows() int64 {
	if fc.xlsx {
		if fc.workbook == nil {
			return 0
		}
		return fc.workbook.lastRow - 1
	}
	return fc.records - 1
}

// percent writes a share as people read it: 34%, or 0.4% below 1%.
func percent(share float64) string {
	if share > 0 && share < 0.01 {
		return fmt.Sprintf("%.1f%%", 100*share)
	}
	return fmt.Sprintf("%.0f%%", 100*share)
}

// fileRulesSQL lists one file's commonest rejection rules so far, each with
// its first rejected row as an example.
const fileRulesSQL = `SELECT rule, n, file, line, column_name, value, reason FROM (
	SELECT *, CAST(count(*) OVER (PARTITION BY rule) AS BIGINT) AS n,
		row_number() OVER (PARTITION BY rule ORDER BY line) AS rn
	FROM stg_rejected WHERE file = $1)
	WHERE rn = 1 ORDER BY n DESC, rule LIMIT $2`

// ceilingRefusal refuses the quarter for a file over the ceiling, with the
// file's commonest rejection rules and an example of each.
func ceilingRefusal(ctx context.Context, tx *sql.Tx, q quarter, dir string, p Problem) error {
	rows, err := tx.QueryContext(ctx, fileRulesSQL, p.File, 5)
	if err != nil {
		return err
	}
	defer rows.Close()
	refused := &RefusedError{Quarter: q.name, Dir: dir, Problems: []Problem{p}, Overridable: true}
	for rows.Next() {
		var rc RuleCount
		e := &rc.Example
		if err := rows.Scan(&rc.Rule, &rc.Count, &e.File, &e.Line, &e.Column, &e.Value, &e.Reason); err != nil {
			return err
		}
		e.Rule = rc.Rule
		e.Value = printableValue(e.Column, e.Value)
		refused.Rules = append(refused.Rules, rc)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return refused
}

// writeRules writes rule counts with an example each, one a line, as the
// terminal summary and a refusal show them.
func writeRules(b *strings.Builder, rules []RuleCount) {
	for _, rc := range rules {
		e := rc.Example
		where := fmt.Sprintf("%s:%d", e.File, e.Line)
		if e.Column != "" {
			where += ":" + e.Column
		}
		fmt.Fprintf(b, "  %8s  %s, e.g. %s: %s\n", thousands(rc.Count), rc.Rule, where, e.Reason)
	}
}

// rejectionCeiling returns the loader's Ceiling, or the default.
func (l *Loader) rejectionCeiling() RejectionCeiling {
	if l.Ceiling == (RejectionCeiling{}) {
		return DefaultCeiling()
	}
	return l.Ceiling
}

// readerCeiling is the ceiling the reader stops a file at, nil when
// AcceptRejections: every row is then read.
func (l *Loader) readerCeiling() *RejectionCeiling {
	if l.AcceptRejections {
		return nil
	}
	c := l.rejectionCeiling()
	return &c
}

// weigh checks one file against the loader's ceiling once its rows are
// checked: over it, the quarter is refused, unless AcceptRejections, when
// the breach is recorded in the result.
func (l *Loader) weigh(ctx context.Context, tx *sql.Tx, q quarter, t Table, file string, accepted, rejected int64, tally fileTally, res *Result) error {
	p := l.rejectionCeiling().overCeiling(t, file, q, accepted, rejected, tally)
	switch {
	case p == nil:
		return nil
	case l.AcceptRejections:
		res.OverCeiling = append(res.OverCeiling, *p)
		return nil
	}
	return ceilingRefusal(ctx, tx, q, res.Dir, *p)
}
