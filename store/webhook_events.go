package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"lineportal/internal/portal"
)

// RecordWebhookEvents stores a batch of events LINE sent to a channel's
// webhook, each once: an event whose webhookEventId the channel already
// has (a redelivery, or the same delivery arriving twice at once) is an
// INSERT that does nothing and changes nothing. The new events are applied
// to the portal's state (internal/portal's NextAttachment,
// NextChatControl, FollowRecord, ForgetUser), in LINE's order, in the same
// transaction that stores them: when it commits, the events and their
// effects are there together; when it fails, neither is, and LINE's
// redelivery brings the events again. It returns once they are committed.
//
// An event about a bot's users or chats (follow, unfollow, activated,
// deactivated) takes effect only when this channel is currently attached
// to the bot it names (portal's EventEffect.On), as this
// transaction reads it: the sender chose the bot, and only the channel
// secret binds the request to the channel. One that does not apply is
// stored all the same (once: for redelivery and the history) but changes
// nothing, and processed_at stays NULL; only an unfollow still deletes the
// user's events this channel holds. An event from a user who blocked the
// account after sending it, arriving late, is stored without its payload
// and user ID and changes nothing (portal.ForgottenOnArrival). Module
// events change only this channel's own attachment to the bot.
//
// The hot path is one INSERT per event (prepared once per connection, by
// the statement cache), and one read of its users' recent blocks a
// batch (readRecentBlocks). Events of types the portal does not act on
// cost nothing more; the others a read of the channel's attachment to the
// bot, once per bot and batch; a follow one write more, an unfollow four
// or five. The user's events that an unfollow later in the batch forgets
// are stored blank at once (forgottenLaterInBatch).
//
// A batch is one write (update): on SQLite, batches arriving while others
// commit are committed together with them, in one wait for the disk, and
// a batch that fails is rolled back alone and fails alone.
func (db *DB) RecordWebhookEvents(ctx context.Context, channelID int64, events []portal.WebhookEvent) (portal.WebhookResult, error) {
	for _, ev := range events {
		if err := portal.CheckWebhookEvent(ev); err != nil {
			return portal.WebhookResult{Received: len(events)}, err
		}
	}
	if len(events) == 0 {
		return portal.WebhookResult{}, nil
	}
	var res portal.WebhookResult
	err := db.update(ctx, func(tx *Tx) error {
		var err error
		res, err = db.recordBatch(ctx, tx, channelID, events)
		return err
	})
	if err != nil {
		return portal.WebhookResult{Received: len(events)}, fmt.Errorf("store: record webhook events: %w", err)
	}
	return res, nil
}

const insertWebhookEvent = `INSERT INTO webhook_events (channel_id, webhook_event_id, type, module_type, mode, destination, bot_id,
	source_type, source_user_id, source_group_id, source_room_id, occurred_at, is_redelivery, payload, received_at, processed_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (channel_id, webhook_event_id) DO NOTHING`

