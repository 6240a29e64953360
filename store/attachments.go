package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"lineportal/internal/portal"
)

// A module channel's attachments to bots: recorded when attaching, merged
// from LINE's bot list, detached; webhook events keep their state true
// (webhook_events.go).

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
		var before portal.AuditNote
		if cur != nil {
			before = attachmentNote(*cur)
		}
		out = next
		tx.logAudit(actor, channelEntry(ch, portal.ActionModuleAttach, before, attachmentNote(next)))
		return nil
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
		return portal.ModuleAttachment{}, notFound(portal.RNeverAttached)
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
			tx.logAudit(actor, channelEntry(ch, portal.ActionModuleDetach, attachmentNote(*cur), portal.Note(portal.NoteDetachedByAdminAfterLINE)))
			return nil
		}
		next := portal.DetachBot(*cur, portal.DetachByAdmin, tx.now)
		if err := saveAttachment(ctx, tx, &next, ch.ID); err != nil {
			return err
		}
		tx.logAudit(actor, channelEntry(ch, portal.ActionModuleDetach, attachmentNote(*cur), attachmentNote(next)))
		return nil
	})
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
		err = notFound(portal.RNeverAttached)
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

// attachmentNote is an attachment's state in the audit log; the bot is
// named with its ID when it has a name.
func attachmentNote(a portal.ModuleAttachment) portal.AuditNote {
	bot := a.Name()
	if bot != a.Bot.BotID {
		bot += " (" + a.Bot.BotID + ")"
	}
	if a.State == portal.Attached {
		return portal.Note(portal.NoteAttached, "Bot", bot, "Scopes", strings.Join(a.Scopes, " "))
	}
	return portal.Note(portal.NoteDetached, "Bot", bot, "DetachReason", string(a.DetachReason))
}
