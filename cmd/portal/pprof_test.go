package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// Off by default; when asked for, the profiles and the database's counts
// are served on their own loopback listener, not on the portal's.
func TestPprofListener(t *testing.T) {
	if m := startPortal(t, nil); m.PprofURL != "" {
		t.Fatalf("pprof is on without being asked for: %s", m.PprofURL)
	}
	m := startPortal(t, map[string]string{"PORTAL_PPROF": "127.0.0.1:0"})
	if !strings.HasPrefix(m.PprofURL, "http://127.0.0.1:") {
		t.Fatalf("pprof URL %q", m.PprofURL)
	}
	get := func(url string) (int, []byte) {
		t.Helper()
		res, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, body
	}
	if status, body := get(m.PprofURL + "/debug/pprof/goroutine?debug=1"); status != http.StatusOK || !strings.Contains(string(body), "goroutine profile") {
		t.Fatalf("goroutine profile: %d %.200s", status, body)
	}
	if status, _ := get(m.URL + "/debug/pprof/"); status == http.StatusOK {
		t.Fatal("the portal's own listener serves profiles")
	}
	get(m.URL + "/healthz") // one read at least
	status, body := get(m.PprofURL + "/debug/store")
	var stats struct {
		Tx     int64 `json:"transactions"`
		Reads  int64 `json:"read_statements"`
		Writes int64 `json:"write_statements"`
	}
	if err := json.Unmarshal(body, &stats); status != http.StatusOK || err != nil {
		t.Fatalf("/debug/store: %d %v %s", status, err, body)
	}
	// Starting migrated and seeded the database; healthz read it.
	if stats.Tx == 0 || stats.Writes == 0 || stats.Reads == 0 {
		t.Fatalf("counts after start and a health check: %s", body)
	}
}
