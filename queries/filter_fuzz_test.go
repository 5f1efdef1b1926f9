package queries

import (
	"errors"
	"net/url"
	"testing"
	"unicode/utf8"
)

// FuzzParseFilter gives ParseFilter query strings and values from the
// fuzzer. It must never panic; a refusal must be a *FilterError with a
// message for the 400 page; and an accepted filter must survive the trip
// through Query, which links use to keep the view: parsed again, it is the
// same filter. CI runs it briefly (.ci/run).
func FuzzParseFilter(f *testing.F) {
	f.Add("from=2025Q3&to=2026Q2&practice=f83004", uint8(4), "Face-To-Face")
	f.Add("pcn=Islington+North+PCN&language=Turkish", uint8(7), "text message")
	f.Add("from=2026Q2&to=2025Q1", uint8(0), "")
	f.Add("mode=online&mode=online", uint8(6), "gp")
	f.Add("language=%00&referrer=self", uint8(2), "  \u00a0Haringey PCN\u0085 ")
	f.Add("practice=%C5%BF12345", uint8(3), "\xff")
	f.Fuzz(func(t *testing.T, query string, field uint8, value string) {
		v, _ := url.ParseQuery(query) // a malformed query still yields what it could read
		if v == nil {
			v = url.Values{}
		}
		v.Add(FilterFields[int(field)%len(FilterFields)], value)
		got, err := ParseFilter(v)
		if err != nil {
			var fe *FilterError
			if !errors.As(err, &fe) || fe.Message == "" || fe.Field == "" {
				t.Fatalf("ParseFilter(%v) error %#v; want a *FilterError with field and message", v, err)
			}
			return
		}
		for i, val := range got.values() {
			if len(val) > maxFilterValue || !utf8.ValidString(val) || !validText(val) {
				t.Errorf("ParseFilter(%v) accepted %s=%q", v, FilterFields[i], val)
			}
		}
		again, err := ParseFilter(got.Query())
		if err != nil {
			t.Fatalf("ParseFilter(%v) = %+v, whose Query %v is refused: %v", v, got, got.Query(), err)
		}
		if again != got {
			t.Fatalf("ParseFilter(%v) = %+v, but its Query %v parses to %+v", v, got, got.Query(), again)
		}
	})
}
