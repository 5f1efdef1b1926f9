package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/uptake-nhs/uptake/queries"
)

// The delivery section loads with its file paths made relative to the
// configuration file's folder; without it nothing can be sent; a wrong
// setting is an error naming it.
func TestLoadDeliverySettings(t *testing.T) {
	path := writeConfig(t, `{"delivery": {"host": "smtp.example.org", "from": "DSME <dsme@example.org>",
		"username": "dsme", "password_file": "smtp-password", "commissioners": ["c@example.org"], "contacts": "contacts.csv"}}`)
	s, err := loadSettings(path)
	if err != nil {
		t.Fatal(err)
	}
	d := s.Delivery
	if d == nil || d.Host != "smtp.example.org" || d.Port != 0 || d.Contacts != filepath.Join(filepath.Dir(path), "contacts.csv") ||
		d.PasswordFile != filepath.Join(filepath.Dir(path), "smtp-password") {
		t.Errorf("got %+v", d)
	}
	if s.Config.Hash() != queries.DefaultConfig().Hash() {
		t.Error("the delivery section changed the hash of the derived tables")
	}
	if s, err := loadSettings(writeConfig(t, `{"follow_up_window_days": 28}`)); err != nil || s.Delivery != nil {
		t.Errorf("without a delivery section: %+v, %v", s.Delivery, err)
	}
	if s, _ := loadSettings(writeConfig(t, `{"delivery": {"host": "localhost", "from": "a@example.org", "commissioners": ["c@example.org"], "contacts": "/srv/uptake/contacts.csv"}}`)); s.Delivery.Contacts != "/srv/uptake/contacts.csv" {
		t.Errorf("an absolute path moved: %s", s.Delivery.Contacts)
	}
	for text, want := range map[string]string{
		`{"delivery": {}}`: "delivery.host is required",
		`{"delivery": {"host": "smtp.example.org:587", "from": "a@example.org", "commissioners": ["c@example.org"], "contacts": "c.csv"}}`:              `delivery.host "smtp.example.org:587" is not a host name`,
		`{"delivery": {"host": "smtp.example.org", "from": "a@example.org", "password": "x", "commissioners": ["c@example.org"], "contacts": "c.csv"}}`: `unknown field "password"`,
		`{"delivery": {"host": "smtp.example.org", "from": "a@example.org", "username": "a", "commissioners": ["c@example.org"], "contacts": "c.csv"}}`: "delivery.username is set without a password",
		`{"delivery": {"host": "smtp.example.org", "from": "a@example.org", "commissioners": ["commissioner"], "contacts": "c.csv"}}`:                   `delivery.commissioners[0]: "commissioner" is not an email address`,
		`{"delivery": {"host": "smtp.example.org", "port": 70000, "from": "a@example.org", "commissioners": ["c@example.org"], "contacts": "c.csv"}}`:   "delivery.port 70000 is not a port",
	} {
		if _, err := loadSettings(writeConfig(t, text)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v; want %q", text, err, want)
		}
	}
}
