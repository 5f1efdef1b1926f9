package generate

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
)

// gen holds one generation run: the world, the random source and the
// events waiting to be written, one buffer per quarter.
type gen struct {
	opts        Options
	r           *rand.Rand
	quarters    []quarter
	first, asOf day // first day of the first quarter, last day of the last
	dates       *dateText
	multiArea   bool

	areas            []area
	practices        []practice
	practiceOrder    []int32 // practices by code
	venues           []venue
	courses          []course
	coursesByQuarter [][]int32
	campaigns        []campaign
	pcnNames         map[string]bool // names in use, to keep them unique

	bufs        []*quarterBuf
	nextRef     int32
	nextPatient uint32
	patientKey  uint32

	// The scripted edge cases (edgecases.go): their rows by quarter (nil
	// when there are none), what each stands for, and the practice whose
	// last register is set below the people it referred (-1 for none),
	// with those people counted as quarters are written.
	edge          []*quarterBuf
	edgeCases     []EdgeCase
	stalePractice int32
	staleReferred map[uint32]bool
}

// quarterBuf collects the rows dated in one quarter until the quarter is
// written. Rows are compact; strings are made only when writing.
type quarterBuf struct {
	referrals  []referral
	attendance []attRow
	outcomes   []outRow
	followups  []fuRow
	codes      []codeRow
}

type referral struct {
	id                                                int32
	date                                              day
	practice                                          int32
	patient                                           uint32
	years                                             int16 // tenths of a year since diagnosis; -1 when not given
	referrer, channel, age, sex, eth, imd, mode, slot uint8
	carer, lang2                                      bool
}

type attRow struct {
	ref      int32
	course   int32
	date     day
	session  uint8
	attended bool
}

type outRow struct {
	ref            int32
	date, notified day
	outcome        uint8
}

type fuRow struct {
	ref                int32
	date               day
	by, method, result uint8
}

type codeRow struct {
	practice int32
	patient  uint32
	date     day
	code     uint8
	dotted   bool
}

// quarterOf returns the index of the quarter holding d, or -1 when d is
// before the first quarter or after the data's "as of" date.
func (g *gen) quarterOf(d day) int {
	if d < g.first || d > g.asOf {
		return -1
	}
	return sort.Search(len(g.quarters), func(i int) bool { return g.quarters[i].end >= d })
}

func (g *gen) bufAt(d day) *quarterBuf {
	qi := g.quarterOf(d)
	if qi < 0 {
		return nil
	}
	return g.bufs[qi]
}

// simulateQuarter draws the quarter's referrals and plays out each one's
// whole pathway; events land in the buffers of the quarters they fall in.
// Later referrals cannot produce events in earlier quarters, so after this
// the quarter is complete.
func (g *gen) simulateQuarter(qi int) {
	q := g.quarters[qi]
	if qi > 0 {
		g.drift()
	}
	r := g.r
	var refs []referral
	for pi := range g.practices {
		p := &g.practices[pi]
		perDay := float64(p.register) * baseReferralRate * p.refFactor / 365
		n := poisson(r, perDay*float64(q.end-q.start+1))
		for range n {
			refs = append(refs, g.newReferral(int32(pi), g.referralDate(q.start, q.end), false))
		}
		for _, ci := range p.campaigns {
			c := &g.campaigns[ci]
			lo, hi := max(c.date+1, q.start), min(c.date+c.days, q.end)
			if lo > hi {
				continue
			}
			extra := poisson(r, perDay*(c.lift-1)*float64(hi-lo+1))
			for range extra {
				refs = append(refs, g.newReferral(int32(pi), lo+day(r.IntN(int(hi-lo+1))), true))
			}
		}
	}
	slices.SortStableFunc(refs, func(a, b referral) int {
		if a.date != b.date {
			return int(a.date - b.date)
		}
		return int(a.practice - b.practice)
	})
	for i := range refs {
		refs[i].id = g.nextRef
		g.nextRef++
	}
	g.bufs[qi].referrals = refs
	for i := range refs {
		g.pathway(&refs[i])
	}
}

