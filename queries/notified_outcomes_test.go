package queries

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

// The practice's quarterly list, worked by hand from buildCodingFixture
// (coding_test.go). Hanley Road (F83004) was notified in 2025Q4 of K1
// (completed, 20 Dec), K2 (attended, 20 Dec), K3 and K4 (did not attend,
// 10 Nov) and K9 (declined, 22 Oct); K8 is ineligible and never on a list.
// K1 holds 9OLF, K2 9OLB, K4 9NiA (late, but the record is right now) and
// K9 9OLM; K3 holds only 9OLM, the wrong category, so it is not coded.
// In 2026Q2 it was notified of K5 (declined, not coded) and K7 (completed,
// coded as the SNOMED CT code); K6 has not been notified.
func TestNotifiedOutcomes(t *testing.T) {
	s := buildCodingFixture(t).store()
	ctx := context.Background()
	completed := CodeToEnter{ReadV2: "9OLF", SNOMEDCT: "755491000000100"}
	attended := CodeToEnter{ReadV2: "9OLB", SNOMEDCT: "413597006"}
	dna := CodeToEnter{ReadV2: "9NiA", SNOMEDCT: "306861000000107"}
	declined := CodeToEnter{ReadV2: "9OLM", SNOMEDCT: "306591000000103"}
	got, err := s.NotifiedOutcomes(ctx, "F83004", "2025Q4")
	if err != nil {
		t.Fatal(err)
	}
	want := []NotifiedOutcome{
		{ReferralID: "K1", PatientID: "PX-K1", ReferralDate: "2025-10-01", Outcome: "completed", Category: "attended",
			OutcomeDate: "2025-12-15", NotifiedDate: "2025-12-20", Enter: completed, Coded: true, CodedAs: "9OLF", CodedDate: "2026-01-10"},
		{ReferralID: "K2", PatientID: "PX-K2", ReferralDate: "2025-10-02", Outcome: "attended", Category: "attended",
			OutcomeDate: "2025-12-15", NotifiedDate: "2025-12-20", Enter: attended, Coded: true, CodedAs: "9OLB", CodedDate: "2026-03-20"},
		{ReferralID: "K3", PatientID: "PX-K3", ReferralDate: "2025-10-03", Outcome: "did not attend", Category: "did not attend",
			OutcomeDate: "2025-11-03", NotifiedDate: "2025-11-10", Enter: dna},
		{ReferralID: "K4", PatientID: "PX-K4", ReferralDate: "2025-10-04", Outcome: "did not attend", Category: "did not attend",
			OutcomeDate: "2025-11-03", NotifiedDate: "2025-11-10", Enter: dna, Coded: true, CodedAs: "9NiA", CodedDate: "2026-02-09"},
		{ReferralID: "K9", PatientID: "PX-K9", ReferralDate: "2025-10-06", Outcome: "declined", Category: "declined",
			OutcomeDate: "2025-10-20", NotifiedDate: "2025-10-22", Enter: declined, Coded: true, CodedAs: "9OLM", CodedDate: "2025-10-30"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("2025Q4:\n got %+v\nwant %+v", got, want)
	}

	got, err = s.NotifiedOutcomes(ctx, "F83004", "2026Q2")
	if err != nil {
		t.Fatal(err)
	}
	want = []NotifiedOutcome{
		{ReferralID: "K7", PatientID: "PX-K7", ReferralDate: "2026-04-03", Outcome: "completed", Category: "attended",
			OutcomeDate: "2026-06-01", NotifiedDate: "2026-06-05", Enter: completed, Coded: true, CodedAs: "755491000000100", CodedDate: "2026-06-20"},
		{ReferralID: "K5", PatientID: "PX-K5", ReferralDate: "2026-04-01", Outcome: "declined", Category: "declined",
			OutcomeDate: "2026-05-01", NotifiedDate: "2026-05-05", Enter: declined},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("2026Q2:\n got %+v\nwant %+v", got, want)
	}

	// Another practice's list holds only its own people: Bounds Green was
	// told of L1 (no response, coded with the SNOMED CT code) and L2 in
	// 2025Q3, and of nothing in 2025Q4.
	got, err = s.NotifiedOutcomes(ctx, "F83020", "2025Q3")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ReferralID != "L2" || got[1].ReferralID != "L1" || got[1].Enter != declined ||
		!got[1].Coded || got[1].CodedAs != "306591000000103" || got[0].Coded {
		t.Errorf("Bounds Green 2025Q3 = %+v", got)
	}
	if got, err := s.NotifiedOutcomes(ctx, "F83020", "2025Q4"); err != nil || len(got) != 0 {
		t.Errorf("Bounds Green 2025Q4 = %+v, %v; want none", got, err)
	}

	_, err = s.NotifiedOutcomes(ctx, "Z99999", "2025Q4")
	checkFilterError(t, err, "practice")
	_, err = s.NotifiedOutcomes(ctx, "F83004", "2024Q1")
	checkFilterError(t, err, "to")
	_, err = s.NotifiedOutcomes(ctx, "F83004", "last")
	checkFilterError(t, err, "quarter")
}

// A code to enter must be one the coding indicator counts, or a practice
// doing as told would still be shown as not coding.
func TestCodesToEnterValidated(t *testing.T) {
	c := DefaultConfig()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	c.CodesToEnter = DefaultCodesToEnter()
	c.CodesToEnter["completed"] = CodeToEnter{ReadV2: "9NiA", SNOMEDCT: "755491000000100"}
	delete(c.CodesToEnter, "no response")
	c.CodesToEnter["lost"] = CodeToEnter{ReadV2: "X", SNOMEDCT: "Y"}
	err := c.Validate()
	if err == nil {
		t.Fatal("bad codes_to_enter accepted")
	}
	for _, want := range []string{`codes_to_enter."completed" is 9NiA`, `codes_to_enter."no response" needs`, `"lost" is not an outcome`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	// The codes to enter change no derived table.
	if c.Hash() != DefaultConfig().Hash() {
		t.Error("codes_to_enter changes Config.Hash")
	}
}
