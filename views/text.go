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
