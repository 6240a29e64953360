package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
)

// Backup writes a consistent copy of the SQLite database at path to the
// new file dest while the portal keeps serving: VACUUM INTO reads one
// snapshot (a read transaction, which in WAL mode holds up no writer) and
// writes it compacted. The copy holds every transaction committed before
// Backup began, and is checked (PRAGMA integrity_check) before Backup
// returns. Restoring is copying it back in place of the database file
// while the portal is stopped. The copy is useless without
// PORTAL_SECRET_KEY, which sealed its channel secrets and tokens.
//
// It copies the database as it is: it creates none where path names no
// file (a mistyped path would otherwise back up a new, empty database,
// "ok", every night) and migrates none (a newer binary's backup would
// otherwise change the schema under the portal serving from it).
// PostgreSQL has its own tools (pg_dump, replication): Backup refuses.
func Backup(ctx context.Context, path, dest string) error {
	if IsPostgresURL(path) {
		return errors.New("store: backup: on PostgreSQL use pg_dump or the server's replication")
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("store: backup: no database at %s: %w", path, err)
	}
	if _, err := os.Stat(dest); !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("store: backup: %s already exists; name a new file", dest)
	}
	if err := checkPortalDatabase(ctx, path); err != nil {
		return fmt.Errorf("store: backup: %s is not the portal's database: %w", path, err)
	}
	// Its own connection: the read pool is query-only, the writer is the
	// portal's, and a backup should queue behind neither.
	src, err := sql.Open("sqlite3", dsn(path, pragmas))
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	defer src.Close()
	if _, err := src.ExecContext(ctx, `VACUUM INTO ?`, dest); err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	if err := checkIntegrity(ctx, dest); err != nil {
		return fmt.Errorf("store: backup: the copy at %s is damaged: %w", dest, err)
	}
	return nil
}

// checkPortalDatabase tells whether the SQLite file at path holds the
// portal's migrations, reading it only: a file given by mistake is left
// as it was (the portal's pragmas would turn it to WAL mode).
func checkPortalDatabase(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite3", dsn(path, url.Values{"mode": {"ro"}}))
	if err != nil {
		return err
	}
	defer db.Close()
	var migrations int
	return db.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&migrations)
}

func checkIntegrity(ctx context.Context, path string) error {
	copy, err := sql.Open("sqlite3", dsn(path, url.Values{"_query_only": {"true"}}))
	if err != nil {
		return err
	}
	defer copy.Close()
	var result string
	if err := copy.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&result); err != nil {
		return err
	}
	if result != "ok" {
		return errors.New(result)
	}
	return nil
}
