package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"lineportal/internal/portal"
	"lineportal/store"
)

// mustOpen opens a fresh database: a file in a temporary directory, or on
// PostgreSQL a new database. path is the file or the database's URL.
func mustOpen(t *testing.T) (*store.DB, string) {
	t.Helper()
	path := freshDatabase(t)
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db, path
}

// freshDatabase names a new, empty (SQLite) or migrated (PostgreSQL)
// database, removed after the test.
func freshDatabase(t testing.TB) string {
	t.Helper()
	if cluster == nil {
		return filepath.Join(t.TempDir(), "portal.db")
	}
	url, err := cluster.CreateDatabase(context.Background(), pgTemplate)
	if err != nil {
		t.Fatalf("creating a PostgreSQL database: %v", err)
	}
	t.Logf("on PostgreSQL: %s", url)
	name := strings.TrimPrefix(strings.Split(url, "?")[0], "postgres://postgres@localhost/")
	t.Cleanup(func() {
		if err := cluster.Exec(context.Background(), "postgres", "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("dropping %s: %v", name, err)
		}
	})
	return url
}

// rawDB opens the database behind the store's back, as an operator with
// the sqlite3 shell or psql would. Queries are written as for SQLite (?
// placeholders): the store's driver translates them on PostgreSQL.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	var raw *sql.DB
	var err error
	if store.IsPostgresURL(path) {
		raw, err = store.OpenPostgresPool(path)
	} else {
		raw, err = sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

func countMigrations(t *testing.T, raw *sql.DB) int {
	t.Helper()
	var n int
	if err := raw.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestOpen_MigratesOnceAndIsIdempotent(t *testing.T) {
	db, path := mustOpen(t)
	raw := rawDB(t, path)
	first := countMigrations(t, raw)
	if first == 0 {
		t.Fatal("no migration recorded on an empty file")
	}
	var sessions int
	if err := raw.QueryRow(`SELECT count(*) FROM sessions`).Scan(&sessions); err != nil || sessions != 0 {
		t.Fatalf("sessions table: n=%d err=%v", sessions, err)
	}
	db.Close()

	db2, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("second Open: %v", err)
	}
	defer db2.Close()
	if again := countMigrations(t, raw); again != first {
		t.Fatalf("second start changed the migrations: %d → %d", first, again)
	}
}

func TestOpen_RefusesNewerSchema(t *testing.T) {
	db, path := mustOpen(t)
	db.Close()
	raw := rawDB(t, path)
	if _, err := raw.Exec(`INSERT INTO schema_migrations (name, applied_at) VALUES ('9999_from_the_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	_, err := store.Open(context.Background(), path)
	if err == nil {
		t.Fatal("Open accepted a database migrated by a newer binary")
	}
	if !strings.Contains(err.Error(), "newer version of the portal") || !strings.Contains(err.Error(), "9999_from_the_future.sql") {
		t.Fatalf("unclear refusal: %v", err)
	}
}

// Ready says whether an instance should get traffic: not when another,
// newer instance has migrated the shared database further.
func TestReady(t *testing.T) {
	db, path := mustOpen(t)
	if err := db.Ready(ctx); err != nil {
		t.Fatalf("Ready on a fresh database: %v", err)
	}
	if _, err := rawDB(t, path).Exec(`INSERT INTO schema_migrations (name, applied_at) VALUES ('9999_from_the_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	if err := db.Ready(ctx); err == nil {
		t.Fatal("Ready with a newer schema")
	}
	db.Close()
	if err := db.Ready(ctx); err == nil {
		t.Fatal("Ready with the database closed")
	}
}

func TestOpen_SettingsOnEveryConnection(t *testing.T) {
	sqliteOnly(t)
	_, path := mustOpen(t)
	raw := rawDB(t, path)
	var mode string
	if err := raw.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q (%v), want wal", mode, err)
	}
}

func TestEngineVersionIsRecentEnough(t *testing.T) {
	db, _ := mustOpen(t)
	v, err := db.Version(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	engine, version, _ := strings.Cut(v, " ")
	want := map[string][3]int{"SQLite": {3, 51, 3}, "PostgreSQL": {15, 0, 0}}[engine]
	if want == [3]int{} || !versionAtLeast(version, want) {
		t.Fatalf("%s is older than %v", v, want)
	}
}

func versionAtLeast(v string, min [3]int) bool {
	parts := strings.Split(v, ".")
	for i := range 3 {
		n := 0
		if i < len(parts) {
			n, _ = strconv.Atoi(parts[i])
		}
		if n != min[i] {
			return n > min[i]
		}
	}
	return true
}

func TestSessions(t *testing.T) {
	ctx := context.Background()
	db, path := mustOpen(t)
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	limits := store.SessionLimits{Idle: 30 * time.Minute, Absolute: 12 * time.Hour}

	if err := db.CreateSession(ctx, "secret-id", []byte("data")); err != nil {
		t.Fatal(err)
	}
	t.Run("only a hash of the ID is stored", func(t *testing.T) {
		var n int
		if err := rawDB(t, path).QueryRow(`SELECT count(*) FROM sessions WHERE id_hash = ?`, []byte("secret-id")).Scan(&n); err != nil || n != 0 {
			t.Fatalf("plain ID found in the database: n=%d err=%v", n, err)
		}
	})
	t.Run("found while fresh", func(t *testing.T) {
		rec, err := db.FindSession(ctx, "secret-id", limits)
		if err != nil || string(rec.Data) != "data" {
			t.Fatalf("FindSession = %q, %v", rec.Data, err)
		}
	})
	t.Run("use keeps it alive past the idle limit", func(t *testing.T) {
		now = now.Add(20 * time.Minute)
		if _, err := db.FindSession(ctx, "secret-id", limits); err != nil {
			t.Fatal(err)
		}
		now = now.Add(20 * time.Minute)
		if _, err := db.FindSession(ctx, "secret-id", limits); err != nil {
			t.Fatalf("session idle for 20 min expired: %v", err)
		}
	})
	t.Run("idle too long", func(t *testing.T) {
		now = now.Add(31 * time.Minute)
		_, err := db.FindSession(ctx, "secret-id", limits)
		if portal.ErrorCode(err) != portal.ENOTFOUND {
			t.Fatalf("idle session: err = %v, want not found", err)
		}
	})
	t.Run("absolute limit despite use", func(t *testing.T) {
		if err := db.CreateSession(ctx, "busy", nil); err != nil {
			t.Fatal(err)
		}
		for range 12 * 4 {
			now = now.Add(15 * time.Minute)
			if _, err := db.FindSession(ctx, "busy", limits); err != nil {
				t.Fatalf("at %v: %v", now, err)
			}
		}
		now = now.Add(15 * time.Minute)
		if _, err := db.FindSession(ctx, "busy", limits); portal.ErrorCode(err) != portal.ENOTFOUND {
			t.Fatalf("session older than 12 h: err = %v", err)
		}
	})
	t.Run("an ended session is not brought back by an update", func(t *testing.T) {
		if err := db.CreateSession(ctx, "ended", []byte("x")); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteSession(ctx, "ended"); err != nil {
			t.Fatal(err)
		}
		if err := db.UpdateSession(ctx, "ended", []byte("y")); portal.ErrorCode(err) != portal.ENOTFOUND {
			t.Fatalf("UpdateSession of an ended session: %v", err)
		}
		if _, err := db.FindSession(ctx, "ended", limits); portal.ErrorCode(err) != portal.ENOTFOUND {
			t.Fatalf("the ended session came back: %v", err)
		}
	})
	t.Run("deleted", func(t *testing.T) {
		if err := db.CreateSession(ctx, "gone", nil); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteSession(ctx, "gone"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.FindSession(ctx, "gone", limits); portal.ErrorCode(err) != portal.ENOTFOUND {
			t.Fatalf("deleted session: err = %v", err)
		}
	})
	t.Run("sweep", func(t *testing.T) {
		if err := db.CreateSession(ctx, "old", nil); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Hour)
		if err := db.CreateSession(ctx, "new", nil); err != nil {
			t.Fatal(err)
		}
		n, err := db.DeleteExpiredSessions(ctx, limits)
		if err != nil || n != 1 {
			t.Fatalf("DeleteExpiredSessions = %d, %v; want 1", n, err)
		}
		if _, err := db.FindSession(ctx, "new", limits); err != nil {
			t.Fatalf("fresh session swept: %v", err)
		}
	})
}

// A backup taken while writes run opens, passes the integrity check,
// holds every write acknowledged before it began, and is restored by
// putting it in place of the database file.
func TestBackup_WhileWritesRun(t *testing.T) {
	sqliteOnly(t)
	db, path := mustOpen(t)
	var mu sync.Mutex
	var acknowledged []string
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			id := fmt.Sprintf("Uwriter%06d", i)
			if _, err := db.EnsureAdmin(ctx, id, "Writer"); err != nil {
				t.Errorf("write during the backup: %v", err)
				return
			}
			mu.Lock()
			acknowledged = append(acknowledged, id)
			mu.Unlock()
		}
	})
	waitFor(t, "writes to start", func() bool { mu.Lock(); defer mu.Unlock(); return len(acknowledged) >= 20 })
	mu.Lock()
	before := slices.Clone(acknowledged)
	mu.Unlock()
	dest := filepath.Join(t.TempDir(), "backup.db")
	if err := store.Backup(ctx, path, dest); err != nil {
		t.Fatalf("Backup: %v", err)
	}
	close(stop)
	wg.Wait()
	if err := store.Backup(ctx, path, dest); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("a second backup over the first: %v", err)
	}

	restored, err := store.Open(ctx, dest)
	if err != nil {
		t.Fatalf("opening the backup: %v", err)
	}
	defer restored.Close()
	for _, id := range before {
		if a, err := restored.EnsureAdmin(ctx, id, "Someone else"); err != nil || a.Name != "Writer" {
			t.Fatalf("write %s acknowledged before the backup is not in it: %+v %v", id, a, err)
		}
	}
}

