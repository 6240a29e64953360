package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"lineportal/internal/portal"
)

// Chat control: which chats of an attached bot the module channel holds,
// and until when.

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
		after := portal.Note(portal.NoteChatControlNoLimit, "Chat", chatNoteID(chatID), "Bot", a.Name())
		if ttl != 0 {
			after = portal.Note(portal.NoteChatControlUntil, "Chat", chatNoteID(chatID), "Bot", a.Name(), "Until", c.ExpireAt.UTC().Format(time.RFC3339))
		}
		tx.logAudit(actor, channelEntry(ch, portal.ActionChatControlAcquire, portal.AuditNote{}, after))
		return nil
	})
}

// ReleaseChatControl records that an Admin returned a chat of a bot to the
// Primary channel (after LINE's release API answered to the release asked
// at askedAt). Releasing a chat the module does not control changes
// nothing and is not an error, as at LINE. LINE's deactivated event for
// this release may have come first and ended the control: one that ended
// at askedAt or later is this release's, and the Admin's release is still
// recorded.
func (db *DB) ReleaseChatControl(ctx context.Context, actor portal.Admin, channelID int64, botID, chatID string, askedAt time.Time) error {
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
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			c, err := loadChatControl(ctx, tx, a.ID, chatID)
			if err != nil || c == nil || c.Active || c.ChangedAt.Before(askedAt.Truncate(time.Millisecond)) {
				return err
			}
		}
		tx.logAudit(actor, channelEntry(ch, portal.ActionChatControlRelease,
			portal.Note(portal.NoteChatControl, "Chat", chatNoteID(chatID), "Bot", a.Name()), portal.Note(portal.NoteChatReturned)))
		return nil
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

// storedChatControl is c as saveChatControl stores it at now, and so as
// loadChatControl would read it back: times to the millisecond.
func storedChatControl(c portal.ChatControl, now time.Time) portal.ChatControl {
	if !c.ExpireAt.IsZero() {
		c.ExpireAt = fromMillis(millis(c.ExpireAt))
	}
	c.ChangedAt, c.UpdatedAt = fromMillis(millis(c.ChangedAt)), fromMillis(millis(now))
	return c
}

func scanChatControl(s scanner) (portal.ChatControl, error) {
	var c portal.ChatControl
	var expire sql.NullInt64
	var changed, updated int64
	err := s.Scan(&c.ChatID, &c.Active, &expire, &changed, &updated)
	c.ExpireAt, c.ChangedAt, c.UpdatedAt = nullMillis(expire), fromMillis(changed), fromMillis(updated)
	return c, err
}

// chatNoteID is a chat's ID as the audit log keeps it: a group's or a
// room's, or "" for a user's 1:1 chat. The log is append-only, and a user
// who blocks the account has everything the portal holds about them for it
// deleted, so a user's ID is never written there; group and room IDs name
// no person.
func chatNoteID(chatID string) string {
	if portal.IsLINEID(chatID, 'C') || portal.IsLINEID(chatID, 'R') {
		return chatID
	}
	return ""
}
