package terminal

import (
	"os"
	"os/signal"
	"testing"
)

// TestMain handles SIGINT as the agent's main does (signal.NotifyContext):
// a test run in the background starts with SIGINT ignored, which its shells
// would inherit, and Ctrl+C would then interrupt nothing. A handled signal
// is reset to its default in every child.
func TestMain(m *testing.M) {
	signal.Notify(make(chan os.Signal, 1), os.Interrupt)
	os.Exit(m.Run())
}
