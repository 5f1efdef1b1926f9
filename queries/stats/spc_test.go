package stats

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// The series below are worked out by hand; the arithmetic is in the
// comments. "Two thirds" is the band between two thirds of the way from the
// mean to a limit and the limit: mean ± (2/3) × 2.66 × mean moving range.

func series(values ...float64) []SPCPoint {
	pts := make([]SPCPoint, len(values))
	for i, v := range values {
		pts[i] = SPCPoint{Value: v}
	}
	return pts
}

func mustXmR(t *testing.T, pts []SPCPoint, opt SPCOptions) SPC {
	t.Helper()
	got, err := XmR(pts, opt)
	if err != nil {
		t.Fatalf("XmR: %v", err)
	}
	return got
}

// wantSegment checks a segment's mean, mean moving range and limits.
func wantSegment(t *testing.T, got SPC, k int, mean, mr, lpl, upl float64) {
	t.Helper()
	s := got.Segments[k]
	if !s.HasLimits || !near(s.Mean, mean, 1e-9) || !near(s.MeanMovingRange, mr, 1e-9) || !near(s.LPL, lpl, 1e-9) || !near(s.UPL, upl, 1e-9) {
		t.Errorf("segment %d: mean %v, mean MR %v, limits %v to %v (has limits %v); want %v, %v, %v to %v",
			k, s.Mean, s.MeanMovingRange, s.LPL, s.UPL, s.HasLimits, mean, mr, lpl, upl)
	}
	for i := s.Start; i < s.End; i++ {
		p := got.Points[i]
		if p.Segment != k || p.Mean != s.Mean || p.LPL != s.LPL || p.UPL != s.UPL {
			t.Errorf("point %d: segment %d, mean %v, limits %v to %v; want its segment %d's", i, p.Segment, p.Mean, p.LPL, p.UPL, k)
		}
	}
}

// causes writes each point's special cause as one letter: . none,
// I improvement, C concern, N neutral, followed by H or L for the side,
// points separated by spaces, so a whole series is checked at once.
func causes(got SPC) string {
	var b strings.Builder
	for i, p := range got.Points {
		if i > 0 {
			b.WriteByte(' ')
		}
		switch p.SpecialCause {
		case CauseNone:
			b.WriteString(".")
			continue
		case CauseImprovement:
			b.WriteString("I")
		case CauseConcern:
			b.WriteString("C")
		case CauseNeutral:
			b.WriteString("N")
		default:
			b.WriteString("?")
		}
		switch p.Side {
		case SideHigh:
			b.WriteString("H")
		case SideLow:
			b.WriteString("L")
		default:
			b.WriteString("?")
		}
	}
	return b.String()
}

// wantRules checks the rules that fired at each point: rules[i] for the
// points listed, none elsewhere.
func wantRules(t *testing.T, got SPC, rules map[int][]string) {
	t.Helper()
	for i, p := range got.Points {
		want := rules[i]
		if want == nil {
			want = []string{}
		}
		if !slices.Equal(p.Rules, want) {
			t.Errorf("point %d (%v): rules %v, want %v", i, p.Value, p.Rules, want)
		}
	}
}

// seriesOutside is 10, 12 seven times and then 18.
//
//	sum = 7×10 + 7×12 + 18 = 172; mean = 172/15 = 11.466667
//	moving ranges: 13 of |12 - 10| = 2, then |18 - 12| = 6: sum 32 over 14;
//	  mean MR = 32/14 = 2.285714; 3.267 × 2.285714 = 7.467 > 6, none screened
//	2.66 × 32/14 = 6.08: limits 11.466667 ∓ 6.08 = 5.386667 and 17.546667
//	two thirds: 11.466667 ∓ 4.053333 = 7.413333 and 15.52: 10, 12 inside
//	sides: 10 below, 12 above, alternating, 18 above: longest run 2;
//	  steps alternate: no trend
//
// So the last point alone is a special cause, beyond the upper limit.
var seriesOutside = []float64{10, 12, 10, 12, 10, 12, 10, 12, 10, 12, 10, 12, 10, 12, 18}

func TestXmROutsideLimitsAlone(t *testing.T) {
	got := mustXmR(t, series(seriesOutside...), SPCOptions{Improvement: Increase})
	wantSegment(t, got, 0, 172.0/15, 32.0/14, 172.0/15-6.08, 172.0/15+6.08)
	if s := got.Segments[0]; s.N != 15 || s.MovingRanges != 14 || s.Screened != 0 || s.Unreliable {
		t.Errorf("segment: N %d, %d moving ranges, %d screened, unreliable %v; want 15, 14, 0, false", s.N, s.MovingRanges, s.Screened, s.Unreliable)
	}
	if want := ". . . . . . . . . . . . . . IH"; causes(got) != want {
		t.Errorf("causes %q, want %q", causes(got), want)
	}
	wantRules(t, got, map[int][]string{14: {RuleOutsideLimits}})
	if got.Latest != 14 || got.Variation != VariationImprovementHigh || got.Assurance != "" || got.Unreliable {
		t.Errorf("latest %d, variation %q, assurance %q, unreliable %v; want 14, %q, none, false", got.Latest, got.Variation, got.Assurance, got.Unreliable, VariationImprovementHigh)
	}
	// Moving ranges on the points: none on the first, |18 - 12| on the last.
	if p := got.Points[0]; p.HasMovingRange {
		t.Errorf("first point has a moving range %v", p.MovingRange)
	}
	if p := got.Points[14]; !p.HasMovingRange || p.MovingRange != 6 || p.Screened || !p.Tested {
		t.Errorf("last point: moving range %v (%v), screened %v, tested %v; want 6, kept, tested", p.MovingRange, p.HasMovingRange, p.Screened, p.Tested)
	}
}

