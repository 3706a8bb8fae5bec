// Package natsnode connects signaling to NATS: an embedded JetStream server on one
// machine, or an external cluster named by URL.
package natsnode

import (
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
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
	// CheckInterval is how often the embedded server's storage is checked
	// (default 2 s).
	CheckInterval time.Duration
	// MinFree is the free space StoreDir's disk needs before a JetStream that
	// failed to write is restarted (default 32 MiB).
	MinFree uint64
}

// Node is a connection to NATS, with the embedded server it started, if any.
type Node struct {
	Conn *nats.Conn
	cfg  Config
	log  *slog.Logger
	stop chan struct{}
	wg   sync.WaitGroup

	mu         sync.Mutex
	server     *server.Server // guarded by mu; nil between a failed restart and the next
	storageErr error          // guarded by mu
	closed     bool           // guarded by mu
}

// Start connects to NATS, starting an embedded server first when cfg.URL is
// empty. An embedded server is watched: when JetStream can no longer write
// (the data disk is full), Storage says so, and once there is space again
// the server is restarted in this process and the connection follows it.
func Start(cfg Config) (*Node, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.CheckInterval <= 0 {
		cfg.CheckInterval = 2 * time.Second
	}
	if cfg.MinFree == 0 {
		cfg.MinFree = 32 << 20
	}
	n := &Node{cfg: cfg, log: cfg.Logger, stop: make(chan struct{})}
	log := n.log
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
		s, err := n.startServer()
		if err != nil {
			return nil, err
		}
		n.server = s
		opts = append(opts, nats.InProcessServer(n))
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
	} else {
		n.wg.Add(1)
		go func() {
			defer n.wg.Done()
			n.watch()
		}()
	}
	return n, nil
}

// startServer starts the embedded server and waits until it is ready.
func (n *Node) startServer() (*server.Server, error) {
	s, err := server.NewServer(&server.Options{
		ServerName: n.cfg.Name,
		DontListen: true,
		JetStream:  true,
		StoreDir:   n.cfg.StoreDir,
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
	return s, nil
}

// InProcessConn connects to the embedded server running now, so that the
// connection reconnects to a restarted one (nats.InProcessConnProvider).
func (n *Node) InProcessConn() (net.Conn, error) {
	n.mu.Lock()
	s := n.server
	n.mu.Unlock()
	if s == nil {
		return nil, ErrNotReady
	}
	return s.InProcessConn()
}

// Storage returns nil while JetStream can write, and otherwise an error
// wrapping ErrStorageFailed that names the data directory and its free space.
// It is always nil with an external NATS server (watch that server's own
// /healthz).
func (n *Node) Storage() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.storageErr
}

// watch checks the embedded server's storage until Close.
func (n *Node) watch() {
	t := time.NewTicker(n.cfg.CheckInterval)
	defer t.Stop()
	for {
		select {
		case <-n.stop:
			return
		case <-t.C:
			n.check()
		}
	}
}

// check notes whether JetStream can write, and restarts the embedded server
// when it cannot and the disk has room again.
func (n *Node) check() {
	n.mu.Lock()
	s, failed := n.server, n.storageErr != nil
	n.mu.Unlock()
	problem := storageProblem(s)
	free, known := freeSpace(n.cfg.StoreDir)
	switch {
	case problem == "" && !failed:
		return
	case problem == "":
		n.setStorage(nil)
		n.log.Info("JetStream storage works again", "dir", n.cfg.StoreDir, "free", bytesText(free))
		return
	case !failed:
		err := fmt.Errorf("%w: %s (%s free on its disk): %s", ErrStorageFailed, n.cfg.StoreDir, bytesText(free), problem)
		n.setStorage(err)
		n.log.Error("JetStream cannot write to the data directory; free space on its disk, the server recovers by itself",
			"dir", n.cfg.StoreDir, "free", bytesText(free), "problem", problem)
	}
	if known && free < n.cfg.MinFree {
		return // wait for space
	}
	n.restart()
}

// restart replaces the embedded server by a new one on the same store.
func (n *Node) restart() {
	n.mu.Lock()
	old := n.server
	n.server = nil
	n.mu.Unlock()
	n.log.Warn("restarting the embedded NATS server", "dir", n.cfg.StoreDir)
	if old != nil {
		old.Shutdown()
		old.WaitForShutdown()
	}
	s, err := n.startServer()
	if err != nil {
		n.log.Error("embedded NATS server did not restart; trying again", "err", err)
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		s.Shutdown()
		return
	}
	n.server = s // the connection, cut by the shutdown, reconnects to it
}

func (n *Node) setStorage(err error) {
	n.mu.Lock()
	n.storageErr = err
	n.mu.Unlock()
}

// storageProblem says what keeps JetStream of s from writing, or "".
func storageProblem(s *server.Server) string {
	switch {
	case s == nil:
		return "the embedded NATS server is down"
	case !s.JetStreamEnabled():
		return "JetStream is disabled"
	}
	h := s.Healthz(&server.HealthzOptions{})
	if h.Status != "ok" && (strings.Contains(h.Error, "write error") || strings.Contains(h.Error, "no space")) {
		return h.Error
	}
	return ""
}

// bytesText writes a size for people.
func bytesText(b uint64) string {
	const mib = 1 << 20
	if b >= mib {
		return fmt.Sprintf("%.1f MiB", float64(b)/mib)
	}
	return fmt.Sprintf("%d bytes", b)
}

// Close stops watching, drains the connection and stops the embedded server.
// It is idempotent.
func (n *Node) Close() {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return
	}
	n.closed = true
	n.mu.Unlock()
	close(n.stop)
	n.wg.Wait()
	if n.Conn != nil {
		_ = n.Conn.Drain()
		n.Conn.Close()
	}
	n.mu.Lock()
	s := n.server
	n.server = nil
	n.mu.Unlock()
	if s != nil {
		s.Shutdown()
		s.WaitForShutdown()
	}
}
