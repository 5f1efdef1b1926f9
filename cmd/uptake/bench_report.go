package main

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// benchReport is everything one `uptake bench` run measured; --json writes
// it as it is.
type benchReport struct {
	Machine     machine      `json:"machine"`
	Started     time.Time    `json:"started"`
	Finished    time.Time    `json:"finished"`
	Quarters    int          `json:"quarters"`
	Runs        int          `json:"runs"`
	Clients     int          `json:"clients"`
	MemoryLimit string       `json:"memory_limit"`
	Threads     int          `json:"threads"`
	Sizes       []sizeReport `json:"sizes"`
}

// machine describes where the figures were measured.
type machine struct {
	CPU         string `json:"cpu"`
	Cores       int    `json:"cores"`
	MemoryBytes int64  `json:"memory_bytes"`
	OS          string `json:"os"`
	Go          string `json:"go"`
}

// sizeReport is one data size's figures.
type sizeReport struct {
	Name            string       `json:"name"`
	Practices       int          `json:"practices"`
	Quarters        int          `json:"quarters"`
	Rows            int64        `json:"rows"`
	CSVBytes        int64        `json:"csv_bytes"`
	DatabaseBytes   int64        `json:"database_bytes"`
	GenerateSeconds float64      `json:"generate_seconds"` // 0 when kept extracts were reused
	ReadCSV         throughput   `json:"read_csv"`
	Ingest          ingestReport `json:"ingest"`
	// AddQuarter is the last quarter added to a database of the others.
	AddQuarter addQuarterReport `json:"add_quarter"`
	Practice   string           `json:"practice"` // the practice of the one-practice figures
	Indicators []latency        `json:"indicators"`
	Endpoints  []latency        `json:"endpoints"`
	// Answers are the sizes of every endpoint's answer as served, and of
	// the paged lists' whole answers (?limit=all), the worst case.
	Answers []answerSize `json:"answers"`
	Serve   serveReport  `json:"serve"`
}

// answerSize is one answer's size sent uncompressed and compressed.
type answerSize struct {
	Name        string `json:"name"`
	Path        string `json:"path"`
	ContentType string `json:"content_type"`
	// IdentityBytes is the body sent for Accept-Encoding: identity;
	// GzipBytes the body as sent for Accept-Encoding: gzip, counted
	// before decompression (the same bytes when the server sends it
	// uncompressed, as it does below a kilobyte).
	IdentityBytes int64 `json:"identity_bytes"`
	GzipBytes     int64 `json:"gzip_bytes"`
	Gzipped       bool  `json:"gzipped"` // the gzip answer came with Content-Encoding: gzip
	// Default is false for the ?limit=all variants, which no page asks
	// for: the 1 MiB goal is for answers as the dashboard asks for them.
	Default bool `json:"default"`
}

// throughput is plain DuckDB reading the extracts.
type throughput struct {
	Seconds       float64 `json:"seconds"`
	Rows          int64   `json:"rows"`
	RowsPerSecond float64 `json:"rows_per_second"`
	DuckDB        string  `json:"duckdb_version"`
}

// ingestReport is `uptake ingest` of every quarter into a new database,
// derived tables included.
type ingestReport struct {
	Seconds        float64 `json:"seconds"`
	RowsPerSecond  float64 `json:"rows_per_second"`
	ShareOfReadCSV float64 `json:"share_of_read_csv"`
	PeakRSSBytes   int64   `json:"peak_rss_bytes"`
	// LoadSeconds is the part spent loading quarters (reading, checking,
	// writing, the final checkpoint) and RebuildSeconds the part spent
	// building the derived tables, as uptake ingest reports them.
	LoadSeconds        float64 `json:"load_seconds"`
	LoadShareOfReadCSV float64 `json:"load_share_of_read_csv"`
	RebuildSeconds     float64 `json:"rebuild_seconds"`
}

