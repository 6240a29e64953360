package linesim

import (
	"fmt"
	"hash/fnv"
	"html"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"
)

// handleAvatar serves a user's default profile picture: initials on a
// coloured circle, generated because no external network exists here. LINE
// clients append /large (200×200) or /small (51×51) to picture URLs.
func (s *Server) handleAvatar(w http.ResponseWriter, r *http.Request) {
	px := 200
	switch r.PathValue("size") {
	case "", "large":
	case "small":
		px = 51
	default:
		http.NotFound(w, r)
		return
	}
	s.state.mu.Lock()
	u, ok := s.state.users[r.PathValue("userID")]
	s.state.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "image/svg+xml")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	h.Set("X-Content-Type-Options", "nosniff")
	_, _ = fmt.Fprint(w, avatarSVG(u, px))
}

func avatarSVG(u User, px int) string {
	hue := fnv.New32a()
	_, _ = hue.Write([]byte(u.ID))
	return fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 100 100">`+
		`<circle cx="50" cy="50" r="50" fill="hsl(%d, 55%%, 45%%)"/>`+
		`<text x="50" y="50" dy=".35em" text-anchor="middle" font-family="system-ui, sans-serif" font-size="40" fill="#fff">%s</text>`+
		`</svg>`, px, px, hue.Sum32()%360, html.EscapeString(initials(u.Name)))
}

// initials are the first letters of the first two words of a name.
func initials(name string) string {
	var b strings.Builder
	for i, word := range strings.Fields(name) {
		if i == 2 {
			break
		}
		first, _ := utf8.DecodeRuneInString(word)
		b.WriteRune(unicode.ToUpper(first))
	}
	return b.String()
}
