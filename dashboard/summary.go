package dashboard

import (
	"context"
	"strconv"
	"strings"

	"github.com/uptake-nhs/uptake/queries"
	"github.com/uptake-nhs/uptake/queries/stats"
)

// Each page opens with a short summary, "At a glance": a few sentences
// worked out from the same typed results as its panels, each linking to
// the panel that shows it. The summaries are plain functions from typed
// results to sentences (overviewSummary and the others below); the
// dashboard writes no SQL for them and asks the store nothing the panels
// do not (results remembers each source's answer for the request).
//
// A sentence states only figures that its panel's table shows, written as
// the table writes them, and never a withheld one: each figure is
// recorded in Sentence.Figures with the row and column it comes from, and
// TestSummariesAgreeWithTables checks every one against the table.

// Sentence is one sentence of a page's summary.
type Sentence struct {
	Text string
	// Panel is the view whose panel shows what the sentence says; the
	// sentence links to it. "" for none.
	Panel string
	// Figures are the figures the sentence states, with where the
	// panel's table shows each.
	Figures []Figure
}

// Figure is one figure of a Sentence: Text as the table's cell in row Row
// (the row's header cell) and column Column displays it; or, when Tally
// is set, the number of the table's rows whose Column cell reads one of
// Tally.
type Figure struct {
	Text   string
	Row    string
	Column string
	Tally  []string
	// Negative says that the table shows the figure as a negative
	// number, which the sentence words ("5 fewer").
	Negative bool
	// Panel is the view whose table shows the figure, when it is not the
	// sentence's own (a sentence naming groups of several dimensions).
	Panel string
}

// summaryFunc computes a page's summary for filter f from the results of
// its sources.
type summaryFunc func(ctx context.Context, r *results, f queries.Filter) ([]Sentence, error)

// loadResult is a source's typed result for the request, shared with the
// panels that read it.
func loadResult[T any](ctx context.Context, r *results, src sourceOf[T], f queries.Filter) (T, error) {
	v, err := r.get(ctx, src.source, f)
	if err != nil {
		var zero T
		return zero, err
	}
	return v.(T), nil
}

// pageSummary is the summary of the page named page for filter f, as the
// page shows it: for print routes and packs that need a page's summary
// without the page.
func (s *Server) pageSummary(ctx context.Context, page string, f queries.Filter) ([]Sentence, error) {
	p, ok := s.site.page(page)
	if !ok || p.summary == nil {
		return nil, nil
	}
	return p.summary(ctx, &results{store: s.store}, f)
}

// cellText is a cell as the page displays it, and whether a sentence may
// state it: never a withheld or missing value.
func cellText(c Cell) (string, bool) {
	if c.kind == suppressedCell || c.kind == missingCell {
		return "", false
	}
	return c.Display(), true
}

// pct is a percentage as tables show it, and whether it may be stated.
func pct(p *float64) (string, bool) { return cellText(Percent(p)) }

// sentenceOf joins parts into a sentence, and its figures.
type sentenceOf struct {
	parts   []string
	figures []Figure
}

func (b *sentenceOf) say(s ...string) *sentenceOf {
	b.parts = append(b.parts, s...)
	return b
}

// fig says a figure read from the table at row, column, followed by unit.
func (b *sentenceOf) fig(text, unit, row, column string) *sentenceOf {
	b.parts = append(b.parts, text+unit)
	b.figures = append(b.figures, Figure{Text: text, Row: row, Column: column})
	return b
}

// figIn is fig for a figure shown by another panel's table.
func (b *sentenceOf) figIn(panel, text, unit, row, column string) *sentenceOf {
	b.fig(text, unit, row, column)
	b.figures[len(b.figures)-1].Panel = panel
	return b
}

// tally says how many rows of the table read one of values in column.
func (b *sentenceOf) tally(n int, column string, values ...string) *sentenceOf {
	text := groupThousands(strconv.Itoa(n))
	b.parts = append(b.parts, text)
	b.figures = append(b.figures, Figure{Text: text, Column: column, Tally: values})
	return b
}

// done is the sentence, begun with a capital letter (a slot's label may
// start it), linking to panel.
func (b *sentenceOf) done(panel string) Sentence {
	text := strings.Join(b.parts, "")
	if text != "" {
		text = strings.ToUpper(text[:1]) + text[1:]
	}
	return Sentence{Text: text, Panel: panel, Figures: b.figures}
}

