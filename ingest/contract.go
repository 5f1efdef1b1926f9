// Package ingest loads a quarter's extract files into the database: it holds
// the data contract v1 (sample-data/README.md) in code, reads CSV and XLSX
// files, validates every row, and replaces a quarter in one transaction so
// that nothing is ever half-loaded.
package ingest

import "math"

// ContractVersion is the version of the data contract (sample-data/README.md)
// that Tables implements; a change to the file formats must bump it so that
// the generator, the README and the loader move together. Version 2 added
// the optional practices column imd_quintile; files of version 1, without
// it, still load (Column.Since).
const ContractVersion = 2

// Side says who produces a file, so that a refusal can say whom to ask for a
// corrected extract.
type Side string

// The producers of the extract files.
const (
	SideCommissioner Side = "commissioner"
	SideProvider     Side = "provider"
	SideGP           Side = "GP practice"
	SideProviderOrGP Side = "provider or GP practice"
)

// Kind says how a table relates to its quarter: a reference table is a
// snapshot at the end of the quarter, an event table holds the events dated
// in the quarter.
type Kind string

// The two kinds of table.
const (
	Reference Kind = "reference"
	Event     Kind = "event"
)

// ColumnType names how a cell is parsed, checked and stored. The specific
// shapes (ODS code, postcode, ...) are types of their own so that the
// contract stays a table of data rather than code.
type ColumnType string

// The column types of the contract.
const (
	TypeText         ColumnType = "text"          // any non-empty text
	TypeInteger      ColumnType = "integer"       // whole number within Range
	TypeDecimal      ColumnType = "decimal"       // number with at most one decimal place, within Range
	TypeDate         ColumnType = "date"          // 2026-04-07 or 07/04/2026
	TypeTime         ColumnType = "time"          // HH:MM, 24-hour
	TypeYesNo        ColumnType = "yes/no"        // yes/no, y/n, true/false, 1/0
	TypeEnum         ColumnType = "enum"          // one of Values, any case, stored as in Values
	TypeODSCode      ColumnType = "ODS code"      // one letter and five digits, stored upper case
	TypePostcode     ColumnType = "postcode"      // UK postcode shape, stored upper case with one space
	TypePseudonym    ColumnType = "pseudonym"     // patient pseudonym; never an NHS number
	TypeLanguage     ColumnType = "language"      // letters, spaces and hyphens
	TypeClinicalCode ColumnType = "clinical code" // Read v2 (trailing dots removed) or SNOMED CT id
)

// Range bounds a number, both ends included.
type Range struct {
	Min, Max int64
}

// noMax is the upper bound for counts that have none in the contract; it is
// the largest value the INTEGER columns of the schema hold.
const noMax = math.MaxInt32

// Column is one column of an extract file and of its table.
type Column struct {
	Name     string
	Type     ColumnType
	Optional bool     // may be empty; stored as NULL
	Values   []string // allowed values of an enum, in their stored spelling
	Range    *Range   // bounds of an integer or decimal
	// Identifier marks patient and referral identifiers: they may be stored
	// in the database but never shown on a terminal or written to a log.
	Identifier bool
	// Since is the contract version that added the column (0 means 1).
	// A column added after version 1 is Optional, and a file written to
	// an earlier version may lack it: its rows then hold NULL there.
	Since int
}

// Table is one file of a quarter folder and the table it loads into. The
// file is Name+".csv" or Name+".xlsx".
type Table struct {
	Name string
	Side Side
	Kind Kind
	// DateColumn is the date that places an event row in its quarter;
	// empty for reference tables.
	DateColumn string
	// Key identifies a row. Event keys are unique across quarters;
	// reference keys are unique within a quarter.
	Key     []string
	Columns []Column
}

