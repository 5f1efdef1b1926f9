package delivery

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptake-nhs/uptake/accounts"
	"github.com/uptake-nhs/uptake/cmd/uptake/delivery/deliverytest"
)

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// fixture is a quarter's outputs as uptake report writes them: the pack,
// and the lists of three practices, F83004 and F83005 with addresses in
// the contacts file and F83006 without. F83007 has an address but no
// files (not loaded this quarter). Each file holds its own name, so that
// a test can tell whose file went where.
type fixture struct {
	dir      string
	out      Outputs
	contacts Contacts
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	dir := t.TempDir()
	write := func(rel string) string {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("contents of "+rel), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	out := Outputs{
		Quarter: "2026Q2",
		Pack:    []string{write("uptake-pack-2026Q2.pdf"), write("uptake-pack-2026Q2-practices.xlsx")},
		Practices: map[string][]string{
			"F83004": {write("practices/F83004-2026Q2.pdf"), write("practices/F83004-2026Q2.xlsx")},
			"F83005": {write("practices/F83005-2026Q2.pdf"), write("practices/F83005-2026Q2.xlsx")},
			"F83006": {write("practices/F83006-2026Q2.pdf"), write("practices/F83006-2026Q2.xlsx")},
		},
	}
	contacts, err := ParseContacts(strings.NewReader(
		"practice_code,email\n"+
			"F83004,admin.f83004@example.org\n"+
			"F83005,Practice Manager <pm.f83005@example.org>; coding.f83005@example.org\n"+
			"F83007,admin.f83007@example.org\n"), "contacts.csv")
	if err != nil {
		t.Fatal(err)
	}
	return fixture{dir, out, contacts}
}

// loopbackConfig is a delivery section for a sink on this machine.
func loopbackConfig(t *testing.T, addr string) Config {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := strconv.Atoi(port)
	cfg := Config{
		Host: host, Port: p,
		From:          "Diabetes Education <dsme@example.org>",
		ReplyTo:       "dsme.team@example.org",
		Commissioners: []string{"commissioner@example.org", "Service Lead <lead@example.org>"},
		Contacts:      "contacts.csv",
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// auditLog is an Auditor that keeps its events.
type auditLog struct {
	mu     sync.Mutex
	events []accounts.Event
	fail   error
}

func (a *auditLog) Audit(_ context.Context, e accounts.Event) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.fail != nil {
		return a.fail
	}
	a.events = append(a.events, e)
	return nil
}

var cli = accounts.Actor{Username: "cli:ops", RemoteAddr: "cli"}

// The sink receives one message per practice with an address, holding
// that practice's files and nothing of another's, and one to the
// commissioners with the pack; F83006, without an address, gets nothing
// and is reported. Every message is audited as sent.
func TestSendToSink(t *testing.T) {
	f := newFixture(t)
	s := (&deliverytest.Sink{}).Listen(t)
	cfg := loopbackConfig(t, s.Addr)
	var log bytes.Buffer
	audit := &auditLog{}
	p := NewPlan(cfg, f.contacts, f.out)
	if !reflect.DeepEqual(p.Missing, []string{"F83006"}) {
		t.Errorf("Missing = %v, want [F83006]", p.Missing)
	}
	res, err := Send(context.Background(), cfg, p, Options{Log: &log, Audit: AuditTo(audit, cli)})
	if err != nil {
		t.Fatalf("Send: %v\n%s", err, log.String())
	}
	if res.Sent != 3 || res.Failed != 0 || !reflect.DeepEqual(res.Missing, []string{"F83006"}) {
		t.Errorf("result %+v", res)
	}

	got := s.Received()
	if len(got) != 3 {
		t.Fatalf("the sink received %d messages, want 3", len(got))
	}
	type want struct {
		rcpt     []string
		to       string
		subject  string
		files    []string
		contains []string // in the text
	}
	wants := []want{
		{[]string{"admin.f83004@example.org"}, "<admin.f83004@example.org>",
			"Diabetes education: your practice list for 2026Q2",
			[]string{"F83004-2026Q2.pdf", "F83004-2026Q2.xlsx"},
			[]string{"practice F83004", "for 2026Q2", "F83004-2026Q2.xlsx", "dsme.team@example.org"}},
		{[]string{"pm.f83005@example.org", "coding.f83005@example.org"}, `"Practice Manager" <pm.f83005@example.org>, <coding.f83005@example.org>`,
			"Diabetes education: your practice list for 2026Q2",
			[]string{"F83005-2026Q2.pdf", "F83005-2026Q2.xlsx"},
			[]string{"practice F83005", "only your own practice's patients"}},
		{[]string{"commissioner@example.org", "lead@example.org"}, `<commissioner@example.org>, "Service Lead" <lead@example.org>`,
			"Diabetes education: quarterly pack for 2026Q2",
			[]string{"uptake-pack-2026Q2.pdf", "uptake-pack-2026Q2-practices.xlsx"},
			[]string{"quarterly pack for 2026Q2", "no patient's details"}},
	}
	for i, w := range wants {
		r := got[i]
		m := deliverytest.Parse(t, r.Data)
		if r.From != "dsme@example.org" || !reflect.DeepEqual(r.Rcpt, w.rcpt) {
			t.Errorf("message %d: envelope from %s to %v, want %v", i, r.From, r.Rcpt, w.rcpt)
		}
		if m.Header.Get("To") != w.to || m.Header.Get("Subject") != w.subject ||
			m.Header.Get("From") != `"Diabetes Education" <dsme@example.org>` || m.Header.Get("Reply-To") != "<dsme.team@example.org>" {
			t.Errorf("message %d headers: %v", i, m.Header)
		}
		if d, err := m.Header.Date(); err != nil || time.Since(d) > time.Hour {
			t.Errorf("message %d: Date %q: %v", i, m.Header.Get("Date"), err)
		}
		if id := m.Header.Get("Message-ID"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@example.org>") || id != res.Outcomes[i].MessageID {
			t.Errorf("message %d: Message-ID %q, outcome's %q", i, id, res.Outcomes[i].MessageID)
		}
		if len(m.Attachments) != len(w.files) {
			t.Fatalf("message %d: attachments %s, want %v", i, m.Names(), w.files)
		}
		for j, a := range m.Attachments {
			wantType := "application/pdf"
			if strings.HasSuffix(a.Name, ".xlsx") {
				wantType = xlsxType
			}
			rel := a.Name
			if !strings.HasPrefix(rel, "uptake-pack") {
				rel = "practices/" + rel
			}
			if a.Name != w.files[j] || !strings.HasPrefix(a.ContentType, wantType+";") || a.Data != "contents of "+rel {
				t.Errorf("message %d attachment %d: %s (%s) %q, want %s (%s)", i, j, a.Name, a.ContentType, a.Data, w.files[j], wantType)
			}
		}
		for _, s := range w.contains {
			if !strings.Contains(m.Text, s) {
				t.Errorf("message %d: text lacks %q:\n%s", i, s, m.Text)
			}
		}
		// Nothing of another practice: not its files, not even its code.
		for _, other := range []string{"F83004", "F83005", "F83006", "F83007"} {
			if i < 2 && other == w.files[0][:6] {
				continue
			}
			if bytes.Contains(r.Data, []byte(other)) {
				t.Errorf("message %d (%v) holds %s", i, w.files, other)
			}
		}
	}
	for _, r := range got {
		for _, a := range r.Rcpt {
			if strings.Contains(a, "f83006") || strings.Contains(a, "f83007") {
				t.Errorf("a message went to %s", a)
			}
		}
	}

	if len(audit.events) != 3 {
		t.Fatalf("audited %d events, want 3: %+v", len(audit.events), audit.events)
	}
	for i, e := range audit.events {
		if e.Action != accounts.ActionSend || e.Username != "cli:ops" || e.RemoteAddr != "cli" {
			t.Errorf("event %d: %+v", i, e)
		}
	}
	if d := audit.events[0].Detail; !strings.HasPrefix(d, "2026Q2 practice list F83004 to admin.f83004@example.org: F83004-2026Q2.pdf, F83004-2026Q2.xlsx; sent on attempt 1, <") {
		t.Errorf("detail %q", d)
	}
	if d := audit.events[2].Detail; !strings.HasPrefix(d, "2026Q2 pack to commissioner@example.org, lead@example.org: uptake-pack-2026Q2.pdf, uptake-pack-2026Q2-practices.xlsx; sent") {
		t.Errorf("detail %q", d)
	}
	for _, s := range []string{"Sent to practice F83004", "Sent 3 of 3 messages.", "no address in the contacts file: 1 practice: F83006"} {
		if !strings.Contains(log.String(), s) {
			t.Errorf("log lacks %q:\n%s", s, log.String())
		}
	}
}

// A sink that refuses every message for now (451) is tried Attempts
// times, in rounds; then Send fails and every message is audited as
// failed with the relay's answer. A permanent refusal (550) is not
// retried.
func TestSendRefused(t *testing.T) {
	for _, tc := range []struct {
		refuse   string
		attempts int
	}{
		{"451 4.3.0 mailbox busy, try later", 3},
		{"550 5.7.1 relaying denied", 1},
	} {
		t.Run(tc.refuse[:3], func(t *testing.T) {
			f := newFixture(t)
			s := (&deliverytest.Sink{Refuse: tc.refuse}).Listen(t)
			cfg := loopbackConfig(t, s.Addr)
			audit := &auditLog{}
			var log bytes.Buffer
			res, err := Send(context.Background(), cfg, NewPlan(cfg, f.contacts, f.out),
				Options{Log: &log, Audit: AuditTo(audit, cli), Attempts: 3, Backoff: time.Millisecond})
			if err == nil || !strings.Contains(err.Error(), "3 of 3 messages failed (practice F83004, practice F83005, the commissioners)") {
				t.Fatalf("Send: %v", err)
			}
			if _, mails, _ := s.Stats(); len(s.Received()) != 0 || mails != 3*tc.attempts {
				t.Errorf("the sink received %d messages and %d MAIL commands, want 0 and %d", len(s.Received()), mails, 3*tc.attempts)
			}
			if res.Sent != 0 || res.Failed != 3 {
				t.Errorf("result %+v", res)
			}
			if len(audit.events) != 3 {
				t.Fatalf("audited %+v", audit.events)
			}
			for i, e := range audit.events {
				want := "failed after " + strconv.Itoa(tc.attempts) + " attempt"
				if e.Action != accounts.ActionSendFailed || !strings.Contains(e.Detail, want) || !strings.Contains(e.Detail, tc.refuse) {
					t.Errorf("event %d: %+v; want %q and the relay's answer", i, e, want)
				}
				if o := res.Outcomes[i]; o.Sent || o.Attempts != tc.attempts || !strings.Contains(o.Error, tc.refuse[:3]) {
					t.Errorf("outcome %d: %+v", i, o)
				}
			}
			if !strings.Contains(log.String(), "FAILED to send to practice F83004") {
				t.Errorf("log:\n%s", log.String())
			}
		})
	}
}

// A dry run says who would get what and sends nothing, audits nothing.
func TestDryRun(t *testing.T) {
	f := newFixture(t)
	s := (&deliverytest.Sink{}).Listen(t)
	cfg := loopbackConfig(t, s.Addr)
	audit := &auditLog{}
	var log bytes.Buffer
	res, err := Send(context.Background(), cfg, NewPlan(cfg, f.contacts, f.out), Options{DryRun: true, Log: &log, Audit: AuditTo(audit, cli)})
	if err != nil {
		t.Fatal(err)
	}
	if conns, _, _ := s.Stats(); conns != 0 || len(audit.events) != 0 || res.Sent != 0 || len(res.Outcomes) != 3 {
		t.Errorf("dry run: %d connections, %d audit events, result %+v", conns, len(audit.events), res)
	}
	for _, want := range []string{
		"Dry run: nothing is sent. For 2026Q2",
		"2 practice lists and the pack to the commissioners",
		"practice F83004 (admin.f83004@example.org): F83004-2026Q2.pdf, F83004-2026Q2.xlsx",
		"practice F83005 (pm.f83005@example.org, coding.f83005@example.org): F83005-2026Q2.pdf",
		"the commissioners (commissioner@example.org, lead@example.org): uptake-pack-2026Q2.pdf, uptake-pack-2026Q2-practices.xlsx",
		"no address in the contacts file: 1 practice: F83006",
	} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("dry run lacks %q:\n%s", want, log.String())
		}
	}

	// A file that cannot be read is found by the dry run.
	os.Remove(f.out.Practices["F83004"][1])
	log.Reset()
	if _, err := Send(context.Background(), cfg, NewPlan(cfg, f.contacts, f.out), Options{DryRun: true, Log: &log}); err == nil ||
		!strings.Contains(log.String(), "practice F83004: CANNOT SEND") {
		t.Errorf("dry run with a missing file: %v\n%s", err, log.String())
	}
}

