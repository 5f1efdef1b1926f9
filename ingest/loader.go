package ingest

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/uptake-nhs/uptake/db"
)

// Action says what a load did to its quarter.
type Action string

// The outcomes of a quarter load.
const (
	ActionLoaded    Action = "loaded"    // the quarter was not in the database before
	ActionRestated  Action = "restated"  // the quarter replaced an earlier load of it
	ActionUnchanged Action = "unchanged" // the files are byte-identical to the latest load; nothing was written
)

// Progress reports how far a load has got. It carries no row content, so a
// progress line can never show a patient or referral identifier.
type Progress struct {
	Quarter    string
	Stage      string // "checking", "reading", "validating", "committing" or "done"
	File       string // file name within the folder, "" for whole-quarter stages
	FileIndex  int    // 1-based position of File among the quarter's files
	Files      int    // number of files in the quarter
	Rows       int64  // data rows of File read so far
	Bytes      int64  // bytes of File read so far; 0 when unknown (XLSX)
	TotalBytes int64  // size of File
}

// progressEvery is how many rows pass between progress reports while a
// file is read, so that a callback costs nothing measurable.
const progressEvery = 50_000

// Loader loads quarter folders into the database. Its zero value is not
// usable: DB must be set. A Loader may be shared; its loads run one at a
// time, because DuckDB would refuse two transactions replacing the same rows.
type Loader struct {
	DB *sql.DB
	// Progress, if set, is called at each stage and every few tens of
	// thousands of rows.
	Progress func(Progress)
	// AfterLoad, if set, runs inside the load's transaction after the
	// quarter's rows are in, so that derived tables are rebuilt in the same
	// commit. An error from it rolls back the whole load. While it runs,
	// the temporary table replaced_TABLE holds, for each table of the
	// contract, the rows the load replaced (empty for a quarter loaded for
	// the first time), so that the hook can find what a restatement took
	// away as well as what it brought.
	AfterLoad func(ctx context.Context, tx *sql.Tx) error
	// Now, if set, replaces time.Now for the loads table, for tests.
	Now func() time.Time
	// Aliases maps the column names of other systems to the contract's
	// (the configuration's "aliases"); nil for none.
	Aliases Aliases
	// Ceiling bounds the rows each file may lose to rejection before the
	// quarter is refused whole; the zero value means DefaultCeiling().
	Ceiling RejectionCeiling
	// AcceptRejections loads a quarter over the Ceiling all the same,
	// recording each breach in Result.OverCeiling, for whoever knows the
	// rejections are expected; callers audit it.
	AcceptRejections bool

	mu sync.Mutex
}

// FileResult is what happened to one file of a quarter.
type FileResult struct {
	File     string // e.g. referrals.csv
	Table    string
	SHA256   string
	Accepted int64
	Rejected int64
}

// Rejection is one rejected row. Value is empty for patient and referral
// identifiers and whole-row problems, so that a Result can be printed
// safely; the database keeps the value in rejected_rows.
type Rejection struct {
	File   string
	Line   int64
	Column string
	Value  string
	Rule   string
	Reason string
}

// RuleCount is how many rows one rule rejected, with the first of them as an
// example to look at.
type RuleCount struct {
	Rule    string
	Count   int64
	Example Rejection
}

// Result describes a finished load.
type Result struct {
	Quarter  string
	Dir      string
	Action   Action
	LoadID   int64 // the new load; for ActionUnchanged, the latest existing load
	Files    []FileResult
	Accepted int64
	Rejected int64
	// TopRules holds the most common rejection rules, most frequent first.
	TopRules []RuleCount
	// Sample holds the first rejected rows, by file and line.
	Sample []Rejection
	// OverCeiling lists how the quarter broke the Loader's Ceiling,
	// loaded all the same because AcceptRejections was set.
	OverCeiling []Problem
	Duration    time.Duration
}

const (
	topRulesShown = 10
	sampleShown   = 20
)

