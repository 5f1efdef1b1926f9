package stats

// Statistical process control as NHS England's "Making Data Count"
// programme draws it: the XmR chart ("plot the dots"), its special-cause
// rules, and the variation and assurance icons. The reference
// implementation is the NHS-R Community's NHSRplotthedots (MIT); the file
// and function names in comments below are from its R/ directory. This is
// our own code written from the method, tested against series worked out
// by hand and against values the reference's own tests state.

import (
	"fmt"
	"math"
	"sort"
)

// Direction is the direction in which a measure improves. It decides
// whether a special cause is an improvement or a concern.
type Direction string

// The improvement directions. Neither is NHSRplotthedots' "neutral": special
// causes are still found, but are neither improvement nor concern, and a
// target gives no assurance.
const (
	Increase Direction = "increase"
	Decrease Direction = "decrease"
	Neither  Direction = "neither"
)

// Constants of the XmR chart.
const (
	// LimitFactor times the mean moving range is the distance from the
	// mean to each process limit (3 / d2, d2 = 1.128 for ranges of two).
	LimitFactor = 2.66
	// ScreenFactor times the mean moving range is the upper range limit:
	// a moving range at or above it is left out when the mean moving range
	// is taken again (ptd_spc_standard.R keeps mr < 3.267 * amr).
	ScreenFactor = 3.267
	// DefaultRunLength is the length of a run (on one side of the mean, or
	// rising or falling) that makes a special cause.
	DefaultRunLength = 7
	// MinReliablePoints is the number of points a segment's limits need
	// before they are more than trial limits.
	MinReliablePoints = 12
)

// Special-cause classifications of a point (SPCResultPoint.SpecialCause).
const (
	CauseNone        = "none"
	CauseImprovement = "improvement"
	CauseConcern     = "concern"
	// CauseNeutral is a special cause in a measure whose improvement
	// direction is Neither.
	CauseNeutral = "neutral"
)

// The special-cause rules, in the order of precedence used to decide a
// point's side when more than one fires (ptd_special_cause_type: outside
// limits, then trend, then two in three, then run on one side).
const (
	// RuleOutsideLimits: the point lies above the upper or below the lower
	// process limit.
	RuleOutsideLimits = "outside_limits"
	// RuleTrend: the point is one of a run of RunLength points each higher
	// than the last, or each lower.
	RuleTrend = "trend"
	// RuleTwoOfThree: the point lies between two thirds of the way to a
	// limit and the limit, and is one of two or three such points among
	// three consecutive points that are all on the same side of the mean.
	RuleTwoOfThree = "two_of_three"
	// RuleShift: the point is one of a run of RunLength points on the same
	// side of the mean (a point exactly on the mean ends a run).
	RuleShift = "shift"
)

// Sides of a special cause (SPCResultPoint.Side).
const (
	SideHigh = "high"
	SideLow  = "low"
)

// Variation icons (SPC.Variation), named as NHSRplotthedots names its icon
// files (inst/icons/variation).
const (
	VariationCommonCause     = "common_cause"
	VariationImprovementHigh = "improvement_high"
	VariationImprovementLow  = "improvement_low"
	VariationConcernHigh     = "concern_high"
	VariationConcernLow      = "concern_low"
	VariationNeutralHigh     = "neutral_high"
	VariationNeutralLow      = "neutral_low"
)

// Assurance icons (SPC.Assurance). NHSRplotthedots calls hit-and-miss
// "inconsistent".
const (
	AssurancePass       = "consistent_pass"
	AssuranceFail       = "consistent_fail"
	AssuranceHitAndMiss = "hit_and_miss"
)

// SPCPoint is one point of a series, in time order.
//
// A provisional point (a month whose outcome window has not closed) has a
// value that is drawn, but it is kept out of the mean, the moving ranges
// and the limits, and it is not tested against the rules: its value is
// known to be incomplete, so a signal from it would be an artefact. A
// withheld point (disclosure control) is treated the same way and its
// Value is ignored. In both cases the point ends any run, trend or
// two-of-three window that would pass through it: a run is made of
// consecutive tested points.
type SPCPoint struct {
	Value       float64
	Provisional bool
	Withheld    bool
}

