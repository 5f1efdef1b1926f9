package queries

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/uptake-nhs/uptake"
)

// A filter error is the caller's mistake: it reads as uptake.EINVALID,
// even wrapped, with its own text as the message the user is shown.
func TestFilterErrorIsInvalid(t *testing.T) {
	_, err := ParseFilter(url.Values{"channel": {"pigeon"}})
	if err == nil {
		t.Fatal("channel=pigeon accepted")
	}
	for _, e := range []error{err, fmt.Errorf("page: %w", err)} {
		if got := uptake.ErrorCode(e); got != uptake.EINVALID {
			t.Errorf("ErrorCode(%v) = %q, want %q", e, got, uptake.EINVALID)
		}
		if got, want := uptake.ErrorMessage(e), `filter channel="pigeon": must be one of: letter, e-referral, phone, email, text message`; got != want {
			t.Errorf("ErrorMessage = %q, want %q", got, want)
		}
	}
}
