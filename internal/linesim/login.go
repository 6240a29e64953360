package linesim

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Lifetimes LINE documents for LINE Login v2.1.
const (
	authCodeLifetime     = 10 * time.Minute
	accessTokenLifetime  = 30 * 24 * time.Hour
	refreshTokenLifetime = 90 * 24 * time.Hour
)

// invalidRequestDescription is LINE's wording for a token request with
// missing or malformed parameters.
const invalidRequestDescription = "some parameters missed or invalid"

// authCode is an issued authorization code and what it was issued for.
type authCode struct {
	channelID     string
	redirectURI   string
	scopes        []string
	nonce         string
	codeChallenge string
	userID        string
	amr           string
	authTime      time.Time
	withAuthTime  bool // max_age was sent, so the ID token carries auth_time
	expiresAt     time.Time
	exchanged     *grant // set by the first successful exchange
}

// grant is what one authorization-code exchange granted: a refresh token and
// the access tokens issued from it, revoked together.
type grant struct {
	channelID        string
	userID           string
	scopes           []string
	refreshToken     string
	refreshExpiresAt time.Time
	revoked          bool
}

type accessToken struct {
	grant     *grant
	expiresAt time.Time
}

// tokenFault is why an access token cannot be used.
type tokenFault int

const (
	tokenValid tokenFault = iota
	tokenUnknown
	tokenExpired
	tokenRevoked
)

// reason is LINE's wording for the fault. The simulator's tokens are opaque,
// but LINE's are JWS, so a token it does not know is "not JWS".
func (f tokenFault) reason() string {
	switch f {
	case tokenExpired:
		return "The access token expired"
	case tokenRevoked:
		return "The access token revoked"
	default:
		return "The access token not JWS"
	}
}

// tokenGrant is a copy, taken under the lock, of what a valid access token
// lets its holder see.
type tokenGrant struct {
	channelID string
	userID    string
	scopes    []string
	expiresAt time.Time
}

func (s *Server) inspectAccessToken(token string) (tokenGrant, tokenFault) {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	at, ok := s.state.accessTokens[token]
	switch {
	case !ok:
		return tokenGrant{}, tokenUnknown
	case at.grant.revoked:
		return tokenGrant{}, tokenRevoked
	case !s.now().Before(at.expiresAt):
		return tokenGrant{}, tokenExpired
	}
	g := at.grant
	return tokenGrant{channelID: g.channelID, userID: g.userID, scopes: g.scopes, expiresAt: at.expiresAt}, tokenValid
}

// grantedScope is the scope string LINE reports for a grant: it never lists
// email, even when email was granted.
func grantedScope(scopes []string) string {
	return strings.Join(slices.DeleteFunc(slices.Clone(scopes), func(s string) bool { return s == scopeEmail }), " ")
}

func (s *Server) handleDiscovery(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, struct {
		Issuer                           string   `json:"issuer"`
		AuthorizationEndpoint            string   `json:"authorization_endpoint"`
		TokenEndpoint                    string   `json:"token_endpoint"`
		RevocationEndpoint               string   `json:"revocation_endpoint"`
		UserinfoEndpoint                 string   `json:"userinfo_endpoint"`
		JWKSURI                          string   `json:"jwks_uri"`
		ScopesSupported                  []string `json:"scopes_supported"`
		ResponseTypesSupported           []string `json:"response_types_supported"`
		SubjectTypesSupported            []string `json:"subject_types_supported"`
		IDTokenSigningAlgValuesSupported []string `json:"id_token_signing_alg_values_supported"`
		CodeChallengeMethodsSupported    []string `json:"code_challenge_methods_supported"`
	}{
		Issuer:                 s.baseURL,
		AuthorizationEndpoint:  s.baseURL + "/oauth2/v2.1/authorize",
		TokenEndpoint:          s.baseURL + "/oauth2/v2.1/token",
		RevocationEndpoint:     s.baseURL + "/oauth2/v2.1/revoke",
		UserinfoEndpoint:       s.baseURL + "/oauth2/v2.1/userinfo",
		JWKSURI:                s.baseURL + "/oauth2/v2.1/certs",
		ScopesSupported:        []string{scopeOpenID, scopeProfile, scopeEmail},
		ResponseTypesSupported: []string{"code"},
		SubjectTypesSupported:  []string{"pairwise"},
		// LINE advertises ES256 only, although web-login ID tokens are HS256.
		IDTokenSigningAlgValuesSupported: []string{string(jose.ES256)},
		CodeChallengeMethodsSupported:    []string{"S256"},
	})
}

