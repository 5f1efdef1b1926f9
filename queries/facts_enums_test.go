package queries

import (
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/uptake-nhs/uptake/ingest"
)

// TestFactsEnumsMatchContract holds the ENUM columns of referral_facts to
// the data contract. Refresh.referral_facts.sql lists each one's values
// itself, so a value the contract gains would make the rebuild fail on the
// first row that has it; and the lists must be in byte order, the order
// DuckDB sorts text in, or ORDER BY and min/max over them would change.
func TestFactsEnumsMatchContract(t *testing.T) {
	f := buildPathwayFixture(t)
	f.store()

	// Each ENUM column of referral_facts, with the contract column whose
	// values it holds and, where the facts keep only some, which.
	type source struct {
		table, column string
		only          []string
	}
	want := map[string]source{
		"referrer":          {"referrals", "referrer", nil},
		"channel":           {"referrals", "channel", nil},
		"patient_or_carer":  {"referrals", "patient_or_carer", nil},
		"age_band":          {"referrals", "age_band", nil},
		"sex":               {"referrals", "sex", nil},
		"ethnic_group":      {"referrals", "ethnic_group", nil},
		"preferred_mode":    {"referrals", "preferred_mode", nil},
		"preferred_slot":    {"referrals", "preferred_slot", nil},
		"nonattend_outcome": {"outcomes", "outcome", []string{"did not attend", "declined", "no response"}},
		"first_followup_by": {"followups", "followup_by", nil},
	}

	rows, err := f.db.Query(`SELECT column_name, data_type FROM duckdb_columns()
		WHERE table_name = 'referral_facts' AND data_type LIKE 'ENUM(%' ORDER BY column_name`)
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
			t.Errorf("referral_facts.%s is %s, and this test does not know its contract column", column, typ)
			continue
		}
		got := enumValues(t, typ)
		if !sort.StringsAreSorted(got) {
			t.Errorf("referral_facts.%s: values %q are not in byte order", column, got)
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
			t.Errorf("referral_facts.%s holds %q; the contract's %s.%s gives %q", column, got, src.table, src.column, expect)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for column := range want {
		if !seen[column] {
			t.Errorf("referral_facts.%s is not an ENUM", column)
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
