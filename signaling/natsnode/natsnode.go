// Package natsnode connects signaling to NATS: an embedded JetStream server on one
// machine, or an external cluster named by URL.
package natsnode

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// Config says where NATS is.
type Config struct {
	// URL of an external NATS server or cluster; empty starts an embedded server.
	URL string
	// StoreDir holds the embedded server's JetStream files.
	StoreDir string
	// Name identifies this node to NATS.
	Name   string
	Logger *slog.Logger
}

// Node is a connection to NATS, with the embedded server it started, if any.
type Node struct {
	Conn   *nats.Conn
	server *server.Server
}

// ErrNotReady means the embedded server did not start in time.
var ErrNotReady = errors.New("embedded NATS server did not become ready")

// Start connects to NATS, starting an embedded server first when cfg.URL is empty.
func Start(cfg Config) (*Node, error) {
	n := &Node{}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	// Keep trying for ever: a cluster loses a server, a node must not give up.
	opts := []nats.Option{nats.Name(cfg.Name), nats.MaxReconnects(-1), nats.ReconnectWait(500 * time.Millisecond),
		nats.DisconnectErrHandler(func(nc *nats.Conn, err error) {
			log.Warn("NATS disconnected", "err", err)
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			log.Info("NATS reconnected", "server", nc.ConnectedUrlRedacted())
		}),
	}
	if cfg.URL == "" {
		s, err := server.NewServer(&server.Options{
			ServerName: cfg.Name,
			DontListen: true,
			JetStream:  true,
			StoreDir:   cfg.StoreDir,
			NoSigs:     true,
		})
		if err != nil {
			return nil, fmt.Errorf("embedded nats: %w", err)
		}
		go s.Start()
		if !s.ReadyForConnections(10 * time.Second) {
			s.Shutdown()
			return nil, ErrNotReady
		}
		n.server = s
		opts = append(opts, nats.InProcessServer(s))
		log.Info("embedded NATS started", "store", cfg.StoreDir)
	}
	nc, err := nats.Connect(cfg.URL, opts...)
	if err != nil {
		n.Close()
		return nil, fmt.Errorf("connect to nats %q: %w", cfg.URL, err)
	}
	n.Conn = nc
	if cfg.URL != "" {
		log.Info("connected to NATS", "server", nc.ConnectedUrlRedacted(), "cluster", nc.ConnectedClusterName())
	}
	return n, nil
}

// Close drains the connection and stops the embedded server. It is idempotent.
func (n *Node) Close() {
	if n.Conn != nil {
		_ = n.Conn.Drain()
		n.Conn.Close()
		n.Conn = nil
	}
	if n.server != nil {
		n.server.Shutdown()
		n.server.WaitForShutdown()
		n.server = nil
	}
}