func (s *Server) handleCerts(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{s.signingKey.Public()}})
}

type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	ExpiresIn    int64  `json:"expires_in"`
	IDToken      string `json:"id_token,omitempty"`
	RefreshToken string `json:"refresh_token"`
	Scope        string `json:"scope"`
	TokenType    string `json:"token_type"`
}

func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	if status, ok := parseFormStatus(r); !ok {
		writeOAuthError(w, status, "invalid_request", invalidRequestDescription)
		return
	}
	switch grantType := r.PostForm.Get("grant_type"); grantType {
	case "authorization_code":
		s.exchangeCode(w, r)
	case "refresh_token":
		s.refreshAccessToken(w, r)
	case "client_credentials": // channel access token v2.1 shares the path
		answerClientAssertion(w, r)
	case "":
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", invalidRequestDescription)
	default:
		writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type", "unsupported grant_type: "+grantType)
	}
}

// authenticateClient checks the client credentials sent in a token
// endpoint's form body (client_id, client_secret) and answers
// invalid_client when they fail. The caller holds the lock.
func (s *Server) authenticateClient(w http.ResponseWriter, form url.Values) (LoginChannel, bool) {
	ch, ok := s.state.channels[form.Get("client_id")]
	if !ok || subtle.ConstantTimeCompare([]byte(ch.Secret), []byte(form.Get("client_secret"))) != 1 {
		writeOAuthError(w, http.StatusBadRequest, "invalid_client", "client authentication failed")
		return LoginChannel{}, false
	}
	return ch, true
}

func (s *Server) exchangeCode(w http.ResponseWriter, r *http.Request) {
	form := r.PostForm
	code, redirectURI, clientID := form.Get("code"), form.Get("redirect_uri"), form.Get("client_id")
	if code == "" || redirectURI == "" || clientID == "" {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", invalidRequestDescription)
		return
	}

	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	now := s.now()
	ch, ok := s.authenticateClient(w, form)
	if !ok {
		return
	}
	c, ok := s.state.codes[code]
	if !ok || c.channelID != ch.ID {
		writeOAuthError(w, http.StatusBadRequest, "invalid_grant", "invalid authorization code")
		return
	}
	if c.exchanged != nil {
		// RFC 6749 §4.1.2: a reused code may have been stolen, so everything
		// issued from it stops working.
		c.exchanged.revoked = true
		s.log.WarnContext(r.Context(), "linesim: authorization code reused; its tokens are revoked",
			slog.String("channel_id", ch.ID), slog.String("user_id", c.userID))
		writeOAuthError(w, http.StatusBadRequest, "invalid_grant", "authorization code already used")
		return
	}
	if !now.Before(c.expiresAt) {
		writeOAuthError(w, http.StatusBadRequest, "invalid_grant", "authorization code expired")
		return
	}
	if redirectURI != c.redirectURI {
		writeOAuthError(w, http.StatusBadRequest, "invalid_grant", "redirect_uri does not match")
		return
	}
	if c.codeChallenge != "" && !pkceVerifierMatches(form.Get("code_verifier"), c.codeChallenge) {
		writeOAuthError(w, http.StatusBadRequest, "invalid_grant", "invalid code_verifier")
		return
	}

	resp := tokenResponse{Scope: grantedScope(c.scopes), TokenType: "Bearer"}
	if slices.Contains(c.scopes, scopeOpenID) {
		idToken, err := s.signIDToken(s.state.idTokenClaims(c, s.baseURL, now), ch.Secret, form.Get("id_token_key_type") == "JWK")
		if err != nil {
			s.log.ErrorContext(r.Context(), "linesim: issue ID token", slog.Any("error", err))
			writeOAuthError(w, http.StatusInternalServerError, "server_error", "could not issue the ID token")
			return
		}
		resp.IDToken = idToken
	}
	g := &grant{
		channelID:        ch.ID,
		userID:           c.userID,
		scopes:           c.scopes,
		refreshToken:     newOpaqueToken(),
		refreshExpiresAt: now.Add(refreshTokenLifetime),
	}
	c.exchanged = g
	s.state.grants[g.refreshToken] = g
	resp.RefreshToken = g.refreshToken
	resp.AccessToken, resp.ExpiresIn = s.state.issueAccessToken(g, now)
	s.log.InfoContext(r.Context(), "linesim: tokens issued", slog.String("channel_id", ch.ID), slog.String("user_id", c.userID))
	writeJSON(w, http.StatusOK, resp)
}

