package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// agentName is the file name signaling looks for in --agent-dir.
const agentName = "lifeline-agent-linux-amd64"

// startSignaling starts the signaling server with a fresh data directory (unless
// --data) and the admin password, and returns the URL it prints once listening.
func (d *demo) startSignaling(ctx context.Context, tmp, password string) (string, *proc, error) {
	if _, err := os.Stat(d.cfg.Signaling); err != nil {
		return "", nil, fmt.Errorf("no signaling binary (go tool task build): %w", err)
	}
	agentDir, err := agentDir(d.cfg.Agent, tmp)
	if err != nil {
		return "", nil, err
	}
	data := d.cfg.Data
	if data == "" {
		data = filepath.Join(tmp, "data")
	}
	cmd := exec.Command(d.cfg.Signaling, "--addr", d.cfg.Addr, "--data", data, "--agent-dir", agentDir,
		"--insecure-http") // the demo serves plain HTTP on every address, as its -addr says
	cmd.Env = append(os.Environ(), "LIFELINE_ADMIN_PASSWORD="+password)
	urlc := make(chan string, 1)
	p, err := d.start("signaling", cmd, func(line string) {
		if u, ok := strings.CutPrefix(line, "Lifeline is listening on "); ok {
			select {
			case urlc <- strings.TrimRight(u, "/"):
			default:
			}
		}
	})
	if err != nil {
		return "", nil, err
	}
	u, err := waitStarted(ctx, p, urlc)
	return u, p, err
}

// agentDir returns the directory holding the agent as signaling expects it,
// linking it into tmp under the expected name if it is named otherwise.
func agentDir(agent, tmp string) (string, error) {
	abs, err := filepath.Abs(agent)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(abs); err != nil {
		return "", fmt.Errorf("no agent binary (go tool task build): %w", err)
	}
	if filepath.Base(abs) == agentName {
		return filepath.Dir(abs), nil
	}
	dir := filepath.Join(tmp, "agents")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return dir, os.Symlink(abs, filepath.Join(dir, agentName))
}

// pageURL matches the agent's "Customer page: <URL>" line.
var pageURL = regexp.MustCompile(`http://127\.0\.0\.1:\d+/[A-Za-z0-9_-]+/`)

// runAgent runs the downloaded agent on the customer's display, forwarding its
// output prefixed with "agent: ", and returns the customer page URL it prints.
func (d *demo) runAgent(ctx context.Context, bin, display string) (string, *proc, error) {
	cmd := exec.Command(bin, "--no-browser", "-v")
	cmd.Dir = filepath.Dir(bin)
	cmd.Env = append(os.Environ(), "DISPLAY="+display, "LANG=en_US.UTF-8")
	urlc := make(chan string, 1)
	p, err := d.start("agent", cmd, func(line string) {
		fmt.Println("agent: " + line)
		if u := pageURL.FindString(line); u != "" {
			select {
			case urlc <- u:
			default:
			}
		}
	})
	if err != nil {
		return "", nil, err
	}
	u, err := waitStarted(ctx, p, urlc)
	return u, p, err
}

// waitStarted waits for the URL a process prints once ready, or its exit, or
// Ctrl-C, or startTimeout.
func waitStarted(ctx context.Context, p *proc, urlc <-chan string) (string, error) {
	select {
	case u := <-urlc:
		return u, nil
	case <-p.done:
		return "", fmt.Errorf("%s exited at start: %s", p.name, p.lastLine())
	case <-ctx.Done():
		return "", fmt.Errorf("interrupted while starting %s", p.name)
	case <-time.After(startTimeout):
		return "", fmt.Errorf("%s not ready after %v: %s", p.name, startTimeout, p.lastLine())
	}
}

// randomPassword returns a fresh admin password.
func randomPassword() (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
