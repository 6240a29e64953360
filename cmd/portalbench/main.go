// Command portalbench measures the portal server on loopback and, in the same
// run, a bare net/http server serving a page of the same size, so the report
// shows what our stack costs compared to "nothing".
//
//	go run ./cmd/portalbench -portal bin/portal
//
// Both servers run as child processes so their peak RSS can be reported
// separately from the load generator's.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"lineportal/internal/dataset"
	"lineportal/store"
)

// scenarios is the benchmark table. Add rows here; see Scenario for fields.
// Rows that need signed-in sessions or the data set take them from fx,
// which is the zero fixture when only the names are wanted.
func scenarios(fx fixture) []Scenario {
	return append([]Scenario{
		{Name: "healthz", Path: "/healthz", Want: http.StatusOK},
		{Name: "home", Path: "/", Want: http.StatusOK},
		webhookScenario(fx),
	}, dataScenarios(fx)...)
}

type config struct {
	portal      string
	duration    time.Duration
	warmup      time.Duration
	concurrency int
	scenarios   []string // names; nil means all
	jsonPath    string
	profileDir  string
	db          string // "" (SQLite), "postgres" (a throwaway cluster) or a postgres:// URL
	instances   int    // portal processes on the one PostgreSQL database
}

// isHidden reports flags internal to the re-executed bare server, left out of -h.
func isHidden(name string) bool { return name == "serve-bare" || strings.HasPrefix(name, "bare-") }

func main() {
	var cfg config
	flag.StringVar(&cfg.portal, "portal", "", "path to the portal binary (required)")
	flag.DurationVar(&cfg.duration, "duration", 5*time.Second, "measured time per scenario and target")
	flag.DurationVar(&cfg.warmup, "warmup", time.Second, "unmeasured warm-up per scenario and target")
	flag.IntVar(&cfg.concurrency, "concurrency", 32, "number of concurrent workers (keep-alive connections)")
	names := flag.String("scenarios", "", "comma-separated scenarios to run (default all: "+strings.Join(scenarioNames(scenarios(fixture{})), ",")+")")
	flag.StringVar(&cfg.jsonPath, "json", "", "also write results as JSON to this file")
	flag.IntVar(&cfg.instances, "instances", 1, "with -db: run this many portal processes on the database and spread the load over them")
	flag.StringVar(&cfg.db, "db", "", "run the portal on PostgreSQL: \"postgres\" starts a throwaway cluster (needs the server binaries), a postgres:// URL names an empty database of yours (default: SQLite)")
	flag.StringVar(&cfg.profileDir, "cpuprofile", "", "write the portal's CPU profile of each measured run to this directory (SCENARIO.pprof, for go tool pprof)")
	bareAddr := flag.String("serve-bare", "", "internal: serve the bare baseline on this address")
	bareSize := flag.Int("bare-body-size", 4096, "internal: size of the bare home page in bytes")
	bareSecret := flag.String("bare-webhook-secret", "", "internal: channel secret the bare webhook receiver checks signatures with")
	flag.Usage = usage
	flag.Parse()

	if *bareAddr != "" {
		if err := serveBare(*bareAddr, *bareSize, *bareSecret); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, "portalbench bare:", err)
			os.Exit(1)
		}
		return
	}

	if err := cfg.validate(*names); err != nil {
		fmt.Fprintln(os.Stderr, "portalbench:", err)
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := bench(ctx, cfg, os.Stdout)
	if ctx.Err() != nil {
		err = errors.New("interrupted")
	}
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "portalbench:", err)
		os.Exit(1)
	}
}

func usage() {
	out := flag.CommandLine.Output()
	fmt.Fprintf(out, "usage: portalbench -portal PATH [flags]\n")
	flag.VisitAll(func(f *flag.Flag) {
		if isHidden(f.Name) {
			return
		}
		fmt.Fprintf(out, "  -%s\n    \t%s", f.Name, f.Usage)
		if f.DefValue != "" && f.DefValue != "0" {
			fmt.Fprintf(out, " (default %s)", f.DefValue)
		}
		fmt.Fprintln(out)
	})
}