// LoadQuarter loads the quarter folder dir (named like 2026Q2) in one
// transaction: it replaces whatever the quarter loaded before, keeps every
// rejected row with its reason, and records the load. The quarter is
// refused with a *RefusedError, and the database left untouched, when a
// file is missing, unknown or unreadable or has the wrong columns. Any other
// error, a cancelled ctx or an AfterLoad failure also leaves the database
// exactly as it was.
func (l *Loader) LoadQuarter(ctx context.Context, dir string) (*Result, error) {
	start := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()

	base := filepath.Base(filepath.Clean(dir))
	q, ok := parseQuarter(base)
	if !ok {
		return nil, &RefusedError{Dir: dir, Problems: []Problem{{Rule: "bad_quarter_folder",
			Reason: fmt.Sprintf("The folder name %q is not a quarter; name it for the quarter its events fall in, like 2026Q2.", base)}}}
	}
	files, err := l.checkFolder(dir, q)
	if err != nil {
		return nil, err
	}
	res := &Result{Quarter: q.name, Dir: dir}
	for i, t := range Tables {
		res.Files = append(res.Files, FileResult{File: files[i].name, Table: t.Name, SHA256: files[i].sha256})
	}

	prevID, unchanged, err := l.sameAsLatest(ctx, q.name, res.Files)
	if err != nil {
		return nil, err
	}
	if unchanged {
		res.Action = ActionUnchanged
		res.LoadID = prevID
		if err := l.fillUnchanged(ctx, res); err != nil {
			return nil, err
		}
		res.Duration = time.Since(start)
		l.report(Progress{Quarter: q.name, Stage: "done"})
		return res, nil
	}
	res.Action = ActionLoaded
	if prevID != 0 {
		res.Action = ActionRestated
	}

	if err := l.loadInTx(ctx, q, files, res); err != nil {
		return nil, explainLoadError(q.name, err)
	}
	res.Duration = time.Since(start)
	l.report(Progress{Quarter: q.name, Stage: "done"})
	return res, nil
}

// loadInTx loads the checked files in one transaction and commits it; on
// any error the transaction is rolled back.
func (l *Loader) loadInTx(ctx context.Context, q quarter, files []fileCheck, res *Result) error {
	conn, err := l.DB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// The transaction does not follow ctx by itself: database/sql would roll
	// it back from another goroutine, possibly while the appender is using
	// the same connection. Cancellation is checked between batches instead,
	// and statements get ctx so that DuckDB interrupts them.
	tx, err := conn.BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		return err
	}
	committed := false
	defer func() {
		if !committed {
			tx.Rollback()
		}
	}()
	if err := l.load(ctx, conn, tx, q, files, res); err != nil {
		return err
	}
	if l.AfterLoad != nil {
		if err := l.AfterLoad(ctx, tx); err != nil {
			return fmt.Errorf("load %s: after load: %w", q.name, err)
		}
	}
	for _, t := range Tables {
		if _, err := tx.ExecContext(ctx, dropStagingSQL(t)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, dropReplacedSQL(t)); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, query("loadInTx.drop_rejected")); err != nil {
		return err
	}
	l.report(Progress{Quarter: q.name, Stage: "committing"})
	// The last moment a cancellation can still undo the load.
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("load %s: commit: %w", q.name, err)
	}
	committed = true
	return nil
}

func (l *Loader) report(p Progress) {
	if l.Progress != nil {
		l.Progress(p)
	}
}

func (l *Loader) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

