package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"math/bits"
	"net"
	"net/http"
	"sync"
	"time"
)

// Scenario is one row of the benchmark table (see scenarios in main.go).
// A row either describes a static request (Method, Path, Body, Header) or
// supplies Build for requests that must differ per call (signed batches,
// unique event IDs, paging through large tables).
type Scenario struct {
	Name   string      // used by -scenarios and in the output
	Method string      // HTTP method; "" means GET
	Path   string      // path and query, e.g. "/" or "/events?page=2"
	Body   []byte      // optional request body, sent with every request
	Header http.Header // optional request headers
	Want   int         // expected status; any other status counts as an error

	// Build, if set, replaces Method/Path/Body/Header. It must return a new
	// request for baseURL ("http://127.0.0.1:PORT") bound to ctx. worker and
	// seq (0,1,2,... per worker) let it make unique payloads without shared
	// state; it runs on the hot path, so keep it cheap.
	Build func(ctx context.Context, baseURL string, worker, seq int) (*http.Request, error)

	// EventsPerRequest scales req/s into events/s for batch endpoints such as
	// webhook ingestion; 0 means 1.
	EventsPerRequest int

	// PortalOnly skips the bare target, which only serves /healthz, / and
	// the webhook receiver.
	PortalOnly bool

	// Workers, when set, replaces -concurrency for this scenario. Page
	// latency is read one request at a time: 32 requests in flight on two
	// cores measure the queue, not the page.
	Workers int

	// Data runs the portal on the generated data set (internal/dataset)
	// instead of the demo alone, and signs the demo people in first.
	Data bool

	// Setup, if set, runs once against the portal before its warm-up,
	// untimed, to prepare what Build uses (for example URLs that each
	// request uses up). The bare server has nothing to set up over HTTP:
	// what it needs comes on its command line (see startBare).
	Setup func(ctx context.Context, client *http.Client, baseURL string) error

	// Unit, if set, names what one request does ("approvals"), for a
	// summary line with the portal's rate of it.
	Unit string

	// Raw, if set, is the plain-SQLite loop (raw.go) the portal's rate is
	// held against, run right after the portal's; otherwise the bare
	// server is the baseline.
	Raw *rawLoop
}

// eventsPerRequest returns the reporting multiplier, defaulting to 1.
func (s Scenario) eventsPerRequest() int {
	if s.EventsPerRequest > 0 {
		return s.EventsPerRequest
	}
	return 1
}

// requester returns a per-worker function producing the next request.
// Static body-less requests are built once and reused: net/http allows
// reusing a request once the previous response body is closed, which keeps
// URL parsing and header allocation off the hot path.
func (s Scenario) requester(ctx context.Context, baseURL string, worker int) (func(seq int) (*http.Request, error), error) {
	if s.Build != nil {
		return func(seq int) (*http.Request, error) { return s.Build(ctx, baseURL, worker, seq) }, nil
	}
	method := s.Method
	if method == "" {
		method = http.MethodGet
	}
	newReq := func() (*http.Request, error) {
		var body io.Reader
		if s.Body != nil {
			body = bytes.NewReader(s.Body)
		}
		req, err := http.NewRequestWithContext(ctx, method, baseURL+s.Path, body)
		if err != nil {
			return nil, err
		}
		if s.Header != nil {
			req.Header = s.Header.Clone()
		}
		return req, nil
	}
	if s.Body != nil {
		// A request with a body is rebuilt each time: the transport owns and
		// closes the body, so sharing one reader across calls is unsafe.
		return func(int) (*http.Request, error) { return newReq() }, nil
	}
	req, err := newReq()
	if err != nil {
		return nil, err
	}
	return func(int) (*http.Request, error) { return req, nil }, nil
}

// runResult is what one timed run of a scenario against a target produced.
type runResult struct {
	Requests int64         // completed attempts, including failed ones
	Errors   int64         // unexpected statuses, body read and transport errors
	FirstErr string        // one example error, for the report
	Elapsed  time.Duration // wall time until the last worker finished
	Hist     *histogram    // latency of every request that got a response
}

// workerStats is owned by exactly one worker, so no locking is needed until
// the merge after all workers have stopped.
type workerStats struct {
	requests, errors int64
	firstErr         string
	hist             histogram
}

func (w *workerStats) fail(msg string) {
	w.errors++
	if w.firstErr == "" {
		w.firstErr = msg
	}
}

// stuckGrace bounds how long a run may overrun its duration before in-flight
// requests are cancelled, so a hung server cannot hang the benchmark.
const stuckGrace = 30 * time.Second

// runLoad drives the scenario against baseURL with a fixed pool of workers
// for d. Each worker issues requests back to back on its own keep-alive
// connection; no new request starts after the deadline, but in-flight ones
// finish and are counted, and Elapsed covers them so req/s stays honest.
// runLoad runs sc's requests from workers at once for d, worker i
// against baseURLs[i % len(baseURLs)] (several instances of one portal).
func runLoad(ctx context.Context, baseURLs []string, sc Scenario, workers int, d time.Duration) (runResult, error) {
	runCtx, cancel := context.WithTimeout(ctx, d+stuckGrace)
	defer cancel()

	stats := make([]workerStats, workers)
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for i := range stats {
		wg.Go(func() { work(runCtx, baseURLs[i%len(baseURLs)], sc, i, deadline, &stats[i]) })
	}
	wg.Wait()
	res := runResult{Elapsed: time.Since(start), Hist: new(histogram)}
	if err := ctx.Err(); err != nil {
		return res, err // interrupted: partial numbers are meaningless
	}
	for i := range stats {
		s := &stats[i]
		res.Requests += s.requests
		res.Errors += s.errors
		if res.FirstErr == "" {
			res.FirstErr = s.firstErr
		}
		res.Hist.merge(&s.hist)
	}
	return res, nil
}