// TestXmRDirections reads the same special causes in each improvement
// direction, and their mirror image (22 - x: mean 22 - 11.466667 =
// 10.533333, the same moving ranges, limits 4.453333 and 16.613333, and the
// last point 4 below the lower limit).
func TestXmRDirections(t *testing.T) {
	mirror := make([]float64, len(seriesOutside))
	for i, v := range seriesOutside {
		mirror[i] = 22 - v
	}
	cases := []struct {
		name      string
		values    []float64
		dir       Direction
		last      string
		variation string
	}{
		{"high, improves upwards", seriesOutside, Increase, "IH", VariationImprovementHigh},
		{"high, improves downwards", seriesOutside, Decrease, "CH", VariationConcernHigh},
		{"high, neither", seriesOutside, Neither, "NH", VariationNeutralHigh},
		{"low, improves upwards", mirror, Increase, "CL", VariationConcernLow},
		{"low, improves downwards", mirror, Decrease, "IL", VariationImprovementLow},
		{"low, neither", mirror, Neither, "NL", VariationNeutralLow},
	}
	for _, c := range cases {
		got := mustXmR(t, series(c.values...), SPCOptions{Improvement: c.dir})
		cs := strings.Fields(causes(got))
		if cs[14] != c.last || got.Variation != c.variation || strings.Count(causes(got), ".") != 14 {
			t.Errorf("%s: causes %q, variation %q; want last %q, variation %q", c.name, causes(got), got.Variation, c.last, c.variation)
		}
	}
	got := mustXmR(t, series(mirror...), SPCOptions{Improvement: Decrease})
	wantSegment(t, got, 0, 22-172.0/15, 32.0/14, 22-172.0/15-6.08, 22-172.0/15+6.08)
}

// TestXmRShiftAlone: 8, 12 alternating for seven points, then seven points
// of 11 or 12.
//
//	sum = 4×8 + 3×12 + 4×11 + 3×12 = 148; mean = 148/14 = 10.571429
//	moving ranges: 6 of 4, |11 - 8| = 3, 6 of 1: sum 33 over 13;
//	  mean MR = 2.538462; 3.267 × it = 8.29, none screened
//	2.66 × 33/13 = 6.752308: limits 3.819121 and 17.323736
//	two thirds: 10.571429 ∓ 4.501538 = 6.069890 and 15.072967: 8, 12 inside
//	sides: 8 below, 12 above alternate to point 6 (8, below); points 7-13
//	  (11 or 12) are all above: a run of exactly 7. Steps alternate: no
//	  trend.
//
// Without its last point the run is 6 and nothing is special (sum 137,
// mean 10.538462; ranges 6×4 + 3 + 5×1 = 32 over 12, mean 2.666667;
// limits 3.445128 and 17.631795; two thirds 5.809573 and 15.267350).
func TestXmRShiftAlone(t *testing.T) {
	values := []float64{8, 12, 8, 12, 8, 12, 8, 11, 12, 11, 12, 11, 12, 11}
	got := mustXmR(t, series(values...), SPCOptions{Improvement: Increase})
	wantSegment(t, got, 0, 148.0/14, 33.0/13, 148.0/14-2.66*33/13, 148.0/14+2.66*33/13)
	if want := ". . . . . . . IH IH IH IH IH IH IH"; causes(got) != want {
		t.Errorf("causes %q, want %q", causes(got), want)
	}
	shift := map[int][]string{}
	for i := 7; i <= 13; i++ {
		shift[i] = []string{RuleShift}
	}
	wantRules(t, got, shift)

	short := mustXmR(t, series(values[:13]...), SPCOptions{Improvement: Increase})
	wantSegment(t, short, 0, 137.0/13, 32.0/12, 137.0/13-2.66*32/12, 137.0/13+2.66*32/12)
	if want := ". . . . . . . . . . . . ."; causes(short) != want {
		t.Errorf("run of 6: causes %q, want %q", causes(short), want)
	}

	// A run of 6 is enough when the run length is 6.
	six := mustXmR(t, series(values[:13]...), SPCOptions{Improvement: Increase, RunLength: 6})
	if want := ". . . . . . . IH IH IH IH IH IH"; causes(six) != want {
		t.Errorf("run length 6: causes %q, want %q", causes(six), want)
	}
}

