package generate

import (
	"cmp"
	"slices"
	"time"
)

// Edge cases. The simulated borough is realistic but leaves some rules of
// docs/indicators.md untested: no first session falls on day 180, no
// course starts at 17:00, no register is out of date. So every run long
// enough to hold them (Options.EdgeCases) adds the same few scripted
// referrals, each sitting exactly on one boundary of a definition, so that
// getting any one definition wrong changes some figure of the sample
// (queries/sensitivity_test.go proves it). They are written after the
// simulated rows of each file and draw nothing from the random source, so
// the simulated rows are the same with or without them.
//
// Their referral ids start at R90000001, far above the simulated ones, and
// their patients are numbered apart; the manifest lists each with its
// practice and the case it stands for. They belong to the area's practice
// with the largest register, where a score of extra referrals moves its
// own figures least; one outcome is coded at the practice with the
// smallest register, whose latest register is set below the people it
// referred (a small register, so that keeping it in the borough's totals
// moves them little); three referrals on the edges of a text campaign's
// windows come from the practice that sent it.

// edgeRefBase and edgePatientBase number the edge cases' referrals and
// patients apart from the simulated ones (which count up from 0).
const (
	edgeRefBase     = 90_000_000
	edgePatientBase = 0xF000_0000
)

// Indexes into followupBy.
const followupByPractice, followupByProvider = 0, 1

// EdgeCase is one scripted referral of the manifest.
type EdgeCase struct {
	ReferralID   string `json:"referral_id"`
	PracticeCode string `json:"practice_code"`
	Case         string `json:"case"`
}

// edgeBuilder collects the edge cases' rows before they are known to fit
// the run.
type edgeBuilder struct {
	g           *gen
	bufs        []*quarterBuf
	courses     []course
	cases       []EdgeCase
	next        int32
	nextPatient uint32
	host, other int32 // practice indexes: the edge cases', and the stale register's
	fits        bool  // every date lies inside the run
}

// planEdgeCases scripts the edge cases (see above) relative to the last
// day of the run. It does nothing when the run is too short to hold them.
func (g *gen) planEdgeCases() {
	if !g.opts.EdgeCases {
		return
	}
	a := &g.areas[0]
	bySize := slices.Clone(a.practices) // largest register first; ties by code
	slices.SortFunc(bySize, func(x, y int32) int {
		px, py := &g.practices[x], &g.practices[y]
		return cmp.Or(cmp.Compare(py.register, px.register), cmp.Compare(px.code, py.code))
	})
	if len(bySize) < 2 || len(a.venues) == 0 {
		return
	}
	e := &edgeBuilder{g: g, bufs: make([]*quarterBuf, len(g.quarters)), next: edgeRefBase + 1,
		nextPatient: edgePatientBase, host: bySize[0], other: bySize[len(bySize)-1], fits: true}
	e.script()
	if !e.fits {
		return
	}
	for _, c := range e.courses {
		ci := int32(len(g.courses))
		g.courses = append(g.courses, c)
		g.coursesByQuarter[c.quarter] = append(g.coursesByQuarter[c.quarter], ci)
	}
	g.edge, g.edgeCases, g.stalePractice = e.bufs, e.cases, e.other
}

