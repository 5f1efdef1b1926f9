package delivery

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
	"strings"
	"sync"
	"testing"
	"time"
)

// sink is a minimal SMTP server for tests: EHLO, STARTTLS (when it has a
// certificate), AUTH PLAIN and LOGIN, MAIL, RCPT, DATA, RSET, NOOP and
// QUIT. It keeps what it receives and can refuse every MAIL FROM.
type sink struct {
	// refuse, if set, is the reply to every MAIL FROM, e.g. "451 4.3.0 try later".
	refuse string
	// tls, if set, makes the sink offer STARTTLS.
	tls *tls.Config
	// auth makes the sink offer AUTH with these mechanisms, e.g. "PLAIN LOGIN".
	auth string

	addr string
	wg   sync.WaitGroup

	mu       sync.Mutex
	messages []received
	mails    int      // MAIL FROM commands seen
	conns    int      // conversations
	logins   []string // "user:password" of each sign-in
}

// received is one message the sink accepted.
type received struct {
	from string
	rcpt []string
	data []byte
	tls  bool
}

// listen starts the sink on a loopback port; it stops with the test.
func (s *sink) listen(t *testing.T) *sink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
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

// pipe returns a Dial that connects to the sink through net.Pipe, without
// networking, whatever address is dialled; dialled records the address.
func (s *sink) pipe(t *testing.T, dialled *string) func(context.Context, string, string) (net.Conn, error) {
	t.Cleanup(s.wg.Wait)
	return func(_ context.Context, _, addr string) (net.Conn, error) {
		*dialled = addr
		client, server := net.Pipe()
		s.wg.Add(1)
		go func() { defer s.wg.Done(); s.serve(server) }()
		return client, nil
	}
}

// redirect returns a Dial that connects to the listening sink whatever
// address is dialled; dialled records the address.
func (s *sink) redirect(dialled *string) func(context.Context, string, string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		*dialled = addr
		var d net.Dialer
		return d.DialContext(ctx, network, s.addr)
	}
}

// serve holds one conversation, for at most ten seconds.
func (s *sink) serve(conn net.Conn) {
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
		msg       received
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
			if s.tls != nil && !encrypted {
				ext = append(ext, "250-STARTTLS")
			}
			if s.auth != "" {
				ext = append(ext, "250-AUTH "+s.auth)
			}
			reply(append(ext, "250 8BITMIME")...)
		case "STARTTLS":
			if s.tls == nil || encrypted {
				reply("502 5.5.1 no")
				continue
			}
			reply("220 2.0.0 ready")
			tc := tls.Server(conn, s.tls)
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
			if s.refuse != "" {
				reply(s.refuse)
				continue
			}
			msg = received{from: angle(arg), tls: encrypted}
			reply("250 2.1.0 ok")
		case "RCPT":
			msg.rcpt = append(msg.rcpt, angle(arg))
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
			msg.data = data.Bytes()
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

func (s *sink) received() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.messages...)
}

// attachment is one attached file of a received message, decoded.
type attachment struct {
	name, contentType string
	data              string
}

// parsed is a received message read back as a mail client would.
type parsed struct {
	header      mail.Header
	text        string
	attachments []attachment
}

// parse reads a received message: its headers, its text and its
// attachments, decoded.
func parse(t *testing.T, data []byte) parsed {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	p := parsed{header: m.Header}
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
			p.text += string(b)
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
		p.attachments = append(p.attachments, attachment{part.FileName(), part.Header.Get("Content-Type"), string(dec)})
	}
	return p
}

func (p parsed) names() string {
	var n []string
	for _, a := range p.attachments {
		n = append(n, a.name)
	}
	return fmt.Sprint(n)
}

// stats returns how many conversations and MAIL commands the sink has
// seen, and its sign-ins.
func (s *sink) stats() (conns, mails int, logins []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns, s.mails, append([]string(nil), s.logins...)
}

// testCertificate makes a self-signed certificate for host: the sink's
// TLS configuration, and a client configuration that trusts it.
func testCertificate(t *testing.T, host string) (server, client *tls.Config) {
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
