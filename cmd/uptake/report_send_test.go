package main

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uptake-nhs/uptake/accounts"
	"github.com/uptake-nhs/uptake/cmd/uptake/delivery"
	"github.com/uptake-nhs/uptake/cmd/uptake/delivery/deliverytest"
	"github.com/uptake-nhs/uptake/dashboard/pdf"
	"github.com/uptake-nhs/uptake/db"
)

// uptake report --send, end to end over the sample data, to an SMTP sink
// on loopback: one message per practice in the contacts file with its own
// files only, one to the commissioners with the pack, none for a practice
// without an address (reported); every message audited. A sink that
// refuses makes the command fail, and the failures are audited.
func TestReportSend(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "borough.duckdb")
	mustRunMain(t, append([]string{"ingest", "--db", db}, sampleQuarters(t)...)...)

	// Two practices with an address; every other has none.
	codes := samplePracticeCodes(t)
	a, b := codes[0], codes[1]
	contacts := filepath.Join(dir, "contacts.csv")
	if err := os.WriteFile(contacts, []byte("practice_code,email\n"+a+",admin."+strings.ToLower(a)+"@example.org\n"+b+",admin."+strings.ToLower(b)+"@example.org\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	sendTo := func(t *testing.T, sink *deliverytest.Sink, extra ...string) (stdout, stderr string, err error) {
		host, port, _ := net.SplitHostPort(sink.Addr)
		p, _ := strconv.Atoi(port)
		cfg := map[string]any{"delivery": map[string]any{"host": host, "port": p, "from": "Diabetes Education <dsme@example.org>",
			"commissioners": []string{"commissioner@example.org"}, "contacts": contacts}}
		raw, _ := json.Marshal(cfg)
		path := filepath.Join(t.TempDir(), "uptake.json")
		if err := os.WriteFile(path, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		return runReportWith(t, func(o *delivery.Options) { o.Backoff = time.Millisecond },
			append([]string{"--db", db, "--out", filepath.Join(t.TempDir(), "reports"), "--config", path, "--send"}, extra...)...)
	}

	sink := (&deliverytest.Sink{}).Listen(t)
	stdout, stderr, err := sendTo(t, sink)
	if err != nil {
		t.Fatalf("uptake report --send: %v\n%s\n%s", err, stdout, stderr)
	}
	got := sink.Received()
	if len(got) != 3 {
		t.Fatalf("the sink received %d messages, want 3 (two practices, the commissioners)", len(got))
	}
	for _, m := range got {
		p := deliverytest.Parse(t, m.Data)
		names := p.Names()
		switch strings.Join(m.Rcpt, ",") {
		case "admin." + strings.ToLower(a) + "@example.org", "admin." + strings.ToLower(b) + "@example.org":
			code := strings.ToUpper(strings.TrimSuffix(strings.TrimPrefix(m.Rcpt[0], "admin."), "@example.org"))
			if len(p.Attachments) != 2 {
				t.Errorf("%s got %s", code, names)
			}
			for _, at := range p.Attachments {
				if !strings.HasPrefix(at.Name, code+"-") {
					t.Errorf("%s got another's file %s", code, at.Name)
				}
			}
		case "commissioner@example.org":
			if !strings.Contains(names, "uptake-pack-") || strings.Contains(names, a) || strings.Contains(names, b) {
				t.Errorf("the commissioners got %s", names)
			}
		default:
			t.Errorf("a message to %v", m.Rcpt)
		}
	}
	if !strings.Contains(stdout, "No address in the contacts file") || !strings.Contains(stdout, "Sent 3 messages; 0 failed.") {
		t.Errorf("stdout does not report the practices without an address or the count:\n%s", stdout)
	}
	if n := countAudit(t, db, accounts.ActionSend); n != 3 {
		t.Errorf("%d sends audited, want 3", n)
	}

	// A dry run lists who would get what, and sends and audits nothing.
	quiet := (&deliverytest.Sink{}).Listen(t)
	if stdout, stderr, err := sendTo(t, quiet, "--dry-run"); err != nil || !strings.Contains(stdout, "Dry run: nothing was sent") {
		t.Errorf("dry run: %v\n%s\n%s", err, stdout, stderr)
	}
	if len(quiet.Received()) != 0 || countAudit(t, db, accounts.ActionSend) != 3 {
		t.Error("the dry run sent or audited something")
	}

	// A relay that refuses: the command fails, and each failure is audited.
	refusing := (&deliverytest.Sink{Refuse: "554 5.7.1 not today"}).Listen(t)
	if _, stderr, err := sendTo(t, refusing); err == nil {
		t.Fatalf("a refusing relay did not fail the command\n%s", stderr)
	}
	if n := countAudit(t, db, accounts.ActionSendFailed); n != 3 {
		t.Errorf("%d failures audited, want 3", n)
	}
}

// runReportWith is runReport without Chromium, with how --send sends
// adjusted by opts.
func runReportWith(t *testing.T, opts func(*delivery.Options), args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut strings.Builder
	c := &reportCommand{stdout: &out, stderr: &errOut, deliveryOptions: opts,
		newPrinter: func() (*pdf.Printer, error) { return nil, pdf.ErrNoChromium }}
	err = c.parse(args)
	if err == nil {
		err = c.Run(context.Background())
	}
	if cerr := c.Close(); err == nil {
		err = cerr
	}
	return out.String(), errOut.String(), err
}

// samplePracticeCodes are the first practices of the sample's latest
// quarter.
func samplePracticeCodes(t *testing.T) []string {
	t.Helper()
	qs := sampleQuarters(t)
	b, err := os.ReadFile(filepath.Join(qs[len(qs)-1], "practices.csv"))
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n")[1:] {
		codes = append(codes, strings.SplitN(line, ",", 2)[0])
	}
	return codes
}

// countAudit counts the audit log's events with action.
func countAudit(t *testing.T, path string, action accounts.Action) int {
	t.Helper()
	conn, err := db.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	events, err := accounts.New(conn).AuditLog(context.Background(), 10000, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range events {
		if e.Action == action {
			n++
		}
	}
	return n
}
