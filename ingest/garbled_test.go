package ingest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// asWindows1252 is what Excel makes of UTF-8 text opened as Windows-1252
// and saved again as UTF-8: every byte becomes the character Windows-1252
// has for it.
func asWindows1252(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < 0x80 || c >= 0xA0:
			b.WriteRune(rune(c))
		case win1252[c-0x80] == utf8.RuneError:
			b.WriteRune(rune(c))
		default:
			b.WriteRune(win1252[c-0x80])
		}
	}
	return b.String()
}

func TestGarbledText(t *testing.T) {
	for in, want := range map[string][2]string{
		"Dr AmÃ©lie Martin":               {"Ã©", "é"},
		"St Maryâ€™s Road Surgery":        {"â€™", "’"},
		"Fee Â£5":                         {"Â£", "£"},
		asWindows1252("Gülşen Öztürk"):    {"Ã¼", "ü"},
		asWindows1252("Ánh (Vietnamese)"): {"Ã\u0081", "Á"}, // 0x81 is one of the bytes Windows-1252 leaves undefined
	} {
		found, meant, ok := garbledText(in)
		if !ok || found != want[0] || meant != want[1] {
			t.Errorf("garbledText(%q) = %q, %q, %v; want %q for %q", in, found, meant, ok, want[0], want[1])
		}
	}
	// Accented names as they should be, and characters that merely look
	// like the start of a garbled pair.
	for _, s := range []string{"Café Medical Centre", "Gülşen Öztürk", "Türkçe", "naïve", "São Paulo", "Ã", "±5°", "Ølstykke", "Ça va", "ŞİŞLİ", "plain ASCII"} {
		if found, _, ok := garbledText(s); ok {
			t.Errorf("garbledText(%q) found %q", s, found)
		}
	}
}

// TestGarbledQuarterRefused loads the sample quarter whose practices file
// was opened in Excel as Windows-1252 and saved again: the quarter is
// refused at the line and column of the first garbled name, and nothing
// changes.
func TestGarbledQuarterRefused(t *testing.T) {
	db, _ := openTestDB(t)
	l := testLoader(db)
	mustLoad(t, l, copyQuarter(t, sampleQuarter))
	before := snapshot(t, db)

	dir := copyQuarter(t, sampleQuarter)
	text, err := os.ReadFile(filepath.Join(dir, "practices.csv"))
	if err != nil {
		t.Fatal(err)
	}
	// Line 5 is the first with a character outside ASCII: St Mary’s.
	if lines := strings.Split(string(text), "\n"); !strings.Contains(lines[4], "St Mary’s Road Surgery") {
		t.Fatalf("line 5 of the sample's practices is %q", lines[4])
	}
	writeFile(t, dir, "practices.csv", asWindows1252(string(text)))
	_, err = l.LoadQuarter(context.Background(), dir)
	var refused *RefusedError
	if !errors.As(err, &refused) || len(refused.Problems) != 1 {
		t.Fatalf("err = %v; want the quarter refused for one problem", err)
	}
	p := refused.Problems[0]
	if p.File != "practices.csv" || p.Line != 5 || p.Column != "practice_name" || p.Rule != "garbled_text" ||
		!strings.Contains(p.Reason, `"St Maryâ€™s Road Surgery"`) || !strings.Contains(p.Reason, "CSV UTF-8") {
		t.Errorf("problem %+v; want practices.csv line 5 practice_name garbled_text, quoting the name and saying how to fix it", p)
	}
	if after := snapshot(t, db); !after.equal(before) {
		t.Errorf("database changed: %+v -> %+v", before, after)
	}
}
