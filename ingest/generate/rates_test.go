package generate

import (
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rates are headline figures computed straight from the generated rows, the
// way the indicators define them (domain brief), to check the synthetic
// borough behaves like the real service.
type rates struct {
	referralsPerRegisterYear      float64
	eligible, matureEligible      int
	conversion, completion        float64 // of mature eligible referrals (180-day window)
	medianDaysToFirst             float64
	retention                     [7]float64 // share of starters present at each session
	selfShare, carerShare         float64
	secondLanguageShare           float64
	onlinePreference              float64
	slotShare                     map[string]float64
	eveningWeekendWanted          int // eligible referrals preferring evening or weekend
	eveningWeekendPlaces          int // places on courses that ran in those slots
	coursesPerQuarter             float64
	codingCompleteness            float64 // notified outcomes with a matching GP code within 90 days
	gpToProviderAttendance        float64 // people coded as attended in GP records / people attending per provider
	followupWithin28              float64
	reengaged                     float64 // non-attenders who later attended
	campaignBefore, campaignAfter int     // referrals 6 weeks before/after campaigns, summed
	campaignsLifted, campaigns    int
}

func computeRates(t testing.TB, st *loaded, asOf time.Time, quarters int) rates {
	t.Helper()
	var r rates
	date := func(s string) time.Time { return must(parseDateErr(s)) }

	// Registers: the average over quarters of the borough total.
	registerSum := 0
	for _, row := range st.rows["practices"] {
		registerSum += must(strconv.Atoi(row.fields["t2d_register"]))
	}
	avgRegister := float64(registerSum) / float64(quarters)

	type refInfo struct {
		date              time.Time
		eligible          bool
		practice, patient string
		attended          []time.Time
		sessionsAttended  int
		nonAttendedOn     time.Time
	}
	refs := map[string]*refInfo{}
	patients := map[string]bool{}
	slots := map[string]int{}
	self, carers, lang2, online := 0, 0, 0, 0
	for _, row := range st.rows["referrals"] {
		f := row.fields
		years, err := strconv.ParseFloat(f["years_since_diagnosis"], 64)
		eligible := f["patient_or_carer"] == "carer" || (err == nil && years >= 0.25)
		refs[f["referral_id"]] = &refInfo{date: date(f["referral_date"]), eligible: eligible, practice: f["practice_code"], patient: f["patient_id"]}
		patients[f["practice_code"]+"/"+f["patient_id"]] = true
		slots[f["preferred_slot"]]++
		if f["referrer"] == "self" {
			self++
		}
		if f["patient_or_carer"] == "carer" {
			carers++
		}
		if f["language"] != "English" {
			lang2++
		}
		if f["preferred_mode"] == "online" {
			online++
		}
		if eligible {
			r.eligible++
			if f["preferred_slot"] == "weekday evening" || f["preferred_slot"] == "weekend" {
				r.eveningWeekendWanted++
			}
		}
	}
	n := float64(len(st.rows["referrals"]))
	r.referralsPerRegisterYear = float64(len(patients)) / avgRegister / (float64(quarters) / 4)
	r.selfShare, r.carerShare = float64(self)/n, float64(carers)/n
	r.secondLanguageShare, r.onlinePreference = float64(lang2)/n, float64(online)/n
	r.slotShare = map[string]float64{}
	for k, v := range slots {
		r.slotShare[k] = float64(v) / n
	}

	// Attendance per referral and per session.
	sessionPresent := map[string]map[int]bool{} // referral/course -> sessions attended
	for _, row := range st.rows["attendance"] {
		f := row.fields
		if f["attended"] != "yes" {
			continue
		}
		ri := refs[f["referral_id"]]
		ri.attended = append(ri.attended, date(f["session_date"]))
		ri.sessionsAttended++
		k := f["referral_id"] + "/" + f["course_id"]
		if sessionPresent[k] == nil {
			sessionPresent[k] = map[int]bool{}
		}
		sessionPresent[k][must(strconv.Atoi(f["session_number"]))] = true
	}
	var present [7]int
	for _, s := range sessionPresent {
		for k := range 7 {
			if s[k+1] {
				present[k]++
			}
		}
	}
	for k := range 7 {
		r.retention[k] = float64(present[k]) / float64(len(sessionPresent))
	}

	converted, completed := 0, 0
	var waits []float64
	for _, ri := range refs {
		if !ri.eligible || asOf.Sub(ri.date) < 180*24*time.Hour {
			continue
		}
		r.matureEligible++
		slices.SortFunc(ri.attended, func(a, b time.Time) int { return a.Compare(b) })
		if len(ri.attended) > 0 && ri.attended[0].Sub(ri.date) <= 180*24*time.Hour {
			converted++
			waits = append(waits, ri.attended[0].Sub(ri.date).Hours()/24)
		}
		if ri.sessionsAttended >= 5 {
			completed++
		}
	}
	r.conversion = float64(converted) / float64(r.matureEligible)
	r.completion = float64(completed) / float64(r.matureEligible)
	sort.Float64s(waits)
	if len(waits) > 0 {
		r.medianDaysToFirst = waits[len(waits)/2]
	}

	// Places in evening and weekend slots, on courses that ran.
	for _, row := range st.rows["courses"] {
		f := row.fields
		if f["status"] != "ran" {
			continue
		}
		weekend := f["weekday"] == "Saturday" || f["weekday"] == "Sunday"
		if weekend || f["start_time"] >= "17:00" {
			r.eveningWeekendPlaces += must(strconv.Atoi(f["capacity"]))
		}
	}
	r.coursesPerQuarter = float64(len(st.rows["courses"])) / float64(quarters)

	// Coding completeness: outcomes notified at least 90 days before the end.
	codes := map[string][]struct {
		code string
		date time.Time
	}{}
	gpAttended := map[string]bool{}
	for _, row := range st.rows["gp_codes"] {
		f := row.fields
		k := f["practice_code"] + "/" + f["patient_id"]
		code := strings.TrimRight(f["code"], ".")
		codes[k] = append(codes[k], struct {
			code string
			date time.Time
		}{code, date(f["code_date"])})
		if oneOf(code, "9OLB", "9OLF", "413597006", "755491000000100") {
			gpAttended[k] = true
		}
	}
	wantCodes := map[string][]string{
		"completed":      {"9OLB", "9OLF", "413597006", "755491000000100"},
		"attended":       {"9OLB", "9OLF", "413597006", "755491000000100"},
		"did not attend": {"9NiA", "306861000000107"},
		"declined":       {"9OLM", "306591000000103"},
		"no response":    {"9OLM", "306591000000103"},
	}
	notified, matched := 0, 0
	nonAttenders, followed28, reengaged := 0, 0, 0
	followups := map[string][]time.Time{}
	for _, row := range st.rows["followups"] {
		followups[row.fields["referral_id"]] = append(followups[row.fields["referral_id"]], date(row.fields["followup_date"]))
	}
	for _, row := range st.rows["outcomes"] {
		f := row.fields
		want := wantCodes[f["outcome"]]
		if want == nil || f["practice_notified_date"] == "" {
			continue
		}
		nd := date(f["practice_notified_date"])
		ri := refs[f["referral_id"]]
		if asOf.Sub(nd) >= 90*24*time.Hour {
			notified++
			for _, c := range codes[ri.practice+"/"+ri.patient] {
				if slices.Contains(want, c.code) && !c.date.Before(nd) && c.date.Sub(nd) <= 90*24*time.Hour {
					matched++
					break
				}
			}
		}
		if f["outcome"] == "completed" || f["outcome"] == "attended" || asOf.Sub(nd) < 28*24*time.Hour {
			continue
		}
		nonAttenders++
		for _, fd := range followups[f["referral_id"]] {
			if !fd.Before(nd) && fd.Sub(nd) <= 28*24*time.Hour {
				followed28++
				break
			}
		}
		od := date(f["outcome_date"])
		for _, a := range ri.attended {
			if a.After(od) {
				reengaged++
				break
			}
		}
	}
	r.codingCompleteness = float64(matched) / float64(notified)
	r.followupWithin28 = float64(followed28) / float64(nonAttenders)
	r.reengaged = float64(reengaged) / float64(nonAttenders)
	attendingPatients := map[string]bool{}
	for _, ri := range refs {
		if len(ri.attended) > 0 {
			attendingPatients[ri.practice+"/"+ri.patient] = true
		}
	}
	r.gpToProviderAttendance = float64(len(gpAttended)) / float64(len(attendingPatients))

	// Campaigns: referrals from the practice in the six weeks after against the six before.
	byPractice := map[string][]time.Time{}
	for _, ri := range refs {
		byPractice[ri.practice] = append(byPractice[ri.practice], ri.date)
	}
	for _, row := range st.rows["text_campaigns"] {
		sent := date(row.fields["date_sent"])
		before, after := 0, 0
		for _, d := range byPractice[row.fields["practice_code"]] {
			days := d.Sub(sent).Hours() / 24
			switch {
			case days >= -42 && days < 0:
				before++
			case days > 0 && days <= 42:
				after++
			}
		}
		r.campaigns++
		r.campaignBefore += before
		r.campaignAfter += after
		if after > before {
			r.campaignsLifted++
		}
	}
	return r
}

func parseDateErr(s string) (time.Time, error) {
	if d, ok := parseDate(s); ok {
		return d, nil
	}
	return time.Time{}, strconv.ErrSyntax
}

// TestRealisticRates checks the default sample against what the service
// and the research describe.
func TestRealisticRates(t *testing.T) {
	opts := DefaultOptions()
	dir, m := generateInto(t, opts)
	st, _ := validate(t, readAll(t, dir, m))
	asOf := must(parseDateErr(m.AsOf))
	r := computeRates(t, st, asOf, opts.Quarters)
	t.Logf("%+v", r)

	within := func(name string, v, lo, hi float64) {
		t.Helper()
		if math.IsNaN(v) || v < lo || v > hi {
			t.Errorf("%s = %.3f, want %.2f to %.2f", name, v, lo, hi)
		}
	}
	within("referrals per register per year", r.referralsPerRegisterYear, 0.07, 0.13)
	within("conversion", r.conversion, 0.40, 0.70)
	within("completion", r.completion, 0.28, 0.45)
	within("median days to first session", r.medianDaysToFirst, 30, 60)
	within("self-referral share", r.selfShare, 0.10, 0.22)
	within("carer share", r.carerShare, 0.02, 0.08)
	within("second-language share", r.secondLanguageShare, 0.08, 0.20)
	within("online preference", r.onlinePreference, 0.18, 0.32)
	within("weekday daytime preference", r.slotShare["weekday daytime"], 0.42, 0.58)
	within("courses per quarter", r.coursesPerQuarter, 13, 19)
	within("coding completeness", r.codingCompleteness, 0.12, 0.35)
	within("GP-recorded / provider-recorded attenders", r.gpToProviderAttendance, 0.1, 0.4)
	within("follow-up within 28 days", r.followupWithin28, 0.05, 0.35)
	within("re-engagement", r.reengaged, 0.01, 0.15)
	for k := 1; k < 7; k++ {
		if r.retention[k] > r.retention[k-1]+0.02 {
			t.Errorf("retention rises from session %d to %d: %v", k, k+1, r.retention)
		}
	}
	within("retention at session 7", r.retention[6], 0.45, 0.85)
	if r.eveningWeekendWanted <= r.eveningWeekendPlaces {
		t.Errorf("%d eligible referrals want evening or weekend courses and %d such places ran; want demand above supply",
			r.eveningWeekendWanted, r.eveningWeekendPlaces)
	}
	if r.campaigns < 5 || r.campaignAfter <= r.campaignBefore || r.campaignsLifted*3 < r.campaigns*2 {
		t.Errorf("campaigns: %d, %d lifted; referrals 6 weeks before %d, after %d",
			r.campaigns, r.campaignsLifted, r.campaignBefore, r.campaignAfter)
	}
}
