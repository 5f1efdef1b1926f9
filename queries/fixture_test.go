package queries

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/uptake-nhs/uptake/db"
)

// MustOpenDB returns an empty in-memory database with uptake's schema
// (package db's migrations).
func MustOpenDB(tb testing.TB) *sql.DB {
	tb.Helper()
	conn, err := db.Open(context.Background(), "")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { conn.Close() })
	return conn
}

// fixture builds a small, hand-made dataset row by row. Every helper fills
// sensible defaults so a test states only what its answer depends on.
type fixture struct {
	tb     testing.TB
	db     *sql.DB
	loadID int64
}

func newFixture(tb testing.TB) *fixture {
	return &fixture{tb: tb, db: MustOpenDB(tb)}
}

func (f *fixture) exec(q string, args ...any) {
	f.tb.Helper()
	if _, err := f.db.Exec(q, args...); err != nil {
		f.tb.Fatalf("%v\n%s", err, q)
	}
}

// quarterOf names the quarter a date (YYYY-MM-DD) falls in.
func quarterOf(date string) string {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		panic(err)
	}
	return d.Format("2006") + "Q" + string(rune('1'+(int(d.Month())-1)/3))
}

// loaded records a load of quarter q, which makes the data "as of" the end
// of the latest quarter recorded.
func (f *fixture) loaded(q string) {
	f.loadID++
	f.exec(`INSERT INTO loads VALUES (?, ?, 'referrals.csv', 'referrals', 'x', 0, 0, 'loaded', TIMESTAMP '2026-01-01')`, f.loadID, q)
}

// practice adds a practice to the snapshot of quarter q.
func (f *fixture) practice(q, code, name, pcn string, register int) {
	f.exec(`INSERT INTO practices (quarter, practice_code, practice_name, pcn, list_size, t2d_register) VALUES (?, ?, ?, ?, ?, ?)`, q, code, name, pcn, register*20, register)
}

// referral is one referral with defaults: a patient diagnosed two years
// ago, referred by a GP by letter, English, preferring weekday daytime.
type referral struct {
	ID, Patient, Practice, Date       string
	Referrer, Channel, PatientOrCarer string
	AgeBand, Sex, Ethnic, Language    string
	Years                             *float64
	IMD                               int
	PreferredMode, PreferredSlot      string
}

func years(y float64) *float64 { return &y }

