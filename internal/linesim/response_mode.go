package linesim

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-jose/go-jose/v4"
	"golang.org/x/text/language"
)

// Values of response_mode LINE documents. jwt means query.jwt.
const (
	responseModeQuery       = "query"
	responseModeFormPost    = "form_post"
	responseModeQueryJWT    = "query.jwt"
	responseModeFormPostJWT = "form_post.jwt"
	responseModeJWT         = "jwt"
)

// responseJWTLifetime is the exp of a JARM response JWT. JARM asks for a
// short lifetime and suggests 10 minutes, the life of the code it carries.
const responseJWTLifetime = 10 * time.Minute

// parseResponseMode reads response_mode; "" is query, LINE's default.
func parseResponseMode(v string) (string, bool) {
	switch v {
	case "":
		return responseModeQuery, true
	case responseModeQuery, responseModeFormPost, responseModeQueryJWT, responseModeFormPostJWT:
		return v, true
	case responseModeJWT:
		return responseModeQueryJWT, true
	}
	return "", false
}

// authorizeReply is where and how a LINE Login authorization response goes.
type authorizeReply struct {
	channelID   string
	redirectURI string
	mode        string // a value parseResponseMode returned
	lang        language.Tag
}

// reply sends an authorization response (name, value pairs; empty values
// are left out) to the client in the request's response mode: as query
// parameters, as a form posted by the browser, or inside a signed JWT (JARM)
// sent either way.
func (s *Server) reply(w http.ResponseWriter, r *http.Request, to authorizeReply, pairs ...string) {
	if to.mode == responseModeQueryJWT || to.mode == responseModeFormPostJWT {
		jwt, err := s.responseJWT(to.channelID, pairs)
		if err != nil {
			s.log.ErrorContext(r.Context(), "linesim: sign the response JWT", slog.Any("error", err))
			http.Error(w, "Internal Server Error", http.StatusInternalServerError)
			return
		}
		pairs = []string{"response", jwt}
	}
	if to.mode == responseModeFormPost || to.mode == responseModeFormPostJWT {
		s.renderFormPost(w, r, to.lang, to.redirectURI, pairs)
		return
	}
	redirectToClient(w, r, to.redirectURI, pairs...)
}

// responseJWT is JARM's response JWT: iss, aud and exp, and the response's
// parameters as string claims, signed HS256 with the channel secret as
// LINE's example header (alg HS256, no kid) and its web-login ID tokens are.
func (s *Server) responseJWT(channelID string, pairs []string) (string, error) {
	s.state.mu.Lock()
	secret := s.state.channels[channelID].Secret
	s.state.mu.Unlock()
	claims := map[string]any{
		"iss": s.baseURL,
		"aud": channelID,
		"exp": s.now().Add(responseJWTLifetime).Unix(),
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			claims[pairs[i]] = pairs[i+1]
		}
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte(secret)}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// formField is one hidden field of the form_post page.
type formField struct{ Name, Value string }

// autoSubmitScript submits the form_post page's form on load; the page's
// Content-Security-Policy allows this script by its hash and nothing else.
const autoSubmitScript = `document.forms[0].submit();`

var autoSubmitScriptHash = func() string {
	sum := sha256.Sum256([]byte(autoSubmitScript))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}()

// renderFormPost answers with a page whose form posts the response to the
// redirect URI (OAuth 2.0 Form Post Response Mode). It submits itself; a
// browser without JavaScript shows a Continue button.
func (s *Server) renderFormPost(w http.ResponseWriter, r *http.Request, lang language.Tag, action string, pairs []string) {
	var fields []formField
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			fields = append(fields, formField{pairs[i], pairs[i+1]})
		}
	}
	s.writeHTML(w, r, http.StatusOK, formPostPage(newTranslator(lang), action, fields), fmt.Sprintf("script-src %s; ", autoSubmitScriptHash))
}