// TestXmRMeanAsWritten: a mean that is a short decimal must come out as
// that decimal, or a point equal to it falls to one side. The 19 values
// below add up to 87.4, mean 4.6, and point 7 is 4.6; the 18 of the second
// series add up to -14.4, mean -0.8, and point 4 is -0.8. Added up one by
// one in floating point they give 4.6000000000000005 and
// -0.8000000000000002, and point 7 (or 4) would extend a run of seven below
// the mean to eight. The expected causes are what NHSRplotthedots gives
// when run on the same series (R's mean() is compensated too).
func TestXmRMeanAsWritten(t *testing.T) {
	cases := []struct {
		values []float64
		mean   float64
		onMean int
		causes string
	}{
		{
			[]float64{0.5, 0, 0.4, 1, 0.7, 0.7, 3, 4.6, 6.1, 6.2, 5.4, 5.9, 6, 9.6, 7.6, 7.4, 8.9, 6.8, 6.6},
			4.6, 7,
			"CL CL CL CL CL CL CL . IH IH IH IH IH IH IH IH IH IH IH",
		},
		{
			[]float64{0.1, 0.7, 1.5, 1.2, -0.8, -2.3, -2.1, -3.4, -2.1, -2.3, -1.7, -1.6, 0.2, -0.1, -0.3, 0.2, -0.3, -1.3},
			-0.8, 4,
			". IH IH IH . CL CL CL CL CL CL CL . . . . . .",
		},
	}
	for _, c := range cases {
		got := mustXmR(t, series(c.values...), SPCOptions{Improvement: Increase})
		if got.Segments[0].Mean != c.mean || got.Points[c.onMean].SpecialCause != CauseNone || causes(got) != c.causes {
			t.Errorf("mean %v (want %v); causes %q, want %q", got.Segments[0].Mean, c.mean, causes(got), c.causes)
		}
	}
}

// TestXmRPointOnMeanEndsRun: a point exactly on the mean is on neither side.
//
//	7, 13, 7, 13, 7, 8, 7, then 11, 12, 11, 10, 11, 12, 11
//	sum = 62 + 78 = 140; mean = 140/14 = 10 exactly
//	ranges 6, 6, 6, 6, 1, 1, 4, 1, 1, 1, 1, 1, 1: sum 36 over 13, mean
//	  2.769231; limits 10 ∓ 7.366154 = 2.633846 and 17.366154; two thirds
//	  10 ∓ 4.910769: 7 and 13 inside
//	points 7-13 are above the mean except point 10, on it: runs of 3 and 3.
func TestXmRPointOnMeanEndsRun(t *testing.T) {
	got := mustXmR(t, series(7, 13, 7, 13, 7, 8, 7, 11, 12, 11, 10, 11, 12, 11), SPCOptions{Improvement: Increase})
	wantSegment(t, got, 0, 10, 36.0/13, 10-2.66*36/13, 10+2.66*36/13)
	if strings.Count(causes(got), ".") != 14 {
		t.Errorf("causes %q, want none", causes(got))
	}
}

// seriesTrend is 9, 11 alternating for seven points, then 8.5 rising by 0.5
// to 11.5 (seven points), then 9, 11.
//
//	sum = 4×9 + 3×11 + (8.5 + 9 + ... + 11.5 = 70) + 9 + 11 = 159;
//	  mean = 159/16 = 9.9375
//	ranges: 6 of 2, |8.5 - 9| = 0.5, 6 of 0.5, |9 - 11.5| = 2.5, 2:
//	  sum 12 + 0.5 + 3 + 2.5 + 2 = 20 over 15; mean MR = 4/3;
//	  3.267 × 4/3 = 4.356, none screened
//	2.66 × 4/3 = 3.546667: limits 6.390833 and 13.484167
//	two thirds: 9.9375 ∓ 2.364444 = 7.573056 and 12.301944: all inside
//	sides: alternate to point 6 (9, below); points 6-9 below (9, 8.5, 9,
//	  9.5), 10-13 above (10 to 11.5): runs of 4
//	steps: point 6 to 7 falls, 7 to 13 rise six times, 13 to 14 falls: a
//	  rising trend of exactly 7 points, 7-13.
var seriesTrend = []float64{9, 11, 9, 11, 9, 11, 9, 8.5, 9, 9.5, 10, 10.5, 11, 11.5, 9, 11}

func TestXmRTrendAlone(t *testing.T) {
	got := mustXmR(t, series(seriesTrend...), SPCOptions{Improvement: Increase})
	wantSegment(t, got, 0, 9.9375, 4.0/3, 9.9375-2.66*4/3, 9.9375+2.66*4/3)
	// A rising trend is high, so an improvement, even for its points below
	// the mean (NHSRplotthedots issue #171).
	if want := ". . . . . . . IH IH IH IH IH IH IH . ."; causes(got) != want {
		t.Errorf("causes %q, want %q", causes(got), want)
	}
	trend := map[int][]string{}
	for i := 7; i <= 13; i++ {
		trend[i] = []string{RuleTrend}
	}
	wantRules(t, got, trend)

	// Falling: the same trend is a concern when the measure improves
	// upwards, reversed in time.
	reversed := slices.Clone(seriesTrend)
	slices.Reverse(reversed)
	got = mustXmR(t, series(reversed...), SPCOptions{Improvement: Increase})
	if want := ". . CL CL CL CL CL CL CL . . . . . . ."; causes(got) != want {
		t.Errorf("reversed: causes %q, want %q", causes(got), want)
	}

	// A tie ends a trend: with 9.5 in place of 10 the rise is broken.
	// sum 158.5, mean 9.90625; ranges 12 + 0.5 + (0.5, 0.5, 0, 1, 0.5, 0.5)
	// + 2.5 + 2 = 20 over 15 as before; limits 9.90625 ∓ 3.546667; two
	// thirds 7.541806 and 12.270694; points 6-10 below (5), 11-13 above.
	tie := slices.Clone(seriesTrend)
	tie[10] = 9.5
	got = mustXmR(t, series(tie...), SPCOptions{Improvement: Increase})
	wantSegment(t, got, 0, 9.90625, 4.0/3, 9.90625-2.66*4/3, 9.90625+2.66*4/3)
	if strings.Count(causes(got), ".") != 16 {
		t.Errorf("tie: causes %q, want none", causes(got))
	}
}

