package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"lineportal/internal/demo"
	"lineportal/internal/portal"
	"lineportal/internal/simulated"
	"lineportal/store"
)

// startPortal runs the real program, as `portal serve` does, on a free
// loopback port with a temporary database. extra overrides the
// environment.
func startPortal(t *testing.T, extra map[string]string) *Main {
	t.Helper()
	m, err := tryStartPortal(t, extra)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return m
}

// lockedBuffer collects the portal's log from many goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestServePrintsAddressAndShutsDownGracefully(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	out := &lockedBuffer{}
	done := make(chan error, 1)
	dir := t.TempDir()
	go func() {
		done <- run(ctx, []string{"serve"}, env(map[string]string{
			"PORTAL_ADDR": "127.0.0.1:0", "PORTAL_DB": filepath.Join(dir, "p.db"), "PORTAL_LOG_LEVEL": "error",
		}), out, io.Discard)
	}()
	var url string
	for deadline := time.Now().Add(10 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if _, after, ok := strings.Cut(out.String(), "listening on "); ok {
			url, _, _ = strings.Cut(after, "\n")
		}
	}
	if url == "" {
		t.Fatalf("serve printed no address: %q", out.String())
	}
	res, err := http.Get(url + "/healthz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("healthz at the printed address: %v %v", res, err)
	}
	res.Body.Close()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop after the signal")
	}
	if _, err := http.Get(url + "/healthz"); err == nil {
		t.Fatal("still serving after shutdown")
	}
}

func TestCommands(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"version"}, env(nil), &out, io.Discard); err != nil || !strings.HasPrefix(out.String(), "portal ") {
		t.Fatalf("version: %q %v", out.String(), err)
	}
	if err := run(context.Background(), []string{"frobnicate"}, env(nil), io.Discard, io.Discard); err == nil {
		t.Fatal("unknown command accepted")
	}
	out.Reset()
	db := filepath.Join(t.TempDir(), "m.db")
	if err := run(context.Background(), []string{"migrate", "-db", db}, env(nil), &out, io.Discard); err != nil || !strings.Contains(out.String(), "up to date") {
		t.Fatalf("migrate: %q %v", out.String(), err)
	}
	out.Reset()
	copy := filepath.Join(t.TempDir(), "copy.db")
	if err := run(context.Background(), []string{"backup", "-db", db, copy}, env(nil), &out, io.Discard); err != nil || !strings.Contains(out.String(), "PORTAL_SECRET_KEY") {
		t.Fatalf("backup: %q %v", out.String(), err)
	}
	if err := run(context.Background(), []string{"migrate", "-db", copy}, env(nil), io.Discard, io.Discard); err != nil {
		t.Fatalf("the backup does not open as a database: %v", err)
	}
	if err := run(context.Background(), []string{"backup", "-db", db, copy}, env(nil), io.Discard, io.Discard); err == nil {
		t.Fatal("backup over an existing file")
	}
	// A mistyped path backs up nothing, and leaves no new database behind
	// to back up "ok" the next night.
	missing := filepath.Join(t.TempDir(), "mistyped.db")
	err := run(context.Background(), []string{"backup", "-db", missing, filepath.Join(t.TempDir(), "none.db")}, env(nil), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "no database at "+missing) {
		t.Fatalf("backup of a missing database: %v", err)
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the backup created the database it was to copy: %v", err)
	}
	// A file that is not the portal's is not backed up as if it were, and
	// is left as it was: another application's SQLite database keeps its
	// rollback journal.
	other := filepath.Join(t.TempDir(), "other.db")
	otherDB, err := sql.Open("sqlite3", other)
	if err != nil {
		t.Fatal(err)
	}
	defer otherDB.Close()
	if _, err := otherDB.Exec(`PRAGMA journal_mode = DELETE; CREATE TABLE notes (body TEXT)`); err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), []string{"backup", "-db", other, filepath.Join(t.TempDir(), "none.db")}, env(nil), io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "not the portal's database") {
		t.Fatalf("backup of another file: %v", err)
	}
	var mode string
	if err := otherDB.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "delete" {
		t.Fatalf("the refused backup changed the file's journal mode to %q (%v)", mode, err)
	}
}

