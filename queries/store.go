// Package queries computes every indicator of docs/indicators.md from the
// DuckDB database that package ingest fills. Each question is one embedded
// SQL file in sql/ and one typed method on Store; results leave the package
// with counts of people already under the disclosure rule (disclosure.go).
// The package knows nothing of HTTP.
package queries

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
)

//go:embed sql/*.sql
var sqlFiles embed.FS

// query returns the text of sql/NAME.sql. A missing file is a programming
// error caught by TestEverySQLFileIsUsed and the indicator tests.
func query(name string) string {
	b, err := sqlFiles.ReadFile("sql/" + name + ".sql")
	if err != nil {
		panic(fmt.Sprintf("queries: no sql/%s.sql", name))
	}
	if rewriteSQL != nil {
		return rewriteSQL(name, string(b))
	}
	return string(b)
}

// rewriteSQL, when set, changes the text of sql/NAME.sql wherever it is
// used. Only the definition-sensitivity test sets it (sensitivity_test.go),
// to compute the indicators with one rule deliberately broken; nothing
// else may.
var rewriteSQL func(name, text string) string

// execer is what Refresh needs: a *sql.DB, *sql.Conn or *sql.Tx.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Store answers indicator questions. It is safe for concurrent use; each
// method runs in its own read snapshot of the database.
type Store struct {
	db  *sql.DB
	cfg Config

	mu      sync.Mutex
	options *FilterOptions // cached; reset by Refresh
	version int64          // data version the cache was built for

	cache resultCache // indicator results by data version (cache.go)

	// countFromReferrals makes the indicators that add up kept counts
	// (useKeptCounts) count from the referrals and outcomes even where the
	// kept counts would do, for the test that holds the two equal.
	countFromReferrals bool
}

// Open prepares a Store over a database that ingest has migrated. It
// creates the shared macros and rebuilds the derived tables when they are
// missing, when data were loaded since they were built, or when the
// configuration changed.
func Open(ctx context.Context, db *sql.DB, cfg Config) (*Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Store{db: db, cfg: cfg}
	if err := runStatements(ctx, db, "macros"); err != nil {
		return nil, err
	}
	fresh, err := s.derivedFresh(ctx)
	if err != nil {
		return nil, err
	}
	if fresh {
		// Macro definitions may be newer than the database.
		if err := runStatements(ctx, db, "filter_macros"); err != nil {
			return nil, err
		}
	} else {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return nil, err
		}
		if err := s.Refresh(ctx, tx); err != nil {
			tx.Rollback()
			return nil, err
		}
		if err := tx.Commit(); err != nil {
			return nil, fmt.Errorf("saving derived tables: %w", err)
		}
	}
	return s, nil
}

// Config returns the configuration the store computes with.
func (s *Store) Config() Config { return s.cfg }

// runStatements runs each statement of sql/NAME.sql in turn.
func runStatements(ctx context.Context, db execer, name string) error {
	for _, stmt := range splitStatements(query(name)) {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%s.sql: %w", name, err)
		}
	}
	return nil
}

// Refresh brings the derived tables (referral_facts, outcome_facts,
// course_facts, equity_group_values, practice_quarter_counts,
// practice_names, and the keptCounts) up to date inside tx.
// ingest.Loader calls it as its AfterLoad hook, so that a quarter and the
// facts computed from it commit together. Right after one load, with the
// facts built from the data before it and the same configuration and SQL,
// it recomputes only the referrals and courses the load touched
// (Refresh.scope.sql); otherwise (a new configuration or release, a
// migration, several loads since, or no load at all) it rebuilds them in
// full. Both give the same tables.
func (s *Store) Refresh(ctx context.Context, tx *sql.Tx) error {
	if err := runStatements(ctx, tx, "macros"); err != nil {
		return err
	}
	quarter, err := s.incrementalQuarter(ctx, tx)
	if err != nil {
		return err
	}
	if err := s.refresh(ctx, tx, quarter); err != nil {
		return err
	}
	if err := runStatements(ctx, tx, "filter_macros"); err != nil {
		return err
	}
	// The kept counts are counted by filter macros (followup_tally and
	// the like), so that their definitions are written once: they come
	// after them.
	for _, name := range keptCounts {
		if _, err := tx.ExecContext(ctx, query(name)); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, query("Refresh.derived_state"), sql.Named("config_hash", s.derivedHash())); err != nil {
		return fmt.Errorf("recording derived state: %w", err)
	}
	s.mu.Lock()
	s.options = nil
	s.mu.Unlock()
	return nil
}

// keptCounts are the statements that keep counts per practice and
// quarter, counted by the filter macros under no filter, for indicators
// to add up when no filter is on a referral's own attributes
// (useKeptCounts). Each is rebuilt whole (CREATE OR REPLACE) by every
// refresh, incremental or not, so an incremental refresh need not find
// them (Refresh.incremental.sql does not list them), and a database built
// before one was added is rebuilt in full anyway: the statements are part
// of derivedHash.
var keptCounts = []string{"Refresh.followup_counts", "Refresh.trend_counts", "Refresh.coding_counts"}

