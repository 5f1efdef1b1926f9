package delivery

import (
	"context"

	"github.com/uptake-nhs/uptake/accounts"
)

// Auditor is where audit events go: an *accounts.Store.
type Auditor interface {
	Audit(ctx context.Context, e accounts.Event) error
}

// AuditTo returns an Options.Audit that writes each outcome to log as
// done by by (the command line's actor, "cli:" and the operating-system
// user): accounts.ActionSend for a message sent, ActionSendFailed for one
// that failed, with Outcome.Detail as the detail.
func AuditTo(log Auditor, by accounts.Actor) func(context.Context, Outcome) error {
	return func(ctx context.Context, o Outcome) error {
		return log.Audit(ctx, o.Event(by))
	}
}

// Event is the audit event recording o, done by by.
func (o Outcome) Event(by accounts.Actor) accounts.Event {
	action := accounts.ActionSend
	if !o.Sent {
		action = accounts.ActionSendFailed
	}
	return accounts.Event{Username: by.Username, Role: by.Role, Action: action, Detail: o.Detail(), RemoteAddr: by.RemoteAddr}
}
