package server

import (
	"errors"
	"fmt"
	"net"
	"syscall"
)

// listenAddr is one address signaling will listen on, and the flag that
// moves it.
type listenAddr struct {
	what, network, addr, flag string
}

// listenAddrs lists the addresses cfg makes signaling listen on besides the
// HTTP one (listened on first): the embedded TURN server's UDP and TCP
// port, TURN over TLS, the metrics.
func listenAddrs(cfg Config) []listenAddr {
	var as []listenAddr
	if t := cfg.TURN.Listen; t != "" {
		as = append(as, listenAddr{"TURN (UDP)", "udp4", t, "--turn-listen"}, listenAddr{"TURN (TCP)", "tcp4", t, "--turn-listen"})
	}
	if t := cfg.TURN.TLSListen; t != "" && cfg.TURN.Listen != "" {
		as = append(as, listenAddr{"TURN over TLS", "tcp4", t, "--turn-tls-listen"})
	}
	if cfg.MetricsAddr != "" {
		as = append(as, listenAddr{"metrics", "tcp", cfg.MetricsAddr, "--metrics-addr"})
	}
	return as
}

// checkPorts tries every address of listenAddrs before anything is created
// (the first run's admin account above all, whose password is shown once):
// one that is taken fails the start with ErrPortBusy, naming the port and
// the flag that moves it. Port 0 (any free port) needs no check.
func checkPorts(cfg Config) error {
	for _, a := range listenAddrs(cfg) {
		if _, port, err := net.SplitHostPort(a.addr); err == nil && port == "0" {
			continue
		}
		var err error
		if a.network == "udp4" {
			var pc net.PacketConn
			if pc, err = net.ListenPacket(a.network, a.addr); err == nil {
				pc.Close()
			}
		} else {
			var ln net.Listener
			if ln, err = net.Listen(a.network, a.addr); err == nil {
				ln.Close()
			}
		}
		if err != nil {
			return listenError(a.what, a.addr, a.flag, err)
		}
	}
	return nil
}

// listenError explains a failed listen on addr: ErrPortBusy with the flag
// that moves it when another program holds the port, else the error itself.
func listenError(what, addr, flag string, err error) error {
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("%w: %s port %s is taken by another program; stop it, or move %s with %s", ErrPortBusy, what, addr, what, flag)
	}
	return fmt.Errorf("%s: listen on %s: %w (set it with %s)", what, addr, err, flag)
}
