package queries

import (
	"context"
	"database/sql"
	"fmt"
)

// DataQuality answers "how clean is each quarter's data?": rows accepted
// and rejected per quarter and file, as the latest load left them, with
// the rejection rate and the rules that rejected most. It describes data,
// not people (no disclosure rule applies), and is meant for service leads
// and administrators.
type DataQuality struct {
	Quarters []QualityQuarter `json:"quarters"` // oldest first
}

// QualityQuarter is one quarter's files and their totals.
type QualityQuarter struct {
	Quarter       string        `json:"quarter"`
	Accepted      int64         `json:"rows_accepted"`
	Rejected      int64         `json:"rows_rejected"`
	RejectionRate *float64      `json:"rejection_rate"` // percent of rows read; nil when none
	Files         []QualityFile `json:"files"`
}

// QualityFile is one file of a quarter. TopRules are the (up to)
// TopRejectionRules rules that rejected most rows, most first.
type QualityFile struct {
	File          string      `json:"file"`
	Table         string      `json:"table"`
	Accepted      int64       `json:"rows_accepted"`
	Rejected      int64       `json:"rows_rejected"`
	RejectionRate *float64    `json:"rejection_rate"`
	TopRules      []RuleCount `json:"top_rules"`
}

// RuleCount is how many rows one validation rule rejected.
type RuleCount struct {
	Rule string `json:"rule"`
	Rows int64  `json:"rows"`
}

// TopRejectionRules is how many rules DataQuality names per file.
const TopRejectionRules = 3

// DataQuality computes accepted and rejected rows per quarter and file.
// The SQL is sql/DataQuality.files.sql and sql/DataQuality.rules.sql.
func (s *Store) DataQuality(ctx context.Context) (DataQuality, error) {
	out := DataQuality{Quarters: []QualityQuarter{}}
	type fileKey struct{ quarter, file string }
	topRules := map[fileKey][]RuleCount{}
	err := s.forEachRow(ctx, query("DataQuality.rules"), nil, func(rows *sql.Rows) error {
		var k fileKey
		var rc RuleCount
		if err := rows.Scan(&k.quarter, &k.file, &rc.Rule, &rc.Rows); err != nil {
			return err
		}
		if len(topRules[k]) < TopRejectionRules {
			topRules[k] = append(topRules[k], rc)
		}
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("rejections by rule: %w", err)
	}
	err = s.forEachRow(ctx, query("DataQuality.files"), nil, func(rows *sql.Rows) error {
		var qf QualityFile
		var q string
		if err := rows.Scan(&q, &qf.File, &qf.Table, &qf.Accepted, &qf.Rejected); err != nil {
			return err
		}
		qf.RejectionRate = rejectionRate(qf.Accepted, qf.Rejected)
		qf.TopRules = topRules[fileKey{q, qf.File}]
		if qf.TopRules == nil {
			qf.TopRules = []RuleCount{}
		}
		if len(out.Quarters) == 0 || out.Quarters[len(out.Quarters)-1].Quarter != q {
			out.Quarters = append(out.Quarters, QualityQuarter{Quarter: q})
		}
		qq := &out.Quarters[len(out.Quarters)-1]
		qq.Files = append(qq.Files, qf)
		qq.Accepted += qf.Accepted
		qq.Rejected += qf.Rejected
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("data quality: %w", err)
	}
	for i := range out.Quarters {
		out.Quarters[i].RejectionRate = rejectionRate(out.Quarters[i].Accepted, out.Quarters[i].Rejected)
	}
	return out, nil
}

// rejectionRate is rejected rows as a percentage of rows read.
func rejectionRate(accepted, rejected int64) *float64 {
	if accepted+rejected == 0 {
		return nil
	}
	r := 100 * float64(rejected) / float64(accepted+rejected)
	return &r
}