// script writes the cases. A is the last day of the run (the as-of date);
// the two courses run in the months before it.
func (e *edgeBuilder) script() {
	A := e.g.asOf
	// A weekday course starting at 17:00 (an evening course: 16:59 would be
	// daytime) and a Sunday course (weekend).
	evening := e.course("E1", onOrAfter(A-245, time.Tuesday), "17:00", slotEvening)
	sunday := e.course("E2", onOrAfter(A-210, time.Sunday), "10:30", slotWeekend)
	ev, su := e.courseAt(evening), e.courseAt(sunday)
	evLast, suLast := ev.first+42, su.first+42

	r := e.referral("first attended session on day 180 (converted); exactly 5 sessions (completed); coded on day 90 after notification (in time)",
		ev.first-180, func(r *referral) { r.slot = slotEvening })
	e.attend(r, evening, "1111100")
	n := e.outcome(r, outCompleted, evLast+5, evLast+9)
	e.code(e.host, r.patient, codeCompletedRead, n+90)

	r = e.referral("first attended session on day 181 (booked, not converted); coded on day 91 after notification (too late)",
		ev.first-181, func(r *referral) { r.slot = slotEvening })
	e.attend(r, evening, "1111111")
	n = e.outcome(r, outCompleted, evLast+5, evLast+9)
	e.code(e.host, r.patient, codeCompletedRead, n+91)

	r = e.referral("converted with exactly 4 sessions (not completed); outcome coded only at another practice (not coded)",
		ev.first-30, nil)
	e.attend(r, evening, "1111000")
	n = e.outcome(r, outAttended, evLast+5, evLast+9)
	e.code(e.other, r.patient, codeAttendedRead, n+10)

	r = e.referral("two courses: 2 sessions of one started on day 167, then 6 of one started on day 200 (converted, not completed); a matching code dated before the referral (not coded)",
		su.first-200, nil)
	e.attend(r, evening, "1100000")
	e.attend(r, sunday, "1111110")
	e.outcome(r, outCompleted, suLast+4, suLast+7)
	e.code(e.host, r.patient, codeCompletedRead, r.date-30)

	r = e.referral("diagnosed 4 years ago, ruled ineligible by the provider (not eligible); the ineligible outcome notified (not a coding task)",
		A-300, func(r *referral) { r.years = 40 })
	e.outcome(r, outIneligible, r.date+12, r.date+15)

	e.referral("diagnosed 0.2 years ago, not ruled ineligible (not eligible: under three months)",
		A-290, func(r *referral) { r.years = 2 })

	r = e.referral("first non-attendance outcome never notified, a later one notified and followed up (not yet notified)",
		su.first-40, nil)
	e.attend(r, sunday, "00")
	e.outcome(r, outDNA, su.first+11, noDay)
	n = e.outcome(r, outNoResponse, su.first+41, su.first+42)
	e.followup(r, n+3, followupByPractice, resNoContact)

	r = e.referral("practice and provider follow up on the same first day (the practice is credited)", A-260, nil)
	n = e.outcome(r, outDeclined, r.date+20, r.date+22)
	e.followup(r, n+6, followupByProvider, resNoContact) // stored first on purpose
	e.followup(r, n+6, followupByPractice, resRebooked)

	r = e.referral("followed up only before the non-attendance outcome (not followed up; on the work list); coded 9OLM, another category (not coded)",
		ev.first-25, nil)
	e.attend(r, evening, "00")
	n = e.outcome(r, outDNA, ev.first+11, ev.first+14)
	e.followup(r, ev.first+2, followupByPractice, resNoContact)
	e.code(e.host, r.patient, codeDeclinedRead, n+5)

	r = e.referral("followed up on the outcome day, before the practice was notified (counts); notified 90 days before the as-of date (coding due on the last day)",
		A-135, nil)
	e.outcome(r, outDeclined, A-95, A-90)
	e.followup(r, A-95, followupByProvider, resDeclined)

	r = e.referral("followed up on day 28 after notification (in time)", A-250, nil)
	n = e.outcome(r, outNoResponse, r.date+30, r.date+36)
	e.followup(r, n+28, followupByPractice, resNoContact)

	r = e.referral("followed up on day 29 after notification (too late)", A-249, nil)
	n = e.outcome(r, outNoResponse, r.date+30, r.date+36)
	e.followup(r, n+29, followupByPractice, resNoContact)

	r = e.referral("non-attender notified 28 days before the as-of date (due on the last day)", A-70, nil)
	e.outcome(r, outDeclined, A-31, A-28)

	r = e.referral("two non-attendance outcomes, followed up after the first (followed up: the first counts); absent after it (not re-engaged)",
		su.first-60, nil)
	n = e.outcome(r, outDeclined, r.date+10, r.date+12)
	e.followup(r, n+5, followupByPractice, resRebooked)
	e.attend(r, sunday, "00")
	e.outcome(r, outDNA, su.first+10, su.first+12)

	r = e.referral("prefers weekday evening, first course starts on day 90 (demand met)",
		ev.first-90, func(r *referral) { r.slot = slotEvening })
	e.attend(r, evening, "1111111")
	e.outcome(r, outCompleted, evLast+6, evLast+10)

	r = e.referral("prefers weekend, first course starts on day 91 (demand unmet)",
		su.first-91, func(r *referral) { r.slot = slotWeekend })
	e.attend(r, sunday, "1111011")
	e.outcome(r, outCompleted, suLast+5, suLast+8)

	e.referral("prefers weekday evening, referred 90 days before the as-of date, not booked (unmet-demand window closed on the last day)",
		A-90, func(r *referral) { r.slot = slotEvening })

	e.referral("referred 180 days before the as-of date, not booked (conversion window closed on the last day)",
		A-180, nil)

	// The edges of a text campaign's two 56-day windows, at the practice
	// that sent the first campaign whose windows lie inside the run.
	if c := e.campaign(); c != nil {
		for _, w := range []struct {
			offset day
			what   string
		}{
			{-56, "referred 56 days before a text campaign (first day of its before window)"},
			{0, "referred on the day a text campaign was sent (counted after it)"},
			{55, "referred 55 days after a text campaign (last day of its after window)"},
		} {
			e.referral(w.what, c.date+w.offset, func(r *referral) { r.practice = c.practice })
		}
	}
}

