package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"lineportal/internal/portal"
)

// Notifications: recorded in the transaction of the change they tell of,
// for each person concerned but the one who made the change, so that a
// rolled-back change tells no one and a body run twice tells once.

// notify records a notice of kind with params for each admin the query
// recipients (a SELECT of admin IDs, with args) returns, except actor.
func notify(ctx context.Context, tx *Tx, actor portal.Admin, kind portal.NoticeKind, params map[string]string, recipients string, args ...any) error {
	data, err := json.Marshal(params)
	if err != nil {
		return err
	}
	// The link request the notice names is kept in a column of its own
	// too, for settleLinkRequestNotices.
	var requestID any // NULL
	if id, err := strconv.ParseInt(params["RequestID"], 10, 64); err == nil {
		requestID = nullInt(id)
	}
	// Each notice comes back with whether its person gets it by LINE too,
	// so that the LINE outbox costs a statement only when someone does.
	notices, err := findAll(ctx, tx, scanNewNotice, `INSERT INTO notifications (admin_id, kind, params, created_at, link_request_id)
		SELECT DISTINCT r.id, CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS BIGINT) FROM (`+recipients+`) r WHERE r.id <> ?
		RETURNING id, admin_id, `+wantsLINE,
		append(append([]any{kind, string(data), millis(tx.now), requestID}, args...), actor.ID, boolInt(kind.ByLINEByDefault()))...)
	if err != nil {
		return err
	}
	return enqueueLINE(ctx, tx, notices, kind)
}

// newNotice is a notice notify has just recorded.
type newNotice struct {
	id, adminID int64
	byLINE      bool
}

func scanNewNotice(s scanner) (newNotice, error) {
	var n newNotice
	err := s.Scan(&n.id, &n.adminID, &n.byLINE)
	return n, err
}

// Recipients, as SELECTs of admin IDs named id.
const (
	organizationAdmins    = `SELECT admin_id AS id FROM organization_admins WHERE org_id = ?`
	channelAdmins         = `SELECT admin_id AS id FROM channel_roles WHERE channel_id = ? AND role = 'admin'`
	officialAccountAdmins = `SELECT admin_id AS id FROM official_account_roles WHERE official_account_id = ? AND role = 'admin'`
	oneAdmin              = `SELECT CAST(? AS BIGINT) AS id`
)

// settleLinkRequestNotices reads, for its organization's administrators,
// the notices of a link request just decided (approved, or replaced by a
// newer one): nobody needs to act on it any more, so it no longer counts
// as unread, and a LINE message of it not sent yet stays in the portal.
// The notice names its request in its params, as notify wrote them.
func settleLinkRequestNotices(ctx context.Context, tx *Tx, r portal.LinkRequest) error {
	// The request's unread notices to the organization's administrators,
	// by the index of the requests notices name (migration 0015), each
	// with whether its LINE message still waits: most have none waiting,
	// and then the outbox costs no statement.
	waiting, err := findAll(ctx, tx, func(s scanner) (waitingNotice, error) {
		var n waitingNotice
		err := s.Scan(&n.id, &n.waiting)
		return n, err
	}, `UPDATE notifications SET read_at = ? WHERE link_request_id = ? AND read_at IS NULL AND kind = ?
		AND admin_id IN (SELECT admin_id FROM organization_admins WHERE org_id = ?)
		RETURNING id, EXISTS (SELECT 1 FROM line_outbox WHERE notification_id = notifications.id AND state = 'waiting')`,
		millis(tx.now), r.ID, portal.NoticeLinkRequest, r.OrgID)
	if err != nil {
		return err
	}
	held := []any{millis(tx.now)}
	for _, n := range waiting {
		if n.waiting {
			held = append(held, n.id)
		}
	}
	if len(held) == 1 {
		return nil
	}
	_, err = tx.ExecContext(ctx, `UPDATE line_outbox SET state = 'held', done_at = ? WHERE state = 'waiting'
		AND notification_id IN (?`+strings.Repeat(", ?", len(held)-2)+`)`, held...)
	return err
}

// waitingNotice is a notice, and whether its LINE message waits.
type waitingNotice struct {
	id      int64
	waiting bool
}

// CountUnread counts the admin's unread notifications, for the header, up
// to one more than portal.UnreadCounted: every page asks, so the count
// reads a bounded number of rows.
func (db *DB) CountUnread(ctx context.Context, adminID int64) (int, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM notifications WHERE admin_id = ? AND read_at IS NULL LIMIT `+
		strconv.Itoa(portal.UnreadCounted+1)+`) unread`, adminID).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count unread: %w", err)
	}
	return n, nil
}

// FindNotices returns one page of the admin's notifications, newest first.
func (db *DB) FindNotices(ctx context.Context, adminID int64, p Page) ([]portal.Notice, Cursor, error) {
	before, err := p.After.beforeID()
	if err != nil {
		return nil, "", err
	}
	notices, next, err := findPage(ctx, db.read, p, scanNotice, func(n portal.Notice) Cursor { return idCursor(n.ID) },
		`SELECT id, admin_id, kind, params, created_at, read_at FROM notifications WHERE admin_id = ? AND id < ? ORDER BY id DESC LIMIT ?`, adminID, before)
	if err != nil {
		return nil, "", fmt.Errorf("store: find notices: %w", err)
	}
	return notices, next, nil
}

// MarkRead marks the admin's notice id as read, or all of their unread
// notices when id is 0. Marking what is already read changes nothing. A
// notice read before its LINE message went is not sent by LINE: the
// person has seen it.
func (db *DB) MarkRead(ctx context.Context, adminID, id int64) error {
	err := db.update(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE notifications SET read_at = ? WHERE admin_id = ? AND read_at IS NULL AND (? = 0 OR id = ?)`,
			millis(tx.now), adminID, id, id)
		if err == nil {
			_, err = tx.ExecContext(ctx, `UPDATE line_outbox SET state = 'held', done_at = ? WHERE admin_id = ? AND state = 'waiting' AND (? = 0 OR notification_id = ?)`,
				millis(tx.now), adminID, id, id)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("store: mark read: %w", err)
	}
	return nil
}

