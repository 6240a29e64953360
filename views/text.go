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