func (f *fixture) referral(r referral) {
	f.tb.Helper()
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&r.Patient, "PX-"+r.ID)
	def(&r.Referrer, "GP")
	def(&r.Channel, "letter")
	def(&r.PatientOrCarer, "patient")
	def(&r.AgeBand, "60-69")
	def(&r.Sex, "female")
	def(&r.Ethnic, "White")
	def(&r.Language, "English")
	def(&r.PreferredMode, "face-to-face")
	def(&r.PreferredSlot, "weekday daytime")
	if r.Years == nil && r.PatientOrCarer == "patient" {
		r.Years = years(2)
	}
	if r.IMD == 0 {
		r.IMD = 3
	}
	f.exec(`INSERT INTO referrals VALUES (?, ?, ?, ?, CAST(? AS DATE), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		quarterOf(r.Date), r.ID, r.Patient, r.Practice, r.Date, r.Referrer, r.Channel, r.PatientOrCarer,
		r.AgeBand, r.Sex, r.Ethnic, r.Language, r.Years, r.IMD, r.PreferredMode, r.PreferredSlot)
}

// course is one course; venue "" makes it online.
type course struct {
	ID, Venue, Language, Weekday, Start, FirstDate, Status string
	Capacity, Sessions                                     int
}

func (f *fixture) course(c course) {
	f.tb.Helper()
	mode := "face-to-face"
	var venue any = c.Venue
	if c.Venue == "" {
		mode, venue = "online", nil
	}
	if c.Language == "" {
		c.Language = "English"
	}
	if c.Start == "" {
		c.Start = "10:00"
	}
	if c.Status == "" {
		c.Status = "ran"
	}
	if c.Capacity == 0 {
		c.Capacity = 14
	}
	if c.Sessions == 0 {
		c.Sessions = 7
	}
	if c.Weekday == "" {
		d, _ := time.Parse(time.DateOnly, c.FirstDate)
		c.Weekday = d.Weekday().String()
	}
	f.exec(`INSERT INTO courses VALUES (?, ?, ?, ?, ?, ?, CAST(? AS TIME), CAST(? AS DATE), ?, ?, ?)`,
		quarterOf(c.FirstDate), c.ID, venue, mode, c.Language, c.Weekday, c.Start, c.FirstDate, c.Sessions, c.Capacity, c.Status)
}

// venue adds a venue to the snapshot of quarter q.
func (f *fixture) venue(q, id, name string) {
	f.exec(`INSERT INTO venues VALUES (?, ?, ?, 'N7 6PA', 'Holloway', true)`, q, id, name)
}

// attend records sessions of a course for a referral, weekly from the
// course's first date: pattern "1101111" means present at sessions 1, 2,
// 4, 5, 6, 7 and absent at 3. A shorter pattern stops early.
func (f *fixture) attend(referralID, courseID, firstDate, pattern string) {
	f.tb.Helper()
	d, err := time.Parse(time.DateOnly, firstDate)
	if err != nil {
		f.tb.Fatal(err)
	}
	for i, ch := range pattern {
		day := d.AddDate(0, 0, 7*i).Format(time.DateOnly)
		f.exec(`INSERT INTO attendance VALUES (?, ?, ?, ?, CAST(? AS DATE), ?)`,
			quarterOf(day), referralID, courseID, i+1, day, ch == '1')
	}
}

// outcome records a provider outcome; notified "" means not yet notified.
func (f *fixture) outcome(referralID, outcome, date, notified string) {
	var n any
	if notified != "" {
		n = notified
	}
	f.exec(`INSERT INTO outcomes VALUES (?, ?, ?, CAST(? AS DATE), CAST(? AS DATE))`,
		quarterOf(date), referralID, outcome, date, n)
}

func (f *fixture) followup(referralID, date, by, result string) {
	f.exec(`INSERT INTO followups VALUES (?, ?, CAST(? AS DATE), ?, 'phone', ?)`, quarterOf(date), referralID, date, by, result)
}

func (f *fixture) gpCode(practice, patient, code, date string) {
	f.exec(`INSERT INTO gp_codes VALUES (?, ?, ?, ?, CAST(? AS DATE))`, quarterOf(date), practice, patient, code, date)
}

func (f *fixture) campaign(practice, date string, messages int) {
	f.exec(`INSERT INTO text_campaigns VALUES (?, ?, CAST(? AS DATE), ?)`, quarterOf(date), practice, date, messages)
}

// store opens a Store over the fixture with the given configuration
// (DefaultConfig with disclosure off unless the test says otherwise).
func (f *fixture) store(cfg ...Config) *Store {
	f.tb.Helper()
	c := DefaultConfig()
	c.Disclosure.Enabled = false
	if len(cfg) > 0 {
		c = cfg[0]
	}
	s, err := Open(context.Background(), f.db, c)
	if err != nil {
		f.tb.Fatal(err)
	}
	return s
}

// column reads one column of referral_facts for a referral, for tests of
// the shared definitions.
func (f *fixture) fact(referralID, column string) any {
	f.tb.Helper()
	var v any
	if strings.ContainsAny(column, " ;'\"") {
		f.tb.Fatalf("bad column name %q", column)
	}
	if err := f.db.QueryRow(`SELECT `+column+` FROM referral_facts WHERE referral_id = ?`, referralID).Scan(&v); err != nil {
		f.tb.Fatalf("fact %s of %s: %v", column, referralID, err)
	}
	return v
}
