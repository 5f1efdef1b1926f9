package dashboard

import (
	"strconv"
	"strings"

	"github.com/uptake-nhs/uptake/queries"
)

// Table is the tabular form of one indicator result. The page shows it
// under its chart, and the CSV and XLSX downloads are written from the
// same value, so a download holds the table on screen: all of it, where
// the page shows only the first pageRows rows of a long one (forPage).
type Table struct {
	// Title is the table's caption and the download's sheet title.
	Title   string
	Columns []Column
	Rows    [][]Cell
	// Notes are sentences shown under the table (and in the XLSX "About"
	// sheet), e.g. which cohorts are provisional.
	Notes []string
	// Disclosure says how counts were treated; its Rule becomes the
	// footnote for suppressed cells.
	Disclosure queries.Disclosure
	// Sortable tables get sort buttons in their column headers (uptake.js;
	// without script the table stays in its given order).
	Sortable bool
	// RowLinks makes a click anywhere on a row follow the row's first
	// link (uptake.js). The link itself stays for keyboards and readers.
	RowLinks bool
	// Pager links to the previous and next pages of a paged table.
	Pager *Pager
	// Shown and ShownCount, set by forPage when the page shows only some
	// of the rows, say so: Shown in a sentence under the table, ShownCount
	// (e.g. "100 of 6,500 practices") in its caption.
	Shown, ShownCount string
	// long says which rows the page shows of a table longer than
	// pageRows; the zero value shows the first ones, in the table's order.
	long longTable
}

// pageRows is how many rows of a table a page shows. An England-scale
// table has thousands of practices and tens of thousands of courses; the
// browser would take seconds to lay them out and nobody reads them on a
// screen. Downloads and the JSON API always hold every row.
const pageRows = 100

// longTable says how the page shows a table with more than pageRows rows.
type longTable struct {
	// noun names the rows in the plural, e.g. "practices"; "" is "rows".
	noun string
	// order says in words which rows the page shows first, e.g. "most
	// recent first"; "" means the table's own order.
	order string
	// narrow says how to list fewer rows, e.g. "choose a network or
	// practice in the filters"; "" is "narrow the filters".
	narrow string
	// first lists indices of Rows in the order the page shows them
	// (at least the first pageRows); nil means the table's order.
	first []int
	// total is how many rows there are in all when Rows holds only the
	// first of them (a paged source); 0 means len(Rows).
	total int
}

// forPage is the table as a page shows it: at most pageRows rows, with
// Shown saying how many of how many, in what order, and where the rest
// are. Paged tables (the rejected rows) already show one page of rows.
func (t Table) forPage() Table {
	total := max(len(t.Rows), t.long.total)
	if total <= pageRows || t.Pager != nil {
		return t
	}
	rows := make([][]Cell, 0, pageRows)
	if t.long.first != nil {
		for _, i := range t.long.first[:min(pageRows, len(t.long.first))] {
			rows = append(rows, t.Rows[i])
		}
	} else {
		rows = append(rows, t.Rows[:min(pageRows, len(t.Rows))]...)
	}
	noun, narrow := t.long.noun, t.long.narrow
	if noun == "" {
		noun = "rows"
	}
	if narrow == "" {
		narrow = "narrow the filters"
	}
	t.ShownCount = groupThousands(strconv.Itoa(len(rows))) + " of " + groupThousands(strconv.Itoa(total)) + " " + noun
	what := "Showing " + t.ShownCount
	if t.long.order != "" {
		what += ", " + t.long.order
	}
	t.Shown = what + ". Download the CSV or Excel file for all of them, or " + narrow + "."
	if t.Sortable {
		t.Shown += " Sorting by a column sorts only the rows shown."
	}
	t.Rows = rows
	return t
}

// Pager is the page navigation of a paged table. Downloads hold the rows
// of the page shown, like the table.
type Pager struct {
	Summary    string // e.g. "Rows 101 to 200 of 345 (page 2 of 4)."
	Prev, Next string // URLs; empty when there is no such page
}

// Column is one column of a Table.
type Column struct {
	// Label heads the column; it includes the unit, e.g. "Conversion (%)".
	Label string
	// Numeric columns are right-aligned.
	Numeric bool
}

type cellKind uint8

const (
	textCell cellKind = iota
	numberCell
	suppressedCell
	missingCell
)

// Cell is one value of a Table. Make cells with the constructors (Text,
// Link, CountCell, Int, Float, Percent), which know how each kind is shown
// and exported.
type Cell struct {
	kind     cellKind
	text     string
	num      float64
	decimals int
	// Href makes the cell a link on the page (e.g. to a practice's page).
	// Downloads contain only the text.
	Href string
	// Header marks the cell that names its row (rendered as <th scope=row>).
	Header bool
	// icon names an SPC icon the page draws for a text cell (IconCell,
	// spc_icons.go).
	icon string
}

// Text is a cell of words.
func Text(s string) Cell { return Cell{kind: textCell, text: s} }

