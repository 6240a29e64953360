package store

import (
	"context"
	"fmt"

	"lineportal/internal/portal"
)

// The users who follow an attached bot's Official Account, known from
// follow events; a user who blocks it is forgotten.

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

func scanOAUser(s scanner) (portal.OAUser, error) {
	var u portal.OAUser
	var first, followed int64
	err := s.Scan(&u.BotID, &u.UserID, &first, &followed, &u.Unblocked)
	u.FirstSeenAt, u.FollowedAt = fromMillis(first), fromMillis(followed)
	return u, err
}
