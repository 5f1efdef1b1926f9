package queries

import "context"

// Indicator is one question the Store answers, named as in
// docs/indicators.md, with a way to ask it. Tools that must cover every
// indicator (`uptake bench`, the benchmarks) range over Indicators instead
// of keeping lists of their own that could miss one.
type Indicator struct {
	// Name is the Store method's name.
	Name string
	// Scope says which filters the question takes.
	Scope IndicatorScope
	// Run asks the question under the filter and discards the answer.
	// PracticeScope questions take only f.Practice, which must be set;
	// DataScope ones take no filter.
	Run func(ctx context.Context, s *Store, f Filter) error
}

// IndicatorScope says which filters an indicator takes.
type IndicatorScope int

const (
	// AnyScope indicators take the full filter: all practices or one.
	AnyScope IndicatorScope = iota
	// PracticeScope indicators exist only for one practice (work lists,
	// the practice page).
	PracticeScope
	// DataScope indicators describe the loads and take no practice.
	DataScope
)

// filtered adapts a filtered method to Indicator.Run.
func filtered[T any](m func(*Store, context.Context, Filter) (T, error)) func(context.Context, *Store, Filter) error {
	return func(ctx context.Context, s *Store, f Filter) error {
		_, err := m(s, ctx, f)
		return err
	}
}

// Indicators lists every indicator the dashboard shows, in the order of
// docs/indicators.md.
var Indicators = []Indicator{
	{"Headline", AnyScope, filtered((*Store).Headline)},
	{"Trends", AnyScope, filtered((*Store).Trends)},
	{"SPC", AnyScope, filtered((*Store).SPC)},
	{"Funnel", AnyScope, filtered((*Store).Funnel)},
	{"ConversionByCohort", AnyScope, filtered((*Store).ConversionByCohort)},
	{"TimeToFirstSession", AnyScope, filtered((*Store).TimeToFirstSession)},
	{"SessionRetention", AnyScope, filtered((*Store).SessionRetention)},
	{"PracticeBenchmark", AnyScope, filtered((*Store).PracticeBenchmark)},
	{"PracticeTrends", PracticeScope, filtered((*Store).PracticeTrends)},
	{"PracticeSummary", PracticeScope, filtered((*Store).PracticeSummary)},
	{"Equity", AnyScope, filtered((*Store).Equity)},
	{"FollowUp", AnyScope, filtered((*Store).FollowUp)},
	{"FollowUpWorkList", PracticeScope, func(ctx context.Context, s *Store, f Filter) error {
		_, err := s.FollowUpWorkList(ctx, f.Practice)
		return err
	}},
	{"CodingCompleteness", AnyScope, filtered((*Store).CodingCompleteness)},
	{"CodingWorkList", PracticeScope, func(ctx context.Context, s *Store, f Filter) error {
		_, err := s.CodingWorkList(ctx, f.Practice)
		return err
	}},
	// The practice's list for the latest loaded quarter, as `uptake
	// report` asks by default.
	{"NotifiedOutcomes", PracticeScope, func(ctx context.Context, s *Store, f Filter) error {
		opts, err := s.FilterOptions(ctx)
		if err != nil || len(opts.Quarters) == 0 {
			return err
		}
		_, err = s.NotifiedOutcomes(ctx, f.Practice, opts.Quarters[len(opts.Quarters)-1])
		return err
	}},
	{"FillRates", AnyScope, filtered((*Store).FillRates)},
	// The first page of courses, as the dashboard and the JSON API ask.
	{"CourseFills", AnyScope, func(ctx context.Context, s *Store, f Filter) error {
		_, err := s.CourseFills(ctx, f, CoursePage{Limit: DefaultCourseLimit})
		return err
	}},
	{"WaitsBySlot", AnyScope, filtered((*Store).WaitsBySlot)},
	{"Capacity", AnyScope, filtered((*Store).Capacity)},
	{"DemandHeatmap", AnyScope, filtered((*Store).DemandHeatmap)},
	{"CampaignEffect", AnyScope, filtered((*Store).CampaignEffect)},
	{"Loads", DataScope, func(ctx context.Context, s *Store, _ Filter) error {
		_, err := s.Loads(ctx)
		return err
	}},
	{"RejectedRows", DataScope, func(ctx context.Context, s *Store, _ Filter) error {
		_, err := s.RejectedRows(ctx, RejectedFilter{})
		return err
	}},
	{"DataQuality", DataScope, func(ctx context.Context, s *Store, _ Filter) error {
		_, err := s.DataQuality(ctx)
		return err
	}},
}

// DisableCache makes every later call compute its answer afresh, for
// benchmarks that time the indicators rather than the result cache; calls
// made at the same time for the same answer still share one computation,
// as they would on missing the cache together (remember). Call it before
// the Store is shared between goroutines.
func (s *Store) DisableCache() { s.cache.off = true }
