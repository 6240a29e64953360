package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// The LINE platforms a database may serve (installation.line_platform).
const (
	PlatformSimulator = "simulator" // the built-in simulator
	PlatformLINE      = "line"      // real LINE
)

// LINEPlatform tells which LINE platform the database serves:
// PlatformSimulator, PlatformLINE, or "" when it was never marked (a new
// database, or one from before the mark).
func (db *DB) LINEPlatform(ctx context.Context) (string, error) {
	var platform string
	err := db.read.QueryRowContext(ctx, `SELECT line_platform FROM installation WHERE id = 1`).Scan(&platform)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: LINE platform: %w", err)
	}
	return platform, nil
}

// MarkLINEPlatform records that the database serves platform. A database
// that served real LINE stays marked so: its people signed in with LINE.
func (db *DB) MarkLINEPlatform(ctx context.Context, platform string) error {
	if platform != PlatformSimulator && platform != PlatformLINE {
		return fmt.Errorf("store: mark LINE platform: %q is no platform", platform)
	}
	err := db.update(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO installation (id, line_platform, marked_at) VALUES (1, ?, ?)
			ON CONFLICT (id) DO UPDATE SET line_platform = excluded.line_platform, marked_at = excluded.marked_at
			WHERE excluded.line_platform = 'line' AND installation.line_platform <> 'line'`, platform, millis(tx.now))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: mark LINE platform: %w", err)
	}
	return nil
}
