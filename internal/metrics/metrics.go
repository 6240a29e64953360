// Package metrics exposes the portal's operating figures in Prometheus's
// format: requests by route pattern and status with their latency, webhook
// events ingested and refused, write transactions retried, and the
// database pools' use. Labels are route patterns, statuses and fixed
// words, never paths, IDs or anything a user typed.
package metrics

import (
	"database/sql"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Database is what the metrics read from the store.
type Database interface {
	// Retries counts write transactions run again after the engine
	// aborted them for a concurrent writer.
	Retries() int64
	// Pools names the database's connection pools and their statistics.
	Pools() map[string]sql.DBStats
}

// Metrics holds the portal's collectors in their own registry.
type Metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	webhooks *prometheus.CounterVec
}

// New registers the collectors, reading db's counts when scraped.
func New(db Database) *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "portal_http_requests_total",
			Help: "HTTP requests served, by route pattern and status.",
		}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "portal_http_request_duration_seconds",
			Help:    "Time to serve an HTTP request, by route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route"}),
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "portal_webhook_events_total",
			Help: "Webhook events received from LINE: stored (new), duplicate (a redelivery or a copy) or refused (the batch was refused or failed).",
		}, []string{"result"}),
	}
	m.registry.MustRegister(m.requests, m.latency, m.webhooks,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "portal_db_transaction_retries_total",
			Help: "Write transactions run again after PostgreSQL aborted them for a concurrent writer (always 0 on SQLite).",
		}, func() float64 { return float64(db.Retries()) }),
		poolCollector{db},
	)
	return m
}

// Handler serves the metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

// Request counts one request served by route (a pattern, or "(none)").
func (m *Metrics) Request(route string, status int, elapsed time.Duration) {
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route).Observe(elapsed.Seconds())
}

// WebhookEvents counts one webhook batch's events.
func (m *Metrics) WebhookEvents(stored, duplicates, refused int) {
	m.webhooks.WithLabelValues("stored").Add(float64(stored))
	m.webhooks.WithLabelValues("duplicate").Add(float64(duplicates))
	m.webhooks.WithLabelValues("refused").Add(float64(refused))
}

// poolCollector reads the pools' statistics when scraped.
type poolCollector struct{ db Database }

var (
	poolOpen    = prometheus.NewDesc("portal_db_connections_open", "Open connections of the pool.", []string{"pool"}, nil)
	poolInUse   = prometheus.NewDesc("portal_db_connections_in_use", "Connections of the pool in use.", []string{"pool"}, nil)
	poolMax     = prometheus.NewDesc("portal_db_connections_max", "Most connections the pool opens.", []string{"pool"}, nil)
	poolWaits   = prometheus.NewDesc("portal_db_connection_waits_total", "Times a caller waited for a connection of the pool.", []string{"pool"}, nil)
	poolWaiting = prometheus.NewDesc("portal_db_connection_wait_seconds_total", "Time callers waited for a connection of the pool.", []string{"pool"}, nil)
)

func (poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{poolOpen, poolInUse, poolMax, poolWaits, poolWaiting} {
		ch <- d
	}
}

func (c poolCollector) Collect(ch chan<- prometheus.Metric) {
	for name, s := range c.db.Pools() {
		ch <- prometheus.MustNewConstMetric(poolOpen, prometheus.GaugeValue, float64(s.OpenConnections), name)
		ch <- prometheus.MustNewConstMetric(poolInUse, prometheus.GaugeValue, float64(s.InUse), name)
		ch <- prometheus.MustNewConstMetric(poolMax, prometheus.GaugeValue, float64(s.MaxOpenConnections), name)
		ch <- prometheus.MustNewConstMetric(poolWaits, prometheus.CounterValue, float64(s.WaitCount), name)
		ch <- prometheus.MustNewConstMetric(poolWaiting, prometheus.CounterValue, s.WaitDuration.Seconds(), name)
	}
}
