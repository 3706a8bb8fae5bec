package elevate

import (
	"os"
	"path/filepath"
	"testing"
)

// A polkit authentication agent is found by its process name, among the
// processes of the customer's user only.
func TestAgentRunsFindsTheUsersPolkitAgent(t *testing.T) {
	proc := t.TempDir()
	put := func(pid, comm string) {
		if err := os.MkdirAll(filepath.Join(proc, pid), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(proc, pid, "comm"), []byte(comm+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	put("100", "bash")
	put("self", "polkit-gnome-au")
	if agentRuns(proc, os.Getuid()) {
		t.Fatal("found an agent among bash and a non-process entry")
	}
	put("200", "polkit-gnome-au")
	if !agentRuns(proc, os.Getuid()) {
		t.Error("the user's polkit-gnome agent not found")
	}
	if agentRuns(proc, os.Getuid()+1) {
		t.Error("another user's agent counted")
	}
}
