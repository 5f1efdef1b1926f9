package queries

import (
	"context"
	"fmt"
	"net/url"
	"testing"

	"github.com/uptake-nhs/uptake/queries/stats"
)

// buildPeersFixture is four practices in 2025Q4, each with a register of
// 500 (the fixture's list size is 20 × the register: 10,000, so all four
// are in the band 10,000-14,999):
//
//	P00001 North PCN, IMD quintile 1, 100 people referred (20%)
//	P00002 North PCN, IMD quintile 1, 120 people referred (24%)
//	P00003 South PCN, IMD quintile 5,  20 people referred (4%)
//	P00004 South PCN, IMD quintile 5,  20 people referred (4%)
func buildPeersFixture(tb testing.TB) *fixture {
	f := newFixture(tb)
	for i, p := range []struct {
		pcn       string
		imd, refs int
	}{{"North PCN", 1, 100}, {"North PCN", 1, 120}, {"South PCN", 5, 20}, {"South PCN", 5, 20}} {
		code := fmt.Sprintf("P%05d", i+1)
		f.practice("2025Q4", code, "Practice "+code, p.pcn, 500)
		f.exec(`UPDATE practices SET imd_quintile = ? WHERE practice_code = ?`, p.imd, code)
		for j := range p.refs {
			id := fmt.Sprintf("R%d-%d", i+1, j)
			f.referral(referral{ID: id, Patient: "P" + id, Practice: code, Date: fmt.Sprintf("2025-10-%02d", 1+j%28)})
		}
	}
	f.loaded("2025Q4")
	return f
}

// TestPracticeBenchmarkPeers, worked by hand with the plain limits
// (B ± z √(B(1 − B)/n)) and disclosure off:
//
// Against the borough, the baseline is 260/2000 = 13%. At n = 500 the
// upper 99.8% limit is 0.13 + 3.090232 × √(0.13 × 0.87 / 500) =
// 0.13 + 3.090232 × 0.0150400 = 17.648%: P00001's 20% is High (0.001),
// rank 2 of 4.
//
// Against similar practices (band 10,000-14,999, IMD quintile 1: P00001
// and P00002), the baseline is 220/1000 = 22%. At n = 500 the 95% limits
// are 0.22 ∓ 1.959964 × √(0.22 × 0.78 / 500) = 0.22 ∓ 1.959964 × 0.01852566
// = 18.36904% and 25.63096%: P00001's 20% is Not significant, rank 2 of 2.
// Both peers are listed, P00003 and P00004 are not.
//
// Against its network (North PCN, the same two practices) it is the same
// as against its peers.
func TestPracticeBenchmarkPeers(t *testing.T) {
	s := buildPeersFixture(t).store(plainLimits(false))
	ctx := context.Background()
	get := func(compare string) PracticeBenchmark {
		t.Helper()
		f, err := ParseFilter(url.Values{"practice": {"P00001"}, "compare": {compare}})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.PracticeBenchmark(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	borough := get("borough")
	if len(borough.Practices) != 1 || borough.Comparator.Kind != CompareBorough || borough.Comparator.Practices != 4 {
		t.Fatalf("borough: %d practices listed, comparator %+v; want P00001 against 4", len(borough.Practices), borough.Comparator)
	}
	checkMeasure(t, "P00001 against the borough", borough.Practices[0].ReferralRate, 0.13, benchWant{100, 500, stats.HighSevere, 2})

	for _, compare := range []string{ComparePeers, CompareNetwork} {
		got := get(compare)
		if got.Filter.Compare != compare || got.Comparator.Kind != compare || got.Comparator.Practices != 2 || len(got.Practices) != 2 {
			t.Fatalf("%s: comparator %+v with %d listed; want 2 and 2", compare, got.Comparator, len(got.Practices))
		}
		if compare == ComparePeers && (got.Comparator.ListSizeBand != "10,000–14,999" || got.Comparator.IMDQuintile != 1) {
			t.Errorf("peers: band %q, quintile %d; want 10,000–14,999 and 1", got.Comparator.ListSizeBand, got.Comparator.IMDQuintile)
		}
		pwCheckPct(t, compare+" baseline", got.ReferralRate.Baseline, 22)
		for _, p := range got.Practices {
			switch p.Code {
			case "P00001":
				checkMeasure(t, "P00001 against "+compare, p.ReferralRate, 0.22, benchWant{100, 500, stats.NotSignificant, 2})
				pwCheckPct(t, "P00001 lower 95 against "+compare, p.ReferralRate.Lower95, 18.3690379)
			case "P00002":
			default:
				t.Errorf("%s lists %s", compare, p.Code)
			}
		}
	}

	// A practice without a quintile has no peers, and peers or a network
	// need a practice (or a network) chosen: then the borough is the
	// comparator, the note says why, and the answer's filter says so.
	f := buildPeersFixture(t)
	f.exec(`UPDATE practices SET imd_quintile = NULL WHERE practice_code = 'P00001'`)
	noQuintile := f.store(plainLimits(false))
	for _, q := range []Filter{{Practice: "P00001", Compare: ComparePeers}, {Compare: ComparePeers}, {Compare: CompareNetwork}} {
		got, err := noQuintile.PracticeBenchmark(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if got.Comparator.Kind != CompareBorough || got.Comparator.Note == "" || got.Filter.Compare != "" || got.Comparator.Practices != 4 {
			t.Errorf("%+v: comparator %+v, filter compare %q; want the borough of 4 with a note", q, got.Comparator, got.Filter.Compare)
		}
	}
	if _, err := ParseFilter(url.Values{"compare": {"region"}}); err == nil {
		t.Error("ParseFilter accepted compare=region")
	}
}

func TestListSizeBand(t *testing.T) {
	for n, want := range map[int64]string{1: "under 5,000", 4999: "under 5,000", 5000: "5,000–9,999", 14999: "10,000–14,999", 15000: "15,000 and over", 1234567: "15,000 and over"} {
		if got := ListSizeBand(n, DefaultListSizeBands); got != want {
			t.Errorf("ListSizeBand(%d) = %q, want %q", n, got, want)
		}
	}
}