// inLimits reports whether the point takes part in the limits and the
// rules.
func (p SPCPoint) inLimits() bool { return !p.Provisional && !p.Withheld }

// SPCOptions configures an XmR chart.
type SPCOptions struct {
	// Improvement is the direction in which the measure improves.
	Improvement Direction
	// Target, when not nil, is the value the measure should reach; it
	// gives the assurance icon.
	Target *float64
	// Rebase lists the indexes of points that start new limits (a service
	// change). Index 0 and repeats change nothing.
	Rebase []int
	// RunLength is the length of run that makes a special cause, for runs
	// on one side of the mean and for trends; 0 means DefaultRunLength.
	RunLength int
}

// SPCSegment is a stretch of the series with its own limits: the whole
// series, or the points from one rebase to the next.
type SPCSegment struct {
	// Start and End index the segment's points: Start <= i < End.
	Start, End int
	// N is the number of points in the limits (not provisional, not
	// withheld).
	N int
	// Mean is the mean of those points; 0 when N is 0.
	Mean float64
	// MovingRanges is the number of moving ranges left after screening;
	// Screened is the number screened out.
	MovingRanges, Screened int
	// MeanMovingRange is the mean of the moving ranges left after
	// screening.
	MeanMovingRange float64
	// LPL and UPL are the lower and upper process limits,
	// Mean ∓ LimitFactor × MeanMovingRange.
	LPL, UPL float64
	// HasLimits is false when the segment has no moving range (fewer than
	// two adjacent points in the limits): then LPL, UPL and
	// MeanMovingRange are 0 and none of its points is tested.
	HasLimits bool
	// Unreliable is true when N is below MinReliablePoints: the limits are
	// trial limits, as NHSRplotthedots warns.
	Unreliable bool
}

// SPCResultPoint is one point of an XmR chart with its limits and the
// special cause found at it.
type SPCResultPoint struct {
	SPCPoint
	// Segment indexes SPC.Segments.
	Segment int
	// Mean, LPL and UPL are the segment's, repeated on each point for
	// drawing (see SPCSegment for when they are 0).
	Mean, LPL, UPL float64
	// MovingRange is |x(i) - x(i-1)| when both this point and the one
	// before it are in the same segment and in the limits (HasMovingRange);
	// Screened says it was left out of the mean moving range.
	MovingRange    float64
	HasMovingRange bool
	Screened       bool
	// Tested is true when the point was tested against the rules: it is in
	// the limits and its segment has limits.
	Tested bool
	// SpecialCause is CauseNone, CauseImprovement, CauseConcern or
	// CauseNeutral.
	SpecialCause string
	// Side is SideHigh or SideLow for a special cause, "" otherwise.
	Side string
	// Rules lists the rules that fired at this point, in order of
	// precedence; empty for common cause.
	Rules []string
}

// SPC is an XmR chart of a series.
type SPC struct {
	Points   []SPCResultPoint
	Segments []SPCSegment
	// Latest indexes the latest tested point, whose special cause gives the
	// variation icon; -1 when no point was tested.
	Latest int
	// Variation is the variation icon of the latest tested point, "" when
	// there is none.
	Variation string
	// Assurance is the assurance icon: the target compared with the last
	// segment's limits. "" when there is no target, the improvement
	// direction is Neither, or the last segment has no limits.
	Assurance string
	// Unreliable is true when any segment's limits are unreliable.
	Unreliable bool
}