// A relay on another machine that does not offer STARTTLS gets nothing:
// not the password, not a message. The sink is reached through net.Pipe,
// without networking.
func TestSTARTTLSRequired(t *testing.T) {
	f := newFixture(t)
	s := &deliverytest.Sink{Auth: "PLAIN LOGIN"}
	var dialled string
	t.Setenv("UPTAKE_TEST_SMTP_PASSWORD", "s3cret")
	cfg := Config{Host: "relay.example.org", From: "dsme@example.org", Username: "dsme", PasswordEnv: "UPTAKE_TEST_SMTP_PASSWORD",
		Commissioners: []string{"commissioner@example.org"}, Contacts: "contacts.csv"}
	audit := &auditLog{}
	res, err := Send(context.Background(), cfg, NewPlan(cfg, f.contacts, f.out),
		Options{Dial: s.Pipe(t, &dialled), Audit: AuditTo(audit, cli), Backoff: time.Millisecond})
	if err == nil || !strings.Contains(res.Outcomes[0].Error, "does not offer STARTTLS") {
		t.Fatalf("Send: %v, %+v", err, res.Outcomes)
	}
	if dialled != "relay.example.org:587" {
		t.Errorf("dialled %q, want the default port 587", dialled)
	}
	// One conversation: the refusal is the relay's, so the other messages
	// are not tried and nothing is retried.
	if conns, mails, logins := s.Stats(); conns != 1 || mails != 0 || len(logins) != 0 {
		t.Errorf("%d conversations, %d MAIL commands, sign-ins %v", conns, mails, logins)
	}
	if len(audit.events) != 3 || res.Outcomes[0].Attempts != 1 || res.Outcomes[1].Attempts != 0 {
		t.Errorf("audit %+v; outcomes %+v", audit.events, res.Outcomes)
	}
	for _, e := range audit.events {
		if e.Action != accounts.ActionSendFailed || !strings.Contains(e.Detail, "STARTTLS") {
			t.Errorf("event %+v", e)
		}
	}
	if isLoopback("relay.example.org") || !isLoopback("127.0.0.2") || !isLoopback("::1") || !isLoopback("[::1]") || !isLoopback("LocalHost") || isLoopback("10.0.0.1") {
		t.Error("isLoopback")
	}
}