// addQuarterReport is `uptake ingest` of one quarter into a database
// holding the others: the quarterly case.
type addQuarterReport struct {
	Quarter string  `json:"quarter"`
	Seconds float64 `json:"seconds"`
	// LoadSeconds is loading the quarter's files (reading, checking,
	// writing, the checkpoint), RefreshSeconds bringing the derived tables
	// up to date for it, as uptake ingest reports them.
	LoadSeconds    float64 `json:"load_seconds"`
	RefreshSeconds float64 `json:"refresh_seconds"`
	// RatioToLoad is Seconds over LoadSeconds: what adding the quarter
	// costs for each second loading its files alone takes.
	RatioToLoad float64 `json:"ratio_to_load"`
}

// latency summarises repeated timings of one indicator or endpoint.
type latency struct {
	Name     string  `json:"name"`
	Filter   string  `json:"filter,omitempty"` // for indicators, the filterMatrix filter: "all", "practice", "network", "language" or "quarters"
	Path     string  `json:"path,omitempty"`
	Bytes    int64   `json:"bytes,omitempty"`
	Runs     int     `json:"runs"`
	MedianMS float64 `json:"median_ms"`
	P95MS    float64 `json:"p95_ms"`
	MaxMS    float64 `json:"max_ms"`
	// Warm is an endpoint's timing with the result cache on, after the
	// server has warmed it (endpoints only).
	Warm *latency `json:"warm,omitempty"`
}

// serveReport is the server's memory, alone and under load.
type serveReport struct {
	UncachedPeakRSSBytes int64      `json:"uncached_peak_rss_bytes"`
	LoadPeakRSSBytes     int64      `json:"load_peak_rss_bytes"`
	Load                 loadReport `json:"load"`
}

// loadReport is the load phase: clients requesting every endpoint at once,
// as browsers do: accepting gzip and revalidating what they have with
// If-None-Match.
type loadReport struct {
	Clients           int     `json:"clients"`
	Requests          int     `json:"requests"`
	Errors            int     `json:"errors"`
	NotModified       int     `json:"not_modified"` // 304 answers to If-None-Match
	BytesReceived     int64   `json:"bytes_received"`
	RequestsPerSecond float64 `json:"requests_per_second"`
	MedianMS          float64 `json:"median_ms"`
	P95MS             float64 `json:"p95_ms"`
	P99MS             float64 `json:"p99_ms"`
	MaxMS             float64 `json:"max_ms"`
	Over2s            int     `json:"over_2s"` // requests that took more than two seconds
	// Slowest are the five paths whose slowest request under load took
	// longest, with their median, p95 and slowest.
	Slowest []latency `json:"slowest"`
}

// readMachine reads the processor and memory from /proc where there is
// one; elsewhere they stay empty.
func readMachine() machine {
	m := machine{Cores: runtime.NumCPU(), OS: runtime.GOOS + "/" + runtime.GOARCH, Go: runtime.Version()}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	if f, err := os.Open("/proc/meminfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if f := strings.Fields(sc.Text()); len(f) >= 2 && f[0] == "MemTotal:" {
				kb, _ := strconv.ParseInt(f[1], 10, 64)
				m.MemoryBytes = kb * 1024
				break
			}
		}
		f.Close()
	}
	return m
}