// plural is "1 practice" or "3 practices".
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// --- Overview and Pathway ---------------------------------------------

func overviewPageSummary(ctx context.Context, r *results, f queries.Filter) ([]Sentence, error) {
	tr, err := loadResult(ctx, r, srcTrends, f)
	if err != nil {
		return nil, err
	}
	fu, err := loadResult(ctx, r, srcFunnel, f)
	if err != nil {
		return nil, err
	}
	return overviewSummary(tr, fu), nil
}

// overviewSummary: referrals in the latest quarter against the one before,
// conversion of the latest final cohort against the one before, and the
// largest loss along the pathway.
func overviewSummary(tr queries.Trends, fu queries.Funnel) []Sentence {
	var out []Sentence
	qs := tr.Quarters
	if n := len(qs); n > 0 {
		last := qs[n-1]
		if count, ok := cellText(CountCell(last.Referrals)); ok {
			b := (&sentenceOf{}).say("In ", last.Quarter, ", ").fig(count, "", last.Quarter, "Referrals").say(" people were referred")
			if last.ReferralsChange != nil && n > 1 {
				d := *last.ReferralsChange
				change, _ := cellText(Int(abs(d)))
				switch {
				case d > 0:
					b.say(", ").fig(change, "", last.Quarter, "Change on the quarter before").say(" more than in ", qs[n-2].Quarter)
				case d < 0:
					b.say(", ").fig(change, "", last.Quarter, "Change on the quarter before").say(" fewer than in ", qs[n-2].Quarter)
					b.figures[len(b.figures)-1].Negative = true
				default:
					b.say(", as many as in ", qs[n-2].Quarter)
				}
			}
			out = append(out, b.say(".").done("trends-referrals"))
		}
	}
	// The latest cohort whose conversion is final and shown.
	for i := len(qs) - 1; i >= 0; i-- {
		c := qs[i].Conversion
		v, ok := pct(c.Percent)
		if c.Provisional || !ok {
			continue
		}
		b := (&sentenceOf{}).say("Of the people referred in ", qs[i].Quarter, " (the latest cohort whose figures are final), ").
			fig(v, "%", qs[i].Quarter, "Conversion (%)").say(" started a course")
		if i > 0 {
			if prev, ok := pct(qs[i-1].Conversion.Percent); ok {
				b.say(", against ").fig(prev, "%", qs[i-1].Quarter, "Conversion (%)").say(" of those referred in ", qs[i-1].Quarter)
			}
		}
		out = append(out, b.say(".").done("trends-rates"))
		break
	}
	if s, ok := largestLoss(fu); ok {
		out = append(out, s)
	}
	return out
}

// largestLoss is the step of the pathway that keeps the smallest share of
// the stage before.
func largestLoss(fu queries.Funnel) (Sentence, bool) {
	best := -1
	for i := 1; i < len(fu.Stages); i++ {
		p := fu.Stages[i].PercentOfPrevious
		if _, ok := pct(p); !ok {
			continue
		}
		if best < 0 || *p < *fu.Stages[best].PercentOfPrevious {
			best = i
		}
	}
	if best < 0 {
		return Sentence{}, false
	}
	st, prev := fu.Stages[best], fu.Stages[best-1]
	v, _ := pct(st.PercentOfPrevious)
	b := (&sentenceOf{}).say("The largest loss along the pathway is at the step to \"", strings.ToLower(st.Label), "\": ").
		fig(v, "%", st.Label, "Share of the stage before (%)").say(" of those at \"", strings.ToLower(prev.Label), "\" got there")
	if fu.Provisional {
		b.say(" (recent referrals may still move on)")
	}
	return b.say(".").done("funnel"), true
}

func pathwayPageSummary(ctx context.Context, r *results, f queries.Filter) ([]Sentence, error) {
	fu, err := loadResult(ctx, r, srcFunnel, f)
	if err != nil {
		return nil, err
	}
	cv, err := loadResult(ctx, r, srcConversion, f)
	if err != nil {
		return nil, err
	}
	tt, err := loadResult(ctx, r, srcTimeToFirst, f)
	if err != nil {
		return nil, err
	}
	sr, err := loadResult(ctx, r, srcRetention, f)
	if err != nil {
		return nil, err
	}
	return pathwaySummary(fu, cv, tt, sr), nil
}