// TestXmRTrendSide: where a rising trend ends on a tie and a falling one
// starts, each point takes the side of its own trend.
//
//	5, 1, 2, 3, 4, 5, 6, 7, 7, 6, 5, 4, 3, 2, 1, 4
//	sum 65, mean 4.0625; ranges 4, 1×6, 0, 1×6, 3: sum 19 over 15;
//	  mean MR 1.266667; limits 4.0625 ∓ 3.369333 = 0.693167 and 7.431833
//	  (NHSRplotthedots gives the same); two thirds 1.816278 and 6.308722
//	rising 1..7 at points 1-7; falling 7..1 at points 8-14; points 6-8
//	  (6, 7, 7) are above the mean and 7, 8 near the upper limit: two of
//	  three at 7 and 8, where the trend, of higher precedence, gives the side.
//
// NHSRplotthedots labels point 7 "7 Point Trend (Decreasing)": it takes the
// direction from the step after the point (7 to 7, sign 0, read as
// decreasing). Here point 7 is high, as the rising trend it ends.
func TestXmRTrendSide(t *testing.T) {
	got := mustXmR(t, series(5, 1, 2, 3, 4, 5, 6, 7, 7, 6, 5, 4, 3, 2, 1, 4), SPCOptions{Improvement: Increase})
	wantSegment(t, got, 0, 4.0625, 19.0/15, 4.0625-2.66*19/15, 4.0625+2.66*19/15)
	if want := ". IH IH IH IH IH IH IH CL CL CL CL CL CL CL ."; causes(got) != want {
		t.Errorf("causes %q, want %q", causes(got), want)
	}
	if r := got.Points[7].Rules; !slices.Equal(r, []string{RuleTrend, RuleTwoOfThree}) {
		t.Errorf("point 7 rules %v, want trend and two of three", r)
	}
}

// TestXmRTwoOfThreeAlone: 10, 12 alternating with 16, 16 at points 10, 11.
//
//	sum = 7×10 + 7×12 + 2×16 = 186; mean = 11.625
//	ranges: 9 of 2 (points 1-9), 4, 0, 6, 3 of 2: sum 18 + 10 + 6 = 34
//	  over 15; mean MR 34/15 = 2.266667; 3.267 × it = 7.405, none screened
//	2.66 × 34/15 = 6.029333: limits 5.595667 and 17.654333
//	two thirds: 11.625 ∓ 4.019556 = 7.605444 and 15.644556: 16 is near
//	  the upper limit, 10 and 12 are not
//	points 9-11 (12, 16, 16) are all above the mean and two are near: the
//	  two 16s are special; the third point, 12, is not (as
//	  ptd_part_of_two_in_three flags only the points near the limit).
//	  Points 10-12 (16, 16, 10) are not all on one side.
func TestXmRTwoOfThreeAlone(t *testing.T) {
	got := mustXmR(t, series(10, 12, 10, 12, 10, 12, 10, 12, 10, 12, 16, 16, 10, 12, 10, 12), SPCOptions{Improvement: Decrease})
	wantSegment(t, got, 0, 11.625, 34.0/15, 11.625-2.66*34/15, 11.625+2.66*34/15)
	if want := ". . . . . . . . . . CH CH . . . ."; causes(got) != want {
		t.Errorf("causes %q, want %q", causes(got), want)
	}
	wantRules(t, got, map[int][]string{10: {RuleTwoOfThree}, 11: {RuleTwoOfThree}})
	if got.Variation != VariationCommonCause || got.Latest != 15 {
		t.Errorf("variation %q of point %d, want common cause of 15", got.Variation, got.Latest)
	}
}

// TestXmRTwoOfThreeBeyondLimit: a point beyond a limit does not count
// towards two of three (NHSRplotthedots' close_to_limits excludes points
// outside the limits).
//
//	10, 12 alternating with 16, 20 at points 10, 11
//	sum = 70 + 84 + 36 = 190; mean 11.875
//	ranges 18 + 4 + 4 + 10 + 6 = 42 over 15, mean 2.8; 3.267 × 2.8 = 9.1476:
//	  the range of 10 (16 to 20) is screened; 32 over 14 = 2.285714
//	limits 11.875 ∓ 6.08 = 5.795 and 17.955; two thirds 15.928333
//	point 11 (20) is beyond; point 10 (16) is near, but the only near point
//	  in any three.
func TestXmRTwoOfThreeBeyondLimit(t *testing.T) {
	got := mustXmR(t, series(10, 12, 10, 12, 10, 12, 10, 12, 10, 12, 16, 20, 10, 12, 10, 12), SPCOptions{Improvement: Increase})
	wantSegment(t, got, 0, 11.875, 32.0/14, 5.795, 17.955)
	if want := ". . . . . . . . . . . IH . . . ."; causes(got) != want {
		t.Errorf("causes %q, want %q", causes(got), want)
	}
	if p := got.Points[11]; p.Screened || p.MovingRange != 4 {
		t.Errorf("point 11: range %v, screened %v; want 4, kept", p.MovingRange, p.Screened)
	}
	if p := got.Points[12]; !p.Screened || p.MovingRange != 10 {
		t.Errorf("point 12: range %v, screened %v; want 10, screened", p.MovingRange, p.Screened)
	}
}

