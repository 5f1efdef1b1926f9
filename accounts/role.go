package accounts

import (
	"strings"
)

// Role is what a user may see and do.
type Role string

// The four roles of issue 5.
const (
	// RoleCommissioner sees every aggregate for every practice.
	RoleCommissioner Role = "commissioner"
	// RoleServiceLead sees the provider's views and loads data.
	RoleServiceLead Role = "service_lead"
	// RolePractice sees every aggregate, and the identifiable work lists
	// of its own practice only.
	RolePractice Role = "practice"
	// RoleAdmin manages users and loads data.
	RoleAdmin Role = "admin"
)

// Roles lists every role, in the order forms offer them.
func Roles() []Role {
	return []Role{RoleCommissioner, RoleServiceLead, RolePractice, RoleAdmin}
}

// ParseRole reads a role as people type it: case does not matter, and
// "service lead" or "service-lead" mean service_lead.
func ParseRole(s string) (Role, error) {
	norm := strings.ToLower(strings.TrimSpace(s))
	norm = strings.NewReplacer("-", "_", " ", "_").Replace(norm)
	for _, r := range Roles() {
		if norm == string(r) {
			return r, nil
		}
	}
	return "", invalid("role", "%q is not a role: choose commissioner, service_lead, practice or admin.", s)
}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool {
	for _, x := range Roles() {
		if r == x {
			return true
		}
	}
	return false
}

// Label is the role's name for people.
func (r Role) Label() string {
	switch r {
	case RoleCommissioner:
		return "Commissioner"
	case RoleServiceLead:
		return "Service lead"
	case RolePractice:
		return "Practice user"
	case RoleAdmin:
		return "Administrator"
	}
	return string(r)
}

// CanLoadData reports whether the role may load quarters: service leads
// and administrators.
func (r Role) CanLoadData() bool { return r == RoleServiceLead || r == RoleAdmin }

// CanManageUsers reports whether the role may add, disable and reset
// users and read the audit log: administrators only.
func (r Role) CanManageUsers() bool { return r == RoleAdmin }

// CanSeeWorkList reports whether u may see the identifiable work lists
// (non-attenders to follow up, outcomes to code) of the practice with ODS
// code practiceCode. This is the disclosure rule for work lists: only
// that practice's own users, never commissioners, service leads or
// administrators, and never a user of another practice.
func (u User) CanSeeWorkList(practiceCode string) bool {
	return u.Role == RolePractice && !u.Disabled && u.PracticeCode != "" &&
		strings.EqualFold(u.PracticeCode, strings.TrimSpace(practiceCode))
}
