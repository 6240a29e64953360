package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"lineportal/internal/portal"
)

// Notifications as LINE messages: a notice for a friend of the portal's
// Official Account who wants its kind by LINE waits in line_outbox (see
// migration 0013) until the background sender claims it, with the
// person's other waiting notices, as one message.

// wantsLINE, in the RETURNING clause of an INSERT INTO notifications,
// tells whether the notice's person gets it by LINE too: they are a friend
// of the portal's Official Account (as the portal last heard, at a
// sign-in or from the account's webhook: LINE delivers nothing to anyone
// else) and want its kind by LINE, by choice or else by default (the
// placeholder: the kind's portal.NoticeKind.ByLINEByDefault).
const wantsLINE = `EXISTS (SELECT 1 FROM admins a LEFT JOIN line_notice_choices c ON c.admin_id = a.id AND c.kind = notifications.kind
	WHERE a.id = notifications.admin_id AND a.friend_flag = 1 AND COALESCE(c.by_line, ?) = 1)`

// enqueueLINE puts the notices of kind that their people get by LINE in
// the LINE outbox, in one statement.
func enqueueLINE(ctx context.Context, tx *Tx, notices []newNotice, kind portal.NoticeKind) error {
	var values strings.Builder
	var args []any
	for _, n := range notices {
		if !n.byLINE {
			continue
		}
		if len(args) > 0 {
			values.WriteString(", ")
		}
		values.WriteString("(?, ?, ?, ?)")
		args = append(args, n.id, n.adminID, boolInt(kind.ApprovalRequest()), millis(tx.now))
	}
	if len(args) == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO line_outbox (notification_id, admin_id, approval, created_at) VALUES `+values.String(), args...)
	return err
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// LINEChoices returns the kinds of notice the admin wants by LINE: what
// they chose, the defaults where they did not.
func (db *DB) LINEChoices(ctx context.Context, adminID int64) (portal.LINEChoices, error) {
	type choice struct {
		kind   portal.NoticeKind
		byLINE bool
	}
	chosen, err := findAll(ctx, db.read, func(s scanner) (choice, error) {
		var c choice
		err := s.Scan(&c.kind, &c.byLINE)
		return c, err
	}, `SELECT kind, by_line = 1 FROM line_notice_choices WHERE admin_id = ?`, adminID)
	if err != nil {
		return nil, fmt.Errorf("store: LINE choices: %w", err)
	}
	choices := portal.DefaultLINEChoices()
	for _, c := range chosen {
		if c.kind.Valid() {
			choices[c.kind] = c.byLINE
		}
	}
	return choices, nil
}

// SetLINEChoices saves the admin's choice for every kind of notice: a kind
// missing from choices is off. Notices already waiting keep going.
func (db *DB) SetLINEChoices(ctx context.Context, adminID int64, choices portal.LINEChoices) error {
	err := db.update(ctx, func(tx *Tx) error {
		for _, kind := range portal.NoticeKinds {
			if _, err := tx.ExecContext(ctx, `INSERT INTO line_notice_choices (admin_id, kind, by_line) VALUES (?, ?, ?)
				ON CONFLICT (admin_id, kind) DO UPDATE SET by_line = excluded.by_line`, adminID, kind, boolInt(choices[kind])); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: set LINE choices: %w", err)
	}
	return nil
}

// LINEMessage is one LINE message to one person: the notices that waited
// for them, oldest first.
type LINEMessage struct {
	// Key names the message for good: every attempt to push it carries
	// the LINE retry key made from it, so LINE sends it once.
	Key     string
	To      portal.Admin
	Notices []portal.Notice
}

// LINEOutcome is what became of a claimed LINE message.
type LINEOutcome string

const (
	// LINESent: LINE accepted the message (or an earlier attempt of it).
	LINESent LINEOutcome = "sent"
	// LINEHeld: the quota was used up; the notices stay in the portal.
	LINEHeld LINEOutcome = "held"
	// LINEFailed: LINE refused the message; it is not tried again.
	LINEFailed LINEOutcome = "failed"
)

// lineSenderJob is the lease name of the background LINE sender.
const lineSenderJob = "line-notices"

// LINEMessagesDue tells whether ClaimLINEMessages has anything to do now:
// a message claimed before and not finished, or a person whose oldest
// waiting notice has waited portal.LINEBatchWindow. It reads, so that
// the sender asks LINE for the quota only when it has something to send.
func (db *DB) LINEMessagesDue(ctx context.Context) (bool, error) {
	var claimed, waiting int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM line_outbox WHERE state = 'claimed' LIMIT 1) c`).Scan(&claimed)
	if err == nil {
		err = db.read.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM line_outbox WHERE state = 'waiting' AND created_at <= ? LIMIT 1) w`,
			millis(db.Now().Add(-portal.LINEBatchWindow))).Scan(&waiting)
	}
	if err != nil {
		return false, fmt.Errorf("store: LINE messages due: %w", err)
	}
	return claimed+waiting > 0, nil
}

// TakeLINESenderLease tells whether holder (one portal instance's ID)
// holds the sender's lease, or could take it because it ran out, and then
// keeps it for leaseFor: the sender asks LINE for the quota only then, so
// that the instances that will not send leave LINE alone.
// ClaimLINEMessages takes the lease again in its own transaction.
func (db *DB) TakeLINESenderLease(ctx context.Context, holder string, leaseFor time.Duration) (held bool, err error) {
	err = db.update(ctx, func(tx *Tx) error {
		held, err = takeLease(ctx, tx, lineSenderJob, holder, leaseFor)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: take the LINE sender's lease: %w", err)
	}
	return held, nil
}

// ClaimLINEMessages is the background sender's turn: if holder (one portal
// instance's ID) holds the sender's lease, or can take it because it ran
// out, it keeps it for leaseFor and returns the LINE messages to push:
// first those claimed before and not finished (pushed again under the same
// key; those first claimed portal.LINEPushDeadline ago or more are failed
// instead, and no longer count against the quota), then one new message for each person whose oldest waiting notice
// has waited portal.LINEBatchWindow, holding all their waiting notices.
// quota is the portal Official Account's, read just before: people with an
// approval request waiting come first, and a message the quota does not
// allow (portal.MessageQuota.MayPush) is not sent: its notices are held
// and stay in the portal only. It also tells whether holder held the
// lease: several instances on one database send each message once.
func (db *DB) ClaimLINEMessages(ctx context.Context, holder string, leaseFor time.Duration, quota portal.MessageQuota) (msgs []LINEMessage, held bool, err error) {
	err = db.update(ctx, func(tx *Tx) error {
		msgs = nil
		var err error
		if held, err = takeLease(ctx, tx, lineSenderJob, holder, leaseFor); err != nil || !held {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE line_outbox SET state = 'failed', done_at = ? WHERE state = 'claimed' AND claimed_at <= ?`,
			millis(tx.now), millis(tx.now.Add(-portal.LINEPushDeadline))); err != nil {
			return err
		}
		keys, err := findAll(ctx, tx, func(s scanner) (string, error) {
			var k string
			return k, s.Scan(&k)
		}, `SELECT DISTINCT message_key FROM line_outbox WHERE state = 'claimed' ORDER BY message_key`)
		if err != nil {
			return err
		}
		type due struct {
			adminID, first, firstAt int64
			approval                bool
		}
		people, err := findAll(ctx, tx, func(s scanner) (due, error) {
			var d due
			return d, s.Scan(&d.adminID, &d.first, &d.firstAt, &d.approval)
		}, `SELECT admin_id, MIN(notification_id), MIN(created_at), MAX(approval) = 1 FROM line_outbox WHERE state = 'waiting'
			GROUP BY admin_id HAVING MIN(created_at) <= ? ORDER BY MAX(approval) DESC, MIN(created_at), admin_id`,
			millis(tx.now.Add(-portal.LINEBatchWindow)))
		if err != nil {
			return err
		}
		// Claimed messages not yet finished may spend the quota too.
		spent := int64(len(keys))
		for _, p := range people {
			if !quota.MayPush(p.approval, spent) {
				if _, err := tx.ExecContext(ctx, `UPDATE line_outbox SET state = 'held', done_at = ? WHERE admin_id = ? AND state = 'waiting'`,
					millis(tx.now), p.adminID); err != nil {
					return err
				}
				continue
			}
			key := fmt.Sprintf("notices:%d:%d:%d", p.adminID, p.first, p.firstAt)
			if _, err := tx.ExecContext(ctx, `UPDATE line_outbox SET state = 'claimed', message_key = ?, claimed_at = ? WHERE admin_id = ? AND state = 'waiting'`,
				key, millis(tx.now), p.adminID); err != nil {
				return err
			}
			keys = append(keys, key)
			spent++
		}
		for _, key := range keys {
			notices, err := findAll(ctx, tx, scanNotice, `SELECT n.id, n.admin_id, n.kind, n.params, n.created_at, n.read_at
				FROM line_outbox o JOIN notifications n ON n.id = o.notification_id WHERE o.message_key = ? AND o.state = 'claimed' ORDER BY n.id`, key)
			if err != nil {
				return err
			}
			to, err := findAdmin(ctx, tx, notices[0].AdminID)
			if err != nil {
				return err
			}
			msgs = append(msgs, LINEMessage{Key: key, To: to, Notices: notices})
		}
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("store: claim LINE messages: %w", err)
	}
	return msgs, held, nil
}

// LinkRequestURLPushed records that the URL of link request requestID
// reached administrator adminID in a LINE message pushed by hand, under
// key: it tells them what the request's notice would, so that notice, if
// it still waits, goes out by LINE no more (it counts as that message) and
// stays in the portal, unread, until they act on it.
func (db *DB) LinkRequestURLPushed(ctx context.Context, requestID, adminID int64, key string) error {
	err := db.update(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE line_outbox SET state = 'sent', message_key = ?, done_at = ?
			WHERE state = 'waiting' AND notification_id IN (SELECT id FROM notifications WHERE link_request_id = ? AND kind = ? AND admin_id = ?)`,
			key, millis(tx.now), requestID, portal.NoticeLinkRequest, adminID)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: link request URL pushed: %w", err)
	}
	return nil
}

// FinishLINEMessage records what became of the claimed message key; a
// message finished already stays as it was.
func (db *DB) FinishLINEMessage(ctx context.Context, key string, outcome LINEOutcome) error {
	err := db.update(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE line_outbox SET state = ?, done_at = ? WHERE message_key = ? AND state = 'claimed'`,
			outcome, millis(tx.now), key)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: finish LINE message: %w", err)
	}
	return nil
}