// TestXmRTwoOfThreeOppositeSides is NHSRplotthedots' own test
// (tests/testthat/test-ptd_spc_standard.R, "it only reports special cause
// for 2of3 points close to limits when they are on the same side of the
// mean"): 1, -1 alternating, with 5.5 and -5.5 as the last two points;
// both are common cause.
//
//	mean 0; ranges 13 of 2, 6.5, 11: sum 43.5 over 15 = 2.9; 3.267 × 2.9 =
//	  9.4743 screens the 11; 32.5 over 14 = 2.321429
//	limits ∓ 6.175; two thirds ∓ 4.116667: 5.5 is near the upper limit,
//	  -5.5 near the lower, but no three points are on one side.
func TestXmRTwoOfThreeOppositeSides(t *testing.T) {
	values := make([]float64, 16)
	for i := range values {
		values[i] = 1 - 2*float64(i%2)
	}
	values[14], values[15] = 5.5, -5.5
	got := mustXmR(t, series(values...), SPCOptions{Improvement: Increase})
	wantSegment(t, got, 0, 0, 32.5/14, -6.175, 6.175)
	if strings.Count(causes(got), ".") != 16 {
		t.Errorf("causes %q, want none", causes(got))
	}
}

// TestXmRScreening: 10, 12 seven times and then 20.
//
//	sum = 70 + 84 + 20 = 174; mean 11.6
//	ranges 13 of 2 and |20 - 12| = 8: sum 34 over 14, mean 2.428571;
//	  3.267 × 2.428571 = 7.934 <= 8: the 8 is screened
//	mean MR again: 26 over 13 = 2
//	limits 11.6 ∓ 2.66 × 2 = 6.28 and 16.92 (unscreened they would be
//	  11.6 ∓ 6.46 = 5.14 and 18.06)
func TestXmRScreening(t *testing.T) {
	values := append(slices.Repeat([]float64{10, 12}, 7), 20)
	got := mustXmR(t, series(values...), SPCOptions{Improvement: Increase})
	wantSegment(t, got, 0, 11.6, 2, 6.28, 16.92)
	if s := got.Segments[0]; s.MovingRanges != 13 || s.Screened != 1 {
		t.Errorf("%d moving ranges kept, %d screened; want 13, 1", s.MovingRanges, s.Screened)
	}
	for i, p := range got.Points {
		if p.Screened != (i == 14) {
			t.Errorf("point %d: screened %v", i, p.Screened)
		}
	}
	if p := got.Points[14]; p.MovingRange != 8 || !slices.Equal(p.Rules, []string{RuleOutsideLimits}) {
		t.Errorf("last point: range %v, rules %v; want 8, outside limits", p.MovingRange, p.Rules)
	}
}

// TestXmRAgainstReferenceSnapshot checks the limits that NHSRplotthedots'
// own test states (tests/testthat/_snaps/ptd_spc_standard.md, from
// test-ptd_spc_standard.R): 20 values of set.seed(123); rnorm(20), as R
// gives them, have mean 0.1416238, lpl -3.01138 and upl 3.294627; with the
// 15th value set to 10, whose moving ranges are screened, 0.6694159,
// -2.383666 and 3.722497. The tolerances are half a unit in the last digit
// the snapshot prints.
func TestXmRAgainstReferenceSnapshot(t *testing.T) {
	values := []float64{
		-0.560475646552213, -0.230177489483280, 1.558708314149124, 0.070508391424576,
		0.129287735160946, 1.715064986883281, 0.460916205989202, -1.265061234606534,
		-0.686852851893526, -0.445661970099958, 1.224081797439462, 0.359813827057364,
		0.400771450594052, 0.110682715945120, -0.555841134754075, 1.786913136803078,
		0.497850478229239, -1.966617156629638, 0.701355901563686, -0.472791407727934,
	}
	check := func(name string, s SPCSegment, mean, lpl, upl, tolMean, tolLPL, tolUPL float64) {
		t.Helper()
		if !near(s.Mean, mean, tolMean) || !near(s.LPL, lpl, tolLPL) || !near(s.UPL, upl, tolUPL) {
			t.Errorf("%s: mean %.9f, limits %.9f to %.9f; reference %v, %v to %v", name, s.Mean, s.LPL, s.UPL, mean, lpl, upl)
		}
	}
	got := mustXmR(t, series(values...), SPCOptions{Improvement: Increase})
	check("rnorm(20)", got.Segments[0], 0.1416238, -3.01138, 3.294627, 5e-8, 5e-6, 5e-7)
	if strings.Count(causes(got), ".") != 20 {
		t.Errorf("rnorm(20): causes %q; the reference's summary has 20 common cause", causes(got))
	}
	values[14] = 10
	got = mustXmR(t, series(values...), SPCOptions{Improvement: Increase})
	check("y[15] = 10", got.Segments[0], 0.6694159, -2.383666, 3.722497, 5e-8, 5e-7, 5e-7)
	if got.Segments[0].Screened == 0 {
		t.Errorf("y[15] = 10: no moving range screened")
	}
}

