package ingest

import (
	"fmt"
	"io"
)

// The shape of a CSV file as the first pass (textSniffer) sees it: which
// line endings it uses, whether Excel's "sep=," line comes first, and how
// many records it holds. Spreadsheets write all three differently:
//
//   - Excel for Windows and LibreOffice end lines with CRLF, pandas and
//     most Unix tools with LF, and Excel for old Macs ("CSV (Macintosh)")
//     with a lone CR, which encoding/csv does not take for a line break.
//     The first line break of the file decides: a lone CR there makes
//     every CR a line break (the reader turns them into LF, crToLF);
//     otherwise a lone CR is data, as encoding/csv reads it.
//   - Excel writes "sep=," as the first line of a CSV file when asked to
//     keep the separator; it is skipped, and lines keep their numbers in
//     the file.
//   - Records are counted as encoding/csv splits them (a line break inside
//     a quoted field does not end a record, an empty line is none), so
//     that a file with more than MaxRowsPerFile rows is refused in the
//     first pass, within seconds and in a 64 KiB buffer, instead of after
//     millions of rows have been staged.

// lineEndings is how a CSV file ends its lines.
type lineEndings uint8

const (
	endingsUnknown lineEndings = iota // no line break seen yet
	endingsLF                         // LF or CRLF: a lone CR is data
	endingsCR                         // a lone CR ends the first line: every CR is a line break
)

// quoteState is where a byte falls in a CSV record.
type quoteState uint8

const (
	atFieldStart  quoteState = iota // the next byte starts a field
	inUnquoted                      // inside a field not in quotes
	inQuoted                        // inside a quoted field
	quoteInQuoted                   // a quote inside a quoted field: it closes the field unless a second quote follows
	lineLost                        // after a quoting error: encoding/csv drops the rest of the line, quotes and commas included
)

// recordCounter follows encoding/csv's quoting rules to count records.
// Where a line breaks those rules, encoding/csv rejects the rest of the
// line and starts afresh on the next; so does the counter, so that it
// never counts more records than the reader will return.
type recordCounter struct {
	state   quoteState
	content bool  // the record has at least one byte that is not a line break
	start   int64 // line the current record started on
	n       int64 // records completed, the header (and a sep= line) included
}

// dataByte takes one byte that is not a line break.
func (s *textSniffer) dataByte(b byte) *Problem {
	s.lineBytes++
	if s.lineBytes > maxLineBytes {
		return &Problem{Line: s.line, Rule: "line_too_long", Reason: fmt.Sprintf("Line %d is longer than %d bytes; the file is probably not a CSV extract, or a line break is missing.", s.line, maxLineBytes)}
	}
	if s.line == 1 && len(s.first) < len("sep=,")+1 {
		s.first = append(s.first, b)
	}
	r := &s.records
	if !r.content {
		r.content, r.start = true, s.line
	}
	switch r.state {
	case atFieldStart:
		switch b {
		case '"':
			r.state = inQuoted
		case ',':
		default:
			r.state = inUnquoted
		}
	case inUnquoted:
		switch b {
		case ',':
			r.state = atFieldStart
		case '"':
			r.state = lineLost // encoding/csv's ErrBareQuote
		}
	case inQuoted:
		if b == '"' {
			r.state = quoteInQuoted
		}
	case quoteInQuoted:
		switch b {
		case '"':
			r.state = inQuoted
		case ',':
			r.state = atFieldStart
		default:
			r.state = lineLost // encoding/csv's ErrQuote
		}
	}
	return nil
}

// afterCR decides what the CR before b was: with b an LF, part of a CRLF
// (the LF then breaks the line); otherwise a lone CR.
func (s *textSniffer) afterCR(b byte) *Problem {
	if b == '\n' {
		if s.endings == endingsUnknown {
			s.endings = endingsLF
		}
		return nil
	}
	return s.loneCR()
}

func (s *textSniffer) loneCR() *Problem {
	if s.endings == endingsUnknown {
		s.endings = endingsCR
	}
	if s.endings == endingsCR {
		return s.lineBreak()
	}
	return s.dataByte('\r')
}