// RowHeader is a text cell that names its row.
func RowHeader(s string) Cell { return Cell{kind: textCell, text: s, Header: true} }

// Link is a text cell that links to href on the page.
func Link(s, href string) Cell { return Cell{kind: textCell, text: s, Href: href} }

// CountCell is a count of people as published: a number, or "*" when
// suppressed.
func CountCell(c queries.Count) Cell {
	if c.Suppressed {
		return Cell{kind: suppressedCell}
	}
	return Int(c.N)
}

// Int is a whole number that is not a count of people (e.g. rows in a file).
func Int(n int64) Cell { return Cell{kind: numberCell, num: float64(n)} }

// Float is a number shown with the given decimals.
func Float(v float64, decimals int) Cell { return Cell{kind: numberCell, num: v, decimals: decimals} }

// Percent is a percentage shown to one decimal; nil (not available, e.g.
// computed from a suppressed count) is shown as a dash.
func Percent(p *float64) Cell {
	if p == nil {
		return Missing()
	}
	return Float(*p, 1)
}

// Missing is a value that is not available.
func Missing() Cell { return Cell{kind: missingCell} }

// Numeric reports whether the cell holds a number (for alignment).
func (c Cell) Numeric() bool { return c.kind != textCell }

// Suppressed reports whether the cell is a count withheld by disclosure
// control.
func (c Cell) Suppressed() bool { return c.kind == suppressedCell }

// Display is the cell as people read it on the page: numbers with
// thousands separators.
func (c Cell) Display() string {
	switch c.kind {
	case numberCell:
		return groupThousands(strconv.FormatFloat(c.num, 'f', c.decimals, 64))
	case suppressedCell:
		return "*"
	case missingCell:
		return "–"
	}
	return c.text
}

// Export is the cell as written to a CSV file: plain numbers, "*" for
// suppressed counts, empty for missing values, and text neutralised
// against spreadsheet formula injection.
func (c Cell) Export() string {
	switch c.kind {
	case numberCell:
		return strconv.FormatFloat(c.num, 'f', c.decimals, 64)
	case suppressedCell:
		return "*"
	case missingCell:
		return ""
	}
	return neutralise(c.text)
}

// neutralise prefixes text that a spreadsheet would run as a formula with
// an apostrophe (OWASP's advice for CSV injection). Numbers never reach
// here: they are written from Go numbers, not from text.
func neutralise(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// HasSuppressed reports whether any cell is suppressed, so the page shows
// the footnote only when it explains something.
func (t Table) HasSuppressed() bool {
	for _, row := range t.Rows {
		for _, c := range row {
			if c.Suppressed() {
				return true
			}
		}
	}
	return false
}

// SuppressionNote is the footnote for "*" cells.
func (t Table) SuppressionNote() string {
	if t.Disclosure.Rule != "" {
		return t.Disclosure.Rule
	}
	return DefaultSuppressionNote
}

// DefaultSuppressionNote explains "*" when a result carries no rule text.
const DefaultSuppressionNote = "* fewer than 8 people; counts are rounded to the nearest 5 (NHS Digital disclosure rule)."

func groupThousands(s string) string {
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	if len(intPart) > 3 {
		var b strings.Builder
		lead := len(intPart) % 3
		if lead > 0 {
			b.WriteString(intPart[:lead])
		}
		for i := lead; i < len(intPart); i += 3 {
			if b.Len() > 0 {
				b.WriteByte(',')
			}
			b.WriteString(intPart[i : i+3])
		}
		intPart = b.String()
	}
	if hasFrac {
		intPart += "." + frac
	}
	if neg {
		return "-" + intPart
	}
	return intPart
}

// size is roughly what the table holds in memory, for kept panels.
func (t Table) size() int {
	n := len(t.Title) + len(t.Shown) + len(t.ShownCount)
	for _, row := range t.Rows {
		for _, c := range row {
			n += len(c.text) + len(c.Href) + 64
		}
	}
	for _, s := range t.Notes {
		n += len(s)
	}
	return n
}

// pageRowsOf returns the items a table for l makes rows of, in the order
// they are made, and the total for its caption. A table for a page
// (linker.page) shows only its first pageRows rows, so when there are more
// it makes only those: the first pageRows items taken in order (indices
// of items in the table's order; nil is the items' own order), with the
// total (more than zero). Otherwise it makes every item in the items' own
// order, and total is 0 (Table.long.first then gives the order). At
// England scale, making thousands of practices' rows for a page that
// shows a hundred was a tenth of its time. Downloads get every item.
func pageRowsOf[T any](l linker, items []T, order []int) (rows []T, total int) {
	if !l.page || len(items) <= pageRows {
		return items, 0
	}
	rows = make([]T, pageRows)
	for i := range rows {
		if order != nil {
			rows[i] = items[order[i]]
		} else {
			rows[i] = items[i]
		}
	}
	return rows, len(items)
}