// A database made with real LINE is not served on the simulator, as it
// would be were the service's LINE configuration lost: no demo data is
// added to it, and no one signs in there as anyone they pick. A database
// the simulator made stays its own, whoever signed in to it.
func TestSimulatorRefusesADatabaseMadeWithRealLINE(t *testing.T) {
	ctx := context.Background()
	people, err := simulated.DemoPeople()
	if err != nil {
		t.Fatal(err)
	}
	// startSimulated starts the portal on the simulator on dbPath.
	startSimulated := func(dbPath, demo string) error {
		m, err := tryStartPortal(t, map[string]string{"PORTAL_DB": dbPath, "PORTAL_DEMO": demo})
		if err != nil {
			return err
		}
		return m.Close()
	}
	// database makes a database with an organization by someone with the
	// given LINE user ID, marked as made with real LINE or not.
	database := func(lineUserID string, markedLINE bool) string {
		dbPath := filepath.Join(t.TempDir(), "portal.db")
		db, err := store.Open(ctx, dbPath)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		someone, err := db.EnsureAdmin(ctx, lineUserID, "Someone")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateOrganization(ctx, someone, portal.Organization{ID: "BM55500000001", Name: "Real Co.", Region: portal.RegionJapan, CompanyCountry: portal.RegionJapan}); err != nil {
			t.Fatal(err)
		}
		if markedLINE {
			if err := db.MarkServedByLINE(ctx); err != nil {
				t.Fatal(err)
			}
		}
		return dbPath
	}
	refused := func(t *testing.T, dbPath string) {
		t.Helper()
		err := startSimulated(dbPath, "on")
		if err == nil || !strings.Contains(err.Error(), "made with real LINE") || !strings.Contains(err.Error(), "LINE_LOGIN_CHANNEL_ID") {
			t.Fatalf("started: %v; want it refused, saying why and what to configure", err)
		}
		db, err := store.Open(ctx, dbPath)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.FindOrganizationByID(ctx, demo.SakuraFoodsID); portal.ErrorCode(err) != portal.ENOTFOUND {
			t.Fatalf("the demo was added to the real database: %v", err)
		}
	}
	realPerson := "U" + strings.Repeat("0a", 16)

	t.Run("from before the mark, its people none of the simulator's", func(t *testing.T) {
		refused(t, database(realPerson, false))
	})
	t.Run("marked, though the demo's people are in it", func(t *testing.T) {
		// Tried on the simulator first, then served with real LINE.
		refused(t, database(people.Developer.LINEUserID, true))
	})
	t.Run("the simulator's own, with people its control page made", func(t *testing.T) {
		dbPath := filepath.Join(t.TempDir(), "portal.db")
		if err := startSimulated(dbPath, "off"); err != nil {
			t.Fatal(err)
		}
		db, err := store.Open(ctx, dbPath)
		if err != nil {
			t.Fatal(err)
		}
		// A user made on the simulator's control page, who signed in: the
		// simulator forgets them at its restart.
		if _, err := db.EnsureAdmin(ctx, realPerson, "Alice"); err != nil {
			t.Fatal(err)
		}
		db.Close()
		if err := startSimulated(dbPath, "off"); err != nil {
			t.Fatalf("the simulator refused its own database: %v", err)
		}
	})
}

