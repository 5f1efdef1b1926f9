package generate

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// fileFormat is how one file is written. The zero value is plain UTF-8 CSV
// with ISO dates and LF line ends.
type fileFormat struct {
	xlsx      bool
	bom       bool   // UTF-8 byte-order mark, as Excel's "CSV UTF-8" writes
	cp1252    bool   // Windows-1252, as Excel's plain "CSV" writes
	crlf      bool   // CR LF line ends
	ukDates   bool   // dates as dd/mm/yyyy text
	dateCells string // XLSX only: dates as date cells with this number format
	reorder   []int  // XLSX only: column order, as indexes into the contract's columns
	titleCase bool   // XLSX only: headers like "Practice_Code"
}

func (ff fileFormat) encoding() string {
	switch {
	case ff.xlsx:
		return "xlsx"
	case ff.cp1252:
		return "windows-1252"
	case ff.bom:
		return "utf-8-bom"
	}
	return "utf-8"
}

func (ff fileFormat) dates(table string) string {
	if !slices.Contains(dateColumns[table], true) {
		return ""
	}
	switch {
	case ff.dateCells != "":
		return "date-cells"
	case ff.ukDates:
		return "uk"
	}
	return "iso"
}

// formatFor decides how a quarter's file is written. Without MixedFormats
// everything is plain CSV. With it, the sample data shows what real extracts
// look like: practices' gp_codes exported from spreadsheets, a provider
// quarter saved by Excel with a byte-order mark, a commissioner file in
// Windows-1252, UK dates typed by hand.
func (g *gen) formatFor(qi int, table string) fileFormat {
	var ff fileFormat
	if !g.opts.MixedFormats {
		return ff
	}
	switch table {
	case tableGPCodes:
		if g.isXLSXQuarter(qi) {
			ff.xlsx, ff.titleCase = true, true
			ff.reorder = []int{1, 0, 3, 2} // patient_id, practice_code, code_date, code
			ordinal := 0
			for j := range qi {
				if g.isXLSXQuarter(j) {
					ordinal++
				}
			}
			switch ordinal % 3 {
			case 0:
				ff.dateCells = "yyyy-mm-dd"
			case 1:
				ff.ukDates = true
			case 2:
				ff.dateCells = "dd/mm/yyyy"
			}
		}
	case tablePractices:
		ff.cp1252 = qi%8 == 4
		ff.crlf = ff.cp1252
	case tableTextCampaigns:
		ff.ukDates = qi%2 == 1
	case tableVenues, tableCourses, tableReferrals, tableAttendance, tableOutcomes, tableFollowups:
		ff.bom = qi%8 == 3
		ff.crlf = ff.bom
	}
	return ff
}

func (g *gen) isXLSXQuarter(qi int) bool {
	return qi%3 == 2 || (len(g.quarters) > 1 && qi == len(g.quarters)-1)
}

