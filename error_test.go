package uptake

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrorCodeAndMessage(t *testing.T) {
	refused := Errorf(EINVALID, "quarter %s is refused", "2026Q2")
	for _, c := range []struct {
		err        error
		code, msg  string
		shownAsMsg bool
	}{
		{nil, "", "", false},
		{refused, EINVALID, "quarter 2026Q2 is refused", true},
		// Wrapping keeps the code and the user's message.
		{fmt.Errorf("loading: %w", refused), EINVALID, "quarter 2026Q2 is refused", false},
		// An error without a code is internal, and its text stays inside.
		{errors.New("duckdb: disk full at /var/lib"), EINTERNAL, "Internal error.", false},
	} {
		if got := ErrorCode(c.err); got != c.code {
			t.Errorf("ErrorCode(%v) = %q, want %q", c.err, got, c.code)
		}
		if got := ErrorMessage(c.err); got != c.msg {
			t.Errorf("ErrorMessage(%v) = %q, want %q", c.err, got, c.msg)
		}
		if c.shownAsMsg && c.err.Error() != c.msg {
			t.Errorf("Error() = %q, want the message %q", c.err.Error(), c.msg)
		}
	}
}
