// Package deliverytest is an SMTP sink for tests of uptake's delivery:
// a minimal server on loopback (or through net.Pipe, without networking)
// that keeps what it receives, can refuse, offers STARTTLS and sign-in on
// request, and reads messages back as a mail client would. The delivery
// package's tests use it, and so can those of uptake report --send.
package deliverytest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Sink is a minimal SMTP server for tests: EHLO, STARTTLS (when it has a
// certificate), AUTH PLAIN and LOGIN, MAIL, RCPT, DATA, RSET, NOOP and
// QUIT. It keeps what it receives and can refuse every MAIL FROM.
type Sink struct {
	// Refuse, if set, is the reply to every MAIL FROM, e.g. "451 4.3.0 try later".
	Refuse string
	// TLS, if set, makes the sink offer STARTTLS.
	TLS *tls.Config
	// Auth makes the sink offer AUTH with these mechanisms, e.g. "PLAIN LOGIN".
	Auth string

	// Addr is where Listen listens, "127.0.0.1:PORT".
	Addr string
	wg   sync.WaitGroup

	mu       sync.Mutex
	messages []Received
	mails    int      // MAIL FROM commands seen
	conns    int      // conversations
	logins   []string // "user:password" of each sign-in
}

// Received is one message the sink accepted: its envelope, its data as
// sent (CRLF line ends, dots unstuffed) and whether it came over TLS.
type Received struct {
	From string
	Rcpt []string
	Data []byte
	TLS  bool
}

// Listen starts the sink on a loopback port; it stops with the test.
func (s *Sink) Listen(t testing.TB) *Sink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Addr = ln.Addr().String()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return // closed at cleanup
			}
			s.wg.Add(1)
			go func() { defer s.wg.Done(); s.serve(conn) }()
		}
	}()
	t.Cleanup(func() { ln.Close(); s.wg.Wait() })
	return s
}

// Pipe returns a Dial that connects to the sink through net.Pipe, without
// networking, whatever address is dialled; dialled records the address.
func (s *Sink) Pipe(t testing.TB, dialled *string) func(context.Context, string, string) (net.Conn, error) {
	t.Cleanup(s.wg.Wait)
	return func(_ context.Context, _, addr string) (net.Conn, error) {
		*dialled = addr
		client, server := net.Pipe()
		s.wg.Add(1)
		go func() { defer s.wg.Done(); s.serve(server) }()
		return client, nil
	}
}

// Redirect returns a Dial that connects to the listening sink whatever
// address is dialled; dialled records the address.
func (s *Sink) Redirect(dialled *string) func(context.Context, string, string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		*dialled = addr
		var d net.Dialer
		return d.DialContext(ctx, network, s.Addr)
	}
}