func (c *config) validate(names string) error {
	if c.portal == "" {
		return errors.New("-portal is required")
	}
	if _, err := os.Stat(c.portal); err != nil {
		return fmt.Errorf("portal binary: %w (build it first, e.g. make bin/portal)", err)
	}
	if c.db != "" && !isPostgres(c.db) {
		return errors.New(`-db must be "postgres" or a postgres:// URL`)
	}
	if c.instances < 1 || (c.instances > 1 && c.db == "") {
		return errors.New("-instances above 1 needs -db (several instances share PostgreSQL, not a SQLite file)")
	}
	if c.duration <= 0 || c.warmup < 0 || c.concurrency < 1 {
		return errors.New("-duration must be > 0, -warmup >= 0 and -concurrency >= 1")
	}
	if names == "" {
		return nil
	}
	for name := range strings.SplitSeq(names, ",") {
		c.scenarios = append(c.scenarios, strings.TrimSpace(name))
	}
	_, err := selectScenarios(scenarios(fixture{}), c.scenarios)
	return err
}

// selectScenarios returns the named rows of all in the order named, or all
// of them when names is nil.
func selectScenarios(all []Scenario, names []string) ([]Scenario, error) {
	if names == nil {
		return all, nil
	}
	var picked []Scenario
	for _, name := range names {
		i := slices.IndexFunc(all, func(s Scenario) bool { return s.Name == name })
		if i < 0 {
			return nil, fmt.Errorf("unknown scenario %q (known: %s)", name, strings.Join(scenarioNames(all), ", "))
		}
		picked = append(picked, all[i])
	}
	return picked, nil
}

func scenarioNames(ss []Scenario) []string {
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = s.Name
	}
	return names
}

// result is one scenario×target row of the report (also the JSON schema).
type result struct {
	Scenario     string  `json:"scenario"`
	Target       string  `json:"target"`
	Workers      int     `json:"in_flight"`
	Requests     int64   `json:"requests"`
	ReqPerSec    float64 `json:"req_per_sec"`
	EventsPerSec float64 `json:"events_per_sec"`
	P50Ms        float64 `json:"p50_ms"`
	P99Ms        float64 `json:"p99_ms"`
	Errors       int64   `json:"errors"`
	FirstError   string  `json:"first_error,omitempty"`
	// CPUMicros is the target's CPU time (user and system, all its
	// processes) per request: unlike req/s, it hardly depends on what else
	// the machine runs, so it compares runs on a busy machine.
	CPUMicros float64 `json:"cpu_us_per_request,omitempty"`
	// ClientMicros is the load generator's CPU time per request (for a
	// raw loop, which runs in it, the loop's own is CPUMicros); OtherMicros
	// what the rest of the machine spent meanwhile, per request; BusyCores
	// how many of its cores were busy on average. Figures from a machine
	// whose cores were all busy measure the sharing as much as the portal.
	ClientMicros float64 `json:"client_cpu_us_per_request,omitempty"`
	OtherMicros  float64 `json:"other_cpu_us_per_request,omitempty"`
	BusyCores    float64 `json:"busy_cores,omitempty"`
	// DB is the portal's database work per request in this run.
	DB *dbWork `json:"db_per_request,omitempty"`
}

// dbWork is store.Stats per request: what one action cost the database.
type dbWork struct {
	Transactions    float64 `json:"transactions"`
	Commits         float64 `json:"commits"`
	WriteStatements float64 `json:"write_statements"`
	ReadStatements  float64 `json:"read_statements"`
}

func perRequest(before, after store.Stats, requests int64) *dbWork {
	if requests == 0 {
		return nil
	}
	n := float64(requests)
	return &dbWork{
		Transactions:    float64(after.Transactions-before.Transactions) / n,
		Commits:         float64(after.Commits-before.Commits) / n,
		WriteStatements: float64(after.WriteStatements-before.WriteStatements) / n,
		ReadStatements:  float64(after.ReadStatements-before.ReadStatements) / n,
	}
}

type report struct {
	Duration    string             `json:"duration"`
	Warmup      string             `json:"warmup"`
	Concurrency int                `json:"concurrency"`
	Results     []result           `json:"results"`
	PeakRSSMiB  map[string]float64 `json:"peak_rss_mib"`
	// Database is the portal's engine; Instances the portal processes on it.
	Database  string `json:"database"`
	Instances int    `json:"portal_instances"`
}

var errFailedRequests = errors.New("some requests failed (see warnings above)")

// baselineTurns is how many slices of the duration the portal and its
// baseline server each run in, one after the other (see bench).
const baselineTurns = 5

// measured adds up one target's timed slices of a scenario.
type measured struct {
	res      runResult
	cpu      cpuMark // what the slices took, added up
	dbBefore store.Stats
}

