package main

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uptake-nhs/uptake/accounts"
	"github.com/uptake-nhs/uptake/db"
	"github.com/uptake-nhs/uptake/ingest"
)

// exportSample loads the sample data into a warehouse database and
// exports it to a folder whose name holds a quote.
func exportSample(t *testing.T) (warehouse, dir string) {
	t.Helper()
	warehouse = filepath.Join(t.TempDir(), "warehouse.duckdb")
	mustRunMain(t, append([]string{"ingest", "--db", warehouse}, sampleQuarters(t)...)...)
	dir = filepath.Join(t.TempDir(), "o'brien's export")
	out := mustRunMain(t, "export", "--db", warehouse, "--parquet", dir)
	if !strings.Contains(out, "Exported") || !strings.Contains(out, "not exported") {
		t.Errorf("export output does not say what it did:\n%s", out)
	}
	return warehouse, dir
}

// TestExportCommand exports the sample warehouse: the manifest's rows equal
// the tables', no account table is exported, and a second export replaces
// the first. A folder of someone's files is refused and left alone.
func TestExportCommand(t *testing.T) {
	warehouse, dir := exportSample(t)
	m, err := ingest.ReadExportManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	counts := tableCounts(t, warehouse)
	if len(m.Tables) != len(counts) {
		t.Errorf("manifest lists %d tables, the warehouse has %d", len(m.Tables), len(counts))
	}
	for table, n := range counts {
		mt, ok := m.Table(table)
		if !ok || mt.Rows != n || n == 0 {
			t.Errorf("%s: manifest %d rows (listed %v), warehouse %d", table, mt.Rows, ok, n)
		}
	}
	for _, secret := range []string{"users", "sessions", "audit_log"} {
		if _, ok := m.Table(secret); ok {
			t.Errorf("the export lists %s", secret)
		}
		if _, err := os.Stat(filepath.Join(dir, secret)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the export holds a %s folder", secret)
		}
	}

	mustRunMain(t, "export", "--db", warehouse, "--parquet", dir)
	again, err := ingest.ReadExportManifest(dir)
	if err != nil || again.ExportID == m.ExportID {
		t.Errorf("the second export did not replace the first: %v", err)
	}

	mine := t.TempDir()
	if err := os.WriteFile(filepath.Join(mine, "budget.xlsx"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = runMain(t, "export", "--db", warehouse, "--parquet", mine)
	if err == nil || !strings.Contains(err.Error(), "not an uptake export") {
		t.Errorf("export into a folder of other files: %v", err)
	}
	if entries, _ := os.ReadDir(mine); len(entries) != 1 {
		t.Errorf("the refused export changed the folder: %d entries", len(entries))
	}
}

func TestExportUsageErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"export", "--parquet", "out"}, "--db is required"},
		{[]string{"export", "--db", "x.duckdb"}, "--parquet is required"},
		{[]string{"export", "--db", "x.duckdb", "--parquet", "out", "extra"}, `unexpected argument "extra"`},
		{[]string{"serve", "--parquet", "out"}, "--parquet needs --db"},
	}
	for _, c := range cases {
		_, stderr, err := runMain(t, c.args...)
		if !errors.Is(err, errUsage) || !strings.Contains(stderr, c.want) {
			t.Errorf("uptake %v: err %v, stderr %q; want usage error saying %q", c.args, err, stderr, c.want)
		}
	}
	if _, _, err := runMain(t, "export", "--db", filepath.Join(t.TempDir(), "missing.duckdb"), "--parquet", t.TempDir()); err == nil {
		t.Error("exporting a database that does not exist succeeded")
	}
}

// TestServeParquet serves the exported sample data from a separate app
// database: the server shows every quarter; loading a quarter into it, by
// `uptake ingest` handed to the server, by the Data page's upload or into
// the stopped server's database, is refused with a message saying what to
// do. Exporting from the database a server holds says to stop the server,
// and serving an export from a loaded warehouse is refused, which keeps
// the warehouse whole.
func TestServeParquet(t *testing.T) {
	warehouse, dir := exportSample(t)
	quarters := sampleQuarters(t)

	app := filepath.Join(t.TempDir(), "app.duckdb")
	conn, err := db.Open(context.Background(), app)
	if err != nil {
		t.Fatal(err)
	}
	conn.Close()
	addUserAs(t, app, "lead", "a long test password", accounts.RoleServiceLead)

	srv := startServer(t, t.TempDir(), "--db", app, "--parquet", dir)
	srv.signIn(t, "lead", "a long test password")
	if got := srv.quarters(t); len(got) != len(quarters) || got[len(got)-1] != filepath.Base(quarters[len(quarters)-1]) {
		t.Errorf("the Parquet server shows quarters %v, want the %d sample quarters", got, len(quarters))
	}
	resp, err := srv.client.Get(srv.url + "/api/headline")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/api/headline over Parquet: %d", resp.StatusCode)
	}

	const refusal = "this server reads a Parquet export; load into the warehouse database and export again"
	_, stderr, err := runMain(t, "ingest", "--db", app, quarters[0])
	if err == nil || !strings.Contains(stderr, refusal) {
		t.Errorf("ingest handed to the Parquet server: err %v, stderr %q; want %q", err, stderr, refusal)
	}
	resp, page := uploadQuarter(t, srv, quarters[0])
	status := resp.StatusCode
	if status != http.StatusBadRequest || !strings.Contains(page, "this server reads a Parquet export") {
		t.Errorf("upload to the Parquet server: %d, want 400 saying it reads a Parquet export\n%.2000s", status, page)
	}

	// The warehouse, held by another server, cannot be exported.
	wsrv := startServer(t, t.TempDir(), "--db", warehouse)
	_, _, err = runMain(t, "export", "--db", warehouse, "--parquet", filepath.Join(t.TempDir(), "new"))
	if err == nil || !strings.Contains(err.Error(), "stop the server") {
		t.Errorf("export of a database a server holds: %v, want advice to stop the server", err)
	}
	wsrv.stop(t)

	srv.stop(t)
	if _, _, err := runMain(t, "ingest", "--db", app, quarters[0]); err == nil || !strings.Contains(err.Error(), "reads the Parquet export") {
		t.Errorf("ingest into the stopped Parquet server's database: %v", err)
	}

	before := tableCounts(t, warehouse)
	_, _, err = runMain(t, "serve", "--db", warehouse, "--parquet", dir, "--addr", "127.0.0.1:0")
	if err == nil || !strings.Contains(err.Error(), "give a separate --db") {
		t.Errorf("serve --parquet over the loaded warehouse: %v, want a refusal", err)
	}
	if after := tableCounts(t, warehouse); !equalCounts(before, after) {
		t.Errorf("the refused serve changed the warehouse:\nbefore %v\nafter  %v", before, after)
	}
}
