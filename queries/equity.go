package queries

import (
	"context"
	"database/sql"
	"fmt"
)

// Equity answers "is conversion fair: who is referred but does not
// start?": conversion by age band, sex, ethnic group, preferred language,
// deprivation (IMD) quintile and patient or carer, with the overall value
// for reference.
//
// Conversion is eligible referrals that attended a session within the
// conversion window over eligible referrals, counting only referrals whose
// window has closed (provisional ones could still convert, and recent
// referral patterns differ between groups). Each group value found in any
// loaded referral is listed, with zeros when the filter selects none of
// it. IMD quintile 1 is the most deprived. Counts are under the disclosure
// rule; the 95% Wilson intervals are from the true counts (Proportion).
type Equity struct {
	Filter Filter `json:"filter"`
	AsOf   string `json:"as_of"`
	// Overall is conversion across every group, for reference.
	Overall    Proportion        `json:"overall"`
	Dimensions []EquityDimension `json:"dimensions"`
	Disclosure Disclosure        `json:"disclosure"`
}

// EquityDimension is one way of dividing people, e.g. by age band.
type EquityDimension struct {
	// Key is "age_band", "sex", "ethnic_group", "language",
	// "imd_quintile" or "patient_or_carer".
	Key    string        `json:"key"`
	Title  string        `json:"title"`
	Groups []EquityGroup `json:"groups"`
}

// EquityGroup is conversion in one group, e.g. age band 18-39.
type EquityGroup struct {
	Value      string     `json:"value"`
	Conversion Proportion `json:"conversion"`
}

// equityDimensions lists the dimensions in display order with their
// titles.
var equityDimensions = []struct{ key, title string }{
	{"age_band", "Age band"},
	{"sex", "Sex"},
	{"ethnic_group", "Ethnic group"},
	{"language", "Preferred language"},
	{"imd_quintile", "Deprivation (IMD quintile, 1 = most deprived)"},
	{"patient_or_carer", "Patient or carer"},
}

// Equity returns conversion by group for the filter. The SQL is
// sql/Equity.sql.
func (s *Store) Equity(ctx context.Context, f Filter) (Equity, error) {
	return remember(ctx, s, "Equity", f, s.computeEquity)
}

// computeEquity works Equity out from the database.
func (s *Store) computeEquity(ctx context.Context, f Filter) (Equity, error) {
	if err := s.CheckFilter(ctx, f); err != nil {
		return Equity{}, err
	}
	asOf, err := s.dataAsOf(ctx)
	if err != nil {
		return Equity{}, err
	}
	d := s.newDiscloser(f)
	out := Equity{Filter: f, AsOf: asOf, Dimensions: []EquityDimension{}}
	groups := map[string][]EquityGroup{}
	err = s.forEachRow(ctx, query("Equity"), f.args(), func(rows *sql.Rows) error {
		var dim, value string
		var eligible, converted int64
		if err := rows.Scan(&dim, &value, &eligible, &converted); err != nil {
			return err
		}
		if dim == "all" {
			out.Overall = d.proportion(converted, eligible)
			return nil
		}
		groups[dim] = append(groups[dim], EquityGroup{Value: value, Conversion: d.proportion(converted, eligible)})
		return nil
	})
	if err != nil {
		return Equity{}, fmt.Errorf("conversion by group: %w", err)
	}
	for _, dim := range equityDimensions {
		g := groups[dim.key]
		if g == nil {
			g = []EquityGroup{}
		}
		out.Dimensions = append(out.Dimensions, EquityDimension{Key: dim.key, Title: dim.title, Groups: g})
	}
	out.Disclosure = d.note()
	return out, nil
}
