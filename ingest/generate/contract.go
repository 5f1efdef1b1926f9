package generate

// The column order of every file, copied from the data contract v2
// (sample-data/README.md). Package ingest owns the contract in code; this
// package keeps its own copy on purpose so that the generator never depends
// on the code it exists to test.

// Table names, in the order a quarter is written and listed in the manifest.
const (
	tablePractices     = "practices"
	tableVenues        = "venues"
	tableCourses       = "courses"
	tableReferrals     = "referrals"
	tableAttendance    = "attendance"
	tableOutcomes      = "outcomes"
	tableFollowups     = "followups"
	tableGPCodes       = "gp_codes"
	tableTextCampaigns = "text_campaigns"
)

// tableOrder is the order in which files are written and listed.
var tableOrder = []string{
	tablePractices, tableVenues, tableCourses, tableReferrals, tableAttendance,
	tableOutcomes, tableFollowups, tableGPCodes, tableTextCampaigns,
}

// columns holds each file's header, in the order the contract lists it.
var columns = map[string][]string{
	tablePractices: {"practice_code", "practice_name", "pcn", "list_size", "t2d_register", "imd_quintile"},
	tableVenues:    {"venue_id", "venue_name", "postcode", "ward", "step_free"},
	tableCourses: {"course_id", "venue_id", "mode", "language", "weekday", "start_time",
		"first_session_date", "sessions_planned", "capacity", "status"},
	tableReferrals: {"referral_id", "patient_id", "practice_code", "referral_date", "referrer",
		"channel", "patient_or_carer", "age_band", "sex", "ethnic_group", "language",
		"years_since_diagnosis", "imd_quintile", "preferred_mode", "preferred_slot"},
	tableAttendance:    {"referral_id", "course_id", "session_number", "session_date", "attended"},
	tableOutcomes:      {"referral_id", "outcome", "outcome_date", "practice_notified_date"},
	tableFollowups:     {"referral_id", "followup_date", "followup_by", "method", "result"},
	tableGPCodes:       {"practice_code", "patient_id", "code", "code_date"},
	tableTextCampaigns: {"practice_code", "date_sent", "messages_sent"},
}

// dateColumns marks, per table, the columns holding dates; writers that
// change how dates look (UK text, spreadsheet date cells) use it.
var dateColumns = map[string][]bool{}

func init() {
	isDate := map[string]bool{
		"first_session_date": true, "referral_date": true, "session_date": true,
		"outcome_date": true, "practice_notified_date": true, "followup_date": true,
		"code_date": true, "date_sent": true,
	}
	for table, cols := range columns {
		marks := make([]bool, len(cols))
		for i, c := range cols {
			marks[i] = isDate[c]
		}
		dateColumns[table] = marks
	}
}

// Enumerations, written exactly as the contract spells them. The uint8
// codes used in the simulation index these slices.
var (
	referrerValues = []string{"GP", "nurse", "self", "other"}
	channelValues  = []string{"letter", "e-referral", "phone", "email", "text message"}
	carerValues    = []string{"patient", "carer"}
	ageBandValues  = []string{"18-39", "40-49", "50-59", "60-69", "70-79", "80+"}
	sexValues      = []string{"female", "male", "other", "not stated"}
	ethnicValues   = []string{"Asian", "Black", "Mixed", "White", "Other", "Not stated"}
	modeValues     = []string{"face-to-face", "online", "no preference"}
	slotValues     = []string{"weekday daytime", "weekday evening", "weekend", "no preference"}
	outcomeValues  = []string{"completed", "attended", "did not attend", "declined", "no response", "ineligible"}
	followupBy     = []string{"practice", "provider"}
	methodValues   = []string{"phone", "text", "letter", "in person"}
	resultValues   = []string{"rebooked", "declined", "no contact"}
)

// Indexes into the enumerations above, named where the simulation branches on them.
const (
	refGP, refNurse, refSelf, refOther = 0, 1, 2, 3

	chanLetter, chanEReferral, chanPhone, chanEmail, chanText = 0, 1, 2, 3, 4

	modeF2F, modeOnline, modeAny = 0, 1, 2

	slotDay, slotEvening, slotWeekend, slotAny = 0, 1, 2, 3

	outCompleted, outAttended, outDNA, outDeclined, outNoResponse, outIneligible = 0, 1, 2, 3, 4, 5

	resRebooked, resDeclined, resNoContact = 0, 1, 2
)

// GP codes. Index order matters only inside this package.
var codeValues = []string{
	"8Hj0", "8Hj4", "415270003", // referred to structured education (8Hj4: DESMOND)
	"9OLB", "413597006", // attended (some sessions)
	"9OLF", "755491000000100", // completed
	"9NiA", "306861000000107", // did not attend
	"9OLM", "306591000000103", // declined / no response
}

const (
	codeReferredRead, codeDESMONDRead, codeReferredSNOMED = 0, 1, 2
	codeAttendedRead, codeAttendedSNOMED                  = 3, 4
	codeCompletedRead, codeCompletedSNOMED                = 5, 6
	codeDNARead, codeDNASNOMED                            = 7, 8
	codeDeclinedRead, codeDeclinedSNOMED                  = 9, 10
)

// isReadCode reports whether code index c is a Read v2 code (these may be
// written with trailing dots, as some practice systems pad them to five characters).
func isReadCode(c uint8) bool {
	s := codeValues[c]
	return len(s) == 4
}
