package ingest

import (
	"fmt"
	"strings"
)

// crossCheck is a rule that needs other rows: other lines of the same file,
// the other files of the quarter, or earlier quarters already in the
// database. It runs in SQL over the staging table "s" of valid rows, because
// at England scale a hash join is far cheaper than Go maps of every key.
//
// A check is a condition on a staged row and the relations its joins bring
// in (see checkJoin); the offending value and the reason are SQL
// expressions over the same. By the time a table's checks run, the
// quarter's old rows are deleted and the tables they depend on hold this
// load's accepted rows, so "the referrals table" means exactly "this load's
// referrals plus other quarters' referrals". $2 is the quarter being loaded.
type crossCheck struct {
	rule   string
	column string
	joins  []checkJoin // the relations cond, value and reason use
	cond   string      // true when the row breaks the rule
	value  string
	reason string
}

// checkJoin is a relation a check looks rows up in, LEFT JOINed to the
// staging table "s" under its alias. It must match at most one row per
// staged row: the tables' keys, which the checks themselves enforce, make
// it so.
type checkJoin struct {
	alias string
	sql   string // "LEFT JOIN ... <alias> ON ..."
}

// crossChecks returns the table's checks in the order they apply: a row
// breaking several rules is rejected for the first.
func crossChecks(t Table) []crossCheck {
	stg := "stg_" + t.Name
	keyList := strings.Join(t.Key, ", ")
	keyValue := "concat_ws(' / ', " + strings.Join(prefixAll("s.", t.Key), ", ") + ")"
	keyWords := strings.Join(t.Key, ", ")
	if n := len(t.Key); n > 1 {
		keyWords = strings.Join(t.Key[:n-1], ", ") + " and " + t.Key[n-1]
	}
	keyOn := func(alias string) string {
		on := make([]string, len(t.Key))
		for i, k := range t.Key {
			on[i] = alias + "." + k + " = s." + k
		}
		return strings.Join(on, " AND ")
	}
	// Only keys staged more than once can be duplicates, so the lookup
	// holds those alone: usually none. They are found by the hash of the
	// key first, one number to group by instead of several strings; a
	// collision only adds a key that the grouping by the key itself drops.
	firstLine := checkJoin{"f", fmt.Sprintf(`LEFT JOIN (SELECT %[1]s, min(line) AS first_line FROM %[2]s
		WHERE hash(%[1]s) IN (SELECT hash(%[1]s) FROM %[2]s GROUP BY 1 HAVING count(*) > 1)
		GROUP BY ALL HAVING count(*) > 1) f ON %[3]s`, keyList, stg, keyOn("f"))}
	checks := []crossCheck{{
		rule: "duplicate_key", column: strings.Join(t.Key, ", "), joins: []checkJoin{firstLine},
		cond:   "s.line > f.first_line",
		value:  keyValue,
		reason: "'Line ' || f.first_line || ' has the same " + keyWords + "; the first row is kept.'",
	}}
	if t.Kind == Event {
		checks = append(checks, crossCheck{
			rule: "key_in_other_quarter", column: strings.Join(t.Key, ", "),
			joins:  []checkJoin{{"d", fmt.Sprintf("LEFT JOIN (SELECT %s, quarter FROM %s) d ON %s", keyList, t.Name, keyOn("d"))}},
			cond:   "d.quarter IS NOT NULL",
			value:  keyValue,
			reason: "'A row with the same " + keyWords + " was loaded with quarter ' || d.quarter || '; a row belongs to one quarter, so correct that quarter''s file instead.'",
		})
	}
	// Only the referrals this file names: a hash table of those is far
	// smaller than one of every referral loaded.
	referrals := checkJoin{"r", `LEFT JOIN (SELECT referral_id, referral_date FROM referrals
		WHERE referral_id IN (SELECT referral_id FROM ` + stg + `)) r ON r.referral_id = s.referral_id`}
	courses := checkJoin{"c", "LEFT JOIN (SELECT course_id, sessions_planned, first_session_date FROM courses) c ON c.course_id = s.course_id"}
	practice := crossCheck{
		rule: "unknown_practice", column: "practice_code",
		joins:  []checkJoin{{"p", "LEFT JOIN (SELECT practice_code FROM practices WHERE quarter = $2) p ON p.practice_code = s.practice_code"}},
		cond:   "p.practice_code IS NULL",
		value:  "s.practice_code",
		reason: `'Practice ' || s.practice_code || ' is not in this quarter''s practices file.'`,
	}
	referral := crossCheck{
		rule: "unknown_referral", column: "referral_id", joins: []checkJoin{referrals},
		cond:   "r.referral_id IS NULL",
		value:  "s.referral_id",
		reason: `'This referral_id is not in this quarter''s referrals nor in a quarter loaded before.'`,
	}
	beforeReferral := func(dateCol string) crossCheck {
		return crossCheck{
			rule: "before_referral", column: dateCol, joins: []checkJoin{referrals},
			cond:   "s." + dateCol + " < r.referral_date",
			value:  "strftime(s." + dateCol + ", '%Y-%m-%d')",
			reason: `'The ` + dateCol + ` ' || strftime(s.` + dateCol + `, '%Y-%m-%d') || ' is before the referral date ' || strftime(r.referral_date, '%Y-%m-%d') || '.'`,
		}
	}
	switch t.Name {
	case "courses":
		checks = append(checks, crossCheck{
			rule: "unknown_venue", column: "venue_id",
			joins:  []checkJoin{{"v", "LEFT JOIN (SELECT venue_id FROM venues WHERE quarter = $2) v ON v.venue_id = s.venue_id"}},
			cond:   "s.venue_id IS NOT NULL AND v.venue_id IS NULL",
			value:  "s.venue_id",
			reason: `'Venue ' || s.venue_id || ' is not in this quarter''s venues file.'`,
		})
	case "referrals", "gp_codes", "text_campaigns":
		checks = append(checks, practice)
	case "attendance":
		checks = append(checks, referral, crossCheck{
			rule: "unknown_course", column: "course_id", joins: []checkJoin{courses},
			cond:   "c.course_id IS NULL",
			value:  "s.course_id",
			reason: `'Course ' || s.course_id || ' is not in this quarter''s courses nor in a quarter loaded before.'`,
		}, crossCheck{
			rule: "session_above_planned", column: "session_number", joins: []checkJoin{courses},
			cond:   "s.session_number > c.sessions_planned",
			value:  "CAST(s.session_number AS VARCHAR)",
			reason: `'Session ' || s.session_number || ' is above the ' || c.sessions_planned || ' sessions planned for course ' || s.course_id || '.'`,
		}, beforeReferral("session_date"), crossCheck{
			rule: "before_course_start", column: "session_date", joins: []checkJoin{courses},
			cond:   "s.session_date < c.first_session_date",
			value:  "strftime(s.session_date, '%Y-%m-%d')",
			reason: `'The session_date ' || strftime(s.session_date, '%Y-%m-%d') || ' is before course ' || s.course_id || ' starts on ' || strftime(c.first_session_date, '%Y-%m-%d') || '.'`,
		})
	case "outcomes":
		checks = append(checks, referral, beforeReferral("outcome_date"))
	case "followups":
		checks = append(checks, referral, beforeReferral("followup_date"))
	}
	return checks
}

