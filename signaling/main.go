// Command signaling is the Lifeline server: console and join pages, agent
// downloads, and the WebSocket hubs that introduce technicians to customers.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/signaling/server"
)

func main() {
	cfg := server.Config{}
	var stun string
	flag.StringVar(&cfg.Addr, "addr", env("LIFELINE_ADDR", ":8080"), "HTTP listen address")
	flag.StringVar(&cfg.PublicURL, "public-url", env("LIFELINE_PUBLIC_URL", ""), "URL customers and technicians use to reach this server (default http://<addr>)")
	flag.StringVar(&cfg.DataDir, "data", env("LIFELINE_DATA", "./data"), "data directory (embedded NATS store, agent builds)")
	flag.StringVar(&cfg.AgentDir, "agent-dir", env("LIFELINE_AGENT_DIR", ""), "directory of agent builds to offer (default <data>/agents)")
	flag.StringVar(&cfg.NATSURL, "nats-url", env("LIFELINE_NATS_URL", ""), "external NATS URL; empty starts an embedded server")
	flag.IntVar(&cfg.Replicas, "replicas", 1, "JetStream replicas for the buckets (3 in a cluster)")
	flag.StringVar(&cfg.NodeName, "node", env("LIFELINE_NODE", ""), "name of this node")
	flag.StringVar(&cfg.OrgName, "org", env("LIFELINE_ORG", "Lifeline"), "organisation name shown to customers")
	flag.StringVar(&stun, "stun", env("LIFELINE_STUN", ""), "comma-separated STUN URLs handed to peers")
	flag.BoolVar(&cfg.SecureCookies, "secure-cookies", false, "mark cookies Secure (when served over TLS)")
	flag.Parse()
	cfg.AdminPassword = os.Getenv("LIFELINE_ADMIN_PASSWORD")
	if stun != "" {
		cfg.ICEServers = []webrtc.ICEServer{{URLs: strings.Split(stun, ",")}}
	}
	cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := server.Run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "signaling:", err)
		os.Exit(1)
	}
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
