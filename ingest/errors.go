package ingest

import (
	"fmt"
	"strings"
)

// Problem is one reason a quarter was refused, placed as exactly as the
// problem allows so that whoever fixes the file knows where to look.
type Problem struct {
	File   string // file name within the quarter folder; "" for the folder itself
	Line   int64  // 1-based line or row; 0 when not about one line
	Column string // column name(s); "" when not about a column
	Rule   string // short machine name, e.g. "missing_column"
	Reason string // a sentence for people
}

// String puts the problem on one line: file, line, column, rule and reason.
func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
	} else {
		b.WriteString("folder")
	}
	if p.Line > 0 {
		fmt.Fprintf(&b, " line %d", p.Line)
	}
	if p.Column != "" {
		fmt.Fprintf(&b, " column %s", p.Column)
	}
	fmt.Fprintf(&b, ": %s: %s", p.Rule, p.Reason)
	return b.String()
}

// RefusedError reports a quarter that was not loaded at all because a file
// is missing, unknown, unreadable or has the wrong columns, or lost more
// rows to rejection than the RejectionCeiling allows. The database is left
// exactly as it was.
type RefusedError struct {
	Quarter  string // "" when the folder name is not a quarter
	Dir      string
	Problems []Problem
	// Rules are, for a quarter over the rejection ceiling, the commonest
	// reasons the file's rows were rejected, with an example each.
	Rules []RuleCount
	// Overridable is set when the quarter was refused only for its
	// rejections, which Loader.AcceptRejections overrides.
	Overridable bool
}

// maxProblemsShown bounds the message; the Problems field keeps them all.
const maxProblemsShown = 20

