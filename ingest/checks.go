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
// query selects (line, value, reason) for each staged row breaking the rule,
// at most one row per line. $4 is the quarter being loaded ($1-$3 belong to
// the statement that records the rejections). By the time a
// check runs, the quarter's old rows are deleted and the tables it depends
// on hold this load's accepted rows, so "the referrals table" means exactly
// "this load's referrals plus other quarters' referrals".
type crossCheck struct {
	rule   string
	column string
	query  string
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
	checks := []crossCheck{{
		rule: "duplicate_key", column: strings.Join(t.Key, ", "),
		query: fmt.Sprintf(`SELECT s.line, %s AS value,
			'Line ' || f.first_line || ' has the same %s; the first row is kept.' AS reason
			FROM %s s JOIN (SELECT %s, min(line) AS first_line FROM %s GROUP BY ALL) f USING (%s)
			WHERE s.line > f.first_line`, keyValue, keyWords, stg, keyList, stg, keyList),
	}}
	if t.Kind == Event {
		checks = append(checks, crossCheck{
			rule: "key_in_other_quarter", column: strings.Join(t.Key, ", "),
			query: fmt.Sprintf(`SELECT s.line, %s AS value,
				'A row with the same %s was loaded with quarter ' || d.quarter || '; a row belongs to one quarter, so correct that quarter''s file instead.' AS reason
				FROM %s s JOIN %s d USING (%s)`, keyValue, keyWords, stg, t.Name, keyList),
		})
	}
	practice := crossCheck{
		rule: "unknown_practice", column: "practice_code",
		query: `SELECT s.line, s.practice_code AS value,
			'Practice ' || s.practice_code || ' is not in this quarter''s practices file.' AS reason
			FROM ` + stg + ` s
			WHERE NOT EXISTS (SELECT 1 FROM practices p WHERE p.quarter = $4 AND p.practice_code = s.practice_code)`,
	}
	referral := crossCheck{
		rule: "unknown_referral", column: "referral_id",
		query: `SELECT s.line, s.referral_id AS value,
			'This referral_id is not in this quarter''s referrals nor in a quarter loaded before.' AS reason
			FROM ` + stg + ` s
			WHERE NOT EXISTS (SELECT 1 FROM referrals r WHERE r.referral_id = s.referral_id)`,
	}
	beforeReferral := func(dateCol string) crossCheck {
		return crossCheck{
			rule: "before_referral", column: dateCol,
			query: `SELECT s.line, strftime(s.` + dateCol + `, '%Y-%m-%d') AS value,
				'The ` + dateCol + ` ' || strftime(s.` + dateCol + `, '%Y-%m-%d') || ' is before the referral date ' || strftime(r.referral_date, '%Y-%m-%d') || '.' AS reason
				FROM ` + stg + ` s JOIN referrals r USING (referral_id)
				WHERE s.` + dateCol + ` < r.referral_date`,
		}
	}
	switch t.Name {
	case "courses":
		checks = append(checks, crossCheck{
			rule: "unknown_venue", column: "venue_id",
			query: `SELECT s.line, s.venue_id AS value,
				'Venue ' || s.venue_id || ' is not in this quarter''s venues file.' AS reason
				FROM stg_courses s
				WHERE s.venue_id IS NOT NULL
				AND NOT EXISTS (SELECT 1 FROM venues v WHERE v.quarter = $4 AND v.venue_id = s.venue_id)`,
		})
	case "referrals", "gp_codes", "text_campaigns":
		checks = append(checks, practice)
	case "attendance":
		checks = append(checks, referral, crossCheck{
			rule: "unknown_course", column: "course_id",
			query: `SELECT s.line, s.course_id AS value,
				'Course ' || s.course_id || ' is not in this quarter''s courses nor in a quarter loaded before.' AS reason
				FROM stg_attendance s
				WHERE NOT EXISTS (SELECT 1 FROM courses c WHERE c.course_id = s.course_id)`,
		}, crossCheck{
			rule: "session_above_planned", column: "session_number",
			query: `SELECT s.line, CAST(s.session_number AS VARCHAR) AS value,
				'Session ' || s.session_number || ' is above the ' || c.sessions_planned || ' sessions planned for course ' || s.course_id || '.' AS reason
				FROM stg_attendance s JOIN courses c USING (course_id)
				WHERE s.session_number > c.sessions_planned`,
		}, beforeReferral("session_date"), crossCheck{
			rule: "before_course_start", column: "session_date",
			query: `SELECT s.line, strftime(s.session_date, '%Y-%m-%d') AS value,
				'The session_date ' || strftime(s.session_date, '%Y-%m-%d') || ' is before course ' || s.course_id || ' starts on ' || strftime(c.first_session_date, '%Y-%m-%d') || '.' AS reason
				FROM stg_attendance s JOIN courses c USING (course_id)
				WHERE s.session_date < c.first_session_date`,
		})
	case "outcomes":
		checks = append(checks, referral, beforeReferral("outcome_date"))
	case "followups":
		checks = append(checks, referral, beforeReferral("followup_date"))
	}
	return checks
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
func stagingType(c Column) string {
	switch c.Type {
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
