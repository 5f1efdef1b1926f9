package ingest

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/duckdb/duckdb-go/v2"
)

// A quarter's files are read, split and validated on a goroutine of their
// own (quarterReader), in Tables order, while the loader's goroutine appends
// the rows to the staging tables and runs each table's SQL. On two cores
// the parsing of a file then overlaps the appender and the cross checks of
// the file before it instead of taking turns with them; at England scale
// the reader stays ahead, and the loader's goroutine never waits for rows.
//
// Only the loader's goroutine touches the database connection, and it
// reports all progress, so the Progress callback is still called from one
// goroutine, in order.

const (
	// batchRows is how many rows the reader hands over at a time (DuckDB's
	// vector size, so one batch fills one appender chunk).
	batchRows = 2048
	// batchBytes closes a batch early when its rows are long.
	batchBytes = 1 << 20
	// readAheadBytes bounds what the reader may have read but the loader
	// not yet appended, so that memory stays bounded whatever a file
	// holds: at England scale about 150,000 attendance rows.
	readAheadBytes = 32 << 20
)

// rejection is a row the reader rejected, for stg_rejected.
type rejection struct {
	line                        int64
	column, value, rule, reason string
}

// rowBatch is a run of consecutive rows of one file.
type rowBatch struct {
	file    int            // index of the file in Tables
	width   int            // values per row: the line, then the contract's columns
	values  []driver.Value // n rows of width values
	n       int
	rejects []rejection
	size    int64 // bytes charged to the read-ahead budget
	read    int64 // data rows of the file read up to the end of this batch
	offset  int64 // bytes of the file read up to the end of this batch
	end     bool  // the file's last batch
	err     error // the file cannot be read further; no batches follow
	// On the last batch: the rows whose quarter date was read, and of
	// those the rows dated in each other quarter.
	dated   int64
	outside map[string]int64
}

func (b *rowBatch) row(k int) []driver.Value { return b.values[k*b.width : (k+1)*b.width] }

// quarterReader reads a quarter's files in the background.
type quarterReader struct {
	batches chan *rowBatch
	free    chan *rowBatch
	done    chan struct{}
	wg      sync.WaitGroup

	mu      sync.Mutex
	cond    *sync.Cond
	inUse   int64 // bytes read ahead and not yet released
	stopped bool

	// ceiling, unless nil, stops reading a file as soon as it is sure to
	// break it (overCeilingSoFar).
	ceiling *RejectionCeiling
}

// startReading starts reading the checked files of quarter q.
func startReading(ctx context.Context, q quarter, files []fileCheck, aliases Aliases, ceiling *RejectionCeiling) *quarterReader {
	r := &quarterReader{
		batches: make(chan *rowBatch, readAheadBytes/batchBytes*4),
		free:    make(chan *rowBatch, 16),
		done:    make(chan struct{}),
		ceiling: ceiling,
	}
	r.cond = sync.NewCond(&r.mu)
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		for i, t := range Tables {
			if !r.readFile(ctx, i, t, files[i], q, aliases.forTable(t.Name)) {
				return
			}
		}
	}()
	return r
}

// stop ends the reader, wherever it is, and waits until its files are closed.
func (r *quarterReader) stop() {
	r.mu.Lock()
	r.stopped = true
	r.cond.Broadcast()
	r.mu.Unlock()
	close(r.done)
	r.wg.Wait()
}

// acquire charges n bytes to the read-ahead budget, waiting while the
// budget is spent (one batch always passes, however large). It reports
// false once the reader is stopped.
func (r *quarterReader) acquire(n int64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for !r.stopped && r.inUse > 0 && r.inUse+n > readAheadBytes {
		r.cond.Wait()
	}
	r.inUse += n
	return !r.stopped
}

// release returns a consumed batch's bytes to the budget and the batch to
// the free list.
func (r *quarterReader) release(b *rowBatch) {
	r.mu.Lock()
	r.inUse -= b.size
	r.cond.Broadcast()
	r.mu.Unlock()
	select {
	case r.free <- b:
	default:
	}
}

func (r *quarterReader) newBatch(file, width int) *rowBatch {
	var b *rowBatch
	select {
	case b = <-r.free:
		clear(b.values)
		clear(b.rejects)
		*b = rowBatch{values: b.values, rejects: b.rejects[:0]}
	default:
		b = &rowBatch{}
	}
	b.file, b.width = file, width
	if cap(b.values) < batchRows*width {
		b.values = make([]driver.Value, batchRows*width)
	}
	b.values = b.values[:batchRows*width]
	return b
}

// send hands a batch to the loader; false once the reader is stopped.
func (r *quarterReader) send(b *rowBatch) bool {
	if !r.acquire(b.size) {
		return false
	}
	select {
	case r.batches <- b:
		return true
	case <-r.done:
		return false
	}
}