// lineBreak ends a line, and the record unless the break is inside a
// quoted field.
func (s *textSniffer) lineBreak() *Problem {
	if s.line == 1 {
		s.firstLen = s.lineBytes
	}
	s.line++
	s.lineBytes = 0
	r := &s.records
	if r.state == inQuoted {
		r.content = true
		return nil
	}
	return s.endRecord()
}

// endRecord counts a finished record, refusing the file once it holds
// more than MaxRowsPerFile data rows.
func (s *textSniffer) endRecord() *Problem {
	r := &s.records
	wasContent := r.content
	r.state, r.content = atFieldStart, false
	if !wasContent {
		return nil // an empty line: encoding/csv skips it
	}
	if r.n == 0 && r.start == 1 && !s.sepLine {
		if p := s.checkSepLine(); p != nil || s.sepLine {
			return p // Excel's sep= line is not a record of the file
		}
	}
	r.n++
	if limit := MaxRowsPerFile + 1; r.n > limit { // the header is a record too
		return tooManyRows("", r.start)
	}
	return nil
}

// checkSepLine recognises Excel's "sep=," first line. A sep= line naming
// another separator says the file is not comma-separated.
func (s *textSniffer) checkSepLine() *Problem {
	if s.firstLen != len("sep=,") || len(s.first) < len("sep=,") || string(s.first[:4]) != "sep=" {
		return nil
	}
	if sep := s.first[4]; sep != ',' {
		return &Problem{Line: 1, Rule: "bad_separator", Reason: fmt.Sprintf("The first line, sep=%s, says the fields are separated by %q, not by commas; save the file as comma-separated CSV (\"CSV UTF-8\" in Excel).", string(sep), string(sep))}
	}
	s.sepLine = true
	return nil
}

// endOfFile settles a CR at the very end and counts a last record that has
// no line break after it.
func (s *textSniffer) endOfFile() *Problem {
	if s.pendingCR {
		s.pendingCR = false
		if p := s.loneCR(); p != nil {
			return p
		}
	}
	if s.line == 1 {
		s.firstLen = s.lineBytes
	}
	return s.endRecord()
}

// crToLF turns every CR into an LF, so that encoding/csv reads a file
// whose lines end with a lone CR.
type crToLF struct{ r io.Reader }

func (c crToLF) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i, b := range p[:n] {
		if b == '\r' {
			p[i] = '\n'
		}
	}
	return n, err
}

// skipLine reads r up to and including the first LF.
func skipLine(r io.Reader) error {
	var b [1]byte
	for {
		n, err := r.Read(b[:])
		if n == 1 && b[0] == '\n' {
			return nil
		}
		if err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
}

// plainByte marks the bytes that change nothing but the line's length and
// the field state: neither quotes nor line breaks, control characters or
// the bytes 0x80-0x9F that the encoding checks look at. Commas are plain
// too, because only the last byte of a run matters to the field state.
var plainByte = func() (t [256]bool) {
	for b := range t {
		t[b] = b >= 0x20 && b != '"' && !(b >= 0x80 && b < 0xA0) || b == '\t'
	}
	return t
}()

// plainRun takes a run of plain bytes (plainByte) at once: what dataByte
// would do for each of them, in the time it takes to look at the last.
func (s *textSniffer) plainRun(run []byte) *Problem {
	s.lineBytes += len(run)
	if s.lineBytes > maxLineBytes {
		return &Problem{Line: s.line, Rule: "line_too_long", Reason: fmt.Sprintf("Line %d is longer than %d bytes; the file is probably not a CSV extract, or a line break is missing.", s.line, maxLineBytes)}
	}
	if s.line == 1 && len(s.first) < len("sep=,")+1 {
		s.first = append(s.first, run[:min(len(run), len("sep=,")+1-len(s.first))]...)
	}
	r := &s.records
	if !r.content {
		r.content, r.start = true, s.line
	}
	// Without quotes in the run, a field outside quotes ends with the
	// run's last comma: the state after it is the state after its last byte.
	switch r.state {
	case inQuoted, lineLost:
	case quoteInQuoted:
		if run[0] != ',' {
			r.state = lineLost // encoding/csv's ErrQuote
			break
		}
		fallthrough
	default:
		r.state = inUnquoted
		if run[len(run)-1] == ',' {
			r.state = atFieldStart
		}
	}
	return nil
}
