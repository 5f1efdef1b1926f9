package ingest

import (
	"database/sql/driver"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// maxValueChars bounds the offending value kept with a rejected row.
const maxValueChars = 200

// fieldError is why one value, or one row, breaks a rule.
type fieldError struct {
	column string // "" for the whole row
	value  string
	rule   string
	reason string
}

// quarter is a calendar quarter such as 2026Q2, with its first and last day.
type quarter struct {
	name       string
	first, end time.Time // end is the day after the last
}

// parseQuarter reads a folder name such as 2026Q2.
func parseQuarter(name string) (quarter, bool) {
	if len(name) != 6 || name[4] != 'Q' || name[5] < '1' || name[5] > '4' {
		return quarter{}, false
	}
	year, err := strconv.Atoi(name[:4])
	if err != nil || name[0] == '+' || name[0] == '-' || year < 1900 {
		return quarter{}, false
	}
	q := int(name[5] - '0')
	first := time.Date(year, time.Month(3*q-2), 1, 0, 0, 0, 0, time.UTC)
	return quarter{name: name, first: first, end: first.AddDate(0, 3, 0)}, true
}

func (q quarter) contains(d time.Time) bool { return !d.Before(q.first) && d.Before(q.end) }

// rowParser turns the text fields of one file's rows into typed values ready
// for the staging table, or says which rule the row breaks.
type rowParser struct {
	table    Table
	quarter  quarter
	xlsx     bool
	date1904 bool
	enums    []map[string]string // per column: normalised spelling -> stored spelling
	// exact holds, per enum column, each stored spelling mapped to the
	// value its normalised form gives, so that a value written exactly as
	// the contract spells it (nearly all) is found without normalising it.
	exact   []map[string]driver.Value
	dateCol int
	// dates remembers the dates parsed so far (a quarter has few distinct
	// ones), so that each is parsed, and boxed as a driver.Value, once.
	dates  map[string]driver.Value
	values []driver.Value
	// dated counts the rows whose quarter date was read, and outside
	// those dated in each other quarter, for the wrong-folder check
	// (RejectionCeiling).
	dated   int64
	outside map[string]int64
}

// maxCachedDates bounds rowParser.dates.
const maxCachedDates = 4096

func newRowParser(t Table, q quarter, xlsx, date1904 bool) *rowParser {
	p := &rowParser{table: t, quarter: q, xlsx: xlsx, date1904: date1904, dateCol: -1}
	p.enums = make([]map[string]string, len(t.Columns))
	p.exact = make([]map[string]driver.Value, len(t.Columns))
	p.dates = map[string]driver.Value{}
	for i, c := range t.Columns {
		if c.Type == TypeEnum {
			m := make(map[string]string, len(c.Values))
			for _, v := range c.Values {
				m[normaliseEnum(v)] = v
			}
			p.enums[i] = m
			ex := make(map[string]driver.Value, len(c.Values))
			for _, v := range c.Values {
				ex[v] = m[normaliseEnum(v)]
			}
			p.exact[i] = ex
		}
	}
	if t.DateColumn != "" {
		_, p.dateCol = t.Column(t.DateColumn)
	}
	// values[0] is the line number; the columns follow in contract order.
	p.values = make([]driver.Value, len(t.Columns)+1)
	return p
}

// parse validates one row whose fields are already in contract order. The
// returned slice is reused by the next call.
func (p *rowParser) parse(line int64, fields []string) ([]driver.Value, *fieldError) {
	p.values[0] = line
	for i, c := range p.table.Columns {
		v, fe := p.parseValue(c, fields[i], i)
		if fe != nil {
			fe.column = c.Name
			if fe.value == "" {
				fe.value = fields[i]
			}
			return nil, fe
		}
		p.values[i+1] = v
	}
	if fe := p.rowRules(fields); fe != nil {
		return nil, fe
	}
	return p.values, nil
}

func (p *rowParser) parseValue(c Column, raw string, i int) (driver.Value, *fieldError) {
	s := strings.TrimSpace(raw)
	if s == "" {
		if c.Optional {
			return nil, nil
		}
		return nil, &fieldError{rule: "missing_value", reason: fmt.Sprintf("%s is empty; every row needs a value here.", c.Name)}
	}
	switch c.Type {
	case TypeText:
		return s, nil
	case TypeInteger:
		n, ok := parseInteger(s, p.xlsx)
		if !ok {
			return nil, &fieldError{rule: "bad_integer", reason: fmt.Sprintf("%q is not a whole number.", s)}
		}
		if c.Range != nil && (n < c.Range.Min || n > c.Range.Max) {
			return nil, &fieldError{rule: "out_of_range", reason: rangeReason(c, s)}
		}
		return n, nil
	case TypeDecimal:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, &fieldError{rule: "bad_decimal", reason: fmt.Sprintf("%q is not a number.", s)}
		}
		// Tolerate binary noise from spreadsheets (2.2000000000000002)
		// but not a second decimal place someone typed.
		tenths := math.Round(f * 10)
		if math.Abs(f*10-tenths) > 1e-6 {
			return nil, &fieldError{rule: "bad_decimal", reason: fmt.Sprintf("%q has more than one decimal place.", s)}
		}
		f = tenths / 10
		if c.Range != nil && (f < float64(c.Range.Min) || f > float64(c.Range.Max)) {
			return nil, &fieldError{rule: "out_of_range", reason: rangeReason(c, s)}
		}
		return f, nil
	case TypeDate:
		v, ok := p.dates[s]
		if !ok {
			d, ok := parseDate(s)
			if !ok && p.xlsx {
				d, ok = excelSerialDate(s, p.date1904)
			}
			if !ok {
				return nil, &fieldError{rule: "bad_date", reason: fmt.Sprintf("%q is not a real date; write dates as 2026-04-07 or 07/04/2026.", s)}
			}
			v = d
			if len(p.dates) < maxCachedDates {
				// A copy: s points into the whole line, which may be long.
				p.dates[strings.Clone(s)] = v
			}
		}
		if i == p.dateCol {
			p.dated++
		}
		if d := v.(time.Time); i == p.dateCol && !p.quarter.contains(d) {
			if p.outside == nil {
				p.outside = map[string]int64{}
			}
			p.outside[fmt.Sprintf("%dQ%d", d.Year(), (int(d.Month())+2)/3)]++
			return nil, &fieldError{rule: "outside_quarter", reason: fmt.Sprintf("%s is outside %s (%s to %s); a row belongs in the folder of the quarter its %s falls in.",
				d.Format("2006-01-02"), p.quarter.name, p.quarter.first.Format("2 January 2006"), p.quarter.end.AddDate(0, 0, -1).Format("2 January 2006"), c.Name)}
		}
		return v, nil
	case TypeTime:
		t, ok := parseClock(s)
		if !ok && p.xlsx {
			t, ok = excelSerialClock(s)
		}
		if !ok {
			return nil, &fieldError{rule: "bad_time", reason: fmt.Sprintf("%q is not a time of day; write times as HH:MM, e.g. 18:30 (6:30 PM and 18:30:00 are read too).", s)}
		}
		return t, nil
	case TypeYesNo:
		switch strings.ToLower(s) {
		case "yes", "y", "true", "1":
			return true, nil
		case "no", "n", "false", "0":
			return false, nil
		}
		return nil, &fieldError{rule: "bad_yes_no", reason: fmt.Sprintf("%q is not yes or no.", s)}
	case TypeEnum:
		if v, ok := p.exact[i][s]; ok {
			return v, nil
		}
		if v, ok := p.enums[i][normaliseEnum(s)]; ok {
			return v, nil
		}
		return nil, &fieldError{rule: "bad_enum", reason: fmt.Sprintf("%q is not one of: %s.", s, strings.Join(c.Values, ", "))}
	case TypeODSCode:
		u := strings.ToUpper(s)
		if !isODSCode(u) {
			return nil, &fieldError{rule: "bad_ods_code", reason: fmt.Sprintf("%q is not a practice ODS code (one letter and five digits, e.g. F83004).", s)}
		}
		return u, nil
	case TypePostcode:
		pc, ok := normalisePostcode(s)
		if !ok {
			return nil, &fieldError{rule: "bad_postcode", reason: fmt.Sprintf("%q does not look like a UK postcode (e.g. N7 6PA).", s)}
		}
		return pc, nil
	case TypePseudonym:
		if looksLikeNHSNumber(s) {
			// The reason never repeats the value: it may be a real NHS number.
			return nil, &fieldError{rule: "nhs_number", reason: c.Name + " looks like an NHS number (10 digits with a valid check digit); send the pseudonymised id instead."}
		}
		return s, nil
	case TypeLanguage:
		if !isLanguageName(s) {
			return nil, &fieldError{rule: "bad_language", reason: fmt.Sprintf("%q is not a language name (letters, spaces and hyphens only).", s)}
		}
		return s, nil
	case TypeClinicalCode:
		code, ok := normaliseClinicalCode(s)
		if !ok {
			return nil, &fieldError{rule: "bad_clinical_code", reason: fmt.Sprintf("%q is neither a Read v2 code (e.g. 9OLF) nor a SNOMED CT id (6-18 digits).", s)}
		}
		return code, nil
	}
	return nil, &fieldError{rule: "internal", reason: "column type " + string(c.Type) + " has no parser"}
}