// writeMarkdown prints the report as the tables the README shows.
func (r benchReport) writeMarkdown(w io.Writer) error {
	b := &strings.Builder{}
	cpu := r.Machine.CPU
	if cpu == "" {
		cpu = "unknown processor"
	}
	duck := ""
	if len(r.Sizes) > 0 {
		duck = ", DuckDB " + r.Sizes[0].ReadCSV.DuckDB
	}
	threads := "one per core"
	if r.Threads > 0 {
		threads = strconv.Itoa(r.Threads)
	}
	limit := r.MemoryLimit
	if limit == "" {
		limit = "DuckDB's default"
	}
	fmt.Fprintf(b, "Measured %s on %s, %d cores, %s memory, %s, %s%s. DuckDB memory_limit %s, threads %s. "+
		"%d quarters at every size; latencies are the median and 95th percentile of %d runs after one warm-up.\n\n",
		r.Started.Format("2006-01-02"), cpu, r.Machine.Cores, formatBytes(r.Machine.MemoryBytes), r.Machine.OS, r.Machine.Go, duck,
		limit, threads, r.Quarters, r.Runs)

	// header writes a table's head: the first columns, one per size, then
	// the trailing ones.
	header := func(first []string, trailing ...string) {
		cols := slices.Clone(first)
		for _, s := range r.Sizes {
			cols = append(cols, s.Name)
		}
		cols = append(cols, trailing...)
		fmt.Fprintf(b, "| %s |\n|%s\n", strings.Join(cols, " | "), strings.Repeat("---|", len(cols)))
	}
	row := func(label string, f func(s sizeReport) string) {
		cells := []string{label}
		for _, s := range r.Sizes {
			cells = append(cells, f(s))
		}
		fmt.Fprintf(b, "| %s |\n", strings.Join(cells, " | "))
	}

	b.WriteString("**Data and ingest**\n\n")
	header([]string{""})
	row("practices", func(s sizeReport) string { return formatInt(int64(s.Practices)) })
	row("rows", func(s sizeReport) string { return formatInt(s.Rows) })
	row("rows, times the first size", func(s sizeReport) string { return ratio(float64(s.Rows), float64(r.Sizes[0].Rows)) })
	row("CSV", func(s sizeReport) string { return formatBytes(s.CSVBytes) })
	row("plain DuckDB read_csv", func(s sizeReport) string { return rate(s.ReadCSV.Seconds, s.ReadCSV.RowsPerSecond) })
	row("uptake ingest, derived tables included", func(s sizeReport) string { return rate(s.Ingest.Seconds, s.Ingest.RowsPerSecond) })
	row("ingest throughput ÷ read_csv", func(s sizeReport) string { return fmt.Sprintf("%.0f%%", 100*s.Ingest.ShareOfReadCSV) })
	row("of which loading quarters", func(s sizeReport) string {
		return fmt.Sprintf("%s (%.0f%% of read_csv)", rate(s.Ingest.LoadSeconds, float64(s.Rows)/s.Ingest.LoadSeconds), 100*s.Ingest.LoadShareOfReadCSV)
	})
	row("of which building the derived tables", func(s sizeReport) string { return fmt.Sprintf("%.1f s", s.Ingest.RebuildSeconds) })
	row("adding the last quarter to the others", func(s sizeReport) string {
		if s.AddQuarter.Seconds == 0 {
			return "–"
		}
		return fmt.Sprintf("%.1f s (load %.1f s, refresh %.1f s)", s.AddQuarter.Seconds, s.AddQuarter.LoadSeconds, s.AddQuarter.RefreshSeconds)
	})
	row("adding a quarter ÷ loading its files", func(s sizeReport) string { return ratio(s.AddQuarter.Seconds, s.AddQuarter.LoadSeconds) })
	row("ingest peak memory", func(s sizeReport) string { return formatBytes(s.Ingest.PeakRSSBytes) })
	row("database file", func(s sizeReport) string { return formatBytes(s.DatabaseBytes) })

	last := len(r.Sizes) - 1
	growth := func(first, lastV float64) string {
		if len(r.Sizes) < 2 {
			return "–"
		}
		return ratio(lastV, first)
	}
	b.WriteString("\n**Indicators**, milliseconds, median / p95, result cache off (`queries.Indicators`)\n\n")
	// The growth column is the last size's median over the first's.
	grows := "median, " + r.Sizes[last].Name + " ÷ " + r.Sizes[0].Name
	header([]string{"indicator", "filter"}, grows)
	for i, ind := range r.Sizes[0].Indicators {
		if ind.Filter != "all" && ind.Filter != "practice" {
			continue // in the filter matrix below
		}
		cells := []string{ind.Name, ind.Filter}
		for _, s := range r.Sizes {
			if i < len(s.Indicators) {
				cells = append(cells, fmt.Sprintf("%s / %s", ms(s.Indicators[i].MedianMS), ms(s.Indicators[i].P95MS)))
			}
		}
		cells = append(cells, growth(ind.MedianMS, r.Sizes[last].Indicators[i].MedianMS))
		fmt.Fprintf(b, "| %s |\n", strings.Join(cells, " | "))
	}

	writeMatrix(b, r.Sizes[last])

	b.WriteString("\n**Pages and JSON sources of a running server**, milliseconds, median / p95: computed afresh (result cache off), " +
		"and as served (cache on, warmed after start and after each load)\n\n")
	header([]string{"path"}, grows, r.Sizes[last].Name+" as served", "answer at "+r.Sizes[last].Name)
	for i, e := range r.Sizes[0].Endpoints {
		cells := []string{"`" + e.Path + "`"}
		for _, s := range r.Sizes {
			if i < len(s.Endpoints) {
				cells = append(cells, fmt.Sprintf("%s / %s", ms(s.Endpoints[i].MedianMS), ms(s.Endpoints[i].P95MS)))
			}
		}
		served := "–"
		if w := r.Sizes[last].Endpoints[i].Warm; w != nil {
			served = fmt.Sprintf("%s / %s", ms(w.MedianMS), ms(w.P95MS))
		}
		cells = append(cells, growth(e.MedianMS, r.Sizes[last].Endpoints[i].MedianMS), served, formatBytes(r.Sizes[last].Endpoints[i].Bytes))
		fmt.Fprintf(b, "| %s |\n", strings.Join(cells, " | "))
	}

	writeAnswerSizes(b, r.Sizes[last])

	b.WriteString("\n**Server memory and load**\n\n")
	header([]string{""})
	row("largest answer as the pages ask, identity / gzip", func(s sizeReport) string {
		id, gz := largestAnswers(s.Answers)
		return fmt.Sprintf("%s / %s", formatBytes(id.IdentityBytes), formatBytes(gz.GzipBytes))
	})
	row("peak memory, every endpoint in turn, cache off", func(s sizeReport) string { return formatBytes(s.Serve.UncachedPeakRSSBytes) })
	row(fmt.Sprintf("peak memory, %d clients at once, cache on", r.Clients), func(s sizeReport) string { return formatBytes(s.Serve.LoadPeakRSSBytes) })
	row("requests/s under load", func(s sizeReport) string { return fmt.Sprintf("%.0f", s.Serve.Load.RequestsPerSecond) })
	row("latency under load, median / p95 / p99 / max ms", func(s sizeReport) string {
		l := s.Serve.Load
		return fmt.Sprintf("%s / %s / %s / %s", ms(l.MedianMS), ms(l.P95MS), ms(l.P99MS), ms(l.MaxMS))
	})
	of := func(n, total int) string { return formatInt(int64(n)) + " of " + formatInt(int64(total)) }
	row("requests over 2 s", func(s sizeReport) string { return of(s.Serve.Load.Over2s, s.Serve.Load.Requests) })
	row("304 Not Modified (If-None-Match)", func(s sizeReport) string { return of(s.Serve.Load.NotModified, s.Serve.Load.Requests) })
	row("bytes received under load", func(s sizeReport) string { return formatBytes(s.Serve.Load.BytesReceived) })
	row("failed requests", func(s sizeReport) string { return of(s.Serve.Load.Errors, s.Serve.Load.Requests) })
	row("slowest paths under load, slowest request ms", func(s sizeReport) string {
		var out []string
		for _, l := range s.Serve.Load.Slowest {
			out = append(out, fmt.Sprintf("`%s` %s", l.Path, ms(l.MaxMS)))
		}
		return strings.Join(out, ", ")
	})

	_, err := io.WriteString(w, b.String())
	return err
}