// With STARTTLS offered, the message goes encrypted and the sign-in
// follows, with PLAIN or, where that is all a relay offers, LOGIN.
func TestSTARTTLSAndSignIn(t *testing.T) {
	cert, roots := deliverytest.Certificate(t, "relay.example.org")
	for _, mech := range []string{"PLAIN LOGIN", "LOGIN"} {
		t.Run(mech, func(t *testing.T) {
			f := newFixture(t)
			s := &deliverytest.Sink{Auth: mech, TLS: cert}
			var dialled string
			pw := filepath.Join(t.TempDir(), "password")
			os.WriteFile(pw, []byte("s3cret\n"), 0o600)
			cfg := Config{Host: "relay.example.org", Port: 2525, From: "dsme@example.org", Username: "dsme", PasswordFile: pw,
				Commissioners: []string{"commissioner@example.org"}, Contacts: "contacts.csv"}
			res, err := Send(context.Background(), cfg, NewPlan(cfg, f.contacts, f.out),
				Options{Dial: s.Pipe(t, &dialled), TLSConfig: roots})
			if err != nil {
				t.Fatal(err)
			}
			got := s.Received()
			if res.Sent != 3 || len(got) != 3 || dialled != "relay.example.org:2525" {
				t.Fatalf("sent %d, received %d, dialled %s", res.Sent, len(got), dialled)
			}
			for _, r := range got {
				if !r.TLS {
					t.Error("a message went unencrypted")
				}
			}
			if _, _, logins := s.Stats(); len(logins) != 3 || logins[0] != "dsme:s3cret" {
				t.Errorf("sign-ins %v", logins)
			}
		})
	}
	// A certificate for another name is refused, and not retried. (Over
	// loopback TCP: net.Pipe, unbuffered, would leave the refusing client
	// and the server each writing to the other.)
	f := newFixture(t)
	s := (&deliverytest.Sink{TLS: cert}).Listen(t)
	var dialled string
	cfg := Config{Host: "other.example.org", From: "dsme@example.org", Commissioners: []string{"c@example.org"}, Contacts: "c.csv"}
	res, err := Send(context.Background(), cfg, NewPlan(cfg, f.contacts, f.out), Options{Dial: s.Redirect(&dialled), TLSConfig: roots, Backoff: time.Millisecond})
	if conns, _, _ := s.Stats(); err == nil || !strings.Contains(res.Outcomes[0].Error, "certificate") || conns != 1 || len(s.Received()) != 0 {
		t.Errorf("wrong certificate: %v, %+v, %d conversations", err, res.Outcomes[0], conns)
	}
}

