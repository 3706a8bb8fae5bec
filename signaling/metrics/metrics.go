// Package metrics serves a signaling node's Prometheus metrics with
// prometheus/client_golang: sessions by state, connected agents and consoles,
// NATS health and round-trip time, TURN allocations, how long the node takes
// to handle a signaling message and to connect a session's peers, and the Go
// runtime's and the process's own metrics.
package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Source is where the node's gauges come from; any func may be nil.
type Source struct {
	// Sessions counts the stored sessions by state (cluster-wide).
	Sessions func(context.Context) (map[string]int, error)
	// Connections is the agent and console WebSockets this node holds.
	Connections func() (agents, consoles int)
	// NATS is the node's connection.
	NATS *nats.Conn
	// TURNAllocations is the relays the embedded TURN server holds.
	TURNAllocations func() int
}

// Metrics is one node's registry. A nil *Metrics observes nothing, so code
// that measures need not know whether metrics are served.
type Metrics struct {
	reg      *prometheus.Registry
	node     prometheus.Labels
	log      *slog.Logger
	handling *prometheus.HistogramVec
	connect  prometheus.Histogram
}

// New returns the registry of the node named node, with the Go runtime's and
// the process's collectors and the node's histograms; Watch adds its gauges.
func New(node string, log *slog.Logger) *Metrics {
	if log == nil {
		log = slog.Default()
	}
	m := &Metrics{reg: prometheus.NewRegistry(), node: prometheus.Labels{"node": node}, log: log}
	m.handling = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:        "lifeline_signaling_handle_seconds",
		Help:        "Time this node took to check and carry out one message from an agent or a console (side), store and NATS included.",
		ConstLabels: m.node,
		Buckets:     []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"side"})
	m.connect = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:        "lifeline_connect_seconds",
		Help:        "From a console's offer handed to the customer's agent to the agent's answer, measured on the agent's node.",
		ConstLabels: m.node,
		Buckets:     []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	})
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.handling, m.connect,
	)
	return m
}

// Watch adds the gauges read from src at each scrape.
func (m *Metrics) Watch(src Source) {
	m.reg.MustRegister(&gauges{src: src, node: m.node, log: m.log})
}

// Handler serves the registry (/metrics).
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(m.log.Handler(), slog.LevelWarn)})
}

// Handled records how long one message from side ("agent" or "console") took.
func (m *Metrics) Handled(side string, d time.Duration) {
	if m != nil {
		m.handling.WithLabelValues(side).Observe(d.Seconds())
	}
}

// Connected records an offer-to-answer time.
func (m *Metrics) Connected(d time.Duration) {
	if m != nil {
		m.connect.Observe(d.Seconds())
	}
}

// gauges is the collector of the node's state, read when scraped. Session
// counts are read from the store at most every few seconds, however often
// Prometheus scrapes.
type gauges struct {
	src  Source
	node prometheus.Labels
	log  *slog.Logger

	mu       sync.Mutex
	counted  time.Time
	sessions map[string]int
}

const sessionCacheFor = 5 * time.Second

func (g *gauges) desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(name, help, labels, g.node)
}

// Describe sends nothing: the session states present vary, so the collector
// is unchecked.
func (g *gauges) Describe(chan<- *prometheus.Desc) {}

func (g *gauges) Collect(ch chan<- prometheus.Metric) {
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	if sessions := g.sessionCounts(); sessions != nil {
		d := g.desc("lifeline_sessions", "Stored sessions by state, across the cluster.", "state")
		for state, n := range sessions {
			gauge(d, float64(n), state)
		}
	}
	if g.src.Connections != nil {
		agents, consoles := g.src.Connections()
		gauge(g.desc("lifeline_agents_connected", "Agent WebSockets held by this node."), float64(agents))
		gauge(g.desc("lifeline_consoles_connected", "Console WebSockets held by this node."), float64(consoles))
	}
	if nc := g.src.NATS; nc != nil {
		up := 0.0
		if nc.IsConnected() {
			up = 1
		}
		gauge(g.desc("lifeline_nats_connected", "1 while this node is connected to NATS."), up)
		if up == 1 {
			if rtt, err := nc.RTT(); err == nil {
				gauge(g.desc("lifeline_nats_rtt_seconds", "Round-trip time to the NATS server, measured at scrape."), rtt.Seconds())
			}
		}
		ch <- prometheus.MustNewConstMetric(g.desc("lifeline_nats_reconnects_total", "Reconnections to NATS since start."),
			prometheus.CounterValue, float64(nc.Stats().Reconnects))
	}
	if g.src.TURNAllocations != nil {
		gauge(g.desc("lifeline_turn_allocations", "Relays held by this node's embedded TURN server."), float64(g.src.TURNAllocations()))
	}
}

// sessionCounts returns the cached counts, refreshed when stale; nil if the
// store cannot be read (the metric is left out rather than reported as zero).
func (g *gauges) sessionCounts() map[string]int {
	if g.src.Sessions == nil {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.sessions != nil && time.Since(g.counted) < sessionCacheFor {
		return g.sessions
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	counts, err := g.src.Sessions(ctx)
	if err != nil {
		g.log.Warn("metrics: count sessions", "err", err)
		return nil
	}
	g.sessions, g.counted = counts, time.Now()
	return counts
}