// tryStartPortal starts the portal as startPortal does, answering its
// error; the caller closes it.
func tryStartPortal(t *testing.T, extra map[string]string) (*Main, error) {
	t.Helper()
	vars := map[string]string{
		"PORTAL_ADDR":      "127.0.0.1:0",
		"PORTAL_DB":        filepath.Join(t.TempDir(), "portal.db"),
		"PORTAL_LOG_LEVEL": "warn",
	}
	maps.Copy(vars, extra)
	cfg, err := parseConfig("portal serve", nil, env(vars), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	m := &Main{Config: cfg, Stderr: &lockedBuffer{}}
	return m, m.Start(context.Background())
}

// The demo module channel's credentials live in the portal's database and
// are handed to each fresh simulator: after a restart on the same
// database, the stored secret still matches the simulator's.
func TestRestartKeepsDemoModuleCredentials(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "portal.db")
	secretAfterStart := func() string {
		cfg, err := parseConfig("portal serve", nil, env(map[string]string{
			"PORTAL_ADDR": "127.0.0.1:0", "PORTAL_DB": dbPath, "PORTAL_LOG_LEVEL": "error",
		}), io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		m := &Main{Config: cfg, Stderr: &lockedBuffer{}}
		if err := m.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		_, secret, err := m.DB.FindWebhookSecret(context.Background(), m.secrets, "2000000101")
		if err != nil {
			t.Fatal(err)
		}
		return secret
	}
	first, second := secretAfterStart(), secretAfterStart()
	if first == "" || first != second {
		t.Fatalf("the demo module's secret changed across a restart: %q → %q", first, second)
	}
}

func TestLinesimCommand(t *testing.T) {
	if err := run(context.Background(), []string{"linesim"}, env(nil), io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "LINESIM_CHANNEL_SECRET") {
		t.Fatalf("without a channel secret: %v", err)
	}
	base := startLinesim(t, map[string]string{"LINESIM_CHANNEL_SECRET": "0123456789abcdef0123456789abcdef"})
	res, err := http.Get(base + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatalf("discovery at %q: %v", base, err)
	}
	var doc struct {
		Issuer string `json:"issuer"`
	}
	json.NewDecoder(res.Body).Decode(&doc)
	res.Body.Close()
	if res.StatusCode != 200 || doc.Issuer != base {
		t.Fatalf("discovery: %d issuer %q, want %q", res.StatusCode, doc.Issuer, base)
	}
}

// A portal served with LINE (here the simulator on its own, as LINE)
// marks its database so: the built-in simulator never serves it later.
func TestRealLINEMarksTheDatabase(t *testing.T) {
	const secret = "0123456789abcdef0123456789abcdef"
	base := startLinesim(t, map[string]string{"LINESIM_CHANNEL_SECRET": secret})
	key := strings.Repeat("k", 32)
	m := startPortal(t, map[string]string{
		"PORTAL_SESSION_KEYS": key, "PORTAL_SECRET_KEY": key,
		"LINE_LOGIN_CHANNEL_ID": simulated.LoginChannelID, "LINE_LOGIN_CHANNEL_SECRET": secret,
		"LINE_ACCESS_URL": base, "LINE_API_URL": base, "LINE_MANAGER_URL": base,
	})
	people, err := simulated.DemoPeople()
	if err != nil {
		t.Fatal(err)
	}
	if ours, err := m.DB.ClaimForSimulator(context.Background(), []string{people.Developer.LINEUserID}); err != nil || ours {
		t.Fatalf("the database served with LINE is the simulator's: %v (%v)", ours, err)
	}
}

// startLinesim runs `portal linesim` on a free loopback port with the
// environment vars and returns its base URL. The end of the test stops it
// and checks that it returned cleanly.
func startLinesim(t *testing.T, vars map[string]string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &lockedBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"linesim", "-addr", "127.0.0.1:0"}, env(vars), out, io.Discard)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("linesim returned %v", err)
		}
	})
	var base string
	for deadline := time.Now().Add(10 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if _, after, ok := strings.Cut(out.String(), "simulator on "); ok {
			base, _, _ = strings.Cut(after, " ")
		}
	}
	if base == "" {
		t.Fatalf("linesim printed no address: %q", out.String())
	}
	return base
}

// PORTAL_DEMO=off serves a new installation: the simulator has its users
// to sign in as, the portal's database nothing of the demo.
func TestServeWithoutDemo(t *testing.T) {
	m := startPortal(t, map[string]string{"PORTAL_DEMO": "off"})
	if _, err := m.DB.FindOrganizationByID(context.Background(), demo.SakuraFoodsID); portal.ErrorCode(err) != portal.ENOTFOUND {
		t.Fatalf("the demo's organization on a portal without the demo: %v", err)
	}
	res, err := http.Get(m.SimulatorURL + "/sim/api/users")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var users []struct{ Name string }
	if err := json.NewDecoder(res.Body).Decode(&users); err != nil || len(users) == 0 {
		t.Fatalf("the simulator's users: %v %v", users, err)
	}
}