// answerGoal is the goal for the largest answer: a megabyte.
const answerGoal = 1 << 20

// largestAnswers returns, among the answers the pages ask for (not the
// ?limit=all variants), the largest uncompressed and the largest as sent
// gzip.
func largestAnswers(answers []answerSize) (identity, gz answerSize) {
	for _, a := range answers {
		if !a.Default {
			continue
		}
		if a.IdentityBytes > identity.IdentityBytes {
			identity = a
		}
		if a.GzipBytes > gz.GzipBytes {
			gz = a
		}
	}
	return identity, gz
}

// writeAnswerSizes prints the largest answers at the size s, uncompressed
// and gzip, and the largest of each against the 1 MiB goal.
func writeAnswerSizes(b *strings.Builder, s sizeReport) {
	const shown = 12
	fmt.Fprintf(b, "\n**Answer sizes** at %s, as served: the %d largest uncompressed (Accept-Encoding: identity) "+
		"and as sent for Accept-Encoding: gzip; `limit=all` rows are the whole lists no page asks for\n\n", s.Name, shown)
	b.WriteString("| path | identity | gzip | gzip ÷ identity |\n|---|---|---|---|\n")
	sorted := slices.Clone(s.Answers)
	slices.SortStableFunc(sorted, func(a, b answerSize) int { return cmp.Compare(b.IdentityBytes, a.IdentityBytes) })
	for _, a := range sorted[:min(shown, len(sorted))] {
		share := "–"
		if a.IdentityBytes > 0 {
			share = fmt.Sprintf("%.0f%%", 100*float64(a.GzipBytes)/float64(a.IdentityBytes))
		}
		fmt.Fprintf(b, "| `%s` | %s | %s | %s |\n", a.Path, formatBytes(a.IdentityBytes), formatBytes(a.GzipBytes), share)
	}
	id, gz := largestAnswers(s.Answers)
	verdict := func(n int64) string {
		if n > answerGoal {
			return "over 1 MiB"
		}
		return "within 1 MiB"
	}
	fmt.Fprintf(b, "| **largest as the pages ask** | %s `%s`, %s | %s `%s`, %s | |\n",
		formatBytes(id.IdentityBytes), id.Path, verdict(id.IdentityBytes), formatBytes(gz.GzipBytes), gz.Path, verdict(gz.GzipBytes))
}

