package ingest

import (
	"context"
	"database/sql"

	"github.com/uptake-nhs/uptake/db"
)

// These wrap package db for tests whose *sql.DB is called db, which would
// hide the package name.

func openDB(ctx context.Context, path string) (*sql.DB, error) { return db.Open(ctx, path) }

func migrate(ctx context.Context, conn *sql.DB) error { return db.Migrate(ctx, conn) }

func isLockConflict(err error) bool { return db.IsLockConflict(err) }

func deferCheckpoints(ctx context.Context, conn *sql.DB) (func(context.Context) error, error) {
	return db.DeferCheckpoints(ctx, conn)
}

func storageCause(msg string) string { return db.StorageCause(msg) }
