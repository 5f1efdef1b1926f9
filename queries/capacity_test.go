package queries

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// capacityCourses are courses of one slot, language and mode that ran in
// 2025Q4, and the people booked on them (eligible referrals of October
// 2025, booked on the course's first session).
type capacityCourses struct {
	slot, language, mode string
	courses, capacity    int
	booked               int
}

// capacityWaiting are eligible referrals of October 2025 preferring a
// slot, language and mode, never booked.
type capacityWaiting struct {
	slot, language, mode string
	people               int
}

// buildCapacityFixture is a borough as of 2026-03-31 (2025Q4 and 2026Q1
// loaded). 2025Q4 is the one quarter whose 90 days have passed for
// everyone (2025-12-31 + 90 = 2026-03-31), so the model averages it alone
// and every figure is a quarter's. Courses run on Monday 2025-11-03 at
// 10:00 (daytime) or 18:00 (evening), or on Saturday 2025-11-08 (weekend);
// face-to-face at V1, or online.
func buildCapacityFixture(tb testing.TB, courses []capacityCourses, waiting []capacityWaiting) *fixture {
	f := newFixture(tb)
	f.boroughPractices("2025Q4", "2026Q1")
	f.venue("2025Q4", "V1", "Hornsey Road Baths")
	n := 0
	next := func() (string, string) {
		n++
		return fmt.Sprintf("R%03d", n), fmt.Sprintf("2025-10-%02d", 1+n%28)
	}
	for i, c := range courses {
		date, start := "2025-11-03", "10:00"
		switch c.slot {
		case SlotEvening:
			start = "18:00"
		case SlotWeekend:
			date = "2025-11-08"
		}
		venue := "V1"
		if c.mode == "online" {
			venue = ""
		}
		for j := 0; j < c.courses; j++ {
			id := fmt.Sprintf("K%d-%d", i, j)
			f.course(course{ID: id, Venue: venue, Language: c.language, FirstDate: date, Start: start, Capacity: c.capacity})
			for b := 0; b < c.booked/c.courses+boolInt(j < c.booked%c.courses); b++ {
				rid, rdate := next()
				f.referral(referral{ID: rid, Practice: "F83004", Date: rdate, PreferredSlot: c.slot, Language: c.language, PreferredMode: c.mode})
				f.attend(rid, id, date, "1")
			}
		}
	}
	for _, w := range waiting {
		for i := 0; i < w.people; i++ {
			rid, rdate := next()
			f.referral(referral{ID: rid, Practice: "F83020", Date: rdate, PreferredSlot: w.slot, Language: w.language, PreferredMode: w.mode})
		}
	}
	return f
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// cellWant is a capacity cell as the test works it out; "*" marks a
// withheld count.
type cellWant struct {
	language, mode    string
	wanting           Count
	flexible          int64
	courses           float64
	places            int64
	booked, spare     Count
	need, add, remove int64
}

func checkCapacitySlot(t *testing.T, got CapacitySlot, slot string, add, remove int64, advice string, cells ...cellWant) {
	t.Helper()
	if got.Slot != slot {
		t.Fatalf("slot %q, want %q", got.Slot, slot)
	}
	if got.Add != add || got.Remove != remove {
		t.Errorf("%s: add %d remove %d, want %d and %d", slot, got.Add, got.Remove, add, remove)
	}
	if !strings.Contains(got.Advice, advice) {
		t.Errorf("%s advice %q lacks %q", slot, got.Advice, advice)
	}
	if len(got.Cells) != len(cells) {
		t.Fatalf("%s: %d cells %+v, want %d", slot, len(got.Cells), got.Cells, len(cells))
	}
	for i, w := range cells {
		c := got.Cells[i]
		want := CapacityCell{Language: w.language, Mode: w.mode, Wanting: w.wanting, Flexible: w.flexible, Courses: w.courses,
			Places: w.places, Booked: w.booked, Spare: w.spare, Need: w.need, Add: w.add, Remove: w.remove}
		if c != want {
			t.Errorf("%s cell %d:\n got %+v\nwant %+v", slot, i, c, want)
		}
	}
}

// TestCapacity is the three slots, English face-to-face, rule off:
//
//	slot     courses x places  booked  spare  wanting  need           add
//	daytime  3 x 14 = 42       30      12      5       5 - 12 = -7    0: spare places cover them, and 7 < a course of 14 to take away
//	evening  1 x 14            14       0     30       30             2: min(30 ÷ 14 up = 3, 30 ÷ 12 down = 2); a third course would have 2 people
//	weekend  none               0       0     10       10             0: 10 ÷ 12 down = 0, under the minimum of 12
func TestCapacity(t *testing.T) {
	f := buildCapacityFixture(t,
		[]capacityCourses{{SlotDaytime, "English", "face-to-face", 3, 14, 30}, {SlotEvening, "English", "face-to-face", 1, 14, 14}},
		[]capacityWaiting{{SlotDaytime, "English", "face-to-face", 5}, {SlotEvening, "English", "face-to-face", 30}, {SlotWeekend, "English", "face-to-face", 10}})
	got, err := f.store().Capacity(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got.Quarters) != "[2025Q4]" || got.MinPlaces != 12 || got.PlacesPerCourse != 14 || got.WindowDays != 90 {
		t.Errorf("quarters %v, min %d, per course %d, window %d", got.Quarters, got.MinPlaces, got.PlacesPerCourse, got.WindowDays)
	}
	checkCapacitySlot(t, got.Slots[0], SlotDaytime, 0, 0, "no extra course: the spare places cover the people waiting",
		cellWant{"English", "face-to-face", num(5), 0, 3, 42, num(30), num(12), -7, 0, 0})
	checkCapacitySlot(t, got.Slots[1], SlotEvening, 2, 0, "add 2 courses next quarter (2 face-to-face in English)",
		cellWant{"English", "face-to-face", num(30), 0, 1, 14, num(14), num(0), 30, 2, 0})
	checkCapacitySlot(t, got.Slots[2], SlotWeekend, 0, 0, "the largest shortfall, 10 people (face-to-face in English), is under the 12 a course needs",
		cellWant{"English", "face-to-face", num(10), 0, 0, 0, num(0), num(0), 10, 0, 0})
	if s := got.Slots[1]; s.Wanting != 30 || s.Places != 14 || s.Booked != 14 || s.Spare != 0 {
		t.Errorf("evening totals %+v", s)
	}
	// The trend: 2025Q4 (final) and 2026Q1 (nobody referred); one quarter
	// averaged, so no trend word.
	ev := got.Slots[1]
	if len(ev.Series) != 2 || ev.Series[0] != (CapacityPoint{"2025Q4", true, num(30), 14}) || ev.Series[1] != (CapacityPoint{"2026Q1", false, num(0), 0}) || ev.Trend != "" {
		t.Errorf("evening series %+v, trend %q", ev.Series, ev.Trend)
	}
	if len(got.Assumptions) < 6 {
		t.Errorf("assumptions %q", got.Assumptions)
	}
}

// TestCapacityDisclosure is TestCapacity with the rule on. Daytime's 5
// waiting are "*" and count as none: need 0 - 12 = -12, still no change.
// Evening's 14 booked of 14 places round to 15, more than the places, so
// 14 is shown (and the spare places are 0, not -1). The advice is as
// before: it is worked out from the counts shown.
func TestCapacityDisclosure(t *testing.T) {
	f := buildCapacityFixture(t,
		[]capacityCourses{{SlotDaytime, "English", "face-to-face", 3, 14, 30}, {SlotEvening, "English", "face-to-face", 1, 14, 14}},
		[]capacityWaiting{{SlotDaytime, "English", "face-to-face", 5}, {SlotEvening, "English", "face-to-face", 30}, {SlotWeekend, "English", "face-to-face", 10}})
	got, err := f.store(withDisclosure()).Capacity(context.Background(), Filter{Practice: "F83004", Audience: Audience{Practice: "F83004"}})
	if err != nil {
		t.Fatal(err)
	}
	checkCapacitySlot(t, got.Slots[0], SlotDaytime, 0, 0, "no extra course",
		cellWant{"English", "face-to-face", star, 0, 3, 42, num(30), num(12), -12, 0, 0})
	checkCapacitySlot(t, got.Slots[1], SlotEvening, 2, 0, "add 2 courses",
		cellWant{"English", "face-to-face", num(30), 0, 1, 14, num(14), num(0), 30, 2, 0})
	checkCapacitySlot(t, got.Slots[2], SlotWeekend, 0, 0, "under the 12",
		cellWant{"English", "face-to-face", num(10), 0, 0, 0, num(0), num(0), 10, 0, 0})
	// Courses mix every practice's patients: the rule applies even to a
	// practice's own staff, and the practice filter does not narrow them.
	if d := got.Disclosure; d.Exact != ExactNone || !d.Applied || !strings.Contains(d.Rule, "places are shown") {
		t.Errorf("disclosure %+v", d)
	}
}

// TestCapacityTakesCoursesAway: daytime runs 4 courses of 14 (56 places)
// with 20 booked and 5 waiting: 36 spare, need 5 - 36 = -31, more than two
// whole courses (31 ÷ 14 = 2 rounded down): run 2 fewer.
func TestCapacityTakesCoursesAway(t *testing.T) {
	f := buildCapacityFixture(t,
		[]capacityCourses{{SlotDaytime, "English", "face-to-face", 4, 14, 20}},
		[]capacityWaiting{{SlotDaytime, "English", "face-to-face", 5}})
	got, err := f.store().Capacity(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	checkCapacitySlot(t, got.Slots[0], SlotDaytime, 0, 2, "2 fewer courses could run next quarter (2 face-to-face in English)",
		cellWant{"English", "face-to-face", num(5), 0, 4, 56, num(20), num(36), -31, 0, 2})
	checkCapacitySlot(t, got.Slots[1], SlotEvening, 0, 0, "nobody was left waiting for this slot and no courses ran in it")
}

// TestCapacityNoPreference: people with no preference take spare places
// first, then join the slot already short.
//
//	English face-to-face: daytime 1 x 14, 10 booked: 4 spare; evening 1 x 14,
//	  14 booked: none spare; weekend no course, 8 waiting (under 12 alone).
//	  10 people with no preference of slot (face-to-face): 4 into daytime's
//	  spare places; the other 6 join the weekend, already 8 short:
//	  need 8 + 6 = 14, add min(14 ÷ 14 up = 1, 14 ÷ 12 down = 1) = 1.
//	Turkish: 13 people want an evening course in either mode and no
//	  Turkish course runs: nowhere is short or spare, so they go to the
//	  fitting cell with the most places, the first of equals (face-to-face):
//	  need 13, add 1.
func TestCapacityNoPreference(t *testing.T) {
	f := buildCapacityFixture(t,
		[]capacityCourses{{SlotDaytime, "English", "face-to-face", 1, 14, 10}, {SlotEvening, "English", "face-to-face", 1, 14, 14}},
		[]capacityWaiting{{SlotWeekend, "English", "face-to-face", 8}, {SlotNoPreference, "English", "face-to-face", 10},
			{SlotEvening, "Turkish", SlotNoPreference, 13}})
	got, err := f.store().Capacity(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	checkCapacitySlot(t, got.Slots[0], SlotDaytime, 0, 0, "4 people with no preference",
		cellWant{"English", "face-to-face", num(0), 4, 1, 14, num(10), num(4), 0, 0, 0})
	checkCapacitySlot(t, got.Slots[1], SlotEvening, 1, 0, "add 1 course next quarter (1 face-to-face in Turkish)",
		cellWant{"English", "face-to-face", num(0), 0, 1, 14, num(14), num(0), 0, 0, 0},
		cellWant{"Turkish", "face-to-face", num(0), 13, 0, 0, num(0), num(0), 13, 1, 0})
	checkCapacitySlot(t, got.Slots[2], SlotWeekend, 1, 0, "add 1 course next quarter (1 face-to-face in English)",
		cellWant{"English", "face-to-face", num(8), 6, 0, 0, num(0), num(0), 14, 1, 0})
}

// TestCapacityNoFinalQuarter: as of 2025-12-31 no quarter's 90 days have
// passed: no figures, no advice.
func TestCapacityNoFinalQuarter(t *testing.T) {
	f := newFixture(t)
	f.boroughPractices("2025Q4")
	f.referral(referral{ID: "R1", Practice: "F83004", Date: "2025-10-01", PreferredSlot: SlotEvening})
	got, err := f.store().Capacity(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Quarters) != 0 {
		t.Errorf("quarters %v, want none", got.Quarters)
	}
	for _, s := range got.Slots {
		if s.Add != 0 || s.Remove != 0 || len(s.Cells) != 0 || !strings.Contains(s.Advice, "no advice yet") {
			t.Errorf("%s: %+v", s.Slot, s)
		}
	}
}
