package ingest

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// CheckZip inspects a zip holding one quarter, before anything is
// unzipped: either a quarter folder (2026Q3/ and its files) or the files
// at the zip's root. It refuses, with a *Problem whose reason is a
// sentence for people, a zip that is not one, or one with too many
// entries, entries too large or too compressed (a zip bomb), names that
// are absolute or climb out with "..", links, folders within folders,
// more than one folder, encrypted entries, or files other than .csv and
// .xlsx. Entries written by the operating system (__MACOSX/, names
// starting with a dot) are tolerated; SkipZipEntry says which, so that
// whoever unzips leaves them out.
//
// The declared sizes it checks are upper bounds: archive/zip refuses to
// unzip more than an entry declares.
func CheckZip(zipPath string) error {
	refuse := func(rule, format string, args ...any) error {
		return &Problem{File: path.Base(zipPath), Rule: rule, Reason: fmt.Sprintf(format, args...)}
	}
	f, err := os.Open(zipPath)
	if err != nil {
		return refuse("unreadable_file", "The zip could not be read: %v.", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return refuse("unreadable_file", "The zip could not be read: %v.", err)
	}
	zr, err := zip.NewReader(&budgetReaderAt{r: f, budget: zipDirectoryBudget}, st.Size())
	switch {
	case errors.Is(err, errZipDirectoryTooLarge):
		return refuse("zip_bomb", "The zip's list of files is over %d KiB; a quarter has nine files.", zipDirectoryBudget>>10)
	case err != nil && !errors.Is(err, zip.ErrInsecurePath): // insecure names are refused below, by name
		return refuse("bad_zip", "The file is not a readable zip (%v); zip the quarter's folder again and choose the .zip file.", err)
	}
	if len(zr.File) > MaxZipEntries {
		return refuse("zip_bomb", "The zip holds %d entries; a quarter has nine files, and at most %d entries are accepted.", len(zr.File), MaxZipEntries)
	}
	var total uint64
	folder, files := "", 0
	seen := map[string]bool{}
	for _, e := range zr.File {
		name := strings.ReplaceAll(e.Name, `\`, "/")
		if why := oddPartName(name); why != "" {
			return refuse("bad_zip", "The zip holds an entry named %q, %s; zip the quarter's folder again.", truncateValue(e.Name), why)
		}
		if SkipZipEntry(name) {
			continue
		}
		mode := e.Mode()
		if mode&fs.ModeSymlink != 0 || !(mode.IsDir() || mode.IsRegular()) {
			return refuse("bad_zip", "The zip holds %q, which is a link or special file, not a file; zip the files themselves.", truncateValue(e.Name))
		}
		trimmed := strings.TrimSuffix(name, "/")
		if strings.Count(trimmed, "/") > 1 || (mode.IsDir() && strings.Contains(trimmed, "/")) {
			return refuse("bad_zip", "The zip holds %q, in a folder within a folder; zip just the quarter's folder, or just its files.", truncateValue(e.Name))
		}
		dir, base := path.Split(trimmed)
		if mode.IsDir() {
			dir, base = trimmed+"/", ""
		}
		if files > 0 || folder != "" {
			if dir != folder {
				return refuse("bad_zip", "The zip holds more than one folder, or files both in a folder and outside it (%q); it must hold one quarter: its folder, or its nine files.", truncateValue(e.Name))
			}
		}
		folder = dir
		if base == "" {
			continue
		}
		files++
		if e.Flags&0x1 != 0 {
			return refuse("bad_zip", "%s is encrypted in the zip; zip the files without a password.", truncateValue(base))
		}
		if e.Method != zip.Store && e.Method != zip.Deflate {
			return refuse("bad_zip", "%s is compressed in a way only some zip programs read; zip the folder again with your computer's own \"compress\" command.", truncateValue(base))
		}
		ext := strings.ToLower(path.Ext(base))
		if ext != ".csv" && ext != ".xlsx" {
			return refuse("unknown_file", "The zip holds %s; a quarter's files are .csv or .xlsx files only.", truncateValue(base))
		}
		if seen[strings.ToLower(base)] {
			return refuse("duplicate_file", "The zip holds %s twice; keep one.", truncateValue(base))
		}
		seen[strings.ToLower(base)] = true
		size := e.UncompressedSize64
		limit := MaxFileBytes
		if ext == ".xlsx" {
			limit = MaxXLSXBytes
		}
		if size > uint64(limit) {
			return refuse("file_too_large", "%s unzips to %s, over the %s accepted for one file.", truncateValue(base), sizeText(int64(size)), sizeText(limit))
		}
		if size > ratioCheckFrom && size/max(e.CompressedSize64, 1) > uint64(MaxCompressionRatio) {
			return refuse("zip_bomb", "%s unzips to %s from %s, over %d times its size; extracts compress about 10 times, so the zip is not an honest quarter.",
				truncateValue(base), sizeText(int64(size)), sizeText(int64(e.CompressedSize64)), MaxCompressionRatio)
		}
		if total += size; total > uint64(MaxQuarterZipBytes) {
			return refuse("zip_too_large", "The zip unzips to more than %s; load the quarter from a folder on the server with `uptake ingest` instead.", sizeText(MaxQuarterZipBytes))
		}
	}
	if files == 0 {
		return refuse("bad_zip", "The zip holds no files; zip the quarter's folder with its nine files.")
	}
	return nil
}

// SkipZipEntry reports whether a zip entry (by its name, with forward
// slashes) was written by the operating system rather than chosen by
// people: macOS's __MACOSX/ folder and its ._ files, .DS_Store and other
// names starting with a dot. Such entries are not unzipped.
func SkipZipEntry(name string) bool {
	name = strings.TrimSuffix(strings.ReplaceAll(name, `\`, "/"), "/")
	if name == "__MACOSX" || strings.HasPrefix(name, "__MACOSX/") {
		return true
	}
	return strings.HasPrefix(path.Base(name), ".")
}

// UnzipQuarter checks an uploaded zip (CheckZip) and unzips it into a new
// folder of work named for its quarter, returning that folder. The quarter
// is the name of the zip's one folder, or chosen when the files are at the
// zip's root or their folder is not named for a quarter; if both are given
// they must agree. Every refusal is a *Problem whose reason tells the user
// what to do.
func UnzipQuarter(zipPath, work, chosen string) (string, error) {
	if err := CheckZip(zipPath); err != nil {
		return "", err
	}
	refuse := func(format string, args ...any) error {
		return &Problem{File: path.Base(zipPath), Rule: "bad_upload", Reason: fmt.Sprintf(format, args...)}
	}
	if _, ok := parseQuarter(chosen); chosen != "" && !ok {
		return "", refuse("%q is not a quarter; choose one like 2026Q3.", chosen)
	}
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		return "", refuse("The file is not a readable zip (%v); nothing was loaded.", err)
	}
	defer zr.Close()
	var files []*zip.File
	folder := ""
	for _, e := range zr.File {
		name := strings.ReplaceAll(e.Name, `\`, "/")
		if SkipZipEntry(name) || e.Mode().IsDir() || strings.HasSuffix(name, "/") {
			continue
		}
		folder = path.Dir(name)
		files = append(files, e)
	}
	quarter := chosen
	switch {
	case isQuarterName(folder):
		if chosen != "" && chosen != folder {
			return "", refuse("The zip holds the folder %s, but you chose the quarter %s. Choose the same quarter, or leave the choice empty.", folder, chosen)
		}
		quarter = folder
	case chosen == "" && folder == ".":
		return "", refuse("The zip holds the files without their quarter's folder: choose the quarter they are for, and upload again.")
	case chosen == "":
		return "", refuse("The zip's folder %q is not named for a quarter: rename it like 2026Q3, or choose the quarter the files are for.", folder)
	}
	dir := filepath.Join(work, quarter)
	if err := os.Mkdir(dir, 0o700); err != nil {
		return "", err
	}
	for _, e := range files {
		base := path.Base(strings.ReplaceAll(e.Name, `\`, "/"))
		if !filepath.IsLocal(base) || strings.ContainsAny(base, `/\`) {
			return "", refuse("The zip holds an entry named %q, which cannot be unzipped safely.", e.Name)
		}
		if err := unzipFile(e, filepath.Join(dir, base)); err != nil {
			return "", refuse("%s could not be unzipped (%v); zip the quarter's folder again. Nothing was loaded.", base, err)
		}
	}
	return dir, nil
}

// isQuarterName reports whether name names a quarter, like 2026Q3.
func isQuarterName(name string) bool {
	_, ok := parseQuarter(name)
	return ok
}

// unzipFile writes one entry to dst, never more than it declares.
func unzipFile(e *zip.File, dst string) error {
	rc, err := e.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	n, err := io.Copy(out, io.LimitReader(rc, int64(e.UncompressedSize64)+1))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil && uint64(n) > e.UncompressedSize64 {
		err = errors.New("it is larger than the zip says")
	}
	return err
}
