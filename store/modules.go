package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"lineportal/internal/portal"
	"lineportal/internal/secret"
)

// Module channels: registration with sealed credentials, attachments to
// bots, chat control and the per-account user records. Webhook events,
// which keep this state true, are in webhook_events.go.
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
// is 0, with its channel secret and access token, sealed with box.
// The actor becomes its Admin. An existing provider must be one the actor
// works in (portal.CanRegisterUnderProvider). The caller proves first,
// with LINE, that the secret is the channel's: the store can't. The audit
// entry says credentials were stored, never what they are.
func (db *DB) RegisterModuleChannel(ctx context.Context, box *secret.Box, actor portal.Admin, in portal.Channel, channelSecret, accessToken string) (portal.Channel, error) {
	if box == nil {
		return portal.Channel{}, errNoBox
	}
	if err := portal.CheckNewModuleChannel(in, channelSecret, accessToken); err != nil {
		return portal.Channel{}, err
	}
	if err := checkProviderChoice(in.Provider); err != nil {
		return portal.Channel{}, err
	}
	var ch portal.Channel
	err := db.update(ctx, func(tx *Tx) (err error) {
		if ch, err = insertChannel(ctx, tx, actor, in, true); err != nil {
			return err
		}
		if err := putCredentials(ctx, tx, box, ch.ID, channelSecret, accessToken); err != nil {
			return err
		}
		return insertAudit(ctx, tx, actor, channelEntry(ch, portal.ActionModuleRegister, "",
			fmt.Sprintf("module channel %q (%s) in %s; Admin: %s; channel secret and access token stored encrypted", ch.Name, ch.LINEChannelID, ch.Region, actor.Name)))
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
// a fresh token), by one of its Admins. Webhooks signed with the old
// secret are refused from the next request on.
func (db *DB) SetChannelCredentials(ctx context.Context, box *secret.Box, actor portal.Admin, channelID int64, channelSecret, accessToken string) error {
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
		if err := putCredentials(ctx, tx, box, ch.ID, channelSecret, accessToken); err != nil {
			return err
		}
		before := "no credentials"
		if had {
			before = "channel secret and access token (not shown)"
		}
		return insertAudit(ctx, tx, actor, channelEntry(ch, portal.ActionCredentialsSet, before, "new channel secret and access token, stored encrypted (not shown)"))
	})
}

func putCredentials(ctx context.Context, tx *Tx, box *secret.Box, channelID int64, channelSecret, accessToken string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO channel_credentials (channel_id, sealed_secret, sealed_token, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (channel_id) DO UPDATE SET sealed_secret = excluded.sealed_secret, sealed_token = excluded.sealed_token, updated_at = excluded.updated_at`,
		channelID,
		box.Seal(strings.TrimSpace(channelSecret), secretBinding(channelID)),
		box.Seal(strings.TrimSpace(accessToken), tokenBinding(channelID)),
		millis(tx.now))
	return err
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
	err := db.read.QueryRowContext(ctx, `SELECT c.line_channel_id, cc.sealed_secret, cc.sealed_token
		FROM channel_credentials cc JOIN channels c ON c.id = cc.channel_id WHERE cc.channel_id = ?`, channelID).
		Scan(&c.LINEChannelID, &sealedSecret, &sealedToken)
	if errors.Is(err, sql.ErrNoRows) {
		return portal.ModuleCredentials{}, notFound("The portal has no credentials for this channel. An Admin of the channel can enter them.")
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
		return 0, "", notFound("No channel with this channel ID receives webhooks here.")
	}
	if err == nil {
		channelSecret, err = box.Open(sealed, secretBinding(channelID))
	}
	if err != nil {
		return 0, "", fmt.Errorf("store: find webhook secret: %w", err)
	}
	return channelID, channelSecret, nil
}

// RecordAttachment records what the attach callback's code exchange
// returned: the module channel is attached to bot.BotID with bot.Scopes.
// Only an Admin of the module channel may. Attaching again replaces the
// scopes; after a detach it is a fresh attachment.
func (db *DB) RecordAttachment(ctx context.Context, actor portal.Admin, channelID int64, bot portal.AttachedBot) (portal.ModuleAttachment, error) {
	var out portal.ModuleAttachment
	err := db.onChannel(ctx, "record attachment", actor, channelID, func(tx *Tx, ch portal.Channel, role portal.ChannelRole) error {
		if err := portal.CanRecordAttachment(role, ch, bot); err != nil {
			return err
		}
		cur, err := loadAttachment(ctx, tx, ch.ID, bot.BotID)
		if err != nil {
			return err
		}
		next := portal.AttachBot(cur, bot, tx.now)
		if err := saveAttachment(ctx, tx, &next, ch.ID); err != nil {
			return err
		}
		before := ""
		if cur != nil {
			before = describeAttachment(*cur)
		}
		out = next
		return insertAudit(ctx, tx, actor, channelEntry(ch, portal.ActionModuleAttach, before, describeAttachment(next)))
	})
	if err != nil {
		return portal.ModuleAttachment{}, err
	}
	return out, nil
}

// SyncBots merges one page of LINE's list of the bots a module channel is
// attached to: each bot's basic ID, premium ID, name and picture. A bot
// the portal did not know is recorded as attached now (its scopes unknown
// until an attached event tells them). The list changes no attachment's
// state: detaching has a propagation lag at LINE, so a bot just detached
// may still be listed; attach and detach come from the attach callback,
// webhooks and the Admin's own detach. It returns how many bots were new.
func (db *DB) SyncBots(ctx context.Context, channelID int64, bots []portal.BotProfile) (added int, err error) {
	for _, b := range bots {
		if !portal.IsBotID(b.BotID) {
			return 0, fmt.Errorf("store: sync bots: LINE's bot list holds %q, which is not a bot ID", b.BotID)
		}
	}
	err = db.update(ctx, func(tx *Tx) error {
		added = 0 // counted again when PostgreSQL runs the transaction again
		ch, err := findChannel(ctx, tx, channelID)
		if err != nil {
			return err
		}
		if err := portal.CheckModuleChannel(ch); err != nil {
			return err
		}
		insert, err := tx.PrepareContext(ctx, `INSERT INTO module_attachments (channel_id, bot_id, basic_id, premium_id, display_name, picture_url, state, attached_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, 'attached', ?, ?) ON CONFLICT (channel_id, bot_id) DO NOTHING`)
		if err != nil {
			return err
		}
		defer insert.Close()
		update, err := tx.PrepareContext(ctx, `UPDATE module_attachments SET basic_id = ?3, premium_id = ?4, display_name = ?5, picture_url = ?6, updated_at = ?7
			WHERE channel_id = ?1 AND bot_id = ?2 AND (basic_id, premium_id, display_name, picture_url) IS DISTINCT FROM (?3, ?4, ?5, ?6)`)
		if err != nil {
			return err
		}
		defer update.Close()
		now := millis(tx.now)
		for _, b := range bots {
			res, err := insert.ExecContext(ctx, channelID, b.BotID, b.BasicID, b.PremiumID, b.DisplayName, b.PictureURL, now, now)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 1 {
				added++
				continue
			}
			if _, err := update.ExecContext(ctx, channelID, b.BotID, b.BasicID, b.PremiumID, b.DisplayName, b.PictureURL, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: sync bots: %w", err)
	}
	return added, nil
}

// FindAttachments returns one page of a module channel's attachments,
// current and ended, newest first, each with its state: suspended, the
// number of chats under control, the detach reason.
func (db *DB) FindAttachments(ctx context.Context, channelID int64, p Page) ([]portal.ModuleAttachment, Cursor, error) {
	before, err := p.After.beforeID()
	if err != nil {
		return nil, "", err
	}
	atts, next, err := findPage(ctx, db.read, p, scanAttachment, func(a portal.ModuleAttachment) Cursor { return idCursor(a.ID) },
		`SELECT `+attachmentColumns+`, `+chatsUnderControl+` FROM module_attachments a
		WHERE a.channel_id = ? AND a.id < ? ORDER BY a.id DESC LIMIT ?`, millis(db.Now()), channelID, before)
	if err != nil {
		return nil, "", fmt.Errorf("store: find attachments: %w", err)
	}
	return atts, next, nil
}

// FindAttachment returns a module channel's attachment to a bot, with its
// state.
func (db *DB) FindAttachment(ctx context.Context, channelID int64, botID string) (portal.ModuleAttachment, error) {
	a, err := scanAttachment(db.read.QueryRowContext(ctx, `SELECT `+attachmentColumns+`, `+chatsUnderControl+` FROM module_attachments a
		WHERE a.channel_id = ? AND a.bot_id = ?`, millis(db.Now()), channelID, botID))
	if errors.Is(err, sql.ErrNoRows) {
		return portal.ModuleAttachment{}, notFound("This module channel has never been attached to that LINE Official Account.")
	}
	if err != nil {
		return portal.ModuleAttachment{}, fmt.Errorf("store: find attachment: %w", err)
	}
	return a, nil
}

// FindAttachmentsByBot returns a module channel's attachments to the bots
// named (a page of LINE's bot list), with their state, by bot ID. A bot the
// portal has no attachment to is not in the map.
func (db *DB) FindAttachmentsByBot(ctx context.Context, channelID int64, botIDs []string) (map[string]portal.ModuleAttachment, error) {
	out := make(map[string]portal.ModuleAttachment, len(botIDs))
	for chunk := range slices.Chunk(botIDs, MaxPageSize) {
		args := []any{millis(db.Now()), channelID}
		for _, id := range chunk {
			args = append(args, id)
		}
		atts, err := findAll(ctx, db.read, scanAttachment, `SELECT `+attachmentColumns+`, `+chatsUnderControl+` FROM module_attachments a
			WHERE a.channel_id = ? AND a.bot_id IN (?`+strings.Repeat(", ?", len(chunk)-1)+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("store: find attachments by bot: %w", err)
		}
		for _, a := range atts {
			out[a.Bot.BotID] = a
		}
	}
	return out, nil
}

// MarkDetached records that an Admin of the module channel detached it
// from a bot (after LINE's detach API answered). The chats it controlled
// there are released with it.
func (db *DB) MarkDetached(ctx context.Context, actor portal.Admin, channelID int64, botID string) error {
	return db.onChannel(ctx, "mark detached", actor, channelID, func(tx *Tx, ch portal.Channel, role portal.ChannelRole) error {
		cur, err := mustLoadAttachment(ctx, tx, ch.ID, botID)
		if err != nil {
			return err
		}
		if err := portal.CanRecordDetach(role, *cur); err != nil {
			return err
		}
		if cur.State == portal.Detached {
			// LINE's webhook for this detach came first and carried no
			// reason; the reason is this admin.
			res, err := tx.ExecContext(ctx, `UPDATE module_attachments SET detach_reason = ?, updated_at = ? WHERE id = ? AND detach_reason = ?`,
				portal.DetachByAdmin, millis(tx.now), cur.ID, portal.DetachOther)
			if err := guarded(res, err); err != nil {
				return err
			}
			return insertAudit(ctx, tx, actor, channelEntry(ch, portal.ActionModuleDetach, describeAttachment(*cur), "detached by an Admin (LINE had already reported it)"))
		}
		next := portal.DetachBot(*cur, portal.DetachByAdmin, tx.now)
		if err := saveAttachment(ctx, tx, &next, ch.ID); err != nil {
			return err
		}
		return insertAudit(ctx, tx, actor, channelEntry(ch, portal.ActionModuleDetach, describeAttachment(*cur), describeAttachment(next)))
	})
}

// SetChatControl records that an Admin made the module channel the Active
// Channel of a chat of a bot (after LINE's acquire API answered), for ttl
// from now, or with no time limit when ttl is 0. LINE's activated event
// then confirms it with LINE's own expiry.
func (db *DB) SetChatControl(ctx context.Context, actor portal.Admin, channelID int64, botID, chatID string, ttl time.Duration) error {
	return db.onChannel(ctx, "set chat control", actor, channelID, func(tx *Tx, ch portal.Channel, role portal.ChannelRole) error {
		a, err := mustLoadAttachment(ctx, tx, ch.ID, botID)
		if err != nil {
			return err
		}
		if err := portal.CanControlChat(role, *a, chatID); err != nil {
			return err
		}
		if err := portal.CheckChatControlTTL(ttl); err != nil {
			return err
		}
		c := portal.ChatControl{ChatID: chatID, Active: true, ExpireAt: portal.ChatControlExpiry(tx.now, ttl), ChangedAt: tx.now}
		if err := saveChatControl(ctx, tx, a.ID, c); err != nil {
			return err
		}
		limit := "no time limit"
		if ttl != 0 {
			limit = "until " + c.ExpireAt.Format(time.RFC3339)
		}
		return insertAudit(ctx, tx, actor, channelEntry(ch, portal.ActionChatControlAcquire, "",
			fmt.Sprintf("chat control of %s in %s, %s", describeChat(chatID), a.Name(), limit)))
	})
}

// ReleaseChatControl records that an Admin returned a chat of a bot to the
// Primary channel (after LINE's release API answered). Releasing a chat
// the module does not control changes nothing and is not an error, as at
// LINE.
func (db *DB) ReleaseChatControl(ctx context.Context, actor portal.Admin, channelID int64, botID, chatID string) error {
	return db.onChannel(ctx, "release chat control", actor, channelID, func(tx *Tx, ch portal.Channel, role portal.ChannelRole) error {
		a, err := mustLoadAttachment(ctx, tx, ch.ID, botID)
		if err != nil {
			return err
		}
		if err := portal.CanControlChat(role, *a, chatID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE module_chat_controls SET active = 0, expire_at = NULL, changed_at = ?, updated_at = ?
			WHERE attachment_id = ? AND chat_id = ? AND active = 1`, millis(tx.now), millis(tx.now), a.ID, chatID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		return insertAudit(ctx, tx, actor, channelEntry(ch, portal.ActionChatControlRelease,
			fmt.Sprintf("chat control of %s in %s", describeChat(chatID), a.Name()), "returned to the Primary channel"))
	})
}

// FindChatControls returns one page of the chats of a bot the module
// channel controls now, by chat ID.
func (db *DB) FindChatControls(ctx context.Context, channelID int64, botID string, p Page) ([]portal.ChatControl, Cursor, error) {
	now := millis(db.Now())
	controls, next, err := findPage(ctx, db.read, p, scanChatControl, func(c portal.ChatControl) Cursor { return Cursor(c.ChatID) },
		`SELECT cc.chat_id, cc.active, cc.expire_at, cc.changed_at, cc.updated_at
		FROM module_attachments a JOIN module_chat_controls cc ON cc.attachment_id = a.id
		WHERE a.channel_id = ? AND a.bot_id = ? AND cc.active = 1 AND (cc.expire_at IS NULL OR cc.expire_at > ?) AND cc.chat_id > ?
		ORDER BY cc.chat_id LIMIT ?`, channelID, botID, now, string(p.After))
	if err != nil {
		return nil, "", fmt.Errorf("store: find chat controls: %w", err)
	}
	return controls, next, nil
}

// FindOAUsers returns one page of the users who follow a bot, as the
// portal learned from the follow events of a module channel attached to
// it, by user ID.
func (db *DB) FindOAUsers(ctx context.Context, channelID int64, botID string, p Page) ([]portal.OAUser, Cursor, error) {
	if _, err := db.FindAttachment(ctx, channelID, botID); err != nil {
		return nil, "", err
	}
	users, next, err := findPage(ctx, db.read, p, scanOAUser, func(u portal.OAUser) Cursor { return Cursor(u.UserID) },
		`SELECT bot_id, user_id, first_seen_at, followed_at, unblocked FROM oa_users WHERE bot_id = ? AND user_id > ? ORDER BY user_id LIMIT ?`,
		botID, string(p.After))
	if err != nil {
		return nil, "", fmt.Errorf("store: find users: %w", err)
	}
	return users, next, nil
}

// The attachment queries. chatsUnderControl takes the time now as its
// placeholder, which comes first.
const (
	attachmentColumns = `a.id, a.channel_id, a.bot_id, a.basic_id, a.premium_id, a.display_name, a.picture_url, a.scopes, a.state,
		a.attached_at, a.detached_at, a.detach_reason, a.suspended, a.suspension_changed_at, a.updated_at`
	chatsUnderControl = `(SELECT count(*) FROM module_chat_controls cc WHERE cc.attachment_id = a.id AND cc.active = 1
		AND (cc.expire_at IS NULL OR cc.expire_at > ?1))`
)

func scanAttachment(s scanner) (portal.ModuleAttachment, error) { return scanAttachmentRow(s, true) }

func scanAttachmentRow(s scanner, withChats bool) (portal.ModuleAttachment, error) {
	var a portal.ModuleAttachment
	var scopes string
	var attached, updated int64
	var detached, suspensionChanged sql.NullInt64
	dest := []any{&a.ID, &a.ChannelID, &a.Bot.BotID, &a.Bot.BasicID, &a.Bot.PremiumID, &a.Bot.DisplayName, &a.Bot.PictureURL, &scopes, &a.State,
		&attached, &detached, &a.DetachReason, &a.Suspended, &suspensionChanged, &updated}
	if withChats {
		dest = append(dest, &a.ChatsUnderControl)
	}
	if err := s.Scan(dest...); err != nil {
		return portal.ModuleAttachment{}, err
	}
	a.Scopes = strings.Fields(scopes)
	a.AttachedAt, a.DetachedAt, a.UpdatedAt = fromMillis(attached), nullMillis(detached), fromMillis(updated)
	a.SuspensionChangedAt = nullMillis(suspensionChanged)
	return a, nil
}

// loadAttachment loads a channel's attachment to a bot inside a
// transaction, without the chat count; nil when there is none.
func loadAttachment(ctx context.Context, tx *Tx, channelID int64, botID string) (*portal.ModuleAttachment, error) {
	a, err := scanAttachmentRow(tx.QueryRowContext(ctx, `SELECT `+attachmentColumns+` FROM module_attachments a WHERE a.channel_id = ? AND a.bot_id = ?`,
		channelID, botID), false)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &a, nil
}

func mustLoadAttachment(ctx context.Context, tx *Tx, channelID int64, botID string) (*portal.ModuleAttachment, error) {
	a, err := loadAttachment(ctx, tx, channelID, botID)
	if err == nil && a == nil {
		err = notFound("This module channel has never been attached to that LINE Official Account.")
	}
	return a, err
}

// saveAttachment writes a's state: a new row when a.ID is 0 (and sets
// it), else the row's mutable columns.
// saveAttachment writes a, inserting it when it is new. A detached
// attachment's chat controls go with it: the module controls no chat of a
// bot it is detached from.
func saveAttachment(ctx context.Context, tx *Tx, a *portal.ModuleAttachment, channelID int64) error {
	a.ChannelID, a.UpdatedAt = channelID, tx.now
	args := []any{strings.Join(a.Scopes, " "), a.State, millis(a.AttachedAt), nullTime(a.DetachedAt), a.DetachReason,
		a.Suspended, nullTime(a.SuspensionChangedAt), millis(tx.now)}
	if a.ID == 0 {
		return tx.QueryRowContext(ctx, `INSERT INTO module_attachments (scopes, state, attached_at, detached_at, detach_reason, suspended, suspension_changed_at, updated_at, channel_id, bot_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, append(args, channelID, a.Bot.BotID)...).Scan(&a.ID)
	}
	_, err := tx.ExecContext(ctx, `UPDATE module_attachments SET scopes = ?, state = ?, attached_at = ?, detached_at = ?, detach_reason = ?,
		suspended = ?, suspension_changed_at = ?, updated_at = ? WHERE id = ?`, append(args, a.ID)...)
	if err == nil && a.State == portal.Detached {
		_, err = tx.ExecContext(ctx, `DELETE FROM module_chat_controls WHERE attachment_id = ?`, a.ID)
	}
	return err
}

func loadChatControl(ctx context.Context, tx *Tx, attachmentID int64, chatID string) (*portal.ChatControl, error) {
	c, err := scanChatControl(tx.QueryRowContext(ctx, `SELECT chat_id, active, expire_at, changed_at, updated_at FROM module_chat_controls
		WHERE attachment_id = ? AND chat_id = ?`, attachmentID, chatID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &c, nil
}

func saveChatControl(ctx context.Context, tx *Tx, attachmentID int64, c portal.ChatControl) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO module_chat_controls (attachment_id, chat_id, active, expire_at, changed_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (attachment_id, chat_id) DO UPDATE SET active = excluded.active, expire_at = excluded.expire_at,
			changed_at = excluded.changed_at, updated_at = excluded.updated_at`,
		attachmentID, c.ChatID, c.Active, nullTime(c.ExpireAt), millis(c.ChangedAt), millis(tx.now))
	return err
}

func scanChatControl(s scanner) (portal.ChatControl, error) {
	var c portal.ChatControl
	var expire sql.NullInt64
	var changed, updated int64
	err := s.Scan(&c.ChatID, &c.Active, &expire, &changed, &updated)
	c.ExpireAt, c.ChangedAt, c.UpdatedAt = nullMillis(expire), fromMillis(changed), fromMillis(updated)
	return c, err
}

func scanOAUser(s scanner) (portal.OAUser, error) {
	var u portal.OAUser
	var first, followed int64
	err := s.Scan(&u.BotID, &u.UserID, &first, &followed, &u.Unblocked)
	u.FirstSeenAt, u.FollowedAt = fromMillis(first), fromMillis(followed)
	return u, err
}

// nullTime stores an optional time: the zero time is NULL.
func nullTime(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: millis(t), Valid: true}
}

// describeAttachment is an attachment's state in the audit log.
func describeAttachment(a portal.ModuleAttachment) string {
	name := a.Name()
	if name != a.Bot.BotID {
		name += " (" + a.Bot.BotID + ")"
	}
	if a.State == portal.Attached {
		return "attached to " + name + "; scopes: " + strings.Join(a.Scopes, " ")
	}
	return "detached from " + name + ": " + a.DetachReason.String()
}

// describeChat names a chat in the audit log. The log is append-only, and
// a user who blocks the account has everything the portal holds about them
// for it deleted, so a user's ID is never written there; group and room IDs
// name no person.
func describeChat(chatID string) string {
	switch chatID[0] {
	case 'C':
		return "group " + chatID
	case 'R':
		return "room " + chatID
	}
	return "a user's 1:1 chat"
}
