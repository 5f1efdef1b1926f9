package queries

import (
	"context"
	"database/sql"
	"fmt"
)

// SessionRetention answers "once people start a course, do they keep
// coming?": of the starters, the share present at each session 1-7.
//
// Starters are the funnel's "started" stage: eligible referrals that
// attended at least one session within ConversionWindowDays of referral.
// A person booked on several courses counts once, on the first course they
// attended a session of (earliest attended session; a course they were
// booked on but never attended does not count).
//
// The denominator of each session is the starters whose course had held
// that session by the as-of date, so a course still running (or planned
// with fewer than seven sessions) is not mistaken for drop-out. Session 1
// can be below 100%: people who missed session 1 but came to session 2
// have started.
type SessionRetention struct {
	Filter Filter `json:"filter"`
	AsOf   string `json:"as_of"`
	// Starters is how many people started a course.
	Starters Count `json:"starters"`
	// Sessions holds sessions 1 to 7 in order.
	Sessions   []SessionPresence `json:"sessions"`
	Disclosure Disclosure        `json:"disclosure"`
}

// SessionPresence is attendance at one session number. Present.Numerator
// is the starters present at it; Present.Denominator the starters whose
// course had held it.
type SessionPresence struct {
	Session int        `json:"session"`
	Present Proportion `json:"present"`
}

// SessionRetention returns the share of starters present at each session.
// The SQL is sql/SessionRetention.sql.
func (s *Store) SessionRetention(ctx context.Context, f Filter) (SessionRetention, error) {
	return remember(ctx, s, "SessionRetention", f, s.computeSessionRetention)
}

// computeSessionRetention works SessionRetention out from the database.
func (s *Store) computeSessionRetention(ctx context.Context, f Filter) (SessionRetention, error) {
	if err := s.CheckFilter(ctx, f); err != nil {
		return SessionRetention{}, err
	}
	asOf, err := s.dataAsOf(ctx)
	if err != nil {
		return SessionRetention{}, err
	}
	out := SessionRetention{Filter: f, AsOf: asOf, Sessions: []SessionPresence{}}
	d := s.newDiscloser(f)
	var starters int64
	err = s.forEachRow(ctx, query("SessionRetention"), f.args(), func(rows *sql.Rows) error {
		var p SessionPresence
		var held, present int64
		if err := rows.Scan(&p.Session, &starters, &held, &present); err != nil {
			return err
		}
		p.Present = d.proportion(present, held)
		out.Sessions = append(out.Sessions, p)
		return nil
	})
	if err != nil {
		return SessionRetention{}, fmt.Errorf("session retention: %w", err)
	}
	out.Starters = d.count(starters)
	out.Disclosure = d.note()
	return out, nil
}