// referralDate picks a day in [lo, hi]; referrals are mostly made on weekdays.
func (g *gen) referralDate(lo, hi day) day {
	for {
		d := lo + day(g.r.IntN(int(hi-lo+1)))
		if wd := d.weekday(); wd >= 1 && wd <= 5 || g.r.Float64() < 0.12 {
			return d
		}
	}
}

// patientID is the pseudonym for patient number n: a bijection of n mixed
// with the seed, so pseudonyms never collide and never look like NHS numbers.
func (g *gen) patientID(n uint32) string {
	x := n + g.patientKey
	x ^= x >> 16
	x *= 0x7feb352d
	x ^= x >> 15
	x *= 0x846ca68b
	x ^= x >> 16
	const hexDigits = "0123456789ABCDEF"
	b := []byte("PX-00000000")
	for i := 10; i >= 3; i-- {
		b[i] = hexDigits[x&15]
		x >>= 4
	}
	return string(b)
}

var (
	ageWeights       = []float64{6, 13, 24, 27, 20, 10}
	sexWeights       = []float64{45, 54, 0.3, 0.7}
	referrerWeights  = []float64{45, 35, 15, 5}
	slotWeightsYoung = []float64{40, 32, 18, 10}
	slotWeightsOlder = []float64{60, 18, 12, 10}
)

// newReferral draws who is referred, by whom and how. A campaign referral
// is prompted by the practice's text message.
func (g *gen) newReferral(pi int32, d day, prompted bool) referral {
	r := g.r
	p := &g.practices[pi]
	ref := referral{date: d, practice: pi}

	// Now and then someone who did not attend before is referred again.
	if !prompted && len(p.past) > 0 && p.past[0].date <= d-150 && r.Float64() < 0.04 {
		pp := p.past[0]
		p.past = p.past[1:]
		ref.patient, ref.age, ref.sex, ref.eth, ref.imd = pp.patient, pp.age, pp.sex, pp.eth, pp.imd
		ref.carer, ref.lang2, ref.years = pp.carer, pp.lang2, pp.years
		if ref.years >= 0 {
			ref.years = int16(min(800, int(ref.years)+int(d-pp.date)*10/365))
		}
	} else {
		ref.patient = g.nextPatient
		g.nextPatient++
		ref.carer = r.Float64() < 0.05
		ref.age = uint8(pickWeighted(r, ageWeights))
		ref.sex = uint8(pickWeighted(r, sexWeights))
		ref.lang2 = r.Float64() < p.lang2Share
		lang := "English"
		if ref.lang2 {
			lang = g.areas[p.area].lang2
		}
		ref.eth = uint8(pickWeighted(r, ethnicMixFor(lang)))
		imdW := slices.Clone(g.areas[p.area].imdBase)
		for k := range imdW {
			imdW[k] *= math.Exp(-0.45 * p.depriv * float64(k-2))
		}
		ref.imd = uint8(pickWeighted(r, imdW))
		switch {
		case ref.carer && r.Float64() < 0.55:
			ref.years = -1 // a carer without diabetes
		case !ref.carer && r.Float64() < 0.03:
			ref.years = int16(r.IntN(3)) // diagnosed under three months ago
		default:
			ref.years = int16(min(400, 3+int(r.ExpFloat64()*60)))
		}
	}

	if prompted {
		ref.referrer = uint8(pickWeighted(r, []float64{25, 10, 65, 0}))
		ref.channel = chanText
	} else {
		ref.referrer = uint8(pickWeighted(r, referrerWeights))
		switch ref.referrer {
		case refGP:
			ref.channel = uint8(pickWeighted(r, []float64{35, 65, 0, 0, 0}))
		case refNurse:
			ref.channel = uint8(pickWeighted(r, []float64{45, 55, 0, 0, 0}))
		case refSelf:
			ref.channel = uint8(pickWeighted(r, []float64{0, 0, 60, 40, 0}))
		default:
			ref.channel = uint8(pickWeighted(r, []float64{50, 30, 0, 20, 0}))
		}
	}
	switch {
	case ref.age <= 1:
		ref.mode = uint8(pickWeighted(r, []float64{38, 40, 22}))
	case ref.age == 5:
		ref.mode = uint8(pickWeighted(r, []float64{80, 8, 12}))
	default:
		ref.mode = uint8(pickWeighted(r, []float64{56, 24, 20}))
	}
	if ref.age <= 2 {
		ref.slot = uint8(pickWeighted(r, slotWeightsYoung))
	} else {
		ref.slot = uint8(pickWeighted(r, slotWeightsOlder))
	}
	return ref
}