// checkFolder finds the nine files, hashes them, checks their encoding and
// headers, and returns them in Tables order, or refuses the quarter naming
// every problem found.
func (l *Loader) checkFolder(dir string, q quarter) ([]fileCheck, error) {
	refuse := func(problems []Problem) error {
		return &RefusedError{Quarter: q.name, Dir: dir, Problems: problems}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, refuse([]Problem{{Rule: "unreadable_file", Reason: fmt.Sprintf("The folder cannot be read: %v.", err)}})
	}
	found := map[string][]string{}
	var problems []Problem
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue // .DS_Store and similar: written by the OS, not by people
		}
		ext := strings.ToLower(filepath.Ext(name))
		table := strings.ToLower(strings.TrimSuffix(name, filepath.Ext(name)))
		if _, ok := TableByName(table); ok && !e.IsDir() && (ext == ".csv" || ext == ".xlsx") {
			found[table] = append(found[table], name)
			continue
		}
		reason := fmt.Sprintf("%s is not one of the quarter's files (%s, each .csv or .xlsx); move it out of the folder.", name, strings.Join(tableNames(), ", "))
		if strings.HasPrefix(name, "~$") {
			reason = name + " is Excel's lock file for an open workbook; close the workbook in Excel and try again."
		}
		problems = append(problems, Problem{File: name, Rule: "unknown_file", Reason: reason})
	}
	for _, t := range Tables {
		switch names := found[t.Name]; {
		case len(names) == 0:
			problems = append(problems, Problem{File: t.Name + ".csv", Rule: "missing_file",
				Reason: fmt.Sprintf("The folder has no %s.csv or %s.xlsx; every quarter needs all nine files, with just a header line if nothing happened.", t.Name, t.Name)})
		case len(names) > 1:
			sort.Strings(names)
			problems = append(problems, Problem{File: strings.Join(names, ", "), Rule: "duplicate_file",
				Reason: fmt.Sprintf("The folder has %s more than once (%s); keep one.", t.Name, strings.Join(names, ", "))})
		}
	}
	if len(problems) > 0 {
		return nil, refuse(problems)
	}
	// Hashing and sniffing read every byte of every file: a few files are
	// checked at once, on the machine's cores, and the results taken in
	// Tables order, so that problems are listed as before.
	type checked struct {
		fc       fileCheck
		problems []Problem
	}
	results := make([]chan checked, len(Tables))
	workers := make(chan struct{}, min(runtime.GOMAXPROCS(0), 4))
	for i, t := range Tables {
		results[i] = make(chan checked, 1)
		go func() {
			workers <- struct{}{}
			defer func() { <-workers }()
			fc, p := checkFile(filepath.Join(dir, found[t.Name][0]))
			if p != nil {
				results[i] <- checked{fc, []Problem{*p}}
				return
			}
			results[i] <- checked{fc, checkHeader(t, fc, l.Aliases.forTable(t.Name))}
		}()
	}
	files := make([]fileCheck, len(Tables))
	for i, t := range Tables {
		l.report(Progress{Quarter: q.name, Stage: "checking", File: found[t.Name][0], FileIndex: i + 1, Files: len(Tables)})
		r := <-results[i]
		problems = append(problems, r.problems...)
		files[i] = r.fc
	}
	if len(problems) > 0 {
		return nil, refuse(problems)
	}
	return files, nil
}

func tableNames() []string {
	names := make([]string, len(Tables))
	for i, t := range Tables {
		names[i] = t.Name
	}
	return names
}

// checkHeader reads a file's first line and matches it to the contract.
func checkHeader(t Table, fc fileCheck, aliases map[string]string) []Problem {
	rr, err := openRows(fc)
	if err != nil {
		return []Problem{asProblem(err, fc.name)}
	}
	defer rr.Close()
	_, header, err := rr.Read()
	switch {
	case err == io.EOF:
		return []Problem{{File: fc.name, Line: 1, Rule: "empty_file", Reason: "The file is empty; it needs at least the header line naming its columns."}}
	case err != nil:
		return []Problem{asProblem(err, fc.name)}
	}
	_, problems := headerMap(t, fc.name, header, aliases)
	return problems
}

// asProblem turns a reader error into a refusal problem.
func asProblem(err error, file string) Problem {
	var p *Problem
	if errors.As(err, &p) {
		return *p
	}
	var rp *rowProblem
	if errors.As(err, &rp) {
		return Problem{File: file, Line: rp.line, Rule: rp.rule, Reason: rp.reason}
	}
	return Problem{File: file, Rule: "unreadable_file", Reason: fmt.Sprintf("The file could not be read: %v.", err)}
}

// Error lets a *Problem travel as an error from the readers to the loader.
func (p *Problem) Error() string { return p.String() }

// sameAsLatest reports the quarter's latest load id (0 if none) and whether
// its files had exactly these hashes.
func (l *Loader) sameAsLatest(ctx context.Context, quarter string, files []FileResult) (int64, bool, error) {
	rows, err := l.DB.QueryContext(ctx, query("sameAsLatest"), sql.Named("quarter", quarter))
	if err != nil {
		return 0, false, fmt.Errorf("read loads: %w", err)
	}
	defer rows.Close()
	var id int64
	prev := map[string]string{}
	for rows.Next() {
		var table, sum string
		if err := rows.Scan(&id, &table, &sum); err != nil {
			return 0, false, err
		}
		prev[table] = sum
	}
	if err := rows.Err(); err != nil {
		return 0, false, err
	}
	if id == 0 || len(prev) != len(files) {
		return id, false, nil
	}
	for _, f := range files {
		if prev[f.Table] != f.SHA256 {
			return id, false, nil
		}
	}
	return id, true, nil
}

