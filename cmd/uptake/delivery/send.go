package delivery

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/smtp"
	"net/textproto"
	"os"
	"slices"
	"strings"
	"time"
)

// Defaults of Options.
const (
	DefaultAttempts = 3
	DefaultBackoff  = 30 * time.Second
	DefaultTimeout  = 2 * time.Minute
)

// Options say how Send sends.
type Options struct {
	// DryRun lists who would get what, checking the plan, the addresses
	// and that every file can be read, and sends nothing (nor audits).
	DryRun bool
	// Audit is called once for every message that was sent or finally
	// failed, before the next is tried. If it returns an error Send stops
	// sending: nothing leaves uptake that the audit log does not record.
	// AuditTo makes one that writes to the accounts audit log.
	Audit func(context.Context, Outcome) error
	// Log receives progress for people, a line a message; nil discards it.
	Log io.Writer
	// Attempts is how many times a message is tried; 0 means
	// DefaultAttempts (3).
	Attempts int
	// Backoff is the wait before the second round of attempts, doubled
	// before each further round; 0 means DefaultBackoff (30s). Messages
	// are tried in rounds, so a relay that is down for a minute costs one
	// wait, not one per practice.
	Backoff time.Duration
	// Timeout bounds one conversation with the relay; 0 means
	// DefaultTimeout (2 minutes).
	Timeout time.Duration
	// Dial connects to the relay; nil means a plain TCP connection. Tests
	// set it to talk to a sink without networking.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// TLSConfig is used for STARTTLS; nil means the system's roots with
	// the relay's host name. Its ServerName, if empty, is the host.
	TLSConfig *tls.Config
	// Now is the clock for the Date header; nil means time.Now.
	Now func() time.Time
}

// Outcome is what became of one message, for the audit log and the
// caller: who it was for, which files, how many attempts, and the relay's
// last answer if it failed. It holds no patient data: file names and
// addresses only.
type Outcome struct {
	Quarter   string
	Role      Role
	Practice  string   // ODS code, for a practice's message
	To        []string // the recipients' addresses
	Files     []string // the attachments' file names
	Attempts  int      // 0 in a dry run, or when the relay was refused before this message was tried
	Sent      bool
	MessageID string // set once composed
	Error     string // why it failed; empty if sent
}

// Detail says in one line what the outcome was, for the audit log.
func (o Outcome) Detail() string {
	what := "pack"
	if o.Role == RolePractice {
		what = "practice list " + o.Practice
	}
	s := fmt.Sprintf("%s %s to %s: %s; ", o.Quarter, what, strings.Join(o.To, ", "), strings.Join(o.Files, ", "))
	if o.Sent {
		return s + fmt.Sprintf("sent on attempt %d, %s", o.Attempts, o.MessageID)
	}
	return s + fmt.Sprintf("failed after %d attempt%s: %s", o.Attempts, plural(o.Attempts), o.Error)
}

// Result is what Send did.
type Result struct {
	// Outcomes has one entry per message of the plan, in its order.
	Outcomes []Outcome
	// Sent and Failed count the messages; in a dry run both are 0.
	Sent, Failed int
	// Missing are the practices whose list was not sent for want of an
	// address (Plan.Missing).
	Missing []string
}

// Deliver loads the contacts file the configuration names, plans the
// messages for out and sends them (Send): the one call uptake report
// --send and --dry-run need. A contacts file with problems is an error
// before anything is sent; practices without an address are reported in
// the log and Result.Missing.
func Deliver(ctx context.Context, cfg Config, out Outputs, opts Options) (Result, error) {
	if err := cfg.Validate(); err != nil {
		return Result{}, err
	}
	contacts, err := LoadContacts(cfg.Contacts)
	if err != nil {
		return Result{}, fmt.Errorf("nothing was sent: %w", err)
	}
	log := opts.Log
	if log == nil {
		log = io.Discard
	}
	for _, w := range contacts.Warnings {
		fmt.Fprintln(log, "Check the contacts file:", w)
	}
	return Send(ctx, cfg, NewPlan(cfg, contacts, out), opts)
}

