package main

import (
	"fmt"
	"net"
	"strings"

	"lineportal/internal/metrics"
)

// metricsListenAddr is where the metrics listener binds: an address
// without a host (":9464") means loopback, not every interface, so that
// exposing the metrics beyond the machine is a choice someone makes.
func metricsListenAddr(addr string) string {
	if strings.HasPrefix(addr, ":") {
		return "127.0.0.1" + addr
	}
	return addr
}

// startMetrics serves the Prometheus metrics (GET /metrics) on their own
// listener, never on the portal's.
func (m *Main) startMetrics(mt *metrics.Metrics) error {
	addr := metricsListenAddr(m.Config.MetricsAddr)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listening on %s for metrics: %w", addr, err)
	}
	m.MetricsURL = "http://" + ln.Addr().String()
	m.serve(ln, mt.Handler())
	m.log.Info("metrics listening", "url", m.MetricsURL+"/metrics")
	return nil
}
