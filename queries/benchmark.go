package queries

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/uptake-nhs/uptake/queries/stats"
)

// PracticeBenchmark answers "how does each practice compare with the
// borough?" for three measures, each on a funnel plot (the Fingertips
// method, package stats):
//
//   - Referral rate: distinct people with diabetes referred in the range
//     (carers left out: they are not on the register) over the practice's
//     type 2 diabetes register, taken from the latest practice snapshot
//     within the range.
//   - Conversion: eligible referrals that attended a session within the
//     conversion window, over eligible referrals. Only referrals whose
//     window has closed count: a provisional referral could still convert,
//     and counting it as not converted would mark down practices that
//     referred recently.
//   - Follow-up rate: non-attenders followed up within FollowUpWindowDays
//     of the practice being notified, over non-attenders whose window has
//     passed.
//
// The comparator is always the whole borough: the PCN and practice
// filters choose which practices are listed, not the baseline, the limits
// or the ranks (the other filters apply to everything). The baseline is
// the borough's total numerator over its total denominator. Every
// practice with a snapshot in the range appears, with zeros when it made
// no referrals.
//
// Everything published about a practice is worked out from its counts as
// shown (docs/indicators.md, "One screen, one story"): under the
// disclosure rule, its rounded counts give its percentage, interval,
// position on the funnel plot, label against the limits at its rounded
// denominator, and rank among the practices whose rate is shown; the
// baseline is the borough's rounded total. A practice whose count is
// withheld has no percentage, interval, limits, label or rank, and is
// not plotted. A practice's own staff see its own counts exact, and its
// rate, interval, label and rank from them; the borough, the baseline
// and the other practices follow the rule for them too.
type PracticeBenchmark struct {
	Filter Filter `json:"filter"`
	AsOf   string `json:"as_of"`
	// Comparator is the group the practices are compared with.
	Comparator   Comparator             `json:"comparator"`
	ReferralRate BenchmarkMeasure       `json:"referral_rate"`
	Conversion   BenchmarkMeasure       `json:"conversion"`
	FollowUp     BenchmarkMeasure       `json:"follow_up"`
	Practices    []PracticeBenchmarkRow `json:"practices"`
	Disclosure   Disclosure             `json:"disclosure"`
}

// Comparator is the group of practices a benchmark compares with
// (Filter.Compare): the borough, a network, or the practices like the
// chosen one (the same list-size band and deprivation quintile).
type Comparator struct {
	// Kind is "borough", "network" or "peers".
	Kind string `json:"kind"`
	// Name says the group in words: "the borough", "Highfield PCN",
	// "similar practices (list size 10,000–14,999, IMD quintile 2)".
	Name string `json:"name"`
	// Practices is how many practices the group holds.
	Practices int `json:"practices"`
	// ListSizeBand and IMDQuintile are the peers' band ("10,000–14,999")
	// and quintile; empty and 0 otherwise.
	ListSizeBand string `json:"list_size_band,omitempty"`
	IMDQuintile  int    `json:"imd_quintile,omitempty"`
	// Note, when set, says why the comparison asked for (Filter.Compare)
	// could not be made and the borough is the comparator instead.
	Note string `json:"note,omitempty"`
}

// BenchmarkMeasure is one measure across the borough: its totals, the
// funnel plot's centre line and its control-limit curves.
type BenchmarkMeasure struct {
	Title string `json:"title"`
	// NumeratorLabel and DenominatorLabel say what is counted, for axes
	// and column headings.
	NumeratorLabel   string `json:"numerator_label"`
	DenominatorLabel string `json:"denominator_label"`
	// Borough is the borough's total, as published.
	Borough Proportion `json:"borough"`
	// Baseline is the borough value in percent as shown (Borough.Percent):
	// the funnel plot's centre line, round which the limits are drawn. Nil
	// when the borough has no value to show.
	Baseline *float64 `json:"baseline"`
	// Curve holds the control limits at about 60 denominators from 1 to
	// the largest denominator of a practice with a rate shown, log-spaced,
	// for drawing.
	Curve []FunnelPoint `json:"curve"`
	// Ranked is how many practices have a rank (those with a rate shown).
	Ranked int `json:"ranked"`

	// Overdispersion (docs/indicators.md, "Overdispersion"): Phi is the
	// dispersion ratio φ of the practices' winsorised z-scores and Tau2
	// the between-practice variance τ² on the arcsine scale, worked out
	// from the counts as published to everyone (under the rule, whoever
	// asks), against Baseline. DispersionUnits is how many practices
	// they come from. Overdispersed is φ > 1.
	Phi             float64 `json:"phi"`
	Tau2            float64 `json:"tau2"`
	DispersionUnits int     `json:"dispersion_units"`
	Overdispersed   bool    `json:"overdispersed"`
	// Adjusted is true when Curve, the practices' limits and their labels
	// are the limits inflated by τ² (overdispersed, and the configuration
	// does not ask for plain limits); false when they are the plain
	// Fingertips limits.
	Adjusted bool `json:"adjusted"`
	// PlainCurve is the plain Fingertips limits at Curve's denominators,
	// given only when Adjusted (otherwise Curve is them).
	PlainCurve []FunnelPoint `json:"plain_curve,omitempty"`
	// References are the configured reference values of the measure for
	// every quarter, or for the one quarter the range covers, drawn
	// across the funnel plot and listed beside it.
	References []ReferenceValue `json:"references"`
}

