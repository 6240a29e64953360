package main

import (
	"bytes"
	"database/sql"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"lineportal/store"
)

// Every value must land in a bucket whose bounds contain it, and bucket
// indexes must never decrease as values grow (otherwise quantiles would walk
// buckets out of order).
func TestBucketBoundsContainValue(t *testing.T) {
	prev := -1
	for _, v := range []int64{0, 1, 127, 128, 129, 130, 255, 256, 1000, 1e6, 123456789, 1<<maxBits - 1} {
		i := bucketIndex(v)
		if i < prev {
			t.Errorf("bucketIndex(%d) = %d, below previous index %d", v, i, prev)
		}
		prev = i
		if i < 0 || i >= numBuckets {
			t.Fatalf("bucketIndex(%d) = %d out of range [0,%d)", v, i, numBuckets)
		}
		lo, hi := bucketBounds(i)
		if v < lo || v >= hi {
			t.Errorf("value %d in bucket %d with bounds [%d,%d)", v, i, lo, hi)
		}
		if w := float64(hi - lo); v >= 2*subCount && w/float64(lo) > 1.0/subCount {
			t.Errorf("bucket %d [%d,%d) wider than 1/%d relative", i, lo, hi, subCount)
		}
	}
	if got := bucketIndex(1 << 50); got != numBuckets-1 {
		t.Errorf("huge value: bucket %d, want clamped to last bucket %d", got, numBuckets-1)
	}
}

func TestQuantileSmallValuesExact(t *testing.T) {
	var h histogram
	for v := 1; v <= 100; v++ { // 1..100 ns: one bucket per value, so exact
		h.record(time.Duration(v))
	}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{0.01, 1}, {0.5, 50}, {0.99, 99}, {1, 100}} {
		if got := h.quantile(c.q); got != c.want {
			t.Errorf("quantile(%v) = %v, want %v", c.q, got, c.want)
		}
	}
}

// Against a skewed random sample, p50/p99 from the histogram must match the
// exact nearest-rank value from the sorted samples within the bucket error.
func TestQuantileMatchesSortedSamples(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	samples := make([]time.Duration, 100000)
	var h histogram
	for i := range samples {
		// ~200µs typical latency with a long tail up to ~50ms.
		d := time.Duration(200e3 * rng.ExpFloat64() * (1 + 20*float64(rng.IntN(100)/98)))
		samples[i] = d
		h.record(d)
	}
	slices.Sort(samples)
	for _, q := range []float64{0.5, 0.9, 0.99, 0.999} {
		exact := samples[int(math.Ceil(q*float64(len(samples))))-1] // nearest rank, 1-based
		got := h.quantile(q)
		if rel := float64(got-exact) / float64(exact); rel > 1.0/subCount || rel < -1.0/subCount {
			t.Errorf("quantile(%v) = %v, exact %v (relative error %.4f)", q, got, exact, rel)
		}
	}
	if got, want := h.quantile(1), samples[len(samples)-1]; got != want {
		t.Errorf("quantile(1) = %v, want exact max %v", got, want)
	}
}

func TestMergeEqualsCombinedRecording(t *testing.T) {
	var a, b, all histogram
	for i := range 1000 {
		d := time.Duration(i+1) * time.Microsecond // min 1µs, so a zeroed min shows
		all.record(d)
		if i%3 == 0 {
			a.record(d)
		} else {
			b.record(d)
		}
	}
	var m histogram
	m.merge(&a)
	m.merge(&b)
	m.merge(new(histogram)) // merging an empty histogram must not reset min
	if m.n != all.n || m.min != all.min || m.max != all.max || m.counts != all.counts {
		t.Errorf("merged n/min/max = %d/%d/%d, want %d/%d/%d (or counts differ)", m.n, m.min, m.max, all.n, all.min, all.max)
	}
	for _, q := range []float64{0.5, 0.99} {
		if m.quantile(q) != all.quantile(q) {
			t.Errorf("merged quantile(%v) = %v, want %v", q, m.quantile(q), all.quantile(q))
		}
	}
}