// campaign is the earliest campaign in the host's area whose before and
// after windows lie inside the run, or nil.
func (e *edgeBuilder) campaign() *campaign {
	g := e.g
	var first *campaign
	for i := range g.campaigns {
		c := &g.campaigns[i]
		if g.practices[c.practice].area != g.practices[e.host].area || c.date-56 < g.first || c.date+55 > g.asOf {
			continue
		}
		if first == nil || c.date < first.date || (c.date == first.date && c.practice < first.practice) {
			first = c
		}
	}
	return first
}

// onOrAfter is the first day on or after d that falls on wd.
func onOrAfter(d day, wd time.Weekday) day {
	return d + day((int(wd)-int(d.weekday())+7)%7)
}

// course adds an edge course in the host's area, at its first venue, and
// returns its index in gen.courses once committed.
func (e *edgeBuilder) course(suffix string, first day, start string, slot uint8) int32 {
	g := e.g
	qi := g.quarterOf(first)
	if qi < 0 || first+42 > g.asOf {
		e.fits = false
		qi = 0
	}
	area := g.practices[e.host].area
	c := course{
		id: "DSMP-" + g.quarters[qi].name + "-" + suffix, area: area, venue: g.areas[area].venues[0],
		slot: slot, start: start, first: first, capacity: 12, quarter: int32(qi),
	}
	if g.multiArea {
		c.id = "DSMP-" + g.quarters[qi].name + "-A000-" + suffix
	}
	e.courses = append(e.courses, c)
	return int32(len(g.courses) + len(e.courses) - 1)
}

func (e *edgeBuilder) courseAt(ci int32) *course { return &e.courses[int(ci)-len(e.g.courses)] }

// buf is the edge rows of the quarter holding d.
func (e *edgeBuilder) buf(d day) *quarterBuf {
	qi := e.g.quarterOf(d)
	if qi < 0 {
		e.fits = false
		return &quarterBuf{} // thrown away
	}
	if e.bufs[qi] == nil {
		e.bufs[qi] = &quarterBuf{}
	}
	return e.bufs[qi]
}

// referral adds a referral from the host practice on day d: a patient
// diagnosed two years ago, aged 60-69, referred by a GP, preferring
// weekday daytime face-to-face courses in English, unless set changes it.
func (e *edgeBuilder) referral(what string, d day, set func(*referral)) *referral {
	r := referral{
		id: e.next, date: d, practice: e.host, patient: e.nextPatient, years: 20,
		referrer: refGP, channel: chanEReferral, age: 3, sex: 0, eth: 3, imd: 2, mode: modeF2F, slot: slotDay,
	}
	e.next++
	e.nextPatient++
	if set != nil {
		set(&r)
	}
	b := e.buf(d)
	b.referrals = append(b.referrals, r)
	e.cases = append(e.cases, EdgeCase{ReferralID: refID(r.id), PracticeCode: e.g.practices[r.practice].code, Case: what})
	return &r
}

// attend writes the referral's rows for course ci, weekly from its first
// session: pattern "1100000" is present at sessions 1 and 2 only.
func (e *edgeBuilder) attend(r *referral, ci int32, pattern string) {
	c := e.courseAt(ci)
	for k, ch := range pattern {
		d := c.first + day(7*k)
		b := e.buf(d)
		b.attendance = append(b.attendance, attRow{ref: r.id, course: ci, date: d, session: uint8(k + 1), attended: ch == '1'})
	}
}

// outcome writes a provider outcome; notified is noDay when the practice
// is never told. It returns notified.
func (e *edgeBuilder) outcome(r *referral, o uint8, date, notified day) day {
	if notified > e.g.asOf {
		e.fits = false
	}
	b := e.buf(date)
	b.outcomes = append(b.outcomes, outRow{ref: r.id, date: date, notified: notified, outcome: o})
	return notified
}

func (e *edgeBuilder) followup(r *referral, d day, by, result uint8) {
	b := e.buf(d)
	b.followups = append(b.followups, fuRow{ref: r.id, date: d, by: by, method: 0, result: result})
}

// code writes a GP code as practice pi records it (SNOMED CT or Read, with
// its trailing dots), like the simulated codes.
func (e *edgeBuilder) code(pi int32, patient uint32, code uint8, d day) {
	p := &e.g.practices[pi]
	if p.snomed {
		code++
	}
	b := e.buf(d)
	b.codes = append(b.codes, codeRow{practice: pi, patient: patient, date: d, code: code, dotted: p.dots && isReadCode(code)})
}
