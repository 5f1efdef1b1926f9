package generate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"
)

// baseReferralRate is the share of a practice's type 2 diabetes register
// referred per year before the practice's own factor (mean about 1.1).
const baseReferralRate = 0.075

// practice is one GP practice and the habits that shape its data.
// imdQuintile is the practice population's deprivation quintile, from
// depriv (-1 affluent .. +1 deprived) in five equal steps: 1 is the most
// deprived, as in the English Indices of Deprivation. It draws no random
// numbers, so the rest of the data is as it was before the column.
func (p *practice) imdQuintile() int {
	return min(5, max(1, 5-int(math.Floor((p.depriv+1)*2.5))))
}

type practice struct {
	code, name, pcn string
	area            int32
	list, register  int

	refFactor      float64 // how keen the practice is to refer (0.3-2.0)
	followP        float64 // chance a non-attender is followed up
	codingP        float64 // chance a notified outcome is coded in the GP record
	refCodeP       float64 // chance a GP/nurse referral is coded
	depriv         float64 // -1 affluent .. +1 deprived
	lang2Share     float64 // share of referrals preferring the area's second language
	snomed         bool    // codes in SNOMED CT rather than Read v2
	dots           bool    // pads Read codes with a trailing dot
	attendedAsDone bool    // codes "attended" as 9OLF, as the service page asks

	past      []pastPatient // earlier non-attenders who may be referred again
	campaigns []int32
}

// pastPatient remembers enough about an earlier referral to refer the same
// person again consistently.
type pastPatient struct {
	patient            uint32
	date               day
	years              int16
	age, sex, eth, imd uint8
	carer, lang2       bool
}

type venue struct {
	id, name, postcode, ward string
	stepFree                 bool
}

// area is a provider's patch: a borough-sized group of practices sharing
// venues and a course programme. The default sample is one area.
type area struct {
	practices []int32
	venues    []int32
	courses   []int32 // indexes into gen.courses, by first session date
	lang2     string  // second course language
	imdBase   []float64
}

type course struct {
	id        string
	area      int32
	venue     int32 // -1 when online
	online    bool
	lang2     bool
	slot      uint8 // slotDay, slotEvening or slotWeekend
	start     string
	first     day
	capacity  uint8
	booked    uint8
	cancelled bool
	quarter   int32 // index into gen.quarters; len(quarters) is the planning quarter after the last
}

type campaign struct {
	practice int32
	date     day
	messages int
	lift     float64 // referral rate multiplier while it lasts
	days     day     // how long the lift lasts
}

// buildWorld creates practices, PCNs, venues, the course programme and the
// text campaigns. Everything here is drawn before any referral, in a fixed order.
func (g *gen) buildWorld() {
	r := g.r
	sizes := []int{g.opts.Practices}
	if g.opts.Practices > 50 {
		sizes = []int{35}
		for rem := g.opts.Practices - 35; rem > 0; {
			s := 20 + r.IntN(31)
			if rem-s < 15 {
				s = rem
			}
			sizes = append(sizes, s)
			rem -= s
		}
	}
	g.multiArea = len(sizes) > 1
	g.pcnNames = map[string]bool{}
	usedCodes := map[string]bool{}
	for ai, size := range sizes {
		g.areas = append(g.areas, g.buildArea(ai, size, usedCodes))
	}
	g.practiceOrder = make([]int32, len(g.practices))
	for i := range g.practiceOrder {
		g.practiceOrder[i] = int32(i)
	}
	slices.SortFunc(g.practiceOrder, func(a, b int32) int {
		return cmpString(g.practices[a].code, g.practices[b].code)
	})
	g.coursesByQuarter = make([][]int32, len(g.quarters)+1)
	for qi := 0; qi <= len(g.quarters); qi++ {
		for ai := range g.areas {
			g.planCourses(int32(ai), qi)
		}
	}
	for ai := range g.areas {
		g.planCampaigns(int32(ai))
	}
}

