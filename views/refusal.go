package views

import (
	"context"
	"errors"
	"maps"
	"slices"

	"lineportal/internal/locale"
	"lineportal/internal/portal"
)

// Refusal is why the portal refused a form, in the one shape every form
// view takes: one sentence, and the form field it concerns ("" when it
// concerns the form as a whole), with the sentences of the form's other
// fields refused with it. A form shows each once: next to its field, or
// above the form when the form has no such field (RefusalAlert).
type Refusal struct {
	Field   string
	Message string
	// Others are the sentences of the other fields refused with Field, by
	// field name.
	Others map[string]string
}

// Refused tells whether there is a refusal to show.
func (r Refusal) Refused() bool { return r.Message != "" }

// On is the sentence to show next to the field name; "" when the refusal
// does not concern it.
func (r Refusal) On(name string) string {
	if r.Field == name {
		return r.Message
	}
	return r.Others[name]
}

// RefusalOf is the refusal a form shows for err; the zero Refusal for nil.
func RefusalOf(ctx context.Context, err error) Refusal {
	if err == nil {
		return Refusal{}
	}
	ref := Refusal{Message: Sentence(ctx, err)}
	e, ok := errors.AsType[*portal.Error](err)
	if !ok {
		return ref
	}
	ref.Field = fieldOf(e)
	for _, other := range e.More {
		field := fieldOf(other)
		if _, told := ref.Others[field]; field == "" || field == ref.Field || told {
			continue
		}
		if ref.Others == nil {
			ref.Others = map[string]string{}
		}
		ref.Others[field] = Sentence(ctx, other)
	}
	return ref
}

// fieldOf is the form field a refusal concerns: it names at most one; the
// smallest name if ever it named more, so that the page does not change
// from one render to the next.
func fieldOf(e *portal.Error) string {
	if len(e.Fields) == 0 {
		return ""
	}
	return slices.Sorted(maps.Keys(e.Fields))[0]
}

// Sentence is the one place where an error becomes the sentence a person
// reads: a refusal on its form, a reason an action is not offered, the
// error page. It is built from the error's code and what the error carries
// (portal.Error); internal errors never show their text. ctx is the
// request's, so that the sentence can be in the reader's language.
func Sentence(ctx context.Context, err error) string {
	return locale.From(ctx).Refusal(err)
}

// shownAbove tells whether a form whose own fields are inline shows ref
// above itself: when it concerns none of them.
func shownAbove(ref Refusal, inline []string) bool {
	return ref.Refused() && !slices.Contains(inline, ref.Field)
}
