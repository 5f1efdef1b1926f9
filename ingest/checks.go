package ingest

import (
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
	keyValue := "concat_ws(' / ', " + strings.Join(prefixAll("s.", t.Key), ", ") + ")"
	keyWords := strings.Join(t.Key, ", ")
	if n := len(t.Key); n > 1 {
		keyWords = strings.Join(t.Key[:n-1], ", ") + " and " + t.Key[n-1]
	}
	firstLine := checkJoin{"f", duplicateKeysJoin(t, "f")}
	checks := []crossCheck{{
		rule: "duplicate_key", column: strings.Join(t.Key, ", "), joins: []checkJoin{firstLine},
		cond:   "s.line > f.first_line",
		value:  keyValue,
		reason: "'Line ' || f.first_line || ' has the same " + keyWords + "; the first row is kept.'",
	}}
	if t.Kind == Event {
		checks = append(checks, crossCheck{
			rule: "key_in_other_quarter", column: strings.Join(t.Key, ", "),
			joins:  []checkJoin{{"d", loadedKeysJoin(t, "d")}},
			cond:   "d.quarter IS NOT NULL",
			value:  keyValue,
			reason: "'A row with the same " + keyWords + " was loaded with quarter ' || d.quarter || '; a row belongs to one quarter, so correct that quarter''s file instead.'",
		})
	}
	// Only the referrals this file names: a hash table of those is far
	// smaller than one of every referral loaded.
	referrals := checkJoin{"r", `LEFT JOIN (SELECT referral_id, referral_date FROM referrals
		WHERE referral_id IN (SELECT referral_id FROM stg_` + t.Name + `)) r ON r.referral_id = s.referral_id`}
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

func prefixAll(prefix string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = prefix + n
	}
	return out
}