func (g *gen) buildArea(ai, size int, usedCodes map[string]bool) area {
	r := g.r
	a := area{lang2: "Turkish"}
	prevalence := 0.047 // a young inner-London borough
	minReg, maxReg := 150, 900
	if ai > 0 {
		a.lang2 = secondLanguages[r.IntN(len(secondLanguages))]
		prevalence = 0.055 + 0.02*r.Float64()
		minReg, maxReg = 60, 2000
		a.imdBase = []float64{21, 20, 20, 20, 19}
	} else {
		a.imdBase = []float64{34, 27, 18, 12, 9}
	}

	practicesPerPCN := 5.8 // the borough's six PCNs
	if ai > 0 {
		practicesPerPCN = 5.2 // England: about 1,250 PCNs for 6,500 practices
	}
	pcnCount := max(1, int(math.Round(float64(size)/practicesPerPCN)))
	pcnNames := make([]string, pcnCount)
	for i := range pcnNames {
		if ai == 0 && i < len(boroughPCNs) {
			pcnNames[i] = boroughPCNs[i]
		} else {
			pcnNames[i] = g.placeName() + " PCN"
			for g.pcnNames[pcnNames[i]] { // PCN names are unique, as benchmarking groups by them
				pcnNames[i] = g.placeName() + " & " + g.placeName() + " PCN"
			}
		}
		g.pcnNames[pcnNames[i]] = true
	}
	places := slices.Clone(boroughPlaces)
	r.Shuffle(len(places), func(i, j int) { places[i], places[j] = places[j], places[i] })

	for j := range size {
		p := practice{area: int32(ai)}
		for {
			if ai == 0 && size <= 999 {
				p.code = fmt.Sprintf("F83%03d", 1+r.IntN(999))
			} else {
				p.code = string(rune('A'+r.IntN(25))) + fmt.Sprintf("%05d", r.IntN(100000))
			}
			if !usedCodes[p.code] && (ai == 0 || p.code[:3] != "F83") {
				break
			}
		}
		usedCodes[p.code] = true
		suffix := practiceSuffixes[r.IntN(len(practiceSuffixes))]
		switch {
		case ai == 0 && specialPracticeNames[j] != "":
			p.name = specialPracticeNames[j]
		case ai == 0 && j < len(places):
			p.name = places[j] + " " + suffix
		default:
			p.name = g.placeName() + " " + suffix
		}
		p.pcn = pcnNames[j*pcnCount/size]
		if ai == 0 {
			p.list = int(math.Exp(math.Log(3000) + r.Float64()*math.Log(20000.0/3000)))
		} else {
			p.list = clampInt(int(math.Exp(math.Log(8500)+0.45*r.NormFloat64())), 2000, 30000)
		}
		p.register = clampInt(int(float64(p.list)*prevalence*math.Exp(0.12*r.NormFloat64())), minReg, maxReg)
		p.register = min(p.register, p.list)
		p.refFactor = clampFloat(math.Exp(0.45*r.NormFloat64()), 0.3, 2.0)
		p.followP = mixture(r, []float64{0.75, 0.15, 0.10}, [][2]float64{{0.10, 0.30}, {0.35, 0.55}, {0.60, 0.80}})
		p.codingP = mixture(r, []float64{0.70, 0.20, 0.10}, [][2]float64{{0.05, 0.30}, {0.30, 0.50}, {0.50, 0.72}})
		p.refCodeP = 0.3 + 0.6*r.Float64()
		if ai == 0 {
			p.depriv = -0.4 + 1.4*r.Float64()
			p.lang2Share = clampFloat(0.12*math.Exp(0.6*r.NormFloat64()), 0.02, 0.4)
		} else {
			p.depriv = -1 + 2*r.Float64()
			p.lang2Share = clampFloat(0.06*math.Exp(0.7*r.NormFloat64()), 0.005, 0.35)
		}
		p.snomed = r.Float64() < 0.55
		p.dots = !p.snomed && r.Float64() < 0.3
		p.attendedAsDone = r.Float64() < 0.4
		a.practices = append(a.practices, int32(len(g.practices)))
		g.practices = append(g.practices, p)
	}

	venueCount := max(1, int(math.Round(float64(size)/6)))
	for k := range venueCount {
		v := venue{stepFree: true}
		if g.multiArea {
			v.id = fmt.Sprintf("A%03d-V%02d", ai, k+1)
		} else {
			v.id = fmt.Sprintf("V%02d", k+1)
		}
		if ai == 0 && k < len(boroughVenues) {
			bv := boroughVenues[k]
			v.name, v.postcode, v.ward, v.stepFree = bv.name, bv.postcode, bv.ward, bv.stepFree
		} else {
			place := g.placeName()
			v.name = place + " " + venueKinds[r.IntN(len(venueKinds))]
			v.postcode = g.postcode()
			v.ward = place
			v.stepFree = r.Float64() < 0.85
		}
		a.venues = append(a.venues, int32(len(g.venues)))
		g.venues = append(g.venues, v)
	}
	return a
}

