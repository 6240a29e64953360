package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"lineportal/internal/portal"
)

// SignIn records a successful LINE Login: it creates the admin on first
// sign-in and refreshes their profile and friendship outcome after that.
// The friend flag LINE told (in.FriendFlag) replaces the one known unless
// LINE could not be asked or the one known is newer (a follow or block the
// account's webhook told of after LINE was asked: RecordFriendships); a
// friend is blocked no more, and no friend keeps what the webhook told of a
// block, which the flag can't tell apart from never having added it. The
// language in is saved only for an admin who has none saved yet.
func (db *DB) SignIn(ctx context.Context, in portal.SignIn) (portal.Admin, error) {
	if in.LINEUserID == "" {
		return portal.Admin{}, portal.Refuse(portal.EINVALID, portal.RSignInNoUser)
	}
	var a portal.Admin
	err := db.update(ctx, func(tx *Tx) error {
		now := millis(tx.now)
		var flagAt sql.NullInt64
		if in.FriendFlag != nil {
			flagAt = sql.NullInt64{Int64: now, Valid: true}
			if !in.FriendFlagAt.IsZero() {
				flagAt.Int64 = millis(in.FriendFlagAt)
			}
		}
		row := tx.QueryRowContext(ctx, `INSERT INTO admins (line_user_id, name, picture_url, friendship_changed, friend_flag, friend_flag_at, created_at, last_sign_in_at, language)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (line_user_id) DO UPDATE SET
				name = excluded.name, picture_url = excluded.picture_url,
				friendship_changed = excluded.friendship_changed,
				friend_flag = CASE WHEN excluded.friend_flag IS NULL OR admins.friend_flag_at >= excluded.friend_flag_at
					THEN admins.friend_flag ELSE excluded.friend_flag END,
				friend_flag_at = CASE WHEN excluded.friend_flag IS NULL OR admins.friend_flag_at >= excluded.friend_flag_at
					THEN admins.friend_flag_at ELSE excluded.friend_flag_at END,
				friend_blocked = CASE WHEN excluded.friend_flag IS NULL OR admins.friend_flag_at >= excluded.friend_flag_at OR excluded.friend_flag = 0
					THEN admins.friend_blocked ELSE 0 END,
				last_sign_in_at = excluded.last_sign_in_at,
				language = CASE WHEN admins.language = '' THEN excluded.language ELSE admins.language END
			RETURNING `+adminColumns,
			in.LINEUserID, in.Name, in.PictureURL, nullBool(in.FriendshipChanged), nullBool(in.FriendFlag), flagAt, now, now, in.Language)
		var err error
		a, err = scanAdmin(row)
		return err
	})
	if err != nil {
		return portal.Admin{}, fmt.Errorf("store: sign in: %w", err)
	}
	return a, nil
}

// RecordFriendships applies, in one transaction, what the portal's
// Official Account's webhook told of who added or blocked it. A person's
// flag takes a change that happened after what the portal last knew (their
// latest sign-in, or a later change); one from before, redelivered or out
// of order, changes nothing. Who blocked it has their LINE messages still
// waiting held, as LINE would deliver none: the notices stay in the
// portal. People the portal does not know are passed over: the account's
// friends are not all its users. It returns how many changes applied.
func (db *DB) RecordFriendships(ctx context.Context, changes []portal.FriendshipChange) (int, error) {
	var applied int
	err := db.update(ctx, func(tx *Tx) error {
		applied = 0
		for _, c := range changes {
			at := millis(c.At)
			// An unfollow is a block: LINE sends it when a friend blocks
			// the account; a follow adds it or unblocks it.
			res, err := tx.ExecContext(ctx, `UPDATE admins SET friend_flag = ?, friend_blocked = ?, friend_flag_at = ?
				WHERE line_user_id = ? AND (friend_flag_at IS NULL OR friend_flag_at < ?)`, boolInt(c.Friend), boolInt(!c.Friend), at, c.LINEUserID, at)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue
			}
			applied++
			if c.Friend {
				continue
			}
			if _, err := tx.ExecContext(ctx, `UPDATE line_outbox SET state = 'held', done_at = ?
				WHERE state = 'waiting' AND admin_id = (SELECT id FROM admins WHERE line_user_id = ?)`, millis(tx.now), c.LINEUserID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: record friendships: %w", err)
	}
	return applied, nil
}

// SetAdminSettings saves an admin's language and time zone, as chosen on
// their profile or with the header's switcher ("" keeps the zone the
// language implies). The caller checks that both are ones the portal knows.
func (db *DB) SetAdminSettings(ctx context.Context, adminID int64, language, timeZone string) error {
	err := db.update(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE admins SET language = ?, time_zone = ? WHERE id = ?`, language, timeZone, adminID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound(portal.RNoSuchAdmin)
		}
		return nil
	})
	if err != nil && portal.ErrorCode(err) != portal.ENOTFOUND {
		return fmt.Errorf("store: admin %d settings: %w", adminID, err)
	}
	return err
}

// FindAdminByID returns the admin with the given ID.
func (db *DB) FindAdminByID(ctx context.Context, id int64) (portal.Admin, error) {
	a, err := findAdmin(db.keyRead(ctx), db.read, id)
	if err != nil && portal.ErrorCode(err) != portal.ENOTFOUND {
		return portal.Admin{}, fmt.Errorf("store: find admin %d: %w", id, err)
	}
	return a, err
}

func findAdmin(ctx context.Context, q querier, id int64) (portal.Admin, error) {
	a, err := scanAdmin(q.QueryRowContext(ctx, `SELECT `+adminColumns+` FROM admins WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return portal.Admin{}, notFound(portal.RNoSuchAdmin)
	}
	return a, err
}

const adminColumns = `id, line_user_id, name, picture_url, friendship_changed, friend_flag, friend_blocked, created_at, last_sign_in_at, language, time_zone`

func scanAdmin(row interface{ Scan(...any) error }) (portal.Admin, error) {
	var a portal.Admin
	var changed, friend sql.NullBool
	var created, signedIn int64
	if err := row.Scan(&a.ID, &a.LINEUserID, &a.Name, &a.PictureURL, &changed, &friend, &a.BlockedPortalOA, &created, &signedIn, &a.Language, &a.TimeZone); err != nil {
		return portal.Admin{}, err
	}
	a.FriendshipChanged, a.FriendFlag = boolPtr(changed), boolPtr(friend)
	a.CreatedAt = fromMillis(created)
	if signedIn != 0 { // 0: added by someone else, never signed in yet
		a.LastSignInAt = fromMillis(signedIn)
	}
	return a, nil
}

func nullBool(b *bool) sql.NullBool {
	if b == nil {
		return sql.NullBool{}
	}
	return sql.NullBool{Bool: *b, Valid: true}
}

func boolPtr(b sql.NullBool) *bool {
	if !b.Valid {
		return nil
	}
	return &b.Bool
}