// incrementalQuarter returns the quarter of the one load the derived
// tables lack, when they can be brought up to date by recomputing what it
// touched; "" when they must be rebuilt in full.
func (s *Store) incrementalQuarter(ctx context.Context, tx *sql.Tx) (string, error) {
	var possible bool
	if err := tx.QueryRowContext(ctx, query("Refresh.incremental")).Scan(&possible); err != nil {
		return "", fmt.Errorf("checking derived tables: %w", err)
	}
	if !possible {
		return "", nil
	}
	var hash string
	var loads int64
	var quarter sql.NullString
	if err := tx.QueryRowContext(ctx, query("Refresh.state")).Scan(&hash, &loads, &quarter); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return "", nil
		}
		return "", fmt.Errorf("checking derived tables: %w", err)
	}
	if hash != s.derivedHash() || loads != 1 || !quarter.Valid {
		return "", nil
	}
	return quarter.String, nil
}

// refresh builds the derived tables: in full when quarter is "", else for
// what the load of quarter touched.
func (s *Store) refresh(ctx context.Context, tx *sql.Tx, quarter string) error {
	c := s.cfg
	full := quarter == ""
	referralArgs := []any{sql.Named("conversion_window_days", c.ConversionWindowDays), sql.Named("completion_sessions", c.CompletionSessions),
		sql.Named("followup_window_days", c.FollowUpWindowDays), sql.Named("min_years_since_diagnosis", c.MinYearsSinceDiagnosis),
		sql.Named("unmet_window_days", c.UnmetDemandWindowDays)}
	outcomeArgs := []any{sql.Named("coding_window_days", c.CodingWindowDays), sql.Named("attended_codes", c.Codes.Attended),
		sql.Named("did_not_attend_codes", c.Codes.DidNotAttend), sql.Named("declined_codes", c.Codes.Declined)}
	type step struct {
		name  string
		table string // for an incremental refresh, the table its CREATE becomes an INSERT into
		args  []any
	}
	// course_facts comes first: referral_facts takes the booked slot from it.
	courses := step{"Refresh.course_facts", "", []any{sql.Named("evening_from", c.EveningFrom)}}
	var steps []step
	if full {
		steps = []step{
			{"Refresh.scope_all", "", nil},
			courses,
			{"Refresh.referral_facts", "", referralArgs},
			{"Refresh.outcome_facts", "", outcomeArgs},
		}
	} else {
		steps = []step{
			{"Refresh.scope", "", []any{sql.Named("quarter", quarter)}},
			courses,
			{"Refresh.referral_facts", "referral_facts", referralArgs},
			{"Refresh.referral_as_of", "", []any{sql.Named("conversion_window_days", c.ConversionWindowDays),
				sql.Named("unmet_window_days", c.UnmetDemandWindowDays), sql.Named("followup_window_days", c.FollowUpWindowDays)}},
			{"Refresh.outcome_facts", "outcome_facts", outcomeArgs},
			{"Refresh.outcome_as_of", "", []any{sql.Named("coding_window_days", c.CodingWindowDays)}},
		}
	}
	steps = append(steps, step{"Refresh.equity_groups", "", nil}, step{"Refresh.practice_quarter_counts", "", nil},
		step{"Refresh.practice_names", "", nil}, step{"Refresh.done", "", nil})
	for _, st := range steps {
		var err error
		switch {
		case st.table != "":
			_, err = tx.ExecContext(ctx, insertInstead(query(st.name), st.table), st.args...)
		case strings.HasPrefix(st.name, "Refresh.scope") || st.name == "Refresh.done":
			err = runStatementsWith(ctx, tx, st.name, st.args...)
		default:
			_, err = tx.ExecContext(ctx, query(st.name), st.args...)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", st.name, err)
		}
	}
	return nil
}

// insertInstead turns the statement of text that creates table into one
// that adds its rows to the table as it is, matching columns by name, for
// an incremental refresh; the rest of the text (the definitions) stays as
// written, in one place.
func insertInstead(text, table string) string {
	create := "CREATE OR REPLACE TABLE " + table + " AS\n"
	if strings.Count(text, create) != 1 {
		panic("queries: no single " + strings.TrimSpace(create) + " to make incremental")
	}
	return strings.Replace(text, create, "INSERT INTO "+table+" BY NAME\n", 1)
}