func (m *measured) add(res runResult, from, to cpuMark) {
	if m.res.Hist == nil {
		m.res.Hist = new(histogram)
	}
	m.res.Requests += res.Requests
	m.res.Errors += res.Errors
	if m.res.FirstErr == "" {
		m.res.FirstErr = res.FirstErr
	}
	m.res.Elapsed += res.Elapsed
	m.res.Hist.merge(res.Hist)
	m.cpu.target += to.target - from.target
	m.cpu.client += to.client - from.client
	m.cpu.machine += to.machine - from.machine
}

// bench starts both targets, runs every scenario against each and writes the
// report. Children are stopped and the temp dir removed on every return path.
func bench(ctx context.Context, cfg config, w io.Writer) error {
	dir, err := os.MkdirTemp("", "portalbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir) // deferred first, so it runs after the children stop

	// The transport of the untimed steps (sign-in, setups, the database
	// counts), which a setup also drives from every worker at once: its
	// keep-alive pool is sized to the worker count. Compression is off so
	// both targets are measured on the same uncompressed bytes; redirects
	// are not followed so a step sees exactly the response it asked for.
	// The timed runs use each worker's own connection (conn in load.go).
	tr := &http.Transport{
		Proxy:               nil,
		MaxIdleConns:        0, // no global cap; MaxIdleConnsPerHost governs
		MaxIdleConnsPerHost: cfg.concurrency,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}

	// The rows that need the data set decide whether to generate it; they
	// are built again below, with the fixture complete.
	scs, err := selectScenarios(scenarios(fixture{}), cfg.scenarios)
	if err != nil {
		return err
	}
	withData := slices.ContainsFunc(scs, func(s Scenario) bool { return s.Data })
	dbPath := filepath.Join(dir, "bench.db")
	if withData {
		if err := generateReported(ctx, dbPath, dataset.Bench(), os.Stderr); err != nil {
			return err
		}
	}
	dbEnv := []string{"PORTAL_DB=" + dbPath}
	if cfg.db != "" {
		pg, err := newPostgresTarget(ctx, cfg.db, os.Stderr)
		if err != nil {
			return err
		}
		defer pg.stop()
		if withData {
			if err := pg.load(ctx, dbPath, os.Stderr); err != nil {
				return fmt.Errorf("copy the data set to PostgreSQL: %w", err)
			}
		}
		dbEnv = pg.env()
	}
	portal, err := startPortal(ctx, client, cfg.portal, dbEnv)
	if err != nil {
		return err
	}
	defer portal.stop()
	for range cfg.instances - 1 {
		other, err := startPortal(ctx, client, cfg.portal, dbEnv)
		if err != nil {
			return err
		}
		defer other.stop()
		portal.others = append(portal.others, other)
	}
	fx := fixture{workers: cfg.concurrency}
	if withData {
		fmt.Fprintln(os.Stderr, "signing in through the simulator...")
		if fx, err = newFixture(ctx, tr, portal.baseURL, dataset.Bench(), cfg.concurrency, cfg.warmup+cfg.duration); err != nil {
			return err
		}
	}
	fx.webhook = newWebhookChannel()
	if scs, err = selectScenarios(scenarios(fx), cfg.scenarios); err != nil {
		return err
	}
	size, err := bodySize(ctx, client, portal.baseURL+"/")
	if err != nil {
		// Not fatal: the home scenario will report the failure itself.
		const fallback = 4096
		fmt.Fprintf(os.Stderr, "warning: measure portal home page: %v; bare page uses %d bytes\n", err, fallback)
		size = fallback
	}
	bare, err := startBare(ctx, client, size, fx.webhook.secret)
	if err != nil {
		return err
	}
	defer bare.stop()

	rep := report{Duration: cfg.duration.String(), Warmup: cfg.warmup.String(), Concurrency: cfg.concurrency, Database: "SQLite", Instances: cfg.instances}
	if cfg.db != "" {
		rep.Database = "PostgreSQL"
	}
	for _, sc := range scs {
		targets := []*target{portal, bare}
		if sc.PortalOnly {
			targets = targets[:1]
		}
		if sc.Setup != nil {
			fmt.Fprintf(os.Stderr, "preparing %s against %s...\n", sc.Name, portal.name)
			if err := sc.Setup(ctx, client, portal.baseURL); err != nil {
				return fmt.Errorf("%s: %w", sc.Name, err)
			}
		}
		// Where the bare server is the baseline, the two take turns, a
		// slice of the duration each, so that both meet the machine's slow
		// and fast moments alike: the same binary's CPU per request moves
		// by a fifth within minutes. A CPU profile covers one whole run.
		turns := 1
		if len(targets) > 1 && sc.Raw == nil && cfg.profileDir == "" {
			turns = baselineTurns
		}
		runs := make([]measured, len(targets))
		for turn := range turns {
			for i, t := range targets {
				if turn == 0 {
					fmt.Fprintf(os.Stderr, "running %s against %s...\n", sc.Name, t.name)
					if cfg.warmup > 0 {
						if _, err := runLoad(ctx, t.baseURLs(), sc, sc.workers(cfg.concurrency), cfg.warmup); err != nil {
							return err
						}
					}
					var err error
					if runs[i].dbBefore, err = t.dbStats(ctx, client); err != nil {
						return err
					}
				}
				cpuBefore := markCPU(t.cpuTime())
				profiled := make(chan error, 1)
				if cfg.profileDir != "" && t.pprofURL != "" {
					go func() {
						profiled <- t.cpuProfile(ctx, client, cfg.duration, filepath.Join(cfg.profileDir, sc.Name+".pprof"))
					}()
				} else {
					profiled <- nil
				}
				res, err := runLoad(ctx, t.baseURLs(), sc, sc.workers(cfg.concurrency), cfg.duration/time.Duration(turns))
				if err := errors.Join(err, <-profiled); err != nil {
					return err
				}
				runs[i].add(res, cpuBefore, markCPU(t.cpuTime()))
			}
		}
		for i, t := range targets {
			after, err := t.dbStats(ctx, client)
			if err != nil {
				return err
			}
			m := &runs[i]
			r := newResult(sc, t.name, sc.workers(cfg.concurrency), m.res)
			r.setCPU(cpuMark{}, m.cpu, m.res.Elapsed)
			if t.pprofURL != "" && len(t.others) == 0 { // one instance's counts would be a part of the work
				r.DB = perRequest(m.dbBefore, after, m.res.Requests)
			}
			rep.Results = append(rep.Results, r)
		}
		if sc.Raw != nil {
			fmt.Fprintf(os.Stderr, "running %s's baseline %s...\n", sc.Name, sc.Raw.name)
			res, cpu, err := sc.Raw.run(ctx, filepath.Join(dir, sc.Name+"."+sc.Raw.name+".db"), cfg.warmup, cfg.duration)
			if err != nil {
				return err
			}
			r := newResult(Scenario{Name: sc.Name, EventsPerRequest: sc.Raw.events}, sc.Raw.name, 1, res)
			r.setCPU(cpu[0], cpu[1], res.Elapsed)
			rep.Results = append(rep.Results, r)
		}
	}

	// Read peak RSS while the children are still alive.
	rep.PeakRSSMiB = map[string]float64{}
	var rssErr error
	for _, t := range []*target{portal, bare} {
		b, err := t.peakRSS()
		if err != nil {
			rssErr = errors.Join(rssErr, fmt.Errorf("%s: %w", t.name, err))
			continue
		}
		rep.PeakRSSMiB[t.name] = float64(b) / (1 << 20)
	}

	if err := writeTable(w, scs, rep); err != nil {
		return err
	}
	if rssErr != nil {
		fmt.Fprintln(w, "peak RSS unavailable:", rssErr)
	}
	if cfg.jsonPath != "" {
		data, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(cfg.jsonPath, append(data, '\n'), 0o644); err != nil {
			return err
		}
	}
	for _, r := range rep.Results {
		if r.Errors > 0 {
			return errFailedRequests
		}
	}
	return nil
}

// bodySize fetches url once and returns the body length, which the bare
// server then mimics so both home pages move the same number of bytes.
func bodySize(ctx context.Context, client *http.Client, url string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
	}
	return int(n), nil
}

