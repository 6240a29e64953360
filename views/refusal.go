package views

import (
	"context"

	"lineportal/internal/locale"
	"slices"
	"sort"

	"lineportal/internal/portal"
)

// Refusal is why the portal refused a form, in the one shape every form
// view takes: one sentence, and the form field it concerns ("" when it
// concerns the form as a whole). A form shows it once: next to that field,
// or above the form when the form has no such field (RefusalAlert).
type Refusal struct {
	Field   string
	Message string
}

// Refused tells whether there is a refusal to show.
func (r Refusal) Refused() bool { return r.Message != "" }

// On is the sentence to show next to the field name; "" when the refusal
// does not concern it.
func (r Refusal) On(name string) string {
	if r.Field == name {
		return r.Message
	}
	return ""
}

// RefusalOf is the refusal a form shows for err; the zero Refusal for nil.
func RefusalOf(ctx context.Context, err error) Refusal {
	if err == nil {
		return Refusal{}
	}
	ref := Refusal{Message: Sentence(ctx, err)}
	// A domain error names at most one field; the smallest name if ever
	// it named more, so the page does not change from one render to the
	// next.
	fields := make([]string, 0, 1)
	for name := range portal.ErrorFields(err) {
		fields = append(fields, name)
	}
	sort.Strings(fields)
	if len(fields) > 0 {
		ref.Field = fields[0]
	}
	return ref
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
