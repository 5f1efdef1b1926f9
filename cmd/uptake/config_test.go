package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uptake-nhs/uptake/db"
	"github.com/uptake-nhs/uptake/ingest"
	"github.com/uptake-nhs/uptake/queries"
)

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "uptake.json")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// One file holds both the indicator settings and the database section;
// what it leaves out keeps its default.
func TestLoadSettings(t *testing.T) {
	s, err := loadSettings("")
	if err != nil || s.Database != db.DefaultEngine() || s.FollowUpWindowDays != queries.DefaultConfig().FollowUpWindowDays {
		t.Fatalf("defaults: %+v, %v", s, err)
	}
	s, err = loadSettings(writeConfig(t, `{"follow_up_window_days": 21, "database": {"threads": 2}}`))
	if err != nil {
		t.Fatal(err)
	}
	if s.FollowUpWindowDays != 21 || s.Database.Threads != 2 || s.Database.MemoryLimit != db.DefaultEngine().MemoryLimit {
		t.Errorf("got %+v", s)
	}
	s, err = loadSettings(writeConfig(t, `{"aliases": {"referrals": {"Date of referral": "referral_date"}}, "rejection_ceiling": {"any_file": 0.5}}`))
	if err != nil {
		t.Fatal(err)
	}
	if s.Aliases["referrals"]["Date of referral"] != "referral_date" || s.Rejections.AnyFile != 0.5 || s.Rejections.ReferenceFiles != ingest.DefaultCeiling().ReferenceFiles {
		t.Errorf("aliases and ceiling: %+v, %+v", s.Aliases, s.Rejections)
	}
	if s.Config.Hash() != queries.DefaultConfig().Hash() {
		t.Error("aliases or the rejection ceiling changed the indicator configuration's hash")
	}
	s, _ = loadSettings(writeConfig(t, `{"follow_up_window_days": 21, "database": {"threads": 2}}`))
	// Engine settings must not rebuild the derived tables.
	if s.Config.Hash() != func() queries.Config { c := queries.DefaultConfig(); c.FollowUpWindowDays = 21; return c }().Hash() {
		t.Error("the database section changed the indicator configuration's hash")
	}
	for text, want := range map[string]string{
		`{"database": {"memory_limit": "a lot"}}`:              "database.memory_limit",
		`{"database": {"memory": "1GB"}}`:                      `unknown field "memory"`,
		`{"folow_up_window_days": 21}`:                         `unknown field "folow_up_window_days"`,
		`{"completion_sessions": 9}`:                           "completion_sessions must be 1-7",
		`{"aliases": {"referrals": {"When": "referal_date"}}}`: `"referal_date" is not a column of referrals`,
		`{"rejection_ceiling": {"any_file": 2}}`:               "rejection_ceiling.any_file",
		`{"rejection_ceiling": {"any_fle": 0.5}}`:              `unknown field "any_fle"`,
	} {
		if _, err := loadSettings(writeConfig(t, text)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v; want %q", text, err, want)
		}
	}
}