func newResult(sc Scenario, target string, workers int, r runResult) result {
	secs := r.Elapsed.Seconds()
	return result{
		Scenario:     sc.Name,
		Target:       target,
		Workers:      workers,
		Requests:     r.Requests,
		ReqPerSec:    float64(r.Requests) / secs,
		EventsPerSec: float64(r.Requests*int64(sc.eventsPerRequest())) / secs,
		P50Ms:        ms(r.Hist.quantile(0.50)),
		P99Ms:        ms(r.Hist.quantile(0.99)),
		Errors:       r.Errors,
		FirstError:   r.FirstErr,
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// writeTable prints the human-readable report. The events/s column only
// appears when some scenario sends more than one event per request.
func writeTable(w io.Writer, scs []Scenario, rep report) error {
	events := slices.ContainsFunc(scs, func(s Scenario) bool { return s.eventsPerRequest() > 1 })
	fmt.Fprintf(w, "portal on %s, %d instance(s)\n", rep.Database, rep.Instances)
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
	fmt.Fprint(tw, "scenario\ttarget\tin flight\trequests\treq/s\t")
	if events {
		fmt.Fprint(tw, "events/s\t")
	}
	fmt.Fprint(tw, "p50\tp99\tCPU/req\tclient\tother\tbusy cores\terrors\n")
	for _, r := range rep.Results {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%.0f\t", r.Scenario, r.Target, r.Workers, r.Requests, r.ReqPerSec)
		if events {
			fmt.Fprintf(tw, "%.0f\t", r.EventsPerSec)
		}
		fmt.Fprintf(tw, "%.2fms\t%.2fms\t%.0fµs\t%.0fµs\t%.0fµs\t%.2f\t%d\n", r.P50Ms, r.P99Ms, r.CPUMicros, r.ClientMicros, r.OtherMicros, r.BusyCores, r.Errors)
	}
	fmt.Fprintln(tw, "\ndatabase work per request (portal)\ttransactions\tcommits\twrite statements\tread statements")
	for _, r := range rep.Results {
		if r.DB != nil {
			fmt.Fprintf(tw, "%s\t%.2f\t%.2f\t%.1f\t%.1f\n", r.Scenario, r.DB.Transactions, r.DB.Commits, r.DB.WriteStatements, r.DB.ReadStatements)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	for _, sc := range scs {
		p := find(rep.Results, sc.Name, "portal")
		if p == nil {
			continue
		}
		if b := find(rep.Results, sc.Name, "bare"); b != nil && b.ReqPerSec > 0 {
			fmt.Fprintf(w, "%s: portal reaches %.2fx of bare throughput\n", sc.Name, p.ReqPerSec/b.ReqPerSec)
		}
		if sc.Raw != nil {
			if raw := find(rep.Results, sc.Name, sc.Raw.name); raw != nil && raw.EventsPerSec > 0 {
				fmt.Fprintf(w, "%s: portal reaches %.2fx of the %s loop (%.0f vs %.0f %s/s), p99 %.2fms\n",
					sc.Name, p.EventsPerSec/raw.EventsPerSec, sc.Raw.name, p.EventsPerSec, raw.EventsPerSec, sc.rawUnit(), p.P99Ms)
			}
		}
		if sc.Unit != "" {
			fmt.Fprintf(w, "%s: %.0f %s/s\n", sc.Name, p.ReqPerSec, sc.Unit)
		}
		if sc.eventsPerRequest() > 1 {
			// A batch is acknowledged once all its events are stored, so
			// its latency is each event's time to ack.
			fmt.Fprintf(w, "%s: portal ingests %.0f events/s in batches of %d, p99 ack %.2fms\n", sc.Name, p.EventsPerSec, sc.eventsPerRequest(), p.P99Ms)
		}
	}
	for _, r := range rep.Results {
		if r.Errors > 0 {
			fmt.Fprintf(w, "WARNING: %s/%s had %d errors, e.g. %s\n", r.Scenario, r.Target, r.Errors, r.FirstError)
		}
	}
	if len(rep.PeakRSSMiB) > 0 {
		var parts []string
		for _, name := range []string{"portal", "bare"} {
			if v, ok := rep.PeakRSSMiB[name]; ok {
				parts = append(parts, fmt.Sprintf("%s %.1f MiB", name, v))
			}
		}
		fmt.Fprintf(w, "peak RSS: %s\n", strings.Join(parts, ", "))
	}
	return nil
}

// rawUnit names what the scenario's raw loop counts.
func (sc Scenario) rawUnit() string {
	if sc.eventsPerRequest() > 1 {
		return "events"
	}
	return "commits"
}

func find(rs []result, scenario, target string) *result {
	for i := range rs {
		if rs[i].Scenario == scenario && rs[i].Target == target {
			return &rs[i]
		}
	}
	return nil
}