// FunnelPoint is the pair of control limits at one denominator, in
// percent (0-100).
type FunnelPoint struct {
	Denominator int64   `json:"denominator"`
	Lower95     float64 `json:"lower_95"`
	Upper95     float64 `json:"upper_95"`
	Lower998    float64 `json:"lower_998"`
	Upper998    float64 `json:"upper_998"`
}

// PracticeBenchmarkRow is one practice's three measures.
type PracticeBenchmarkRow struct {
	Code string `json:"code"`
	Name string `json:"name"`
	PCN  string `json:"pcn"`
	// RegisterQuarter is the snapshot the register comes from ("" when the
	// practice has no snapshot in the range).
	RegisterQuarter string `json:"register_quarter"`
	// StaleRegister is true when the practice referred more people than
	// its register holds: the register is out of date, so the referral
	// rate is not shown or compared (no percentage, interval, label or
	// rank: never a rate above 100%), though its counts stay in the
	// borough's totals. Pages show the practice a
	// data-quality note. Worked out from the true counts; it tells no
	// more than the "Not compared" label beside a published rate.
	StaleRegister bool            `json:"stale_register"`
	ReferralRate  PracticeMeasure `json:"referral_rate"`
	Conversion    PracticeMeasure `json:"conversion"`
	FollowUp      PracticeMeasure `json:"follow_up"`
}

// PracticeMeasure is one practice's value of one measure with where it
// lies on the funnel plot.
type PracticeMeasure struct {
	Proportion
	// Borough repeats the measure's Baseline, for tables.
	Borough *float64 `json:"borough"`
	// The control limits at this practice's denominator as shown, in
	// percent; nil when its rate is not shown.
	Lower95  *float64 `json:"lower_95"`
	Upper95  *float64 `json:"upper_95"`
	Lower998 *float64 `json:"lower_998"`
	Upper998 *float64 `json:"upper_998"`
	// Label is "High (0.001)", "High (0.025)", "Not significant",
	// "Low (0.025)", "Low (0.001)", or "Not compared" when the rate is not
	// shown (withheld, no denominator, or a stale register).
	Label string `json:"label"`
	// Rank is 1 for the highest rate shown in the borough; equal rates
	// share a rank. Nil when not compared.
	Rank *int `json:"rank"`
	// When the measure's limits are adjusted for overdispersion, the plain
	// Fingertips limits at this practice's denominator and its label
	// against them, for readers who want the unadjusted comparison;
	// absent otherwise (the limits above are then the plain ones).
	PlainLower95  *float64 `json:"plain_lower_95,omitempty"`
	PlainUpper95  *float64 `json:"plain_upper_95,omitempty"`
	PlainLower998 *float64 `json:"plain_lower_998,omitempty"`
	PlainUpper998 *float64 `json:"plain_upper_998,omitempty"`
	PlainLabel    string   `json:"plain_label,omitempty"`
}

// curvePoints is how many denominators a limit curve is drawn at.
const curvePoints = 60

// benchmarkCounts are one practice's true counts.
type benchmarkCounts struct {
	code, name, pcn, registerQuarter string
	num, den                         [3]int64 // referral rate, conversion, follow-up
	listSize, imdQuintile            int64    // 0 when not known
}

// PracticeBenchmark returns every practice's referral rate, conversion and
// follow-up rate against the borough. The SQL is
// sql/PracticeBenchmark.sql.
func (s *Store) PracticeBenchmark(ctx context.Context, f Filter) (PracticeBenchmark, error) {
	return remember(ctx, s, "PracticeBenchmark", f, s.computePracticeBenchmark)
}

