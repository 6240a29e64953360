package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"lineportal/internal/portal"
	"lineportal/internal/secret"
)

// Module channels: registration with sealed credentials. Their
// attachments to bots are in attachments.go, chat control in
// chat_controls.go, the accounts' followers in followers.go, and the
// webhook events that keep this state true in webhook_events.go.
//
// Methods that seal or open credentials take the secret.Box as a
// parameter: only they need the key, and a DB opened without one (a test,
// "portal migrate") can do everything else.

// secretBinding and tokenBinding bind a sealed value to its channel and
// column: a value copied to another row or column does not open.
func secretBinding(channelID int64) string { return "channel:" + itoa(channelID) + ":secret" }
func tokenBinding(channelID int64) string  { return "channel:" + itoa(channelID) + ":token" }

var errNoBox = errors.New("store: no secret key to seal or open channel credentials")

// RegisterModuleChannel registers a module channel of the provider
// in.Provider.ID, or of a new provider named in.Provider.Name when the ID
// is 0, with its channel secret and access token, sealed with box;
// tokenExpiresAt is when a token the portal issued expires (zero for a
// pasted token).
// The actor becomes its Admin. An existing provider must be one the actor
// works in (portal.CanRegisterUnderProvider). The caller proves first,
// with LINE, that the secret is the channel's: the store can't. The audit
// entry says credentials were stored, never what they are.
func (db *DB) RegisterModuleChannel(ctx context.Context, box *secret.Box, actor portal.Admin, in portal.Channel, channelSecret, accessToken string, tokenExpiresAt time.Time) (portal.Channel, error) {
	if box == nil {
		return portal.Channel{}, errNoBox
	}
	if err := portal.CheckNewModuleChannel(in, channelSecret, accessToken); err != nil {
		return portal.Channel{}, err
	}
	var ch portal.Channel
	err := db.update(ctx, func(tx *Tx) (err error) {
		if ch, err = insertChannel(ctx, tx, actor, in, true); err != nil {
			return err
		}
		if err := putCredentials(ctx, tx, box, ch.ID, channelSecret, accessToken, tokenExpiresAt); err != nil {
			return err
		}
		tx.logAudit(actor, channelEntry(ch, portal.ActionModuleRegister, portal.AuditNote{},
			portal.Note(portal.NoteModuleChannel, "Name", ch.Name, "LINEChannelID", ch.LINEChannelID, "Region", string(ch.Region), "Admin", actor.Name)))
		return nil
	})
	if err != nil {
		return portal.Channel{}, fmt.Errorf("store: register module channel: %w", err)
	}
	return ch, nil
}

// worksInProvider tells whether actor holds a role on a channel of the
// provider; a provider that does not exist has none.
func worksInProvider(ctx context.Context, tx *Tx, actor portal.Admin, providerID int64) (bool, error) {
	var works bool
	err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM channel_roles r JOIN channels c ON c.id = r.channel_id
		WHERE r.admin_id = ? AND c.provider_id = ?)`, actor.ID, providerID).Scan(&works)
	return works, err
}

// SetChannelCredentials replaces the channel secret and access token of a
// module or Messaging API channel (after the secret was reissued, or with
// a fresh token), by one of its Admins; tokenExpiresAt as for
// RegisterModuleChannel. Webhooks signed with the old secret are refused
// from the next request on.
func (db *DB) SetChannelCredentials(ctx context.Context, box *secret.Box, actor portal.Admin, channelID int64, channelSecret, accessToken string, tokenExpiresAt time.Time) error {
	if box == nil {
		return errNoBox
	}
	return db.onChannel(ctx, "set channel credentials", actor, channelID, func(tx *Tx, ch portal.Channel, role portal.ChannelRole) error {
		if err := portal.CanSetCredentials(role, ch); err != nil {
			return err
		}
		if err := portal.CheckModuleCredentials(channelSecret, accessToken); err != nil {
			return err
		}
		var had bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM channel_credentials WHERE channel_id = ?)`, ch.ID).Scan(&had); err != nil {
			return err
		}
		if err := putCredentials(ctx, tx, box, ch.ID, channelSecret, accessToken, tokenExpiresAt); err != nil {
			return err
		}
		before := portal.Note(portal.NoteNoCredentials)
		if had {
			before = portal.Note(portal.NoteCredentials)
		}
		tx.logAudit(actor, channelEntry(ch, portal.ActionCredentialsSet, before, portal.Note(portal.NoteNewCredentials)))
		return nil
	})
}