// recordBatch stores and applies one batch in its transaction.
func (db *DB) recordBatch(ctx context.Context, tx *Tx, channelID int64, events []portal.WebhookEvent) (portal.WebhookResult, error) {
	res := portal.WebhookResult{Received: len(events)}
	p := eventProcessor{ctx: ctx, tx: tx, hexIn: db.dialect.hexIn, channelID: channelID, attachments: map[string]*portal.ModuleAttachment{},
		chatControls: map[chatKey]*portal.ChatControl{}, blocks: map[blockKey]portal.Block{}}
	now := millis(tx.now)
	// The events' times as stored, to the millisecond, so that what an
	// unfollow forgets is decided on the same times here as in SQL. LINE's
	// are whole milliseconds; an event without one (LINE always sends one)
	// counts as happening now.
	if slices.ContainsFunc(events, func(ev portal.WebhookEvent) bool { return !ev.Timestamp.Equal(storedTime(ev.Timestamp, tx.now)) }) {
		events = slices.Clone(events)
		for i := range events {
			events[i].Timestamp = storedTime(events[i].Timestamp, tx.now)
		}
	}
	if err := p.readRecentBlocks(events); err != nil {
		return res, fmt.Errorf("read blocks: %w", err)
	}
	blankAtOnce := forgottenLaterInBatch(events)
	var blankUnconfirmed []portal.WebhookEvent // stored blank at once, their unfollow not yet applied
	for i, ev := range events {
		effect, err := p.effect(ev)
		if err != nil {
			return res, fmt.Errorf("%s event: %w", ev.Kind(), err)
		}
		forgotten := p.forgottenOnArrival(ev)
		row := ev // as stored
		if forgotten {
			// Stored as the block left the user's other events.
			row.Payload, row.Source.UserID, effect = "", "", effect.WhenForgotten(ev)
		} else if blankAtOnce[i] {
			row.Payload, row.Source.UserID = "", ""
		}
		var processed any // NULL
		if effect != portal.EffectNone {
			processed = now
		}
		r, err := tx.ExecContext(ctx, insertWebhookEvent, channelID, row.WebhookEventID, row.Type, row.ModuleType, row.Mode, row.Destination, row.BotID,
			row.Source.Type, nullString(row.Source.UserID), nullString(row.Source.GroupID), nullString(row.Source.RoomID),
			millis(row.Timestamp), row.IsRedelivery, payloadText(row.Payload), now, processed)
		if err != nil {
			return res, err
		}
		if n, err := r.RowsAffected(); err != nil {
			return res, err
		} else if n == 0 {
			res.Duplicates++
			continue
		}
		res.Stored++
		if blankAtOnce[i] && !forgotten {
			blankUnconfirmed = append(blankUnconfirmed, ev)
		}
		changed, err := p.apply(effect, ev)
		if err != nil {
			return res, fmt.Errorf("apply %s event: %w", ev.Kind(), err)
		}
		if changed {
			res.Applied++
		}
		if effect == portal.EffectForgetUser || effect == portal.EffectForgetUserHere {
			f := portal.ForgetUser(ev)
			blankUnconfirmed = slices.DeleteFunc(blankUnconfirmed, f.Covers)
		}
	}
	// The unfollow these were stored blank for did not forget them: a
	// redelivery of one stored before the portal remembered blocks.
	for _, ev := range blankUnconfirmed {
		if _, err := tx.ExecContext(ctx, `UPDATE webhook_events SET payload = ?, source_user_id = ? WHERE channel_id = ? AND webhook_event_id = ?`,
			payloadText(ev.Payload), ev.Source.UserID, channelID, ev.WebhookEventID); err != nil {
			return res, err
		}
	}
	return res, nil
}

// storedTime is the event time t as webhook_events keeps it; now when
// there is none.
func storedTime(t, now time.Time) time.Time {
	if t.IsZero() {
		t = now
	}
	return fromMillis(millis(t))
}

// forgottenLaterInBatch tells which of the batch's events an unfollow at or
// after them in the batch forgets, should it apply (portal.ForgetUser):
// those are stored blank at once, rather than stored whole and blanked by
// the unfollow's UPDATE, a row written twice. Unfollows are rare in LINE's
// traffic, but a block sweeps every event of the user's in the batch.
func forgottenLaterInBatch(events []portal.WebhookEvent) []bool {
	forgotten := make([]bool, len(events))
	var latest map[blockKey]portal.Forgetting // the latest unfollow of each user at or after the event at hand
	for i := len(events) - 1; i >= 0; i-- {
		ev := events[i]
		if ev.Effect() == portal.EffectForgetUser {
			if latest == nil {
				latest = map[blockKey]portal.Forgetting{}
			}
			key := blockKey{ev.BotID, ev.Source.UserID}
			if f, ok := latest[key]; !ok || ev.Timestamp.After(f.Until) {
				latest[key] = portal.ForgetUser(ev)
			}
		}
		if ev.Source.UserID == "" || latest == nil {
			continue
		}
		if f, ok := latest[blockKey{ev.BotID, ev.Source.UserID}]; ok && f.Covers(ev) {
			forgotten[i] = true
		}
	}
	return forgotten
}

// payloadText stores the event's JSON as LINE sent it, NULL once
// forgotten.
func payloadText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// eventProcessor applies a batch's new events inside its transaction. It
// keeps the attachments and chat controls it loaded or wrote, as the
// transaction holds them, so a batch about one bot reads its attachment
// once, and each chat's control once: a chat's events come in runs
// (activated, deactivated, activated again), and a load was a quarter of
// the work of applying a batch on the one writer (issue 15).
type eventProcessor struct {
	ctx         context.Context
	tx          *Tx
	hexIn       string // the dialect's
	channelID   int64
	attachments map[string]*portal.ModuleAttachment // bot ID → attachment; nil value: none
	// chatControls may keep the controls of an attachment detached in the
	// batch, which the detach deleted: they are never read again, since
	// no event revives an attachment (NextAttachment) and none changes
	// a chat of a detached one (NextChatControl).
	chatControls map[chatKey]*portal.ChatControl // nil value: none stored
	// blocks are the users' latest blocks of their accounts on this
	// channel no older than the batch's earliest event, as read
	// (readRecentBlocks) or written in the batch; none: no such block.
	blocks map[blockKey]portal.Block
}

