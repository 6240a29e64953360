// Package pgtest starts a throwaway PostgreSQL cluster for tests, from the
// server binaries installed on the machine (Debian's postgresql package):
// initdb into a temporary directory, one server listening only on a Unix
// socket in that directory, removed again by Stop. No test assumes a
// running server.
//
// initdb and postgres refuse to run as root, and tests (and CI) often do:
// then both run as the unprivileged user nobody, which owns the directory.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Cluster is a running throwaway server.
type Cluster struct {
	dir    string // socket directory; the data directory is dir/data
	server *exec.Cmd
	exited chan struct{}
	serial atomic.Int64 // for database names
}

// Start initialises a cluster in a new temporary directory and starts its
// server. The error says why it could not (no binaries, no user to run
// them as, a server that did not come up).
func Start() (*Cluster, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	cred, err := credential()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "pgtest")
	if err != nil {
		return nil, err
	}
	c := &Cluster{dir: dir, exited: make(chan struct{})}
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync")
	initdb.Dir = dir
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	// Durability is worth nothing in a cluster deleted at the end; speed
	// is. The server listens only on its socket: no port to collide on.
	c.server = exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-k", dir, "-c", "listen_addresses=",
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=300", "-c", "log_min_messages=fatal",
		// No background writer but the tests, so that a test can tell
		// that nothing wrote (the next transaction ID stays).
		"-c", "autovacuum=off")
	c.server.Dir = dir
	// Pdeathsig: a test binary that dies without Stop takes the server with it.
	c.server.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGQUIT}
	log, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	defer log.Close()
	c.server.Stdout, c.server.Stderr = log, log
	if err := c.server.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("postgres: %w", err)
	}
	go func() { c.server.Wait(); close(c.exited) }()
	if err := c.waitReady(30 * time.Second); err != nil {
		out, _ := os.ReadFile(filepath.Join(dir, "server.log"))
		c.Stop()
		return nil, fmt.Errorf("postgres did not start: %v\n%s", err, out)
	}
	return c, nil
}

// binDir finds initdb and postgres: on PATH, or in Debian's versioned
// directory (newest version first).
func binDir() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if _, err := exec.LookPath("postgres"); err == nil {
			return filepath.Dir(p), nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return version(b) - version(a) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("no PostgreSQL server binaries (initdb, postgres) on PATH or in /usr/lib/postgresql/*/bin; install the postgresql package")
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// credential is the user the server runs as: nil (this process's) unless
// this process is root, which PostgreSQL refuses; then nobody.
func credential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("nobody")
	if err != nil {
		return nil, fmt.Errorf("running as root and there is no user nobody to run PostgreSQL as: %w", err)
	}
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

func (c *Cluster) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		conn, err := pgx.Connect(ctx, c.URL("postgres"))
		cancel()
		if err == nil {
			return conn.Close(context.Background())
		}
		select {
		case <-c.exited:
			return errors.New("the server exited")
		default:
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// URL is the connection URL of the named database, for PORTAL_DB.
func (c *Cluster) URL(database string) string {
	return "postgres://postgres@localhost/" + database + "?host=" + c.dir + "&sslmode=disable"
}

// CreateDatabase creates a new, uniquely named database, a copy of
// template when it is not empty, and returns its URL.
func (c *Cluster) CreateDatabase(ctx context.Context, template string) (string, error) {
	name := fmt.Sprintf("db%d", c.serial.Add(1))
	return c.URL(name), c.Exec(ctx, "postgres", createDatabase(name, template))
}

// CreateNamedDatabase creates the database name (a plain identifier).
func (c *Cluster) CreateNamedDatabase(ctx context.Context, name, template string) (string, error) {
	return c.URL(name), c.Exec(ctx, "postgres", createDatabase(name, template))
}

func createDatabase(name, template string) string {
	q := "CREATE DATABASE " + pgx.Identifier{name}.Sanitize()
	if template != "" {
		// FILE_COPY: a copy of a small template is a few file copies,
		// much faster than the default WAL_LOG strategy.
		q += " TEMPLATE " + pgx.Identifier{template}.Sanitize() + " STRATEGY FILE_COPY"
	}
	return q
}

// Exec runs one statement in the named database.
func (c *Cluster) Exec(ctx context.Context, database, statement string) error {
	conn, err := pgx.Connect(ctx, c.URL(database))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, statement)
	return err
}

// Stop shuts the server down (fast shutdown: open sessions are ended) and
// removes the cluster's directory.
func (c *Cluster) Stop() {
	if c.server != nil && c.server.Process != nil {
		c.server.Process.Signal(syscall.SIGINT)
		select {
		case <-c.exited:
		case <-time.After(10 * time.Second):
			c.server.Process.Kill()
			<-c.exited
		}
	}
	os.RemoveAll(c.dir)
}

// Required tells what to do when no cluster could be started: in CI
// (CI=true) the tests that need one must fail; elsewhere they skip, loudly.
func Required() bool {
	ci, _ := strconv.ParseBool(os.Getenv("CI"))
	return ci
}

// Unavailable reports that PostgreSQL tests can't run: a failure in CI, a
// loud notice elsewhere. It returns the exit code TestMain should use.
func Unavailable(err error) int {
	msg := "PostgreSQL tests NOT RUN: " + strings.TrimSpace(err.Error())
	fmt.Fprintln(os.Stderr, msg)
	if Required() {
		fmt.Fprintln(os.Stderr, "FAIL: CI=true requires them")
		return 1
	}
	return 0
}

// StartFor starts a cluster for a test and stops it when the test ends.
// When none can start, the test is skipped, loudly; in CI it fails.
func StartFor(t testing.TB) *Cluster {
	t.Helper()
	c, err := Start()
	if err != nil {
		if Required() {
			t.Fatalf("PostgreSQL is required in CI (CI=true) but could not start: %v", err)
		}
		t.Skipf("PostgreSQL tests NOT RUN: %v", err)
	}
	t.Cleanup(c.Stop)
	return c
}
