package queries

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"
)

// The outcomes a provider notifies to practices, in the order the
// practice's list gives them. "ineligible" is never notified for coding.
var NotifiedOutcomeKinds = []string{"completed", "attended", "did not attend", "declined", "no response"}

// CodeToEnter is the GP code a practice is asked to enter for one outcome,
// in both the coding schemes practice systems use.
type CodeToEnter struct {
	ReadV2   string `json:"read_v2"`
	SNOMEDCT string `json:"snomed_ct"`
}

// DefaultCodesToEnter are the codes of the product brief's table: the
// national codes for each outcome, with 9OLM for both declined and no
// response, as the borough asks.
func DefaultCodesToEnter() map[string]CodeToEnter {
	return map[string]CodeToEnter{
		"completed":      {ReadV2: "9OLF", SNOMEDCT: "755491000000100"},
		"attended":       {ReadV2: "9OLB", SNOMEDCT: "413597006"},
		"did not attend": {ReadV2: "9NiA", SNOMEDCT: "306861000000107"},
		"declined":       {ReadV2: "9OLM", SNOMEDCT: "306591000000103"},
		"no response":    {ReadV2: "9OLM", SNOMEDCT: "306591000000103"},
	}
}

// validateCodesToEnter checks that every notified outcome has a code to
// enter in both schemes, and that each is one the coding indicator counts
// for that outcome: a practice that enters the code it is told to must
// see the outcome as coded.
func (c Config) validateCodesToEnter() error {
	var errs []error
	for _, k := range slices.Sorted(maps.Keys(c.CodesToEnter)) {
		if !slices.Contains(NotifiedOutcomeKinds, k) {
			errs = append(errs, fmt.Errorf("codes_to_enter: %q is not an outcome notified to practices (%q)", k, NotifiedOutcomeKinds))
		}
	}
	for _, k := range NotifiedOutcomeKinds {
		code, ok := c.CodesToEnter[k]
		if !ok || code.ReadV2 == "" || code.SNOMEDCT == "" {
			errs = append(errs, fmt.Errorf("codes_to_enter.%q needs both read_v2 and snomed_ct", k))
			continue
		}
		list, name := c.codesFor(outcomeCategory(k))
		for _, v := range []string{code.ReadV2, code.SNOMEDCT} {
			if !slices.Contains(list, v) {
				errs = append(errs, fmt.Errorf("codes_to_enter.%q is %s, which codes.%s does not list: entering it would not count as coding the outcome", k, v, name))
			}
		}
	}
	return errors.Join(errs...)
}

// outcomeCategory is the coding category of a provider outcome, as in
// outcome_facts.code_category.
func outcomeCategory(outcome string) string {
	switch outcome {
	case "completed", "attended":
		return CodingAttended
	case "did not attend":
		return CodingDidNotAttend
	}
	return CodingDeclined
}

// codesFor returns the code list of a coding category and its name in the
// configuration.
func (c Config) codesFor(category string) ([]string, string) {
	switch category {
	case CodingAttended:
		return c.Codes.Attended, "attended"
	case CodingDidNotAttend:
		return c.Codes.DidNotAttend, "did_not_attend"
	}
	return c.Codes.Declined, "declined"
}

// NotifiedOutcome is one line of a practice's quarterly list: a person
// whose outcome the provider notified to the practice in the quarter, the
// code the practice should enter for it, and whether its record already
// holds a code for that outcome.
type NotifiedOutcome struct {
	ReferralID   string `json:"referral_id"`
	PatientID    string `json:"patient_id"` // the pseudonym the practice can look up
	ReferralDate string `json:"referral_date"`
	Outcome      string `json:"outcome"`  // completed, attended, did not attend, declined or no response
	Category     string `json:"category"` // attended, did not attend or declined (CodingCategories)
	OutcomeDate  string `json:"outcome_date"`
	NotifiedDate string `json:"notified_date"`
	// Enter is the code to enter, from Config.CodesToEnter.
	Enter CodeToEnter `json:"enter"`
	// Coded is true when the practice's system holds a code of the
	// outcome's category for the patient dated on or after the referral
	// (CodedAs, on CodedDate), however late.
	Coded     bool   `json:"coded"`
	CodedAs   string `json:"coded_as,omitempty"`
	CodedDate string `json:"coded_date,omitempty"`
}

// NotifiedOutcomes lists the people whose outcome was notified to the
// practice in quarter (the quarter of the notification date), completers
// first, then those who attended, did not attend, declined or did not
// respond, each by notification date.
//
// The list identifies people (by pseudonym) and is NOT under the
// disclosure rule: it is the practice's own list of its own patients, for
// that practice alone. An unknown practice or quarter is a *FilterError.
// The SQL is sql/NotifiedOutcomes.sql.
func (s *Store) NotifiedOutcomes(ctx context.Context, practiceCode, quarter string) ([]NotifiedOutcome, error) {
	if err := s.checkPractice(ctx, practiceCode); err != nil {
		return nil, err
	}
	if !quarterRE.MatchString(quarter) {
		return nil, &FilterError{"quarter", truncate(quarter, maxFilterValue), "must be a quarter like 2026Q2"}
	}
	if err := s.CheckFilter(ctx, Filter{To: quarter}); err != nil {
		return nil, err
	}
	c := s.cfg
	enter := c.CodesToEnter
	if enter == nil {
		enter = DefaultCodesToEnter()
	}
	args := []any{sql.Named("practice", practiceCode), sql.Named("quarter", quarter),
		sql.Named("attended_codes", c.Codes.Attended), sql.Named("did_not_attend_codes", c.Codes.DidNotAttend), sql.Named("declined_codes", c.Codes.Declined)}
	out := []NotifiedOutcome{}
	err := s.forEachRow(ctx, query("NotifiedOutcomes"), args, func(rows *sql.Rows) error {
		var o NotifiedOutcome
		var referred, outcome, notified time.Time
		var code sql.NullString
		var codeDate sql.NullTime
		if err := rows.Scan(&o.ReferralID, &o.PatientID, &referred, &o.Outcome, &o.Category, &outcome, &notified, &code, &codeDate); err != nil {
			return err
		}
		o.ReferralDate, o.OutcomeDate, o.NotifiedDate = isoDate(referred), isoDate(outcome), isoDate(notified)
		o.Enter = enter[o.Outcome]
		if code.Valid {
			o.Coded, o.CodedAs, o.CodedDate = true, code.String, isoDate(codeDate.Time)
		}
		out = append(out, o)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("notified outcomes: %w", err)
	}
	return out, nil
}
