package dashboard

import (
	"context"

	"github.com/uptake-nhs/uptake/queries"
)

// Store is what the dashboard asks of package queries: *queries.Store
// satisfies it, and tests use a fake. The dashboard never sees SQL.
type Store interface {
	// DataVersion identifies the loaded data; it changes with every load,
	// and keys the answers the dashboard keeps (answers.go).
	DataVersion(ctx context.Context) (int64, error)
	// FilterOptions lists the values each filter can take.
	FilterOptions(ctx context.Context) (queries.FilterOptions, error)
	// CheckFilter returns a *queries.FilterError when the filter names a
	// quarter, network, practice or language that is not loaded.
	CheckFilter(ctx context.Context, f queries.Filter) error

	// Overview.
	Headline(ctx context.Context, f queries.Filter) (queries.Headline, error)
	Trends(ctx context.Context, f queries.Filter) (queries.Trends, error)
	Funnel(ctx context.Context, f queries.Filter) (queries.Funnel, error)
	// SPC is the monthly XmR chart of each overview measure (overview, SPC
	// page and practice page).
	SPC(ctx context.Context, f queries.Filter) (queries.SPC, error)

	// Pathway.
	ConversionByCohort(ctx context.Context, f queries.Filter) (queries.ConversionByCohort, error)
	TimeToFirstSession(ctx context.Context, f queries.Filter) (queries.TimeToFirstSession, error)
	SessionRetention(ctx context.Context, f queries.Filter) (queries.SessionRetention, error)

	// Practices, and one practice's page.
	PracticeBenchmark(ctx context.Context, f queries.Filter) (queries.PracticeBenchmark, error)
	PracticeSummary(ctx context.Context, f queries.Filter) (queries.PracticeSummary, error)
	PracticeTrends(ctx context.Context, f queries.Filter) (queries.PracticeTrends, error)
	CampaignEffect(ctx context.Context, f queries.Filter) (queries.CampaignEffect, error)

	// Equity.
	Equity(ctx context.Context, f queries.Filter) (queries.Equity, error)

	// Non-attenders.
	FollowUp(ctx context.Context, f queries.Filter) (queries.FollowUp, error)
	FollowUpWorkList(ctx context.Context, practiceCode string) ([]queries.FollowUpTask, error)

	// Coding of outcomes in practice records.
	CodingCompleteness(ctx context.Context, f queries.Filter) (queries.CodingCompleteness, error)
	CodingWorkList(ctx context.Context, practiceCode string) ([]queries.CodingTask, error)
	// NotifiedOutcomes is a practice's quarterly list: the people whose
	// outcome it was told of in the quarter, with the code to enter.
	NotifiedOutcomes(ctx context.Context, practiceCode, quarter string) ([]queries.NotifiedOutcome, error)

	// Venues and times.
	Capacity(ctx context.Context, f queries.Filter) (queries.Capacity, error)
	DemandHeatmap(ctx context.Context, f queries.Filter) (queries.DemandHeatmap, error)
	FillRates(ctx context.Context, f queries.Filter) (queries.FillRates, error)
	CourseFills(ctx context.Context, f queries.Filter, p queries.CoursePage) (queries.CourseFills, error)
	WaitsBySlot(ctx context.Context, f queries.Filter) (queries.WaitsBySlot, error)

	// Data: loads, their quality and the rows refused. These describe
	// files, not people, and take no filter.
	Loads(ctx context.Context) ([]queries.Load, error)
	DataQuality(ctx context.Context) (queries.DataQuality, error)
	RejectedRows(ctx context.Context, rf queries.RejectedFilter) (queries.RejectedRows, error)
}

// The real store must satisfy Store; this fails to compile if its API drifts.
var _ Store = (*queries.Store)(nil)
