package views

import (
	"context"
	"io"

	"github.com/a-h/templ"
)

// Text is s as HTML text: "@Text(s)" writes what "{ s }" writes, without
// allocating. templ formats every "{ … }" through fmt.Sprint, boxing and
// copying the string, and the longest tables hold several a row, so their
// rows' cells use Text (issue 15).
type Text string

// Render writes the text, escaped.
func (t Text) Render(_ context.Context, w io.Writer) error {
	_, err := io.WriteString(w, templ.EscapeString(string(t)))
	return err
}

// dataLabel is the data-label attribute of a table's cells (the column's
// name, message id, which a phone shows beside each cell), made once for
// the table: "<td { label... }>" writes what data-label={ … } writes, but
// without formatting the name again through fmt.Sprint in every row.
func dataLabel(ctx context.Context, id string) templ.Attributer {
	return templ.OrderedAttributes{{Key: "data-label", Value: T(ctx, id)}}
}

// StatusBadge shows a status with a colour for its tone: ok, bad, wait or
// neutral:
//
//	<span class="badge status-badge badge-ok">Verified</span>
//
// Like Time it is written in Go and returns its own type, because tables
// show one a row: as a templ component each badge cost a closure and
// templ's set-up of a component, and its class a CSS class processor.
func StatusBadge(label, tone string) Badge { return Badge{label, tone} }

// Badge is the element StatusBadge renders.
type Badge struct{ label, tone string }

// badgeClasses are each tone's classes; any other tone is neutral.
var badgeClasses = map[string]string{"ok": "badge status-badge badge-ok", "bad": "badge status-badge badge-bad", "wait": "badge status-badge badge-wait"}

// Render writes the element, its label escaped.
func (b Badge) Render(_ context.Context, w io.Writer) error {
	class, ok := badgeClasses[b.tone]
	if !ok {
		class = "badge status-badge"
	}
	for _, s := range [...]string{`<span class="`, class, `">`, templ.EscapeString(b.label), `</span>`} {
		if _, err := io.WriteString(w, s); err != nil {
			return err
		}
	}
	return nil
}