// blockKey names a user of an account.
type blockKey struct {
	botID, userID string
}

// chatKey names a chat's control: the attachment and the chat.
type chatKey struct {
	attachmentID int64
	chatID       string
}

// chatControl is the chat's control under the attachment, nil for none.
func (p *eventProcessor) chatControl(attachmentID int64, chatID string) (*portal.ChatControl, error) {
	key := chatKey{attachmentID, chatID}
	if c, ok := p.chatControls[key]; ok {
		return c, nil
	}
	c, err := loadChatControl(p.ctx, p.tx, attachmentID, chatID)
	if err != nil {
		return nil, err
	}
	p.chatControls[key] = c
	return c, nil
}

func (p *eventProcessor) attachment(botID string) (*portal.ModuleAttachment, error) {
	if a, ok := p.attachments[botID]; ok {
		return a, nil
	}
	a, err := loadAttachment(p.ctx, p.tx, p.channelID, botID)
	if err != nil {
		return nil, err
	}
	p.attachments[botID] = a
	return a, nil
}

// effect is ev's effect on this channel (portal's EventEffect.On), which
// the channel's own attachment to the event's bot, as of this transaction
// and the batch's earlier events, decides.
func (p *eventProcessor) effect(ev portal.WebhookEvent) (portal.EventEffect, error) {
	effect := ev.Effect()
	if effect == portal.EffectNone {
		return effect, nil
	}
	a, err := p.attachment(ev.BotID)
	if err != nil {
		return portal.EffectNone, err
	}
	return effect.On(a != nil && a.State == portal.Attached), nil
}

// readRecentBlocks reads, for each account the batch's events name, its
// users' blocks of this channel (or of every channel) no older than the
// batch's earliest event: one read a batch, which usually finds none,
// where a read for each user was a statement an event in a busy account's
// batch. An older block forgets none of the batch's events
// (ForgottenOnArrival), so a user without a recent one counts as never
// having blocked.
func (p *eventProcessor) readRecentBlocks(events []portal.WebhookEvent) error {
	type batchUsers struct {
		earliest time.Time
		users    map[string]string // hexadecimal user key → user ID
	}
	accounts := map[string]*batchUsers{}
	seen := map[blockKey]bool{}
	for _, ev := range events {
		if ev.Source.UserID == "" {
			continue
		}
		a := accounts[ev.BotID]
		if a == nil {
			a = &batchUsers{earliest: ev.Timestamp, users: map[string]string{}}
			accounts[ev.BotID] = a
		}
		if ev.Timestamp.Before(a.earliest) {
			a.earliest = ev.Timestamp
		}
		if key := (blockKey{ev.BotID, ev.Source.UserID}); !seen[key] {
			seen[key] = true
			a.users[hex.EncodeToString(userKey(key.userID))] = key.userID
		}
	}
	for botID, a := range accounts {
		keys, _ := json.Marshal(slices.Collect(maps.Keys(a.users))) // strings always marshal
		rows, err := p.tx.QueryContext(p.ctx, `SELECT user_key, blocked_at FROM user_blocks WHERE bot_id = ? AND user_key `+p.hexIn+`
			AND channel_id IN (?, ?) AND blocked_at >= ?`, botID, string(keys), everyChannel, p.channelID, millis(a.earliest))
		if err != nil {
			return err
		}
		for rows.Next() {
			var key []byte
			var at int64
			if err := rows.Scan(&key, &at); err != nil {
				rows.Close()
				return err
			}
			k := blockKey{botID, a.users[hex.EncodeToString(key)]}
			if b := fromMillis(at); b.After(p.blocks[k].At) {
				p.blocks[k] = portal.Block{At: b}
			}
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return err
		}
	}
	return nil
}

// forgottenOnArrival tells whether ev comes from a user who blocked its
// account after it (portal.ForgottenOnArrival).
func (p *eventProcessor) forgottenOnArrival(ev portal.WebhookEvent) bool {
	if ev.Source.UserID == "" {
		return false
	}
	return portal.ForgottenOnArrival(ev, p.blocks[blockKey{ev.BotID, ev.Source.UserID}])
}

