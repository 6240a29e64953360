package line

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
)

// keySet ties each algorithm to its own key so that a token cannot pick the
// key it is checked against: HS256 without a kid is keyed by the channel
// secret, ES256 with a kid is checked against LINE's JWKS.
type keySet struct {
	secret []byte
	jwks   oidc.KeySet
}

func (k *keySet) VerifySignature(ctx context.Context, raw string) ([]byte, error) {
	jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.HS256, jose.ES256})
	if err != nil {
		return nil, fmt.Errorf("malformed id token: %w", err)
	}
	// go-jose ignores unused trailing base64url bits and checks the signature
	// over a re-encoding, so several spellings of one token would verify.
	if !canonical(raw) {
		return nil, errors.New("id token is not canonical base64url")
	}
	h := jws.Signatures[0].Protected
	switch {
	case h.Algorithm == string(jose.HS256) && h.KeyID == "":
		return jws.Verify(k.secret)
	case h.Algorithm == string(jose.ES256) && h.KeyID != "":
		// Without a kid the remote key set would try every key it holds.
		return k.jwks.VerifySignature(ctx, raw)
	default:
		return nil, fmt.Errorf("alg %s with kid present=%t is not accepted", h.Algorithm, h.KeyID != "")
	}
}

// canonical reports whether every part of a compact JWS is the only base64url
// spelling of the bytes it decodes to.
func canonical(raw string) bool {
	for part := range strings.SplitSeq(raw, ".") {
		b, err := base64.RawURLEncoding.DecodeString(part)
		if err != nil || base64.RawURLEncoding.EncodeToString(b) != part {
			return false
		}
	}
	return true
}