// pathwaySummary: the largest loss along the pathway, the latest final
// cohort's conversion and completion, the wait for a first session, and
// the session after which most starters stop coming.
func pathwaySummary(fu queries.Funnel, cv queries.ConversionByCohort, tt queries.TimeToFirstSession, sr queries.SessionRetention) []Sentence {
	var out []Sentence
	if s, ok := largestLoss(fu); ok {
		out = append(out, s)
	}
	for i := len(cv.Cohorts) - 1; i >= 0; i-- {
		c := cv.Cohorts[i]
		conv, ok1 := pct(c.Conversion.Percent)
		comp, ok2 := pct(c.Completion.Percent)
		if c.Provisional || !ok1 || !ok2 {
			continue
		}
		out = append(out, (&sentenceOf{}).say("Of the eligible people referred in ", c.Quarter, " (the latest final cohort), ").
			fig(conv, "%", c.Quarter, "Conversion (%)").say(" started a course and ").fig(comp, "%", c.Quarter, "Completion (%)").say(" completed one.").
			done("conversion-cohorts"))
		break
	}
	o := tt.Overall
	if med, ok := cellText(days(o.MedianDays, o.Suppressed)); ok {
		b := (&sentenceOf{}).say("Half of the people who started waited ").fig(med, " days", "All quarters", "Median (days)").say(" or less for a first session")
		if p90, ok := cellText(days(o.P90Days, o.Suppressed)); ok {
			b.say("; one in ten waited more than ").fig(p90, " days", "All quarters", "90th percentile (days)")
		}
		out = append(out, b.say(".").done("time-to-first-session"))
	}
	best := -1
	for i := 1; i < len(sr.Sessions); i++ {
		a, b := sr.Sessions[i-1].Present.Percent, sr.Sessions[i].Present.Percent
		if _, ok := pct(a); !ok {
			continue
		}
		if _, ok := pct(b); !ok {
			continue
		}
		if best < 0 || *a-*b > *sr.Sessions[best-1].Present.Percent-*sr.Sessions[best].Present.Percent {
			best = i
		}
	}
	if best > 0 {
		a, b := sr.Sessions[best-1], sr.Sessions[best]
		av, _ := pct(a.Present.Percent)
		bv, _ := pct(b.Present.Percent)
		ra, rb := "Session "+strconv.Itoa(a.Session), "Session "+strconv.Itoa(b.Session)
		out = append(out, (&sentenceOf{}).say("Attendance falls most between sessions ", strconv.Itoa(a.Session), " and ", strconv.Itoa(b.Session), ": from ").
			fig(av, "%", ra, "Present (%)").say(" to ").fig(bv, "%", rb, "Present (%)").say(" of starters.").done("session-retention"))
	}
	return out
}

// --- Practices and non-attenders --------------------------------------

func practicesPageSummary(ctx context.Context, r *results, f queries.Filter) ([]Sentence, error) {
	bm, err := loadResult(ctx, r, srcBenchmark, f)
	if err != nil {
		return nil, err
	}
	cd, err := loadResult(ctx, r, srcCoding, f)
	if err != nil {
		return nil, err
	}
	return practicesSummary(bm, cd), nil
}

// comparedColumn is the heading of a benchmark table's column of labels,
// which names the comparator and says when the limits are adjusted for
// overdispersion.
func comparedColumn(c queries.Comparator, bm queries.BenchmarkMeasure) string {
	if bm.Adjusted {
		return "Compared with " + comparatorWords(c) + " (limits adjusted for overdispersion)"
	}
	return "Compared with " + comparatorWords(c)
}