// runStatementsWith runs each statement of sql/NAME.sql in turn, giving
// each the named arguments it uses: DuckDB refuses one it does not.
func runStatementsWith(ctx context.Context, db execer, name string, args ...any) error {
	for _, stmt := range splitStatements(query(name)) {
		var use []any
		for _, a := range args {
			if n, ok := a.(sql.NamedArg); ok && strings.Contains(stmt, "$"+n.Name) {
				use = append(use, a)
			}
		}
		if _, err := db.ExecContext(ctx, stmt, use...); err != nil {
			return fmt.Errorf("%s.sql: %w", name, err)
		}
	}
	return nil
}

// derivedFresh reports whether the derived tables match the data and the
// configuration.
func (s *Store) derivedFresh(ctx context.Context) (bool, error) {
	var hash string
	var built, current int64
	err := s.db.QueryRowContext(ctx, query("derivedFresh")).Scan(&hash, &built, &current)
	if err != nil {
		if strings.Contains(err.Error(), "derived_state does not exist") || errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		return false, fmt.Errorf("checking derived tables: %w", err)
	}
	return hash == s.derivedHash() && built == current, nil
}

// derivedHash identifies what the derived tables were built with: the
// configuration and the SQL that builds them, so that a new release whose
// definitions changed rebuilds them on first start.
func (s *Store) derivedHash() string {
	h := sha256.New()
	h.Write([]byte(s.cfg.Hash()))
	for _, name := range []string{"macros", "Refresh.scope_all", "Refresh.scope", "Refresh.referral_facts", "Refresh.referral_as_of",
		"Refresh.outcome_facts", "Refresh.outcome_as_of", "Refresh.course_facts", "Refresh.equity_groups", "Refresh.practice_quarter_counts", "Refresh.practice_names", "Refresh.done", "filter_macros"} {
		h.Write([]byte(query(name)))
	}
	for _, name := range keptCounts {
		h.Write([]byte(query(name)))
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// DataVersion identifies the loaded data: it changes whenever a load
// commits. The dashboard uses it for caching and ETags. Within a context
// from PinDataVersion it is asked of the database once.
func (s *Store) DataVersion(ctx context.Context) (int64, error) {
	if pin, ok := ctx.Value(versionPinKey{}).(*versionPin); ok {
		pin.once.Do(func() { pin.v, pin.err = s.dataVersion(ctx) })
		return pin.v, pin.err
	}
	return s.dataVersion(ctx)
}

func (s *Store) dataVersion(ctx context.Context) (int64, error) {
	var v int64
	err := s.db.QueryRowContext(ctx, query("DataVersion")).Scan(&v)
	return v, err
}

type versionPinKey struct{}

type versionPin struct {
	once sync.Once
	v    int64
	err  error
}

// PinDataVersion returns a context in which every DataVersion gives the
// version it first read. A page asks for it a dozen times (each result,
// each kept panel, the filter values); pinned, it is one query instead of
// a dozen, and every part of the page is keyed by the same version even
// if a load commits while the page is being made. Only for requests that
// load nothing: a load within the context would not be seen.
func PinDataVersion(ctx context.Context) context.Context {
	return context.WithValue(ctx, versionPinKey{}, &versionPin{})
}

// FilterOptions lists the values the filters can take in the loaded data.
// It is cached until the data change.
func (s *Store) FilterOptions(ctx context.Context) (FilterOptions, error) {
	v, err := s.DataVersion(ctx)
	if err != nil {
		return FilterOptions{}, err
	}
	s.mu.Lock()
	if s.options != nil && s.version == v {
		o := *s.options
		s.mu.Unlock()
		return o, nil
	}
	s.mu.Unlock()

	o := FilterOptions{Modes: Modes, Referrers: Referrers, Channels: Channels}
	if o.Quarters, err = s.strings(ctx, query("FilterOptions.quarters")); err != nil {
		return o, err
	}
	if o.PCNs, err = s.strings(ctx, query("FilterOptions.pcns")); err != nil {
		return o, err
	}
	if o.Languages, err = s.strings(ctx, query("FilterOptions.languages")); err != nil {
		return o, err
	}
	rows, err := s.db.QueryContext(ctx, query("FilterOptions.practices"))
	if err != nil {
		return o, err
	}
	defer rows.Close()
	for rows.Next() {
		var p PracticeOption
		if err := rows.Scan(&p.Code, &p.Name, &p.PCN); err != nil {
			return o, err
		}
		o.Practices = append(o.Practices, p)
	}
	if err := rows.Err(); err != nil {
		return o, err
	}
	s.mu.Lock()
	s.options, s.version = &o, v
	s.mu.Unlock()
	return o, nil
}

func (s *Store) strings(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// splitStatements splits a file of DDL on semicolons that end a line.
func splitStatements(text string) []string {
	var out []string
	for _, part := range strings.SplitAfter(text, ";\n") {
		if stmt := strings.TrimSpace(stripComments(part)); stmt != "" {
			out = append(out, stmt)
		}
	}
	return out
}

func stripComments(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "--") {
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}
