package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"lineportal/internal/line"
	"lineportal/store"
	"lineportal/web"
)

// target is a server under test running as a child process, so its peak RSS
// can be read from /proc without the generator's own memory mixed in.
type target struct {
	name    string
	baseURL string // http://127.0.0.1:PORT
	// others are the other instances of the portal on the same database
	// (-instances), which the load is spread over too.
	others []*target
	// pprofURL is the portal's diagnostics listener (PORTAL_PPROF): its
	// profiles and database counts. Empty for the bare server.
	pprofURL string
	cmd      *exec.Cmd
	out      *tailBuffer   // child's stdout+stderr, for error messages
	done     chan struct{} // closed once the child has exited
	waitErr  error         // valid after done is closed
}

const (
	readyTimeout = 30 * time.Second
	stopTimeout  = 5 * time.Second
)

// startPortal launches `portal serve` on a free loopback port with the
// database dbEnv names (PORTAL_DB and what it needs; created with the demo
// data when missing) and waits until it is healthy.
func startPortal(ctx context.Context, client *http.Client, bin string, dbEnv []string) (*target, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "serve")
	// Later duplicates win in os/exec, so these override the inherited values.
	cmd.Env = append(os.Environ(),
		"PORTAL_ADDR="+addr,
		"PORTAL_SIMULATOR_ADDR=127.0.0.1:0", // the portal runs on its simulator, as with make run
		"PORTAL_LOG_LEVEL=error",
		// Every worker signs in from 127.0.0.1, more often than one
		// signed-out client may.
		"PORTAL_CLIENT_LIMIT=off",
		// For the counts of transactions and statements per request; a
		// profile can be taken there during a run, too. The portal picks
		// the port and prints it.
		"PORTAL_PPROF=127.0.0.1:0",
	)
	cmd.Env = append(cmd.Env, dbEnv...)
	t, err := startTarget(ctx, client, "portal", addr, cmd)
	if err != nil {
		return nil, err
	}
	// It prints the address once serving, so maybe just after /healthz
	// first answers.
	for deadline := time.Now().Add(readyTimeout); ; time.Sleep(10 * time.Millisecond) {
		if m := pprofLine.FindStringSubmatch(t.out.String()); m != nil {
			t.pprofURL = m[1]
			return t, nil
		}
		if time.Now().After(deadline) {
			t.stop()
			return nil, fmt.Errorf("the portal printed no diagnostics address (one without PORTAL_PPROF?); output:\n%s", t.out)
		}
	}
}

// pprofLine is what portal serve prints about its diagnostics listener.
var pprofLine = regexp.MustCompile(`Profiles and database counts on (http://[0-9.:]+)/debug/pprof/`)

// baseURLs are the addresses the load goes to: this target's, then its
// other instances'.
func (t *target) baseURLs() []string {
	urls := []string{t.baseURL}
	for _, o := range t.others {
		urls = append(urls, o.baseURL)
	}
	return urls
}

// dbStats reads the portal's database counts so far; the zero Stats and
// no error for a target that has none.
func (t *target) dbStats(ctx context.Context, client *http.Client) (store.Stats, error) {
	var st store.Stats
	if t.pprofURL == "" {
		return st, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	body, err := t.diagnostics(ctx, client, "/debug/store")
	if err != nil {
		return st, err
	}
	return st, json.Unmarshal(body, &st)
}

// cpuProfile records the portal's CPU profile for d (whole seconds, at
// least one) into path.
func (t *target) cpuProfile(ctx context.Context, client *http.Client, d time.Duration, path string) error {
	secs := max(1, int(d.Round(time.Second)/time.Second))
	ctx, cancel := context.WithTimeout(ctx, time.Duration(secs)*time.Second+30*time.Second)
	defer cancel()
	body, err := t.diagnostics(ctx, client, "/debug/pprof/profile?seconds="+strconv.Itoa(secs))
	if err != nil {
		return err
	}
	return os.WriteFile(path, body, 0o644)
}

// diagnostics GETs path on the portal's diagnostics listener.
func (t *target) diagnostics(ctx context.Context, client *http.Client, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.pprofURL+path, nil)
	if err != nil {
		return nil, err
	}
	status, _, body, err := roundTrip(client, req)
	if err == nil && status != http.StatusOK {
		err = fmt.Errorf("GET %s: status %d: %.200s", req.URL, status, body)
	}
	return body, err
}

// startBare re-executes this binary as a minimal net/http server whose home
// page has bodySize bytes and whose webhook receiver checks signatures with
// webhookSecret: the baseline the portal is compared against.
func startBare(ctx context.Context, client *http.Client, bodySize int, webhookSecret string) (*target, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("locate own binary: %w", err)
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, "-serve-bare", addr, "-bare-body-size", strconv.Itoa(bodySize), "-bare-webhook-secret", webhookSecret)
	return startTarget(ctx, client, "bare", addr, cmd)
}

