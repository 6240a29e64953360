// Package portal holds the domain of the LINE Partner Portal: its types,
// error codes and the rules of who may do what, in which state, and what
// happens next. It imports no SQL, no HTTP and no templates, so the rules can
// be read in one sitting and tested without a server.
package portal

import (
	"errors"
	"fmt"
	"maps"
	"slices"
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

// Error is an error a person may read: a refusal of the rules names its
// Reason (a stable code, listed in reasons.go) and the Params the sentence
// needs, as name/value pairs; the edge writes the sentence in the reader's
// language (the domain holds no sentences; what LINE answered travels as a
// parameter). Fields names the form fields the error concerns, each with
// its reason (ErrorFields adds those of More).
type Error struct {
	Code   string
	Reason Reason
	Params []any
	Fields map[string]string
	// More are the refusals of the form's other fields found with this
	// one (FieldRefusals), so that a form reports every field's problem
	// at once rather than one per attempt.
	More []*Error
}

func (e *Error) Error() string {
	return fmt.Sprintf("portal error: code=%s reason=%s params=%v", e.Code, e.Reason, e.Params)
}

// Refuse returns the refusal reason with the given code and parameters
// (name/value pairs: strings, numbers, or the domain's own values such as a
// Region or a Term, which the edge names in the reader's language).
func Refuse(code string, reason Reason, params ...any) *Error {
	return &Error{Code: code, Reason: reason, Params: params}
}

// FieldRefusal returns an EINVALID refusal about one form field.
func FieldRefusal(field string, reason Reason, params ...any) *Error {
	return &Error{Code: EINVALID, Reason: reason, Params: params, Fields: map[string]string{field: string(reason)}}
}

// FieldRefusals joins the refusals of a form's fields, given in the
// form's order, into one: the first, carrying the others in More. It is
// nil when every one is nil. An error that is not a refusal (an *Error) is
// returned as it is.
func FieldRefusals(errs ...error) error {
	var joined *Error
	for _, err := range errs {
		if err == nil {
			continue
		}
		e, ok := errors.AsType[*Error](err)
		if !ok {
			return err
		}
		if joined == nil {
			first := *e
			first.More = slices.Clone(e.More)
			joined = &first
			continue
		}
		alone := *e
		alone.More = nil
		joined.More = append(append(joined.More, &alone), e.More...)
	}
	if joined == nil {
		return nil
	}
	return joined
}

// OnField returns err as a refusal about the form field named field
// instead of its own, when err is an *Error; other errors as they are.
func OnField(err error, field string) error {
	e, ok := errors.AsType[*Error](err)
	if !ok {
		return err
	}
	moved := *e
	moved.Fields = map[string]string{field: string(e.Reason)}
	return &moved
}

// ErrorReason returns the refusal reason of err, however wrapped; "" when
// it has none.
func ErrorReason(err error) Reason {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Reason
	}
	return ""
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

// ErrorFields returns the form fields err concerns, however wrapped, each
// with its reason, those of its More included (a field refused twice
// keeps its first reason); nil when it names none.
func ErrorFields(err error) map[string]string {
	e, ok := errors.AsType[*Error](err)
	if !ok {
		return nil
	}
	if len(e.More) == 0 {
		return e.Fields
	}
	fields := maps.Clone(e.Fields)
	if fields == nil {
		fields = map[string]string{}
	}
	for _, more := range e.More {
		for field, reason := range more.Fields {
			if _, refused := fields[field]; !refused {
				fields[field] = reason
			}
		}
	}
	return fields
}