// Ping runs a statement on the database each time (a health check may not
// answer from memory) and fails once the database is closed.
func TestPing_RunsAStatementEachTimeUntilClosed(t *testing.T) {
	db, _ := mustOpen(t)
	for range 3 {
		before := db.Stats().ReadStatements
		mustNil(t, db.Ping(ctx))
		if ran := db.Stats().ReadStatements - before; cluster == nil && ran != 1 {
			t.Fatalf("a ping ran %d statements on the readers, want 1", ran)
		}
	}
	db.Close()
	if err := db.Ping(ctx); err == nil {
		t.Fatal("Ping on a closed database succeeded")
	}
}

// SQLite's memory is bounded for the whole process once a database is
// open: the limit is SQLite's own, shared by every connection.
func TestOpen_BoundsSQLiteMemory(t *testing.T) {
	sqliteOnly(t)
	raw, err := sql.Open("sqlite3", filepath.Join(t.TempDir(), "raw.db"))
	mustNil(t, err)
	defer raw.Close()
	limit := func() (n int64) {
		t.Helper()
		mustNil(t, raw.QueryRowContext(ctx, `PRAGMA soft_heap_limit`).Scan(&n))
		return n
	}
	// Unbounded, as SQLite starts (an earlier test's Open set it).
	mustNil(t, raw.QueryRowContext(ctx, `PRAGMA soft_heap_limit = 0`).Scan(new(int64)))
	if n := limit(); n != 0 {
		t.Fatalf("soft heap limit %d after setting 0", n)
	}
	mustOpen(t)
	if n := limit(); n != 4<<20 {
		t.Fatalf("soft heap limit %d bytes after Open, want 4 MiB", n)
	}
}