// serve holds one conversation, for at most ten seconds.
func (s *Sink) serve(conn net.Conn) {
	// Closing the connection underneath TLS, not the TLS one, sends no
	// close_notify, which over net.Pipe would wait for a reader.
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	s.mu.Lock()
	s.conns++
	s.mu.Unlock()
	r := bufio.NewReader(conn)
	reply := func(lines ...string) bool {
		_, err := io.WriteString(conn, strings.Join(lines, "\r\n")+"\r\n")
		return err == nil
	}
	readLine := func() (string, bool) {
		l, err := r.ReadString('\n')
		return strings.TrimRight(l, "\r\n"), err == nil
	}
	var (
		msg       Received
		encrypted bool
	)
	if !reply("220 sink ESMTP") {
		return
	}
	for n := 0; n < 100; n++ {
		line, ok := readLine()
		if !ok {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			ext := []string{"250-sink"}
			if s.TLS != nil && !encrypted {
				ext = append(ext, "250-STARTTLS")
			}
			if s.Auth != "" {
				ext = append(ext, "250-AUTH "+s.Auth)
			}
			reply(append(ext, "250 8BITMIME")...)
		case "STARTTLS":
			if s.TLS == nil || encrypted {
				reply("502 5.5.1 no")
				continue
			}
			reply("220 2.0.0 ready")
			tc := tls.Server(conn, s.TLS)
			if err := tc.Handshake(); err != nil {
				return
			}
			conn, r, encrypted = tc, bufio.NewReader(tc), true
		case "AUTH":
			mech, initial, _ := strings.Cut(arg, " ")
			var user, pass string
			switch strings.ToUpper(mech) {
			case "PLAIN":
				b, _ := base64.StdEncoding.DecodeString(initial)
				parts := strings.Split(string(b), "\x00")
				if len(parts) == 3 {
					user, pass = parts[1], parts[2]
				}
			case "LOGIN":
				reply("334 " + base64.StdEncoding.EncodeToString([]byte("Username:")))
				l, _ := readLine()
				b, _ := base64.StdEncoding.DecodeString(l)
				user = string(b)
				reply("334 " + base64.StdEncoding.EncodeToString([]byte("Password:")))
				l, _ = readLine()
				b, _ = base64.StdEncoding.DecodeString(l)
				pass = string(b)
			}
			s.mu.Lock()
			s.logins = append(s.logins, user+":"+pass)
			s.mu.Unlock()
			reply("235 2.7.0 signed in")
		case "MAIL":
			s.mu.Lock()
			s.mails++
			s.mu.Unlock()
			if s.Refuse != "" {
				reply(s.Refuse)
				continue
			}
			msg = Received{From: angle(arg), TLS: encrypted}
			reply("250 2.1.0 ok")
		case "RCPT":
			msg.Rcpt = append(msg.Rcpt, angle(arg))
			reply("250 2.1.5 ok")
		case "DATA":
			reply("354 go ahead")
			var data bytes.Buffer
			for {
				l, ok := readLine()
				if !ok {
					return
				}
				if l == "." {
					break
				}
				data.WriteString(strings.TrimPrefix(l, ".") + "\r\n")
			}
			msg.Data = data.Bytes()
			s.mu.Lock()
			s.messages = append(s.messages, msg)
			s.mu.Unlock()
			reply("250 2.0.0 queued")
		case "RSET", "NOOP":
			reply("250 ok")
		case "QUIT":
			reply("221 bye")
			return
		default:
			reply("502 5.5.2 unknown command")
		}
	}
}

// angle returns the address in "FROM:<a@b>".
func angle(arg string) string {
	_, a, _ := strings.Cut(arg, "<")
	a, _, _ = strings.Cut(a, ">")
	return a
}

// Received returns the messages the sink has accepted, in order.
func (s *Sink) Received() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.messages...)
}

// Attachment is one attached file of a received message, decoded.
type Attachment struct {
	Name, ContentType string
	Data              string
}

// Parsed is a received message read back as a mail client would.
type Parsed struct {
	Header      mail.Header
	Text        string // the plain-text parts, decoded
	Attachments []Attachment
}

// Parse reads a received message: its headers, its text and its
// attachments, decoded.
func Parse(t testing.TB, data []byte) Parsed {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	p := Parsed{Header: m.Header}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/mixed" {
		t.Fatalf("Content-Type %q: %v", m.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		part, err := mr.NextPart() // decodes quoted-printable itself
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(part)
		if err != nil {
			t.Fatal(err)
		}
		if part.FileName() == "" {
			p.Text += string(b)
			continue
		}
		if enc := part.Header.Get("Content-Transfer-Encoding"); enc != "base64" {
			t.Errorf("%s: Content-Transfer-Encoding %q", part.FileName(), enc)
		}
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\r\n") {
			if len(l) > 76 {
				t.Errorf("%s: a base64 line of %d characters", part.FileName(), len(l))
				break
			}
		}
		dec, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(string(b), "\r\n", ""))
		if err != nil {
			t.Fatalf("%s: %v", part.FileName(), err)
		}
		p.Attachments = append(p.Attachments, Attachment{part.FileName(), part.Header.Get("Content-Type"), string(dec)})
	}
	return p
}

// Names lists the attachments' file names.
func (p Parsed) Names() string {
	var n []string
	for _, a := range p.Attachments {
		n = append(n, a.Name)
	}
	return fmt.Sprint(n)
}

// Stats returns how many conversations and MAIL commands the sink has
// seen, and its sign-ins.
func (s *Sink) Stats() (conns, mails int, logins []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns, s.mails, append([]string(nil), s.logins...)
}

// Certificate makes a self-signed certificate for host: the sink's
// TLS configuration, and a client configuration that trusts it.
func Certificate(t testing.TB, host string) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: host},
		DNSNames:     []string{host},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(leaf)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}}},
		&tls.Config{RootCAs: roots}
}

// HostPort returns the listening sink's host and port, for a delivery
// configuration.
func (s *Sink) HostPort() (string, int) {
	host, port, _ := net.SplitHostPort(s.Addr)
	p, _ := strconv.Atoi(port)
	return host, p
}
