package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// checkLoopback refuses a diagnostics address anyone else could reach:
// profiles show request data in memory and cost CPU to take.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q is not host:port", addr)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%q is not a loopback address (use 127.0.0.1:PORT)", addr)
	}
	return nil
}

// startDiagnostics serves Go's profiles (/debug/pprof/) and the database's
// counts (/debug/store, store.Stats as JSON) on their own loopback
// listener, never on the portal's.
func (m *Main) startDiagnostics() error {
	ln, err := net.Listen("tcp", m.Config.Pprof)
	if err != nil {
		return fmt.Errorf("listening on %s for pprof: %w", m.Config.Pprof, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("GET /debug/store", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(m.DB.Stats())
	})
	m.PprofURL = "http://" + ln.Addr().String()
	// No write timeout: a CPU profile streams for as long as it was asked.
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	m.servers = append(m.servers, hs)
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.log.Error("pprof server stopped", "error", err)
		}
	}()
	m.log.Info("pprof listening", "url", m.PprofURL+"/debug/pprof/")
	return nil
}
