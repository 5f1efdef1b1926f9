package queries

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseReferenceValues(t *testing.T) {
	good := "indicator,period,value,label,source\n" +
		"conversion,,8.7,England (2016 cohort),National Diabetes Audit 2017-18\n" +
		"follow_up,2025q3,75%,Region,ICB report\n"
	refs, err := ParseReferenceValues(strings.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	want := []ReferenceValue{
		{Indicator: "conversion", Value: 8.7, Label: "England (2016 cohort)", Source: "National Diabetes Audit 2017-18"},
		{Indicator: "follow_up", Period: "2025Q3", Value: 75, Label: "Region", Source: "ICB report"},
	}
	if len(refs) != 2 || refs[0] != want[0] || refs[1] != want[1] {
		t.Errorf("got %+v, want %+v", refs, want)
	}

	for _, c := range []struct{ name, file, want string }{
		{"header", "indicator,value,label\n", "line 1: the header must be indicator,period,value,label,source"},
		{"indicator", "indicator,period,value,label,source\nuptake,,8,a,b\n", `line 2: indicator "uptake" must be one of referral_rate`},
		{"period", "indicator,period,value,label,source\nconversion,2025-03,8,a,b\n", `line 2: period "2025-03" must be a quarter like 2025Q3`},
		{"value", "indicator,period,value,label,source\nconversion,,108,a,b\n", `line 2: value "108" must be a percentage from 0 to 100`},
		{"not a number", "indicator,period,value,label,source\nconversion,,n/a,a,b\n", `line 2: value "n/a"`},
		{"label", "indicator,period,value,label,source\nconversion,,8,,b\n", "line 2: label and source must not be empty"},
		{"fields", "indicator,period,value,label,source\nconversion,,8\n", "line 2: 3 values, want 5"},
		{"duplicate", "indicator,period,value,label,source\nconversion,,8,a,b\nconversion,,9,a,c\n", "line 3: conversion \"a\" for period \"\" is already given on line 2"},
		{"several", "indicator,period,value,label,source\nconversion,,8,a,b\nx,,9,a,c\nconversion,,-1,c,d\n", "line 4: value"},
	} {
		_, err := ParseReferenceValues(strings.NewReader(c.file))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v; want an error with %q", c.name, err, c.want)
		}
	}
}

// TestReferenceValuesInAnswers: the reference values configured reach the
// trends (every quarter's, and a quarter's within the range) and the
// benchmark (every quarter's, and a quarter's only when the range is that
// quarter).
func TestReferenceValuesInAnswers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "refs.csv")
	if err := os.WriteFile(path, []byte("indicator,period,value,label,source\n"+
		"conversion,,8.7,England,NDA\n"+
		"conversion,2025Q4,30,Region 2025Q4,ICB\n"+
		"conversion,2024Q1,31,Region 2024Q1,ICB\n"+
		"referral_rate,,5,England,NDA\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	refs, err := ReadReferenceValues(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg := plainLimits(false)
	cfg.References = refs
	s := buildBenchmarkFixture(t).store(cfg)
	ctx := context.Background()

	tr, err := s.Trends(ctx, Filter{From: "2025Q4"})
	if err != nil {
		t.Fatal(err)
	}
	if got := labels(tr.References); got != "England|Region 2025Q4" {
		t.Errorf("trends from 2025Q4: references %s, want England|Region 2025Q4", got)
	}
	b, err := s.PracticeBenchmark(ctx, Filter{From: "2025Q4", To: "2025Q4"})
	if err != nil {
		t.Fatal(err)
	}
	if got := labels(b.Conversion.References); got != "England|Region 2025Q4" {
		t.Errorf("benchmark 2025Q4 conversion: %s", got)
	}
	if got := labels(b.ReferralRate.References); got != "England" || b.ReferralRate.References[0].Value != 5 {
		t.Errorf("benchmark 2025Q4 referral rate: %+v", b.ReferralRate.References)
	}
	if got := labels(b.FollowUp.References); got != "" {
		t.Errorf("benchmark follow-up: %s, want none", got)
	}
	all, err := s.PracticeBenchmark(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if got := labels(all.Conversion.References); got != "England" {
		t.Errorf("benchmark over all quarters: conversion %s, want England only", got)
	}
}

func labels(refs []ReferenceValue) string {
	var out []string
	for _, r := range refs {
		out = append(out, r.Label)
	}
	return strings.Join(out, "|")
}
