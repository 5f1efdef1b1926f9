package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/uptake-nhs/uptake/accounts"
	"github.com/uptake-nhs/uptake/ingest"
)

// auditLoad records a quarter load from the command line, done or refused,
// in the audit log. The detail names the folder and the outcome, never the
// refusal's text, which may quote a row; a load accepted over the
// rejection ceiling names each file that broke it and how.
func auditLoad(ctx context.Context, store *accounts.Store, by accounts.Actor, dir string, res *ingest.Result, loadErr error) error {
	detail := fmt.Sprintf("folder %s: refused", filepath.Base(dir))
	var refused *ingest.RefusedError
	if errors.As(loadErr, &refused) && refused.Overridable {
		detail += " for its rejected rows (" + ceilingBreaches(refused.Problems) + ")"
	}
	if loadErr == nil && res != nil {
		detail = fmt.Sprintf("%s from folder %s: %s, %d rows accepted, %d rejected", res.Quarter, filepath.Base(dir), res.Action, res.Accepted, res.Rejected)
		if len(res.OverCeiling) > 0 {
			detail += "; accepted over the rejection ceiling: " + ceilingBreaches(res.OverCeiling)
		}
	}
	return store.Audit(ctx, accounts.Event{Username: by.Username, Role: by.Role, Action: accounts.ActionLoad, Detail: detail, RemoteAddr: by.RemoteAddr})
}

// ceilingBreaches says, for the audit log, how each file broke the
// rejection ceiling. These reasons hold counts, shares and quarters only.
func ceilingBreaches(problems []ingest.Problem) string {
	parts := make([]string, len(problems))
	for i, p := range problems {
		parts[i] = p.File + " " + p.Rule + ": " + p.Reason
	}
	return strings.Join(parts, "; ")
}