// Tables is the data contract v2, in the order the loader reads the files:
// every table comes after the tables its rows refer to.
var Tables = []Table{
	{
		Name: "practices", Side: SideCommissioner, Kind: Reference,
		Key: []string{"practice_code"},
		Columns: []Column{
			{Name: "practice_code", Type: TypeODSCode},
			{Name: "practice_name", Type: TypeText},
			{Name: "pcn", Type: TypeText},
			{Name: "list_size", Type: TypeInteger, Range: &Range{1, noMax}},
			{Name: "t2d_register", Type: TypeInteger, Range: &Range{0, noMax}},
			// The practice population's deprivation quintile (IMD, 1 = most
			// deprived), for comparing a practice with similar practices.
			{Name: "imd_quintile", Type: TypeInteger, Optional: true, Range: &Range{1, 5}, Since: 2},
		},
	},
	{
		Name: "venues", Side: SideProvider, Kind: Reference,
		Key: []string{"venue_id"},
		Columns: []Column{
			{Name: "venue_id", Type: TypeText},
			{Name: "venue_name", Type: TypeText},
			{Name: "postcode", Type: TypePostcode},
			{Name: "ward", Type: TypeText},
			{Name: "step_free", Type: TypeYesNo},
		},
	},
	{
		Name: "courses", Side: SideProvider, Kind: Event, DateColumn: "first_session_date",
		Key: []string{"course_id"},
		Columns: []Column{
			{Name: "course_id", Type: TypeText},
			{Name: "venue_id", Type: TypeText, Optional: true},
			{Name: "mode", Type: TypeEnum, Values: []string{"face-to-face", "online"}},
			{Name: "language", Type: TypeLanguage},
			{Name: "weekday", Type: TypeEnum, Values: []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}},
			{Name: "start_time", Type: TypeTime},
			{Name: "first_session_date", Type: TypeDate},
			{Name: "sessions_planned", Type: TypeInteger, Range: &Range{1, 7}},
			{Name: "capacity", Type: TypeInteger, Range: &Range{12, 16}},
			{Name: "status", Type: TypeEnum, Values: []string{"ran", "cancelled"}},
		},
	},
	{
		Name: "referrals", Side: SideProvider, Kind: Event, DateColumn: "referral_date",
		Key: []string{"referral_id"},
		Columns: []Column{
			{Name: "referral_id", Type: TypeText, Identifier: true},
			{Name: "patient_id", Type: TypePseudonym, Identifier: true},
			{Name: "practice_code", Type: TypeODSCode},
			{Name: "referral_date", Type: TypeDate},
			{Name: "referrer", Type: TypeEnum, Values: []string{"GP", "nurse", "self", "other"}},
			{Name: "channel", Type: TypeEnum, Values: []string{"letter", "e-referral", "phone", "email", "text message"}},
			{Name: "patient_or_carer", Type: TypeEnum, Values: []string{"patient", "carer"}},
			{Name: "age_band", Type: TypeEnum, Values: []string{"18-39", "40-49", "50-59", "60-69", "70-79", "80+"}},
			{Name: "sex", Type: TypeEnum, Values: []string{"female", "male", "other", "not stated"}},
			{Name: "ethnic_group", Type: TypeEnum, Values: []string{"Asian", "Black", "Mixed", "White", "Other", "Not stated"}},
			{Name: "language", Type: TypeLanguage},
			{Name: "years_since_diagnosis", Type: TypeDecimal, Optional: true, Range: &Range{0, 80}},
			{Name: "imd_quintile", Type: TypeInteger, Range: &Range{1, 5}},
			{Name: "preferred_mode", Type: TypeEnum, Values: []string{"face-to-face", "online", "no preference"}},
			{Name: "preferred_slot", Type: TypeEnum, Values: []string{"weekday daytime", "weekday evening", "weekend", "no preference"}},
		},
	},
	{
		Name: "attendance", Side: SideProvider, Kind: Event, DateColumn: "session_date",
		Key: []string{"referral_id", "course_id", "session_number"},
		Columns: []Column{
			{Name: "referral_id", Type: TypeText, Identifier: true},
			{Name: "course_id", Type: TypeText},
			{Name: "session_number", Type: TypeInteger, Range: &Range{1, 7}},
			{Name: "session_date", Type: TypeDate},
			{Name: "attended", Type: TypeYesNo},
		},
	},
	{
		Name: "outcomes", Side: SideProvider, Kind: Event, DateColumn: "outcome_date",
		Key: []string{"referral_id", "outcome_date"},
		Columns: []Column{
			{Name: "referral_id", Type: TypeText, Identifier: true},
			{Name: "outcome", Type: TypeEnum, Values: []string{"completed", "attended", "did not attend", "declined", "no response", "ineligible"}},
			{Name: "outcome_date", Type: TypeDate},
			{Name: "practice_notified_date", Type: TypeDate, Optional: true},
		},
	},
	{
		Name: "followups", Side: SideProviderOrGP, Kind: Event, DateColumn: "followup_date",
		Key: []string{"referral_id", "followup_date", "followup_by"},
		Columns: []Column{
			{Name: "referral_id", Type: TypeText, Identifier: true},
			{Name: "followup_date", Type: TypeDate},
			{Name: "followup_by", Type: TypeEnum, Values: []string{"practice", "provider"}},
			{Name: "method", Type: TypeEnum, Values: []string{"phone", "text", "letter", "in person"}},
			{Name: "result", Type: TypeEnum, Values: []string{"rebooked", "declined", "no contact"}},
		},
	},
	{
		Name: "gp_codes", Side: SideGP, Kind: Event, DateColumn: "code_date",
		Key: []string{"practice_code", "patient_id", "code", "code_date"},
		Columns: []Column{
			{Name: "practice_code", Type: TypeODSCode},
			{Name: "patient_id", Type: TypePseudonym, Identifier: true},
			{Name: "code", Type: TypeClinicalCode},
			{Name: "code_date", Type: TypeDate},
		},
	},
	{
		Name: "text_campaigns", Side: SideGP, Kind: Event, DateColumn: "date_sent",
		Key: []string{"practice_code", "date_sent"},
		Columns: []Column{
			{Name: "practice_code", Type: TypeODSCode},
			{Name: "date_sent", Type: TypeDate},
			{Name: "messages_sent", Type: TypeInteger, Range: &Range{1, noMax}},
		},
	},
}

// TableByName returns the contract table with the given name, or false.
func TableByName(name string) (Table, bool) {
	for _, t := range Tables {
		if t.Name == name {
			return t, true
		}
	}
	return Table{}, false
}

// ColumnNames returns the table's column names in contract order, which is
// also the order a generator should write them in.
func (t Table) ColumnNames() []string {
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = c.Name
	}
	return names
}

// MayBeAbsent reports whether a file may lack the column: it was added
// after version 1 of the contract.
func (c Column) MayBeAbsent() bool { return c.Since > 1 }

// Column returns the named column and its index, or -1.
func (t Table) Column(name string) (Column, int) {
	for i, c := range t.Columns {
		if c.Name == name {
			return c, i
		}
	}
	return Column{}, -1
}