// idTokenClaims builds the claims for a code being exchanged; the user's name,
// picture and email address are read now, as LINE does. The email claim needs
// the email scope, the channel's email permission and a user with an address.
// The caller holds the lock.
func (st *state) idTokenClaims(c *authCode, issuer string, now time.Time) idTokenClaims {
	claims := idTokenClaims{
		Issuer:   issuer,
		Subject:  c.userID,
		Audience: c.channelID,
		IssuedAt: now.Unix(),
		Expiry:   now.Unix() + idTokenLifetime,
		Nonce:    c.nonce,
		AMR:      []string{c.amr},
	}
	if c.withAuthTime {
		claims.AuthTime = c.authTime.Unix()
	}
	u := st.users[c.userID]
	if slices.Contains(c.scopes, scopeProfile) {
		claims.Name, claims.Picture = u.Name, u.PictureURL
	}
	if slices.Contains(c.scopes, scopeEmail) && st.channels[c.channelID].EmailPermission {
		claims.Email = u.Email
	}
	return claims
}

// issueAccessToken returns a new access token for g and its lifetime in
// seconds. The caller holds the lock.
func (st *state) issueAccessToken(g *grant, now time.Time) (string, int64) {
	token := newOpaqueToken()
	st.accessTokens[token] = &accessToken{grant: g, expiresAt: now.Add(accessTokenLifetime)}
	return token, int64(accessTokenLifetime / time.Second)
}

// pkceVerifierMatches checks a code_verifier (RFC 7636: 43 to 128 characters
// of A-Z a-z 0-9 - . _ ~) against an S256 code_challenge.
func pkceVerifierMatches(verifier, challenge string) bool {
	if len(verifier) < 43 || len(verifier) > 128 {
		return false
	}
	for _, c := range verifier {
		if !isUnreservedURLChar(c) {
			return false
		}
	}
	sum := sha256.Sum256([]byte(verifier))
	return subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(challenge)) == 1
}

func isUnreservedURLChar(c rune) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.ContainsRune("-._~", c)
}

func (s *Server) refreshAccessToken(w http.ResponseWriter, r *http.Request) {
	form := r.PostForm
	refreshToken, clientID := form.Get("refresh_token"), form.Get("client_id")
	if refreshToken == "" || clientID == "" {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", invalidRequestDescription)
		return
	}

	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	now := s.now()
	ch, ok := s.authenticateClient(w, form)
	if !ok {
		return
	}
	g, ok := s.state.grants[refreshToken]
	if !ok || g.revoked || g.channelID != ch.ID || !now.Before(g.refreshExpiresAt) {
		writeOAuthError(w, http.StatusBadRequest, "invalid_grant", "invalid refresh token")
		return
	}
	resp := tokenResponse{RefreshToken: g.refreshToken, Scope: grantedScope(g.scopes), TokenType: "Bearer"}
	resp.AccessToken, resp.ExpiresIn = s.state.issueAccessToken(g, now)
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) handleVerifyAccessToken(w http.ResponseWriter, r *http.Request) {
	tg, fault := s.inspectAccessToken(r.URL.Query().Get("access_token"))
	if fault != tokenValid {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", fault.reason())
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Scope     string `json:"scope"`
		ClientID  string `json:"client_id"`
		ExpiresIn int64  `json:"expires_in"`
	}{grantedScope(tg.scopes), tg.channelID, int64(tg.expiresAt.Sub(s.now()) / time.Second)})
}

func (s *Server) handleVerifyIDToken(w http.ResponseWriter, r *http.Request) {
	if status, ok := parseFormStatus(r); !ok {
		writeOAuthError(w, status, "invalid_request", invalidRequestDescription)
		return
	}
	form := r.PostForm
	clientID := form.Get("client_id")
	if form.Get("id_token") == "" || clientID == "" {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", invalidRequestDescription)
		return
	}
	payload, ok := s.verifiedIDTokenPayload(form.Get("id_token"))
	var claims idTokenClaims
	if !ok || json.Unmarshal(payload, &claims) != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "Invalid IdToken.")
		return
	}
	var problem string
	switch {
	case claims.Issuer != s.baseURL:
		problem = "Invalid IdToken Issuer."
	case s.now().Unix() >= claims.Expiry:
		problem = "IdToken expired."
	case claims.Audience != clientID:
		problem = "Invalid IdToken Audience."
	case form.Get("nonce") != "" && claims.Nonce != form.Get("nonce"):
		problem = "Invalid IdToken Nonce."
	case form.Get("user_id") != "" && claims.Subject != form.Get("user_id"):
		problem = "Invalid IdToken Subject Identifier."
	}
	if problem != "" {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", problem)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(payload)
}