// crossCheckSQL returns the statement that records, in stg_rejected, each
// staged row of t breaking one of its cross checks, for the first rule it
// breaks; "" when t has none. All the checks of a table run in this one
// statement, so that each table they consult (referrals, courses, the
// table itself) is joined once rather than once per rule: at England scale
// the attendance checks took seven passes before. $1 is the file name and
// $2 the quarter being loaded; the quarter is bound only when a check uses
// it (usesQuarter), because DuckDB refuses a parameter the query does not use.
func crossCheckSQL(t Table) (query string, usesQuarter bool) {
	checks := crossChecks(t)
	if len(checks) == 0 {
		return "", false
	}
	var joins []string
	seen := map[string]bool{}
	for _, c := range checks {
		for _, j := range c.joins {
			if !seen[j.alias] {
				seen[j.alias] = true
				joins = append(joins, j.sql)
			}
		}
	}
	// pick evaluates, for the first check the row breaks, one of its parts.
	pick := func(part func(c crossCheck) string) string {
		var b strings.Builder
		b.WriteString("CASE")
		for _, c := range checks {
			fmt.Fprintf(&b, "\n\t\t\tWHEN %s THEN %s", c.cond, part(c))
		}
		b.WriteString(" END")
		return b.String()
	}
	quote := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	query = fmt.Sprintf(`INSERT INTO stg_rejected (file, line, column_name, value, rule, reason)
		SELECT $1, line, column_name, value, rule, reason FROM (
		SELECT s.line,
		%s AS rule,
		%s AS column_name,
		%s AS value,
		%s AS reason
		FROM stg_%s s
		%s)
		WHERE rule IS NOT NULL`,
		pick(func(c crossCheck) string { return quote(c.rule) }),
		pick(func(c crossCheck) string { return quote(c.column) }),
		pick(func(c crossCheck) string { return c.value }),
		pick(func(c crossCheck) string { return c.reason }),
		t.Name, strings.Join(joins, "\n\t\t"))
	return query, strings.Contains(query, "$2")
}

func prefixAll(prefix string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = prefix + n
	}
	return out
}

// stagingType is the column type of a staging table: what the Go parser
// hands the appender. The insert into the real table casts where they differ.
// An enum column is staged as a DuckDB ENUM of the contract's spellings,
// which the parser always returns: the appender then writes each value as
// a small number, in Go, instead of copying a string through a C call,
// and referrals have nine such columns.
func stagingType(c Column) string {
	switch c.Type {
	case TypeEnum:
		values := make([]string, len(c.Values))
		for i, v := range c.Values {
			values[i] = "'" + strings.ReplaceAll(v, "'", "''") + "'"
		}
		return "ENUM(" + strings.Join(values, ", ") + ")"
	case TypeInteger:
		return "BIGINT"
	case TypeDecimal:
		return "DOUBLE"
	case TypeDate:
		return "DATE"
	case TypeTime:
		return "TIME"
	case TypeYesNo:
		return "BOOLEAN"
	}
	return "VARCHAR"
}

// stagingDDL creates the temporary table that holds a file's valid rows,
// with the line each came from, until the cross-row checks have run.
func stagingDDL(t Table) string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE OR REPLACE TEMP TABLE stg_%s (line BIGINT NOT NULL", t.Name)
	for _, c := range t.Columns {
		fmt.Fprintf(&b, ", %s %s", c.Name, stagingType(c))
	}
	b.WriteString(")")
	return b.String()
}

// insertSQL moves a file's staged rows that broke no rule into its table.
// $1 is the quarter, $2 the file name.
func insertSQL(t Table) string {
	cols := strings.Join(t.ColumnNames(), ", ")
	return fmt.Sprintf(`INSERT INTO %s (quarter, %s)
		SELECT $1, %s FROM stg_%s s
		WHERE s.line NOT IN (SELECT line FROM stg_rejected WHERE file = $2)`, t.Name, cols, cols, t.Name)
}
