package server_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/signaling/server"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// TestFirstRunChecksPortsBeforeCreatingTheAdmin: on a first run with the
// TURN port taken, signaling says which port is busy and which flag moves
// it, and creates nothing: no admin account, no password shown (it would
// never be shown again). Once the port is free, the next run creates the
// admin and shows its password.
func TestFirstRunChecksPortsBeforeCreatingTheAdmin(t *testing.T) {
	natsURL := natstest.Server(t)
	busy, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := busy.LocalAddr().(*net.UDPAddr).Port
	cfg := server.Config{
		Addr: "127.0.0.1:0", DataDir: t.TempDir(), NATSURL: natsURL, NodeName: "first",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	cfg.TURN.Listen = "127.0.0.1:" + strconv.Itoa(port)

	var out strings.Builder
	cfg.Out = &out
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	err = server.Run(ctx, cfg)
	if !errors.Is(err, server.ErrPortBusy) || !strings.Contains(err.Error(), strconv.Itoa(port)) || !strings.Contains(err.Error(), "--turn-listen") {
		t.Errorf("first run with the TURN port taken: %v, want ErrPortBusy naming port %d and --turn-listen", err, port)
	}
	if strings.Contains(out.String(), "password") {
		t.Errorf("a password was shown by a run that did not start:\n%s", out.String())
	}
	nc, err := nats.Connect(natsURL)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	st, err := store.Open(ctx, nc, store.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Account(ctx, "admin"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the admin account after a run that did not start: %v, want none", err)
	}

	busy.Close()
	pr, pw := io.Pipe()
	cfg.Out = pw
	rctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- server.Run(rctx, cfg); pw.Close() }()
	sc := bufio.NewScanner(pr)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if strings.HasPrefix(sc.Text(), "Lifeline is listening on ") {
			break
		}
	}
	go io.Copy(io.Discard, pr)
	stop()
	if err := <-done; err != nil {
		t.Fatalf("second run: %v\n%s", err, strings.Join(lines, "\n"))
	}
	if !strings.Contains(strings.Join(lines, "\n"), "password: ") {
		t.Fatalf("the second run, port free, did not show the admin's password:\n%s", strings.Join(lines, "\n"))
	}
}