func (s *Server) handleRevoke(w http.ResponseWriter, r *http.Request) {
	if status, ok := parseFormStatus(r); !ok {
		writeOAuthError(w, status, "invalid_request", invalidRequestDescription)
		return
	}
	form := r.PostForm
	token, clientID := form.Get("access_token"), form.Get("client_id")
	if token == "" || clientID == "" {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", invalidRequestDescription)
		return
	}

	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	ch, ok := s.authenticateClient(w, form)
	if !ok {
		return
	}
	// RFC 7009: an unknown token is not an error, but a channel may only
	// revoke its own tokens.
	if at, ok := s.state.accessTokens[token]; ok {
		if at.grant.channelID != ch.ID {
			writeOAuthError(w, http.StatusBadRequest, "invalid_request", "the access token was not issued to this channel")
			return
		}
		at.grant.revoked = true
	}
	w.WriteHeader(http.StatusOK)
}

// bearerGrant authenticates a Bearer access token that must carry scope. It
// answers 401 or 403 itself and reports false when the request must stop.
func (s *Server) bearerGrant(w http.ResponseWriter, r *http.Request, scope string) (tokenGrant, bool) {
	token, ok := bearerToken(w, r)
	if !ok {
		return tokenGrant{}, false
	}
	tg, fault := s.inspectAccessToken(token)
	if fault != tokenValid {
		writeMessage(w, http.StatusUnauthorized, "Authentication failed due to the following reason: "+fault.reason()+". Confirm that the access token in the authorization header is valid.")
		return tokenGrant{}, false
	}
	if !slices.Contains(tg.scopes, scope) {
		writeMessage(w, http.StatusForbidden, "The access token does not have the required scope: "+scope)
		return tokenGrant{}, false
	}
	return tg, true
}

// bearerToken reads a Bearer token. It answers 401 itself and reports false
// when there is none.
func bearerToken(w http.ResponseWriter, r *http.Request) (string, bool) {
	token, found := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !found || token == "" {
		writeMessage(w, http.StatusUnauthorized, "Authorization header required. Must follow the scheme, 'Authorization: Bearer <ACCESS TOKEN>'")
		return "", false
	}
	return token, true
}

func (s *Server) handleUserinfo(w http.ResponseWriter, r *http.Request) {
	tg, ok := s.bearerGrant(w, r, scopeOpenID)
	if !ok {
		return
	}
	info := struct {
		Subject string `json:"sub"`
		Name    string `json:"name,omitempty"`
		Picture string `json:"picture,omitempty"`
	}{Subject: tg.userID}
	if slices.Contains(tg.scopes, scopeProfile) {
		u := s.user(tg.userID)
		info.Name, info.Picture = u.Name, u.PictureURL
	}
	writeJSON(w, http.StatusOK, info)
}

func (s *Server) handleProfile(w http.ResponseWriter, r *http.Request) {
	tg, ok := s.bearerGrant(w, r, scopeProfile)
	if !ok {
		return
	}
	u := s.user(tg.userID)
	writeJSON(w, http.StatusOK, struct {
		UserID        string `json:"userId"`
		DisplayName   string `json:"displayName"`
		PictureURL    string `json:"pictureUrl,omitempty"`
		StatusMessage string `json:"statusMessage,omitempty"`
	}{u.ID, u.Name, u.PictureURL, u.StatusMessage})
}

func (s *Server) handleFriendshipStatus(w http.ResponseWriter, r *http.Request) {
	tg, ok := s.bearerGrant(w, r, scopeProfile)
	if !ok {
		return
	}
	s.state.mu.Lock()
	oa, linked := s.state.linkedAccount(tg.channelID)
	friend := linked && s.state.friendship(tg.userID, oa.BotID) == FriendshipFriend
	s.state.mu.Unlock()
	writeJSON(w, http.StatusOK, struct {
		FriendFlag bool `json:"friendFlag"`
	}{friend})
}

// user returns a registered user; users are never removed, so a token's user
// always exists.
func (s *Server) user(id string) User {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	return s.state.users[id]
}
