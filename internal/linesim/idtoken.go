package linesim

import (
	"encoding/json"
	"fmt"

	"github.com/go-jose/go-jose/v4"
)

// idTokenLifetime is how long an ID token is valid after it is issued.
const idTokenLifetime = 3600 // seconds

// idTokenClaims is the payload of a LINE Login ID token.
type idTokenClaims struct {
	Issuer   string   `json:"iss"`
	Subject  string   `json:"sub"`
	Audience string   `json:"aud"`
	Expiry   int64    `json:"exp"`
	IssuedAt int64    `json:"iat"`
	AuthTime int64    `json:"auth_time,omitempty"`
	Nonce    string   `json:"nonce,omitempty"`
	AMR      []string `json:"amr,omitempty"`
	Name     string   `json:"name,omitempty"`
	Picture  string   `json:"picture,omitempty"`
	Email    string   `json:"email,omitempty"`
}

// signIDToken signs claims as web login does (HS256 with the channel secret,
// no kid) or, when the client asked for id_token_key_type=JWK as LINE's SDKs
// do, with the simulator's ES256 key and its kid.
func (s *Server) signIDToken(claims idTokenClaims, channelSecret string, jwk bool) (string, error) {
	key := jose.SigningKey{Algorithm: jose.HS256, Key: []byte(channelSecret)}
	if jwk {
		key = jose.SigningKey{Algorithm: jose.ES256, Key: s.signingKey}
	}
	signer, err := jose.NewSigner(key, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", fmt.Errorf("linesim: ID token signer: %w", err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("linesim: encode ID token claims: %w", err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("linesim: sign ID token: %w", err)
	}
	return jws.CompactSerialize()
}

// verifiedIDTokenPayload checks an ID token's signature, against the secret of
// the channel named in its aud claim for HS256 or the simulator's key for
// ES256, and returns its payload.
func (s *Server) verifiedIDTokenPayload(raw string) ([]byte, bool) {
	jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.HS256, jose.ES256})
	if err != nil || len(jws.Signatures) != 1 {
		return nil, false
	}
	header := jws.Signatures[0].Header
	var verificationKey any
	switch jose.SignatureAlgorithm(header.Algorithm) {
	case jose.ES256:
		if header.KeyID != s.signingKey.KeyID {
			return nil, false
		}
		verificationKey = s.signingKey.Public()
	case jose.HS256:
		var unverified struct {
			Audience string `json:"aud"`
		}
		if json.Unmarshal(jws.UnsafePayloadWithoutVerification(), &unverified) != nil {
			return nil, false
		}
		s.state.mu.Lock()
		ch, ok := s.state.channels[unverified.Audience]
		s.state.mu.Unlock()
		if !ok {
			return nil, false
		}
		verificationKey = []byte(ch.Secret)
	}
	payload, err := jws.Verify(verificationKey)
	if err != nil {
		return nil, false
	}
	return payload, true
}
