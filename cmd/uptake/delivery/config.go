// Package delivery emails what uptake report writes each quarter: each
// practice its own list, and the commissioners the quarterly pack, through
// the SMTP relay named in the configuration file's "delivery" section.
//
// The caller needs one call, Deliver: it loads the practice contacts CSV,
// plans one message per practice holding only that practice's files and
// one to the commissioners holding the pack, and sends them with retries,
// reporting every message sent or failed to an audit function. With
// Options.DryRun it says who would get what and sends nothing.
//
// Nobody gets another practice's list: a practice's message may carry only
// files whose names start with that practice's ODS code, and the
// commissioners' message none that look like a practice's list. Send checks
// this for the whole plan before sending anything.
package delivery

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
)

// DefaultPort is the SMTP submission port, on which relays offer STARTTLS.
const DefaultPort = 587

// Config is the "delivery" section of the configuration file
// (docs/configuration.md): which relay to send through, as whom, and to
// whom. The password is never in the file itself nor on the command line:
// it is read from an environment variable (PasswordEnv) or a file
// (PasswordFile) when messages are sent.
type Config struct {
	// Host is the SMTP relay's name or address. Unless it is loopback
	// (localhost, 127.0.0.0/8, ::1), the relay must offer STARTTLS and
	// every message goes encrypted; otherwise nothing is sent.
	Host string `json:"host"`
	// Port is the relay's port; 0 means DefaultPort (587).
	Port int `json:"port"`
	// From is the sender, e.g. "Diabetes Education <dsme@example.org>".
	// Its name, if any, signs the messages.
	From string `json:"from"`
	// ReplyTo is where questions should go, if not to From.
	ReplyTo string `json:"reply_to,omitempty"`
	// Username signs in to the relay; empty means the relay needs no
	// sign-in (a relay on the same machine or one that trusts this host).
	Username string `json:"username,omitempty"`
	// PasswordEnv names the environment variable holding the password.
	PasswordEnv string `json:"password_env,omitempty"`
	// PasswordFile is a file whose first line is the password. A relative
	// path is relative to the configuration file's folder.
	PasswordFile string `json:"password_file,omitempty"`
	// Commissioners are the addresses that get the quarterly pack, all in
	// one message.
	Commissioners []string `json:"commissioners"`
	// Contacts is the practice contacts CSV (practice_code,email; see
	// LoadContacts). A relative path is relative to the configuration
	// file's folder.
	Contacts string `json:"contacts"`
}

// Validate checks the section's settings, naming the setting that is
// wrong. It reads no file and no environment: the password and the
// contacts are read when messages are sent, so that a server sharing the
// configuration file does not need them.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf("delivery."+format, args...)) }
	switch {
	case c.Host == "":
		bad("host is required: the SMTP relay to send through, e.g. \"smtp.example.org\"")
	case strings.ContainsAny(c.Host, " :/@") && net.ParseIP(c.Host) == nil:
		bad("host %q is not a host name or address (give the port in delivery.port)", c.Host)
	}
	if c.Port < 0 || c.Port > 65535 {
		bad("port %d is not a port (1-65535; 0 or left out means %d)", c.Port, DefaultPort)
	}
	if c.From == "" {
		bad("from is required: the address the messages come from")
	} else if _, err := parseAddress(c.From); err != nil {
		bad("from: %v", err)
	}
	if c.ReplyTo != "" {
		if _, err := parseAddress(c.ReplyTo); err != nil {
			bad("reply_to: %v", err)
		}
	}
	switch {
	case c.PasswordEnv != "" && c.PasswordFile != "":
		bad("password_env and delivery.password_file are both set: give one")
	case c.Username != "" && c.PasswordEnv == "" && c.PasswordFile == "":
		bad("username is set without a password: name the environment variable holding it in delivery.password_env, or a file in delivery.password_file (never on the command line)")
	case c.Username == "" && (c.PasswordEnv != "" || c.PasswordFile != ""):
		bad("username is required with a password")
	}
	if c.PasswordEnv != "" && strings.ContainsAny(c.PasswordEnv, "=$ \t") {
		bad("password_env %q should be the name of an environment variable, such as UPTAKE_SMTP_PASSWORD", c.PasswordEnv)
	}
	if len(c.Commissioners) == 0 {
		bad("commissioners is required: the addresses that get the quarterly pack")
	}
	for i, a := range c.Commissioners {
		if _, err := parseAddress(a); err != nil {
			bad("commissioners[%d]: %v", i, err)
		}
	}
	if c.Contacts == "" {
		bad("contacts is required: the CSV file of practice_code,email that says where each practice's list goes")
	}
	return errors.Join(errs...)
}

// RelativeTo makes the relative file paths of c (contacts, password_file)
// relative to dir, the configuration file's folder, so that a scheduled
// run finds them whatever its working folder.
func (c *Config) RelativeTo(dir string) {
	for _, p := range []*string{&c.Contacts, &c.PasswordFile} {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(dir, *p)
		}
	}
}

// address is host:port of the relay.
func (c Config) address() string {
	port := c.Port
	if port == 0 {
		port = DefaultPort
	}
	return net.JoinHostPort(c.Host, fmt.Sprint(port))
}

// password reads the relay password from where the configuration says.
func (c Config) password() (string, error) {
	switch {
	case c.PasswordEnv != "":
		p, ok := os.LookupEnv(c.PasswordEnv)
		if !ok || p == "" {
			return "", fmt.Errorf("delivery.password_env names %s, which is not set in this environment: set it where uptake runs (the systemd unit's EnvironmentFile, or the cron line's environment)", c.PasswordEnv)
		}
		return p, nil
	case c.PasswordFile != "":
		b, err := os.ReadFile(c.PasswordFile)
		if err != nil {
			return "", fmt.Errorf("delivery.password_file: %w", err)
		}
		p, _, _ := strings.Cut(string(b), "\n")
		p = strings.TrimSuffix(p, "\r")
		if p == "" {
			return "", fmt.Errorf("delivery.password_file %s is empty", c.PasswordFile)
		}
		return p, nil
	}
	return "", nil
}

// isLoopback reports whether host names this machine: localhost, or an
// address in 127.0.0.0/8 or ::1. Other names are not looked up, so a name
// that merely resolves to loopback still needs STARTTLS.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// parseAddress parses one email address, which may carry a name
// ("Practice Admin <admin@example.org>"), and asks for a dot in its domain
// so that "admin@nhsnet" is caught.
func parseAddress(s string) (*mail.Address, error) {
	a, err := mail.ParseAddress(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("%q is not an email address", s)
	}
	_, domain, _ := strings.Cut(a.Address, "@")
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return nil, fmt.Errorf("%q is not an email address (its domain %q has no dot)", s, domain)
	}
	return a, nil
}
