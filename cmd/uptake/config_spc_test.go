package main

import (
	"strings"
	"testing"

	"github.com/uptake-nhs/uptake/queries"
)

// The SPC settings load onto their defaults field by field: a target
// alone keeps the measure's direction, and a typo or a wrong value is an
// error that names the setting.
func TestLoadSPCSettings(t *testing.T) {
	s, err := loadSettings(writeConfig(t, `{"spc": {"follow_up": {"target": 80}, "rebase": ["2025-04-01"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	fu := s.SPC.FollowUp
	if fu.Target == nil || *fu.Target != 80 || fu.Improvement != "increase" || s.SPC.RunLength != 7 ||
		len(s.SPC.Rebase) != 1 || s.SPC.Coding.Improvement != "increase" {
		t.Errorf("got %+v", s.SPC)
	}
	if s.Config.Hash() != queries.DefaultConfig().Hash() {
		t.Error("SPC settings changed the hash of the derived tables")
	}
	for text, want := range map[string]string{
		`{"spc": {"coding": {"improvement": "down"}}}`: `spc.coding.improvement must be "increase" or "decrease", not "down"`,
		`{"spc": {"folow_up": {"target": 80}}}`:        `unknown field "folow_up"`,
		`{"spc": {"run_length": 0}}`:                   "spc.run_length must be 2 to 24 points",
		`{"spc": {"rebase": ["1/4/2025"]}}`:            `spc.rebase: "1/4/2025" is not a date written YYYY-MM-DD`,
	} {
		if _, err := loadSettings(writeConfig(t, text)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v; want %q", text, err, want)
		}
	}
}
