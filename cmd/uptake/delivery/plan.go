package delivery

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
)

// Outputs are the files uptake report wrote for one quarter, by path.
type Outputs struct {
	// Quarter is the quarter the files are for, e.g. "2026Q2".
	Quarter string
	// Pack is the commissioners' pack: uptake-pack-2026Q2.pdf and, at
	// scale, uptake-pack-2026Q2-practices.xlsx.
	Pack []string
	// Practices maps a practice's ODS code to its own files,
	// practices/CODE-2026Q2.pdf and .xlsx. Each file's name must start
	// with the code and a hyphen.
	Practices map[string][]string
}

// Role says whom a message is for.
type Role string

// The two kinds of message: a practice's own list, and the pack.
const (
	RolePractice      Role = "practice"
	RoleCommissioners Role = "commissioners"
)

// Message is one email of a Plan.
type Message struct {
	Role     Role
	Practice string   // the practice's ODS code; empty for the commissioners
	To       []string // addresses, as the configuration or contacts file gives them
	Subject  string
	Files    []string // paths of the attachments
}

// Plan is who gets what for one quarter: one message per practice that
// has files and an address, holding only that practice's files, and one
// message to the commissioners holding the pack.
type Plan struct {
	Quarter  string
	Messages []Message
	// Missing are the practices with files but no address in the contacts
	// file, sorted. Their lists are not sent; that is reported, and is
	// not by itself an error.
	Missing []string
}

// NewPlan plans the messages for out: practices in code order, then the
// commissioners. A practice with no files gets no message; one with files
// but no address is listed in Missing.
func NewPlan(cfg Config, contacts Contacts, out Outputs) Plan {
	p := Plan{Quarter: out.Quarter}
	codes := make([]string, 0, len(out.Practices))
	for code, files := range out.Practices {
		if len(files) > 0 {
			codes = append(codes, code)
		}
	}
	sort.Strings(codes)
	for _, code := range codes {
		to := contacts.Practices[strings.ToUpper(code)]
		if len(to) == 0 {
			p.Missing = append(p.Missing, code)
			continue
		}
		p.Messages = append(p.Messages, Message{
			Role: RolePractice, Practice: code, To: to,
			Subject: fmt.Sprintf("Diabetes education: your practice list for %s", out.Quarter),
			Files:   out.Practices[code],
		})
	}
	if len(out.Pack) > 0 && len(cfg.Commissioners) > 0 {
		p.Messages = append(p.Messages, Message{
			Role: RoleCommissioners, To: cfg.Commissioners,
			Subject: fmt.Sprintf("Diabetes education: quarterly pack for %s", out.Quarter),
			Files:   out.Pack,
		})
	}
	return p
}

// Check asserts that nobody gets another practice's list: every file of a
// practice's message is named for that practice (CODE-…), and no file of
// the commissioners' message is named like a practice's list. Send calls
// it before sending anything; an error here is a bug in the caller, never
// something to retry.
func (p Plan) Check() error {
	var errs []error
	for _, m := range p.Messages {
		if len(m.To) == 0 {
			errs = append(errs, fmt.Errorf("a message for %s has no recipient", m.who()))
		}
		for _, f := range m.Files {
			base := filepath.Base(f)
			switch m.Role {
			case RolePractice:
				if !isODSCode(m.Practice) || !strings.HasPrefix(base, m.Practice+"-") {
					errs = append(errs, fmt.Errorf("practice %s's message would carry %s, which is not named for that practice", m.Practice, base))
				}
			case RoleCommissioners:
				if practiceFile(base) {
					errs = append(errs, fmt.Errorf("the commissioners' message would carry %s, which is named like a practice's list", base))
				}
			default:
				errs = append(errs, fmt.Errorf("a message with unknown role %q", m.Role))
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("refusing to send anything: %w", err)
	}
	return nil
}

// practiceFile reports whether a file name starts like a practice's list,
// with an ODS code and a hyphen.
func practiceFile(base string) bool {
	return len(base) > 7 && base[6] == '-' && isODSCode(base[:6])
}

// who names a message's recipient for people: "practice F83004" or
// "the commissioners".
func (m Message) who() string {
	if m.Role == RolePractice {
		return "practice " + m.Practice
	}
	return "the commissioners"
}

// fileNames returns the base names of m's files.
func (m Message) fileNames() []string {
	names := make([]string, len(m.Files))
	for i, f := range m.Files {
		names[i] = filepath.Base(f)
	}
	return names
}
