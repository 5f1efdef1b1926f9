package queries

import (
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/uptake-nhs/uptake/ingest"
)

// TestFactsEnumsMatchContract holds the ENUM columns of referral_facts and
// outcome_facts to the data contract. Refresh.referral_facts.sql and
// Refresh.outcome_facts.sql list each one's values themselves, so a value
// the contract gains would make the rebuild fail on the first row that has
// it; and the lists must be in byte order, the order DuckDB sorts text in,
// or ORDER BY and min/max over them would change.
func TestFactsEnumsMatchContract(t *testing.T) {
	f := buildPathwayFixture(t)
	f.store()

	// Each ENUM column of the facts (table.column), with the contract
	// column whose values it holds and, where the facts keep only some,
	// which. outcome_facts copies three of referral_facts' and adds the
	// outcome and the category of GP code it needs.
	type source struct {
		table, column string
		only          []string
	}
	want := map[string]source{
		"outcome_facts.outcome":            {"outcomes", "outcome", nil},
		"outcome_facts.code_category":      {"outcomes", "outcome", []string{"attended", "did not attend", "declined"}},
		"outcome_facts.preferred_mode":     {"referrals", "preferred_mode", nil},
		"outcome_facts.referrer":           {"referrals", "referrer", nil},
		"outcome_facts.channel":            {"referrals", "channel", nil},
		"referral_facts.referrer":          {"referrals", "referrer", nil},
		"referral_facts.channel":           {"referrals", "channel", nil},
		"referral_facts.patient_or_carer":  {"referrals", "patient_or_carer", nil},
		"referral_facts.age_band":          {"referrals", "age_band", nil},
		"referral_facts.sex":               {"referrals", "sex", nil},
		"referral_facts.ethnic_group":      {"referrals", "ethnic_group", nil},
		"referral_facts.preferred_mode":    {"referrals", "preferred_mode", nil},
		"referral_facts.preferred_slot":    {"referrals", "preferred_slot", nil},
		"referral_facts.nonattend_outcome": {"outcomes", "outcome", nil},
		"referral_facts.first_followup_by": {"followups", "followup_by", nil},
	}

	rows, err := f.db.Query(`SELECT table_name || '.' || column_name, data_type FROM duckdb_columns()
		WHERE table_name IN ('referral_facts', 'outcome_facts') AND data_type LIKE 'ENUM(%' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	for rows.Next() {
		var column, typ string
		if err := rows.Scan(&column, &typ); err != nil {
			t.Fatal(err)
		}
		seen[column] = true
		src, ok := want[column]
		if !ok {
			t.Errorf("%s is %s, and this test does not know its contract column", column, typ)
			continue
		}
		got := enumValues(t, typ)
		if !sort.StringsAreSorted(got) {
			t.Errorf("%s: values %q are not in byte order", column, got)
		}
		tbl, ok := ingest.TableByName(src.table)
		if !ok {
			t.Fatalf("no contract table %s", src.table)
		}
		c, i := tbl.Column(src.column)
		if i < 0 || c.Type != ingest.TypeEnum {
			t.Fatalf("%s.%s is not an enum column of the contract", src.table, src.column)
		}
		expect := slices.Clone(c.Values)
		if src.only != nil {
			for _, v := range src.only {
				if !slices.Contains(c.Values, v) {
					t.Errorf("%s.%s has no value %q", src.table, src.column, v)
				}
			}
			expect = slices.Clone(src.only)
		}
		sort.Strings(expect)
		if !slices.Equal(got, expect) {
			t.Errorf("%s holds %q; the contract's %s.%s gives %q", column, got, src.table, src.column, expect)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for column := range want {
		if !seen[column] {
			t.Errorf("%s is not an ENUM", column)
		}
	}
}

// enumValues returns the values of a DuckDB type written as
// ENUM('a', 'b'); the contract's values hold no quote.
func enumValues(t *testing.T, typ string) []string {
	t.Helper()
	inner, ok := strings.CutPrefix(typ, "ENUM('")
	if !ok || !strings.HasSuffix(inner, "')") {
		t.Fatalf("cannot read the values of %s", typ)
	}
	return strings.Split(strings.TrimSuffix(inner, "')"), "', '")
}