// Nobody gets another practice's list: a plan that would attach one
// practice's file to another's message, or a practice's list to the
// commissioners', is refused whole before anything is sent.
func TestSendRefusesAnotherPracticesFile(t *testing.T) {
	f := newFixture(t)
	s := (&deliverytest.Sink{}).Listen(t)
	cfg := loopbackConfig(t, s.Addr)
	audit := &auditLog{}

	wrong := f.out
	wrong.Practices = map[string][]string{
		"F83004": {f.out.Practices["F83004"][0], f.out.Practices["F83005"][0]},
	}
	_, err := Send(context.Background(), cfg, NewPlan(cfg, f.contacts, wrong), Options{Audit: AuditTo(audit, cli)})
	if err == nil || !strings.Contains(err.Error(), "practice F83004's message would carry F83005-2026Q2.pdf") {
		t.Errorf("another practice's file: %v", err)
	}
	wrong = f.out
	wrong.Pack = append([]string{}, f.out.Pack[0], f.out.Practices["F83006"][0])
	_, err = Send(context.Background(), cfg, NewPlan(cfg, f.contacts, wrong), Options{Audit: AuditTo(audit, cli)})
	if err == nil || !strings.Contains(err.Error(), "the commissioners' message would carry F83006-2026Q2.pdf") {
		t.Errorf("a practice's list in the pack: %v", err)
	}
	// Named to look right but for a code that is not the practice's own.
	p := Plan{Quarter: "2026Q2", Messages: []Message{{Role: RolePractice, Practice: "F8300", To: []string{"a@example.org"}, Files: []string{"F8300-x.pdf"}}}}
	if err := p.Check(); err == nil {
		t.Error("a practice code that is not an ODS code passed")
	}
	if conns, _, _ := s.Stats(); conns != 0 || len(audit.events) != 0 {
		t.Errorf("%d conversations, %d audit events", conns, len(audit.events))
	}
}