// practicesSummary: for each funnel plot, how many practices lie beyond
// the limits, naming a few below them; and the outcome coded least often.
func practicesSummary(bm queries.PracticeBenchmark, cd queries.CodingCompleteness) []Sentence {
	var out []Sentence
	for _, m := range benchmarkMeasures {
		measure := m.measure(bm)
		var low998, low95, high998, high95 int
		var lows []queries.PracticeBenchmarkRow
		for _, p := range bm.Practices {
			switch m.value(p).Label {
			case "Low (0.001)":
				low998++
				lows = append(lows, p)
			case "Low (0.025)":
				low95++
				lows = append(lows, p)
			case "High (0.001)":
				high998++
			case "High (0.025)":
				high95++
			}
		}
		name := strings.ToLower(measure.Title)
		benchmarkColumn := comparedColumn(bm.Comparator, measure)
		comparator := comparatorWords(bm.Comparator)
		if low998+low95+high998+high95 == 0 {
			out = append(out, (&sentenceOf{}).say("No practice's ", name, " differs from ", comparator, " by more than chance would explain.").done(m.name))
			continue
		}
		// Each side says how many of its practices are also beyond the
		// 99.8% limits, so that neither count reads as the other's.
		b := (&sentenceOf{}).say("On ", name, ", ").tally(low998+low95, benchmarkColumn, "Low (0.001)", "Low (0.025)").
			say(" ", plural(low998+low95, "practice lies", "practices lie"), " below ", comparator, " beyond the 95% limits (").
			tally(low998, benchmarkColumn, "Low (0.001)").say(" of them beyond the 99.8%) and ").
			tally(high998+high95, benchmarkColumn, "High (0.001)", "High (0.025)").say(" above it (").
			tally(high998, benchmarkColumn, "High (0.001)").say(" beyond the 99.8%)")
		if len(lows) > 0 {
			b.say("; below: ")
			for i, p := range lows[:min(3, len(lows))] {
				if i > 0 {
					b.say(", ")
				}
				b.say(p.Name)
				if v, ok := pct(m.value(p).Percent); ok {
					b.say(" (").fig(v, "%", p.Name, measure.Title+" (%)").say(")")
				}
			}
			if len(lows) > 3 {
				b.say(" and ", strconv.Itoa(len(lows)-3), " more")
			}
		}
		out = append(out, b.say(".").done(m.name))
	}
	worst := -1
	for i, g := range cd.Categories {
		if _, ok := pct(g.Rate.Percent); !ok {
			continue
		}
		if worst < 0 || *g.Rate.Percent < *cd.Categories[worst].Rate.Percent {
			worst = i
		}
	}
	if worst >= 0 {
		g := cd.Categories[worst]
		v, _ := pct(g.Rate.Percent)
		out = append(out, (&sentenceOf{}).say("The outcome practices code least often is \"", g.Key, "\": ").
			fig(v, "%", g.Key, "Coded (%)").say(" coded within ", strconv.Itoa(cd.WindowDays), " days.").done("coding-categories"))
	}
	return out
}

func nonAttendersPageSummary(ctx context.Context, r *results, f queries.Filter) ([]Sentence, error) {
	fu, err := loadResult(ctx, r, srcFollowUp, f)
	if err != nil {
		return nil, err
	}
	return nonAttendersSummary(fu), nil
}

// nonAttendersSummary: how many due non-attenders were followed up in
// time, the practice that follows up least, and who came back.
func nonAttendersSummary(fu queries.FollowUp) []Sentence {
	var out []Sentence
	w := strconv.Itoa(fu.WindowDays)
	due, okDue := cellText(CountCell(fu.Rate.Denominator))
	done, okDone := cellText(CountCell(fu.Rate.Numerator))
	if okDue && okDone {
		out = append(out, (&sentenceOf{}).say("Of ").fig(due, "", "Due: "+w+" days have passed", "People").
			say(" non-attenders due a follow-up, ").fig(done, "", "Followed up within "+w+" days", "People").
			say(" were followed up within ", w, " days.").done("followup-summary"))
	}
	low := -1
	for i, p := range fu.Practices {
		if _, ok := pct(p.Rate.Percent); !ok {
			continue
		}
		if low < 0 || *p.Rate.Percent < *fu.Practices[low].Rate.Percent {
			low = i
		}
	}
	if low >= 0 && len(fu.Practices) > 1 {
		p := fu.Practices[low]
		v, _ := pct(p.Rate.Percent)
		out = append(out, (&sentenceOf{}).say("The lowest follow-up rate is ", p.Name, "'s: ").
			fig(v, "%", p.Name, "Follow-up rate (%)").say(".").done("followup-practices"))
	}
	a, okA := pct(fu.ReEngagement.FollowedUp.Percent)
	b, okB := pct(fu.ReEngagement.NotFollowedUp.Percent)
	if okA && okB {
		out = append(out, (&sentenceOf{}).say("Of those followed up in time, ").fig(a, "%", "Followed up in time", "Re-engaged (%)").
			say(" later attended, against ").fig(b, "%", "Not followed up in time", "Re-engaged (%)").
			say(" of those who were not (an association, not proof of effect).").done("followup-reengagement"))
	}
	return out
}

// --- Venues, equity and data --------------------------------------------

