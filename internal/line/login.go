// Package line is the portal's side of LINE. Login is the LINE Login (v2.1)
// relying party: it builds the authorization URL, exchanges the code and
// verifies the ID token strictly. Platform calls the module channel,
// Messaging API and shop endpoints through LINE's Go SDK.
package line

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"
)

// iatSkew is how far in the future an ID token's iat may be, to absorb clock
// differences between LINE and the portal.
const iatSkew = 60 * time.Second

// LoginConfig configures the portal's LINE Login channel.
type LoginConfig struct {
	ChannelID, ChannelSecret string
	AuthBaseURL              string           // issuer + discovery base: "https://access.line.me" in production, the simulator's base URL in development
	APIBaseURL               string           // "https://api.line.me" (friendship status, profile); the simulator's base URL in development
	RedirectURL              string           // the portal's /auth/callback
	BotPrompt                string           // "", "normal" or "aggressive"
	HTTPClient               *http.Client     // nil = a client with a sane timeout
	Now                      func() time.Time // nil = time.Now
}

// Login signs users in with LINE Login. It is safe for concurrent use.
type Login struct {
	oauth     oauth2.Config
	verifier  *oidc.IDTokenVerifier
	client    *http.Client
	now       func() time.Time
	apiBase   string
	botPrompt string
}

// NewLogin runs OIDC discovery once. A discovery document whose issuer is not
// exactly AuthBaseURL is an error: every ID token is checked against it.
func NewLogin(ctx context.Context, cfg LoginConfig) (*Login, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	l := &Login{
		client:    cfg.HTTPClient,
		now:       cfg.Now,
		apiBase:   strings.TrimSuffix(cfg.APIBaseURL, "/"),
		botPrompt: cfg.BotPrompt,
	}
	if l.client == nil {
		l.client = &http.Client{Timeout: 10 * time.Second}
	}
	if l.now == nil {
		l.now = time.Now
	}

	ctx = oidc.ClientContext(ctx, l.client)
	provider, err := oidc.NewProvider(ctx, cfg.AuthBaseURL)
	if err != nil {
		return nil, fmt.Errorf("line: OIDC discovery at %s: %w", cfg.AuthBaseURL, err)
	}
	var meta struct {
		JWKSURI string `json:"jwks_uri"`
	}
	endpoint := provider.Endpoint()
	if err := provider.Claims(&meta); err != nil || meta.JWKSURI == "" || endpoint.AuthURL == "" || endpoint.TokenURL == "" {
		return nil, fmt.Errorf("line: discovery document at %s lacks authorization_endpoint, token_endpoint or jwks_uri", cfg.AuthBaseURL)
	}
	endpoint.AuthStyle = oauth2.AuthStyleInParams // LINE expects client_secret in the form body

	l.oauth = oauth2.Config{
		ClientID:     cfg.ChannelID,
		ClientSecret: cfg.ChannelSecret,
		Endpoint:     endpoint,
		RedirectURL:  cfg.RedirectURL,
		Scopes:       []string{oidc.ScopeProfile, oidc.ScopeOpenID},
	}
	keys := &keySet{
		secret: []byte(cfg.ChannelSecret),
		// The remote key set keeps ctx's HTTP client for its later fetches.
		jwks: oidc.NewRemoteKeySet(ctx, meta.JWKSURI),
	}
	l.verifier = oidc.NewVerifier(cfg.AuthBaseURL, keys, &oidc.Config{
		ClientID: cfg.ChannelID,
		// Explicit, because discovery advertises ES256 only while web-login
		// tokens are HS256.
		SupportedSigningAlgs: []string{string(jose.HS256), string(jose.ES256)},
		Now:                  l.now,
	})
	return l, nil
}

func (cfg LoginConfig) validate() error {
	switch {
	case cfg.ChannelID == "" || cfg.ChannelSecret == "":
		return errors.New("line: channel ID and channel secret are required")
	case len(cfg.ChannelSecret) < 32:
		// go-jose refuses HS256 keys shorter than the hash, so every login
		// would fail later with an obscure error.
		return errors.New("line: channel secret must be at least 32 bytes")
	case cfg.AuthBaseURL == "" || cfg.APIBaseURL == "" || cfg.RedirectURL == "":
		return errors.New("line: AuthBaseURL, APIBaseURL and RedirectURL are required")
	case cfg.BotPrompt != "" && cfg.BotPrompt != "normal" && cfg.BotPrompt != "aggressive":
		return fmt.Errorf("line: bot prompt %q is not \"\", \"normal\" or \"aggressive\"", cfg.BotPrompt)
	}
	return nil
}

