package queries

import (
	"context"
	"testing"
)

// TestEquity: buildPathwayFixture plus three referrals:
//
//	E1 2025-10-10, 18-39, male, Asian, Turkish, IMD 1: completes C1 (converted)
//	E2 2025-10-11, 18-39, male, Black, Turkish, IMD 1: never booked
//	E3 2026-04-02, 80+, male, White, English, IMD 5: provisional, left out
//
// Final eligible referrals (2025Q4): R1 R2 R5 R6 R8 (60-69, female, White,
// English, IMD 3; R2 a carer) and E1 E2. R3 and R4 are not eligible, R7
// and E3 are provisional. Converted: R1 R2 R5 E1.
//
//	overall      4 of 7
//	age band     18-39 1/2, 60-69 3/5, 80+ 0/0 (listed: a loaded value)
//	sex          female 3/5, male 1/2
//	ethnic group Asian 1/1, Black 0/1, White 3/5
//	language     English 3/5, Turkish 1/2
//	IMD          1: 1/2, 3: 3/5, 5: 0/0
//	patient/carer carer 1/1 (R2), patient 3/6
func TestEquity(t *testing.T) {
	f := buildPathwayFixture(t)
	f.referral(referral{ID: "E1", Practice: "F83004", Date: "2025-10-10", AgeBand: "18-39", Sex: "male", Ethnic: "Asian", Language: "Turkish", IMD: 1})
	f.attend("E1", "C1", "2025-11-03", "1111111")
	f.referral(referral{ID: "E2", Practice: "F83004", Date: "2025-10-11", AgeBand: "18-39", Sex: "male", Ethnic: "Black", Language: "Turkish", IMD: 1})
	f.referral(referral{ID: "E3", Practice: "F83004", Date: "2026-04-02", AgeBand: "80+", Sex: "male", IMD: 5})
	s := f.store()
	got, err := s.Equity(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	pwCheckProportion(t, "overall", got.Overall, pwN(4), pwN(7), 100*4.0/7, 4, 7)

	type group struct {
		value string
		k, n  int64
	}
	want := []struct {
		key    string
		groups []group
	}{
		{"age_band", []group{{"18-39", 1, 2}, {"60-69", 3, 5}, {"80+", 0, 0}}},
		{"sex", []group{{"female", 3, 5}, {"male", 1, 2}}},
		{"ethnic_group", []group{{"Asian", 1, 1}, {"Black", 0, 1}, {"White", 3, 5}}},
		{"language", []group{{"English", 3, 5}, {"Turkish", 1, 2}}},
		{"imd_quintile", []group{{"1", 1, 2}, {"3", 3, 5}, {"5", 0, 0}}},
		{"patient_or_carer", []group{{"carer", 1, 1}, {"patient", 3, 6}}},
	}
	if len(got.Dimensions) != len(want) {
		t.Fatalf("%d dimensions, want %d", len(got.Dimensions), len(want))
	}
	for i, w := range want {
		d := got.Dimensions[i]
		if d.Key != w.key || d.Title == "" {
			t.Errorf("dimension %d = %q (%q), want %q", i, d.Key, d.Title, w.key)
		}
		if len(d.Groups) != len(w.groups) {
			t.Errorf("%s: %d groups %+v, want %d", w.key, len(d.Groups), d.Groups, len(w.groups))
			continue
		}
		for j, g := range w.groups {
			pct := pwNone
			if g.n > 0 {
				pct = 100 * float64(g.k) / float64(g.n)
			}
			if d.Groups[j].Value != g.value {
				t.Errorf("%s group %d = %q, want %q", w.key, j, d.Groups[j].Value, g.value)
			}
			pwCheckProportion(t, w.key+" "+g.value, d.Groups[j].Conversion, pwN(g.k), pwN(g.n), pct, g.k, g.n)
		}
	}

	// Turkish speakers only: E1 of E1 E2; other groups listed with zeros.
	got, err = s.Equity(context.Background(), Filter{Language: "turkish"})
	if err != nil {
		t.Fatal(err)
	}
	pwCheckProportion(t, "Turkish overall", got.Overall, pwN(1), pwN(2), 50, 1, 2)
	sex := got.Dimensions[1].Groups
	pwCheckProportion(t, "Turkish female", sex[0].Conversion, pwN(0), pwN(0), pwNone, 0, 0)
	pwCheckProportion(t, "Turkish male", sex[1].Conversion, pwN(1), pwN(2), 50, 1, 2)
}

// TestEquityNotStatedLast: "Not stated" sorts after the named groups.
func TestEquityNotStatedLast(t *testing.T) {
	f := buildPathwayFixture(t)
	f.referral(referral{ID: "E4", Practice: "F83004", Date: "2025-10-12", Ethnic: "Not stated"})
	f.referral(referral{ID: "E5", Practice: "F83004", Date: "2025-10-12", Ethnic: "Asian"})
	got, err := f.store().Equity(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var values []string
	for _, g := range got.Dimensions[2].Groups {
		values = append(values, g.Value)
	}
	if len(values) != 3 || values[0] != "Asian" || values[1] != "White" || values[2] != "Not stated" {
		t.Errorf("ethnic groups %v, want [Asian White Not stated]", values)
	}
}
