package queries

import (
	"errors"
	"math"
	"testing"
)

// Fixture helpers and assertions shared by the tests of the
// service-facing indicators (follow-up, coding, venue and time demand,
// campaigns, data).

// boroughPractices adds the three practices of the service fixtures to
// the snapshot of every quarter given and records each quarter as loaded.
// Archway Medical Centre never has a referral: it must still appear, with
// zeros, wherever practices are listed.
func (f *fixture) boroughPractices(quarters ...string) {
	for _, q := range quarters {
		f.practice(q, "F83004", "Hanley Road Surgery", "North PCN", 400)
		f.practice(q, "F83010", "Archway Medical Centre", "North PCN", 300)
		f.practice(q, "F83020", "Bounds Green Practice", "South PCN", 200)
		f.loaded(q)
	}
}

// withDisclosure is DefaultConfig with the small-number rule on.
func withDisclosure() Config { return DefaultConfig() }

// star is a suppressed count; num is a published count of n.
var star = Count{Suppressed: true}

func num(n int64) Count { return Count{N: n} }

// checkCount fails the test when a published count is not what the test
// worked out.
func checkCount(t *testing.T, label string, got, want Count) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", label, got, want)
	}
}

// checkFloat fails unless got is want to within 0.001; want nil means got
// must be nil.
func checkFloat(t *testing.T, label string, got *float64, want any) {
	t.Helper()
	switch w := want.(type) {
	case nil:
		if got != nil {
			t.Errorf("%s = %v, want nil", label, *got)
		}
	case float64:
		if got == nil {
			t.Errorf("%s = nil, want %v", label, w)
		} else if math.Abs(*got-w) > 0.001 {
			t.Errorf("%s = %v, want %v", label, *got, w)
		}
	case int:
		checkFloat(t, label, got, float64(w))
	default:
		t.Fatalf("checkFloat: want %T", want)
	}
}

// checkInt is checkFloat for whole numbers.
func checkInt(t *testing.T, label string, got *int64, want any) {
	t.Helper()
	switch w := want.(type) {
	case nil:
		if got != nil {
			t.Errorf("%s = %d, want nil", label, *got)
		}
	case int:
		if got == nil || *got != int64(w) {
			t.Errorf("%s = %v, want %d", label, deref(got), w)
		}
	default:
		t.Fatalf("checkInt: want %T", want)
	}
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// checkProportion checks a Proportion's published counts, its percentage
// and its interval (lo, hi in percent; nil for none).
func checkProportion(t *testing.T, label string, got Proportion, numerator, denominator Count, percent, lo, hi any) {
	t.Helper()
	checkCount(t, label+" numerator", got.Numerator, numerator)
	checkCount(t, label+" denominator", got.Denominator, denominator)
	checkFloat(t, label+" percent", got.Percent, percent)
	checkFloat(t, label+" ci_low", got.CILow, lo)
	checkFloat(t, label+" ci_high", got.CIHigh, hi)
}

// checkFilterError fails unless err is a *FilterError for field.
func checkFilterError(t *testing.T, err error, field string) {
	t.Helper()
	var fe *FilterError
	if !errors.As(err, &fe) {
		t.Fatalf("error = %v, want a *FilterError for %s", err, field)
	}
	if fe.Field != field {
		t.Errorf("FilterError field = %q, want %q (%v)", fe.Field, field, err)
	}
}