// block remembers that the user f names blocked its account at f.Until,
// for channelID (everyChannel: all of them), and that this batch did.
func (p *eventProcessor) block(f portal.Forgetting, channelID int64) error {
	_, err := p.tx.ExecContext(p.ctx, `INSERT INTO user_blocks (bot_id, user_key, channel_id, blocked_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (bot_id, user_key, channel_id) DO UPDATE SET blocked_at = excluded.blocked_at WHERE excluded.blocked_at > user_blocks.blocked_at`,
		f.BotID, userKey(f.UserID), channelID, millis(f.Until))
	// The batch read the user's recent blocks before its first event.
	if key := (blockKey{f.BotID, f.UserID}); f.Until.After(p.blocks[key].At) {
		p.blocks[key] = portal.Block{At: f.Until, ThisBatch: true}
	}
	return err
}

// everyChannel is user_blocks' channel_id of a block for every channel.
const everyChannel = 0

// userKey is how user_blocks names a user: the SHA-256 of their user ID.
func userKey(userID string) []byte { return tokenHash(userID) }

// apply makes ev's state change, for an effect that applies to this
// channel (effect), and tells whether anything changed.
func (p *eventProcessor) apply(effect portal.EventEffect, ev portal.WebhookEvent) (bool, error) {
	ctx, tx := p.ctx, p.tx
	switch effect {
	case portal.EffectAttachment:
		cur, err := p.attachment(ev.BotID)
		if err != nil {
			return false, err
		}
		next, changed := portal.NextAttachment(cur, ev)
		if !changed {
			return false, nil
		}
		if err := saveAttachment(ctx, tx, &next, p.channelID); err != nil {
			return false, err
		}
		p.attachments[ev.BotID] = &next
		return true, notifySuspension(ctx, tx, cur, next)

	case portal.EffectChatControl:
		a, err := p.attachment(ev.BotID)
		if err != nil || a == nil {
			return false, err
		}
		cur, err := p.chatControl(a.ID, ev.Source.ChatID())
		if err != nil {
			return false, err
		}
		next, changed := portal.NextChatControl(a, cur, ev)
		if !changed {
			return false, nil
		}
		if err := saveChatControl(ctx, tx, a.ID, next); err != nil {
			return false, err
		}
		stored := storedChatControl(next, tx.now)
		p.chatControls[chatKey{a.ID, next.ChatID}] = &stored
		return true, nil

	case portal.EffectFollow:
		u := portal.FollowRecord(ev)
		// The newer follow wins; the first-seen time stays.
		r, err := tx.ExecContext(ctx, `INSERT INTO oa_users (bot_id, user_id, first_seen_at, followed_at, unblocked) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (bot_id, user_id) DO UPDATE SET followed_at = excluded.followed_at, unblocked = excluded.unblocked,
				first_seen_at = CASE WHEN excluded.first_seen_at < oa_users.first_seen_at THEN excluded.first_seen_at ELSE oa_users.first_seen_at END
			WHERE excluded.followed_at >= oa_users.followed_at`,
			u.BotID, u.UserID, millis(u.FirstSeenAt), millis(u.FollowedAt), u.Unblocked)
		if err != nil {
			return false, err
		}
		n, err := r.RowsAffected()
		return n == 1, err

	case portal.EffectForgetUser:
		// This channel is attached to the bot (the effect applies), so the
		// user's data for the bot goes on every channel that holds some:
		// the user blocked the account, and no copy of it stays. What LINE
		// reports after the block (a newer follow, a chat taken again)
		// stays.
		f := portal.ForgetUser(ev)
		until := millis(f.Until)
		r, err := tx.ExecContext(ctx, `DELETE FROM oa_users WHERE bot_id = ? AND user_id = ? AND followed_at <= ?`, f.BotID, f.UserID, until)
		if err != nil {
			return false, err
		}
		// A record that stays, from a follow after the block, was first
		// seen then: its first-seen time from before goes too. There is
		// none when the record went (one a user and account).
		if deleted, err := r.RowsAffected(); err != nil {
			return false, err
		} else if deleted == 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE oa_users SET first_seen_at = followed_at WHERE bot_id = ? AND user_id = ? AND first_seen_at <= ?`,
				f.BotID, f.UserID, until); err != nil {
				return false, err
			}
		}
		// From the user's few chats to their attachments: "attachment_id
		// IN (SELECT id … WHERE bot_id = ?)" read every attachment of
		// every channel (no index starts with bot_id).
		if _, err := tx.ExecContext(ctx, `DELETE FROM module_chat_controls WHERE chat_id = ? AND changed_at <= ?
			AND EXISTS (SELECT 1 FROM module_attachments a WHERE a.id = module_chat_controls.attachment_id AND a.bot_id = ?)`, f.UserID, until, f.BotID); err != nil {
			return false, err
		}
		// The channel's own attachment to the bot, which the effect
		// applying means it has, is one of those: the control of the chat
		// the batch knows went, unless it is newer than the block.
		if a := p.attachments[f.BotID]; a != nil {
			key := chatKey{a.ID, f.UserID}
			if c := p.chatControls[key]; c != nil && !c.ChangedAt.After(f.Until) {
				p.chatControls[key] = nil
			}
		}
		// Every channel's events from the user for this account until the
		// block, this unfollow included; the rows and their event IDs stay.
		if _, err := tx.ExecContext(ctx, `UPDATE webhook_events SET payload = NULL, source_user_id = NULL WHERE bot_id = ? AND source_user_id = ? AND occurred_at <= ?`,
			f.BotID, f.UserID, until); err != nil {
			return false, err
		}
		// Remembered, for their events from before it that arrive later.
		err = p.block(f, everyChannel)
		return err == nil, err

	case portal.EffectForgetUserHere:
		// The channel is not attached to the bot: only the user's events
		// it holds itself go, this unfollow included.
		f := portal.ForgetUser(ev)
		if _, err := tx.ExecContext(ctx, `UPDATE webhook_events SET payload = NULL, source_user_id = NULL
			WHERE bot_id = ? AND source_user_id = ? AND channel_id = ? AND occurred_at <= ?`, f.BotID, f.UserID, p.channelID, millis(f.Until)); err != nil {
			return false, err
		}
		err := p.block(f, p.channelID)
		return err == nil, err
	}
	return false, nil
}

// HasWebhookEvents tells whether LINE's webhooks for a channel have ever
// reached the portal (one index probe, whatever the number of events).
func (db *DB) HasWebhookEvents(ctx context.Context, channelID int64) (bool, error) {
	var has bool
	if err := db.read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM webhook_events WHERE channel_id = ?)`, channelID).Scan(&has); err != nil {
		return false, fmt.Errorf("store: has webhook events: %w", err)
	}
	return has, nil
}

