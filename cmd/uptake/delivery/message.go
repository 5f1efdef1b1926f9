package delivery

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// contentTypes are the attachments' types by extension. They are spelt
// out rather than taken from the system's MIME table, which differs from
// machine to machine and may lack XLSX.
var contentTypes = map[string]string{
	".pdf":  "application/pdf",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".html": "text/html; charset=utf-8",
	".csv":  "text/csv; charset=utf-8",
}

// contentType returns the Content-Type of an attachment named name.
func contentType(name string) string {
	if t, ok := contentTypes[strings.ToLower(filepath.Ext(name))]; ok {
		return t
	}
	return "application/octet-stream"
}

// describe says in a few words what a file is for, in the message body.
func describe(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".pdf":
		return "PDF, to read and print"
	case ".xlsx":
		return "Excel workbook, to sort and work from"
	case ".html":
		return "web page: open it in a browser, which can print it"
	case ".csv":
		return "CSV, for a spreadsheet"
	}
	return "file"
}

// composed is a message ready for the relay.
type composed struct {
	from  string   // envelope sender, the bare address
	rcpt  []string // envelope recipients, bare addresses
	data  []byte   // the whole message, CRLF line ends
	id    string   // Message-ID, with its angle brackets
	bytes int      // size of the attachments before encoding
}

// compose builds m as a MIME message: a plain-text body saying what is
// attached, for which quarter and whom to ask, and each file attached in
// base64 with its type. *id is the Message-ID, made here if empty.
func compose(cfg Config, quarter string, m Message, now time.Time, id *string) (composed, error) {
	from, err := parseAddress(cfg.From)
	if err != nil {
		return composed{}, fmt.Errorf("delivery.from: %w", err)
	}
	c := composed{from: from.Address}
	to := make([]string, len(m.To))
	for i, s := range m.To {
		a, err := parseAddress(s)
		if err != nil {
			return composed{}, fmt.Errorf("%s: %w", m.who(), err)
		}
		to[i], c.rcpt = a.String(), append(c.rcpt, a.Address)
	}
	contact := from
	if cfg.ReplyTo != "" {
		if contact, err = parseAddress(cfg.ReplyTo); err != nil {
			return composed{}, fmt.Errorf("delivery.reply_to: %w", err)
		}
	}
	if *id == "" {
		if *id, err = messageID(from.Address, now); err != nil {
			return composed{}, err
		}
	}
	c.id = *id

	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	h := []string{
		"From: " + from.String(),
		"To: " + strings.Join(to, ", "),
	}
	if cfg.ReplyTo != "" {
		h = append(h, "Reply-To: "+contact.String())
	}
	h = append(h,
		"Subject: "+mime.QEncoding.Encode("utf-8", m.Subject),
		"Date: "+now.Format(time.RFC1123Z),
		"Message-ID: "+c.id,
		"MIME-Version: 1.0",
		"Content-Type: multipart/mixed; boundary="+mw.Boundary(),
	)
	buf.WriteString(strings.Join(h, "\r\n") + "\r\n\r\n")

	part, err := mw.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {"text/plain; charset=utf-8"},
		"Content-Transfer-Encoding": {"quoted-printable"},
	})
	if err != nil {
		return composed{}, err
	}
	qp := quotedprintable.NewWriter(part)
	if _, err := qp.Write([]byte(body(from, contact, quarter, m))); err != nil {
		return composed{}, err
	}
	if err := qp.Close(); err != nil {
		return composed{}, err
	}
	for _, f := range m.Files {
		b, err := os.ReadFile(f)
		if err != nil {
			return composed{}, fmt.Errorf("attachment for %s: %w", m.who(), err)
		}
		c.bytes += len(b)
		name := filepath.Base(f)
		part, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {mime.FormatMediaType(mediaType(name), map[string]string{"name": name})},
			"Content-Disposition":       {mime.FormatMediaType("attachment", map[string]string{"filename": name})},
			"Content-Transfer-Encoding": {"base64"},
		})
		if err != nil {
			return composed{}, err
		}
		if err := writeBase64(part, b); err != nil {
			return composed{}, err
		}
	}
	if err := mw.Close(); err != nil {
		return composed{}, err
	}
	c.data = buf.Bytes()
	return c, nil
}

