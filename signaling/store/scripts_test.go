package store

import (
	"context"
	"errors"
	"testing"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

// The library: scripts checked as the agent checks them, listed for the
// groups that may run them, one start script a group.
func TestScriptLibrary(t *testing.T) {
	s := openStore(t)
	ctx := context.Background()
	a := Script{ID: NewScriptID(), Name: "Disk report", Lang: protocol.ScriptBash, Text: "df -h\n",
		Files:  []protocol.ScriptFile{{Name: "limits.txt", Data: []byte("90")}},
		Groups: []string{DefaultGroupID, "helpdesk"}, AtStart: []string{"helpdesk"}}
	b := Script{ID: NewScriptID(), Name: "Clean temp", Lang: protocol.ScriptSh, Text: "true\n", Groups: []string{"helpdesk"}}
	for _, v := range []Script{a, b} {
		if err := s.PutScript(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	list, start, err := s.ScriptsFor(ctx, "")
	if err != nil || len(list) != 1 || list[0].Name != "Disk report" || start != nil {
		t.Fatalf("default group: %v, start %v, %v", list, start, err)
	}
	list, start, err = s.ScriptsFor(ctx, "helpdesk")
	if err != nil || len(list) != 2 || start == nil || start.ID != a.ID {
		t.Fatalf("helpdesk: %d scripts, start %v, %v", len(list), start, err)
	}
	// A second start script takes the group off the first.
	b.AtStart = []string{"helpdesk"}
	if err := s.PutScript(ctx, b); err != nil {
		t.Fatal(err)
	}
	if _, start, _ = s.ScriptsFor(ctx, "helpdesk"); start == nil || start.ID != b.ID {
		t.Fatalf("start script after the change: %v", start)
	}
	if got, _ := s.Script(ctx, a.ID); len(got.AtStart) != 0 {
		t.Errorf("the first script still runs at start for %v", got.AtStart)
	}
	if _, err := s.ScriptFor(ctx, b.ID, DefaultGroupID); !errors.Is(err, ErrNotFound) {
		t.Errorf("a script of another group: %v, want ErrNotFound", err)
	}
	if _, err := s.ScriptFor(ctx, a.ID, ""); err != nil {
		t.Errorf("the default group's script: %v", err)
	}
	for name, bad := range map[string]Script{
		"no text":           {ID: "x1", Name: "n", Lang: protocol.ScriptSh},
		"unknown language":  {ID: "x2", Name: "n", Lang: "python", Text: "x"},
		"path in a file":    {ID: "x3", Name: "n", Lang: protocol.ScriptSh, Text: "x", Files: []protocol.ScriptFile{{Name: "../x"}}},
		"big attachment":    {ID: "x4", Name: "n", Lang: protocol.ScriptSh, Text: "x", Files: []protocol.ScriptFile{{Name: "f", Data: make([]byte, protocol.MaxScriptAttachments+1)}}},
		"the script's name": {ID: "x6", Name: "n", Lang: protocol.ScriptBash, Text: "x", Files: []protocol.ScriptFile{{Name: "Script.sh"}}},
		"start not run":     {ID: "x5", Name: "n", Lang: protocol.ScriptSh, Text: "x", AtStart: []string{"helpdesk"}},
		"bad key":           {ID: "a b", Name: "n", Lang: protocol.ScriptSh, Text: "x"},
	} {
		if err := s.PutScript(ctx, bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	if err := s.DeleteScript(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Script(ctx, a.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleted script: %v", err)
	}
}