// next returns the next batch of file, or the error that ends the load.
func (r *quarterReader) next(ctx context.Context, file int) (*rowBatch, error) {
	select {
	case b := <-r.batches:
		if b.file != file {
			return nil, fmt.Errorf("internal error: the reader is at file %d, the loader at %d", b.file, file)
		}
		return b, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// readFile reads, splits and validates one file, sending its rows and
// rejections in batches; it reports false when reading must stop.
func (r *quarterReader) readFile(ctx context.Context, file int, t Table, fc fileCheck, q quarter, aliases map[string]string) bool {
	width := len(t.Columns) + 1
	fail := func(err error) bool {
		b := r.newBatch(file, width)
		b.err = err
		r.send(b)
		return false
	}
	rr, err := openRows(fc)
	if err != nil {
		return fail(err)
	}
	defer rr.Close()
	_, header, err := rr.Read()
	if err != nil {
		return fail(err)
	}
	idx, problems := headerMap(t, fc.name, header, aliases)
	if len(problems) > 0 { // the file changed since it was checked
		return fail(&problems[0])
	}
	fileWidth := 0
	for _, pos := range idx {
		fileWidth = max(fileWidth, pos+1)
	}
	date1904 := false
	if x, ok := rr.(*xlsxRows); ok {
		date1904 = x.date1904
		x.used = make([]bool, fileWidth)
		for _, pos := range idx {
			if pos >= 0 {
				x.used[pos] = true
			}
		}
	}
	// columnAt names the contract column at a 1-based position of the file.
	columnAt := func(col int) string {
		for ci, pos := range idx {
			if pos == col-1 {
				return t.Columns[ci].Name
			}
		}
		return ""
	}
	parser := newRowParser(t, q, fc.xlsx, date1904)
	ordered := make([]string, len(t.Columns))
	b := r.newBatch(file, width)
	var rejected int64
	reject := func(line int64, column, value, rule, reason string) {
		b.rejects = append(b.rejects, rejection{line, column, value, rule, reason})
		b.size += int64(len(value) + len(reason) + 64)
		rejected++
	}
	var read int64
	for {
		line, fields, err := rr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var rp *rowProblem
			if !errors.As(err, &rp) {
				return fail(err)
			}
			read++
			reject(rp.line, columnAt(rp.col), rp.value, rp.rule, rp.reason)
		} else if !blankRow(fields) { // spreadsheets leave empty rows; they carry nothing
			read++
			if n, ok := fieldCountOK(fields, fileWidth, fc.xlsx); !ok {
				reason := fmt.Sprintf("The line has %d values but the header has %d columns; check for unquoted commas.", n, fileWidth)
				reject(line, "", strings.Join(fields, ","), "wrong_field_count", reason)
			} else {
				text := 0
				for i, pos := range idx {
					if pos >= 0 && pos < len(fields) { // -1: a column the file may lack
						ordered[i] = fields[pos]
						text += len(fields[pos])
					} else {
						ordered[i] = ""
					}
				}
				for i, v := range ordered {
					if found, meant, ok := garbledText(v); ok {
						return fail(garbledProblem(fc.name, line, t.Columns[i], v, found, meant))
					}
				}
				values, fe := parser.parse(line, ordered)
				if fe != nil {
					reject(line, fe.column, fe.value, fe.rule, fe.reason)
				} else {
					copy(b.row(b.n), values)
					b.n++
					b.size += int64(text + 16*width)
				}
			}
		}
		if b.n == batchRows || len(b.rejects) == batchRows || b.size >= batchBytes {
			if err := ctx.Err(); err != nil {
				return fail(err)
			}
			b.read, b.offset = read, rr.Offset()
			if !r.send(b) {
				return false
			}
			b = r.newBatch(file, width)
			// A file sure to break the rejection ceiling is not read on:
			// its rows so far are staged, for the refusal's examples.
			if r.ceiling != nil {
				if p := r.ceiling.overCeilingSoFar(t, fc.name, q, rejected, parser.outside, fc.maxDataRows()); p != nil {
					return fail(&ceilingStop{*p})
				}
			}
		}
	}
	b.read, b.offset, b.end = read, rr.Offset(), true
	b.dated, b.outside = parser.dated, parser.outside
	return r.send(b)
}

// stageFile appends one file's rows, as the reader hands them over, to its
// staging table, and its rejected rows to stg_rejected. It runs on the
// transaction's own connection, so the appended rows belong to the
// transaction. It returns what it counted: the data rows read, those
// rejected, and their dates' quarters.
func (l *Loader) stageFile(ctx context.Context, dc driver.Conn, file int, t Table, fc fileCheck, r *quarterReader, progress Progress) (fileTally, error) {
	var tally fileTally
	stg, err := duckdb.NewAppender(dc, "temp", "main", "stg_"+t.Name)
	if err != nil {
		return tally, err
	}
	defer stg.Close()
	rej, err := duckdb.NewAppender(dc, "temp", "main", "stg_rejected")
	if err != nil {
		return tally, err
	}
	defer rej.Close()
	for {
		b, err := r.next(ctx, file)
		if err != nil {
			return tally, err
		}
		if b.err != nil {
			return tally, b.err
		}
		for k := 0; k < b.n; k++ {
			if err := stg.AppendRow(b.row(k)...); err != nil {
				return tally, err
			}
		}
		for _, rj := range b.rejects {
			if err := rej.AppendRow(fc.name, rj.line, rj.column, truncateValue(rj.value), rj.rule, rj.reason); err != nil {
				return tally, err
			}
		}
		tally.rejected += int64(len(b.rejects))
		if b.read/progressEvery > tally.read/progressEvery && !b.end {
			progress.Rows, progress.Bytes = b.read, b.offset
			l.report(progress)
		}
		tally.read = b.read
		end := b.end
		if end {
			tally.dated, tally.outside = b.dated, b.outside
		}
		r.release(b)
		if end {
			break
		}
		if err := ctx.Err(); err != nil {
			return tally, err
		}
	}
	if err := stg.Close(); err != nil {
		return tally, err
	}
	return tally, rej.Close()
}