func TestQuantileEmpty(t *testing.T) {
	var h histogram
	if got := h.quantile(0.5); got != 0 {
		t.Errorf("empty quantile = %v, want 0", got)
	}
}

func TestBarePageSize(t *testing.T) {
	for _, n := range []int{200, 4096, 50000} {
		if got := len(barePage(n)); got != n {
			t.Errorf("len(barePage(%d)) = %d", n, got)
		}
	}
}

// Each baseline commits real transactions on a file with the portal's
// pragmas, and what it counts is what it wrote.
func TestRawLoopsCommit(t *testing.T) {
	for _, l := range []rawLoop{rawCommitLoop, rawBatchLoop} {
		t.Run(l.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "raw.db")
			res, cpu, err := l.run(t.Context(), path, 10*time.Millisecond, 50*time.Millisecond)
			if err != nil {
				t.Fatal(err)
			}
			r := result{Requests: res.Requests}
			r.setCPU(cpu[0], cpu[1], res.Elapsed)
			if r.CPUMicros <= 0 || r.ClientMicros != 0 {
				t.Errorf("CPU per transaction %.1f µs, client %.1f µs: want the loop's own, and no client's", r.CPUMicros, r.ClientMicros)
			}
			if res.Requests == 0 || res.Hist.n != uint64(res.Requests) || res.Elapsed < 50*time.Millisecond {
				t.Fatalf("%d transactions, %d timed, in %s", res.Requests, res.Hist.n, res.Elapsed)
			}
			db, err := sql.Open("sqlite3", store.WriterDSN(path))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var mode string
			if err := db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
				t.Fatalf("journal mode %q, %v", mode, err)
			}
			table := map[string]string{"raw-commit": "audit", "raw-batch": "events"}[l.name]
			var rows int64
			if err := db.QueryRow(`SELECT count(*) FROM ` + table).Scan(&rows); err != nil {
				t.Fatal(err)
			}
			// The warm-up's transactions are in the file too.
			if rows < res.Requests*int64(l.events) {
				t.Fatalf("%d rows in %s after %d transactions of %d", rows, table, res.Requests, l.events)
			}
		})
	}
}

// The machine's busy time is every core's time but idle and I/O wait, and
// the rest of the machine is what neither the target nor the client used.
func TestCPUFiguresPerRequest(t *testing.T) {
	stat := []byte("cpu  100 5 20 9000 40 1 2 3 0 0\ncpu0 50 2 10 4500 20 0 1 1 0 0\n")
	if got, want := machineBusy(stat), 1310*time.Millisecond; got != want {
		t.Errorf("machineBusy = %v, want %v", got, want)
	}
	r := result{Requests: 1000}
	r.setCPU(cpuMark{target: time.Second, client: time.Second, machine: 2 * time.Second},
		cpuMark{target: 2 * time.Second, client: 1500 * time.Millisecond, machine: 4 * time.Second}, time.Second)
	if r.CPUMicros != 1000 || r.ClientMicros != 500 || r.OtherMicros != 500 || r.BusyCores != 2 {
		t.Errorf("setCPU: target %v µs, client %v µs, other %v µs, %v busy cores; want 1000, 500, 500, 2", r.CPUMicros, r.ClientMicros, r.OtherMicros, r.BusyCores)
	}
}