// AuthRequest is what the portal keeps (server side) between redirecting to
// LINE and handling the callback.
type AuthRequest struct {
	State, Nonce, CodeVerifier string
}

// NewAuthRequest returns a fresh state, nonce and PKCE verifier.
func NewAuthRequest() AuthRequest {
	return AuthRequest{State: rand.Text(), Nonce: rand.Text(), CodeVerifier: oauth2.GenerateVerifier()}
}

// AuthCodeURL is the LINE authorization URL to redirect the browser to.
// uiLocales (BCP 47 tags, space-separated; empty for LINE's default) is
// the language LINE's login and consent screens should speak.
func (l *Login) AuthCodeURL(req AuthRequest, uiLocales string) string {
	opts := []oauth2.AuthCodeOption{oidc.Nonce(req.Nonce), oauth2.S256ChallengeOption(req.CodeVerifier)}
	if uiLocales != "" {
		opts = append(opts, oauth2.SetAuthURLParam("ui_locales", uiLocales))
	}
	if l.botPrompt != "" {
		opts = append(opts, oauth2.SetAuthURLParam("bot_prompt", l.botPrompt))
	}
	return l.oauth.AuthCodeURL(req.State, opts...)
}

// Identity is a LINE user whose ID token passed verification.
type Identity struct {
	UserID, Name, PictureURL string
	AccessToken              string // for the immediate friendship call only; the caller must not store it
}

// Exchange swaps the authorization code for tokens and verifies the ID token
// against req. Any error means the user is not signed in. Errors never include
// the code, tokens or secret.
func (l *Login) Exchange(ctx context.Context, code string, req AuthRequest) (Identity, error) {
	if req.Nonce == "" || req.CodeVerifier == "" {
		return Identity{}, errors.New("line: auth request has no nonce or code verifier")
	}
	ctx = oidc.ClientContext(ctx, l.client)
	tok, err := l.oauth.Exchange(ctx, code, oauth2.VerifierOption(req.CodeVerifier))
	if err != nil {
		// A RetrieveError's text includes the response body, which may echo the request.
		if re, ok := errors.AsType[*oauth2.RetrieveError](err); ok {
			return Identity{}, fmt.Errorf("line: token endpoint answered %d %q", re.Response.StatusCode, re.ErrorCode)
		}
		return Identity{}, fmt.Errorf("line: token exchange: %w", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return Identity{}, errors.New("line: token response has no id_token")
	}
	idt, err := l.verifyIDToken(ctx, raw, req.Nonce)
	if err != nil {
		return Identity{}, err
	}
	var profile struct {
		Name    string `json:"name"`
		Picture string `json:"picture"`
	}
	if err := idt.Claims(&profile); err != nil {
		return Identity{}, fmt.Errorf("line: id token profile claims: %w", err)
	}
	return Identity{UserID: idt.Subject, Name: profile.Name, PictureURL: profile.Picture, AccessToken: tok.AccessToken}, nil
}

// verifyIDToken lets go-oidc check the signature, iss, exp and that aud
// contains the channel, then checks what go-oidc leaves to its caller.
func (l *Login) verifyIDToken(ctx context.Context, raw, nonce string) (*oidc.IDToken, error) {
	idt, err := l.verifier.Verify(ctx, raw)
	if err != nil {
		return nil, fmt.Errorf("line: id token: %w", err)
	}
	switch {
	case len(idt.Audience) != 1:
		// go-oidc accepts any audience list that contains the channel; a token
		// also addressed to another party is not ours alone.
		return nil, fmt.Errorf("line: id token has %d audiences", len(idt.Audience))
	case idt.Subject == "":
		return nil, errors.New("line: id token has no sub")
	case idt.IssuedAt.IsZero():
		return nil, errors.New("line: id token has no iat")
	case idt.IssuedAt.After(l.now().Add(iatSkew)):
		return nil, errors.New("line: id token iat is in the future")
	case subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1:
		return nil, errors.New("line: id token nonce does not match")
	}
	return idt, nil
}

// FriendFlag reports whether the user has added the LINE Official Account
// linked to the channel and not blocked it.
func (l *Login) FriendFlag(ctx context.Context, accessToken string) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, l.apiBase+"/friendship/v1/status", nil)
	if err != nil {
		return false, fmt.Errorf("line: friendship status: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	resp, err := l.client.Do(req)
	if err != nil {
		return false, fmt.Errorf("line: friendship status: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false, fmt.Errorf("line: friendship status: HTTP %d", resp.StatusCode)
	}
	var body struct {
		FriendFlag *bool `json:"friendFlag"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&body); err != nil || body.FriendFlag == nil {
		return false, errors.New("line: friendship status: malformed response")
	}
	return *body.FriendFlag, nil
}