// rowRules checks the rules that span columns of one row; the values are
// already parsed and valid on their own.
func (p *rowParser) rowRules(fields []string) *fieldError {
	val := func(name string) (driver.Value, string) {
		_, i := p.table.Column(name)
		return p.values[i+1], strings.TrimSpace(fields[i])
	}
	switch p.table.Name {
	case "practices":
		list, _ := val("list_size")
		reg, raw := val("t2d_register")
		if reg.(int64) > list.(int64) {
			return &fieldError{column: "t2d_register", value: raw, rule: "register_above_list_size",
				reason: fmt.Sprintf("The type 2 diabetes register (%d) is larger than the list size (%d).", reg, list)}
		}
	case "courses":
		mode, _ := val("mode")
		venue, rawVenue := val("venue_id")
		switch {
		case mode == "online" && venue != nil:
			return &fieldError{column: "venue_id", value: rawVenue, rule: "venue_mode_mismatch", reason: "An online course has no venue; leave venue_id empty or set mode to face-to-face."}
		case mode != "online" && venue == nil:
			return &fieldError{column: "venue_id", value: "", rule: "venue_mode_mismatch", reason: "A face-to-face course needs a venue_id."}
		}
		day, rawDay := val("weekday")
		first, _ := val("first_session_date")
		if actual := first.(time.Time).Weekday().String(); actual != day {
			return &fieldError{column: "weekday", value: rawDay, rule: "weekday_mismatch",
				reason: fmt.Sprintf("The first session date %s is a %s, not a %s.", first.(time.Time).Format("2006-01-02"), actual, day)}
		}
	case "referrals":
		years, _ := val("years_since_diagnosis")
		who, _ := val("patient_or_carer")
		if years == nil && who == "patient" {
			return &fieldError{column: "years_since_diagnosis", value: "", rule: "years_missing_for_patient",
				reason: "years_since_diagnosis may be empty only for carers; this referral is for a patient."}
		}
	case "outcomes":
		outcome, _ := val("outcome_date")
		notified, raw := val("practice_notified_date")
		if notified != nil && notified.(time.Time).Before(outcome.(time.Time)) {
			return &fieldError{column: "practice_notified_date", value: raw, rule: "notified_before_outcome",
				reason: fmt.Sprintf("The practice cannot be notified (%s) before the outcome (%s).", notified.(time.Time).Format("2006-01-02"), outcome.(time.Time).Format("2006-01-02"))}
		}
	}
	return nil
}