func (g *gen) placeName() string {
	return placeHeads[g.r.IntN(len(placeHeads))] + placeTails[g.r.IntN(len(placeTails))]
}

// postcode makes a UK-shaped postcode for a generic area, e.g. "HS12 4QD".
func (g *gen) postcode() string {
	const letters = "ABCDEFGHJKLMNOPRSTUWYZ"
	const inward = "ABDEFGHJLNPQRSTUWXYZ"
	r := g.r
	out := string(letters[r.IntN(len(letters))])
	if r.Float64() < 0.6 {
		out += string(letters[r.IntN(len(letters))])
	}
	out += strconv.Itoa(1 + r.IntN(20))
	return out + " " + strconv.Itoa(r.IntN(10)) + string(inward[r.IntN(len(inward))]) + string(inward[r.IntN(len(inward))])
}

// expectedReferrals is an area's expected referrals in days days, without campaigns.
func (g *gen) expectedReferrals(ai int32, days int) float64 {
	sum := 0.0
	for _, pi := range g.areas[ai].practices {
		p := &g.practices[pi]
		sum += float64(p.register) * p.refFactor
	}
	return sum * baseReferralRate * float64(days) / 365
}

// planCourses lays out one area's courses for quarter qi (qi may be the
// quarter after the last, whose courses take late bookings but are never written).
// Far fewer evening and weekend places are offered than are wanted.
func (g *gen) planCourses(ai int32, qi int) {
	r := g.r
	var q quarter
	if qi < len(g.quarters) {
		q = g.quarters[qi]
	} else {
		last := g.quarters[len(g.quarters)-1]
		q = quartersAfter(last)
	}
	a := &g.areas[ai]
	days := int(q.end - q.start + 1)
	places := 0.8 * g.expectedReferrals(ai, days) * (0.92 + 0.16*r.Float64())
	n := max(2, int(math.Round(places/13.5)))

	nLang2 := int(max(0.85, 0.055*float64(n)) + r.Float64())
	nOnline := int(math.Round(0.25 * float64(n) * (0.8 + 0.4*r.Float64())))
	nEvening := int(0.10*float64(n) + r.Float64())
	nWeekend := int(0.06*float64(n) + r.Float64())

	firstWeek := 0
	if qi == 0 {
		firstWeek = 3 // nobody has been referred yet in the first weeks
	}
	planned := make([]course, 0, n)
	for j := range n {
		c := course{area: ai, venue: -1, quarter: int32(qi), slot: slotDay}
		switch {
		case j < nLang2:
			c.lang2 = true
			if r.Float64() < 0.15 {
				c.slot = slotEvening
			}
		case j < nLang2+nOnline:
			c.online = true
			if r.Float64() < 0.2 {
				c.slot = slotEvening
			}
		case j < nLang2+nOnline+nEvening:
			c.slot = slotEvening
		case j < nLang2+nOnline+nEvening+nWeekend:
			c.slot = slotWeekend
		}
		var wd time.Weekday
		switch c.slot {
		case slotDay:
			wd = time.Weekday(1 + r.IntN(5))
			if c.online {
				c.start = pickString(r, "10:00", "10:00", "14:00")
			} else {
				c.start = pickString(r, "09:30", "10:00", "10:00", "13:00", "13:30", "14:00")
			}
		case slotEvening:
			wd = time.Weekday(1 + r.IntN(4))
			c.start = pickString(r, "17:30", "18:00", "18:00", "18:30")
		case slotWeekend:
			wd = time.Saturday
			if r.Float64() < 0.25 {
				wd = time.Sunday
			}
			c.start = pickString(r, "10:00", "10:30", "11:00")
		}
		week := firstWeek + r.IntN(13-firstWeek)
		base := q.start + day(7*week)
		d := base + day((int(wd)-int(base.weekday())+7)%7)
		if d > q.end {
			d -= 7
		}
		c.first = d
		if c.online {
			c.capacity = uint8(12 + r.IntN(3))
		} else {
			c.capacity = uint8(12 + r.IntN(5))
			c.venue = a.venues[r.IntN(len(a.venues))]
		}
		c.cancelled = r.Float64() < 0.04
		planned = append(planned, c)
	}
	slices.SortStableFunc(planned, func(x, y course) int {
		if x.first != y.first {
			return int(x.first - y.first)
		}
		return cmpString(x.start, y.start)
	})
	for j := range planned {
		if g.multiArea {
			planned[j].id = fmt.Sprintf("DSMP-%s-A%03d-%02d", q.name, ai, j+1)
		} else {
			planned[j].id = fmt.Sprintf("DSMP-%s-%02d", q.name, j+1)
		}
		ci := int32(len(g.courses))
		g.courses = append(g.courses, planned[j])
		a.courses = append(a.courses, ci)
		g.coursesByQuarter[qi] = append(g.coursesByQuarter[qi], ci)
	}
}

