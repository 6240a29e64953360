// Command portal is the LINE Partner Portal: one binary that serves the
// portal (serve), runs the LINE platform simulator on its own (linesim),
// migrates the database (migrate) and prints its version (version).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	// The time zones people choose work on a host without the zone
	// database (a minimal container).
	_ "time/tzdata"

	"lineportal/store"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return // "portal serve -h" asked for the flags: they are printed
		}
		fmt.Fprintln(os.Stderr, "portal:", err)
		os.Exit(2)
	}
}

const usage = `Usage: portal <command> [flags]

Commands:
  serve     serve the portal (on the built-in LINE simulator when no LINE credentials are set)
  linesim   run the LINE platform simulator on its own
  migrate   apply database migrations and exit
  backup    copy the SQLite database to a new file while the portal runs: portal backup FILE
  version   print the version

Run "portal <command> -h" for the command's flags; every flag has an environment variable.
`

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	cmd, args := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(ctx, args, getenv, stdout, stderr)
	case "migrate":
		return migrate(ctx, args, getenv, stdout, stderr)
	case "backup":
		return backup(ctx, args, getenv, stdout, stderr)
	case "linesim":
		return runSimulator(ctx, args, getenv, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "portal", version)
		return nil
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseConfig("portal serve", args, getenv, stderr)
	if err != nil {
		return err
	}
	m := &Main{Config: cfg, Stderr: stderr}
	if err := m.Start(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "LINE Partner Portal listening on %s\n", m.URL)
	if m.SimulatorURL != "" {
		fmt.Fprintf(stdout, "Simulated LINE platform on %s (control page: %s/sim/)\n", m.SimulatorURL, m.SimulatorURL)
	}
	if m.PprofURL != "" {
		fmt.Fprintf(stdout, "Profiles and database counts on %s/debug/pprof/ and %s/debug/store\n", m.PprofURL, m.PprofURL)
	}
	<-ctx.Done()
	fmt.Fprintln(stdout, "shutting down")
	return m.Close()
}

// backup copies the SQLite database, consistently, while the portal may be
// serving from it (store.Backup).
func backup(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("portal backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "", "the database to copy (default: PORTAL_DB, else portal.db)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: portal backup [-db FILE] NEWFILE")
	}
	cfg, err := parseConfig("portal backup", nil, getenv, stderr)
	if err != nil {
		return err
	}
	if *db != "" {
		cfg.DB = *db
	}
	if store.IsPostgresURL(cfg.DB) {
		return errors.New("portal backup copies the SQLite edition; back up PostgreSQL with pg_dump or the server's replication")
	}
	if err := store.Backup(ctx, cfg.DB, fs.Arg(0)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %s to %s (integrity check: ok). Keep PORTAL_SECRET_KEY with it: without the key its channel secrets and tokens can't be opened.\n", cfg.DB, fs.Arg(0))
	return nil
}

func migrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseConfig("portal migrate", args, getenv, stderr)
	if err != nil {
		return err
	}
	db, err := openStore(ctx, cfg.DB)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "database %s is up to date\n", store.Redacted(cfg.DB))
	return db.Close()
}