// matrixFilters are the columns of the filter matrix, in filterMatrix's order.
var matrixFilters = []string{"all", "practice", "network", "language", "quarters"}

// writeMatrix prints, for the size s, every indicator's p95 under each
// filter of the matrix, and the slowest under each.
func writeMatrix(b *strings.Builder, s sizeReport) {
	fmt.Fprintf(b, "\n**Filter matrix** at %s: p95 milliseconds (median in brackets), result cache off; "+
		"practice and network are %s's, language one other than English, quarters the last four\n\n", s.Name, s.Practice)
	fmt.Fprintf(b, "| indicator | %s |\n|%s\n", strings.Join(matrixFilters, " | "), strings.Repeat("---|", len(matrixFilters)+1))
	cells := map[string]map[string]latency{}
	var names []string
	worst := map[string]latency{}
	for _, l := range s.Indicators {
		if cells[l.Name] == nil {
			cells[l.Name] = map[string]latency{}
			names = append(names, l.Name)
		}
		cells[l.Name][l.Filter] = l
		if l.P95MS > worst[l.Filter].P95MS {
			worst[l.Filter] = l
		}
	}
	for _, n := range names {
		row := []string{n}
		for _, f := range matrixFilters {
			if l, ok := cells[n][f]; ok {
				row = append(row, fmt.Sprintf("%s (%s)", ms(l.P95MS), ms(l.MedianMS)))
			} else {
				row = append(row, "–")
			}
		}
		fmt.Fprintf(b, "| %s |\n", strings.Join(row, " | "))
	}
	row := []string{"**slowest**"}
	for _, f := range matrixFilters {
		row = append(row, fmt.Sprintf("%s %s", worst[f].Name, ms(worst[f].P95MS)))
	}
	fmt.Fprintf(b, "| %s |\n", strings.Join(row, " | "))
}

// formatInt writes n with thousands separators: 12,038,299.
func formatInt(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}

// formatBytes writes a size in binary units: 1.4 GiB.
func formatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, suffix := float64(n), ""
	for _, suffix = range []string{"KiB", "MiB", "GiB", "TiB"} {
		v /= unit
		if v < unit {
			break
		}
	}
	if v < 10 {
		return fmt.Sprintf("%.1f %s", v, suffix)
	}
	return fmt.Sprintf("%.0f %s", v, suffix)
}

// rate writes a duration and a throughput: "12.4 s, 971k rows/s".
func rate(seconds, perSecond float64) string {
	if perSecond < 10_000 {
		return fmt.Sprintf("%.1f s, %s rows/s", seconds, formatInt(int64(perSecond+0.5)))
	}
	return fmt.Sprintf("%.1f s, %sk rows/s", seconds, formatInt(int64(perSecond/1000+0.5)))
}

// ms writes milliseconds with precision that suits their size.
func ms(v float64) string {
	if v < 10 {
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return formatInt(int64(v + 0.5))
}

// ratio writes a/b as "×4.2", or "–" when b is zero.
func ratio(a, b float64) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("×%.1f", a/b)
}