// TestXmRRebase: nine, eleven alternating for 12 points, then 19, 21 for 12.
//
// Rebased at point 12, each half has its own limits and nothing is special:
//
//	first: mean 10, 11 ranges of 2, mean MR 2, limits 10 ∓ 5.32 = 4.68, 15.32
//	second: mean 20, the same ranges (the jump 11 to 19 belongs to neither),
//	  limits 14.68 and 25.32
//
// As one segment: mean 15; ranges 22 of 2 and one of 8: 52 over 23 =
// 2.260870, 3.267 × it = 7.386 screens the 8; 44 over 22 = 2; limits
// 9.68 and 20.32: every 9 is below the lower limit, every 21 above the
// upper, and both halves are runs on one side.
func TestXmRRebase(t *testing.T) {
	values := append(slices.Repeat([]float64{9, 11}, 6), slices.Repeat([]float64{19, 21}, 6)...)
	got := mustXmR(t, series(values...), SPCOptions{Improvement: Increase, Rebase: []int{12}})
	if len(got.Segments) != 2 || got.Segments[0].Start != 0 || got.Segments[0].End != 12 || got.Segments[1].Start != 12 || got.Segments[1].End != 24 {
		t.Fatalf("segments %+v", got.Segments)
	}
	wantSegment(t, got, 0, 10, 2, 4.68, 15.32)
	wantSegment(t, got, 1, 20, 2, 14.68, 25.32)
	if strings.Count(causes(got), ".") != 24 || got.Unreliable {
		t.Errorf("rebased: causes %q, unreliable %v; want none, false", causes(got), got.Unreliable)
	}
	if got.Points[12].HasMovingRange || !got.Points[13].HasMovingRange {
		t.Errorf("the first point after the rebase has a moving range, or the second has none")
	}

	one := mustXmR(t, series(values...), SPCOptions{Improvement: Increase})
	wantSegment(t, one, 0, 15, 2, 9.68, 20.32)
	for i, p := range one.Points {
		want := CauseConcern
		if i >= 12 {
			want = CauseImprovement
		}
		if p.SpecialCause != want || !slices.Contains(p.Rules, RuleShift) {
			t.Errorf("not rebased, point %d (%v): %s %v; want %s with a shift", i, p.Value, p.SpecialCause, p.Rules, want)
		}
	}

	// Rebase indexes are sorted and de-duplicated; 0 changes nothing.
	again := mustXmR(t, series(values...), SPCOptions{Improvement: Increase, Rebase: []int{12, 0, 12}})
	if len(again.Segments) != 2 || causes(again) != causes(got) {
		t.Errorf("rebase [12 0 12]: %d segments", len(again.Segments))
	}
}

// TestXmRRunsStopAtRebase: a run does not carry across a rebase.
//
//	first segment: 9, 11 alternating to point 7, then 11 to point 11:
//	  sum 4×9 + 8×11 = 124, mean 10.333333; ranges 7 of 2 and 4 of 0 = 14
//	  over 11, 1.272727; limits 10.333333 ∓ 3.385455 = 6.947879 and
//	  13.718788; two thirds 8.076364 and 12.590303: none near
//	  points 7-11 above the mean: a run of 5
//	second segment: 21, 21, 21, then 19, 21 alternating: sum 7×21 + 5×19 =
//	  242, mean 20.166667; ranges 0, 0 and 9 of 2 = 18 over 11, 1.636364;
//	  limits 15.813939 and 24.519394; points 12-14 above: a run of 3
//
// Five above one mean and three above the next are not a run of 7.
func TestXmRRunsStopAtRebase(t *testing.T) {
	values := []float64{9, 11, 9, 11, 9, 11, 9, 11, 11, 11, 11, 11, 21, 21, 21, 19, 21, 19, 21, 19, 21, 19, 21, 19}
	got := mustXmR(t, series(values...), SPCOptions{Improvement: Increase, Rebase: []int{12}})
	wantSegment(t, got, 0, 124.0/12, 14.0/11, 124.0/12-2.66*14/11, 124.0/12+2.66*14/11)
	wantSegment(t, got, 1, 242.0/12, 18.0/11, 242.0/12-2.66*18/11, 242.0/12+2.66*18/11)
	if strings.Count(causes(got), ".") != 24 {
		t.Errorf("causes %q, want none", causes(got))
	}
}