// computePracticeBenchmark works PracticeBenchmark out from the database.
func (s *Store) computePracticeBenchmark(ctx context.Context, f Filter) (PracticeBenchmark, error) {
	if err := s.CheckFilter(ctx, f); err != nil {
		return PracticeBenchmark{}, err
	}
	asOf, err := s.dataAsOf(ctx)
	if err != nil {
		return PracticeBenchmark{}, err
	}
	borough := f
	borough.PCN, borough.Practice = "", ""
	// Names and networks are the filter options' (the latest snapshot of
	// each practice), which the store keeps (CheckFilter asked for them).
	opts, err := s.FilterOptions(ctx)
	if err != nil {
		return PracticeBenchmark{}, err
	}
	named := make(map[string]PracticeOption, len(opts.Practices))
	for _, p := range opts.Practices {
		named[p.Code] = p
	}
	all := make([]benchmarkCounts, 0, len(opts.Practices))
	// Without a filter on the referrals' own attributes the counts kept
	// per practice and quarter give the same answer from a tenth of the
	// rows (Refresh.practice_quarter_counts.sql).
	err = s.forEachRow(ctx, query("PracticeBenchmark"), borough.args(sql.Named("kept", s.useKeptCounts(f))), func(rows *sql.Rows) error {
		var c benchmarkCounts
		err := rows.Scan(&c.code, &c.registerQuarter, &c.den[0], &c.num[0],
			&c.num[1], &c.den[1], &c.num[2], &c.den[2], &c.listSize, &c.imdQuintile)
		// A practice no snapshot names (referrals only) goes by its code.
		c.name, c.pcn = c.code, ""
		if p, ok := named[c.code]; ok {
			c.name, c.pcn = p.Name, p.PCN
		}
		all = append(all, c)
		return err
	})
	if err != nil {
		return PracticeBenchmark{}, fmt.Errorf("practice benchmark: %w", err)
	}
	slices.SortFunc(all, func(a, b benchmarkCounts) int {
		return cmp.Or(strings.Compare(a.name, b.name), strings.Compare(a.code, b.code))
	})
	// From here on, "all" is the comparator group: the baseline, the
	// dispersion, the limits and the ranks are the group's.
	comparator, all := comparatorGroup(all, f, s.cfg.Benchmark.listSizeBands())
	if comparator.Kind == CompareBorough {
		f.Compare = "" // what was asked for could not be done: say so, and list as against the borough
	}

	d := s.newDiscloser(f)
	out := PracticeBenchmark{Filter: f, AsOf: asOf, Comparator: comparator, Practices: []PracticeBenchmarkRow{}}
	measures := [3]*BenchmarkMeasure{&out.ReferralRate, &out.Conversion, &out.FollowUp}
	*measures[0] = BenchmarkMeasure{Title: "Referral rate", NumeratorLabel: "People referred", DenominatorLabel: "Type 2 diabetes register"}
	*measures[1] = BenchmarkMeasure{Title: "Conversion", NumeratorLabel: "Started a course", DenominatorLabel: "Eligible referrals (final cohorts)"}
	*measures[2] = BenchmarkMeasure{Title: "Follow-up rate", NumeratorLabel: "Followed up in time", DenominatorLabel: "Non-attenders due follow-up"}

	// Every practice's counts as this reader sees them (exact for the
	// reader's own practice, under the rule for the others), for ranking
	// and for the curves' extent. They are tallied when a row is listed,
	// below, not here.
	hidden := d.untallied()
	shown := make([][3]Proportion, len(all))
	for i, c := range all {
		for m := range measures {
			shown[i][m] = benchmarkShown(hidden.unit(c.code), c, m)
		}
	}

	// The dispersion is worked out from the counts published to everyone
	// (the comparator's view), so that it is the same for every reader
	// and gives away no count that is withheld.
	public := d.comparator().untallied()
	var baselines [3]float64
	var dispersions [3]stats.Dispersion
	var ranks [3]map[string]int
	for m, bm := range measures {
		bm.References = referencesFor(s.cfg.References, [3]string{"referral_rate", "conversion", "follow_up"}[m], f.From, f.To, true)
		var num, den, maxDen int64
		for i, c := range all {
			num += c.num[m]
			den += c.den[m]
			if shown[i][m].Percent != nil {
				maxDen = max(maxDen, shown[i][m].Denominator.N)
			}
		}
		// The borough is the comparator: under the rule even for a
		// practice's own staff. Its centre line is the borough value as
		// shown, so the table's borough figure and the plot agree.
		bm.Borough = d.comparator().proportion(num, den)
		bm.Baseline = bm.Borough.Percent
		bm.Curve = []FunnelPoint{}
		if bm.Baseline != nil {
			b := *bm.Baseline / 100
			baselines[m] = b
			dispersions[m] = publicDispersion(public, all, m, b)
			od := dispersions[m]
			bm.Phi, bm.Tau2, bm.DispersionUnits, bm.Overdispersed = od.Phi, od.Tau2, od.Units, od.Overdispersed
			if s.cfg.Benchmark.Limits == LimitsPlain {
				dispersions[m].Overdispersed = false // report φ and τ², draw plain
			}
			bm.Adjusted = dispersions[m].Overdispersed
			for _, n := range stats.FunnelDenominators(maxDen, curvePoints) {
				bm.Curve = append(bm.Curve, funnelPoint(dispersions[m], b, n))
				if bm.Adjusted {
					bm.PlainCurve = append(bm.PlainCurve, funnelPoint(stats.Dispersion{}, b, n))
				}
			}
		}
		ranks[m] = rankShown(all, shown, m)
		bm.Ranked = len(ranks[m])
	}

	for _, c := range all {
		// Against the borough, the network and practice filters choose
		// which practices are listed; against a network or peers, the
		// group is listed.
		if f.Compare == "" && ((f.PCN != "" && c.pcn != f.PCN) || (f.Practice != "" && c.code != f.Practice)) {
			continue
		}
		// Filled in place: at England scale copying 6,500 rows of this
		// size into a growing slice was a sixth of the Go side's time.
		if cap(out.Practices) == 0 {
			out.Practices = make([]PracticeBenchmarkRow, 0, len(all))
		}
		out.Practices = append(out.Practices, PracticeBenchmarkRow{Code: c.code, Name: c.name, PCN: c.pcn, RegisterQuarter: c.registerQuarter,
			StaleRegister: c.num[0] > c.den[0]})
		row := &out.Practices[len(out.Practices)-1]
		values := [3]*PracticeMeasure{&row.ReferralRate, &row.Conversion, &row.FollowUp}
		u := d.unit(c.code)
		for m, v := range values {
			v.Proportion = benchmarkShown(u, c, m)
			v.Borough = measures[m].Baseline
			v.Label = stats.NotCompared
			// Everything about the practice is worked out from its counts
			// as shown: the limits at its shown denominator, its label
			// against them, its rank among the practices with a value
			// shown. A practice whose value is withheld is not compared.
			if v.Borough != nil && v.Percent != nil {
				b, k, n, od := baselines[m], v.Numerator.N, v.Denominator.N, dispersions[m]
				lim := funnelPoint(od, b, n)
				v.Lower95, v.Upper95, v.Lower998, v.Upper998 = &lim.Lower95, &lim.Upper95, &lim.Lower998, &lim.Upper998
				v.Label = od.Label(k, n, b)
				if od.Overdispersed {
					plain := funnelPoint(stats.Dispersion{}, b, n)
					v.PlainLower95, v.PlainUpper95, v.PlainLower998, v.PlainUpper998 = &plain.Lower95, &plain.Upper95, &plain.Lower998, &plain.Upper998
					v.PlainLabel = stats.Label(k, n, b)
				}
			}
			if r, ok := ranks[m][c.code]; ok {
				v.Rank = &r
			}
		}
	}
	out.Disclosure = d.note()
	return out, nil
}