// freeAddr asks the kernel for an unused loopback port. The port is released
// before the child binds it; the small race is acceptable for a benchmark.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find free port: %w", err)
	}
	addr := l.Addr().String()
	return addr, l.Close()
}

func startTarget(ctx context.Context, client *http.Client, name, addr string, cmd *exec.Cmd) (*target, error) {
	t := &target{name: name, baseURL: "http://" + addr, cmd: cmd, out: &tailBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = t.out, t.out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() { t.waitErr = cmd.Wait(); close(t.done) }()
	if err := t.waitReady(ctx, client); err != nil {
		t.stop()
		return nil, err
	}
	return t, nil
}

// waitReady polls /healthz until it answers 200, the child exits, or the
// deadline passes; failures include the child's output to explain why.
func (t *target) waitReady(ctx context.Context, client *http.Client) error {
	deadline := time.Now().Add(readyTimeout)
	var last error
	for {
		if last = t.healthy(ctx, client); last == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not healthy after %s (last: %v); output:\n%s", t.name, readyTimeout, last, t.out)
		}
		select {
		case <-t.done:
			return fmt.Errorf("%s exited before becoming healthy (%v); output:\n%s", t.name, t.waitErr, t.out)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (t *target) healthy(ctx context.Context, client *http.Client) error {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.baseURL+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /healthz: status %d", resp.StatusCode)
	}
	return nil
}

// stop asks the child to exit (SIGTERM) and kills it if it has not within
// stopTimeout. Safe to call on an already exited child.
func (t *target) stop() {
	select {
	case <-t.done:
		return
	default:
	}
	_ = t.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-t.done:
	case <-time.After(stopTimeout):
		_ = t.cmd.Process.Kill()
		<-t.done
	}
}

// cpuTime is the CPU time the target's processes have used so far (user
// and system, from /proc), 0 when it can't be read.
func (t *target) cpuTime() time.Duration {
	var total time.Duration
	for _, tt := range append([]*target{t}, t.others...) {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", tt.cmd.Process.Pid))
		if err != nil {
			return 0
		}
		// Fields after the command name, which is in parentheses and may
		// hold spaces: state is the 3rd field, utime the 14th, stime the 15th.
		_, rest, ok := bytes.Cut(data, []byte(") "))
		fields := strings.Fields(string(rest))
		if !ok || len(fields) < 13 {
			return 0
		}
		for _, f := range fields[11:13] {
			ticks, err := strconv.ParseInt(f, 10, 64)
			if err != nil {
				return 0
			}
			total += time.Duration(ticks) * time.Second / clockTicks
		}
	}
	return total
}

// clockTicks is the unit of /proc's CPU times (USER_HZ), 100 on Linux.
const clockTicks = 100

// peakRSS returns the child's peak resident set size (VmHWM) in bytes.
// It must be read before the child exits.
func (t *target) peakRSS() (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", t.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("parse VmHWM %q: %w", v, err)
			}
			return kb << 10, nil
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, errors.New("VmHWM not found in /proc status")
}

// tailBuffer keeps the last tailMax bytes written to it; the child writes
// from os/exec's copy goroutine while error paths read it.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
}

const tailMax = 16 << 10

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - tailMax; over > 0 {
		b.buf = append(b.buf[:0], b.buf[over:]...)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.buf) == 0 {
		return "(no output)"
	}
	return string(b.buf)
}

// serveBare is the hidden -serve-bare mode: the "nothing" baseline with
// /healthz, a static home page of bodySize bytes and a webhook receiver
// that only checks signatures, no middleware.
func serveBare(addr string, bodySize int, webhookSecret string) error {
	page := barePage(bodySize)
	mux := http.NewServeMux()
	mux.Handle("POST /webhooks/line/{channelID}", bareWebhook(webhookSecret))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "ok")
	})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Length", strconv.Itoa(len(page)))
		_, _ = w.Write(page)
	})
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}

	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, scancel := context.WithTimeout(context.Background(), stopTimeout)
	defer scancel()
	return srv.Shutdown(sctx)
}

// barePage builds an HTML document of exactly size bytes (or the minimal
// skeleton if size is smaller), padded with a comment.
func barePage(size int) []byte {
	const head, tail = "<!doctype html><html><head><title>bare</title></head><body><!--", "--></body></html>\n"
	pad := max(0, size-len(head)-len(tail))
	var b bytes.Buffer
	b.Grow(len(head) + pad + len(tail))
	b.WriteString(head)
	b.Write(bytes.Repeat([]byte("x"), pad))
	b.WriteString(tail)
	return b.Bytes()
}

// bareWebhook is the least a webhook receiver can do: read the raw body
// (capped as the portal caps it) and check its signature in constant
// time; 200 {} when it matches, else 401. Set against the portal's
// receiver, it shows what parsing, storing and applying the events cost.
func bareWebhook(secret string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, web.MaxWebhookBody))
		if err != nil || !line.ValidSignature(secret, body, r.Header.Get("X-Line-Signature")) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, "{}")
	})
}