// TestXmRFewPoints: a segment with fewer than 12 points in its limits has
// trial limits.
func TestXmRFewPoints(t *testing.T) {
	eleven := series(slices.Repeat([]float64{10, 12}, 6)[:11]...)
	got := mustXmR(t, eleven, SPCOptions{Improvement: Increase})
	if !got.Unreliable || !got.Segments[0].Unreliable || got.Segments[0].N != 11 {
		t.Errorf("11 points: unreliable %v (segment %v, N %d); want true", got.Unreliable, got.Segments[0].Unreliable, got.Segments[0].N)
	}
	// 11 points still have limits: mean (6×10 + 5×12)/11 = 120/11, ten
	// ranges of 2.
	wantSegment(t, got, 0, 120.0/11, 2, 120.0/11-5.32, 120.0/11+5.32)

	twelve := series(slices.Repeat([]float64{10, 12}, 6)...)
	got = mustXmR(t, twelve, SPCOptions{Improvement: Increase})
	if got.Unreliable || got.Segments[0].Unreliable {
		t.Errorf("12 points: unreliable")
	}
	// Twelve points of which one is provisional: 11 in the limits.
	twelve[11].Provisional = true
	got = mustXmR(t, twelve, SPCOptions{Improvement: Increase})
	if !got.Unreliable || got.Segments[0].N != 11 {
		t.Errorf("12 points, 1 provisional: unreliable %v, N %d; want true, 11", got.Unreliable, got.Segments[0].N)
	}
	// A rebase leaving 12 and 5 points: only the second is unreliable.
	seventeen := series(slices.Repeat([]float64{10, 12}, 9)[:17]...)
	got = mustXmR(t, seventeen, SPCOptions{Improvement: Increase, Rebase: []int{12}})
	if !got.Unreliable || got.Segments[0].Unreliable || !got.Segments[1].Unreliable {
		t.Errorf("12 + 5: unreliable %v, segments %v %v; want true, false, true", got.Unreliable, got.Segments[0].Unreliable, got.Segments[1].Unreliable)
	}
}

// TestXmRProvisionalKeptOut: 9, 11 alternating for 12 points, then three
// provisional months of 3, 2, 1 (a conversion rate whose window has not
// closed).
//
//	limits from the 12: mean 10, 11 ranges of 2, limits 4.68 and 15.32
//
// The provisional points are far below the lower limit and fall three
// times, but are not tested; the latest tested point, 11, is common cause.
func TestXmRProvisionalKeptOut(t *testing.T) {
	pts := series(append(slices.Repeat([]float64{9, 11}, 6), 3, 2, 1)...)
	for i := 12; i < 15; i++ {
		pts[i].Provisional = true
	}
	got := mustXmR(t, pts, SPCOptions{Improvement: Increase, Target: ptr(12)})
	wantSegment(t, got, 0, 10, 2, 4.68, 15.32)
	if s := got.Segments[0]; s.N != 12 || s.MovingRanges != 11 {
		t.Errorf("N %d, %d moving ranges; want 12, 11", s.N, s.MovingRanges)
	}
	if strings.Count(causes(got), ".") != 15 {
		t.Errorf("causes %q, want none", causes(got))
	}
	for i := 12; i < 15; i++ {
		if p := got.Points[i]; p.Tested || p.HasMovingRange || len(p.Rules) != 0 || p.Value != float64(15-i) {
			t.Errorf("provisional point %d: tested %v, moving range %v, rules %v, value %v", i, p.Tested, p.HasMovingRange, p.Rules, p.Value)
		}
	}
	if got.Latest != 11 || got.Variation != VariationCommonCause || got.Assurance != AssuranceHitAndMiss {
		t.Errorf("latest %d, variation %q, assurance %q; want 11, common cause, hit and miss", got.Latest, got.Variation, got.Assurance)
	}

	// Tested, the same three points would be beyond the lower limit.
	all := series(append(slices.Repeat([]float64{9, 11}, 6), 3, 2, 1)...)
	if got := mustXmR(t, all, SPCOptions{Improvement: Increase}); got.Points[14].SpecialCause != CauseConcern {
		t.Errorf("not provisional: last point %s, want concern", got.Points[14].SpecialCause)
	}
}

// TestXmRWithheldBreaksRun: the shift series of TestXmRShiftAlone with a
// withheld month inside its run of 7 above the mean.
//
//	8, 12, 8, 12, 8, 12, 8, 11, 12, 11, [withheld], 12, 11, 12, 11
//	the 14 values in the limits are those of the shift series: mean
//	  148/14 = 10.571429
//	ranges: none into or out of the withheld point: 6 of 4 (points 1-6),
//	  3 (point 7), 1 (8), 1 (9), 1 (12), 1 (13), 1 (14) = 32 over 12 =
//	  2.666667; limits 10.571429 ∓ 7.093333 = 3.478095 and 17.664762;
//	  two thirds 5.842540 and 15.300317: 8 and 12 inside
//	above the mean: points 7-9 (3), withheld, 11-14 (4): no run of 7.
func TestXmRWithheldBreaksRun(t *testing.T) {
	pts := series(8, 12, 8, 12, 8, 12, 8, 11, 12, 11, 1000, 12, 11, 12, 11)
	pts[10].Withheld = true
	got := mustXmR(t, pts, SPCOptions{Improvement: Increase})
	wantSegment(t, got, 0, 148.0/14, 32.0/12, 148.0/14-2.66*32/12, 148.0/14+2.66*32/12)
	if strings.Count(causes(got), ".") != 15 {
		t.Errorf("causes %q, want none", causes(got))
	}
	if got.Points[10].Tested || got.Points[10].HasMovingRange || got.Points[11].HasMovingRange {
		t.Errorf("withheld point tested or with a moving range, or the next point has one")
	}
	// A withheld point may carry no value at all.
	pts[10].Value = math.NaN()
	if _, err := XmR(pts, SPCOptions{Improvement: Increase}); err != nil {
		t.Errorf("withheld NaN: %v", err)
	}
}

