package views

import (
	"context"
	"time"

	"lineportal/internal/locale"
)

// T is the message id in the reader's language, with its parameters as
// name/value pairs (a parameter named Count picks the plural form).
func T(ctx context.Context, id string, kv ...any) string { return locale.From(ctx).T(id, kv...) }

// sentenceSpace is what the reader's language writes between a sentence
// (or a label, or an ID) and what follows it on the line. A template
// writes it where its own whitespace would leave a space, which Japanese
// and Chinese do not have.
func sentenceSpace(ctx context.Context) string { return locale.From(ctx).SentenceSpace() }

// formatTime writes t in the reader's time zone and language, the zone
// named.
func formatTime(ctx context.Context, t time.Time) string { return locale.From(ctx).Time(t) }

// formatDay writes a calendar day as the reader's language writes a date.
func formatDay(ctx context.Context, t time.Time) string { return locale.From(ctx).Day(t) }

// nameAndID writes a name followed by its ID (an organization's, an
// Official Account's basic ID) as the reader's language pairs them.
func nameAndID(ctx context.Context, name, id string) string {
	return T(ctx, "label.name_and_id", "Name", name, "ID", id)
}

// timeLeft says how long until t, in words a person reads at a glance.
func timeLeft(ctx context.Context, now, t time.Time) string { return locale.From(ctx).Left(now, t) }

// Language is one entry of the header's language switcher.
type Language struct{ Code, Name string }

// languages are the switcher's entries, each in its own words.
func languages() []Language {
	out := make([]Language, 0, len(locale.Languages))
	for _, t := range locale.Languages {
		out = append(out, Language{t.String(), locale.Names[t.String()]})
	}
	return out
}

// formatCount writes a count with its thousands grouped, as the three
// languages all write them: 5,000.
func formatCount(ctx context.Context, n int) string { return locale.From(ctx).Count(n) }
