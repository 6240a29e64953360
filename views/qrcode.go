package views

import (
	"strconv"
	"strings"

	"github.com/a-h/templ"
	qrcode "github.com/skip2/go-qrcode"
)

// qrSVG draws text as a QR code in SVG: one path of unit squares, scaled
// by the browser, so it stays sharp at any size and needs no image
// endpoint. Medium error correction survives a phone camera at an angle.
func qrSVG(text, label string) templ.Component {
	code, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		// Only text too long for any QR version fails; a link request URL
		// is far shorter. Show nothing rather than break the page.
		return templ.NopComponent
	}
	bitmap := code.Bitmap() // includes the quiet zone
	var d strings.Builder
	for y, row := range bitmap {
		for x, black := range row {
			if black {
				d.WriteString("M" + strconv.Itoa(x) + " " + strconv.Itoa(y) + "h1v1h-1z")
			}
		}
	}
	size := strconv.Itoa(len(bitmap))
	return templ.Raw(`<svg class="qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ` + size + ` ` + size +
		`" shape-rendering="crispEdges" role="img" aria-label="` + templ.EscapeString(label) + `">` +
		`<rect width="100%" height="100%" fill="#fff"/><path fill="#000" d="` + d.String() + `"/></svg>`)
}