// putCredentials stores a channel's secret and token, sealed; expiresAt is
// when a token the portal issued expires, zero for a pasted one.
func putCredentials(ctx context.Context, tx *Tx, box *secret.Box, channelID int64, channelSecret, accessToken string, expiresAt time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO channel_credentials (channel_id, sealed_secret, sealed_token, token_expires_at, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (channel_id) DO UPDATE SET sealed_secret = excluded.sealed_secret, sealed_token = excluded.sealed_token,
			token_expires_at = excluded.token_expires_at, updated_at = excluded.updated_at`,
		channelID,
		box.Seal(strings.TrimSpace(channelSecret), secretBinding(channelID)),
		box.Seal(strings.TrimSpace(accessToken), tokenBinding(channelID)),
		nullTime(expiresAt), millis(tx.now))
	return err
}

// StoreIssuedToken replaces a token the portal issued for a channel with a
// new one, for every instance to use until expiresAt. A pasted token is
// never replaced; nor is a token newer than the one the caller renewed
// (another instance renewed it first: both are valid).
func (db *DB) StoreIssuedToken(ctx context.Context, box *secret.Box, channelID int64, accessToken string, expiresAt time.Time) error {
	if box == nil {
		return errNoBox
	}
	err := db.update(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE channel_credentials SET sealed_token = ?, token_expires_at = ?, updated_at = ?
			WHERE channel_id = ? AND token_expires_at IS NOT NULL AND token_expires_at < ?`,
			box.Seal(accessToken, tokenBinding(channelID)), millis(expiresAt), millis(tx.now), channelID, millis(expiresAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: store issued token of channel %d: %w", channelID, err)
	}
	return nil
}

// FindModuleCredentials opens the credentials of a channel, for the web
// layer's calls to LINE. They must never be shown or logged
// (portal.ModuleCredentials redacts itself when printed).
func (db *DB) FindModuleCredentials(ctx context.Context, box *secret.Box, channelID int64) (portal.ModuleCredentials, error) {
	if box == nil {
		return portal.ModuleCredentials{}, errNoBox
	}
	c := portal.ModuleCredentials{ChannelID: channelID}
	var sealedSecret, sealedToken []byte
	var expiresAt sql.NullInt64
	err := db.read.QueryRowContext(ctx, `SELECT c.line_channel_id, cc.sealed_secret, cc.sealed_token, cc.token_expires_at
		FROM channel_credentials cc JOIN channels c ON c.id = cc.channel_id WHERE cc.channel_id = ?`, channelID).
		Scan(&c.LINEChannelID, &sealedSecret, &sealedToken, &expiresAt)
	c.TokenExpiresAt = nullMillis(expiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return portal.ModuleCredentials{}, notFound(portal.RNoCredentials)
	}
	if err == nil {
		c.ChannelSecret, err = box.Open(sealedSecret, secretBinding(channelID))
	}
	if err == nil {
		c.AccessToken, err = box.Open(sealedToken, tokenBinding(channelID))
	}
	if err != nil {
		return portal.ModuleCredentials{}, fmt.Errorf("store: find credentials of channel %d: %w", channelID, err)
	}
	return c, nil
}

// FindWebhookSecret returns the portal's ID and the channel secret of the
// channel with this LINE channel ID, for checking a webhook's signature:
// one indexed read and one AES-GCM open. ENOTFOUND when no such channel
// has credentials.
func (db *DB) FindWebhookSecret(ctx context.Context, box *secret.Box, lineChannelID string) (channelID int64, channelSecret string, err error) {
	if box == nil {
		return 0, "", errNoBox
	}
	var sealed []byte
	err = db.read.QueryRowContext(ctx, `SELECT c.id, cc.sealed_secret FROM channels c JOIN channel_credentials cc ON cc.channel_id = c.id
		WHERE c.line_channel_id = ?`, lineChannelID).Scan(&channelID, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", notFound(portal.RNoWebhookChannel)
	}
	if err == nil {
		channelSecret, err = box.Open(sealed, secretBinding(channelID))
	}
	if err != nil {
		return 0, "", fmt.Errorf("store: find webhook secret: %w", err)
	}
	return channelID, channelSecret, nil
}