// XmR draws an XmR chart of points, as Making Data Count does.
//
// For each segment (split at opt.Rebase) it takes the mean of the points in
// the limits; the moving ranges |x(i) - x(i-1)| between adjacent points that
// are both in the limits; the mean moving range, then again without the
// ranges at or above ScreenFactor times it; and the process limits at the
// mean ∓ LimitFactor times the screened mean moving range. Each tested
// point is then checked against four rules, within its segment only:
// RuleOutsideLimits, RuleTrend, RuleTwoOfThree and RuleShift (see their
// comments). A special cause on the high side is an improvement when the
// measure improves upwards, and so on.
//
// Where NHSRplotthedots and this function differ:
//   - Provisional and withheld points are out of the limits and untested
//     (see SPCPoint); the reference has no such points.
//   - The variation icon is that of the latest tested point; the reference
//     takes the latest point (all of its points are tested).
//   - Unreliable counts points in the limits and is set below 12, as the
//     reference's message ("n < 12") and tests say; its code's default
//     threshold is 13.
//   - A series whose moving ranges are all 0 keeps them (limits at the
//     mean); the reference screens them all out and has no limits.
//   - A trend point's side is the direction of its trend. The reference
//     derives it from the neighbouring step, which for a point beside a
//     tie can name the wrong direction. A point where a rising trend meets
//     a falling one takes the side of the trend that starts at it, as the
//     reference does.
//
// XmR returns an error for an unknown improvement direction, a rebase index
// outside the series, a run length below 2, or a non-finite value in a
// point that is not withheld.
func XmR(points []SPCPoint, opt SPCOptions) (SPC, error) {
	switch opt.Improvement {
	case Increase, Decrease, Neither:
	default:
		return SPC{}, fmt.Errorf("spc: unknown improvement direction %q", opt.Improvement)
	}
	run := opt.RunLength
	if run == 0 {
		run = DefaultRunLength
	}
	if run < 2 {
		return SPC{}, fmt.Errorf("spc: run length %d is below 2", run)
	}
	for i, p := range points {
		if !p.Withheld && (math.IsNaN(p.Value) || math.IsInf(p.Value, 0)) {
			return SPC{}, fmt.Errorf("spc: point %d has no finite value and is not withheld", i)
		}
	}
	starts, err := segmentStarts(len(points), opt.Rebase)
	if err != nil {
		return SPC{}, err
	}

	out := SPC{Points: make([]SPCResultPoint, len(points)), Segments: []SPCSegment{}, Latest: -1}
	for i, p := range points {
		out.Points[i] = SPCResultPoint{SPCPoint: p, SpecialCause: CauseNone, Rules: []string{}}
	}
	for k, start := range starts {
		end := len(points)
		if k+1 < len(starts) {
			end = starts[k+1]
		}
		seg := segmentLimits(out.Points[start:end])
		seg.Start, seg.End = start, end
		out.Unreliable = out.Unreliable || seg.Unreliable
		out.Segments = append(out.Segments, seg)
		for i := start; i < end; i++ {
			p := &out.Points[i]
			p.Segment = k
			p.Mean, p.LPL, p.UPL = seg.Mean, seg.LPL, seg.UPL
			p.Tested = seg.HasLimits && p.inLimits()
		}
		if seg.HasLimits {
			testSegment(out.Points[start:end], seg, run, opt.Improvement)
		}
	}

	for i := len(out.Points) - 1; i >= 0; i-- {
		if out.Points[i].Tested {
			out.Latest = i
			break
		}
	}
	if out.Latest >= 0 {
		out.Variation = variationIcon(out.Points[out.Latest], opt.Improvement)
	}
	if len(out.Segments) > 0 {
		out.Assurance = assuranceIcon(out.Segments[len(out.Segments)-1], opt.Target, opt.Improvement)
	}
	return out, nil
}

// segmentStarts returns the sorted, distinct first indexes of the segments
// of a series of n points.
func segmentStarts(n int, rebase []int) ([]int, error) {
	if n == 0 {
		return nil, nil
	}
	seen := map[int]bool{0: true}
	starts := []int{0}
	for _, r := range rebase {
		if r < 0 || r >= n {
			return nil, fmt.Errorf("spc: rebase index %d is outside the series of %d points", r, n)
		}
		if !seen[r] {
			seen[r] = true
			starts = append(starts, r)
		}
	}
	sort.Ints(starts)
	return starts, nil
}

