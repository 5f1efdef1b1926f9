package ingest

// Limits on the files of a quarter. A file beyond one of them is refused
// with a sentence saying which limit and what to do, before anything is
// written; within them, the loader's memory stays bounded whatever the
// file holds (see read.go and xlsx_guard.go for how).
//
// They are variables so that tests can lower them; a program that changes
// them does so once, before its first load, because loads read them
// without locking.
var (
	// MaxFileBytes is the largest extract file, CSV or XLSX, that is read
	// at all. CSV is streamed, so this bounds time and the size of the
	// staging tables, not Go memory. England's largest quarterly file is
	// a few hundred MB.
	MaxFileBytes int64 = 2 << 30

	// MaxXLSXBytes is the largest workbook file. excelize reads the whole
	// (compressed) file into memory, so this bounds that memory. An
	// England-scale sheet of 560,000 attendance rows is about 15 MB.
	MaxXLSXBytes int64 = 256 << 20

	// MaxXLSXUnzippedBytes bounds the total uncompressed size of a
	// workbook's parts: what unzipping costs in temporary disk and time.
	// A sheet at Excel's own limit of 1,048,576 rows of the attendance
	// table is about 300 MB of XML.
	MaxXLSXUnzippedBytes int64 = 512 << 20

	// MaxZipEntries is the most parts a workbook may have. Excel writes a
	// dozen or two; thousands only serve to make unzipping slow.
	MaxZipEntries = 10_000

	// MaxCompressionRatio is the largest uncompressed:compressed ratio of
	// a workbook part over 1 MiB. Worksheet XML compresses about 15:1,
	// even when every row is the same; a zip bomb compresses 1000:1.
	MaxCompressionRatio = 100

	// MaxRowsPerFile is the most data rows one file may hold (an XLSX
	// sheet's row numbers count, blank rows included). England has about
	// 80,000 referrals and 560,000 attendances a quarter.
	MaxRowsPerFile int64 = 5_000_000
)

// Finer workbook limits, which follow from how excelize keeps a workbook
// (see ReadZipReader in excelize's lib.go): a worksheet or shared-strings
// part larger than xlsxXMLInMemory is unzipped to a temporary file and
// streamed; every other part is held in memory, uncompressed.
const (
	// xlsxXMLInMemory is excelize's UnzipXMLSizeLimit, passed explicitly
	// so that the accounting below matches what excelize does.
	xlsxXMLInMemory = 16 << 20
	// ratioCheckFrom is the uncompressed size from which a part's
	// compression ratio is checked; tiny parts compress absurdly well
	// and harmlessly.
	ratioCheckFrom = 1 << 20
	// zipDirectoryBudget bounds the bytes read while listing a workbook's
	// parts, so that a directory of millions of entries is refused before
	// it is held in memory: MaxZipEntries entries of generous size, plus
	// the end-of-directory search.
	zipDirectoryBudget = 256<<10 + 10_000*512
	// xlsxColumnSlack is how many columns beyond the contract's a sheet
	// may have values in before it is refused: a few notes beside the data
	// are tolerated (rows holding them are rejected), a sheet of a
	// thousand columns is not an extract.
	xlsxColumnSlack = 20
	// maxFormulaCells bounds the cells remembered as formulas without a
	// calculated value or as errors; past it the workbook is refused.
	maxFormulaCells = 10_000
	// excelMaxColumns is the widest worksheet Excel allows (column XFD).
	excelMaxColumns = 16_384
)

// Variables only so that tests can lower them.
var (
	// maxXLSXInMemoryBytes bounds the uncompressed parts excelize holds
	// in memory: styles, the workbook, small sheets, pictures.
	maxXLSXInMemoryBytes int64 = 128 << 20
	// maxSharedStringsBytes bounds the shared-strings part: excelize
	// indexes every string in memory (about 40 bytes each) even when the
	// part itself is on disk. England-scale referrals need about 6 MB.
	maxSharedStringsBytes int64 = 64 << 20
)

// MaxQuarterZipBytes bounds the total uncompressed size of a quarter sent
// as one zip (CheckZip): what unzipping it may cost in temporary disk. An
// England-scale quarter is under 1 GiB of CSV.
var MaxQuarterZipBytes int64 = 4 << 30