func ptr(v float64) *float64 { return &v }

// TestXmRAssurance compares targets with the limits of seriesOutside, 5.386667
// and 17.546667.
func TestXmRAssurance(t *testing.T) {
	upl := 172.0/15 + 6.08
	cases := []struct {
		target *float64
		dir    Direction
		want   string
	}{
		{ptr(4), Increase, AssurancePass},  // both limits above the target
		{ptr(4), Decrease, AssuranceFail},  // ...where lower is better
		{ptr(20), Increase, AssuranceFail}, // both limits below the target
		{ptr(20), Decrease, AssurancePass}, // ...where lower is better
		{ptr(11), Increase, AssuranceHitAndMiss},
		{ptr(11), Decrease, AssuranceHitAndMiss},
		{ptr(upl), Increase, AssuranceHitAndMiss}, // on a limit
		{ptr(4), Neither, ""},
		{nil, Increase, ""},
	}
	for _, c := range cases {
		got := mustXmR(t, series(seriesOutside...), SPCOptions{Improvement: c.dir, Target: c.target})
		if got.Assurance != c.want {
			target := "none"
			if c.target != nil {
				target = fmt.Sprint(*c.target)
			}
			t.Errorf("target %s, %s: assurance %q, want %q", target, c.dir, got.Assurance, c.want)
		}
	}
	// After a rebase the last segment's limits decide: 12 is inside the
	// first half's limits of TestXmRRebase (4.68, 15.32) but below the
	// second's (14.68, 25.32).
	values := append(slices.Repeat([]float64{9, 11}, 6), slices.Repeat([]float64{19, 21}, 6)...)
	got := mustXmR(t, series(values...), SPCOptions{Improvement: Increase, Target: ptr(12), Rebase: []int{12}})
	if got.Assurance != AssurancePass {
		t.Errorf("rebased: assurance %q, want %q", got.Assurance, AssurancePass)
	}
}

func TestXmREdges(t *testing.T) {
	got, err := XmR(nil, SPCOptions{Improvement: Increase})
	if err != nil || len(got.Points) != 0 || len(got.Segments) != 0 || got.Latest != -1 || got.Variation != "" {
		t.Errorf("empty series: %+v, %v", got, err)
	}
	// One point: a mean but no moving range, so no limits and no test.
	got = mustXmR(t, series(5), SPCOptions{Improvement: Increase, Target: ptr(3)})
	if s := got.Segments[0]; s.HasLimits || s.Mean != 5 || !s.Unreliable || got.Points[0].Tested || got.Latest != -1 || got.Variation != "" || got.Assurance != "" {
		t.Errorf("one point: %+v", got)
	}
	// A constant series: every range 0, limits at the mean, nothing special.
	got = mustXmR(t, series(slices.Repeat([]float64{4}, 15)...), SPCOptions{Improvement: Increase})
	wantSegment(t, got, 0, 4, 0, 4, 4)
	if strings.Count(causes(got), ".") != 15 || got.Variation != VariationCommonCause {
		t.Errorf("constant: causes %q, variation %q", causes(got), got.Variation)
	}
	wantRules(t, got, nil) // every point on the mean: no run on one side
	// Everything provisional: a segment with no mean.
	pts := series(1, 2, 3)
	for i := range pts {
		pts[i].Provisional = true
	}
	got = mustXmR(t, pts, SPCOptions{Improvement: Decrease})
	if s := got.Segments[0]; s.N != 0 || s.HasLimits || got.Latest != -1 {
		t.Errorf("all provisional: %+v", got)
	}

	for _, c := range []struct {
		name string
		pts  []SPCPoint
		opt  SPCOptions
	}{
		{"unknown direction", series(1, 2), SPCOptions{Improvement: "up"}},
		{"no direction", series(1, 2), SPCOptions{}},
		{"rebase past the end", series(1, 2), SPCOptions{Improvement: Increase, Rebase: []int{2}}},
		{"negative rebase", series(1, 2), SPCOptions{Improvement: Increase, Rebase: []int{-1}}},
		{"run of 1", series(1, 2), SPCOptions{Improvement: Increase, RunLength: 1}},
		{"NaN", series(1, math.NaN()), SPCOptions{Improvement: Increase}},
		{"infinity", series(math.Inf(1), 2), SPCOptions{Improvement: Increase}},
	} {
		if _, err := XmR(c.pts, c.opt); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
}

// BenchmarkXmR charts a three-year monthly series with a rebase and two
// provisional months: one practice's measure. England has about 6,500
// practices and four measures.
func BenchmarkXmR(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 36))
	pts := make([]SPCPoint, 36)
	for i := range pts {
		pts[i].Value = 50 + 10*rng.NormFloat64()
	}
	pts[34].Provisional, pts[35].Provisional = true, true
	opt := SPCOptions{Improvement: Increase, Target: ptr(55), Rebase: []int{18}}
	for b.Loop() {
		if _, err := XmR(pts, opt); err != nil {
			b.Fatal(err)
		}
	}
}