// mediaType is contentType without its parameters, for FormatMediaType,
// which puts the charset back from the table.
func mediaType(name string) string {
	t, _, _ := strings.Cut(contentType(name), ";")
	return t
}

// writeBase64 writes b in base64 in lines of 76 characters (RFC 2045).
func writeBase64(w interface{ Write([]byte) (int, error) }, b []byte) error {
	enc := base64.StdEncoding.EncodeToString(b)
	for len(enc) > 0 {
		n := min(76, len(enc))
		if _, err := w.Write([]byte(enc[:n] + "\r\n")); err != nil {
			return err
		}
		enc = enc[n:]
	}
	return nil
}

// messageID makes a unique Message-ID in the sender's domain.
func messageID(from string, now time.Time) (string, error) {
	var r [12]byte
	if _, err := rand.Read(r[:]); err != nil {
		return "", err
	}
	_, domain, _ := strings.Cut(from, "@")
	return fmt.Sprintf("<%s.%s@%s>", now.UTC().Format("20060102T150405"), hex.EncodeToString(r[:]), domain), nil
}

// body is the plain-text body of m: what is attached, the quarter, what
// the files hold and whom to contact.
func body(from, contact *mail.Address, quarter string, m Message) string {
	service, sign := from.Name, from.Name
	if service == "" {
		service, sign = "the diabetes structured education service", "The diabetes structured education service"
	}
	var b strings.Builder
	files := func() {
		width := 0
		for _, n := range m.fileNames() {
			width = max(width, len(n))
		}
		for _, n := range m.fileNames() {
			fmt.Fprintf(&b, "  %-*s  %s\n", width, n, describe(n))
		}
		b.WriteString("\n")
	}
	if m.Role == RolePractice {
		fmt.Fprintf(&b, "Dear colleagues at practice %s,\n\n", m.Practice)
		fmt.Fprintf(&b, "Attached is your practice's list for %s from %s:\n\n", quarter, service)
		files()
		b.WriteString(wrap("It holds only your own practice's patients: those whose outcome of diabetes structured education was notified to you this quarter, with the code to enter in your clinical system (Read v2 and SNOMED CT), marking those already coded, and those who did not attend and are awaiting your follow-up, with the days left. Please keep it as you keep other patient-identifiable records, and do not forward it outside the practice.", 72))
		fmt.Fprintf(&b, "\n%s\n", wrap(fmt.Sprintf("Questions, or if this reached the wrong practice (then please delete it and tell us): reply to this email or write to %s.", contact.Address), 72))
	} else {
		b.WriteString("Dear colleagues,\n\n")
		fmt.Fprintf(&b, "Attached is the quarterly pack for %s from %s:\n\n", quarter, service)
		files()
		b.WriteString(wrap("It covers the pathway and conversion, non-attenders and follow-up, coding of outcomes in GP records, venues and times with the capacity advice, practices and equity. Small numbers are withheld or rounded as its cover says; it holds no patient's details.", 72))
		fmt.Fprintf(&b, "\n%s\n", wrap(fmt.Sprintf("Questions: reply to this email or write to %s.", contact.Address), 72))
	}
	fmt.Fprintf(&b, "%s\n(sent by uptake)\n", sign)
	return b.String()
}

// wrap breaks text into lines of at most width characters at spaces.
func wrap(text string, width int) string {
	var b strings.Builder
	n := 0
	for i, w := range strings.Fields(text) {
		switch {
		case i == 0:
		case n+1+len(w) > width:
			b.WriteString("\n")
			n = 0
		default:
			b.WriteString(" ")
			n++
		}
		b.WriteString(w)
		n += len(w)
	}
	return b.String() + "\n"
}