func venuesPageSummary(ctx context.Context, r *results, f queries.Filter) ([]Sentence, error) {
	cp, err := loadResult(ctx, r, srcCapacity, f)
	if err != nil {
		return nil, err
	}
	fr, err := loadResult(ctx, r, srcFillRates, f)
	if err != nil {
		return nil, err
	}
	return venuesSummary(cp, fr), nil
}

// venuesSummary: the capacity model's advice for the slots where it
// advises a change (people wanting a place against spare places, and the
// courses to add or take away), or that none needs one; then the fullest
// and emptiest slots.
func venuesSummary(cp queries.Capacity, fr queries.FillRates) []Sentence {
	var out []Sentence
	changed := false
	for _, sl := range cp.Slots {
		if sl.Add == 0 && sl.Remove == 0 {
			continue
		}
		changed = true
		wanting, _ := cellText(Int(sl.Wanting))
		spare, _ := cellText(Int(sl.Spare))
		b := (&sentenceOf{}).say(sl.Slot, ": ").fig(wanting, "", sl.Slot, "Wanting a place, a quarter").
			say(" people a quarter wanted a place and were not booked in time, against ").fig(spare, "", sl.Slot, "Spare places, a quarter").
			say(" spare places; ")
		if sl.Add > 0 {
			n, _ := cellText(Int(sl.Add))
			b.say("add ").fig(n, "", sl.Slot, "Courses to add").say(" ", plural(int(sl.Add), "course", "courses"), " next quarter.")
		} else {
			n, _ := cellText(Int(sl.Remove))
			b.say("take away ").fig(n, "", sl.Slot, "Courses to take away").say(" ", plural(int(sl.Remove), "course", "courses"), " next quarter.")
		}
		out = append(out, b.done("capacity"))
	}
	if !changed && len(cp.Quarters) > 0 {
		out = append(out, (&sentenceOf{}).say("No slot needs a course added or taken away next quarter: where people wait, too few for a course of ",
			strconv.Itoa(cp.MinPlaces), " are left once spare places are used.").done("capacity"))
	}
	full, empty := -1, -1
	for i, g := range fr.BySlot {
		if _, ok := pct(g.FillRate); !ok {
			continue
		}
		if full < 0 || *g.FillRate > *fr.BySlot[full].FillRate {
			full = i
		}
		if empty < 0 || *g.FillRate < *fr.BySlot[empty].FillRate {
			empty = i
		}
	}
	if full >= 0 && empty >= 0 && full != empty {
		a, b := fr.BySlot[full], fr.BySlot[empty]
		av, _ := pct(a.FillRate)
		bv, _ := pct(b.FillRate)
		out = append(out, (&sentenceOf{}).say(a.Label, " courses are the fullest, with ").fig(av, "%", a.Label, "Fill rate (%)").
			say(" of places booked; ", strings.ToLower(b.Label), " courses the emptiest, with ").fig(bv, "%", b.Label, "Fill rate (%)").say(".").done("fill-slots"))
	}
	return out
}

func equityPageSummary(ctx context.Context, r *results, f queries.Filter) ([]Sentence, error) {
	eq, err := loadResult(ctx, r, srcEquity, f)
	if err != nil {
		return nil, err
	}
	return equitySummary(eq), nil
}

// equitySummary names, for each dimension, the groups whose 95% interval
// lies wholly below (or above) everyone's conversion.
func equitySummary(eq queries.Equity) []Sentence {
	overall, ok := pct(eq.Overall.Percent)
	if !ok {
		return nil
	}
	var out []Sentence
	for _, side := range []string{"lower", "higher"} {
		var b *sentenceOf
		panel, named := "", 0
		for _, ev := range equityDimensions {
			d := equityDimension(eq, ev.key)
			for _, g := range d.Groups {
				lo, hi, v := g.Conversion.CILow, g.Conversion.CIHigh, g.Conversion.Percent
				if _, shown := pct(v); !shown || lo == nil || hi == nil {
					continue
				}
				if !(side == "lower" && *hi < *eq.Overall.Percent) && !(side == "higher" && *lo > *eq.Overall.Percent) {
					continue
				}
				if b == nil {
					b = (&sentenceOf{}).say("Conversion is ", side, " than everyone's (").fig(overall, "%", "Everyone", "Conversion (%)").
						say("), by more than chance would explain, for ")
					panel = equityViewName(ev.key)
				}
				if named == maxNamed {
					b.say(" and more")
					named++
				}
				if named > maxNamed {
					continue
				}
				if named > 0 {
					b.say("; ")
				}
				pv, _ := pct(v)
				b.say(equityGroupWords(ev.key, g.Value), " (").figIn(equityViewName(ev.key), pv, "%", g.Value, "Conversion (%)").say(")")
				named++
			}
		}
		if b != nil {
			out = append(out, b.say(".").done(panel))
		}
	}
	if out == nil {
		out = append(out, (&sentenceOf{}).say("No group's conversion differs from everyone's (").fig(overall, "%", "Everyone", "Conversion (%)").
			say(") by more than chance would explain.").done(equityViewName(equityDimensions[0].key)))
	}
	return out
}

