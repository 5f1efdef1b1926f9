package queries

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// A definition the sample data cannot tell from a wrong one is untested by
// every test that runs on the sample. TestSampleTellsEveryDefinition breaks
// each definition of docs/indicators.md in turn, in a deliberately wrong
// but plausible way (a boundary moved by a day, a test dropped, a category
// moved), by rewriting the embedded SQL; rebuilds the derived tables on the
// sample; and requires some indicator's answer to change. The generator's
// edge cases (ingest/generate/edgecases.go, listed in the sample's
// manifest.json) put a referral on each boundary so that it does.
//
// Each rewrite must find its text exactly once, so a rewritten SQL file
// that no longer says the same thing fails here until the list is updated.

// definitionMutation is one deliberately wrong rule: in sql/FILE.sql, the
// text From replaced by To.
type definitionMutation struct {
	rule     string // the wrong rule, in words
	file     string
	from, to string
}

var definitionMutations = []definitionMutation{
	// Conversion and completion (refresh_referral_facts.sql).
	{"conversion: a first session on day 180 is too late", "Refresh.referral_facts",
		"pr.first_attended <= r.referral_date + p.conversion_days,", "pr.first_attended < r.referral_date + p.conversion_days,"},
	{"conversion: a first session on day 181 is in time", "Refresh.referral_facts",
		"pr.first_attended <= r.referral_date + p.conversion_days,", "pr.first_attended <= r.referral_date + p.conversion_days + 1,"},
	{"completion: a course started after the window counts", "Refresh.referral_facts",
		"FILTER (WHERE pc.first_attended <= r.referral_date + p.conversion_days) AS sessions_in_window", "AS sessions_in_window"},
	{"completion: 5 sessions are not enough", "Refresh.referral_facts",
		"sessions_attended >= completion_sessions", "sessions_attended > completion_sessions"},
	{"completion: 4 sessions are enough", "Refresh.referral_facts",
		"sessions_attended >= completion_sessions", "sessions_attended >= completion_sessions - 1"},
	{"conversion final: a window closing on the as-of date is still open", "Refresh.referral_facts",
		"(r.referral_date + p.conversion_days <= p.as_of) AS conversion_final", "(r.referral_date + p.conversion_days < p.as_of) AS conversion_final"},
	{"booked: only people who attended a session are booked", "Refresh.referral_facts",
		"(first_course_id IS NOT NULL) AS booked", "(first_attended IS NOT NULL) AS booked"},

	// Eligibility, each test alone. Years since diagnosis have one decimal
	// place, so ">= 0.25" and "> 0.25" cannot differ on any data: the
	// threshold is moved instead, both ways.
	{"eligibility: the provider's ruling of ineligible is ignored", "Refresh.referral_facts",
		"(i.referral_id IS NULL", "(true"},
	{"eligibility: time since diagnosis is ignored", "Refresh.referral_facts",
		"coalesce(r.years_since_diagnosis, 0) >= p.min_years", "true"},
	{"eligibility: carers need a diagnosis too", "Refresh.referral_facts",
		"r.patient_or_carer = 'carer' OR ", ""},
	{"eligibility: 0.2 years since diagnosis is enough", "Refresh.referral_facts",
		"coalesce(r.years_since_diagnosis, 0) >= p.min_years", "coalesce(r.years_since_diagnosis, 0) >= p.min_years - 0.05"},
	{"eligibility: 0.3 years since diagnosis is not enough", "Refresh.referral_facts",
		"coalesce(r.years_since_diagnosis, 0) >= p.min_years", "coalesce(r.years_since_diagnosis, 0) >= p.min_years + 0.1"},

	// Unmet demand (refresh_referral_facts.sql), which Capacity counts.
	{"unmet demand: a course starting on day 90 is too late", "Refresh.referral_facts",
		"pr.first_course_start <= r.referral_date + p.unmet_days", "pr.first_course_start < r.referral_date + p.unmet_days"},
	{"unmet demand: a course starting on day 91 is in time", "Refresh.referral_facts",
		"pr.first_course_start <= r.referral_date + p.unmet_days", "pr.first_course_start <= r.referral_date + p.unmet_days + 1"},
	{"unmet demand: a window closing on the as-of date is still open", "Refresh.referral_facts",
		"(r.referral_date + p.unmet_days <= p.as_of) AS unmet_final", "(r.referral_date + p.unmet_days < p.as_of) AS unmet_final"},

	// Non-attenders and follow-up (refresh_referral_facts.sql).
	{"non-attenders: no response is not a non-attendance", "Refresh.referral_facts",
		"outcome IN ('did not attend', 'declined', 'no response')", "outcome IN ('did not attend', 'declined')"},
	{"first outcome: its notification may come from a later outcome", "Refresh.referral_facts",
		"arg_min_null(practice_notified_date, outcome_date)", "arg_min(practice_notified_date, outcome_date)"},
	{"first outcome: the last non-attendance outcome counts", "Refresh.referral_facts",
		"min(outcome_date) AS outcome_date", "max(outcome_date) AS outcome_date"},
	{"follow-up: one made before the outcome counts", "Refresh.referral_facts",
		" AND f.followup_date >= n.outcome_date", ""},
	{"follow-up: one made on the outcome day does not count", "Refresh.referral_facts",
		"f.followup_date >= n.outcome_date", "f.followup_date > n.outcome_date"},
	{"follow-up: one made before the practice was notified does not count", "Refresh.referral_facts",
		"f.followup_date >= n.outcome_date", "f.followup_date >= n.notified_date"},
	{"follow-up: day 28 is too late", "Refresh.referral_facts",
		"ff.followup_date <= n.notified_date + p.followup_days", "ff.followup_date < n.notified_date + p.followup_days"},
	{"follow-up: day 29 is in time", "Refresh.referral_facts",
		"ff.followup_date <= n.notified_date + p.followup_days", "ff.followup_date <= n.notified_date + p.followup_days + 1"},
	{"follow-up due: a window closing on the as-of date is still open", "Refresh.referral_facts",
		"n.notified_date + p.followup_days <= p.as_of", "n.notified_date + p.followup_days < p.as_of"},
	{"follow-up: the provider is credited with a same-day follow-up", "Refresh.referral_facts",
		"f.followup_by <> 'practice'", "f.followup_by = 'practice'"},
	{"re-engagement: being booked again is coming back", "Refresh.referral_facts",
		"a.referral_id = n.referral_id AND a.attended AND", "a.referral_id = n.referral_id AND"},
	{"follow-up days: day 28 falls in the 29-42 band", "filter_macros",
		"WHEN days_to_followup <= 28 THEN 5", "WHEN days_to_followup < 28 THEN 5"},

	// Coding completeness (refresh_outcome_facts.sql).
	{"coding: a code on day 90 is too late", "Refresh.outcome_facts",
		"g.code_date <= n.notified_date + CAST($coding_window_days AS INTEGER)", "g.code_date < n.notified_date + CAST($coding_window_days AS INTEGER)"},
	{"coding: a code on day 91 is in time", "Refresh.outcome_facts",
		"g.code_date <= n.notified_date + CAST($coding_window_days AS INTEGER)", "g.code_date <= n.notified_date + CAST($coding_window_days AS INTEGER) + 1"},
	{"coding: a code at another practice counts", "Refresh.outcome_facts",
		"g.practice_code = r.practice_code AND ", ""},
	{"coding: a code from before the referral counts", "Refresh.outcome_facts",
		"AND g.code_date >= r.referral_date", "AND true"},
	{"coding: a code of another category counts", "Refresh.outcome_facts",
		"AND g.category = n.code_category", "AND true"},
	{"coding: did not attend is coded as declined", "Refresh.outcome_facts",
		"WHEN 'did not attend' THEN 'did not attend'", "WHEN 'did not attend' THEN 'declined'"},
	{"coding: an ineligible outcome is a coding task", "Refresh.outcome_facts",
		"AND o.outcome <> 'ineligible'", ""},
	{"coding: outcomes never notified are coding tasks", "Refresh.outcome_facts",
		"WHERE o.practice_notified_date IS NOT NULL AND", "WHERE"},
	{"coding due: a window closing on the as-of date is still open", "Refresh.outcome_facts",
		"(n.notified_date + CAST($coding_window_days AS INTEGER) <= r.as_of) AS coding_due", "(n.notified_date + CAST($coding_window_days AS INTEGER) < r.as_of) AS coding_due"},

	// Slots (refresh_course_facts.sql) and places.
	{"evening: a 17:00 start is daytime", "Refresh.course_facts",
		"c.start_time >= CAST($evening_from AS TIME)", "c.start_time > CAST($evening_from AS TIME)"},
	{"weekend: Sunday is a weekday", "Refresh.course_facts",
		"('Saturday', 'Sunday')", "('Saturday')"},
	{"places: a cancelled course offers places", "Capacity.places",
		"WHERE status = 'ran'", "WHERE true"},

	// Benchmarking (practice_benchmark.sql).
	// The benchmark without an attribute filter counts from
	// practice_quarter_counts; TestPracticeBenchmarkKeptCountsEqualReferrals
	// holds PracticeBenchmark.sql's own counts equal to it.
	{"benchmark conversion: provisional referrals count", "Refresh.practice_quarter_counts",
		"count(*) FILTER (WHERE eligible AND conversion_final) AS conversion_den", "count(*) FILTER (WHERE eligible) AS conversion_den"},
	{"referral rate: carers count", "Refresh.practice_quarter_counts",
		"count(*) FILTER (WHERE patient_or_carer = 'patient') AS patients", "count(*) AS patients"},
	{"referral rate: a person's earlier referral in the range counts again", "PracticeBenchmark",
		"WHERE previous_referral_quarter IS NULL\n                                         OR", "WHERE true OR"},
	{"referral rate: the register comes from the earliest snapshot", "PracticeBenchmark",
		"arg_max(t2d_register, quarter)", "arg_min(t2d_register, quarter)"},

	// Time to first session.
	{"time to first session: late starters count", "TimeToFirstSession",
		"WHERE eligible AND converted\n", "WHERE eligible AND first_attended IS NOT NULL\n"},

	// Text campaigns (campaign_effect.sql).
	{"campaign: a referral on the day sent counts before it", "CampaignEffect",
		"r.referral_date < c.date_sent", "r.referral_date <= c.date_sent"},
	{"campaign: the before window is a day short", "CampaignEffect",
		"CAST(t.date_sent - CAST($window_days AS INTEGER) AS DATE) AS before_from", "CAST(t.date_sent - CAST($window_days AS INTEGER) + 1 AS DATE) AS before_from"},
	{"campaign: the after window is a day short", "CampaignEffect",
		"CAST(t.date_sent + CAST($window_days AS INTEGER) - 1 AS DATE) AS after_to", "CAST(t.date_sent + CAST($window_days AS INTEGER) - 2 AS DATE) AS after_to"},
}

