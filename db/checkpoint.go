package db

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// DeferCheckpoints keeps DuckDB from checkpointing the database file after
// each commit until the returned restore runs, for a process that loads
// many quarters in a row and holds the file alone (uptake ingest).
//
// A quarter's commit writes most of its rows (every table under 122,880
// rows a quarter) to the write-ahead log, and once the log passes
// checkpoint_threshold (16 MiB by default, less than an England-scale
// quarter) the commit also checkpoints, compressing them into the database
// file. Measured on twenty England-scale quarters: 11 s of commits with a
// checkpoint each, against 2.5 s of commits and one 2.6 s checkpoint at
// the end. Durability is unchanged: each commit is in the log, which
// DuckDB replays if the process dies. The setting is the database's, not
// the connection's, hence "holds the file alone".
//
// restore puts the threshold back and checkpoints.
func DeferCheckpoints(ctx context.Context, db *sql.DB) (restore func(context.Context) error, err error) {
	var threshold string
	if err := db.QueryRowContext(ctx, "SELECT current_setting('checkpoint_threshold')").Scan(&threshold); err != nil {
		return nil, fmt.Errorf("read checkpoint_threshold: %w", err)
	}
	if _, err := db.ExecContext(ctx, "SET checkpoint_threshold = '1TB'"); err != nil {
		return nil, fmt.Errorf("defer checkpoints: %w", err)
	}
	return func(ctx context.Context) error {
		if _, err := db.ExecContext(ctx, "SET checkpoint_threshold = '"+strings.ReplaceAll(threshold, "'", "''")+"'"); err != nil {
			return fmt.Errorf("restore checkpoint_threshold: %w", err)
		}
		if _, err := db.ExecContext(ctx, "CHECKPOINT"); err != nil {
			return fmt.Errorf("checkpoint: %w", err)
		}
		return nil
	}, nil
}