// segmentLimits works out a segment's mean, moving ranges and limits, and
// records each point's moving range.
func segmentLimits(pts []SPCResultPoint) SPCSegment {
	var seg SPCSegment
	var values []float64
	for _, p := range pts {
		if p.inLimits() {
			values = append(values, p.Value)
		}
	}
	seg.N = len(values)
	seg.Unreliable = seg.N < MinReliablePoints
	if seg.N == 0 {
		return seg
	}
	seg.Mean = mean(values)

	var ranges []float64
	for i := 1; i < len(pts); i++ {
		if pts[i].inLimits() && pts[i-1].inLimits() {
			pts[i].MovingRange = math.Abs(pts[i].Value - pts[i-1].Value)
			pts[i].HasMovingRange = true
			ranges = append(ranges, pts[i].MovingRange)
		}
	}
	if len(ranges) == 0 {
		return seg
	}
	// Screening: a range at or above the upper range limit is left out.
	// When every range is 0 the limit is 0 too and nothing is screened.
	if firstMean := mean(ranges); firstMean > 0 {
		ceiling := ScreenFactor * firstMean
		ranges = ranges[:0]
		for i := range pts {
			if !pts[i].HasMovingRange {
				continue
			}
			if pts[i].MovingRange < ceiling {
				ranges = append(ranges, pts[i].MovingRange)
			} else {
				pts[i].Screened = true
				seg.Screened++
			}
		}
	}
	seg.MovingRanges = len(ranges)
	seg.MeanMovingRange = mean(ranges)
	seg.LPL = seg.Mean - LimitFactor*seg.MeanMovingRange
	seg.UPL = seg.Mean + LimitFactor*seg.MeanMovingRange
	seg.HasLimits = true
	return seg
}

// mean returns the mean of xs (at least one) as R's mean() does: the sum
// is taken with compensation, divided, and corrected by the mean of the
// residuals. A plain running sum can miss by an ulp, and then a point
// whose value equals the mean (monthly counts often do) would fall on one
// side of it and start or extend a run that the reference, and a person
// with a calculator, would not see.
func mean(xs []float64) float64 {
	n := float64(len(xs))
	m := compensatedSum(xs) / n
	var residuals []float64
	for _, x := range xs {
		residuals = append(residuals, x-m)
	}
	return m + compensatedSum(residuals)/n
}

// compensatedSum adds xs with Neumaier's compensation.
func compensatedSum(xs []float64) float64 {
	var sum, c float64
	for _, x := range xs {
		t := sum + x
		if math.Abs(sum) >= math.Abs(x) {
			c += (sum - t) + x
		} else {
			c += (x - t) + sum
		}
		sum = t
	}
	return sum + c
}

// testSegment applies the rules to a segment's tested points. A rule looks
// only at consecutive tested points: an untested point splits the segment
// into blocks, and each block is tested on its own.
func testSegment(pts []SPCResultPoint, seg SPCSegment, run int, dir Direction) {
	for i := 0; i < len(pts); {
		if !pts[i].Tested {
			i++
			continue
		}
		j := i
		for j < len(pts) && pts[j].Tested {
			j++
		}
		testBlock(pts[i:j], seg, run, dir)
		i = j
	}
}

