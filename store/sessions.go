package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"lineportal/internal/portal"
)

// SessionLimits are how long a web session may live: Idle since its last
// use, Absolute since it was created.
type SessionLimits struct {
	Idle     time.Duration
	Absolute time.Duration
}

// SessionRecord is a stored web session.
type SessionRecord struct {
	Data       []byte
	CreatedAt  time.Time
	LastSeenAt time.Time
}

// touchEvery limits how often a read of a session writes its last-seen
// time: idle limits are minutes long, so a minute's precision is plenty and
// most page views stay read-only.
const touchEvery = time.Minute

// sessionKey is how a session ID is stored: hashed, like link request
// tokens, so a copy of the database signs nobody in.
func sessionKey(id string) []byte { return tokenHash(id) }

// FindSession returns the live session with the given ID. A session past
// either limit is not found (and is deleted).
func (db *DB) FindSession(ctx context.Context, id string, limits SessionLimits) (SessionRecord, error) {
	key := sessionKey(id)
	var rec SessionRecord
	var created, seen int64
	err := db.read.QueryRowContext(db.keyRead(ctx),
		`SELECT data, created_at, last_seen_at FROM sessions WHERE id_hash = ?`, key,
	).Scan(&rec.Data, &created, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return SessionRecord{}, notFound(portal.RSessionEnded)
	}
	if err != nil {
		return SessionRecord{}, fmt.Errorf("store: find session: %w", err)
	}
	rec.CreatedAt, rec.LastSeenAt = fromMillis(created), fromMillis(seen)

	now := db.Now()
	if now.Sub(rec.LastSeenAt) > limits.Idle || now.Sub(rec.CreatedAt) > limits.Absolute {
		if err := db.DeleteSession(ctx, id); err != nil {
			return SessionRecord{}, err
		}
		return SessionRecord{}, notFound(portal.RSessionEnded)
	}
	if now.Sub(rec.LastSeenAt) > touchEvery {
		err := db.update(ctx, func(tx *Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?`, millis(tx.now), key)
			return err
		})
		if err != nil {
			return SessionRecord{}, fmt.Errorf("store: touch session: %w", err)
		}
	}
	return rec, nil
}

// CreateSession stores a new session.
func (db *DB) CreateSession(ctx context.Context, id string, data []byte) error {
	err := db.update(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (id_hash, data, created_at, last_seen_at) VALUES (?, ?, ?, ?)`,
			sessionKey(id), nonNil(data), millis(tx.now), millis(tx.now))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	return nil
}

// UpdateSession stores new data for an existing session. A session ended
// meanwhile (signed out, expired) stays ended: ENOTFOUND, nothing written,
// so a request that loaded it before the sign-out can't bring it back.
func (db *DB) UpdateSession(ctx context.Context, id string, data []byte) error {
	err := db.update(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE sessions SET data = ?, last_seen_at = ? WHERE id_hash = ?`, nonNil(data), millis(tx.now), sessionKey(id))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return cmp.Or(err, notFound(portal.RSessionEnded))
		}
		return nil
	})
	if err != nil && portal.ErrorCode(err) != portal.ENOTFOUND {
		return fmt.Errorf("store: update session: %w", err)
	}
	return err
}

// nonNil keeps a nil slice from being stored as NULL.
func nonNil(data []byte) []byte {
	if data == nil {
		return []byte{}
	}
	return data
}

// DeleteSession ends the session with the given ID on the server.
func (db *DB) DeleteSession(ctx context.Context, id string) error {
	err := db.update(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = ?`, sessionKey(id))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions past either limit and reports how
// many it removed.
func (db *DB) DeleteExpiredSessions(ctx context.Context, limits SessionLimits) (int64, error) {
	var n int64
	err := db.update(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE last_seen_at < ? OR created_at < ?`,
			millis(tx.now.Add(-limits.Idle)), millis(tx.now.Add(-limits.Absolute)))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: delete expired sessions: %w", err)
	}
	return n, nil
}