func rangeReason(c Column, s string) string {
	if c.Range.Max == noMax {
		return fmt.Sprintf("%s is %s; it must be at least %d.", c.Name, s, c.Range.Min)
	}
	return fmt.Sprintf("%s is %s; it must be between %d and %d.", c.Name, s, c.Range.Min, c.Range.Max)
}

// normaliseEnum folds case and runs of spaces so that "Face-To-Face" and
// "no  preference" match their contract spelling.
func normaliseEnum(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// parseInteger reads a whole number. It accepts thousands separators (Excel
// writes them into CSV when the cell is so formatted), a zero fraction
// such as 12.0 or 14.00 (pandas writes a column of whole numbers with gaps
// as floats, and spreadsheets show a set number of decimals) and, from
// XLSX, any number stored as a whole one. A fraction that is not zero,
// such as 2.5, is not a whole number.
func parseInteger(s string, xlsx bool) (int64, bool) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	if whole, frac, ok := strings.Cut(s, "."); ok && whole != "" && frac != "" && strings.Trim(frac, "0") == "" {
		s = whole
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n, true
		}
	}
	if strings.Contains(s, ",") && isThousands(s) {
		n, err := strconv.ParseInt(strings.ReplaceAll(s, ",", ""), 10, 64)
		return n, err == nil
	}
	if xlsx {
		if f, err := strconv.ParseFloat(s, 64); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			return int64(f), true
		}
	}
	return 0, false
}