// testBlock applies the rules to consecutive tested points of one segment.
func testBlock(pts []SPCResultPoint, seg SPCSegment, run int, dir Direction) {
	n := len(pts)
	// Two thirds of the way from the mean to a limit, as ptd_spc_standard.R
	// computes it: limitclose = 2 * (2.66 / 3).
	nearLower := seg.Mean - 2*(LimitFactor/3)*seg.MeanMovingRange
	nearUpper := seg.Mean + 2*(LimitFactor/3)*seg.MeanMovingRange

	side := make([]int, n) // sign of value - mean
	outside := make([]bool, n)
	near := make([]bool, n) // between two thirds and the limit, not beyond it
	for i, p := range pts {
		switch {
		case p.Value > seg.Mean:
			side[i] = 1
		case p.Value < seg.Mean:
			side[i] = -1
		}
		outside[i] = p.Value > seg.UPL || p.Value < seg.LPL
		near[i] = !outside[i] && (p.Value < nearLower || p.Value > nearUpper)
	}

	// Shift: run consecutive points with the same non-zero side.
	shift := make([]bool, n)
	for end := run - 1; end < n; end++ {
		all := side[end] != 0
		for k := end - run + 1; k < end && all; k++ {
			all = side[k] == side[end]
		}
		if all {
			for k := end - run + 1; k <= end; k++ {
				shift[k] = true
			}
		}
	}

	// Trend: run consecutive points each strictly above (or below) the one
	// before. trend holds the direction of the trend a point belongs to; a
	// point where one trend ends and another starts takes the one that
	// starts at it.
	trend := make([]int, n)
	for end := run - 1; end < n; end++ {
		start := end - run + 1
		d := stepSign(pts[start].Value, pts[start+1].Value)
		all := d != 0
		for k := start + 1; k < end && all; k++ {
			all = stepSign(pts[k].Value, pts[k+1].Value) == d
		}
		if !all {
			continue
		}
		trend[start] = d
		for k := start + 1; k <= end; k++ {
			if trend[k] == 0 {
				trend[k] = d
			}
		}
	}

	// Two of three: in three consecutive points all on the same side of
	// the mean, at least two near a limit; those near a limit are flagged,
	// the third is not (ptd_two_in_three, ptd_part_of_two_in_three).
	twoOfThree := make([]bool, n)
	for start := 0; start+3 <= n; start++ {
		s := side[start]
		if s == 0 || side[start+1] != s || side[start+2] != s {
			continue
		}
		count := 0
		for k := start; k < start+3; k++ {
			if near[k] {
				count++
			}
		}
		if count >= 2 {
			for k := start; k < start+3; k++ {
				if near[k] {
					twoOfThree[k] = true
				}
			}
		}
	}

	for i := range pts {
		p := &pts[i]
		s := 0 // side of the special cause, from the rule of highest precedence
		if outside[i] {
			p.Rules = append(p.Rules, RuleOutsideLimits)
			s = side[i]
		}
		if trend[i] != 0 {
			p.Rules = append(p.Rules, RuleTrend)
			if s == 0 {
				s = trend[i]
			}
		}
		if twoOfThree[i] {
			p.Rules = append(p.Rules, RuleTwoOfThree)
			if s == 0 {
				s = side[i]
			}
		}
		if shift[i] {
			p.Rules = append(p.Rules, RuleShift)
			if s == 0 {
				s = side[i]
			}
		}
		p.SpecialCause, p.Side = classify(s, dir)
	}
}

// stepSign is the sign of b - a.
func stepSign(a, b float64) int {
	switch {
	case b > a:
		return 1
	case b < a:
		return -1
	}
	return 0
}

// classify turns the side of a special cause (1 high, -1 low, 0 none) into
// its classification and side name.
func classify(side int, dir Direction) (cause, name string) {
	if side == 0 {
		return CauseNone, ""
	}
	name = SideHigh
	if side < 0 {
		name = SideLow
	}
	switch {
	case dir == Neither:
		return CauseNeutral, name
	case (side > 0) == (dir == Increase):
		return CauseImprovement, name
	default:
		return CauseConcern, name
	}
}

// variationIcon is the variation icon of a tested point. As in
// NHSRplotthedots (geom_ptd_icon.R), improvement is drawn high for a
// measure that improves upwards and low for one that improves downwards,
// and concern the other way round; for Neither, the point's own side.
func variationIcon(p SPCResultPoint, dir Direction) string {
	switch p.SpecialCause {
	case CauseImprovement:
		if dir == Increase {
			return VariationImprovementHigh
		}
		return VariationImprovementLow
	case CauseConcern:
		if dir == Increase {
			return VariationConcernLow
		}
		return VariationConcernHigh
	case CauseNeutral:
		if p.Side == SideHigh {
			return VariationNeutralHigh
		}
		return VariationNeutralLow
	}
	return VariationCommonCause
}

// assuranceIcon compares a target with a segment's limits, as
// ptd_calculate_assurance_type.R does: a target above the upper limit is
// consistently failed by a measure that should increase (and consistently
// passed by one that should decrease), a target below the lower limit the
// other way round, and a target between or on the limits is hit and miss.
func assuranceIcon(seg SPCSegment, target *float64, dir Direction) string {
	if target == nil || dir == Neither || !seg.HasLimits {
		return ""
	}
	t := *target
	switch {
	case t > seg.UPL:
		if dir == Increase {
			return AssuranceFail
		}
		return AssurancePass
	case t < seg.LPL:
		if dir == Increase {
			return AssurancePass
		}
		return AssuranceFail
	}
	return AssuranceHitAndMiss
}
