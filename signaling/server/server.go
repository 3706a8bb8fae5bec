// Package server assembles a signaling node: NATS, the store, logins,
// invitations, the WebSocket hub and the web pages, behind one HTTP server.
package server

import (
	"context"
	"errors"
	"fmt"
	"github.com/lifeline-support/lifeline/console-web/computers"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/console-web/account"
	"github.com/lifeline-support/lifeline/console-web/admin"
	"github.com/lifeline-support/lifeline/console-web/canned"
	"github.com/lifeline-support/lifeline/console-web/help"
	"github.com/lifeline-support/lifeline/console-web/identity"
	"github.com/lifeline-support/lifeline/console-web/instant"
	"github.com/lifeline-support/lifeline/console-web/join"
	"github.com/lifeline-support/lifeline/console-web/login"
	"github.com/lifeline-support/lifeline/console-web/notes"
	"github.com/lifeline-support/lifeline/console-web/queue"
	"github.com/lifeline-support/lifeline/console-web/reports"
	"github.com/lifeline-support/lifeline/console-web/sessionlog"
	consolesessions "github.com/lifeline-support/lifeline/console-web/sessions"
	"github.com/lifeline-support/lifeline/console-web/static"
	"github.com/lifeline-support/lifeline/console-web/survey"
	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/shared/session"
	"github.com/lifeline-support/lifeline/signaling/audit"
	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/hub"
	"github.com/lifeline-support/lifeline/signaling/invite"
	"github.com/lifeline-support/lifeline/signaling/metrics"
	"github.com/lifeline-support/lifeline/signaling/natsnode"
	"github.com/lifeline-support/lifeline/signaling/orgkey"
	"github.com/lifeline-support/lifeline/signaling/sessions"
	"github.com/lifeline-support/lifeline/signaling/store"
	"github.com/lifeline-support/lifeline/signaling/turn"
)

// Config is everything a signaling node is told at start.
type Config struct {
	// Addr is the HTTP listen address, e.g. ":8080" or "127.0.0.1:0".
	Addr string
	// PublicURL is how customers and technicians reach this server; it goes into
	// invitation links and agent downloads. Empty means http://<listen address>.
	PublicURL string
	// DataDir holds the embedded NATS store.
	DataDir string
	// AgentDir holds the agent builds offered for download; default DataDir/agents.
	AgentDir string
	// OrgKeyFile holds the organisation's signing key (signaling/orgkey),
	// made at first run; default DataDir/org-key.json. Every node of a
	// deployment needs the same file.
	OrgKeyFile string
	// NATSURL names an external NATS server or cluster; empty embeds one.
	NATSURL string
	// Replicas is the JetStream replication factor for the buckets.
	Replicas int
	// AuditMaxAge is how long audit events are kept (0: audit.DefaultMaxAge).
	AuditMaxAge time.Duration
	// AuditMaxBytes bounds the audit trail's size; past it the oldest events
	// go first (0: audit.DefaultMaxBytes).
	AuditMaxBytes int64
	// NodeName identifies this node.
	NodeName string
	// OrgName is shown to customers.
	OrgName string
	// AdminPassword sets the first admin's password; empty generates one.
	AdminPassword string
	// ICEServers are handed to both peers; empty means host candidates only.
	ICEServers []webrtc.ICEServer
	// TURN configures the embedded TURN server and the external TURN URLs. With
	// neither TURN.Listen nor TURN.External set, peers get ICEServers only.
	// Unset Host, RelayIP and Secret default to the public URL's host, its
	// address, and a secret kept in DataDir/turn-secret.
	TURN turn.Config
	// AgentURLs are the signaling URLs (every node, or load balancers) agents
	// may resume through when theirs is unreachable.
	AgentURLs []string
	// MetricsAddr serves Prometheus metrics at /metrics on this address
	// (e.g. 127.0.0.1:9090); empty serves none.
	MetricsAddr string
	// Timeouts are the session time limits; nil means session.DefaultTimeouts.
	Timeouts *session.Timeouts
	// BusyAt is the number of sessions a technician works on at which they show
	// busy and take no transfers; 0 means sessions.DefaultBusyAt.
	BusyAt int
	// MaxPendingAgents and MaxPendingAgentsPerAddress bound the agent sockets
	// that have not said hello yet, in all and from one address; 0 means
	// hub.DefaultMaxPending and hub.DefaultMaxPendingPerAddress.
	MaxPendingAgents, MaxPendingAgentsPerAddress int
	// SecureCookies marks cookies Secure (set behind TLS); TLS here or an
	// https PublicURL sets it too.
	SecureCookies bool
	// TrustedProxies are the peers (the TLS-terminating proxy) whose
	// X-Forwarded-For or Forwarded header names the client; from others the
	// headers are ignored.
	TrustedProxies auth.Proxies
	// HTTP bounds requests: timeouts, header and body sizes; zero values
	// take the defaults of DefaultHTTP.
	HTTP HTTPConfig
	// TLS says how to serve HTTPS; plain HTTP is only for loopback unless
	// TLS.InsecureHTTP.
	TLS    TLSConfig
	Logger *slog.Logger
	// Out receives the one-time admin login and the listening address.
	Out io.Writer
}

