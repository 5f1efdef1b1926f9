package dashboard

import (
	"context"
	"time"

	"github.com/uptake-nhs/uptake/accounts"
)

// Accounts is what the dashboard asks of package accounts:
// *accounts.Store satisfies it, and tests use a fake. Times are passed in
// (the Server's clock) so that session expiry can be tested.
type Accounts interface {
	// Authenticate checks a password and writes the sign-in (or its
	// failure) to the audit log; the dashboard throttles the attempts.
	Authenticate(ctx context.Context, a accounts.Attempt) (accounts.User, error)
	CreateSession(ctx context.Context, userID int64, now time.Time) (token string, sess accounts.Session, err error)
	LookupSession(ctx context.Context, token string, now time.Time) (accounts.Session, accounts.User, error)
	DeleteSession(ctx context.Context, token string) error
	ChangePassword(ctx context.Context, by accounts.Actor, username, currentPassword, newPassword string, now time.Time) error

	// Audit appends an event (sign-outs, downloads, refusals) to the log;
	// AuditLog reads it, newest first.
	Audit(ctx context.Context, e accounts.Event) error
	AuditLog(ctx context.Context, limit, offset int) ([]accounts.Event, error)

	// Administration. Each writes its own audit event.
	ListUsers(ctx context.Context) ([]accounts.User, error)
	AddUser(ctx context.Context, by accounts.Actor, nu accounts.NewUser) (accounts.User, error)
	DisableUser(ctx context.Context, by accounts.Actor, username string) error
	EnableUser(ctx context.Context, by accounts.Actor, username string) error
	ResetPassword(ctx context.Context, by accounts.Actor, username, newPassword string) error
}

// The real store must satisfy Accounts; this fails to compile if its API
// drifts.
var _ Accounts = (*accounts.Store)(nil)
