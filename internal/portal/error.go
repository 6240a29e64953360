// Package portal holds the domain of the LINE Partner Portal: its types,
// error codes and the rules of who may do what, in which state, and what
// happens next. It imports no SQL, no HTTP and no templates, so the rules can
// be read in one sitting and tested without a server.
package portal

import (
	"errors"
	"fmt"
)

// Error codes. The web layer maps each to one HTTP status in one place.
const (
	EINVALID         = "invalid"         // the input breaks a rule; the message says which
	EUNAUTHENTICATED = "unauthenticated" // not signed in
	EFORBIDDEN       = "forbidden"       // signed in, but not allowed
	ENOTFOUND        = "not_found"
	ECONFLICT        = "conflict"    // the state changed under the request (already approved, already linked)
	EGONE            = "gone"        // a link URL that expired or was replaced
	EUNAVAILABLE     = "unavailable" // e.g. the Official Account is suspended
	EINTERNAL        = "internal"
)

// Error is an error a person may read: Message is written for the user of
// the portal, never for a developer. Fields holds per-field messages for
// forms, keyed by the form field's name.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
}

func (e *Error) Error() string {
	return fmt.Sprintf("portal error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns an EINVALID error about one form field.
func FieldError(field, message string) *Error {
	return &Error{Code: EINVALID, Message: message, Fields: map[string]string{field: message}}
}

// ErrorCode returns the code of err; errors that are not *Error are internal.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of err that may be shown to a person.
// Internal errors never show their text: it may hold SQL, paths or secrets.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Message
	}
	return "Internal error."
}

// ErrorFields returns the per-field messages of err, however wrapped; nil
// when it has none.
func ErrorFields(err error) map[string]string {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Fields
	}
	return nil
}