// isThousands reports whether s is digits grouped in threes by commas, like 12,345.
func isThousands(s string) bool {
	groups := strings.Split(s, ",")
	if len(groups[0]) == 0 || len(groups[0]) > 3 {
		return false
	}
	for i, g := range groups {
		if (i > 0 && len(g) != 3) || !allDigits(g) {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func atoiDigits(s string) (int, bool) {
	if !allDigits(s) {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// parseDate reads 2026-04-07 or 07/04/2026 (also 7/4/2026) and refuses
// dates that do not exist, such as 31/02/2026.
func parseDate(s string) (time.Time, bool) {
	var y, m, d int
	var ok1, ok2, ok3 bool
	if len(s) == 10 && s[4] == '-' && s[7] == '-' {
		y, ok1 = atoiDigits(s[:4])
		m, ok2 = atoiDigits(s[5:7])
		d, ok3 = atoiDigits(s[8:])
	} else if parts := strings.Split(s, "/"); len(parts) == 3 && len(parts[2]) == 4 && len(parts[0]) <= 2 && len(parts[1]) <= 2 {
		d, ok1 = atoiDigits(parts[0])
		m, ok2 = atoiDigits(parts[1])
		y, ok3 = atoiDigits(parts[2])
	} else {
		return time.Time{}, false
	}
	if !ok1 || !ok2 || !ok3 || y < 1900 || m < 1 || m > 12 || d < 1 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d { // time.Date normalised an impossible day into the next month
		return time.Time{}, false
	}
	return t, true
}

// excelSerialDate reads a date cell of an XLSX sheet, which arrives as the
// number of days since Excel's epoch. Serials below 61 are refused: they
// are January and February 1900, where Excel's calendar has a day that
// never was (29 February 1900) and excelize's conversion is a day out, and
// no date of an extract is that old.
func excelSerialDate(s string, date1904 bool) (time.Time, bool) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || !(f >= 61 && f <= 2958465) { // 2958465 is 9999-12-31; NaN is neither
		return time.Time{}, false
	}
	t, err := excelize.ExcelDateToTime(math.Floor(f), date1904)
	if err != nil {
		return time.Time{}, false
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), true
}

// clock returns a time of day in the form the database driver stores as TIME.
func clock(h, m int) time.Time { return time.Date(1970, 1, 1, h, m, 0, 0, time.UTC) }

// parseClock reads a time of day as people's spreadsheets write it:
// 24-hour HH:MM or H:MM, with or without seconds (HH:MM:SS, as
// LibreOffice and pandas write a time), or on the 12-hour clock with AM or
// PM (h:mm AM, hh:mm:ss PM, as Excel and LibreOffice write times in an
// en-US locale), in any case, with or without a space before it. Times are
// kept to the minute: seconds, which no course timetable uses, are
// dropped.
func parseClock(s string) (time.Time, bool) {
	half := 0 // 0: a 24-hour time; 1: AM; 2: PM
	if n := len(s); n > 2 {
		switch strings.ToUpper(s[n-2:]) {
		case "AM":
			half = 1
		case "PM":
			half = 2
		}
		if half != 0 {
			s = strings.TrimSuffix(s[:n-2], " ")
		}
	}
	parts := strings.Split(s, ":")
	if len(parts) == 3 {
		sec, ok := atoiDigits(parts[2])
		if !ok || len(parts[2]) != 2 || sec > 59 {
			return time.Time{}, false
		}
		parts = parts[:2]
	}
	if len(parts) != 2 || len(parts[0]) < 1 || len(parts[0]) > 2 || len(parts[1]) != 2 {
		return time.Time{}, false
	}
	h, ok1 := atoiDigits(parts[0])
	m, ok2 := atoiDigits(parts[1])
	if !ok1 || !ok2 || h > 23 || m > 59 {
		return time.Time{}, false
	}
	if half != 0 {
		if h < 1 || h > 12 {
			return time.Time{}, false
		}
		h %= 12 // 12:30 AM is half past midnight
		if half == 2 {
			h += 12
		}
	}
	return clock(h, m), true
}

// excelSerialClock reads a time cell of an XLSX sheet: a fraction of a day.
func excelSerialClock(s string) (time.Time, bool) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || !(f >= 0 && f < 2958466) { // NaN is neither
		return time.Time{}, false
	}
	minutes := int(math.Round((f - math.Floor(f)) * 24 * 60))
	if minutes == 24*60 {
		minutes = 0
	}
	return clock(minutes/60, minutes%60), true
}

func isODSCode(s string) bool {
	return len(s) == 6 && s[0] >= 'A' && s[0] <= 'Z' && allDigits(s[1:])
}

// normalisePostcode checks the shape of a UK postcode (outward code of 2-4
// characters, inward code of a digit and two letters) and returns it in
// capitals with one space, so that one venue is not two.
func normalisePostcode(s string) (string, bool) {
	pc := strings.ToUpper(strings.ReplaceAll(s, " ", ""))
	if len(pc) < 5 || len(pc) > 7 {
		return "", false
	}
	out, in := pc[:len(pc)-3], pc[len(pc)-3:]
	isLetter := func(b byte) bool { return b >= 'A' && b <= 'Z' }
	isDigit := func(b byte) bool { return b >= '0' && b <= '9' }
	if !isDigit(in[0]) || !isLetter(in[1]) || !isLetter(in[2]) {
		return "", false
	}
	// Outward: A9, A99, AA9, AA99, A9A, AA9A.
	if !isLetter(out[0]) {
		return "", false
	}
	rest := out[1:]
	if isLetter(rest[0]) {
		rest = rest[1:]
	}
	if len(rest) == 0 || !isDigit(rest[0]) {
		return "", false
	}
	rest = rest[1:]
	if len(rest) > 1 || (len(rest) == 1 && !isDigit(rest[0]) && !isLetter(rest[0])) {
		return "", false
	}
	return out + " " + in, true
}

// looksLikeNHSNumber reports whether s is ten digits (spaces and hyphens
// ignored) whose tenth digit is the NHS modulus-11 check digit of the first
// nine. A pseudonym that happens to pass is refused too: it cannot be told
// apart, and the cost of storing a real NHS number is far higher.
func looksLikeNHSNumber(s string) bool {
	var digits [10]int
	n := 0
	for i := 0; i < len(s); i++ {
		switch b := s[i]; {
		case b >= '0' && b <= '9':
			if n == 10 {
				return false
			}
			digits[n] = int(b - '0')
			n++
		case b == ' ' || b == '-':
		default:
			return false
		}
	}
	if n != 10 {
		return false
	}
	sum := 0
	for i := 0; i < 9; i++ {
		sum += digits[i] * (10 - i)
	}
	check := 11 - sum%11
	if check == 11 {
		check = 0
	}
	return check != 10 && check == digits[9]
}

func isLanguageName(s string) bool {
	letters := 0
	for _, r := range s {
		switch {
		case unicode.IsLetter(r):
			letters++
		case r == ' ' || r == '-':
		default:
			return false
		}
	}
	return letters > 0
}

// normaliseClinicalCode accepts a Read v2 code (up to five letters and
// digits, trailing dots removed, case kept because Read codes are case
// sensitive) or a SNOMED CT concept id (6-18 digits).
func normaliseClinicalCode(s string) (string, bool) {
	code := strings.TrimRight(s, ".")
	if code == "" {
		return "", false
	}
	if allDigits(code) && len(code) >= 6 {
		return code, len(code) <= 18
	}
	if len(s) > 5 || len(code) > 5 {
		return "", false
	}
	for i := 0; i < len(code); i++ {
		b := code[i]
		if !(b >= '0' && b <= '9' || b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z') {
			return "", false
		}
	}
	return code, true
}

// truncateValue cuts a value to maxValueChars characters for rejected_rows.
func truncateValue(s string) string {
	if utf8.RuneCountInString(s) <= maxValueChars {
		return s
	}
	n := 0
	for i := range s {
		if n == maxValueChars {
			return s[:i]
		}
		n++
	}
	return s
}