// Error names every problem (up to a limit) on its own line: file, line,
// column, rule and reason.
func (e *RefusedError) Error() string {
	var b strings.Builder
	what := e.Quarter
	if what == "" {
		what = e.Dir
	}
	fmt.Fprintf(&b, "quarter %s refused, nothing was loaded:", what)
	for i, p := range e.Problems {
		if i == maxProblemsShown {
			fmt.Fprintf(&b, "\n  ... and %d more problems", len(e.Problems)-i)
			break
		}
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	if len(e.Rules) > 0 {
		b.WriteString("\nMost common reasons its rows were rejected:\n")
		writeRules(&b, e.Rules)
	}
	if e.Overridable {
		b.WriteString("\nCorrect the files and load them again. If the rejections are expected, load the quarter anyway with " +
			"`uptake ingest --accept-rejections` (or tick \"Load even if many rows are rejected\" on the Data page): " +
			"the rejected rows are kept aside with their reasons as usual, and the override is written to the audit log.")
	}
	return strings.TrimRight(b.String(), "\n")
}

// Rule describes one validation rule: its machine name, as stored in
// rejected_rows.rule and loads refusals, and what it checks.
type Rule struct {
	Name        string
	Refuses     bool // true when breaking it refuses the quarter, false when it rejects one row
	Description string
}

// Rules lists every rule the loader applies, so that the Data page and the
// documentation can explain a rule name without copying the text.
var Rules = []Rule{
	// Whole folder or file: the quarter is refused.
	{"bad_quarter_folder", true, "The folder must be named for its quarter, e.g. 2026Q2."},
	{"missing_file", true, "Each of the nine files must be in the folder."},
	{"duplicate_file", true, "Each file must be there once, as .csv or .xlsx, not both."},
	{"unknown_file", true, "The folder holds only the nine files of the contract."},
	{"unreadable_file", true, "The file could not be opened or read."},
	{"binary_file", true, "A CSV file must be text, without NUL or control bytes."},
	{"bad_encoding", true, "A CSV file must be UTF-8 or Windows-1252, not UTF-16 (Excel's \"Unicode Text\")."},
	{"bad_xlsx", true, "An XLSX file must be a readable workbook with a worksheet, as Excel saves it."},
	{"file_too_large", true, "A file may be at most 2 GiB, and an XLSX workbook at most 256 MiB."},
	{"xlsx_too_large", true, "A workbook may unzip to at most 512 MiB."},
	{"zip_bomb", true, "A workbook must have a sensible number of parts, compressed no more than a spreadsheet compresses."},
	{"too_many_rows", true, "A file may hold at most 5 million data rows."},
	{"too_many_columns", true, "A worksheet may have values in at most 20 columns beyond its table's."},
	{"uncalculated_formulas", true, "A workbook may hold at most 10,000 uncalculated formulas or error cells."},
	{"line_too_long", true, "No line or row may exceed 1 MiB."},
	{"empty_file", true, "A file needs at least its header line."},
	{"garbled_text", true, "Text must not carry the marks of UTF-8 opened as Windows-1252 and saved again (Ã© for é, â€™ for ’)."},
	{"too_many_rejected", true, "A file may lose at most a set share of its rows to rejection (rejection_ceiling); practices, venues and courses less than the others."},
	{"wrong_quarter", true, "Most of a file's dated rows must fall in the folder's quarter."},
	{"bad_separator", true, "CSV fields are separated by commas, not semicolons or tabs (nor by what an Excel sep= line names)."},
	{"missing_column", true, "The header must have every column of the contract."},
	{"unknown_column", true, "The header must have no column outside the contract, unless the configuration's aliases map it to one."},
	{"duplicate_column", true, "The header must name each column once."},
	{"blank_column", true, "Every header cell before the last named one must have a name."},
	// One row: the row is rejected and kept in rejected_rows.
	{"bad_csv", false, "The line must split into fields under CSV quoting rules."},
	{"formula_cell", false, "An XLSX cell must hold a value: a formula saved without its result, or an error such as #REF!, is not one."},
	{"wrong_field_count", false, "The line must have one value per header column."},
	{"missing_value", false, "Only optional columns may be empty."},
	{"bad_integer", false, "The value must be a whole number (12, 12,000 and 12.0 are; 12.5 is not)."},
	{"bad_decimal", false, "The value must be a number with at most one decimal place."},
	{"out_of_range", false, "The number must lie within the contract's range."},
	{"bad_date", false, "The value must be a real date, as 2026-04-07 or 07/04/2026."},
	{"bad_time", false, "The value must be a time of day: HH:MM or HH:MM:SS on the 24-hour clock, or h:mm AM/PM."},
	{"bad_yes_no", false, "The value must be yes or no."},
	{"bad_enum", false, "The value must be one of the contract's values for the column."},
	{"bad_ods_code", false, "A practice code is one letter and five digits."},
	{"bad_postcode", false, "A postcode must have the shape of a UK postcode."},
	{"bad_language", false, "A language is letters, spaces and hyphens."},
	{"bad_clinical_code", false, "A code is a Read v2 code or a SNOMED CT id of 6-18 digits."},
	{"nhs_number", false, "A patient id must be a pseudonym, never an NHS number."},
	{"outside_quarter", false, "An event must be dated inside the folder's quarter."},
	{"weekday_mismatch", false, "A course's weekday must be that of its first session date."},
	{"venue_mode_mismatch", false, "A venue is given for face-to-face courses and left empty for online ones."},
	{"register_above_list_size", false, "A practice's diabetes register cannot exceed its list size."},
	{"years_missing_for_patient", false, "Years since diagnosis may be empty only for carers."},
	{"notified_before_outcome", false, "The practice cannot be notified before the outcome."},
	{"duplicate_key", false, "A key may appear once in a file; the first row is kept."},
	{"key_in_other_quarter", false, "A row already loaded from another quarter cannot be loaded again."},
	{"unknown_practice", false, "The practice must be in this quarter's practices file."},
	{"unknown_venue", false, "The venue must be in this quarter's venues file."},
	{"unknown_referral", false, "The referral must be loaded in this or an earlier quarter."},
	{"unknown_course", false, "The course must be loaded in this or an earlier quarter."},
	{"session_above_planned", false, "A session number cannot exceed the course's sessions planned."},
	{"before_referral", false, "An attendance, outcome or follow-up cannot predate its referral."},
	{"before_course_start", false, "A session cannot predate the course's first session."},
}