func scanNotice(s scanner) (portal.Notice, error) {
	var n portal.Notice
	var params string
	var created int64
	var read sql.NullInt64
	if err := s.Scan(&n.ID, &n.AdminID, &n.Kind, &params, &created, &read); err != nil {
		return portal.Notice{}, err
	}
	n.CreatedAt, n.ReadAt = fromMillis(created), nullMillis(read)
	return n, json.Unmarshal([]byte(params), &n.Params)
}

// takeLease gives the lease of the background job name to holder (one
// portal instance's ID) for leaseFor, if holder holds it already or it ran
// out, and tells whether holder holds it: several instances on one
// database run the job once.
func takeLease(ctx context.Context, tx *Tx, name, holder string, leaseFor time.Duration) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
		WHERE leases.holder = excluded.holder OR leases.expires_at <= ?`, name, holder, millis(tx.now.Add(leaseFor)), millis(tx.now))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// expiryJob is the lease name of the timed job that notices expiring link
// request URLs.
const expiryJob = "expiring-urls"

// NoticeExpiringURLs is the timed job: if holder (one portal instance's
// ID) holds the job's lease, or can take it because it ran out, it keeps
// the lease for leaseFor and tells each sender of a pending link request
// whose URL expires within portal.ExpiringSoon, once per request. It
// returns how many it told, and whether it held the lease: several
// instances on one database run it once.
func (db *DB) NoticeExpiringURLs(ctx context.Context, holder string, leaseFor time.Duration) (told int, held bool, err error) {
	err = db.update(ctx, func(tx *Tx) error {
		told = 0
		var err error
		if held, err = takeLease(ctx, tx, expiryJob, holder, leaseFor); err != nil || !held {
			return err
		}
		type expiring struct {
			id, sentBy, channelID int64
			orgID, channel        string
			expiresAt             int64
		}
		due, err := findAll(ctx, tx, func(s scanner) (expiring, error) {
			var e expiring
			err := s.Scan(&e.id, &e.sentBy, &e.channelID, &e.orgID, &e.channel, &e.expiresAt)
			return e, err
		}, `SELECT lr.id, lr.sent_by, lr.channel_id, lr.org_id, c.name, lr.expires_at FROM link_requests lr JOIN channels c ON c.id = lr.channel_id
			WHERE lr.state = 'pending' AND lr.expiry_noticed_at IS NULL AND lr.expires_at > ? AND lr.expires_at <= ? ORDER BY lr.expires_at`,
			millis(tx.now), millis(tx.now.Add(portal.ExpiringSoon)))
		if err != nil {
			return err
		}
		for _, e := range due {
			res, err := tx.ExecContext(ctx, `UPDATE link_requests SET expiry_noticed_at = ? WHERE id = ? AND expiry_noticed_at IS NULL`, millis(tx.now), e.id)
			if err := guarded(res, err); err != nil {
				return err
			}
			if err := notify(ctx, tx, portal.Admin{}, portal.NoticeURLExpiring, map[string]string{
				"Channel": e.channel, "ChannelID": itoa(e.channelID), "OrgID": e.orgID, "ExpiresAt": itoa(e.expiresAt),
			}, oneAdmin, e.sentBy); err != nil {
				return err
			}
			told++
		}
		return nil
	})
	if err != nil {
		return 0, false, fmt.Errorf("store: notice expiring URLs: %w", err)
	}
	return told, held, nil
}

// notifySuspension tells the module channel's Admins when LINE suspended
// a bot it is attached to (its admin pages stop working) or resumed it.
func notifySuspension(ctx context.Context, tx *Tx, cur *portal.ModuleAttachment, next portal.ModuleAttachment) error {
	if cur == nil || cur.Suspended == next.Suspended {
		return nil
	}
	kind := portal.NoticeBotResumed
	if next.Suspended {
		kind = portal.NoticeBotSuspended
	}
	bot := next.Bot.DisplayName
	if bot == "" {
		bot = next.Bot.BotID
	}
	return notify(ctx, tx, portal.Admin{}, kind, map[string]string{"Bot": bot, "BotID": next.Bot.BotID, "ModuleID": itoa(next.ChannelID)},
		channelAdmins, next.ChannelID)
}
