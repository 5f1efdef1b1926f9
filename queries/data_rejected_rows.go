package queries

import (
	"context"
	"database/sql"
	"fmt"
)

// RejectedFilter selects rejected rows. Empty strings select all; Limit 0
// means DefaultRejectedLimit.
type RejectedFilter struct {
	Quarter string `json:"quarter"` // e.g. 2026Q2
	File    string `json:"file"`    // e.g. referrals.csv
	Rule    string `json:"rule"`    // e.g. bad_date (ingest.Rules)
	Limit   int    `json:"limit"`
	Offset  int    `json:"offset"`
}

// Page sizes of RejectedRows.
const (
	DefaultRejectedLimit = 100
	MaxRejectedLimit     = 1000
)

// RejectedRows is one page of rejected rows and how many match in all.
type RejectedRows struct {
	Filter RejectedFilter `json:"filter"` // with the Limit actually used
	Total  int64          `json:"total"`
	Rows   []RejectedRow  `json:"rows"`
}

// RejectedRow is one row refused by validation, where it came from and
// why. Value is the offending value as stored (cut to 200 characters).
type RejectedRow struct {
	LoadID  int64  `json:"load_id"`
	Quarter string `json:"quarter"`
	File    string `json:"file"`
	Line    int64  `json:"line"`   // 1-based; the header is line 1
	Column  string `json:"column"` // "" when the rule concerns the whole row
	Value   string `json:"value"`
	Rule    string `json:"rule"`
	Reason  string `json:"reason"`
}

// RejectedRows returns one page of the rows validation refused, ordered by
// quarter, file and line. Rows are extract rows, not counts of people, so
// no disclosure rule applies; but a rejected value can be a patient
// pseudonym or other detail of a person, so the page is for service leads
// and administrators only. A malformed filter is a *FilterError. The SQL
// is sql/RejectedRows.sql.
func (s *Store) RejectedRows(ctx context.Context, rf RejectedFilter) (RejectedRows, error) {
	if err := rf.check(); err != nil {
		return RejectedRows{}, err
	}
	if rf.Limit == 0 {
		rf.Limit = DefaultRejectedLimit
	}
	out := RejectedRows{Filter: rf, Rows: []RejectedRow{}}
	args := []any{sql.Named("quarter", rf.Quarter), sql.Named("file", rf.File), sql.Named("rule", rf.Rule), sql.Named("limit", rf.Limit), sql.Named("offset", rf.Offset)}
	err := s.forEachRow(ctx, query("RejectedRows"), args, func(rows *sql.Rows) error {
		var loadID, line sql.NullInt64
		var q, file, column, value, rule, reason sql.NullString
		if err := rows.Scan(&out.Total, &loadID, &q, &file, &line, &column, &value, &rule, &reason); err != nil {
			return err
		}
		if !loadID.Valid {
			return nil // the empty page's row, carrying only the total
		}
		out.Rows = append(out.Rows, RejectedRow{
			LoadID: loadID.Int64, Quarter: q.String, File: file.String, Line: line.Int64,
			Column: column.String, Value: value.String, Rule: rule.String, Reason: reason.String,
		})
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("rejected rows: %w", err)
	}
	return out, nil
}

// check reports the first malformed field as a *FilterError.
func (rf RejectedFilter) check() error {
	for _, v := range []struct{ field, val string }{{"quarter", rf.Quarter}, {"file", rf.File}, {"rule", rf.Rule}} {
		if len(v.val) > maxFilterValue || !validText(v.val) {
			return &FilterError{v.field, truncate(v.val, maxFilterValue), "is not a value this filter can take"}
		}
	}
	if rf.Quarter != "" && !quarterRE.MatchString(rf.Quarter) {
		return &FilterError{"quarter", rf.Quarter, "must be a quarter like 2026Q2"}
	}
	if rf.Limit < 0 || rf.Limit > MaxRejectedLimit {
		return &FilterError{"limit", fmt.Sprint(rf.Limit), fmt.Sprintf("must be from 1 to %d rows", MaxRejectedLimit)}
	}
	if rf.Offset < 0 {
		return &FilterError{"offset", fmt.Sprint(rf.Offset), "must not be negative"}
	}
	return nil
}