// Deliver loads the contacts file the configuration names; a bad file
// stops everything before a message is sent. An audit log that cannot be
// written stops sending.
func TestDeliver(t *testing.T) {
	f := newFixture(t)
	s := (&deliverytest.Sink{}).Listen(t)
	cfg := loopbackConfig(t, s.Addr)
	cfg.Contacts = filepath.Join(f.dir, "contacts.csv")
	os.WriteFile(cfg.Contacts, []byte("practice_code,email\r\nF83004,a@example.org\r\nF83005,a@example.org\r\n"), 0o644)
	var log bytes.Buffer
	res, err := Deliver(context.Background(), cfg, f.out, Options{Log: &log})
	if err != nil || res.Sent != 3 || !reflect.DeepEqual(res.Missing, []string{"F83006"}) {
		t.Fatalf("Deliver: %+v, %v", res, err)
	}
	if !strings.Contains(log.String(), "Check the contacts file: a@example.org is listed for F83004 (line 2) and F83005 (line 3)") {
		t.Errorf("the shared address was not pointed out:\n%s", log.String())
	}

	os.WriteFile(cfg.Contacts, []byte("practice_code,email\nF83004,a@example\n"), 0o644)
	before := len(s.Received())
	if _, err := Deliver(context.Background(), cfg, f.out, Options{}); err == nil || !strings.Contains(err.Error(), "nothing was sent") ||
		!strings.Contains(err.Error(), "line 2") || len(s.Received()) != before {
		t.Errorf("bad contacts: %v", err)
	}

	os.WriteFile(cfg.Contacts, []byte("practice_code,email\nF83004,a@example.org\n"), 0o644)
	audit := &auditLog{fail: context.DeadlineExceeded}
	res, err = Deliver(context.Background(), cfg, f.out, Options{Audit: AuditTo(audit, cli)})
	if err == nil || !strings.Contains(err.Error(), "writing the audit log, so stopped sending after 1 of 2 messages") || len(s.Received()) != before+1 {
		t.Errorf("audit failure: %v, %d received", err, len(s.Received())-before)
	}
}