func TestSampleTellsEveryDefinition(t *testing.T) {
	if testing.Short() {
		t.Skip("rebuilds the sample's derived tables once per definition")
	}
	ctx := context.Background()
	conn := openSampleDB(t)
	// The work lists of the practices holding the edge cases (those of all
	// 35 practices took a third of the test's time and told no definition
	// apart that the others did not).
	edgePractices := sampleEdgeCasePractices(t)
	cfg := DefaultConfig()
	cfg.Disclosure.Enabled = false // exact counts: one person moved must show
	answers := func() map[string]string {
		t.Helper()
		s, err := Open(ctx, conn, cfg) // rebuilds the derived tables when their SQL changed
		if err != nil {
			t.Fatal(err)
		}
		return sampleAnswers(t, s, edgePractices)
	}
	t.Cleanup(func() { rewriteSQL = nil })

	want := answers()
	for name, answer := range want {
		if strings.HasPrefix(answer, "error: ") {
			t.Fatalf("%s on the sample: %s", name, answer)
		}
	}
	for _, m := range definitionMutations {
		if n := strings.Count(query(m.file), m.from); n != 1 {
			t.Errorf("%s: %q is in sql/%s.sql %d times, want once; update the mutation to the SQL", m.rule, m.from, m.file, n)
			continue
		}
		rewriteSQL = func(name, text string) string {
			if name == m.file {
				return strings.Replace(text, m.from, m.to, 1)
			}
			return text
		}
		got := answers()
		rewriteSQL = nil
		var changed []string
		for k, v := range want {
			if got[k] != v {
				changed = append(changed, k)
			}
		}
		slices.Sort(changed)
		if len(changed) == 0 {
			t.Errorf("%s: no indicator on the sample changes; the sample does not test this definition", m.rule)
			continue
		}
		t.Logf("%s: changes %s", m.rule, strings.Join(changed, ", "))
	}
	// With the SQL as written again, the answers are the first ones: the
	// comparison above was against a stable baseline.
	if got := answers(); !mapsEqual(got, want) {
		t.Error("the sample's answers changed with the SQL restored")
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// sampleAnswers is every indicator's answer on the store, as JSON by name:
// each filter-taking method for the whole range and for the last four
// quarters (which counts people by their previous referrals), and the two
// work lists of each of the practices given.
func sampleAnswers(t testing.TB, s *Store, practices []string) map[string]string {
	t.Helper()
	ctx := context.Background()
	opts, err := s.FilterOptions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	put := func(name string, v any, err error) {
		t.Helper()
		if err != nil {
			out[name] = "error: " + err.Error() // a rule that breaks a query changes its answer too
			return
		}
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = string(b)
	}
	filters := map[string]Filter{"all": {}}
	if q := opts.Quarters; len(q) >= 4 {
		filters["last year"] = Filter{From: q[len(q)-4], To: q[len(q)-1]}
	}
	for fname, f := range filters {
		name := func(method string) string { return method + " (" + fname + ")" }
		v1, err := s.Funnel(ctx, f)
		put(name("Funnel"), v1, err)
		v2, err := s.ConversionByCohort(ctx, f)
		put(name("ConversionByCohort"), v2, err)
		v3, err := s.TimeToFirstSession(ctx, f)
		put(name("TimeToFirstSession"), v3, err)
		v4, err := s.SessionRetention(ctx, f)
		put(name("SessionRetention"), v4, err)
		v5, err := s.PracticeBenchmark(ctx, f)
		put(name("PracticeBenchmark"), v5, err)
		v6, err := s.Equity(ctx, f)
		put(name("Equity"), v6, err)
		v7, err := s.Trends(ctx, f)
		put(name("Trends"), v7, err)
		v8, err := s.Headline(ctx, f)
		put(name("Headline"), v8, err)
		v9, err := s.FollowUp(ctx, f)
		put(name("FollowUp"), v9, err)
		v10, err := s.CodingCompleteness(ctx, f)
		put(name("CodingCompleteness"), v10, err)
		v11, err := s.Capacity(ctx, f)
		put(name("Capacity"), v11, err)
		v12, err := s.FillRates(ctx, f)
		put(name("FillRates"), v12, err)
		v13, err := s.CourseFills(ctx, f, CoursePage{})
		put(name("CourseFills"), v13, err)
		v14, err := s.WaitsBySlot(ctx, f)
		put(name("WaitsBySlot"), v14, err)
		v16, err := s.DemandHeatmap(ctx, f)
		put(name("DemandHeatmap"), v16, err)
		v17, err := s.CampaignEffect(ctx, f)
		put(name("CampaignEffect"), v17, err)
	}
	for _, code := range practices {
		v1, err := s.FollowUpWorkList(ctx, code)
		put(fmt.Sprintf("FollowUpWorkList (%s)", code), v1, err)
		v2, err := s.CodingWorkList(ctx, code)
		put(fmt.Sprintf("CodingWorkList (%s)", code), v2, err)
	}
	return out
}

// sampleEdgeCasePractices lists the practices of the sample's edge cases,
// from its manifest.
func sampleEdgeCasePractices(t testing.TB) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "sample-data", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		EdgeCases []struct {
			PracticeCode string `json:"practice_code"`
		} `json:"edge_cases"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range m.EdgeCases {
		if !slices.Contains(out, e.PracticeCode) {
			out = append(out, e.PracticeCode)
		}
	}
	if len(out) == 0 {
		t.Fatal("the sample's manifest lists no edge cases: regenerate it (uptake generate --out sample-data --seed 1)")
	}
	slices.Sort(out)
	return out
}
