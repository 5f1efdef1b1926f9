package generate

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// wantHeaders is the data contract v1 column list, typed out again from
// sample-data/README.md.
var wantHeaders = map[string]string{
	"practices":      "practice_code,practice_name,pcn,list_size,t2d_register,imd_quintile",
	"venues":         "venue_id,venue_name,postcode,ward,step_free",
	"courses":        "course_id,venue_id,mode,language,weekday,start_time,first_session_date,sessions_planned,capacity,status",
	"referrals":      "referral_id,patient_id,practice_code,referral_date,referrer,channel,patient_or_carer,age_band,sex,ethnic_group,language,years_since_diagnosis,imd_quintile,preferred_mode,preferred_slot",
	"attendance":     "referral_id,course_id,session_number,session_date,attended",
	"outcomes":       "referral_id,outcome,outcome_date,practice_notified_date",
	"followups":      "referral_id,followup_date,followup_by,method,result",
	"gp_codes":       "practice_code,patient_id,code,code_date",
	"text_campaigns": "practice_code,date_sent,messages_sent",
}

var loadOrder = []string{"practices", "venues", "courses", "referrals", "attendance", "outcomes", "followups", "gp_codes", "text_campaigns"}

var (
	odsRe      = regexp.MustCompile(`^[A-Z][0-9]{5}$`)
	postcodeRe = regexp.MustCompile(`^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$`)
	timeRe     = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
	languageRe = regexp.MustCompile(`^[A-Za-z][A-Za-z -]*$`)
	yearsRe    = regexp.MustCompile(`^[0-9]{1,2}\.[0-9]$`)
	readRe     = regexp.MustCompile(`^[0-9A-Za-z]{2,5}$`)
	snomedRe   = regexp.MustCompile(`^[0-9]{6,18}$`)
	tenDigits  = regexp.MustCompile(`^[0-9]{10}$`)
)

func oneOf(v string, options ...string) bool {
	return slices.ContainsFunc(options, func(o string) bool { return strings.EqualFold(o, v) })
}

// looksLikeNHSNumber applies the modulus 11 check.
func looksLikeNHSNumber(s string) bool {
	s = strings.ReplaceAll(s, " ", "")
	if !tenDigits.MatchString(s) {
		return false
	}
	sum := 0
	for i := range 9 {
		sum += int(s[i]-'0') * (10 - i)
	}
	check := 11 - sum%11
	if check == 11 {
		check = 0
	}
	return check != 10 && check == int(s[9]-'0')
}

func parseYesNo(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "yes", "y", "true", "1":
		return true, true
	case "no", "n", "false", "0":
		return false, true
	}
	return false, false
}

// loaded is what a correct loader holds after some quarters.
type loaded struct {
	referralDate map[string]time.Time
	referral     map[string]record
	course       map[string]record
	courseFirst  map[string]time.Time
	keys         map[string]bool // table + key, across quarters where the key is global
	// accepted rows by table, with their quarter
	rows map[string][]acceptedRow
}

type acceptedRow struct {
	quarter string
	record
}