var (
	ageFactor = []float64{0.78, 0.88, 0.97, 1.06, 1.06, 0.85}
	imdFactor = []float64{0.86, 0.93, 1.0, 1.05, 1.1}
)

// propensity is how likely this person is to take up and stay on a course,
// relative to average: lower for the young, the very old, the most deprived
// and those waiting for a course in their language.
func (g *gen) propensity(ref *referral) float64 {
	f := ageFactor[ref.age] * imdFactor[ref.imd]
	if ref.referrer == refSelf {
		f *= 1.15
	}
	if ref.lang2 {
		f *= 0.95
	}
	return f * math.Exp(0.15*g.r.NormFloat64())
}

// pathway plays out one referral: eligibility, contact, booking, sessions,
// outcome, the letter to the practice, GP coding and follow-up.
func (g *gen) pathway(ref *referral) {
	r := g.r
	p := &g.practices[ref.practice]

	if (ref.referrer == refGP || ref.referrer == refNurse) && r.Float64() < p.refCodeP {
		cd := ref.date
		if r.Float64() < 0.3 {
			cd += day(1 + r.IntN(6))
		}
		code := uint8(codeReferredSNOMED)
		if !p.snomed {
			code = codeReferredRead
			if r.Float64() < 0.1 {
				code = codeDESMONDRead
			}
		}
		g.emitCode(ref.practice, ref.patient, code, cd)
	}

	if !ref.carer && ref.years >= 0 && ref.years < 3 {
		g.outcome(ref, outIneligible, ref.date+day(3+r.IntN(18)))
		return
	}
	f := g.propensity(ref)
	u := r.Float64()
	pNoResponse, pDeclined := 0.12/f, 0.10/f
	switch {
	case u < pNoResponse:
		g.nonAttender(ref, outNoResponse, ref.date+day(21+r.IntN(36)))
		return
	case u < pNoResponse+pDeclined:
		g.nonAttender(ref, outDeclined, ref.date+day(10+r.IntN(33)))
		return
	}
	contact := ref.date + day(3+min(45, int(r.ExpFloat64()*10)))
	ci := g.book(ref, contact)
	if ci < 0 {
		// No course at a time, place or language they can manage.
		o := uint8(outDeclined)
		if r.Float64() < 0.45 {
			o = outNoResponse
		}
		g.nonAttender(ref, o, contact+day(30+r.IntN(45)))
		return
	}
	attended, last := g.sessions(ref, ci, f, false)
	if attended == 0 {
		g.nonAttender(ref, outDNA, last+day(2+r.IntN(13)))
		return
	}
	g.attender(ref, attended, last)
}

// attender records the outcome of someone who came at least once.
func (g *gen) attender(ref *referral, attended int, last day) {
	o := uint8(outAttended)
	if attended >= 5 {
		o = outCompleted
	}
	g.outcome(ref, o, last+day(2+g.r.IntN(20)))
}

