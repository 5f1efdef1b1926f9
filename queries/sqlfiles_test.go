package queries

import (
	"testing"

	"github.com/uptake-nhs/uptake/db/sqltest"
)

// TestEverySQLFileIsUsed keeps sql/ free of dead queries.
func TestEverySQLFileIsUsed(t *testing.T) { sqltest.EveryFileUsed(t, sqlFiles) }