// maxNamed is how many groups or practices a sentence names.
const maxNamed = 5

// equityGroupWords names a group of a dimension in a sentence: "people
// aged 80+", "people preferring Turkish".
func equityGroupWords(key, value string) string {
	switch key {
	case "age_band":
		return "people aged " + value
	case "language":
		return "people preferring " + value
	case "imd_quintile":
		return "deprivation quintile " + value
	case "ethnic_group":
		return "ethnic group " + value
	case "sex":
		return "sex " + value
	}
	return value
}

func dataPageSummary(ctx context.Context, r *results, f queries.Filter) ([]Sentence, error) {
	loads, err := loadResult(ctx, r, srcLoads, f)
	if err != nil {
		return nil, err
	}
	dq, err := loadResult(ctx, r, srcQuality, f)
	if err != nil {
		return nil, err
	}
	return dataSummary(loads, dq), nil
}

// dataSummary: the latest load, and the quarter with the most rows
// rejected.
func dataSummary(loads []queries.Load, dq queries.DataQuality) []Sentence {
	var out []Sentence
	if len(loads) > 0 {
		ld := loads[0]
		acc, _ := cellText(Int(ld.Accepted))
		rej, _ := cellText(Int(ld.Rejected))
		out = append(out, (&sentenceOf{}).say("The latest load, of ", ld.Quarter, " (", ld.Action, "), accepted ").fig(acc, "", ld.Quarter, "Rows accepted").
			say(" rows and rejected ").fig(rej, "", ld.Quarter, "Rows rejected").say(".").done("loads"))
	}
	worst := -1
	for i, q := range dq.Quarters {
		if q.RejectionRate == nil {
			continue
		}
		if worst < 0 || *q.RejectionRate > *dq.Quarters[worst].RejectionRate {
			worst = i
		}
	}
	if worst >= 0 {
		q := dq.Quarters[worst]
		v, _ := pct(q.RejectionRate)
		out = append(out, (&sentenceOf{}).say("The quarter with the largest share of rows rejected is ", q.Quarter, ": ").
			fig(v, "%", q.Quarter, "Rejected (%)").say(".").done("data-quality"))
	}
	return out
}

func spcPageSummary(ctx context.Context, r *results, f queries.Filter) ([]Sentence, error) {
	spc, err := loadResult(ctx, r, srcSPC, f)
	if err != nil {
		return nil, err
	}
	return spcSummary(spc), nil
}

// spcSummary names the measures whose latest month tested shows
// special-cause variation, in Making Data Count's words, or says that none
// does; and the measures whose limits are still unreliable.
func spcSummary(spc queries.SPC) []Sentence {
	var out []Sentence
	special, unreliable := 0, []string{}
	for _, sm := range spcMeasures {
		m := measureNamed(spc, sm.key)
		if m.Unreliable {
			unreliable = append(unreliable, strings.ToLower(sm.name))
		}
		if m.Variation == nil || *m.Variation == stats.VariationCommonCause || m.Latest == "" {
			continue
		}
		special++
		out = append(out, (&sentenceOf{}).say(sm.name, ": ", strings.ToLower(iconText(*m.Variation)), ", in ").
			fig(m.Latest, "", sm.name, "Latest month").say(", its latest month tested.").done("spc-summary"))
	}
	if special == 0 {
		out = append(out, (&sentenceOf{}).say("No measure shows special-cause variation in its latest month tested: each lies within its usual run of months.").done("spc-summary"))
	}
	if len(unreliable) > 0 {
		out = append(out, (&sentenceOf{}).say("The limits of ", strings.Join(unreliable, ", "), " rest on fewer than ",
			strconv.Itoa(stats.MinReliablePoints), " months, so treat them as a first look.").done("spc-summary"))
	}
	return out
}