func quartersAfter(q quarter) quarter {
	if q.q == 4 {
		return newQuarter(q.year+1, 1)
	}
	return newQuarter(q.year, q.q+1)
}

// planCampaigns picks the practices that text their type 2 register, and when.
// Keen practices (the ones that also follow up) are likelier to text.
func (g *gen) planCampaigns(ai int32) {
	r := g.r
	a := &g.areas[ai]
	lo, hi := g.first+56, g.asOf-42
	if hi-lo < 30 {
		lo, hi = g.first, g.asOf
	}
	want := poisson(r, 0.04*float64(len(a.practices)*len(g.quarters)))
	weights := make([]float64, len(a.practices))
	for i, pi := range a.practices {
		weights[i] = g.practices[pi].followP + 0.2
	}
	for attempt := 0; want > 0 && attempt < 10*want+10; attempt++ {
		pi := a.practices[pickWeighted(r, weights)]
		d := lo + day(r.IntN(int(hi-lo+1)))
		if wd := d.weekday(); wd == 0 || wd == 6 {
			continue // practices text on working days
		}
		p := &g.practices[pi]
		clash := false
		for _, ci := range p.campaigns {
			if diff := g.campaigns[ci].date - d; diff > -120 && diff < 120 {
				clash = true
			}
		}
		if clash {
			continue
		}
		c := campaign{
			practice: pi,
			date:     d,
			messages: max(1, int(float64(p.register)*(0.85+0.15*r.Float64()))),
			lift:     2 + r.Float64(),
			days:     day(28 + r.IntN(15)),
		}
		p.campaigns = append(p.campaigns, int32(len(g.campaigns)))
		g.campaigns = append(g.campaigns, c)
		want--
	}
}

// drift moves list sizes and registers a little each quarter; registers
// creep up as prevalence rises.
func (g *gen) drift() {
	r := g.r
	for i := range g.practices {
		p := &g.practices[i]
		p.list = max(1000, int(math.Round(float64(p.list)*(1+0.002+0.006*r.NormFloat64()))))
		reg := int(math.Round(float64(p.register) * (1 + 0.008 + 0.008*r.NormFloat64())))
		if p.area == 0 {
			reg = clampInt(reg, 150, 900)
		} else {
			reg = clampInt(reg, 60, 2000)
		}
		p.register = min(reg, p.list)
	}
}

// Small random helpers.

func poisson(r *rand.Rand, lambda float64) int {
	if lambda <= 0 {
		return 0
	}
	if lambda > 60 {
		return max(0, int(math.Round(lambda+math.Sqrt(lambda)*r.NormFloat64())))
	}
	limit, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= r.Float64()
		if p <= limit {
			return k
		}
		k++
	}
}

func pickWeighted(r *rand.Rand, weights []float64) int {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	u := r.Float64() * total
	for i, w := range weights {
		if u < w {
			return i
		}
		u -= w
	}
	return len(weights) - 1
}

func pickString(r *rand.Rand, options ...string) string { return options[r.IntN(len(options))] }

// mixture draws uniformly from one of several ranges chosen by weight.
func mixture(r *rand.Rand, weights []float64, ranges [][2]float64) float64 {
	rg := ranges[pickWeighted(r, weights)]
	return rg[0] + (rg[1]-rg[0])*r.Float64()
}

func clampInt(v, lo, hi int) int { return max(lo, min(hi, v)) }

func clampFloat(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