// Run serves until ctx ends, then shuts down within a few seconds.
func Run(ctx context.Context, cfg Config) error {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	if cfg.Out == nil {
		cfg.Out = os.Stdout
	}
	if cfg.NodeName == "" {
		h, _ := os.Hostname()
		cfg.NodeName = "lifeline-" + h
	}
	if cfg.OrgName == "" {
		cfg.OrgName = "Lifeline"
	}
	if cfg.AgentDir == "" {
		cfg.AgentDir = filepath.Join(cfg.DataDir, "agents")
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	if cfg.OrgKeyFile == "" {
		cfg.OrgKeyFile = filepath.Join(cfg.DataDir, orgkey.FileName)
	}
	orgKeys, err := orgkey.Load(cfg.OrgKeyFile)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return listenError("HTTP", cfg.Addr, "--addr", err)
	}
	defer ln.Close()
	if err := checkPorts(cfg); err != nil {
		return err
	}
	tlsCfg, err := tlsFor(cfg, ln)
	if err != nil {
		return err
	}
	if cfg.PublicURL == "" {
		scheme := "http://"
		if tlsCfg != nil {
			scheme = "https://"
		}
		cfg.PublicURL = scheme + displayAddr(ln.Addr())
	}
	if tlsCfg != nil || secureURL(cfg.PublicURL) {
		cfg.SecureCookies = true
	}

	node, err := natsnode.Start(natsnode.Config{URL: cfg.NATSURL, StoreDir: filepath.Join(cfg.DataDir, "nats"), Name: cfg.NodeName, Logger: log})
	if err != nil {
		return err
	}
	defer node.Close()

	inv := invite.Defaults()
	// Logins last what the settings say (at most a week); the bucket keeps them that long.
	st, err := store.Open(ctx, node.Conn, store.Config{Replicas: cfg.Replicas, LoginTTL: 7 * 24 * time.Hour, InviteTTL: inv.LinkTTL, PINTTL: inv.PINTTL, Logger: log})
	if err != nil {
		return err
	}
	trail, err := audit.Open(ctx, node.Conn, audit.Config{Replicas: cfg.Replicas, MaxAge: cfg.AuditMaxAge, MaxBytes: cfg.AuditMaxBytes, Logger: log})
	if err != nil {
		return err
	}
	defer trail.Close()
	au := auth.New(auth.Config{Secure: cfg.SecureCookies, Defaults: store.DefaultSettings(cfg.OrgName), Audit: trail, Logger: log}, st)
	inv.Logger = log
	invites := invite.New(inv, st)
	svc := sessions.New(sessions.Config{NC: node.Conn, Store: st, Invites: invites, Auth: au, Audit: trail, Logger: log, Timeouts: cfg.Timeouts, BusyAt: cfg.BusyAt, Certifier: orgKeys})
	defer svc.Close()
	if err := svc.DevicesOffOn(ctx, cfg.NodeName); err != nil {
		log.Warn("devices of this node's last run left online", "err", err)
	}
	hcfg := hub.Config{NC: node.Conn, Sessions: svc, Auth: au, Logger: log, ICEServers: cfg.ICEServers, Node: cfg.NodeName,
		MaxPending: cfg.MaxPendingAgents, MaxPendingPerAddress: cfg.MaxPendingAgentsPerAddress}
	hcfg.AgentURLs = cfg.AgentURLs
	var relay *turn.Server
	if cfg.TURN.Listen != "" || len(cfg.TURN.External) > 0 {
		relay, err = startTURN(cfg, st, log)
		if err != nil {
			return err
		}
		defer relay.Close()
		hcfg.SessionICE = func(sid string) []webrtc.ICEServer {
			return append(append([]webrtc.ICEServer(nil), cfg.ICEServers...), relay.ICEServers(sid)...)
		}
	}
	var met *metrics.Metrics
	if cfg.MetricsAddr != "" {
		met = metrics.New(cfg.NodeName, log)
		hcfg.Metrics = met
	}
	h := hub.New(hcfg)
	defer h.Close()

	mux := http.NewServeMux()
	(&login.Handler{Auth: au, Logger: log}).Register(mux)
	(&computers.Handler{Auth: au, Sessions: svc, Groups: st, Logger: log}).Register(mux)
	(&consolesessions.Handler{Auth: au, Sessions: svc, Fields: st, Scripts: st, Channels: st, PublicURL: cfg.PublicURL, Logger: log, Externals: svc, PINs: invites}).Register(mux)
	(&admin.Handler{Auth: au, Store: st, Audit: trail, OrgKey: orgKeys, PublicURL: cfg.PublicURL, Logger: log}).Register(mux)
	(&account.Handler{Auth: au, Logger: log}).Register(mux)
	(&notes.Handler{Auth: au, Sessions: svc, Notes: st, Surveys: st, Logger: log}).Register(mux)
	(&survey.Handler{Auth: au, Sessions: svc, Logger: log}).Register(mux)
	(&queue.Handler{Auth: au, Store: st, Logger: log, BusyAt: svc.BusyAt(), MaxTabs: sessions.MaxActive, Sessions: svc}).Register(mux)
	(&canned.Handler{Auth: au, Store: st, Logger: log}).Register(mux)
	(&reports.Handler{Auth: au, Store: st, Audit: trail, Logger: log}).Register(mux)
	(&sessionlog.Handler{Auth: au, Sessions: svc, Logs: st, Logger: log}).Register(mux)
	(&join.Handler{Invites: invites, Store: st, PublicURL: cfg.PublicURL, Settings: au.Settings, AgentDir: cfg.AgentDir, Keys: orgKeys, Logger: log}).Register(mux)
	(&identity.Handler{Auth: au, Keys: orgKeys, Logger: log, Externals: svc}).Register(mux)
	(&help.Handler{Channels: svc, Settings: au.Settings, Logger: log}).Register(mux)
	(&instant.Handler{Invites: invites, Sessions: st, Handovers: svc, Settings: au.Settings, Logger: log}).Register(mux)
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static.FS)))
	mux.HandleFunc("GET /static/"+i18n.ScriptName, i18n.Script)
	// Browsers ask every site for /favicon.ico, whatever the page links.
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFileFS(w, r, static.FS, "favicon.ico")
	})
	mux.HandleFunc("GET /ws/agent", h.Agent)
	mux.HandleFunc("GET /ws/device", h.Device)
	mux.HandleFunc("GET /ws/console", h.Console)
	mux.HandleFunc("GET /ws/external", h.External)
	var stopping atomic.Bool
	health(mux, node.Conn, st, node.Storage, &stopping)
	if met != nil {
		src := metrics.Source{Sessions: st.SessionCounts, Connections: h.Connections, NATS: node.Conn}
		if relay != nil {
			src.TURNAllocations = relay.Allocations
		}
		met.Watch(src)
		stop, err := serveMetrics(cfg, met.Handler(), log)
		if err != nil {
			return err
		}
		defer stop()
	}
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/console", http.StatusSeeOther)
	})

	// The first run's admin is created once everything listens: a start that
	// fails leaves no account whose password nobody saw.
	if pw, err := au.EnsureAdmin(ctx, "Administrator", cfg.AdminPassword); err != nil {
		return fmt.Errorf("create admin account: %w", err)
	} else if pw != "" {
		fmt.Fprintf(cfg.Out, "First run: created the technician account\n  username: admin\n  password: %s\nThis password is shown only once.\n", pw)
	}

	hc := cfg.HTTP.withDefaults()
	srv := hc.server(cfg.TrustedProxies.Handler(hc.downloads(securityHeaders(storageGate(mux, node.Storage), tlsCfg != nil || secureURL(cfg.PublicURL)))))
	srv.TLSConfig = tlsCfg
	srv.ErrorLog = slog.NewLogLogger(log.Handler(), slog.LevelWarn)
	errc := make(chan error, 1)
	go func() {
		if tlsCfg != nil {
			errc <- srv.ServeTLS(ln, "", "")
			return
		}
		errc <- srv.Serve(ln)
	}()
	fmt.Fprintf(cfg.Out, "Lifeline is listening on %s\n", cfg.PublicURL)
	log.Info("listening", "addr", ln.Addr().String(), "public", cfg.PublicURL, "node", cfg.NodeName)

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	stopping.Store(true) // not ready: load balancers stop sending new sockets
	h.Close()            // end WebSockets first: Shutdown does not wait for hijacked connections
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

