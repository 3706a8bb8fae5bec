// Command signaling is the Lifeline server: console and join pages, agent
// downloads, and the WebSocket hubs that introduce technicians to customers.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/shared/session"
	"github.com/lifeline-support/lifeline/signaling/server"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "rotate-org-key" {
		os.Exit(rotateOrgKey(os.Args[2:]))
	}
	cfg := server.Config{}
	var stun, turnURLs, relayIP, relayPorts, allowPeers, logFormat, logLevel, agentURLs string
	flag.StringVar(&cfg.Addr, "addr", env("LIFELINE_ADDR", "127.0.0.1:8080"), "listen address (plain HTTP only on loopback: see --tls-cert, --acme-host, --insecure-http)")
	flag.StringVar(&cfg.PublicURL, "public-url", env("LIFELINE_PUBLIC_URL", ""), "URL customers and technicians use to reach this server (default http://<addr>)")
	flag.StringVar(&cfg.DataDir, "data", env("LIFELINE_DATA", "./data"), "data directory (embedded NATS store, agent builds)")
	flag.StringVar(&cfg.OrgKeyFile, "org-key", env("LIFELINE_ORG_KEY", ""), "organisation signing key file, made at first run (default <data>/org-key.json; the same file on every node)")
	flag.StringVar(&cfg.AgentDir, "agent-dir", env("LIFELINE_AGENT_DIR", ""), "directory of agent builds to offer (default <data>/agents)")
	flag.StringVar(&cfg.NATSURL, "nats-url", env("LIFELINE_NATS_URL", ""), "external NATS URL; empty starts an embedded server")
	flag.IntVar(&cfg.Replicas, "replicas", envInt("LIFELINE_REPLICAS", 1), "JetStream replicas for the buckets and streams (1 embedded, 3 in a cluster)")
	flag.DurationVar(&cfg.AuditMaxAge, "audit-max-age", 0, "how long audit events are kept (default 9600h: 400 days)")
	flag.Int64Var(&cfg.AuditMaxBytes, "audit-max-bytes", 0, "bound of the audit trail in bytes; past it the oldest events go first (default 8 GiB)")
	flag.StringVar(&cfg.NodeName, "node", env("LIFELINE_NODE", ""), "name of this node")
	flag.StringVar(&cfg.OrgName, "org", env("LIFELINE_ORG", "Lifeline"), "organisation name shown to customers")
	flag.StringVar(&stun, "stun", env("LIFELINE_STUN", ""), "comma-separated STUN URLs handed to peers")
	flag.StringVar(&cfg.TURN.Listen, "turn-listen", env("LIFELINE_TURN_LISTEN", ":3478"), "UDP and TCP address of the embedded TURN/STUN server; empty disables it")
	flag.StringVar(&cfg.TURN.TLSListen, "turn-tls-listen", env("LIFELINE_TURN_TLS_LISTEN", ""), "address of TURN over TLS, e.g. 203.0.113.7:443 (needs --turn-cert and --turn-key)")
	flag.StringVar(&cfg.TURN.CertFile, "turn-cert", env("LIFELINE_TURN_CERT", ""), "TLS certificate (PEM) of the TURN server")
	flag.StringVar(&cfg.TURN.KeyFile, "turn-key", env("LIFELINE_TURN_KEY", ""), "TLS key (PEM) of the TURN server")
	flag.StringVar(&cfg.TURN.Host, "turn-host", env("LIFELINE_TURN_HOST", ""), "host name in the TURN URLs handed to peers (default: host of --public-url)")
	flag.StringVar(&relayIP, "turn-relay-ip", env("LIFELINE_TURN_RELAY_IP", ""), "public IPv4 address of the TURN relays (default: --turn-host resolved)")
	flag.StringVar(&relayPorts, "turn-relay-ports", env("LIFELINE_TURN_RELAY_PORTS", ""), "UDP port range of TURN relays, e.g. 49152-65535 (default: any free port)")
	flag.StringVar(&turnURLs, "turn-url", env("LIFELINE_TURN_URLS", ""), "comma-separated external TURN URLs sharing --turn-secret, e.g. turn:turn.example.com:3478?transport=udp")
	flag.StringVar(&cfg.TURN.Secret, "turn-secret", env("LIFELINE_TURN_SECRET", ""), "TURN REST shared secret (default: kept in <data>/turn-secret; set the same on every node)")
	flag.DurationVar(&cfg.TURN.TTL, "turn-ttl", 0, "how long TURN credentials may make new relays (default 1h); the embedded server also ends them with their session")
	flag.StringVar(&allowPeers, "turn-allow-peer", env("LIFELINE_TURN_ALLOW_PEERS", ""), "comma-separated CIDRs of non-public addresses TURN relays may reach anyway, e.g. 10.20.0.0/16 (default: public addresses only)")
	flag.BoolVar(&cfg.TURN.TCPRelay, "turn-tcp-relay", false, "offer RFC 6062 TCP relays (the server opening TCP connections to peers); WebRTC does not need them")
	flag.StringVar(&agentURLs, "agent-urls", env("LIFELINE_AGENT_URLS", ""), "comma-separated signaling URLs (each node) agents may resume through when theirs fails")
	flag.StringVar(&cfg.MetricsAddr, "metrics-addr", env("LIFELINE_METRICS_ADDR", ""), "serve Prometheus metrics at /metrics on this (private) address, e.g. 127.0.0.1:9090")
	flag.StringVar(&logFormat, "log-format", env("LIFELINE_LOG_FORMAT", "text"), "log format: text or json")
	flag.StringVar(&logLevel, "log-level", env("LIFELINE_LOG_LEVEL", "info"), "log level: debug, info, warn, error")
	timeouts := session.DefaultTimeouts()
	flag.DurationVar(&timeouts.Invitation, "invitation-timeout", timeouts.Invitation, "a session whose invitation is never used times out after this (0: never)")
	flag.DurationVar(&timeouts.Waiting, "waiting-timeout", timeouts.Waiting, "a waiting session nobody starts times out after this (0: never)")
	flag.DurationVar(&timeouts.Offline, "offline-after", timeouts.Offline, "a customer reconnecting this long shows Offline (the agent keeps trying)")
	flag.Func("reboot-wait", fmt.Sprintf("a session whose customer's computer restarts ends if the program is not back after this; more than 0 (default %v)", timeouts.Rebooting), positiveDuration(&timeouts.Rebooting))
	flag.DurationVar(&timeouts.Idle, "idle-timeout", timeouts.Idle, "an active or held session unchanged this long times out (0: no limit)")
	flag.IntVar(&cfg.MaxPendingAgents, "agent-pending-max", 0, "agent sockets this node holds before their hello (default 1000)")
	flag.IntVar(&cfg.MaxPendingAgentsPerAddress, "agent-pending-per-address", 0, "agent sockets one address may hold before their hello (default 16; raise it behind a proxy)")
	flag.IntVar(&cfg.BusyAt, "busy-at", 0, "sessions at which a technician shows busy and takes no transfers (default 10)")
	cfg.Timeouts = &timeouts
	flag.BoolVar(&cfg.SecureCookies, "secure-cookies", false, "mark cookies Secure (automatic with TLS or an https --public-url)")
	var acmeHosts string
	flag.StringVar(&cfg.TLS.CertFile, "tls-cert", env("LIFELINE_TLS_CERT", ""), "serve HTTPS with this certificate chain (PEM)")
	flag.StringVar(&cfg.TLS.KeyFile, "tls-key", env("LIFELINE_TLS_KEY", ""), "key (PEM) of --tls-cert")
	flag.StringVar(&acmeHosts, "acme-host", env("LIFELINE_ACME_HOSTS", ""), "comma-separated public host names to get Let's Encrypt certificates for (listen on :443)")
	flag.StringVar(&cfg.TLS.ACMEEmail, "acme-email", env("LIFELINE_ACME_EMAIL", ""), "contact email for Let's Encrypt")
	flag.BoolVar(&cfg.TLS.InsecureHTTP, "insecure-http", false, "allow plain HTTP on a non-loopback address (only behind a proxy that terminates TLS)")
	if err := addProxies(&cfg.TrustedProxies, os.Getenv("LIFELINE_TRUSTED_PROXIES")); err != nil {
		fail("LIFELINE_TRUSTED_PROXIES", err)
	}
	flag.Func("trusted-proxy", "CIDR or address of a proxy whose Forwarded (or X-Forwarded-For) header names the client; repeatable (env LIFELINE_TRUSTED_PROXIES, comma-separated)", func(s string) error {
		return addProxies(&cfg.TrustedProxies, s)
	})
	flag.Parse()
	cfg.AdminPassword = os.Getenv("LIFELINE_ADMIN_PASSWORD")
	if agentURLs != "" {
		cfg.AgentURLs = strings.Split(agentURLs, ",")
	}
	if acmeHosts != "" {
		cfg.TLS.ACMEHosts = strings.Split(acmeHosts, ",")
	}
	if turnURLs != "" {
		cfg.TURN.External = strings.Split(turnURLs, ",")
	}
	var err error
	if cfg.TURN.MinPort, cfg.TURN.MaxPort, err = portRange(relayPorts); err != nil {
		fail("--turn-relay-ports", err)
	}
	if cfg.TURN.RelayIP, err = optionalIP(relayIP); err != nil {
		fail("--turn-relay-ip", err)
	}
	if cfg.TURN.AllowPeers, err = cidrs(allowPeers); err != nil {
		fail("--turn-allow-peer", err)
	}
	if stun != "" {
		cfg.ICEServers = []webrtc.ICEServer{{URLs: strings.Split(stun, ",")}}
	}
	if cfg.Logger, err = newLogger(logFormat, logLevel); err != nil {
		fail("--log-format/--log-level", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := server.Run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "signaling:", err)
		os.Exit(1)
	}
}
