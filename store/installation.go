package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// The LINE platforms a database may serve (installation.line_platform).
const (
	platformSimulator = "simulator" // the built-in simulator
	platformLINE      = "line"      // real LINE
)

// MarkServedByLINE records that the database served real LINE: its
// people signed in with LINE, and the simulator never serves it
// (ClaimForSimulator).
func (db *DB) MarkServedByLINE(ctx context.Context) error {
	err := db.update(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO installation (id, line_platform, marked_at) VALUES (1, ?, ?)
			ON CONFLICT (id) DO UPDATE SET line_platform = excluded.line_platform, marked_at = excluded.marked_at
			WHERE installation.line_platform <> excluded.line_platform`, platformLINE, millis(tx.now))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: mark served by LINE: %w", err)
	}
	return nil
}

// ClaimForSimulator marks the database as the simulator's and reports
// whether it is, in one transaction, so that an instance serving real LINE
// that marks it meanwhile is seen: a database marked platformLINE is not
// the simulator's. One never marked (new, or from before the mark) is, unless
// it has admins and none of them is one of the simulator's own users, whose
// LINE user IDs are ours: then real LINE made it.
func (db *DB) ClaimForSimulator(ctx context.Context, ours []string) (bool, error) {
	if len(ours) == 0 {
		return false, errors.New("store: claim for the simulator: no LINE user IDs given")
	}
	var claimed bool
	err := db.update(ctx, func(tx *Tx) error {
		claimed = false
		var platform string
		err := tx.QueryRowContext(ctx, `SELECT line_platform FROM installation WHERE id = 1`).Scan(&platform)
		switch {
		case err == nil:
			claimed = platform == platformSimulator
			return nil
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		args := make([]any, len(ours))
		for i, id := range ours {
			args[i] = id
		}
		var anyAdmin, among bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM admins), EXISTS (SELECT 1 FROM admins WHERE line_user_id IN (?`+
			strings.Repeat(", ?", len(ours)-1)+`))`, args...).Scan(&anyAdmin, &among); err != nil {
			return err
		}
		if anyAdmin && !among {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO installation (id, line_platform, marked_at) VALUES (1, ?, ?)`, platformSimulator, millis(tx.now)); err != nil {
			return err
		}
		claimed = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("store: claim for the simulator: %w", err)
	}
	return claimed, nil
}