// FindWebhookEvents returns one page of the events a channel received
// about a bot, newest first.
func (db *DB) FindWebhookEvents(ctx context.Context, channelID int64, botID string, p Page) ([]portal.WebhookEvent, Cursor, error) {
	before, err := p.After.beforeID()
	if err != nil {
		return nil, "", err
	}
	events, next, err := findPage(ctx, db.read, p, scanWebhookEvent, func(e portal.WebhookEvent) Cursor { return idCursor(e.ID) },
		`SELECT id, channel_id, webhook_event_id, type, module_type, mode, destination, bot_id, source_type, source_user_id, source_group_id, source_room_id,
			occurred_at, is_redelivery, payload, received_at, processed_at
		FROM webhook_events WHERE channel_id = ? AND bot_id = ? AND id < ? ORDER BY id DESC LIMIT ?`, channelID, botID, before)
	if err != nil {
		return nil, "", fmt.Errorf("store: find webhook events: %w", err)
	}
	return events, next, nil
}

func scanWebhookEvent(s scanner) (portal.WebhookEvent, error) {
	var e portal.WebhookEvent
	var user, group, room, payload sql.NullString // payload: NULL once forgotten
	var occurred, received int64
	var processed sql.NullInt64
	err := s.Scan(&e.ID, &e.ChannelID, &e.WebhookEventID, &e.Type, &e.ModuleType, &e.Mode, &e.Destination, &e.BotID, &e.Source.Type,
		&user, &group, &room, &occurred, &e.IsRedelivery, &payload, &received, &processed)
	e.Source.UserID, e.Source.GroupID, e.Source.RoomID, e.Payload = user.String, group.String, room.String, payload.String
	e.Timestamp, e.ReceivedAt, e.ProcessedAt = fromMillis(occurred), fromMillis(received), nullMillis(processed)
	return e, err
}
