package accounts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// DemoAccount is a demo user of the sample data with its published
// password, for the sign-in page to list under a clear "demo" label.
type DemoAccount struct {
	Username     string `json:"username"`
	Password     string `json:"password"`
	DisplayName  string `json:"display_name"`
	Role         Role   `json:"role"`
	PracticeCode string `json:"practice_code,omitempty"`
}

// demoAccounts are the published demo accounts, one per role. Their
// passwords are public by design, so they skip CheckPassword.
var demoAccounts = []DemoAccount{
	{Username: demoPrefix + "commissioner", Password: "demo-commissioner", DisplayName: "Demo commissioner", Role: RoleCommissioner},
	{Username: demoPrefix + "service-lead", Password: "demo-service-lead", DisplayName: "Demo service lead", Role: RoleServiceLead},
	{Username: demoPrefix + "practice", Password: "demo-practice", DisplayName: "Demo practice user", Role: RolePractice},
	{Username: demoPrefix + "admin", Password: "demo-admin", DisplayName: "Demo administrator", Role: RoleAdmin},
}

// EnsureDemoUsers creates the sample data's demo accounts that do not exist
// yet, one per role (the practice user belongs to the first practice by
// ODS code), and returns those that can sign in, with their passwords.
// It also lets demo accounts sign in through this Store: through any Store
// that was not asked, they are refused as if unknown.
//
// Call it only when serving the SAMPLE database, on the Store the
// dashboard uses, and never for a real database: the passwords are
// published. A demo account that an administrator disabled stays disabled
// and is not listed.
func (s *Store) EnsureDemoUsers(ctx context.Context) ([]DemoAccount, error) {
	now := s.at(time.Time{})
	system := Actor{Username: "system"}
	var out []DemoAccount
	err := s.write(ctx, func(tx *sql.Tx) error {
		var firstPractice sql.NullString
		if err := tx.QueryRowContext(ctx, query("first_practice")).Scan(&firstPractice); err != nil {
			return err
		}
		for _, d := range demoAccounts {
			u, err := userByUsername(ctx, tx, d.Username)
			switch {
			case err == nil:
				if !u.Demo || u.Disabled {
					continue
				}
				d.PracticeCode = u.PracticeCode
			case !errors.Is(err, ErrNoSuchUser):
				return err
			case d.Role == RolePractice && !firstPractice.Valid:
				continue // no practices loaded: no practice to belong to
			default:
				if d.Role == RolePractice {
					d.PracticeCode = firstPractice.String
				}
				hash, err := hashPassword(ctx, d.Password)
				if err != nil {
					return err
				}
				if _, err := insertUser(ctx, tx, User{
					Username: d.Username, DisplayName: d.DisplayName, Role: d.Role, PracticeCode: d.PracticeCode,
					Demo: true, CreatedAt: now, UpdatedAt: now, passwordHash: hash,
				}); err != nil {
					return err
				}
				if err := insertEvent(ctx, tx, system.event(ActionUserAdded, fmt.Sprintf("added demo account %s as %s", d.Username, d.Role), now)); err != nil {
					return err
				}
			}
			out = append(out, d)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("demo accounts: %w", err)
	}
	s.demo.Store(true)
	return out, nil
}
