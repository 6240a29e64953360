package store_test

import (
	"bytes"
	"testing"
	"time"

	"lineportal/internal/portal"
)

// An Admin connects an Official Account with its channel secret and a
// token the portal issued; both are sealed at rest, the audit log names
// neither, and the portal's own tokens are replaced while a pasted one
// never is.
func TestStore_ConnectOfficialAccountAndIssuedTokens(t *testing.T) {
	m := newModuleFixture(t)
	oa := m.oa(t, acme)
	const secret, token = "0123456789abcdef0123456789abcdef", "issued-token-aaaaaaaaaaaaaaaaaaaaaaaa"
	expires := start.Add(15 * time.Minute)
	mark := m.auditMark(t)

	m.refuses(t, portal.EFORBIDDEN, "Only an Admin of this LINE Official Account can enter its channel secret.", func() error {
		return m.db.ConnectOfficialAccount(ctx, m.box, m.boss, oa.ID, secret, token, expires)
	})
	m.refuses(t, portal.EINVALID, "Enter the channel secret shown on the channel's Basic settings tab in the LINE Developers Console: 32 characters, 0–9 and a–f.", func() error {
		return m.db.ConnectOfficialAccount(ctx, m.box, m.dev, oa.ID, "not-a-secret", token, expires)
	})
	mustNil(t, m.db.ConnectOfficialAccount(ctx, m.box, m.dev, oa.ID, secret, token, expires))
	m.assertAudit(t, mark, "official_account.connect official_account:  → oa_connected(LINEChannelID="+oa.LINEChannelID+")")

	creds, err := m.db.FindModuleCredentials(ctx, m.box, oa.ChannelID)
	mustNil(t, err)
	if creds.ChannelSecret != secret || creds.AccessToken != token || !creds.TokenExpiresAt.Equal(expires) {
		t.Fatalf("credentials: secret ok %t, token ok %t, expires %v", creds.ChannelSecret == secret, creds.AccessToken == token, creds.TokenExpiresAt)
	}
	if creds.NeedsNewToken(expires.Add(-2*time.Minute)) || !creds.NeedsNewToken(expires.Add(-time.Minute)) {
		t.Error("a token is renewed from one minute before it expires, not earlier")
	}
	var sealedSecret, sealedToken []byte
	mustNil(t, m.raw.QueryRow(`SELECT sealed_secret, sealed_token FROM channel_credentials WHERE channel_id = ?`, oa.ChannelID).Scan(&sealedSecret, &sealedToken))
	if bytes.Contains(sealedSecret, []byte(secret)) || bytes.Contains(sealedToken, []byte(token)) {
		t.Error("the secret or the token is stored in clear")
	}

	// Renewed: a newer token replaces it; an older one (another instance
	// renewed first) does not.
	mustNil(t, m.db.StoreIssuedToken(ctx, m.box, oa.ChannelID, "renewed-token", expires.Add(15*time.Minute)))
	mustNil(t, m.db.StoreIssuedToken(ctx, m.box, oa.ChannelID, "stale-token", expires.Add(14*time.Minute)))
	if creds, err := m.db.FindModuleCredentials(ctx, m.box, oa.ChannelID); err != nil || creds.AccessToken != "renewed-token" {
		t.Errorf("after renewals the token is not the newest: %v", err)
	}

	// A pasted token (the module channel's) is never replaced.
	mustNil(t, m.db.StoreIssuedToken(ctx, m.box, m.ch.ID, "issued", expires))
	if creds, err := m.db.FindModuleCredentials(ctx, m.box, m.ch.ID); err != nil || creds.AccessToken != moduleToken || !creds.TokenExpiresAt.IsZero() ||
		creds.NeedsNewToken(expires) {
		t.Errorf("a pasted token was replaced or expires: %v", err)
	}
}
