package delivery

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every wrong setting is named, all at once.
func TestValidate(t *testing.T) {
	good := Config{Host: "smtp.example.org", From: "DSME <dsme@example.org>", Username: "dsme", PasswordEnv: "UPTAKE_SMTP_PASSWORD",
		Commissioners: []string{"c@example.org"}, Contacts: "contacts.csv"}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		change func(*Config)
		want   string
	}{
		{func(c *Config) { c.Host = "" }, "delivery.host is required"},
		{func(c *Config) { c.Host = "smtp://smtp.example.org" }, "is not a host name or address"},
		{func(c *Config) { c.Port = -1 }, "delivery.port -1 is not a port"},
		{func(c *Config) { c.From = "" }, "delivery.from is required"},
		{func(c *Config) { c.From = "dsme" }, `delivery.from: "dsme" is not an email address`},
		{func(c *Config) { c.ReplyTo = "team@" }, `delivery.reply_to: "team@" is not an email address`},
		{func(c *Config) { c.PasswordFile = "pw" }, "delivery.password_env and delivery.password_file are both set"},
		{func(c *Config) { c.PasswordEnv = "" }, "delivery.username is set without a password"},
		{func(c *Config) { c.Username = "" }, "delivery.username is required with a password"},
		{func(c *Config) { c.PasswordEnv = "$SMTP_PASSWORD" }, "delivery.password_env \"$SMTP_PASSWORD\" should be the name of an environment variable"},
		{func(c *Config) { c.Commissioners = nil }, "delivery.commissioners is required"},
		{func(c *Config) { c.Commissioners = []string{"c@example.org", "lead"} }, `delivery.commissioners[1]: "lead" is not an email address`},
		{func(c *Config) { c.Contacts = "" }, "delivery.contacts is required"},
	} {
		c := good
		tc.change(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v; want %q", err, tc.want)
		}
	}
	// Loopback and IPv6 addresses are hosts too.
	for _, h := range []string{"localhost", "127.0.0.1", "::1", "relay"} {
		c := good
		c.Host = h
		if err := c.Validate(); err != nil {
			t.Errorf("%s: %v", h, err)
		}
	}
	if a := (Config{Host: "::1", Port: 25}).address(); a != "[::1]:25" {
		t.Errorf("address %s", a)
	}
}

// The password comes from the environment or the first line of a file,
// and a missing one names the setting.
func TestPassword(t *testing.T) {
	t.Setenv("UPTAKE_TEST_PW", "from env")
	if p, err := (Config{PasswordEnv: "UPTAKE_TEST_PW"}).password(); p != "from env" || err != nil {
		t.Errorf("env: %q, %v", p, err)
	}
	if _, err := (Config{PasswordEnv: "UPTAKE_TEST_PW_UNSET"}).password(); err == nil || !strings.Contains(err.Error(), "delivery.password_env names UPTAKE_TEST_PW_UNSET, which is not set") {
		t.Errorf("unset: %v", err)
	}
	f := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(f, []byte("from file\r\nignored\n"), 0o600)
	if p, err := (Config{PasswordFile: f}).password(); p != "from file" || err != nil {
		t.Errorf("file: %q, %v", p, err)
	}
	os.WriteFile(f, nil, 0o600)
	if _, err := (Config{PasswordFile: f}).password(); err == nil || !strings.Contains(err.Error(), "is empty") {
		t.Errorf("empty file: %v", err)
	}
	if _, err := (Config{PasswordFile: f + "x"}).password(); err == nil || !strings.Contains(err.Error(), "delivery.password_file") {
		t.Errorf("missing file: %v", err)
	}
	// Send reads it before anything is sent.
	fx := newFixture(t)
	cfg := Config{Host: "localhost", From: "a@example.org", Username: "u", PasswordEnv: "UPTAKE_TEST_PW_UNSET", Commissioners: []string{"c@example.org"}, Contacts: "c.csv"}
	if _, err := Send(t.Context(), cfg, NewPlan(cfg, fx.contacts, fx.out), Options{Dial: nil}); err == nil || !strings.HasPrefix(err.Error(), "nothing was sent: delivery.password_env") {
		t.Errorf("Send without a password: %v", err)
	}
}
