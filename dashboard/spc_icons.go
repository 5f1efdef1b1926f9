package dashboard

import (
	"fmt"
	"html/template"
	"strings"
)

// The variation and assurance icons of Making Data Count, drawn by uptake
// as inline SVG (no image files, nothing from outside): a ring in the
// colour of the finding, a few dots in the shape of the process, and a
// letter: H or L for a special cause high or low, P or F for a target
// consistently passed or failed, ? for hit and miss. Each has a text
// equivalent, which is its accessible name on the page and what downloads
// hold.

// spcIcon is one icon: its accessible text, the short words shown beside
// it, and how it is drawn.
type spcIcon struct {
	text  string // e.g. "Special cause variation: improvement (high)"
	short string // e.g. "Improvement (high)"
	color string
	// letter is drawn at the top; dots lists the dot heights (y, 8-32)
	// left to right, and colored how many of the last dots take color.
	letter  string
	dots    []int
	colored int
	// target draws a dashed line at this height (assurance icons); 0 for
	// none.
	target int
}

const (
	iconGrey   = "#768692"
	iconBlue   = "#005eb8"
	iconOrange = "#ed8b00"
	iconPurple = "#330072"
)

// spcIcons are the icons by the names the queries package gives
// (queries/stats: Variation* and Assurance* constants).
var spcIcons = map[string]spcIcon{
	"common_cause": {text: "Common cause variation: no significant change", short: "Common cause",
		color: iconGrey, dots: []int{24, 20, 25, 21, 24}},
	"improvement_high": {text: "Special cause variation: improvement (high)", short: "Improvement (high)",
		color: iconBlue, letter: "H", dots: []int{27, 25, 21, 18, 16}, colored: 3},
	"improvement_low": {text: "Special cause variation: improvement (low)", short: "Improvement (low)",
		color: iconBlue, letter: "L", dots: []int{17, 19, 23, 26, 28}, colored: 3},
	"concern_high": {text: "Special cause variation: concern (high)", short: "Concern (high)",
		color: iconOrange, letter: "H", dots: []int{27, 25, 21, 18, 16}, colored: 3},
	"concern_low": {text: "Special cause variation: concern (low)", short: "Concern (low)",
		color: iconOrange, letter: "L", dots: []int{17, 19, 23, 26, 28}, colored: 3},
	"neutral_high": {text: "Special cause variation: neither improvement nor concern (high)", short: "Special cause (high)",
		color: iconPurple, letter: "H", dots: []int{27, 25, 21, 18, 16}, colored: 3},
	"neutral_low": {text: "Special cause variation: neither improvement nor concern (low)", short: "Special cause (low)",
		color: iconPurple, letter: "L", dots: []int{17, 19, 23, 26, 28}, colored: 3},
	"consistent_pass": {text: "Assurance: the target will consistently be met", short: "Consistently met",
		color: iconBlue, letter: "P", dots: []int{20, 17, 21, 18, 20}, colored: 5, target: 28},
	"consistent_fail": {text: "Assurance: the target will consistently be missed", short: "Consistently missed",
		color: iconOrange, letter: "F", dots: []int{26, 29, 25, 28, 26}, colored: 5, target: 18},
	"hit_and_miss": {text: "Assurance: the target will be met in some months and missed in others", short: "Hit and miss",
		color: iconGrey, letter: "?", dots: []int{19, 27, 20, 28, 21}, target: 24},
}

// svg draws the icon, 40 by 40 units.
func (ic spcIcon) svg() string {
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="uptake-spc-icon__svg" viewBox="0 0 40 40" width="32" height="32" role="img" aria-label="%s" focusable="false">`,
		template.HTMLEscapeString(ic.text))
	fmt.Fprintf(&b, `<title>%s</title>`, template.HTMLEscapeString(ic.text))
	fmt.Fprintf(&b, `<circle cx="20" cy="20" r="18" fill="#fff" stroke="%s" stroke-width="3"/>`, ic.color)
	if ic.target > 0 {
		fmt.Fprintf(&b, `<line x1="7" y1="%d" x2="33" y2="%d" stroke="%s" stroke-width="1.5" stroke-dasharray="3 2"/>`, ic.target, ic.target, iconOrange)
	}
	var pts []string
	for i, y := range ic.dots {
		pts = append(pts, fmt.Sprintf("%d,%d", 10+5*i, y))
	}
	fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="1.5"/>`, strings.Join(pts, " "), iconGrey)
	for i, y := range ic.dots {
		color := iconGrey
		if i >= len(ic.dots)-ic.colored {
			color = ic.color
		}
		fmt.Fprintf(&b, `<circle cx="%d" cy="%d" r="2.5" fill="%s"/>`, 10+5*i, y, color)
	}
	if ic.letter != "" {
		fmt.Fprintf(&b, `<text x="20" y="14" text-anchor="middle" font-size="10" font-weight="bold" font-family="Arial, sans-serif" fill="%s">%s</text>`,
			ic.color, template.HTMLEscapeString(ic.letter))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// IconCell is a table cell showing the named SPC icon with its short
// words; downloads and sorting read its full text. An unknown name is a
// plain text cell of text.
func IconCell(name, text string) Cell {
	ic, ok := spcIcons[name]
	if !ok {
		return Text(text)
	}
	return Cell{kind: textCell, text: ic.text, icon: name}
}

// IconHTML is the cell's icon as the page shows it: the SVG, whose
// accessible name is the full text, and the short words beside it
// (hidden from screen readers, which have the full text already). It is
// empty for a cell without an icon. The markup is uptake's own, from
// spcIcons; only the fixed texts go into it, escaped.
func (c Cell) IconHTML() template.HTML {
	ic, ok := spcIcons[c.icon]
	if !ok {
		return ""
	}
	return template.HTML(`<span class="uptake-spc-icon">` + ic.svg() +
		`<span class="uptake-spc-icon__text" aria-hidden="true">` + template.HTMLEscapeString(ic.short) + `</span></span>`)
}

// iconText is the full text of an icon, for charts and notes.
func iconText(name string) string { return spcIcons[name].text }
