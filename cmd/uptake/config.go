package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/uptake-nhs/uptake/cmd/uptake/delivery"
	"github.com/uptake-nhs/uptake/db"
	"github.com/uptake-nhs/uptake/ingest"
	"github.com/uptake-nhs/uptake/queries"
)

// settings is the configuration file given with --config: the indicator
// definitions at the top level, DuckDB's resources under "database", and
// what loads accept: column aliases and the rejection ceiling; and under
// "delivery" where uptake report --send emails the quarter's files
// (docs/configuration.md).
type settings struct {
	queries.Config
	Database   db.Engine               `json:"database"`
	Aliases    ingest.Aliases          `json:"aliases"`
	Rejections ingest.RejectionCeiling `json:"rejection_ceiling"`
	// Delivery is nil when the file has no delivery section: then nothing
	// can be sent.
	Delivery *delivery.Config `json:"delivery"`
}

// loadSettings reads the configuration file at path, or returns the
// defaults when path is empty. Settings left out keep their defaults;
// unknown ones are an error so that a typo is not silently ignored.
func loadSettings(path string) (settings, error) {
	s := settings{Config: queries.DefaultConfig(), Database: db.DefaultEngine(), Rejections: ingest.DefaultCeiling()}
	if path == "" {
		return s, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return s, fmt.Errorf("reading configuration: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return s, fmt.Errorf("configuration %s: %w", path, err)
	}
	if err := s.Config.Validate(); err != nil {
		return s, fmt.Errorf("configuration %s: %w", path, err)
	}
	if err := s.Database.Validate(); err != nil {
		return s, fmt.Errorf("configuration %s: %w", path, err)
	}
	if err := s.Aliases.Check(); err != nil {
		return s, fmt.Errorf("configuration %s: %w", path, err)
	}
	if err := s.Rejections.Validate(); err != nil {
		return s, fmt.Errorf("configuration %s: %w", path, err)
	}
	if s.Delivery != nil {
		if err := s.Delivery.Validate(); err != nil {
			return s, fmt.Errorf("configuration %s: %w", path, err)
		}
		// The contacts and password files sit beside the configuration,
		// wherever cron or systemd starts the command.
		s.Delivery.RelativeTo(filepath.Dir(path))
	}
	return s, nil
}
