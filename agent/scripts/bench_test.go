package scripts

import (
	"fmt"
	"testing"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

// BenchmarkScriptRun measures one run from the console's side, over real
// pion peers: channel opened, a script with a 256 KiB attachment sent, its
// folder written, the interpreter run, the exit code back, the folder
// removed.
func BenchmarkScriptRun(b *testing.B) {
	r := newRig(b, Config{TempDir: b.TempDir(), MaxOutput: 1 << 30})
	r.feature.SetGrants(grant(true))
	req := protocol.ScriptRun{Name: "bench", Lang: protocol.ScriptSh, Text: "wc -c < blob\n",
		Files: []protocol.ScriptFile{{Name: "blob", Data: make([]byte, 256<<10)}}}
	b.ResetTimer()
	for i := range b.N {
		res := r.runScript(fmt.Sprint("b", i), req, nil)
		if len(res.ctl) != 1 || res.ctl[0].Type != "exit" || res.ctl[0].Code != 0 {
			b.Fatalf("run %d: %+v", i, res.ctl)
		}
	}
	b.StopTimer()
	if left := leftovers(b, r.feature.cfg.TempDir); len(left) != 0 {
		b.Fatalf("folders left: %v", left)
	}
}
