package dashboard

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/uptake-nhs/uptake/accounts"
	"github.com/uptake-nhs/uptake/queries"
)

// spcReferralsByMonth is the fixture series of the end-to-end SPC test:
// referrals made in each month of 2024, alternating 20 and 30, and 90 in
// December. Worked by hand:
//
//	mean            (6 x 20 + 5 x 30 + 90) / 12 = 360 / 12 = 30
//	moving ranges   ten of 10, then |90 - 20| = 70: mean 170 / 11 = 15.45
//	screened        70 is above 3.267 x 15.45 = 50.5: mean moving range 10
//	limits          30 -/+ 2.66 x 10: 3.4 to 56.6
//
// December's 90 is beyond the upper limit; no other month is special (the
// 30s lie on the mean, which ends every run, and the 20s are not near a
// limit). Every count is a multiple of 5 and at least 8, so the
// disclosure rule publishes them as they are.
var spcReferralsByMonth = []int{20, 30, 20, 30, 20, 30, 20, 30, 20, 30, 20, 90}

// writeSPCQuarters writes the four quarters of 2024 as extract folders
// under dir: one practice, one venue, and the referrals of
// spcReferralsByMonth; every other file has its header only.
func writeSPCQuarters(t *testing.T, dir string) []string {
	t.Helper()
	headers := map[string]string{
		"practices.csv":      "practice_code,practice_name,pcn,list_size,t2d_register\nF83004,Archway Medical Centre,North PCN,9000,600\n",
		"venues.csv":         "venue_id,venue_name,postcode,ward,step_free\nV01,Archway Centre,N19 5SE,Junction,yes\n",
		"courses.csv":        "course_id,venue_id,mode,language,weekday,start_time,first_session_date,sessions_planned,capacity,status\n",
		"attendance.csv":     "referral_id,course_id,session_number,session_date,attended\n",
		"outcomes.csv":       "referral_id,outcome,outcome_date,practice_notified_date\n",
		"followups.csv":      "referral_id,followup_date,followup_by,method,result\n",
		"gp_codes.csv":       "practice_code,patient_id,code,code_date\n",
		"text_campaigns.csv": "practice_code,date_sent,messages_sent\n",
	}
	var folders []string
	for q := 1; q <= 4; q++ {
		folder := filepath.Join(dir, fmt.Sprintf("2024Q%d", q))
		if err := os.MkdirAll(folder, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, text := range headers {
			if err := os.WriteFile(filepath.Join(folder, name), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		var b strings.Builder
		b.WriteString("referral_id,patient_id,practice_code,referral_date,referrer,channel,patient_or_carer,age_band,sex,ethnic_group,language,years_since_diagnosis,imd_quintile,preferred_mode,preferred_slot\n")
		for month := 3*q - 2; month <= 3*q; month++ {
			for i := range spcReferralsByMonth[month-1] {
				fmt.Fprintf(&b, "R%02d%03d,PX-%02d%03d,F83004,2024-%02d-%02d,GP,letter,patient,60-69,female,White,English,2.0,3,face-to-face,weekday daytime\n",
					month, i, month, i, month, 1+i%28)
			}
		}
		if err := os.WriteFile(filepath.Join(folder, "referrals.csv"), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		folders = append(folders, folder)
	}
	return folders
}

// TestE2ESPCFlagsAKnownSpecialCause loads the fixture through the real
// loader and asks /api/spc of the real store, once with referrals
// improving upwards (the default) and once downwards: December's spike is
// an improvement the first time and a concern the second, and no other
// month is special. It also checks the answer's field names, which are
// the API's contract.
func TestE2ESPCFlagsAKnownSpecialCause(t *testing.T) {
	ctx := t.Context()
	conn, _ := mustLoadDB(t, writeSPCQuarters(t, filepath.Join(t.TempDir(), "extracts"))...)
	acc := accounts.New(conn)
	demo, err := acc.EnsureDemoUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		improvement, cause, variation string
	}{
		{"increase", "improvement", "improvement_high"},
		{"decrease", "concern", "concern_high"},
	} {
		t.Run(tc.improvement, func(t *testing.T) {
			cfg := queries.DefaultConfig()
			cfg.SPC.Referrals.Improvement = tc.improvement
			store, err := queries.Open(ctx, conn, cfg)
			if err != nil {
				t.Fatal(err)
			}
			srv, err := New(store, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Accounts: acc, DemoAccounts: demo})
			if err != nil {
				t.Fatal(err)
			}
			ts := httptest.NewServer(srv.Handler())
			t.Cleanup(ts.Close)
			rs := &realServer{Server: ts, srv: srv, accounts: acc, demo: map[accounts.Role]accounts.DemoAccount{}}
			for _, d := range demo {
				rs.demo[d.Role] = d
			}

			// Without a session the API answers 401; every role may read it.
			if res, _ := newClient(t, ts.URL).get(t, ts.URL+"/api/spc"); res.StatusCode != http.StatusUnauthorized {
				t.Errorf("/api/spc without a session: %d, want 401", res.StatusCode)
			}
			var body string
			for _, role := range []accounts.Role{accounts.RoleCommissioner, accounts.RoleServiceLead, accounts.RolePractice, accounts.RoleAdmin} {
				var res *http.Response
				res, body = rs.as(t, role).get(t, ts.URL+"/api/spc")
				if res.StatusCode != http.StatusOK {
					t.Fatalf("/api/spc as %s: %d\n%.300s", role, res.StatusCode, body)
				}
			}

			var raw map[string]json.RawMessage
			if err := json.Unmarshal([]byte(body), &raw); err != nil {
				t.Fatal(err)
			}
			hasKeys(t, "answer", raw, "measures", "disclosure", "filter", "as_of", "run_length")
			var measures []map[string]json.RawMessage
			if err := json.Unmarshal(raw["measures"], &measures); err != nil || len(measures) != 4 {
				t.Fatalf("measures: %v (%d)", err, len(measures))
			}
			for _, m := range measures {
				hasKeys(t, "measure", m, "measure", "unit", "improvement", "target", "points", "variation", "assurance", "unreliable", "message")
			}
			var referrals struct {
				Measure, Unit, Improvement string
				Target                     *float64
				Variation                  *string
				Assurance                  *string
				Unreliable                 bool
				Points                     []map[string]json.RawMessage
			}
			if err := json.Unmarshal(body2measure(t, raw["measures"], "referrals"), &referrals); err != nil {
				t.Fatal(err)
			}
			if referrals.Unit != "referrals" || referrals.Improvement != tc.improvement || referrals.Target != nil || referrals.Assurance != nil || referrals.Unreliable {
				t.Errorf("referrals: unit %q, improvement %q, target set %v, assurance %s, unreliable %v",
					referrals.Unit, referrals.Improvement, referrals.Target != nil, strOrNone(referrals.Assurance), referrals.Unreliable)
			}
			if referrals.Variation == nil || *referrals.Variation != tc.variation {
				t.Errorf("variation %s, want %s", strOrNone(referrals.Variation), tc.variation)
			}
			if len(referrals.Points) != 12 {
				t.Fatalf("%d points, want 12", len(referrals.Points))
			}
			for i, p := range referrals.Points {
				hasKeys(t, "point", p, "period", "value", "numerator", "denominator", "provisional", "mean", "lpl", "upl", "special_cause", "rules")
				var got struct {
					Period       string
					Value        float64
					Numerator    int
					Denominator  *int
					Provisional  bool
					Mean         float64
					LPL, UPL     float64
					SpecialCause string `json:"special_cause"`
					Rules        []string
				}
				b, _ := json.Marshal(p)
				if err := json.Unmarshal(b, &got); err != nil {
					t.Fatal(err)
				}
				wantCause, wantRules := "none", []string{}
				if i == 11 {
					wantCause, wantRules = tc.cause, []string{"outside_limits"}
				}
				if got.Period != fmt.Sprintf("2024-%02d", i+1) || got.Value != float64(spcReferralsByMonth[i]) || got.Numerator != spcReferralsByMonth[i] ||
					got.Denominator != nil || got.Provisional {
					t.Errorf("point %d: %+v", i, got)
				}
				if got.Mean != 30 || fmt.Sprintf("%.1f %.1f", got.LPL, got.UPL) != "3.4 56.6" {
					t.Errorf("%s: mean %v, limits %v to %v; want 30, 3.4 to 56.6", got.Period, got.Mean, got.LPL, got.UPL)
				}
				if got.SpecialCause != wantCause || !slices.Equal(got.Rules, wantRules) {
					t.Errorf("%s: %s %v, want %s %v", got.Period, got.SpecialCause, got.Rules, wantCause, wantRules)
				}
			}

			// The SPC page draws it and the overview's summary shows the
			// icon with its words.
			c := rs.as(t, accounts.RoleCommissioner)
			_, page := c.get(t, ts.URL+"/")
			label := map[string]string{"increase": "Special cause variation: improvement (high)", "decrease": "Special cause variation: concern (high)"}[tc.improvement]
			if !strings.Contains(page, `aria-label="`+label+`"`) {
				t.Errorf("the overview lacks the icon %q", label)
			}
		})
	}
}

// hasKeys fails the test for each key missing from obj.
func hasKeys(t *testing.T, what string, obj map[string]json.RawMessage, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, ok := obj[k]; !ok {
			t.Errorf("%s lacks %q: %v", what, k, slices.Sorted(mapsKeys(obj)))
		}
	}
}

func mapsKeys(m map[string]json.RawMessage) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// body2measure picks the measure named name out of the measures array.
func body2measure(t *testing.T, measures json.RawMessage, name string) []byte {
	t.Helper()
	var all []json.RawMessage
	if err := json.Unmarshal(measures, &all); err != nil {
		t.Fatal(err)
	}
	for _, m := range all {
		var head struct{ Measure string }
		if json.Unmarshal(m, &head) == nil && head.Measure == name {
			return m
		}
	}
	t.Fatalf("no measure %q", name)
	return nil
}

func strOrNone(s *string) string {
	if s == nil {
		return "none"
	}
	return *s
}