// nonAttender records a did-not-attend, declined or no-response outcome,
// then the follow-up (if the practice or provider makes one) and, for some
// who are rebooked, a later course.
func (g *gen) nonAttender(ref *referral, o uint8, date day) {
	r := g.r
	p := &g.practices[ref.practice]
	notified := g.outcome(ref, o, date)
	if len(p.past) >= 8 {
		p.past = p.past[1:]
	}
	p.past = append(p.past, pastPatient{
		patient: ref.patient, date: ref.date, years: ref.years, age: ref.age, sex: ref.sex,
		eth: ref.eth, imd: ref.imd, carer: ref.carer, lang2: ref.lang2,
	})
	if notified == noDay || r.Float64() >= p.followP {
		return
	}
	fu := fuRow{ref: ref.id, date: notified + day(1+r.IntN(60)), by: 0}
	if r.Float64() < 0.25 {
		fu.by = 1
		fu.method = uint8(pickWeighted(r, []float64{70, 5, 25, 0}))
	} else {
		fu.method = uint8(pickWeighted(r, []float64{55, 25, 15, 5}))
	}
	fu.result = uint8(pickWeighted(r, []float64{35, 25, 40}))
	if b := g.bufAt(fu.date); b != nil {
		b.followups = append(b.followups, fu)
	}
	if fu.result != resRebooked {
		return
	}
	u := r.Float64()
	if u >= 0.55 {
		return
	}
	slots := slotMask(ref.slot) | 1
	ci := g.findCourse(ref, fu.date+10, fu.date+100, ref.lang2, 3, slots)
	if ci < 0 && ref.lang2 {
		ci = g.findCourse(ref, fu.date+10, fu.date+100, false, 3, slots)
	}
	if ci < 0 {
		return
	}
	if u < 0.30 { // re-engaged: comes to the later course
		attended, last := g.sessions(ref, ci, 1, true)
		g.attender(ref, attended, last)
		return
	}
	_, last := g.sessions(ref, ci, 0, false)
	g.outcome(ref, outDNA, last+day(2+r.IntN(13)))
}

// outcome writes the provider's outcome and the letter date to the practice,
// and maybe the practice's code for it. It returns the day the practice was
// told, or noDay if it never is.
func (g *gen) outcome(ref *referral, o uint8, date day) day {
	r := g.r
	p := &g.practices[ref.practice]
	notified := date + day(min(30, int(r.ExpFloat64()*8)))
	if r.Float64() < 0.06 {
		notified = noDay
	}
	if b := g.bufAt(date); b != nil {
		shown := notified
		if shown > g.asOf {
			shown = noDay // not told yet as at the extract date
		}
		b.outcomes = append(b.outcomes, outRow{ref: ref.id, date: date, notified: shown, outcome: o})
	}
	if notified == noDay || o == outIneligible {
		return notified
	}
	chance := p.codingP
	switch o {
	case outCompleted:
		chance *= 1.1
	case outDNA, outDeclined, outNoResponse:
		chance *= 0.8
	}
	if r.Float64() >= chance {
		return notified
	}
	var code uint8
	switch o {
	case outCompleted:
		code = codeCompletedRead
	case outAttended:
		code = codeAttendedRead
		if p.attendedAsDone {
			code = codeCompletedRead
		}
	case outDNA:
		code = codeDNARead
	default:
		code = codeDeclinedRead
	}
	if r.Float64() < 0.03 { // a slip: the wrong outcome code
		code = []uint8{codeAttendedRead, codeCompletedRead, codeDNARead, codeDeclinedRead}[r.IntN(4)]
	}
	if p.snomed {
		code++ // each SNOMED concept follows its Read code in codeValues
	}
	g.emitCode(ref.practice, ref.patient, code, notified+day(min(120, int(r.ExpFloat64()*28))))
	return notified
}

func (g *gen) emitCode(pi int32, patient uint32, code uint8, d day) {
	if b := g.bufAt(d); b != nil {
		dotted := g.practices[pi].dots && isReadCode(code)
		b.codes = append(b.codes, codeRow{practice: pi, patient: patient, date: d, code: code, dotted: dotted})
	}
}

