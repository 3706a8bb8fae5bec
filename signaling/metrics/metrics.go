// Package metrics serves a signaling node's Prometheus metrics in the text
// exposition format: sessions by state, connected agents and consoles, NATS
// health and round-trip time, TURN allocations.
package metrics

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
)

// Source is where the numbers come from; any func may be nil.
type Source struct {
	// Node names this signaling node (label node on every sample).
	Node string
	// Sessions counts the stored sessions by state (cluster-wide).
	Sessions func(context.Context) (map[string]int, error)
	// Connections is the agent and console WebSockets this node holds.
	Connections func() (agents, consoles int)
	// NATS is the node's connection.
	NATS *nats.Conn
	// TURNAllocations is the relays the embedded TURN server holds.
	TURNAllocations func() int
	Logger          *slog.Logger
}

// Handler serves /metrics. Session counts are read from the store at most
// every few seconds, however often Prometheus scrapes.
func Handler(src Source) http.Handler {
	h := &handler{src: src}
	return h
}

type handler struct {
	src Source

	mu       sync.Mutex
	counted  time.Time
	sessions map[string]int
}

const sessionCacheFor = 5 * time.Second

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var b strings.Builder
	node := label("node", h.src.Node)
	gauge := func(name, help string, samples ...string) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name)
		for _, s := range samples {
			b.WriteString(s)
		}
	}
	sample := func(name, labels string, v float64) string {
		return fmt.Sprintf("%s{%s} %g\n", name, labels, v)
	}

	if sessions := h.sessionCounts(r.Context()); sessions != nil {
		states := make([]string, 0, len(sessions))
		for s := range sessions {
			states = append(states, s)
		}
		sort.Strings(states)
		var samples []string
		for _, s := range states {
			samples = append(samples, sample("lifeline_sessions", node+","+label("state", s), float64(sessions[s])))
		}
		gauge("lifeline_sessions", "Stored sessions by state, across the cluster.", samples...)
	}
	if h.src.Connections != nil {
		agents, consoles := h.src.Connections()
		gauge("lifeline_agents_connected", "Agent WebSockets held by this node.", sample("lifeline_agents_connected", node, float64(agents)))
		gauge("lifeline_consoles_connected", "Console WebSockets held by this node.", sample("lifeline_consoles_connected", node, float64(consoles)))
	}
	if nc := h.src.NATS; nc != nil {
		up := 0.0
		if nc.IsConnected() {
			up = 1
		}
		gauge("lifeline_nats_connected", "1 while this node is connected to NATS.", sample("lifeline_nats_connected", node, up))
		if up == 1 {
			if rtt, err := nc.RTT(); err == nil {
				gauge("lifeline_nats_rtt_seconds", "Round-trip time to the NATS server, measured at scrape.", sample("lifeline_nats_rtt_seconds", node, rtt.Seconds()))
			}
		}
		fmt.Fprintf(&b, "# HELP lifeline_nats_reconnects_total Reconnections to NATS since start.\n# TYPE lifeline_nats_reconnects_total counter\n")
		b.WriteString(sample("lifeline_nats_reconnects_total", node, float64(nc.Stats().Reconnects)))
	}
	if h.src.TURNAllocations != nil {
		gauge("lifeline_turn_allocations", "Relays held by this node's embedded TURN server.", sample("lifeline_turn_allocations", node, float64(h.src.TURNAllocations())))
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	_, _ = io.WriteString(w, b.String())
}

// sessionCounts returns the cached counts, refreshed when stale; nil if the
// store cannot be read (the metric is left out rather than reported as zero).
func (h *handler) sessionCounts(ctx context.Context) map[string]int {
	if h.src.Sessions == nil {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.sessions != nil && time.Since(h.counted) < sessionCacheFor {
		return h.sessions
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	counts, err := h.src.Sessions(ctx)
	if err != nil {
		if h.src.Logger != nil {
			h.src.Logger.Warn("metrics: count sessions", "err", err)
		}
		return nil
	}
	h.sessions, h.counted = counts, time.Now()
	return counts
}

// label renders name="value" with the exposition format's escaping.
func label(name, value string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return name + `="` + r.Replace(value) + `"`
}
