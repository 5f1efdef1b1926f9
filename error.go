// Package uptake holds what every layer of uptake shares: the error type
// that says whose mistake an error is. The layers themselves are packages
// below this one, in the order data flow through them: ingest, db,
// queries, dashboard (docs/architecture.md).
package uptake

import (
	"errors"
	"fmt"
)

// Error codes say what went wrong in words every layer understands. The
// dashboard answers each with one HTTP status (the codes table in
// dashboard/errors.go); any error without a code is internal.
const (
	// EINVALID: the request or the files sent are wrong, such as a filter
	// naming a practice that is not loaded or a quarter refused for its
	// files. Message says what is wrong and what is allowed.
	EINVALID = "invalid"
	// ECEILING: a quarter refused only because its files lost more rows to
	// the checks than the configuration allows, or are dated in another
	// quarter (ingest's rejection ceiling). It is the caller's mistake like
	// EINVALID, but whoever may load may load it anyway, and is offered to.
	ECEILING = "rejection_ceiling"
	// EFORBIDDEN: the signed-in user's role does not allow it.
	EFORBIDDEN = "forbidden"
	// ENOTFOUND: no such page or record.
	ENOTFOUND = "not_found"
	// ETOOLARGE: what was sent is larger than allowed.
	ETOOLARGE = "too_large"
	// EINTERNAL: anything else; the details are for the log, never for
	// the user.
	EINTERNAL = "internal"
)

// Error is an error with a code and a message written for the person who
// made the request: it is shown to them as it is.
type Error struct {
	Code    string
	Message string
}

// Error returns the message.
func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with code and a message formatted as by
// fmt.Sprintf.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for an error without one, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain, or
// "Internal error." for an error without one (its text may hold details
// nobody outside should read), and "" for nil.
func ErrorMessage(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Message
	}
	return "Internal error."
}
