// Command demo runs a whole Lifeline session on one headless machine: a customer
// desktop on Xvfb with a few windows, the signaling server, a session created as
// the technician, and the agent downloaded and run as the customer would.
//
//	go tool task demo -- --allow --addr 127.0.0.1:8080
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// config is the demo's command line.
type config struct {
	Signaling string // signaling binary
	Agent     string // agent binary offered for download
	Addr      string // signaling listen address
	Data      string // signaling data directory; empty: a fresh temporary one
	Allow     bool   // answer the customer's questions with Allow
	Verbose   bool   // forward the logs of signaling and the agent
}

// Screen size of the customer's desktop.
const screenW, screenH = 1280, 720

// startTimeout bounds each wait during start-up.
const startTimeout = 30 * time.Second

func main() {
	var cfg config
	flag.StringVar(&cfg.Signaling, "signaling", "bin/signaling", "signaling server binary")
	flag.StringVar(&cfg.Agent, "agent", "data/agents/lifeline-agent-linux-amd64", "Linux agent binary to offer for download")
	flag.StringVar(&cfg.Addr, "addr", ":8080", "address the signaling server listens on")
	flag.StringVar(&cfg.Data, "data", "", "signaling data directory (default: a fresh temporary directory)")
	flag.BoolVar(&cfg.Allow, "allow", false, "answer Allow on the customer's page for viewing and control")
	flag.BoolVar(&cfg.Verbose, "v", false, "show the logs of signaling and the agent")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

// run starts everything, prints where to look, and waits for Ctrl-C or for a
// process to exit; then it stops everything it started, last started first.
func run(ctx context.Context, cfg config) error {
	d := &demo{cfg: cfg}
	defer d.stopAll()
	tmp, err := os.MkdirTemp("", "lifeline-demo-")
	if err != nil {
		return err
	}
	d.onStop(func() { _ = os.RemoveAll(tmp) })

	// 1–2. The customer's desktop.
	display, windows, err := d.startDesktop(ctx, tmp)
	if err != nil {
		return err
	}
	// 3. The server.
	password, err := randomPassword()
	if err != nil {
		return err
	}
	server, signaling, err := d.startSignaling(ctx, tmp, password)
	if err != nil {
		return err
	}
	// 4. The technician creates a session.
	tech, err := login(ctx, server, password)
	if err != nil {
		return err
	}
	sess, err := tech.newSession(ctx, "Demo customer")
	if err != nil {
		return err
	}
	// 5. The customer opens the link, downloads the agent and runs it.
	bin, err := downloadAgent(ctx, sess.Link, filepath.Join(tmp, "customer"))
	if err != nil {
		return err
	}
	page, agent, err := d.runAgent(ctx, bin, display)
	if err != nil {
		return err
	}
	// 6. Optionally, the customer says yes to everything.
	if cfg.Allow {
		d.goAutoAllow(ctx, page)
	}

	// 7. Where to look.
	fmt.Println()
	fmt.Println("Lifeline demo is running.")
	fmt.Printf("  Technician console: %s/console/sessions/%s\n", server, sess.ID)
	fmt.Printf("  Login:              admin / %s\n", password)
	fmt.Printf("  Invitation:         %s (PIN %s)\n", sess.Link, sess.PIN)
	fmt.Printf("  Customer page:      %s   (the customer's side: allow viewing and control here)\n", page)
	fmt.Printf("  Customer desktop:   Xvfb %s (%dx%d) with %s\n", display, screenW, screenH, strings.Join(windows, ", "))
	if cfg.Allow {
		fmt.Println("  --allow: the customer page answers Allow to every question.")
	}
	fmt.Println("Press Ctrl-C to stop.")
	fmt.Println()

	// 8. Until Ctrl-C, or until the server or the agent stops on its own.
	select {
	case <-ctx.Done():
		fmt.Println("\nStopping the demo...")
		return nil
	case <-signaling.done:
		return errors.New("the signaling server exited: " + signaling.lastLine())
	case <-agent.done:
		fmt.Println("The agent exited (the session is over); stopping the demo.")
		return nil
	}
}
