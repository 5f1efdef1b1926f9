package queries

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Load is one quarter load that changed the database, with the files it
// read. Row counts are rows of extract files, not people, so no
// disclosure rule applies.
type Load struct {
	LoadID   int64      `json:"load_id"`
	Quarter  string     `json:"quarter"`
	LoadedAt time.Time  `json:"loaded_at"`
	Action   string     `json:"action"` // loaded (first time) or restated (replaced an earlier load)
	Accepted int64      `json:"rows_accepted"`
	Rejected int64      `json:"rows_rejected"`
	Files    []LoadFile `json:"files"`
}

// LoadFile is one file of a load: its checksum and how many of its rows
// were accepted and rejected.
type LoadFile struct {
	File     string `json:"file"`
	Table    string `json:"table"`
	SHA256   string `json:"sha256"`
	Action   string `json:"action"`
	Accepted int64  `json:"rows_accepted"`
	Rejected int64  `json:"rows_rejected"`
}

// Loads lists every load that changed the database, newest first, with
// its files by name. It describes data, not people, and is meant for
// service leads and administrators. The SQL is sql/Loads.sql.
func (s *Store) Loads(ctx context.Context) ([]Load, error) {
	loads := []Load{}
	err := s.forEachRow(ctx, query("Loads"), nil, func(rows *sql.Rows) error {
		var id int64
		var q, action string
		var at time.Time
		var lf LoadFile
		if err := rows.Scan(&id, &q, &at, &action, &lf.File, &lf.Table, &lf.SHA256, &lf.Accepted, &lf.Rejected); err != nil {
			return err
		}
		lf.Action = action
		if len(loads) == 0 || loads[len(loads)-1].LoadID != id {
			// A load's files share its action; the first file's stands for it.
			loads = append(loads, Load{LoadID: id, Quarter: q, LoadedAt: at, Action: action})
		}
		l := &loads[len(loads)-1]
		l.Files = append(l.Files, lf)
		l.Accepted += lf.Accepted
		l.Rejected += lf.Rejected
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("loads: %w", err)
	}
	return loads, nil
}
