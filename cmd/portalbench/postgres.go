package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"lineportal/internal/pgtest"
	"lineportal/store"
)

// The -db postgres mode runs the same scenarios with the portal on
// PostgreSQL: on a throwaway cluster the bench starts (-db postgres), or
// on an empty database of the user's (-db postgres://…). The data set is
// generated in SQLite as always, then copied over, so both engines serve
// exactly the same rows.

// postgresTarget is the database a PostgreSQL run uses.
type postgresTarget struct {
	url     string
	cluster *pgtest.Cluster // nil for the user's own server
	// key is the portal's session and secret key: PostgreSQL refuses a
	// generated one.
	key string
}

func newPostgresTarget(ctx context.Context, db string, log io.Writer) (*postgresTarget, error) {
	t := &postgresTarget{url: db, key: rand.Text() + rand.Text()}
	if db == "postgres" {
		fmt.Fprintln(log, "starting a throwaway PostgreSQL cluster...")
		c, err := pgtest.Start()
		if err != nil {
			return nil, err
		}
		if t.url, err = c.CreateDatabase(ctx, ""); err != nil {
			c.Stop()
			return nil, err
		}
		t.cluster = c
	}
	return t, nil
}

func (t *postgresTarget) stop() {
	if t.cluster != nil {
		t.cluster.Stop()
	}
}

// env is what a portal on this database needs besides PORTAL_DB.
func (t *postgresTarget) env() []string {
	return []string{"PORTAL_DB=" + t.url, "PORTAL_SESSION_KEYS=" + t.key, "PORTAL_SECRET_KEY=" + t.key}
}

// load migrates the database and copies every row of the SQLite data set
// at path into it, table by table in the order the tables were created
// (which is the order their foreign keys need). Triggers are off while
// copying (session_replication_role = replica, which needs a superuser):
// the rows passed them when the store wrote them, and some (a review of a
// link ended since) would not pass them again out of order.
func (t *postgresTarget) load(ctx context.Context, path string, log io.Writer) error {
	t0 := time.Now()
	db, err := store.Open(ctx, t.url)
	if err != nil {
		return err
	}
	db.Close()
	src, err := sql.Open("sqlite3", "file:"+path+"?_query_only=true")
	if err != nil {
		return err
	}
	defer src.Close()
	var tables []string
	rows, err := src.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name <> 'schema_migrations' ORDER BY rowid`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return err
		}
		tables = append(tables, name)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	conn, err := pgx.Connect(ctx, t.url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
		return fmt.Errorf("copying needs a superuser (to copy without triggers): %w", err)
	}
	total := 0
	for _, table := range tables {
		n, err := copyTable(ctx, src, tx, table)
		if err != nil {
			return fmt.Errorf("copy %s: %w", table, err)
		}
		total += n
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	// Identity columns continue after the copied IDs; the planner learns
	// the tables' sizes.
	identities, err := conn.Query(ctx, `SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'id' AND is_identity = 'YES'`)
	if err != nil {
		return err
	}
	withID, err := pgx.CollectRows(identities, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for _, table := range withID {
		if _, err := conn.Exec(ctx, `SELECT setval(pg_get_serial_sequence($1, 'id'), max(id)) FROM `+pgx.Identifier{table}.Sanitize()+` HAVING max(id) IS NOT NULL`, table); err != nil {
			return fmt.Errorf("sequence of %s: %w", table, err)
		}
	}
	if _, err := conn.Exec(ctx, `ANALYZE`); err != nil {
		return err
	}
	fmt.Fprintf(log, "data set: copied %d rows to PostgreSQL in %.1fs\n", total, time.Since(t0).Seconds())
	return nil
}

func copyTable(ctx context.Context, src *sql.DB, dst pgx.Tx, table string) (int, error) {
	rows, err := src.QueryContext(ctx, `SELECT * FROM `+table)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	n, err := dst.CopyFrom(ctx, pgx.Identifier{table}, cols, rowSource{rows, len(cols)})
	return int(n), err
}

// rowSource streams SQLite rows into PostgreSQL's COPY, one at a time.
type rowSource struct {
	rows *sql.Rows
	cols int
}

func (s rowSource) Next() bool { return s.rows.Next() }

func (s rowSource) Values() ([]any, error) {
	vals, ptrs := make([]any, s.cols), make([]any, s.cols)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	return vals, s.rows.Scan(ptrs...)
}

func (s rowSource) Err() error { return s.rows.Err() }

// isPostgres tells whether -db names PostgreSQL.
func isPostgres(db string) bool {
	return db == "postgres" || strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}