// health serves /healthz (the process answers) and /readyz (this node can
// serve: NATS connected, JetStream writing and answering, not shutting down).
func health(mux *http.ServeMux, nc *nats.Conn, st *store.Store, storage func() error, stopping *atomic.Bool) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		switch {
		case stopping.Load():
			http.Error(w, "shutting down", http.StatusServiceUnavailable)
			return
		case !nc.IsConnected():
			http.Error(w, "nats not connected", http.StatusServiceUnavailable)
			return
		}
		if err := storage(); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := st.Ping(ctx); err != nil {
			http.Error(w, "jetstream not answering: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
}

// serveMetrics serves /metrics on its own address (keep it private) and
// returns the function that stops it.
func serveMetrics(cfg Config, h http.Handler, log *slog.Logger) (func(), error) {
	ln, err := net.Listen("tcp", cfg.MetricsAddr)
	if err != nil {
		return nil, fmt.Errorf("metrics listen on %s: %w", cfg.MetricsAddr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	// Go's profiles, for whoever can reach this private address: where a
	// busy node spends its CPU (/debug/pprof/profile?seconds=10).
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	fmt.Fprintf(cfg.Out, "Metrics on http://%s/metrics\n", displayAddr(ln.Addr()))
	log.Info("metrics listening", "addr", ln.Addr().String())
	return func() {
		_ = srv.Close()
		<-done
	}, nil
}

// startTURN fills the TURN defaults from the rest of the configuration and starts it.
// Its credentials work only while their session is open in st.
func startTURN(cfg Config, st *store.Store, log *slog.Logger) (*turn.Server, error) {
	tc := cfg.TURN
	tc.Logger = log
	tc.Sessions = st
	if tc.Host == "" {
		u, err := url.Parse(cfg.PublicURL)
		if err != nil {
			return nil, fmt.Errorf("public URL: %w", err)
		}
		tc.Host = u.Hostname()
	}
	if tc.RelayIP == nil && tc.Listen != "" {
		ip, err := resolveIPv4(tc.Host)
		if err != nil {
			return nil, fmt.Errorf("TURN relay address: %w (set it with --turn-relay-ip)", err)
		}
		tc.RelayIP = ip
	}
	if tc.Secret == "" {
		secret, err := turnSecret(filepath.Join(cfg.DataDir, "turn-secret"))
		if err != nil {
			return nil, err
		}
		tc.Secret = secret
	}
	return turn.New(tc)
}

func resolveIPv4(host string) (net.IP, error) {
	if host == "localhost" {
		return net.IPv4(127, 0, 0, 1), nil
	}
	ips, err := net.LookupIP(host)
	if err != nil {
		return nil, err
	}
	for _, ip := range ips {
		if v4 := ip.To4(); v4 != nil {
			return v4, nil
		}
	}
	return nil, fmt.Errorf("%s has no IPv4 address", host)
}

// turnSecret reads the node's TURN secret, creating it on first run. Several
// nodes (and external TURN servers) must be given one secret explicitly.
func turnSecret(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err == nil && len(strings.TrimSpace(string(b))) > 0 {
		return strings.TrimSpace(string(b)), nil
	}
	secret := turn.NewSecret()
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("TURN secret: %w", err)
	}
	return secret, nil
}

// displayAddr turns a listener address into host:port a browser can use.
func displayAddr(a net.Addr) string {
	host, port, _ := net.SplitHostPort(a.String())
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// storageGate answers at once, with a sentence an administrator understands,
// what would write while the node's storage cannot (see natsnode.Storage):
// every request that changes something, and new agent sockets. Reading pages
// and /readyz still work.
func storageGate(next http.Handler, storage func() error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writes := (r.Method != http.MethodGet && r.Method != http.MethodHead) || r.URL.Path == "/ws/agent"
		if writes {
			if err := storage(); err != nil {
				w.Header().Set("Retry-After", "30")
				http.Error(w, i18n.T(i18n.FromAcceptLanguage(r.Header.Get("Accept-Language")), "error.storageFull"), http.StatusServiceUnavailable)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