// Send sends the plan's messages through the relay, each tried up to
// opts.Attempts times with a backoff between rounds, and calls opts.Audit
// for each message sent or finally failed. It returns an error if any
// message failed, after trying the others. Nothing is sent if the plan
// fails Check, the password cannot be read, or (for a relay that is not
// on this machine) the relay does not offer STARTTLS.
func Send(ctx context.Context, cfg Config, p Plan, opts Options) (Result, error) {
	res := Result{Missing: p.Missing}
	if err := p.Check(); err != nil {
		return res, err
	}
	opts = opts.withDefaults()
	log := opts.Log
	res.Outcomes = make([]Outcome, len(p.Messages))
	for i, m := range p.Messages {
		res.Outcomes[i] = Outcome{Quarter: p.Quarter, Role: m.Role, Practice: m.Practice, To: bareAddresses(m.To), Files: m.fileNames()}
	}
	if opts.DryRun {
		return res, dryRun(cfg, p, opts, res)
	}
	pass, err := cfg.password()
	if err != nil {
		return res, fmt.Errorf("nothing was sent: %w", err)
	}
	fmt.Fprintf(log, "Sending %s through %s: %s.\n", p.Quarter, cfg.address(), count(p))

	ids := make([]string, len(p.Messages))
	pending := make([]int, len(p.Messages))
	for i := range pending {
		pending[i] = i
	}
	var fatal error // a refusal by the relay that no message can get past
	for attempt := 1; len(pending) > 0; attempt++ {
		var again []int
		for _, i := range pending {
			m, o := p.Messages[i], &res.Outcomes[i]
			if fatal == nil && ctx.Err() == nil {
				o.Attempts = attempt
				err = send(ctx, cfg, pass, p.Quarter, m, &ids[i], opts)
			} else {
				err = cmpErr(fatal, ctx.Err())
			}
			o.MessageID = ids[i]
			var se *sendError
			switch {
			case err == nil:
				o.Sent = true
				res.Sent++
				fmt.Fprintf(log, "Sent to %s (%s): %s\n", m.who(), strings.Join(o.To, ", "), strings.Join(o.Files, ", "))
			case attempt < opts.Attempts && ctx.Err() == nil && fatal == nil && !(errors.As(err, &se) && se.permanent):
				again = append(again, i)
				fmt.Fprintf(log, "Could not send to %s (attempt %d of %d): %v\n", m.who(), attempt, opts.Attempts, err)
				continue
			default:
				if errors.As(err, &se) && se.permanent && se.relay {
					fatal = err
				}
				o.Error = err.Error()
				res.Failed++
				fmt.Fprintf(log, "FAILED to send to %s after %d attempt%s: %v\n", m.who(), o.Attempts, plural(o.Attempts), err)
			}
			if opts.Audit != nil {
				// Audit even when ctx is cancelled: the record of what
				// left, or did not, must not be lost with the run.
				if aerr := opts.Audit(context.WithoutCancel(ctx), *o); aerr != nil {
					return res, fmt.Errorf("writing the audit log, so stopped sending after %d of %d messages: %w", res.Sent+res.Failed, len(p.Messages), aerr)
				}
			}
		}
		pending = again
		if len(pending) > 0 {
			wait := opts.Backoff << (attempt - 1)
			fmt.Fprintf(log, "Trying %d message%s again in %s.\n", len(pending), plural(len(pending)), wait)
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
			}
		}
	}
	summary(log, cfg, p, res)
	if res.Failed > 0 {
		var who []string
		for i, o := range res.Outcomes {
			if !o.Sent {
				who = append(who, p.Messages[i].who())
			}
		}
		return res, fmt.Errorf("%d of %d messages failed (%s); each is in the audit log with the relay's answer", res.Failed, len(p.Messages), strings.Join(who, ", "))
	}
	return res, nil
}