// A worker's connection reads each whole response off one kept-alive
// connection, sends a request's body, and dials again when the server
// closes the connection after a response.
func TestConnKeepsAliveAndRedialsAfterClose(t *testing.T) {
	var (
		dials  atomic.Int64
		mu     sync.Mutex
		bodies []string
	)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		mu.Unlock()
		if r.URL.Path == "/close" {
			w.Header().Set("Connection", "close")
		}
		w.WriteHeader(http.StatusTeapot)
		w.Write(bytes.Repeat([]byte("x"), 100_000)) // more than one read buffer
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			dials.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()

	var c conn
	defer c.close()
	for i, path := range []string{"/a", "/b", "/close", "/c", "/d"} {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+path, strings.NewReader(path))
		if err != nil {
			t.Fatal(err)
		}
		status, err := c.roundTrip(t.Context(), req)
		if err != nil || status != http.StatusTeapot {
			t.Fatalf("request %d (%s): status %d, %v", i, path, status, err)
		}
	}
	if got := strings.Join(bodies, ","); got != "/a,/b,/close,/c,/d" {
		t.Errorf("server read bodies %s", got)
	}
	if got := dials.Load(); got != 2 {
		t.Errorf("%d connections for 5 requests with one close, want 2", got)
	}
}

// runLoad counts and times every request its workers made, and counts an
// unexpected status as an error.
func TestRunLoadCountsEveryRequest(t *testing.T) {
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	for _, tc := range []struct {
		path   string
		errors bool
	}{{"/", false}, {"/missing", true}} {
		served.Store(0)
		res, err := runLoad(t.Context(), []string{srv.URL}, Scenario{Name: "t", Path: tc.path, Want: http.StatusOK}, 2, 50*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		if res.Requests == 0 || res.Requests != served.Load() || res.Hist.n != uint64(res.Requests) {
			t.Errorf("%s: %d requests counted, %d served, %d timed", tc.path, res.Requests, served.Load(), res.Hist.n)
		}
		if got := res.Errors == res.Requests && strings.Contains(res.FirstErr, "status 404"); got != tc.errors {
			t.Errorf("%s: %d errors of %d requests (%q)", tc.path, res.Errors, res.Requests, res.FirstErr)
		}
		if !tc.errors && res.Errors != 0 {
			t.Errorf("%s: %d errors (%q)", tc.path, res.Errors, res.FirstErr)
		}
	}
}

// A target measured in turns reports its slices as one run: requests,
// time, latencies and CPU added up.
func TestMeasuredAddsUpTurns(t *testing.T) {
	slice := func(requests int64, latency, elapsed time.Duration, errs int64, first string) runResult {
		r := runResult{Requests: requests, Errors: errs, FirstErr: first, Elapsed: elapsed, Hist: new(histogram)}
		for range requests {
			r.Hist.record(latency)
		}
		return r
	}
	var m measured
	m.add(slice(300, time.Millisecond, time.Second, 0, ""), cpuMark{time.Second, time.Second, 5 * time.Second}, cpuMark{2 * time.Second, 1200 * time.Millisecond, 7 * time.Second})
	m.add(slice(100, 9*time.Millisecond, time.Second, 2, "status 500"), cpuMark{3 * time.Second, 2 * time.Second, 9 * time.Second}, cpuMark{3500 * time.Millisecond, 2100 * time.Millisecond, 10 * time.Second})
	if m.res.Requests != 400 || m.res.Errors != 2 || m.res.FirstErr != "status 500" || m.res.Elapsed != 2*time.Second || m.res.Hist.n != 400 {
		t.Fatalf("added up %+v", m.res)
	}
	if p50, p99 := m.res.Hist.quantile(0.5), m.res.Hist.quantile(0.99); math.Abs(float64(p50-time.Millisecond)) > 0.01*float64(time.Millisecond) || p99 < 8*time.Millisecond {
		t.Errorf("p50 %v, p99 %v: want the slices' latencies together", p50, p99)
	}
	r := result{Requests: m.res.Requests}
	r.setCPU(cpuMark{}, m.cpu, m.res.Elapsed)
	if r.CPUMicros != 3750 || r.ClientMicros != 750 || r.BusyCores != 1.5 {
		t.Errorf("per request: target %v µs, client %v µs, %v busy cores; want 3750, 750, 1.5", r.CPUMicros, r.ClientMicros, r.BusyCores)
	}
}