// benchmarkShown publishes practice c's measure m with d: its counts, and
// its rate and interval from them. A stale register (more people referred
// than on the register) has no referral rate: its counts are shown, the
// rate is not, so no rate above 100% is ever shown.
func benchmarkShown(d *discloser, c benchmarkCounts, m int) Proportion {
	p := d.proportion(c.num[m], c.den[m])
	if m == 0 && c.num[0] > c.den[0] {
		p = Proportion{Numerator: p.Numerator, Denominator: p.Denominator}
	}
	return p
}

// funnelPoint is the control limits that apply at denominator n around
// baseline (0-1) under od (od.Limits: plain unless od.Overdispersed), in
// percent.
func funnelPoint(od stats.Dispersion, baseline float64, n int64) FunnelPoint {
	p := FunnelPoint{Denominator: n}
	p.Lower95, p.Upper95 = od.Limits(baseline, n, stats.Z95)
	p.Lower998, p.Upper998 = od.Limits(baseline, n, stats.Z998)
	p.Lower95, p.Upper95, p.Lower998, p.Upper998 = 100*p.Lower95, 100*p.Upper95, 100*p.Lower998, 100*p.Upper998
	return p
}

// publicDispersion is the overdispersion of measure m's practices around
// baseline (0-1), from their counts as published to everyone (pub, a
// comparator discloser). Practices whose rate is not shown (withheld, no
// denominator, a stale register) are left out, as they are from the plot.
func publicDispersion(pub *discloser, all []benchmarkCounts, m int, baseline float64) stats.Dispersion {
	units := make([]stats.Unit, 0, len(all))
	for _, c := range all {
		p := benchmarkShown(pub, c, m)
		if p.Percent != nil {
			units = append(units, stats.Unit{Numerator: p.Numerator.N, Denominator: p.Denominator.N})
		}
	}
	return stats.Overdispersion(units, baseline)
}