// cmpErr returns the first non-nil error.
func cmpErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func (o Options) withDefaults() Options {
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.Attempts <= 0 {
		o.Attempts = DefaultAttempts
	}
	if o.Backoff <= 0 {
		o.Backoff = DefaultBackoff
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Dial == nil {
		o.Dial = (&net.Dialer{Timeout: o.Timeout}).DialContext
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// dryRun composes every message, which checks the addresses and that
// every file can be read, and lists who would get what.
func dryRun(cfg Config, p Plan, opts Options, res Result) error {
	log := opts.Log
	fmt.Fprintf(log, "Dry run: nothing is sent. For %s, through %s, uptake would send %s:\n", p.Quarter, cfg.address(), count(p))
	var errs []error
	for i, m := range p.Messages {
		var id string
		c, err := compose(cfg, p.Quarter, m, opts.Now(), &id)
		if err != nil {
			errs = append(errs, err)
			fmt.Fprintf(log, "  %s: CANNOT SEND: %v\n", m.who(), err)
			continue
		}
		fmt.Fprintf(log, "  %s (%s): %s (%s)\n", m.who(), strings.Join(res.Outcomes[i].To, ", "), strings.Join(res.Outcomes[i].Files, ", "), size(c.bytes))
	}
	if len(p.Missing) > 0 {
		fmt.Fprintf(log, "Not sent, no address in the contacts file: %d practice%s: %s\n", len(p.Missing), plural(len(p.Missing)), strings.Join(p.Missing, ", "))
	}
	return errors.Join(errs...)
}

// summary prints the last lines of a run.
func summary(log io.Writer, cfg Config, p Plan, res Result) {
	fmt.Fprintf(log, "Sent %d of %d message%s", res.Sent, len(p.Messages), plural(len(p.Messages)))
	if res.Failed > 0 {
		fmt.Fprintf(log, "; %d FAILED", res.Failed)
	}
	fmt.Fprintln(log, ".")
	if len(p.Missing) > 0 {
		fmt.Fprintf(log, "Not sent, no address in the contacts file: %d practice%s: %s\n", len(p.Missing), plural(len(p.Missing)), strings.Join(p.Missing, ", "))
	}
}

// count says how many messages of each kind a plan holds.
func count(p Plan) string {
	n, pack := 0, false
	for _, m := range p.Messages {
		if m.Role == RolePractice {
			n++
		} else {
			pack = true
		}
	}
	s := fmt.Sprintf("%d practice list%s", n, plural(n))
	if pack {
		s += " and the pack to the commissioners"
	}
	return s
}

func size(n int) string {
	if n < 1024 {
		return fmt.Sprintf("%d bytes", n)
	}
	if n < 1024*1024 {
		return fmt.Sprintf("%.0f KB", float64(n)/1024)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1024*1024))
}

// bareAddresses returns the addresses without their names, as the audit
// log records them.
func bareAddresses(list []string) []string {
	out := make([]string, 0, len(list))
	for _, s := range list {
		if a, err := parseAddress(s); err == nil {
			out = append(out, a.Address)
		} else {
			out = append(out, s)
		}
	}
	return out
}

// sendError is an error in talking to the relay. A permanent one (a 5xx
// answer, no STARTTLS) is not retried; a relay one stops every message,
// as the next would meet it too.
type sendError struct {
	err       error
	permanent bool
	relay     bool
}

func (e *sendError) Error() string { return e.err.Error() }
func (e *sendError) Unwrap() error { return e.err }

// classify wraps err from the relay: 5xx answers are permanent.
func classify(err error, relay bool, format string) error {
	if err == nil {
		return nil
	}
	var te *textproto.Error
	permanent := errors.As(err, &te) && te.Code >= 500
	if te != nil {
		// As the relay said it, without textproto's quotes.
		err = &relayAnswer{te: te}
	}
	return &sendError{err: fmt.Errorf(format, err), permanent: permanent, relay: relay}
}

// relayAnswer is the relay's answer as it gave it: "451 4.3.0 try later".
type relayAnswer struct{ te *textproto.Error }

func (a *relayAnswer) Error() string { return fmt.Sprintf("%03d %s", a.te.Code, a.te.Msg) }
func (a *relayAnswer) Unwrap() error { return a.te }

// send composes m and has one conversation with the relay to send it. id
// keeps the message's Message-ID across attempts, so that a message
// delivered twice after a lost reply is known as one.
func send(ctx context.Context, cfg Config, pass, quarter string, m Message, id *string, opts Options) error {
	c, err := compose(cfg, quarter, m, opts.Now(), id)
	if err != nil {
		return &sendError{err: err, permanent: true}
	}
	conn, err := opts.Dial(ctx, "tcp", cfg.address())
	if err != nil {
		return &sendError{err: fmt.Errorf("connecting to the relay %s: %w", cfg.address(), err), relay: true}
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(opts.Timeout))
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	cl, err := smtp.NewClient(conn, cfg.Host)
	if err != nil {
		return classify(err, true, "the relay's greeting: %w")
	}
	defer cl.Close()
	if err := cl.Hello(helloName()); err != nil {
		return classify(err, true, "EHLO: %w")
	}
	if !isLoopback(cfg.Host) {
		if ok, _ := cl.Extension("STARTTLS"); !ok {
			return &sendError{err: fmt.Errorf("the relay %s does not offer STARTTLS, and uptake sends through a relay on another machine only encrypted: use the relay's submission port (587) or one that offers STARTTLS", cfg.address()), permanent: true, relay: true}
		}
		tc := &tls.Config{MinVersion: tls.VersionTLS12}
		if opts.TLSConfig != nil {
			tc = opts.TLSConfig.Clone()
		}
		if tc.ServerName == "" {
			tc.ServerName = cfg.Host
		}
		if err := cl.StartTLS(tc); err != nil {
			var te *textproto.Error
			// A certificate that does not verify will not verify next time.
			return &sendError{err: fmt.Errorf("STARTTLS with %s: %w", cfg.address(), err), permanent: !errors.As(err, &te) || te.Code >= 500, relay: true}
		}
	}
	if cfg.Username != "" {
		ok, mechs := cl.Extension("AUTH")
		if !ok {
			return &sendError{err: fmt.Errorf("the relay %s does not offer sign-in (AUTH), but delivery.username is set", cfg.address()), permanent: true, relay: true}
		}
		if err := cl.Auth(&auth{user: cfg.Username, pass: pass, host: cfg.Host, mechs: strings.Fields(mechs)}); err != nil {
			return classify(err, true, "signing in to the relay as delivery.username: %w")
		}
	}
	if err := cl.Mail(c.from); err != nil {
		return classify(err, false, "MAIL FROM: %w")
	}
	for _, r := range c.rcpt {
		if err := cl.Rcpt(r); err != nil {
			return classify(err, false, "RCPT TO "+r+": %w")
		}
	}
	w, err := cl.Data()
	if err != nil {
		return classify(err, false, "DATA: %w")
	}
	if _, err := w.Write(c.data); err != nil {
		return classify(err, false, "sending the message: %w")
	}
	if err := w.Close(); err != nil {
		return classify(err, false, "the relay refused the message: %w")
	}
	// The relay has taken the message; an error in saying goodbye does
	// not make it unsent.
	_ = cl.Quit()
	return nil
}

// helloName is the name uptake gives itself in EHLO.
func helloName() string {
	if h, err := os.Hostname(); err == nil && h != "" && !strings.ContainsAny(h, " \t\r\n") {
		return h
	}
	return "localhost"
}

// auth signs in with PLAIN or LOGIN, whichever the relay offers (relays
// such as Exchange offer only LOGIN). It refuses to send the password
// unencrypted to a relay on another machine.
type auth struct {
	user, pass, host string
	mechs            []string
	login            bool
	step             int
}

// Start chooses the mechanism.
func (a *auth) Start(si *smtp.ServerInfo) (string, []byte, error) {
	if !si.TLS && !isLoopback(a.host) {
		return "", nil, errors.New("refusing to send the password unencrypted")
	}
	mechs := a.mechs
	if len(si.Auth) > 0 {
		mechs = si.Auth
	}
	switch {
	case slices.ContainsFunc(mechs, func(m string) bool { return strings.EqualFold(m, "PLAIN") }):
		return "PLAIN", []byte("\x00" + a.user + "\x00" + a.pass), nil
	case slices.ContainsFunc(mechs, func(m string) bool { return strings.EqualFold(m, "LOGIN") }):
		a.login = true
		return "LOGIN", nil, nil
	}
	return "", nil, fmt.Errorf("the relay offers sign-in by %s only; uptake signs in with PLAIN or LOGIN", strings.Join(mechs, ", "))
}

// Next answers LOGIN's prompts for the username and the password.
func (a *auth) Next(fromServer []byte, more bool) ([]byte, error) {
	if !more {
		return nil, nil
	}
	if !a.login {
		return nil, errors.New("unexpected challenge from the relay during PLAIN sign-in")
	}
	a.step++
	prompt := strings.ToLower(string(fromServer))
	switch {
	case strings.Contains(prompt, "user"):
		return []byte(a.user), nil
	case strings.Contains(prompt, "pass"):
		return []byte(a.pass), nil
	case a.step == 1:
		return []byte(a.user), nil
	case a.step == 2:
		return []byte(a.pass), nil
	}
	return nil, errors.New("unexpected challenge from the relay during LOGIN sign-in")
}