// validate checks every row of every quarter in load order and returns the
// accepted rows and the rejected lines ("2026Q3/gp_codes.xlsx:57" -> reason).
func validate(t testing.TB, qs []quarterData) (*loaded, map[string]string) {
	t.Helper()
	st := &loaded{
		referralDate: map[string]time.Time{}, referral: map[string]record{},
		course: map[string]record{}, courseFirst: map[string]time.Time{},
		keys: map[string]bool{}, rows: map[string][]acceptedRow{},
	}
	rejected := map[string]string{}
	for _, q := range qs {
		qStart, qEnd := quarterBounds(q.name)
		practices := map[string]bool{}
		venues := map[string]bool{}
		quarterKeys := map[string]bool{}
		for _, table := range loadOrder {
			fd := q.files[table]
			got := slices.Clone(fd.header)
			want := strings.Split(wantHeaders[table], ",")
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("%s/%s: header %v, want the columns %v", q.name, fd.name, fd.header, want)
			}
			for _, rec := range fd.records {
				f := rec.fields
				var problem string
				inQuarter := func(col string) (time.Time, bool) {
					d, ok := parseDate(f[col])
					if !ok {
						problem = col + ": not a date"
						return d, false
					}
					if d.Before(qStart) || d.After(qEnd) {
						problem = col + ": outside the quarter"
						return d, false
					}
					return d, true
				}
				key := ""
				switch table {
				case "practices":
					list, err1 := strconv.Atoi(f["list_size"])
					reg, err2 := strconv.Atoi(f["t2d_register"])
					switch {
					case !odsRe.MatchString(f["practice_code"]):
						problem = "practice_code"
					case f["practice_name"] == "" || f["pcn"] == "":
						problem = "empty name or pcn"
					case err1 != nil || list < 1:
						problem = "list_size"
					case err2 != nil || reg < 0 || reg > list:
						problem = "t2d_register"
					}
					key = "practices/" + q.name + "/" + f["practice_code"]
				case "venues":
					_, yn := parseYesNo(f["step_free"])
					switch {
					case f["venue_id"] == "" || f["venue_name"] == "" || f["ward"] == "":
						problem = "empty"
					case !postcodeRe.MatchString(f["postcode"]):
						problem = "postcode"
					case !yn:
						problem = "step_free"
					}
					key = "venues/" + q.name + "/" + f["venue_id"]
				case "courses":
					first, ok := inQuarter("first_session_date")
					planned, err1 := strconv.Atoi(f["sessions_planned"])
					capacity, err2 := strconv.Atoi(f["capacity"])
					online := strings.EqualFold(f["mode"], "online")
					switch {
					case !ok:
					case f["course_id"] == "":
						problem = "course_id"
					case !oneOf(f["mode"], "face-to-face", "online"):
						problem = "mode"
					case online != (f["venue_id"] == ""):
						problem = "venue_id empty iff online"
					case !online && !venues[f["venue_id"]]:
						problem = "unknown venue"
					case !languageRe.MatchString(f["language"]):
						problem = "language"
					case !strings.EqualFold(f["weekday"], first.Weekday().String()):
						problem = "weekday"
					case !timeRe.MatchString(f["start_time"]):
						problem = "start_time"
					case err1 != nil || planned < 1 || planned > 7:
						problem = "sessions_planned"
					case err2 != nil || capacity < 12 || capacity > 16:
						problem = "capacity"
					case !oneOf(f["status"], "ran", "cancelled"):
						problem = "status"
					}
					key = "courses/" + f["course_id"]
				case "referrals":
					_, ok := inQuarter("referral_date")
					years := f["years_since_diagnosis"]
					yv, yerr := strconv.ParseFloat(years, 64)
					imd, ierr := strconv.Atoi(f["imd_quintile"])
					switch {
					case !ok:
					case f["referral_id"] == "":
						problem = "referral_id"
					case f["patient_id"] == "" || looksLikeNHSNumber(f["patient_id"]):
						problem = "patient_id"
					case !practices[f["practice_code"]]:
						problem = "unknown practice"
					case !oneOf(f["referrer"], "GP", "nurse", "self", "other"):
						problem = "referrer"
					case !oneOf(f["channel"], "letter", "e-referral", "phone", "email", "text message"):
						problem = "channel"
					case !oneOf(f["patient_or_carer"], "patient", "carer"):
						problem = "patient_or_carer"
					case !oneOf(f["age_band"], "18-39", "40-49", "50-59", "60-69", "70-79", "80+"):
						problem = "age_band"
					case !oneOf(f["sex"], "female", "male", "other", "not stated"):
						problem = "sex"
					case !oneOf(f["ethnic_group"], "Asian", "Black", "Mixed", "White", "Other", "Not stated"):
						problem = "ethnic_group"
					case !languageRe.MatchString(f["language"]):
						problem = "language"
					case years == "" && !strings.EqualFold(f["patient_or_carer"], "carer"):
						problem = "years_since_diagnosis empty for a patient"
					case years != "" && (yerr != nil || !yearsRe.MatchString(years) || yv < 0 || yv > 80):
						problem = "years_since_diagnosis"
					case ierr != nil || imd < 1 || imd > 5:
						problem = "imd_quintile"
					case !oneOf(f["preferred_mode"], "face-to-face", "online", "no preference"):
						problem = "preferred_mode"
					case !oneOf(f["preferred_slot"], "weekday daytime", "weekday evening", "weekend", "no preference"):
						problem = "preferred_slot"
					}
					key = "referrals/" + f["referral_id"]
				case "attendance":
					d, ok := inQuarter("session_date")
					n, err := strconv.Atoi(f["session_number"])
					_, yn := parseYesNo(f["attended"])
					refDate, refOK := st.referralDate[f["referral_id"]]
					first, courseOK := st.courseFirst[f["course_id"]]
					switch {
					case !ok:
					case !refOK:
						problem = "unknown referral"
					case !courseOK:
						problem = "unknown course"
					case err != nil || n < 1 || n > 7 || n > must(strconv.Atoi(st.course[f["course_id"]].fields["sessions_planned"])):
						problem = "session_number"
					case d.Before(refDate) || d.Before(first):
						problem = "session before referral or course"
					case !yn:
						problem = "attended"
					}
					key = "attendance/" + f["referral_id"] + "/" + f["course_id"] + "/" + f["session_number"]
				case "outcomes":
					d, ok := inQuarter("outcome_date")
					refDate, refOK := st.referralDate[f["referral_id"]]
					switch {
					case !ok:
					case !refOK:
						problem = "unknown referral"
					case !oneOf(f["outcome"], "completed", "attended", "did not attend", "declined", "no response", "ineligible"):
						problem = "outcome"
					case d.Before(refDate):
						problem = "outcome before referral"
					case f["practice_notified_date"] != "":
						if nd, ok := parseDate(f["practice_notified_date"]); !ok || nd.Before(d) {
							problem = "practice_notified_date"
						}
					}
					key = "outcomes/" + f["referral_id"] + "/" + d.Format("2006-01-02")
				case "followups":
					d, ok := inQuarter("followup_date")
					refDate, refOK := st.referralDate[f["referral_id"]]
					switch {
					case !ok:
					case !refOK:
						problem = "unknown referral"
					case d.Before(refDate):
						problem = "follow-up before referral"
					case !oneOf(f["followup_by"], "practice", "provider"):
						problem = "followup_by"
					case !oneOf(f["method"], "phone", "text", "letter", "in person"):
						problem = "method"
					case !oneOf(f["result"], "rebooked", "declined", "no contact"):
						problem = "result"
					}
					key = "followups/" + f["referral_id"] + "/" + d.Format("2006-01-02") + "/" + strings.ToLower(f["followup_by"])
				case "gp_codes":
					d, ok := inQuarter("code_date")
					code := strings.TrimRight(f["code"], ".")
					isRead := readRe.MatchString(code) && strings.ContainsAny(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
					switch {
					case !ok:
					case !practices[f["practice_code"]]:
						problem = "unknown practice"
					case f["patient_id"] == "" || looksLikeNHSNumber(f["patient_id"]):
						problem = "patient_id"
					case !isRead && !snomedRe.MatchString(code):
						problem = "code"
					}
					key = "gp_codes/" + f["practice_code"] + "/" + f["patient_id"] + "/" + code + "/" + d.Format("2006-01-02")
				case "text_campaigns":
					d, ok := inQuarter("date_sent")
					n, err := strconv.Atoi(f["messages_sent"])
					switch {
					case !ok:
					case !practices[f["practice_code"]]:
						problem = "unknown practice"
					case err != nil || n < 1:
						problem = "messages_sent"
					}
					key = "text_campaigns/" + f["practice_code"] + "/" + d.Format("2006-01-02")
				}
				if problem == "" {
					global := table == "courses" || table == "referrals"
					seen := quarterKeys[key]
					if global {
						seen = st.keys[key]
					}
					if seen {
						problem = "duplicate key " + key
					}
				}
				where := fmt.Sprintf("%s/%s:%d", q.name, fd.name, rec.line)
				if problem != "" {
					rejected[where] = problem
					continue
				}
				quarterKeys[key] = true
				st.keys[key] = true
				st.rows[table] = append(st.rows[table], acceptedRow{q.name, rec})
				switch table {
				case "practices":
					practices[f["practice_code"]] = true
				case "venues":
					venues[f["venue_id"]] = true
				case "courses":
					st.course[f["course_id"]] = rec
					st.courseFirst[f["course_id"]], _ = parseDate(f["first_session_date"])
				case "referrals":
					st.referral[f["referral_id"]] = rec
					st.referralDate[f["referral_id"]], _ = parseDate(f["referral_date"])
				}
			}
		}
	}
	return st, rejected
}
