package generate

import (
	"fmt"
	"slices"
	"strconv"
)

// badRow is a deliberately broken extra row. Bad rows are always additions:
// no real row is changed or left out, and nothing refers to a bad row, so a
// loader that rejects them loses nothing else.
type badRow struct {
	vals    []string
	column  string
	problem string
}

// badRowsPerQuarter is how many broken rows each quarter gets.
const badRowsPerQuarter = 5

// badMakers build one kind of broken row each, from the quarter's real rows;
// ok is false when the quarter has nothing to build it from. Each quarter
// takes the next few kinds in turn, so all kinds appear over eight quarters.
var badMakers = []func(g *gen, qi int, b *quarterBuf) (table string, row badRow, ok bool){
	badAttendanceSession8,
	badReferralImpossibleDate,
	badCodeUnknownPractice,
	badCourseCapacity,
	badFollowupDuplicate,
	badOutcomeUnknown,
	badCodeNHSNumber,
	badVenuePostcode,
	badCourseWeekday,
	badCampaignNoMessages,
	badReferralNoYears,
	badOutcomeNotifiedEarly,
}

func (g *gen) badRows(qi int, b *quarterBuf) map[string][]badRow {
	out := map[string][]badRow{}
	made := 0
	for k := 0; k < len(badMakers) && made < badRowsPerQuarter; k++ {
		table, row, ok := badMakers[(qi*badRowsPerQuarter+k)%len(badMakers)](g, qi, b)
		if ok {
			out[table] = append(out[table], row)
			made++
		}
	}
	return out
}

func newRow(table string, fill func(v []string) []string) []string {
	return fill(make([]string, len(columns[table])))
}

func badAttendanceSession8(g *gen, qi int, b *quarterBuf) (string, badRow, bool) {
	if len(b.attendance) == 0 {
		return "", badRow{}, false
	}
	v := newRow(tableAttendance, func(v []string) []string { return g.attendanceRow(b.attendance[0], v) })
	v[2] = "8"
	return tableAttendance, badRow{v, "session_number", "session 8 of a seven-session course"}, true
}

// freshReferral copies a real referral row under a referral id never used elsewhere.
func (g *gen) freshReferral(ref *referral) []string {
	v := newRow(tableReferrals, func(v []string) []string { return g.referralRow(ref, v) })
	v[0] = refID(g.nextRef)
	g.nextRef++
	return v
}

func badReferralImpossibleDate(g *gen, qi int, b *quarterBuf) (string, badRow, bool) {
	if len(b.referrals) == 0 {
		return "", badRow{}, false
	}
	v := g.freshReferral(&b.referrals[0])
	v[3] = fmt.Sprintf("31/02/%d", g.quarters[qi].year)
	return tableReferrals, badRow{v, "referral_date", "31 February does not exist"}, true
}

func (g *gen) unknownPracticeCode() string {
	for n := 99999; ; n-- {
		code := fmt.Sprintf("Y%05d", n)
		if !slices.ContainsFunc(g.practices, func(p practice) bool { return p.code == code }) {
			return code
		}
	}
}

func badCodeUnknownPractice(g *gen, qi int, b *quarterBuf) (string, badRow, bool) {
	patient := uint32(0)
	if len(b.codes) > 0 {
		patient = b.codes[0].patient
	}
	q := g.quarters[qi]
	v := []string{g.unknownPracticeCode(), g.patientID(patient), "9OLF", g.dates.ISO(q.start + 9)}
	return tableGPCodes, badRow{v, "practice_code", "no such practice in this quarter's practices"}, true
}

func badCourseCapacity(g *gen, qi int, b *quarterBuf) (string, badRow, bool) {
	cs := g.coursesByQuarter[qi]
	if len(cs) == 0 {
		return "", badRow{}, false
	}
	v := newRow(tableCourses, func(v []string) []string { return g.courseRow(&g.courses[cs[0]], v) })
	v[0] += "B"
	v[8] = "20"
	return tableCourses, badRow{v, "capacity", "capacity 20 is above 16"}, true
}

