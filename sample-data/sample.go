// Package sampledata embeds the shipped sample extracts, so that `go run
// ./cmd/uptake` can fill a fresh database without looking for files.
package sampledata

import (
	"embed"
	"io/fs"
	"regexp"
	"sort"
)

// FS holds the quarter folders and manifest.json of this directory.
//
//go:embed 20*Q* manifest.json
var FS embed.FS

var quarterName = regexp.MustCompile(`^[0-9]{4}Q[1-4]$`)

// Quarters lists the quarter folders in FS, oldest first.
func Quarters() ([]string, error) {
	entries, err := fs.ReadDir(FS, ".")
	if err != nil {
		return nil, err
	}
	var qs []string
	for _, e := range entries {
		if e.IsDir() && quarterName.MatchString(e.Name()) {
			qs = append(qs, e.Name())
		}
	}
	sort.Strings(qs)
	return qs, nil
}
