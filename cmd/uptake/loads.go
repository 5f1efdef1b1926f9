package main

import (
	"context"
	"database/sql"
	"errors"
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
	// afterCommit, if set, runs after each load that changed the data.
	afterCommit func()
}

func newQuarterLoads(db *sql.DB, store *queries.Store, log *slog.Logger) *quarterLoads {
	return &quarterLoads{db: db, store: store, users: accounts.New(db), log: log}
}

// load loads the quarter folder dir for who, reporting progress, and
// writes the audit log, whatever the outcome.
func (l *quarterLoads) load(ctx context.Context, dir string, who accounts.Actor, progress func(ingest.Progress)) (*ingest.Result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	loader := &ingest.Loader{DB: l.db, AfterLoad: l.store.Refresh, Progress: progress}
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
// and unzips the zip into a temporary folder (ingest.UnzipQuarter) and
// loads the quarter from it.
func (l *quarterLoads) LoadZip(ctx context.Context, zipPath, quarter string, who accounts.Actor) (dashboard.LoadOutcome, error) {
	work, err := os.MkdirTemp("", "uptake-upload-")
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
	res, err := l.load(ctx, dir, who, nil)
	var refused *ingest.RefusedError
	if errors.As(err, &refused) {
		// The message names each file, column and rule.
		return dashboard.LoadOutcome{}, uptake.Errorf(uptake.EINVALID, "%s", refused.Error())
	}
	if err != nil {
		return dashboard.LoadOutcome{}, err
	}
	return dashboard.LoadOutcome{Quarter: res.Quarter, Action: string(res.Action), Accepted: res.Accepted, Rejected: res.Rejected}, nil
}
