package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/lifeline-support/lifeline/agent/desktopentry"
	"github.com/lifeline-support/lifeline/agent/reboot"
)

// FakeReboot stands in for the customer's restart: the agents the stack
// starts from now on keep their configuration (and so the restart's
// autostart entry) in a folder of the test's, and run, instead of the
// system's restart, a program that only records it ran. It returns that
// folder and the record's path.
func (s *Stack) FakeReboot(t testing.TB) (config, ran string) {
	t.Helper()
	dir := t.TempDir()
	config, ran = filepath.Join(dir, "config"), filepath.Join(dir, "rebooted")
	script := filepath.Join(dir, "reboot.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho restarted >> '"+ran+"'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	s.AgentEnv = append(s.AgentEnv, "XDG_CONFIG_HOME="+config, reboot.EnvCommand+"="+script)
	return config, ran
}

// Reboot clicks the workspace's Reboot button.
func (tc *Technician) Reboot(t testing.TB) {
	t.Helper()
	run(t, tc.ctx, "ask for a restart", chromedp.WaitEnabled(chromedp.ID("reboot")), click("reboot"))
}

// RunAutostart runs the XDG autostart entry the agent left in config as the
// desktop does once the customer logs in: the Exec line's program and
// arguments, with the same environment as the agent had.
func (s *Stack) RunAutostart(t testing.TB, c *Customer, config string) *Customer {
	t.Helper()
	args, err := desktopentry.ReadExec(filepath.Join(config, "autostart", reboot.AutostartName))
	if err != nil {
		t.Fatalf("the restart's autostart entry: %v", err)
	}
	if len(args) < 3 || args[1] != "--reconnect" {
		t.Fatalf("autostart Exec line %q", strings.Join(args, " "))
	}
	return s.RunAgent(t, c.ctx, args[0], args[1:]...)
}

// ranCount is how many times the fake restart at path ran.
func ranCount(path string) int {
	b, _ := os.ReadFile(path)
	return strings.Count(string(b), "restarted")
}