func work(ctx context.Context, baseURL string, sc Scenario, worker int, deadline time.Time, st *workerStats) {
	next, err := sc.requester(ctx, baseURL, worker)
	if err != nil {
		st.fail("build request: " + err.Error())
		return
	}
	var c conn
	defer c.close()
	for seq := 0; ctx.Err() == nil && time.Now().Before(deadline); seq++ {
		req, err := next(seq)
		if err != nil {
			st.fail("build request: " + err.Error())
			return // a broken builder would fail the same way every time
		}
		t0 := time.Now()
		status, err := c.roundTrip(ctx, req)
		if err != nil {
			if ctx.Err() != nil {
				return // cancelled by Ctrl-C or the stuck-run guard, not a server error
			}
			st.requests++
			st.fail(err.Error())
			continue
		}
		st.hist.record(time.Since(t0))
		st.requests++
		if status != sc.Want {
			st.fail(fmt.Sprintf("%s %s: status %d, want %d", req.Method, req.URL.Path, status, sc.Want))
		}
	}
}

// conn is one worker's keep-alive connection. A worker waits for each
// response before it sends the next request, so it writes the request and
// reads the response itself, on its own goroutine. net/http's Transport
// hands each request to the connection's write goroutine and the response
// back from its read goroutine; on the two cores the portal shares with the
// load generator, that cost the generator 16 µs a healthz and 55–70 µs a
// channel page, against 11–13 and 34–43 this way.
type conn struct {
	nc net.Conn
	r  *bufio.Reader
	w  *bufio.Writer
}

// roundTrip sends req and reads its whole response, returning its status.
// It dials (again) when it has no connection or the last one was closed.
func (c *conn) roundTrip(ctx context.Context, req *http.Request) (int, error) {
	if c.nc == nil {
		var d net.Dialer
		nc, err := d.DialContext(ctx, "tcp", req.URL.Host)
		if err != nil {
			return 0, err
		}
		if dl, ok := ctx.Deadline(); ok {
			nc.SetDeadline(dl) // the stuck-run guard, for reads and writes alike
		}
		c.nc, c.r, c.w = nc, bufio.NewReaderSize(nc, 64<<10), bufio.NewWriter(nc)
	}
	err := req.Write(c.w)
	if err == nil {
		err = c.w.Flush()
	}
	var resp *http.Response
	if err == nil {
		resp, err = http.ReadResponse(c.r, req)
	}
	if err != nil {
		c.close()
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil || resp.Close {
		c.close()
	}
	return resp.StatusCode, err
}

func (c *conn) close() {
	if c.nc != nil {
		c.nc.Close()
		c.nc = nil
	}
}

// histogram is a log-linear latency histogram (HDR style): values below
// 2*subCount ns get one bucket each, above that every power of two is split
// into subCount equal buckets. Relative bucket width is at most 1/subCount,
// so a percentile reported as a bucket midpoint is within 1/(2*subCount)
// (< 0.8%) of the true sample, with fixed memory and no allocation per sample.
type histogram struct {
	counts   [numBuckets]uint64
	n        uint64
	min, max int64 // exact extremes, used to clamp percentiles
}

const (
	subBits    = 6
	subCount   = 1 << subBits
	maxBits    = 40 // values are clamped below 2^40 ns (~18 min)
	numBuckets = (maxBits - subBits + 1) * subCount
)

// bucketIndex maps a non-negative value to its bucket.
func bucketIndex(v int64) int {
	if v < 0 {
		v = 0
	}
	if v >= 1<<maxBits {
		v = 1<<maxBits - 1
	}
	u := uint64(v)
	if u < 2*subCount {
		return int(u)
	}
	shift := bits.Len64(u) - subBits - 1 // keep the top subBits+1 bits
	return (shift+1)*subCount + int(u>>shift) - subCount
}

// bucketBounds returns the half-open value range [lo, hi) of bucket i.
func bucketBounds(i int) (lo, hi int64) {
	if i < 2*subCount {
		return int64(i), int64(i) + 1
	}
	shift := i/subCount - 1
	m := int64(i%subCount + subCount)
	return m << shift, (m + 1) << shift
}

func (h *histogram) record(d time.Duration) {
	v := int64(d)
	if h.n == 0 || v < h.min {
		h.min = v
	}
	if h.n == 0 || v > h.max {
		h.max = v
	}
	h.counts[bucketIndex(v)]++
	h.n++
}

func (h *histogram) merge(o *histogram) {
	if o.n == 0 {
		return
	}
	if h.n == 0 || o.min < h.min {
		h.min = o.min
	}
	if h.n == 0 || o.max > h.max {
		h.max = o.max
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
}

// quantile returns the nearest-rank q-quantile (0 < q <= 1): the value of the
// ceil(q*n)-th smallest sample, approximated by its bucket's midpoint and
// clamped to the observed min/max. It returns 0 for an empty histogram.
func (h *histogram) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.n)))
	rank = max(1, min(rank, h.n))
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			lo, hi := bucketBounds(i)
			v := lo + (hi-1-lo)/2
			return time.Duration(max(h.min, min(v, h.max)))
		}
	}
	return time.Duration(h.max) // unreachable: counts sum to n
}

// workers is how many requests the scenario keeps in flight.
func (sc Scenario) workers(concurrency int) int {
	if sc.Workers > 0 {
		return sc.Workers
	}
	return concurrency
}
