package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/uptake-nhs/uptake/accounts"
	"github.com/uptake-nhs/uptake/ingest"
)

// auditLoad records a quarter load from the command line, done or refused,
// in the audit log. The detail names the folder and the outcome, never the
// refusal's text, which may quote a row.
func auditLoad(ctx context.Context, store *accounts.Store, by accounts.Actor, dir string, res *ingest.Result, loadErr error) error {
	detail := fmt.Sprintf("folder %s: refused", filepath.Base(dir))
	if loadErr == nil && res != nil {
		detail = fmt.Sprintf("%s from folder %s: %s, %d rows accepted, %d rejected", res.Quarter, filepath.Base(dir), res.Action, res.Accepted, res.Rejected)
	}
	return store.Audit(ctx, accounts.Event{Username: by.Username, Role: by.Role, Action: accounts.ActionLoad, Detail: detail, RemoteAddr: by.RemoteAddr})
}