func slotMask(slot uint8) uint8 {
	if slot == slotAny {
		return 7
	}
	return 1 << slot
}

// book finds a course for a referral contacted on day contact, honouring
// language, mode and time preferences first and relaxing them as people do.
// Evening and weekend preferrers wait longer for their slot, take a daytime
// course, or go without.
func (g *gen) book(ref *referral, contact day) int32 {
	r := g.r
	from := contact + 7
	latest := ref.date + 84
	if ref.slot == slotEvening || ref.slot == slotWeekend || ref.lang2 {
		latest = ref.date + 120
	}
	modes := uint8(3)
	switch ref.mode {
	case modeF2F:
		modes = 1
	case modeOnline:
		modes = 2
	}
	slots := slotMask(ref.slot)
	lang2 := ref.lang2
	ci := g.findCourse(ref, from, latest, lang2, modes, slots)
	// Some who wanted a room will try online; more who wanted online will come to a room.
	acceptOther := 0.3
	if modes == 1 {
		acceptOther = 0.2
	}
	if ci < 0 && modes != 3 && r.Float64() < acceptOther {
		modes = 3
		ci = g.findCourse(ref, from, latest, lang2, modes, slots)
	}
	if ci < 0 && slots&1 == 0 && r.Float64() < 0.45 {
		slots |= 1
		ci = g.findCourse(ref, from, ref.date+84, lang2, modes, slots)
	}
	if ci < 0 && lang2 && r.Float64() < 0.35 {
		ci = g.findCourse(ref, from, latest, false, modes, slots|1)
	}
	return ci
}

// findCourse returns a bookable course in the referral's area starting in
// [from, to] that fits the masks: usually the earliest, sometimes the next.
func (g *gen) findCourse(ref *referral, from, to day, lang2 bool, modes, slots uint8) int32 {
	a := &g.areas[g.practices[ref.practice].area]
	i := sort.Search(len(a.courses), func(i int) bool { return g.courses[a.courses[i]].first >= from })
	found := int32(-1)
	for ; i < len(a.courses); i++ {
		ci := a.courses[i]
		c := &g.courses[ci]
		if c.first > to {
			break
		}
		mode := uint8(1)
		if c.online {
			mode = 2
		}
		if c.cancelled || c.booked >= c.capacity || c.lang2 != lang2 || mode&modes == 0 || (1<<c.slot)&slots == 0 {
			continue
		}
		if found >= 0 {
			return ci
		}
		found = ci
		if g.r.Float64() < 0.7 {
			return ci
		}
	}
	return found
}

// sessions books the referral onto course ci and writes a row per session
// held while they are on it. Someone who misses the first two sessions is
// taken off the course. f is their propensity; sure means they come to the
// first session; f of 0 means they never come.
func (g *gen) sessions(ref *referral, ci int32, f float64, sure bool) (attended int, last day) {
	r := g.r
	c := &g.courses[ci]
	c.booked++
	p1 := clampFloat(0.76*f, 0.2, 0.97)
	engaged := true
	for k := 1; k <= 7; k++ {
		d := c.first + day(7*(k-1))
		var came bool
		switch {
		case attended == 0 && k == 1:
			came = sure || (f > 0 && r.Float64() < p1)
		case attended == 0:
			came = f > 0 && r.Float64() < 0.25*f
		default:
			if engaged && r.Float64() < 0.08/f {
				engaged = false
			}
			came = engaged && r.Float64() < 0.9
		}
		if b := g.bufAt(d); b != nil {
			b.attendance = append(b.attendance, attRow{ref: ref.id, course: ci, date: d, session: uint8(k), attended: came})
		}
		last = d
		if came {
			attended++
		}
		if attended == 0 && k == 2 {
			break
		}
	}
	return attended, last
}
