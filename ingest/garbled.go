package ingest

import (
	"fmt"
	"unicode/utf8"
)

// A file of UTF-8 text opened as Windows-1252 (Excel's "ANSI", what it
// assumes of a CSV file without a byte-order mark) and saved again holds
// each accented letter as two or three characters: é becomes Ã©, ’ becomes
// â€™, £ becomes Â£. The result is valid UTF-8, so nothing else notices,
// and names and languages would load garbled ("Dr AmÃ©lie", "St Maryâ€™s").
// Such text is recognised by its shape: a character that is the first
// byte of a UTF-8 sequence (Â to ô) followed by characters that are its
// continuation bytes (0x80 to 0xBF in Windows-1252), which together make a
// valid UTF-8 character. Real names almost never hold that pair; a whole
// quarter is refused when one does, naming the place to look.

// garbledText reports the first run of s that is UTF-8 read as
// Windows-1252, and the character it was meant to be.
func garbledText(s string) (found, meant string, ok bool) {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return "", "", false
	}
	runes := []rune(s)
	for i, r := range runes {
		var n int // continuation bytes a UTF-8 sequence starting with byte r has
		switch {
		case r >= 0xC2 && r <= 0xDF:
			n = 1
		case r >= 0xE0 && r <= 0xEF:
			n = 2
		case r >= 0xF0 && r <= 0xF4:
			n = 3
		default:
			continue
		}
		if i+n >= len(runes) {
			continue
		}
		seq := []byte{byte(r)}
		for _, c := range runes[i+1 : i+1+n] {
			b, ok := windows1252Byte(c)
			if !ok || b < 0x80 || b > 0xBF {
				break
			}
			seq = append(seq, b)
		}
		if len(seq) != n+1 || !utf8.Valid(seq) {
			continue
		}
		return string(runes[i : i+1+n]), string(seq), true
	}
	return "", "", false
}

// windows1252Byte is the byte Windows-1252 writes for r. Its five
// undefined bytes are read as the C1 control characters of the same
// number, as Windows does.
func windows1252Byte(r rune) (byte, bool) {
	if r >= 0x80 && r <= 0xFF {
		if r >= 0xA0 || win1252[r-0x80] == utf8.RuneError {
			return byte(r), true
		}
	}
	for i, w := range win1252 {
		if w == r && w != utf8.RuneError {
			return byte(0x80 + i), true
		}
	}
	return 0, false
}

// garbledProblem refuses a file for text garbled as garbledText finds it,
// at the line and column it is in. The value is quoted unless its column
// holds identifiers.
func garbledProblem(file string, line int64, c Column, value, found, meant string) *Problem {
	where := "The text"
	if !c.Identifier {
		where = fmt.Sprintf("The text %q", truncateValue(value))
	}
	return &Problem{File: file, Line: line, Column: c.Name, Rule: "garbled_text", Reason: fmt.Sprintf(
		"%s holds %q where %q was meant: the file was opened as Windows-1252 (Western European) text although it was UTF-8, and saved again, "+
			"which garbles every accented letter and curly quote in it. Export it again from the system it came from; or open the original in Excel "+
			"through Data > From Text/CSV, choosing File Origin \"65001: Unicode (UTF-8)\", and save it as \"CSV UTF-8\".", where, found, meant)}
}
