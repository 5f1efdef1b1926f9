package generate

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestEdgeCasesOnlyAddRows generates the sample with and without the edge
// cases. With them, every file holds exactly the rows it holds without
// them, in the same order, plus rows of the edge cases only (their
// referrals, courses and patients); the one row that changes is the
// stale-register practice's latest snapshot, whose register is below the
// people it referred. So the simulated borough is the same either way,
// and any change in an indicator is explained by the edge cases.
func TestEdgeCasesOnlyAddRows(t *testing.T) {
	with := DefaultOptions()
	without := DefaultOptions()
	without.EdgeCases = false
	dirWith, mWith := generateInto(t, with)
	dirWithout, mWithout := generateInto(t, without)
	if len(mWithout.EdgeCases) != 0 || mWithout.StaleRegisterPractice != "" {
		t.Fatalf("edge cases written without EdgeCases: %+v", mWithout.EdgeCases)
	}
	if len(mWith.EdgeCases) < 15 || mWith.StaleRegisterPractice == "" {
		t.Fatalf("manifest lists %d edge cases and stale practice %q", len(mWith.EdgeCases), mWith.StaleRegisterPractice)
	}
	edgeRefs := map[string]bool{}
	for _, e := range mWith.EdgeCases {
		if edgeRefs[e.ReferralID] || e.Case == "" {
			t.Errorf("edge case %+v repeated or unexplained", e)
		}
		edgeRefs[e.ReferralID] = true
	}
	qsWith := readAll(t, dirWith, readManifest(t, dirWith))
	qsWithout := readAll(t, dirWithout, readManifest(t, dirWithout))

	// The edge cases' patients, from their referrals.
	edgePatients := map[string]bool{}
	for _, q := range qsWith {
		for _, r := range q.files[tableReferrals].records {
			if edgeRefs[r.fields["referral_id"]] {
				edgePatients[r.fields["patient_id"]] = true
			}
		}
	}
	isEdge := func(table string, f map[string]string) bool {
		switch table {
		case tableCourses:
			return strings.Contains(f["course_id"], "-E")
		case tableGPCodes:
			return edgePatients[f["patient_id"]]
		}
		return edgeRefs[f["referral_id"]]
	}

	last := len(qsWith) - 1
	seen := map[string]int{}
	for qi := range qsWith {
		for _, table := range tableOrder {
			a, b := qsWith[qi].files[table].records, qsWithout[qi].files[table].records
			j := 0
			for _, r := range a {
				if j < len(b) && maps.Equal(r.fields, b[j].fields) {
					j++
					continue
				}
				if table == tablePractices && qi == last && j < len(b) && r.fields["practice_code"] == mWith.StaleRegisterPractice {
					j++
					seen["stale"]++
					continue
				}
				if !isEdge(table, r.fields) {
					t.Errorf("%s/%s line %d is neither simulated nor an edge case: %v", qsWith[qi].name, table, r.line, r.fields)
				}
				seen[table]++
			}
			if j != len(b) {
				t.Errorf("%s/%s: %d simulated rows missing or reordered", qsWith[qi].name, table, len(b)-j)
			}
		}
	}
	if seen["stale"] != 1 || seen[tableReferrals] != len(edgeRefs) || seen[tableCourses] != 2 {
		t.Errorf("changed rows %v; want one stale register, %d referrals, 2 courses", seen, len(edgeRefs))
	}

	// The stale register is below the distinct patients (not carers) the
	// practice referred over the run.
	referred := map[string]bool{}
	for _, q := range qsWith {
		for _, r := range q.files[tableReferrals].records {
			if r.fields["practice_code"] == mWith.StaleRegisterPractice && r.fields["patient_or_carer"] == "patient" {
				referred[r.fields["patient_id"]] = true
			}
		}
	}
	for _, r := range qsWith[last].files[tablePractices].records {
		if r.fields["practice_code"] == mWith.StaleRegisterPractice {
			if reg := must(strconv.Atoi(r.fields["t2d_register"])); reg >= len(referred) {
				t.Errorf("stale register %d is not below the %d people referred", reg, len(referred))
			}
		}
	}
}

// TestEdgeCasesNeedRoom: a run too short to hold the edge cases has none,
// rather than rows pointing outside it.
func TestEdgeCasesNeedRoom(t *testing.T) {
	opts := DefaultOptions()
	opts.Quarters, opts.Practices = 4, 12
	dir, m := generateInto(t, opts)
	if len(m.EdgeCases) != 0 || m.StaleRegisterPractice != "" {
		t.Errorf("4 quarters hold %d edge cases", len(m.EdgeCases))
	}
	checkAgainstManifest(t, dir, m)
	opts.Quarters = 5
	dir, m = generateInto(t, opts)
	if len(m.EdgeCases) == 0 || !slices.ContainsFunc(m.EdgeCases, func(e EdgeCase) bool { return strings.Contains(e.Case, "day 180") }) {
		t.Errorf("5 quarters hold no edge cases: %+v", m.EdgeCases)
	}
	checkAgainstManifest(t, dir, m)
}