// rankShown ranks the practices whose rate for measure m is shown, from
// the highest shown rate down; equal rates share the better rank (1, 2,
// 2, 4). A practice whose rate is withheld is not ranked and moves no
// other practice's rank, so the ranks give nothing withheld away.
func rankShown(all []benchmarkCounts, shown [][3]Proportion, m int) map[string]int {
	type rated struct {
		code string
		k, n int64
	}
	rs := make([]rated, 0, len(all))
	for i, c := range all {
		if p := shown[i][m]; p.Percent != nil {
			rs = append(rs, rated{c.code, p.Numerator.N, p.Denominator.N})
		}
	}
	// a before b when a's rate is higher: k_a/n_a > k_b/n_b, compared
	// exactly as k_a n_b > k_b n_a. Equal rates get the same rank in
	// whatever order they come, so the sort need not be stable.
	compare := func(a, b rated) int { return cmp.Compare(b.k*a.n, a.k*b.n) }
	slices.SortFunc(rs, compare)
	out := make(map[string]int, len(rs))
	for i, r := range rs {
		if i > 0 && compare(r, rs[i-1]) == 0 {
			out[r.code] = out[rs[i-1].code]
		} else {
			out[r.code] = i + 1
		}
	}
	return out
}

// comparatorGroup picks from all (every practice of the borough) the
// group f.Compare asks for, and says what it is. Against a network: the
// practices of the PCN filter's network, or else of the chosen practice's.
// Against peers: the practices in the chosen practice's list-size band
// (bands, ListSizeBand) with its deprivation quintile. Where that cannot
// be done (no network or practice chosen, or a practice whose quintile or
// list size is not known), the group is the borough and Note says why.
func comparatorGroup(all []benchmarkCounts, f Filter, bands []int64) (Comparator, []benchmarkCounts) {
	var chosen *benchmarkCounts
	for i := range all {
		if all[i].code == f.Practice {
			chosen = &all[i]
		}
	}
	keep := func(in func(benchmarkCounts) bool) []benchmarkCounts {
		var out []benchmarkCounts
		for _, c := range all {
			if in(c) {
				out = append(out, c)
			}
		}
		return out
	}
	borough := Comparator{Kind: CompareBorough, Name: "the borough", Practices: len(all)}
	switch f.Compare {
	case CompareNetwork:
		pcn := f.PCN
		if pcn == "" && chosen != nil {
			pcn = chosen.pcn
		}
		if pcn == "" {
			borough.Note = "Choose a network or a practice to compare practices with their network; until then they are compared with the borough."
			return borough, all
		}
		group := keep(func(c benchmarkCounts) bool { return c.pcn == pcn })
		return Comparator{Kind: CompareNetwork, Name: pcn, Practices: len(group)}, group
	case ComparePeers:
		switch {
		case chosen == nil:
			borough.Note = "Choose a practice to compare it with similar practices; until then practices are compared with the borough."
			return borough, all
		case chosen.imdQuintile == 0 || chosen.listSize == 0:
			borough.Note = fmt.Sprintf("%s has no deprivation quintile or list size in the practices file for these quarters, so it has no similar practices to compare with; it is compared with the borough.", chosen.name)
			return borough, all
		}
		band := ListSizeBand(chosen.listSize, bands)
		group := keep(func(c benchmarkCounts) bool {
			return c.imdQuintile == chosen.imdQuintile && c.listSize > 0 && ListSizeBand(c.listSize, bands) == band
		})
		return Comparator{Kind: ComparePeers, Practices: len(group), ListSizeBand: band, IMDQuintile: int(chosen.imdQuintile),
			Name: fmt.Sprintf("similar practices (list size %s, IMD quintile %d)", band, chosen.imdQuintile)}, group
	}
	return borough, all
}