// writeQuarter writes the nine files of quarter qi.
func (g *gen) writeQuarter(qi int) ([]FileInfo, error) {
	dir := filepath.Join(g.opts.Out, g.quarters[qi].name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	for _, t := range tableOrder {
		for _, ext := range []string{".csv", ".xlsx"} {
			if err := os.Remove(filepath.Join(dir, t+ext)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, err
			}
		}
	}
	b := g.bufs[qi]
	tidy(b)
	var bad map[string][]badRow
	if g.opts.BadRows {
		bad = g.badRows(qi, b)
	}
	// The edge cases follow the simulated rows (and the bad rows are made
	// from those alone), so the simulated part of every file is the same
	// with or without them.
	if g.edge != nil && g.edge[qi] != nil {
		e := g.edge[qi]
		b.referrals = append(b.referrals, e.referrals...)
		b.attendance = append(b.attendance, e.attendance...)
		b.outcomes = append(b.outcomes, e.outcomes...)
		b.followups = append(b.followups, e.followups...)
		b.codes = append(b.codes, e.codes...)
	}
	if g.stalePractice >= 0 {
		for _, r := range b.referrals {
			if r.practice == g.stalePractice && !r.carer {
				g.staleReferred[r.patient] = true
			}
		}
	}
	files := make([]FileInfo, 0, len(tableOrder))
	for _, t := range tableOrder {
		info, err := g.writeTable(dir, qi, t, bad[t])
		if err != nil {
			return nil, err
		}
		files = append(files, info)
	}
	return files, nil
}

// tidy puts a quarter's events in date order and drops exact repeats of a
// key (which a loader would reject), so that every real row is valid.
func tidy(b *quarterBuf) {
	slices.SortFunc(b.attendance, func(x, y attRow) int {
		return cmpInts(int(x.date), int(y.date), int(x.ref), int(y.ref), int(x.course), int(y.course), int(x.session), int(y.session))
	})
	slices.SortFunc(b.outcomes, func(x, y outRow) int {
		return cmpInts(int(x.date), int(y.date), int(x.ref), int(y.ref))
	})
	b.outcomes = slices.CompactFunc(b.outcomes, func(x, y outRow) bool { return x.ref == y.ref && x.date == y.date })
	slices.SortStableFunc(b.followups, func(x, y fuRow) int {
		return cmpInts(int(x.date), int(y.date), int(x.ref), int(y.ref), int(x.by), int(y.by))
	})
	b.followups = slices.CompactFunc(b.followups, func(x, y fuRow) bool {
		return x.ref == y.ref && x.date == y.date && x.by == y.by
	})
	slices.SortFunc(b.codes, func(x, y codeRow) int {
		return cmpInts(int(x.date), int(y.date), int(x.practice), int(y.practice), int(x.patient), int(y.patient), int(x.code), int(y.code))
	})
	b.codes = slices.CompactFunc(b.codes, func(x, y codeRow) bool {
		return x.date == y.date && x.practice == y.practice && x.patient == y.patient && x.code == y.code
	})
}

func cmpInts(pairs ...int) int {
	for i := 0; i < len(pairs); i += 2 {
		if pairs[i] != pairs[i+1] {
			if pairs[i] < pairs[i+1] {
				return -1
			}
			return 1
		}
	}
	return 0
}

func (g *gen) writeTable(dir string, qi int, table string, bad []badRow) (FileInfo, error) {
	ff := g.formatFor(qi, table)
	name := table + ".csv"
	if ff.xlsx {
		name = table + ".xlsx"
	}
	info := FileInfo{File: name, Table: table, Encoding: ff.encoding(), Dates: ff.dates(table)}
	path := filepath.Join(dir, name)
	var s sink
	var err error
	if ff.xlsx {
		s, err = newXLSXSink(path, table, ff)
	} else {
		s, err = newCSVSink(path, table, ff)
	}
	if err != nil {
		return info, err
	}
	n := 0
	err = g.eachRow(qi, table, func(vals []string) error {
		n++
		return s.write(vals)
	})
	for _, br := range bad {
		if err != nil {
			break
		}
		err = s.write(br.vals)
		info.Rejected = append(info.Rejected, BadRow{Line: n + len(info.Rejected) + 2, Column: br.column, Problem: br.problem})
	}
	if cerr := s.close(); err == nil {
		err = cerr
	}
	info.Rows = n + len(bad)
	info.ExpectedAccepted = n
	info.ExpectedRejected = len(bad)
	return info, err
}

// eachRow calls emit with every valid row of table in quarter qi. The slice
// passed to emit is reused.
func (g *gen) eachRow(qi int, table string, emit func([]string) error) error {
	v := make([]string, len(columns[table]))
	b := g.bufs[qi]
	q := g.quarters[qi]
	switch table {
	case tablePractices:
		for _, pi := range g.practiceOrder {
			g.practiceRow(pi, v)
			if pi == g.stalePractice && qi == len(g.quarters)-1 {
				// An edge case: the latest register sent is half the
				// people the practice referred over the run (a stale
				// figure), which the dashboard must not compare.
				v[4] = strconv.Itoa(len(g.staleReferred) / 2)
			}
			if err := emit(v); err != nil {
				return err
			}
		}
	case tableVenues:
		for i := range g.venues {
			if err := emit(g.venueRow(&g.venues[i], v)); err != nil {
				return err
			}
		}
	case tableCourses:
		for _, ci := range g.coursesByQuarter[qi] {
			if err := emit(g.courseRow(&g.courses[ci], v)); err != nil {
				return err
			}
		}
	case tableReferrals:
		for i := range b.referrals {
			if err := emit(g.referralRow(&b.referrals[i], v)); err != nil {
				return err
			}
		}
	case tableAttendance:
		for _, a := range b.attendance {
			if err := emit(g.attendanceRow(a, v)); err != nil {
				return err
			}
		}
	case tableOutcomes:
		for _, o := range b.outcomes {
			if err := emit(g.outcomeRow(o, v)); err != nil {
				return err
			}
		}
	case tableFollowups:
		for _, f := range b.followups {
			if err := emit(g.followupRow(f, v)); err != nil {
				return err
			}
		}
	case tableGPCodes:
		for _, c := range b.codes {
			if err := emit(g.codeRow(c, v)); err != nil {
				return err
			}
		}
	case tableTextCampaigns:
		for _, ci := range g.campaignsIn(q) {
			c := &g.campaigns[ci]
			v[0], v[1], v[2] = g.practices[c.practice].code, g.dates.ISO(c.date), strconv.Itoa(c.messages)
			if err := emit(v); err != nil {
				return err
			}
		}
	}
	return nil
}

// campaignsIn lists the campaigns sent in q, by date and practice code.
func (g *gen) campaignsIn(q quarter) []int {
	var out []int
	for i, c := range g.campaigns {
		if c.date >= q.start && c.date <= q.end {
			out = append(out, i)
		}
	}
	slices.SortFunc(out, func(a, b int) int {
		ca, cb := &g.campaigns[a], &g.campaigns[b]
		if ca.date != cb.date {
			return int(ca.date - cb.date)
		}
		return cmpString(g.practices[ca.practice].code, g.practices[cb.practice].code)
	})
	return out
}

func (g *gen) practiceRow(pi int32, v []string) []string {
	p := &g.practices[pi]
	v[0], v[1], v[2], v[3], v[4] = p.code, p.name, p.pcn, strconv.Itoa(p.list), strconv.Itoa(p.register)
	v[5] = strconv.Itoa(p.imdQuintile())
	return v
}

func (g *gen) venueRow(vn *venue, v []string) []string {
	v[0], v[1], v[2], v[3], v[4] = vn.id, vn.name, vn.postcode, vn.ward, yesNo(vn.stepFree)
	return v
}

func (g *gen) courseRow(c *course, v []string) []string {
	v[0] = c.id
	v[1], v[2] = "", "online"
	if !c.online {
		v[1], v[2] = g.venues[c.venue].id, "face-to-face"
	}
	v[3] = "English"
	if c.lang2 {
		v[3] = g.areas[c.area].lang2
	}
	v[4], v[5], v[6] = c.first.weekday().String(), c.start, g.dates.ISO(c.first)
	v[7], v[8] = "7", strconv.Itoa(int(c.capacity))
	v[9] = "ran"
	if c.cancelled {
		v[9] = "cancelled"
	}
	return v
}

func (g *gen) referralRow(ref *referral, v []string) []string {
	p := &g.practices[ref.practice]
	v[0], v[1], v[2], v[3] = refID(ref.id), g.patientID(ref.patient), p.code, g.dates.ISO(ref.date)
	v[4], v[5] = referrerValues[ref.referrer], channelValues[ref.channel]
	v[6] = carerValues[0]
	if ref.carer {
		v[6] = carerValues[1]
	}
	v[7], v[8], v[9] = ageBandValues[ref.age], sexValues[ref.sex], ethnicValues[ref.eth]
	v[10] = "English"
	if ref.lang2 {
		v[10] = g.areas[p.area].lang2
	}
	v[11] = ""
	if ref.years >= 0 {
		v[11] = strconv.Itoa(int(ref.years)/10) + "." + strconv.Itoa(int(ref.years)%10)
	}
	v[12], v[13], v[14] = strconv.Itoa(int(ref.imd)+1), modeValues[ref.mode], slotValues[ref.slot]
	return v
}

func (g *gen) attendanceRow(a attRow, v []string) []string {
	v[0], v[1], v[2] = refID(a.ref), g.courses[a.course].id, strconv.Itoa(int(a.session))
	v[3], v[4] = g.dates.ISO(a.date), yesNo(a.attended)
	return v
}

func (g *gen) outcomeRow(o outRow, v []string) []string {
	v[0], v[1], v[2], v[3] = refID(o.ref), outcomeValues[o.outcome], g.dates.ISO(o.date), ""
	if o.notified != noDay {
		v[3] = g.dates.ISO(o.notified)
	}
	return v
}

func (g *gen) followupRow(f fuRow, v []string) []string {
	v[0], v[1], v[2] = refID(f.ref), g.dates.ISO(f.date), followupBy[f.by]
	v[3], v[4] = methodValues[f.method], resultValues[f.result]
	return v
}

func (g *gen) codeRow(c codeRow, v []string) []string {
	code := codeValues[c.code]
	if c.dotted {
		code += "."
	}
	v[0], v[1], v[2], v[3] = g.practices[c.practice].code, g.patientID(c.patient), code, g.dates.ISO(c.date)
	return v
}

func refID(id int32) string {
	var b [12]byte
	s := strconv.AppendInt(b[:0], int64(id), 10)
	out := make([]byte, 0, 9)
	out = append(out, 'R')
	for range 8 - len(s) {
		out = append(out, '0')
	}
	return string(append(out, s...))
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// A sink writes the rows of one file; the header is written when it is made.
type sink interface {
	write(vals []string) error
	close() error
}

type csvSink struct {
	f        *os.File
	w        *bufio.Writer
	ff       fileFormat
	dateCols []bool
	line     []byte
}

func newCSVSink(path, table string, ff fileFormat) (*csvSink, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	s := &csvSink{f: f, w: bufio.NewWriterSize(f, 256<<10), ff: ff}
	if ff.bom {
		s.w.WriteString("\uFEFF")
	}
	if err := s.write(columns[table]); err != nil {
		f.Close()
		return nil, err
	}
	s.dateCols = dateColumns[table] // after the header, which holds no dates
	return s, nil
}

func (s *csvSink) write(vals []string) error {
	b := s.line[:0]
	for i, v := range vals {
		if i > 0 {
			b = append(b, ',')
		}
		if s.ff.ukDates && s.dateCols != nil && s.dateCols[i] {
			v = ukFromISO(v)
		}
		b = appendCSVField(b, v)
	}
	if s.ff.crlf {
		b = append(b, '\r')
	}
	b = append(b, '\n')
	s.line = b
	if s.ff.cp1252 {
		enc, err := toWindows1252(b)
		if err != nil {
			return err
		}
		b = enc
	}
	_, err := s.w.Write(b)
	return err
}

func (s *csvSink) close() error {
	err := s.w.Flush()
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// appendCSVField quotes a field as RFC 4180 asks when it holds a comma,
// quote or line break.
func appendCSVField(b []byte, v string) []byte {
	if !strings.ContainsAny(v, ",\"\r\n") {
		return append(b, v...)
	}
	b = append(b, '"')
	for i := 0; i < len(v); i++ {
		if v[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, v[i])
	}
	return append(b, '"')
}

// cp1252High maps the characters Windows-1252 keeps in 0x80-0x9F.
var cp1252High = map[rune]byte{
	'€': 0x80, '‚': 0x82, 'ƒ': 0x83, '„': 0x84, '…': 0x85, '†': 0x86, '‡': 0x87, 'ˆ': 0x88,
	'‰': 0x89, 'Š': 0x8A, '‹': 0x8B, 'Œ': 0x8C, 'Ž': 0x8E, '‘': 0x91, '’': 0x92, '“': 0x93,
	'”': 0x94, '•': 0x95, '–': 0x96, '—': 0x97, '˜': 0x98, '™': 0x99, 'š': 0x9A, '›': 0x9B,
	'œ': 0x9C, 'ž': 0x9E, 'Ÿ': 0x9F,
}

func toWindows1252(utf8Text []byte) ([]byte, error) {
	out := make([]byte, 0, len(utf8Text))
	for i := 0; i < len(utf8Text); {
		r, size := utf8.DecodeRune(utf8Text[i:])
		i += size
		switch {
		case r < 0x80 || (r >= 0xA0 && r <= 0xFF):
			out = append(out, byte(r))
		case cp1252High[r] != 0:
			out = append(out, cp1252High[r])
		default:
			return nil, fmt.Errorf("%q has no Windows-1252 encoding", r)
		}
	}
	return out, nil
}

type xlsxSink struct {
	f         *excelize.File
	sw        *excelize.StreamWriter
	path      string
	ff        fileFormat
	dateCols  []bool
	dateStyle int
	row       int
}

func newXLSXSink(path, table string, ff fileFormat) (*xlsxSink, error) {
	f := excelize.NewFile()
	const sheet = "Report"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	s := &xlsxSink{f: f, path: path, ff: ff}
	if ff.dateCells != "" {
		numFmt := ff.dateCells
		style, err := f.NewStyle(&excelize.Style{CustomNumFmt: &numFmt})
		if err != nil {
			return nil, err
		}
		s.dateStyle = style
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return nil, err
	}
	s.sw = sw
	header := slices.Clone(columns[table])
	if ff.titleCase {
		for i, h := range header {
			parts := strings.Split(h, "_")
			for j, p := range parts {
				parts[j] = strings.ToUpper(p[:1]) + p[1:]
			}
			header[i] = strings.Join(parts, "_")
		}
	}
	if err := s.write(header); err != nil {
		return nil, err
	}
	s.dateCols = dateColumns[table]
	return s, nil
}

func (s *xlsxSink) write(vals []string) error {
	order := s.ff.reorder
	if order == nil {
		order = make([]int, len(vals))
		for i := range order {
			order[i] = i
		}
	}
	row := make([]any, len(order))
	for j, src := range order {
		v := vals[src]
		switch {
		case s.dateCols == nil || !s.dateCols[src]:
			row[j] = v
		case s.ff.dateCells != "":
			if d, ok := parseISO(v); ok {
				row[j] = excelize.Cell{StyleID: s.dateStyle, Value: d.time()}
			} else {
				row[j] = v
			}
		case s.ff.ukDates:
			row[j] = ukFromISO(v)
		default:
			row[j] = v
		}
	}
	s.row++
	cell, err := excelize.CoordinatesToCellName(1, s.row)
	if err != nil {
		return err
	}
	return s.sw.SetRow(cell, row)
}

func (s *xlsxSink) close() error {
	err := s.sw.Flush()
	if err == nil {
		err = writeFile(s.path, s.f.Write) // not SaveAs, which makes the file executable
	}
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	return err
}

func writeFile(path string, write func(io.Writer, ...excelize.Options) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