// fillUnchanged reports the counts of the latest load for a quarter loaded
// again with identical files.
func (l *Loader) fillUnchanged(ctx context.Context, res *Result) error {
	for i := range res.Files {
		f := &res.Files[i]
		err := l.DB.QueryRowContext(ctx, query("fillUnchanged"), sql.Named("load_id", res.LoadID), sql.Named("table_name", f.Table)).
			Scan(&f.Accepted, &f.Rejected)
		if err != nil {
			return fmt.Errorf("read loads: %w", err)
		}
		res.Accepted += f.Accepted
		res.Rejected += f.Rejected
	}
	return nil
}

// load does the work inside the transaction: replace the quarter's rows
// table by table, then record rejections and the load.
func (l *Loader) load(ctx context.Context, conn *sql.Conn, tx *sql.Tx, q quarter, files []fileCheck, res *Result) error {
	exec := func(query string, args ...any) (sql.Result, error) {
		r, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("load %s: %w", q.name, err)
		}
		return r, nil
	}
	// The files are read and validated on their own goroutine while this
	// one appends and checks (stage.go).
	reader := startReading(ctx, q, files, l.Aliases, l.readerCeiling())
	defer reader.stop()

	for _, t := range Tables {
		if _, err := exec(stagingDDL(t)); err != nil {
			return err
		}
	}
	if _, err := exec(query("load.stg_rejected")); err != nil {
		return err
	}
	// Restatement: the quarter's old rows go first, so that the checks
	// below see only other quarters' rows plus this load's. A quarter
	// never loaded has no rows to delete (every load records itself in
	// loads in the same transaction as its rows), and each DELETE would
	// scan a whole table for nothing. The transaction's own snapshot says
	// which, so that a load committed since sameAsLatest cannot be missed.
	var loaded bool
	if err := tx.QueryRowContext(ctx, query("load.quarter_loaded"), sql.Named("quarter", q.name)).Scan(&loaded); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("load %s: %w", q.name, err)
	}
	for _, t := range Tables {
		if _, err := exec(keepReplacedSQL(t, loaded), q.name); err != nil {
			return err
		}
	}
	if loaded {
		for _, t := range Tables {
			if _, err := exec(deleteQuarterSQL(t), q.name); err != nil {
				return err
			}
		}
		if _, err := exec(query("load.delete_rejected"), sql.Named("quarter", q.name)); err != nil {
			return err
		}
	}
	if err := tx.QueryRowContext(ctx, query("load.next_load_id")).Scan(&res.LoadID); err != nil {
		return fmt.Errorf("load %s: %w", q.name, err)
	}

	for i, t := range Tables {
		fc := files[i]
		progress := Progress{Quarter: q.name, Stage: "reading", File: fc.name, FileIndex: i + 1, Files: len(Tables), TotalBytes: fc.size}
		l.report(progress)
		var tally fileTally
		err := conn.Raw(func(dc any) error {
			var err error
			tally, err = l.stageFile(ctx, dc.(driver.Conn), i, t, fc, reader, progress)
			return err
		})
		if err != nil {
			var stop *ceilingStop
			if errors.As(err, &stop) {
				return ceilingRefusal(ctx, tx, q, res.Dir, stop.problem)
			}
			var p *Problem
			if errors.As(err, &p) {
				return &RefusedError{Quarter: q.name, Dir: res.Dir, Problems: []Problem{*p}}
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("load %s: %s: %w", q.name, fc.name, err)
		}
		progress.Stage, progress.Rows, progress.Bytes = "validating", tally.read, fc.size
		l.report(progress)
		rejected := tally.rejected
		if query, usesQuarter := crossCheckSQL(t); query != "" {
			args := []any{fc.name}
			if usesQuarter {
				args = append(args, q.name)
			}
			r, err := exec(query, args...)
			if err != nil {
				return err
			}
			n, _ := r.RowsAffected()
			rejected += n
		}
		r, err := exec(insertSQL(t), q.name, fc.name)
		if err != nil {
			return err
		}
		accepted, _ := r.RowsAffected()
		res.Files[i].Accepted = accepted
		res.Accepted += accepted
		if err := l.weigh(ctx, tx, q, t, fc.name, accepted, rejected, tally, res); err != nil {
			return err
		}
	}

	counts := map[string]int64{}
	rows, err := tx.QueryContext(ctx, query("load.rejected_by_file"))
	if err != nil {
		return fmt.Errorf("load %s: %w", q.name, err)
	}
	for rows.Next() {
		var file string
		var n int64
		if err := rows.Scan(&file, &n); err != nil {
			rows.Close()
			return err
		}
		counts[file] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(counts) > 0 { // usually none: skip the statement
		if _, err := exec(query("load.keep_rejected"), sql.Named("load_id", res.LoadID), sql.Named("quarter", q.name)); err != nil {
			return err
		}
	}
	// One row per file, in one statement: a list per column.
	var names, tables, sums []string
	var accepted, rejected []int64
	for i := range res.Files {
		f := &res.Files[i]
		f.Rejected = counts[f.File]
		res.Rejected += f.Rejected
		names, tables, sums = append(names, f.File), append(tables, f.Table), append(sums, f.SHA256)
		accepted, rejected = append(accepted, f.Accepted), append(rejected, f.Rejected)
	}
	if _, err := exec(query("load.record"), sql.Named("load_id", res.LoadID), sql.Named("quarter", q.name),
		sql.Named("action", string(res.Action)), sql.Named("loaded_at", l.now().UTC()),
		sql.Named("files", names), sql.Named("tables", tables), sql.Named("sha256s", sums),
		sql.Named("accepted", accepted), sql.Named("rejected", rejected)); err != nil {
		return err
	}
	if len(counts) == 0 {
		return nil // nothing to summarise
	}
	return l.summarise(ctx, tx, res)
}

// blankRow reports a row with nothing in it.
func blankRow(fields []string) bool {
	for _, f := range fields {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// fieldCountOK checks a row has one value per header column. Empty values
// beyond the header are tolerated (spreadsheets write trailing commas), and
// XLSX rows may stop early because empty trailing cells are not stored.
func fieldCountOK(fields []string, width int, xlsx bool) (int, bool) {
	n := len(fields)
	for n > width && strings.TrimSpace(fields[n-1]) == "" {
		n--
	}
	if n > width {
		return n, false
	}
	return len(fields), xlsx || len(fields) >= width
}

// summarise fills the result's rule counts and sample from this load's
// rejections.
func (l *Loader) summarise(ctx context.Context, tx *sql.Tx, res *Result) error {
	rows, err := tx.QueryContext(ctx, query("summarise.top_rules"), sql.Named("limit", topRulesShown))
	if err != nil {
		return err
	}
	for rows.Next() {
		var rc RuleCount
		e := &rc.Example
		if err := rows.Scan(&rc.Rule, &rc.Count, &e.File, &e.Line, &e.Column, &e.Value, &e.Reason); err != nil {
			rows.Close()
			return err
		}
		e.Rule = rc.Rule
		e.Value = printableValue(e.Column, e.Value)
		res.TopRules = append(res.TopRules, rc)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = tx.QueryContext(ctx, query("summarise.sample"), sql.Named("limit", sampleShown))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var e Rejection
		if err := rows.Scan(&e.File, &e.Line, &e.Column, &e.Value, &e.Rule, &e.Reason); err != nil {
			return err
		}
		e.Value = printableValue(e.Column, e.Value)
		res.Sample = append(res.Sample, e)
	}
	return rows.Err()
}

// printableValue hides values that are, or may contain, patient or referral
// identifiers: whole-row values and any column marked Identifier.
func printableValue(column, value string) string {
	if column == "" {
		return ""
	}
	for _, name := range strings.Split(column, ", ") {
		if identifierColumns[name] {
			return ""
		}
	}
	return value
}

var identifierColumns = func() map[string]bool {
	m := map[string]bool{}
	for _, t := range Tables {
		for _, c := range t.Columns {
			if c.Identifier {
				m[c.Name] = true
			}
		}
	}
	return m
}()

// explainLoadError says, in words for whoever runs the load, that a load
// which failed after its transaction began left the database as it was,
// and what the database's error most likely means. Refusals, which say
// this already, and cancellations pass unchanged.
func explainLoadError(quarter string, err error) error {
	var refused *RefusedError
	if errors.As(err, &refused) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if cause := db.StorageCause(err.Error()); cause != "" {
		return fmt.Errorf("quarter %s not loaded, the database is unchanged: %s: %w", quarter, cause, err)
	}
	return fmt.Errorf("quarter %s not loaded, the database is unchanged: %w", quarter, err)
}
