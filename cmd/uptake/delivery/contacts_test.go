package delivery

import (
	"reflect"
	"strings"
	"testing"

	"github.com/uptake-nhs/uptake"
)

// A file as Excel saves "CSV UTF-8": a byte-order mark, Windows line
// ends, a name column for people, a blank row, a lower-case code, spaces
// around cells, and two addresses in one cell.
func TestLoadContactsFromExcel(t *testing.T) {
	c, err := LoadContacts("testdata/contacts-excel.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"F83004": {"<admin.f83004@example.org>"},
		"F83005": {"<pm.f83005@example.org>", `"Coding Team" <coding.f83005@example.org>`},
		"F83006": {"<park.admin@example.org>"},
	}
	if !reflect.DeepEqual(c.Practices, want) || len(c.Warnings) != 0 {
		t.Errorf("got %v, warnings %v\nwant %v", c.Practices, c.Warnings, want)
	}
	if _, err := LoadContacts("testdata/no-such-file.csv"); err == nil || !strings.Contains(err.Error(), "delivery.contacts") {
		t.Errorf("a missing file: %v", err)
	}
}

// Each problem is reported with its line, in words a practice manager can
// act on, and all of them at once.
func TestParseContactsProblems(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       []string
	}{
		{"bad email", "practice_code,email\nF83004,admin.example.org\nF83005,admin@nhsnet\n",
			[]string{"2 problems", `line 2: practice F83004: "admin.example.org" is not an email address`, `line 3: practice F83005: "admin@nhsnet" is not an email address (its domain "nhsnet" has no dot)`}},
		{"bad code", "practice_code,email\nF8300,a@example.org\n83004F,b@example.org\nF83004,c@example.org\n",
			[]string{"2 problems", `line 2: "F8300" is not a practice ODS code (one letter and five digits, e.g. F83004)`, `line 3: "83004F" is not`}},
		{"duplicate", "practice_code,email\nF83004,a@example.org\nF83005,b@example.org\nf83004,c@example.org\n",
			[]string{"1 problem:", "line 4: practice F83004 is already on line 2: give each practice one row, with several addresses in one cell separated by ;"}},
		{"missing header", "F83004,a@example.org\nF83005,b@example.org\n",
			[]string{`line 1: the first row must be the header practice_code,email, not "F83004,a@example.org"`}},
		{"header after blank lines", "\r\n\r\nemail\r\n",
			[]string{`line 3: the first row must be the header practice_code,email, not "email"`}},
		{"no address", "practice_code,email\nF83004,\n",
			[]string{"line 2: no email address for practice F83004: leave the practice out if it has none"}},
		{"too few cells", "practice_code,email\nF83004\n",
			[]string{`line 2: a practice code and an email address are needed, found "F83004"`}},
		{"too many cells", "practice_code,email\nF83004,a@example.org,b@example.org\n",
			[]string{"line 2: 3 cells where the header has 2; give several addresses in one cell separated by ;"}},
		{"bad quote", "practice_code,email\nF83004,\"a@example.org\n",
			[]string{"line 2:", "quote"}},
		{"empty", "", []string{"it is empty"}},
		{"header only", "\uFEFFpractice_code,email\r\n", []string{"it lists no practices"}},
		{"UTF-16", "\xff\xfep\x00r\x00", []string{"saved as Unicode text (UTF-16)", "CSV UTF-8"}},
		{"Windows-1252", "practice_code,email\nF83004,caf\xe9@example.org\n", []string{"not UTF-8 text"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseContacts(strings.NewReader(tc.text), "contacts.csv")
			if err == nil {
				t.Fatal("no error")
			}
			if uptake.ErrorCode(err) != uptake.EINVALID || !strings.HasPrefix(err.Error(), "practice contacts file contacts.csv: ") {
				t.Errorf("error %q, code %s", err, uptake.ErrorCode(err))
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%s\nlacks %q", err, w)
				}
			}
		})
	}
}

// More than 20 problems are cut to 20, so that a file of the wrong kind
// does not flood the terminal.
func TestParseContactsManyProblems(t *testing.T) {
	text := "practice_code,email\n" + strings.Repeat("X,y\n", 50)
	_, err := ParseContacts(strings.NewReader(text), "c.csv")
	if err == nil || strings.Count(err.Error(), "\n  line ") != 20 || !strings.HasSuffix(err.Error(), "(and more)") {
		t.Errorf("%v", err)
	}
}

// One address for two practices is allowed (a shared mailbox) but pointed
// out, as it is also what a row copied and half changed looks like.
func TestParseContactsSharedAddress(t *testing.T) {
	c, err := ParseContacts(strings.NewReader("practice_code,email\nF83004,Hub <hub@example.org>\nF83005,HUB@example.org;x@example.org;hub@example.org\n"), "c.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Practices["F83005"]) != 2 {
		t.Errorf("a repeated address in one cell: %v", c.Practices["F83005"])
	}
	want := []string{"hub@example.org is listed for F83004 (line 2) and F83005 (line 3): each of those practices' lists goes to it; check that it belongs to all of them"}
	if !reflect.DeepEqual(c.Warnings, want) {
		t.Errorf("warnings %q", c.Warnings)
	}
}