func badFollowupDuplicate(g *gen, qi int, b *quarterBuf) (string, badRow, bool) {
	if len(b.followups) == 0 {
		return "", badRow{}, false
	}
	f := b.followups[0]
	f.method = (f.method + 1) % uint8(len(methodValues))
	f.result = (f.result + 1) % uint8(len(resultValues))
	v := newRow(tableFollowups, func(v []string) []string { return g.followupRow(f, v) })
	return tableFollowups, badRow{v, "", "repeats the key of line 2 (referral, date, by)"}, true
}

func badOutcomeUnknown(g *gen, qi int, b *quarterBuf) (string, badRow, bool) {
	if len(b.referrals) == 0 {
		return "", badRow{}, false
	}
	ref := &b.referrals[0]
	// Real outcomes come at least three days after the referral, so this key is new.
	v := []string{refID(ref.id), "discharged", g.dates.ISO(ref.date), ""}
	return tableOutcomes, badRow{v, "outcome", "\"discharged\" is not an outcome"}, true
}

// nhsLikeNumber makes a ten-digit number with a valid NHS check digit in
// the 999 range, which NHS England reserves for testing.
func (g *gen) nhsLikeNumber() string {
	for {
		digits := []byte("999" + fmt.Sprintf("%06d", g.r.IntN(1000000)))
		sum := 0
		for i, c := range digits {
			sum += int(c-'0') * (10 - i)
		}
		check := 11 - sum%11
		if check == 11 {
			check = 0
		}
		if check != 10 {
			return string(digits) + strconv.Itoa(check)
		}
	}
}

func badCodeNHSNumber(g *gen, qi int, b *quarterBuf) (string, badRow, bool) {
	q := g.quarters[qi]
	p := &g.practices[g.practiceOrder[0]]
	v := []string{p.code, g.nhsLikeNumber(), "9NiA", g.dates.ISO(q.start + 30)}
	return tableGPCodes, badRow{v, "patient_id", "an NHS number, not a pseudonym"}, true
}

func badVenuePostcode(g *gen, qi int, b *quarterBuf) (string, badRow, bool) {
	id := "V99"
	if g.multiArea {
		id = "A000-V99"
	}
	v := []string{id, "Temporary Overflow Room", "N7 6P", g.venues[0].ward, "yes"}
	return tableVenues, badRow{v, "postcode", "\"N7 6P\" is not a postcode"}, true
}

func badCourseWeekday(g *gen, qi int, b *quarterBuf) (string, badRow, bool) {
	cs := g.coursesByQuarter[qi]
	if len(cs) == 0 {
		return "", badRow{}, false
	}
	c := &g.courses[cs[len(cs)-1]]
	v := newRow(tableCourses, func(v []string) []string { return g.courseRow(c, v) })
	v[0] += "W"
	v[4] = ((c.first.weekday() + 1) % 7).String()
	return tableCourses, badRow{v, "weekday", "weekday does not match first_session_date"}, true
}

func badCampaignNoMessages(g *gen, qi int, b *quarterBuf) (string, badRow, bool) {
	q := g.quarters[qi]
	pi := g.practiceOrder[0]
	d := q.start + 20
	for _, ci := range g.practices[pi].campaigns {
		if g.campaigns[ci].date == d {
			d++
		}
	}
	v := []string{g.practices[pi].code, g.dates.ISO(d), "0"}
	return tableTextCampaigns, badRow{v, "messages_sent", "a campaign sends at least one message"}, true
}

func badReferralNoYears(g *gen, qi int, b *quarterBuf) (string, badRow, bool) {
	if len(b.referrals) == 0 {
		return "", badRow{}, false
	}
	v := g.freshReferral(&b.referrals[len(b.referrals)-1])
	v[6], v[11] = "patient", ""
	return tableReferrals, badRow{v, "years_since_diagnosis", "missing for a patient (only carers may leave it empty)"}, true
}

func badOutcomeNotifiedEarly(g *gen, qi int, b *quarterBuf) (string, badRow, bool) {
	if len(b.referrals) == 0 || b.referrals[0].date >= g.quarters[qi].end {
		return "", badRow{}, false
	}
	ref := &b.referrals[0]
	v := []string{refID(ref.id), "declined", g.dates.ISO(ref.date + 1), g.dates.ISO(ref.date - 2)}
	return tableOutcomes, badRow{v, "practice_notified_date", "practice notified before the outcome"}, true
}
