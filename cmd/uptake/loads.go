package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/uptake-nhs/uptake"
	"github.com/uptake-nhs/uptake/accounts"
	"github.com/uptake-nhs/uptake/dashboard"
	"github.com/uptake-nhs/uptake/ingest"
	"github.com/uptake-nhs/uptake/queries"
)

// quarterLoads is the server's single writer of quarters: loads handed
// over through the control socket and loads uploaded on the Data page both
// go through it, so they run one at a time, refresh the store's derived
// tables inside the load's transaction, and are audited the same way
// (auditLoad).
type quarterLoads struct {
	mu    sync.Mutex // one load at a time
	db    *sql.DB
	store *queries.Store
	users *accounts.Store
	log   *slog.Logger
	// parquet is the export the server reads (serve --parquet): loads are
	// refused, since its extract tables are views over the export's files.
	parquet string
	// aliases and ceiling are the configuration's, for every load.
	aliases ingest.Aliases
	ceiling ingest.RejectionCeiling
	// uploadDir is the server's private folder for uploads
	// (prepareUploadDir), where uploaded zips are unzipped.
	uploadDir string
	// afterCommit, if set, runs after each load that changed the data.
	afterCommit func()
}

func newQuarterLoads(db *sql.DB, store *queries.Store, log *slog.Logger) *quarterLoads {
	return &quarterLoads{db: db, store: store, users: accounts.New(db), log: log}
}

// load loads the quarter folder dir for who, reporting progress, and
// writes the audit log, whatever the outcome. acceptRejections loads a
// quarter over the rejection ceiling all the same (audited).
func (l *quarterLoads) load(ctx context.Context, dir string, acceptRejections bool, who accounts.Actor, progress func(ingest.Progress)) (*ingest.Result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	loader := &ingest.Loader{DB: l.db, AfterLoad: l.store.Refresh, Progress: progress,
		Aliases: l.aliases, Ceiling: l.ceiling, AcceptRejections: acceptRejections}
	start := time.Now()
	var res *ingest.Result
	var err error
	if l.parquet != "" {
		err = errReadsParquet
	} else {
		res, err = loader.LoadQuarter(ctx, dir)
	}
	if aerr := auditLoad(context.WithoutCancel(ctx), l.users, who, dir, res, err); aerr != nil {
		l.log.Error("audit log", "err", aerr)
	}
	if err != nil {
		l.log.Warn("load refused or failed", "dir", filepath.Base(dir), "by", who.Username, "err", err)
		return nil, err
	}
	l.log.Info("load", "quarter", res.Quarter, "action", res.Action, "by", who.Username, "took", time.Since(start).Round(time.Millisecond))
	if l.afterCommit != nil && res.Action != ingest.ActionUnchanged {
		l.afterCommit()
	}
	return res, nil
}

// LoadZip is the Data page's upload (dashboard.QuarterLoader): it checks
// and unzips the zip into a new folder in the upload folder
// (ingest.UnzipQuarter), loads the quarter from it, and removes it.
func (l *quarterLoads) LoadZip(ctx context.Context, zipPath, quarter string, acceptRejections bool, who accounts.Actor) (dashboard.LoadOutcome, error) {
	work, err := os.MkdirTemp(l.uploadDir, "unzip-")
	if err != nil {
		return dashboard.LoadOutcome{}, err
	}
	defer os.RemoveAll(work)
	dir, err := ingest.UnzipQuarter(zipPath, work, quarter)
	var problem *ingest.Problem
	if errors.As(err, &problem) {
		// The reason says what to do; nothing was loaded.
		return dashboard.LoadOutcome{}, uptake.Errorf(uptake.EINVALID, "%s Nothing was loaded.", problem.Reason)
	}
	if err != nil {
		return dashboard.LoadOutcome{}, err
	}
	res, err := l.load(ctx, dir, acceptRejections, who, nil)
	var refused *ingest.RefusedError
	if errors.As(err, &refused) {
		// The message names each file, column and rule. A quarter refused
		// only for its rejected rows can be loaded anyway (ECEILING).
		code := uptake.EINVALID
		if refused.Overridable {
			code = uptake.ECEILING
		}
		return dashboard.LoadOutcome{}, uptake.Errorf(code, "%s", refused.Error())
	}
	if err != nil {
		return dashboard.LoadOutcome{}, err
	}
	return dashboard.LoadOutcome{Quarter: res.Quarter, Action: string(res.Action), Accepted: res.Accepted, Rejected: res.Rejected}, nil
}

// prepareUploadDir makes the folder uploads are written to (dir, beside
// the database), readable only by the user running the server, and
// empties it: a server killed during an upload leaves the zip and its
// unzipped extracts there. The caller must hold the database's lock, so
// that no other server is using the folder.
func prepareUploadDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("the upload folder %s: %w", dir, err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("the upload folder %s: %w", dir, err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("the upload folder %s: %w", dir, err)
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return fmt.Errorf("removing what an earlier server left in the upload folder: %w", err)
		}
	}
	return nil
}
