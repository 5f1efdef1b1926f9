package delivery

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/uptake-nhs/uptake"
)

// Contacts says where each practice's list goes: the addresses of each
// practice, by ODS code, as read from the contacts CSV.
type Contacts struct {
	// Practices maps an ODS code (upper case) to its addresses, in the
	// order the file gives them.
	Practices map[string][]string
	// Warnings are things to check that are not errors, such as one
	// address listed for two practices (a shared mailbox, or a row copied
	// and half changed). Deliver prints them.
	Warnings []string
}

// maxProblems is how many of a contacts file's problems an error lists.
const maxProblems = 20

// LoadContacts reads and checks the practice contacts CSV at path (see
// ParseContacts).
func LoadContacts(path string) (Contacts, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Contacts{}, fmt.Errorf("reading the practice contacts file (delivery.contacts): %w", err)
	}
	return ParseContacts(bytes.NewReader(b), filepath.Base(path))
}

// ParseContacts reads a practice contacts CSV, named name in its errors.
// The file is what a spreadsheet saves as "CSV UTF-8": a header row
// practice_code,email (either order, any case, other columns such as the
// practice's name allowed and ignored), then one row per practice
// with its ODS code and its address. A practice with several addresses
// gives them in one cell separated by ";" (as Outlook writes them), never
// as a second row: a practice code on two rows is an error, because the
// usual cause is a row copied for another practice whose code was left
// unchanged, which would send one practice's list to another. Blank rows
// and empty cells after the two columns are ignored; a byte-order mark and
// Windows line ends are fine.
//
// Every problem is reported with its line number, up to 20, in one
// *uptake.Error (EINVALID), so that the file can be put right in one go.
func ParseContacts(r io.Reader, name string) (Contacts, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return Contacts{}, fmt.Errorf("reading the practice contacts file %s: %w", name, err)
	}
	fail := func(format string, args ...any) (Contacts, error) {
		return Contacts{}, uptake.Errorf(uptake.EINVALID, "practice contacts file %s: "+format, append([]any{name}, args...)...)
	}
	switch {
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}), bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return fail("it is saved as Unicode text (UTF-16); save it as \"CSV UTF-8 (Comma delimited)\"")
	case !utf8.Valid(b):
		return fail("it is not UTF-8 text; save it as \"CSV UTF-8 (Comma delimited)\"")
	}
	b = bytes.TrimPrefix(b, []byte("\uFEFF"))

	cr := csv.NewReader(bytes.NewReader(b))
	cr.FieldsPerRecord = -1
	var (
		c        = Contacts{Practices: map[string][]string{}}
		problems []string
		codeCol  = -1
		width    int // cells in the header; other columns are for people
		mailCol  = -1
		codeLine = map[string]int{}      // ODS code → line it is on
		byAddr   = map[string][]string{} // lower-case address → "F83004 (line 2)"
	)
	problem := func(line int, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("line %d: ", line)+fmt.Sprintf(format, args...))
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			// csv's own words ("bare \" in non-quoted-field") mean
			// little to whoever keeps the file.
			problem(pe.Line, "a quote mark (\") is out of place: a cell that holds one must be quoted whole, with the quote mark written twice (\"\")")
			if len(problems) > maxProblems {
				break
			}
			continue
		}
		if err != nil {
			return fail("%v", err)
		}
		line, _ := cr.FieldPos(0)
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		if blank(rec) {
			continue
		}
		if codeCol < 0 {
			codeCol, mailCol = header(rec)
			width = len(rec)
			if codeCol < 0 {
				return fail("line %d: the first row must be the header practice_code,email, not %q", line, strings.Join(rec, ","))
			}
			continue
		}
		switch {
		case len(rec) <= max(codeCol, mailCol):
			problem(line, "a practice code and an email address are needed, found %q", strings.Join(rec, ","))
			continue
		case len(rec) > width && !blank(rec[width:]):
			problem(line, "%d cells where the header has %d; give several addresses in one cell separated by ;", len(rec), width)
			continue
		}
		code, cell := strings.ToUpper(rec[codeCol]), rec[mailCol]
		switch {
		case !isODSCode(code):
			problem(line, "%q is not a practice ODS code (one letter and five digits, e.g. F83004)", rec[codeCol])
			continue
		case codeLine[code] != 0:
			problem(line, "practice %s is already on line %d: give each practice one row, with several addresses in one cell separated by ;", code, codeLine[code])
			continue
		case cell == "":
			problem(line, "no email address for practice %s: leave the practice out if it has none (its list is then reported as not sent)", code)
			continue
		}
		codeLine[code] = line
		var addrs []string
		seen := map[string]bool{}
		for part := range strings.SplitSeq(cell, ";") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			a, err := parseAddress(part)
			if err != nil {
				problem(line, "practice %s: %v", code, err)
				continue
			}
			key := strings.ToLower(a.Address)
			if seen[key] {
				continue
			}
			seen[key] = true
			addrs = append(addrs, a.String())
			byAddr[key] = append(byAddr[key], fmt.Sprintf("%s (line %d)", code, line))
		}
		if len(addrs) > 0 {
			c.Practices[code] = addrs
		}
		if len(problems) > maxProblems {
			break
		}
	}
	if len(problems) > 0 {
		n := len(problems)
		more := ""
		if n > maxProblems {
			problems, more = problems[:maxProblems], "\n  (and more)"
		}
		return fail("%d problem%s:\n  %s%s", n, plural(n), strings.Join(problems, "\n  "), more)
	}
	if codeCol < 0 {
		return fail("it is empty: it needs the header practice_code,email and a row per practice")
	}
	if len(c.Practices) == 0 {
		return fail("it lists no practices")
	}
	addrs := make([]string, 0, len(byAddr))
	for a, where := range byAddr {
		if len(where) > 1 {
			addrs = append(addrs, a)
		}
	}
	sort.Strings(addrs)
	for _, a := range addrs {
		c.Warnings = append(c.Warnings, fmt.Sprintf("%s is listed for %s: each of those practices' lists goes to it; check that it belongs to all of them", a, strings.Join(byAddr[a], " and ")))
	}
	return c, nil
}

// header finds the practice_code and email columns of a header row,
// allowing any case, spaces for underscores and "email address"; -1 if
// the row is not a header.
func header(rec []string) (code, email int) {
	code, email = -1, -1
	for i, h := range rec {
		switch strings.ReplaceAll(strings.ToLower(h), " ", "_") {
		case "practice_code", "ods_code":
			code = i
		case "email", "email_address", "e-mail":
			email = i
		}
	}
	if code < 0 || email < 0 {
		return -1, -1
	}
	return code, email
}

func blank(rec []string) bool {
	for _, s := range rec {
		if strings.TrimSpace(s) != "" {
			return false
		}
	}
	return true
}

// isODSCode reports whether s is a practice ODS code as ingest stores it:
// one upper-case letter and five digits.
func isODSCode(s string) bool {
	if len(s) != 6 || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for _, r := range s[1:] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
