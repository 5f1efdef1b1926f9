package ingest

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Summary writes a short account of the load for a terminal: what happened
// to the quarter, each file's accepted and rejected rows, and the most
// common reasons rows were rejected, each with one place to look. It never
// prints identifier values.
func (r *Result) Summary(w io.Writer) {
	switch r.Action {
	case ActionUnchanged:
		fmt.Fprintf(w, "%s unchanged: the files are identical to load %d, nothing was written.\n", r.Quarter, r.LoadID)
	case ActionRestated:
		fmt.Fprintf(w, "%s restated (load %d): it replaces the earlier load of this quarter.\n", r.Quarter, r.LoadID)
	default:
		fmt.Fprintf(w, "%s loaded (load %d).\n", r.Quarter, r.LoadID)
	}
	width := len("file")
	for _, f := range r.Files {
		width = max(width, len(f.File))
	}
	fmt.Fprintf(w, "  %-*s %10s %10s\n", width, "file", "accepted", "rejected")
	for _, f := range r.Files {
		fmt.Fprintf(w, "  %-*s %10s %10s\n", width, f.File, thousands(f.Accepted), thousands(f.Rejected))
	}
	fmt.Fprintf(w, "  %-*s %10s %10s\n", width, "total", thousands(r.Accepted), thousands(r.Rejected))
	if r.Action == ActionUnchanged {
		return
	}
	if len(r.TopRules) > 0 {
		fmt.Fprintln(w, "Most common reasons rows were rejected:")
		var b strings.Builder
		writeRules(&b, r.TopRules)
		io.WriteString(w, b.String())
		fmt.Fprintln(w, "Every rejected row is kept with its reason in the database (rejected_rows, and the Data page).")
	}
	if len(r.OverCeiling) > 0 {
		fmt.Fprintln(w, "Loaded although over the rejection ceiling, as asked (--accept-rejections):")
		for _, p := range r.OverCeiling {
			fmt.Fprintf(w, "  %s\n", p)
		}
	}
	fmt.Fprintf(w, "Took %s.\n", r.Duration.Round(time.Millisecond))
}

// thousands formats n with comma separators, as people read counts.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// TerminalProgress returns a Loader.Progress callback writing to w. On a
// terminal it redraws one status line in place, at most ten times a second;
// elsewhere (a log file, a pipe) it writes one plain line per file and stage.
func TerminalProgress(w io.Writer) func(Progress) {
	tty := false
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	var last time.Time
	var lastStage, lastFile string
	shown := 0
	return func(p Progress) {
		changed := p.Stage != lastStage || p.File != lastFile
		lastStage, lastFile = p.Stage, p.File
		line := progressLine(p)
		if !tty {
			if changed && p.Stage != "done" {
				fmt.Fprintln(w, line)
			}
			return
		}
		if p.Stage == "done" {
			if shown > 0 {
				fmt.Fprintf(w, "\r%s\r", strings.Repeat(" ", shown))
			}
			shown = 0
			return
		}
		if !changed && time.Since(last) < 100*time.Millisecond {
			return
		}
		last = time.Now()
		pad := ""
		if n := len(line); n < shown {
			pad = strings.Repeat(" ", shown-n)
		}
		fmt.Fprintf(w, "\r%s%s", line, pad)
		shown = len(line)
	}
}

// progressLine describes a progress report in a few words.
func progressLine(p Progress) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", p.Quarter, p.Stage)
	if p.File != "" {
		fmt.Fprintf(&b, " [%d/%d] %s", p.FileIndex, p.Files, p.File)
	}
	if p.Rows > 0 {
		fmt.Fprintf(&b, " %s rows", thousands(p.Rows))
	}
	if p.Bytes > 0 && p.TotalBytes > 0 {
		fmt.Fprintf(&b, " %d%%", min(100, p.Bytes*100/p.TotalBytes))
	}
	return b.String()
}
