package indicator

import (
	"strings"
	"sync"
	"testing"

	"github.com/lifeline-support/lifeline/agent/consent"
	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// badgeDisplay records the last badge shown.
type badgeDisplay struct {
	mu    sync.Mutex
	state State
	badge Badge
}

func (d *badgeDisplay) Show(s State, b Badge) error {
	d.mu.Lock()
	d.state, d.badge = s, b
	d.mu.Unlock()
	return nil
}
func (d *badgeDisplay) Close() error { return nil }

// Defect 5 of issue 18: one click on the badge ended the whole session. Now
// a click stops control, then viewing; ending is the badge's own button and
// asks to be clicked again; on hold the badge says so.
func TestBadgeClickStopsAndEndingAsksFirst(t *testing.T) {
	d := &badgeDisplay{}
	in := New(d, i18n.EN, nil)
	var acts []consent.Action
	in.OnAction(func(a consent.Action) { acts = append(acts, a) })
	in.SetNames("Acme IT", "Alice", "support.acme.com")
	last := func() consent.Action {
		if len(acts) == 0 {
			return ""
		}
		return acts[len(acts)-1]
	}

	in.SetGrants(protocol.Permissions{View: true, Control: true})
	in.Click(ZoneStop)
	if last() != consent.ActionRevokeControl {
		t.Fatalf("a click while controlled did %v, want control stopped", acts)
	}
	in.SetGrants(protocol.Permissions{View: true})
	in.Click(ZoneStop)
	if last() != consent.ActionRevokeView {
		t.Fatalf("a click while viewed did %v, want viewing stopped (not the session ended)", acts)
	}
	if d.badge.End == "" {
		t.Fatal("the badge has no way to end the session")
	}

	n := len(acts)
	in.Click(ZoneEnd)
	if len(acts) != n {
		t.Fatalf("one click on End did %v without asking", acts[n:])
	}
	if !d.badge.Confirm || !strings.Contains(d.badge.End, "again") {
		t.Fatalf("after one click on End the badge shows %+v, want it to ask for a second click", d.badge)
	}
	in.Click(ZoneStop) // changed their mind
	if d.badge.Confirm || len(acts) != n+1 || last() != consent.ActionRevokeView {
		t.Fatalf("a click elsewhere kept the confirmation (%+v) or did %v", d.badge, acts[n:])
	}
	in.Click(ZoneEnd)
	in.Click(ZoneEnd)
	if last() != consent.ActionEnd {
		t.Fatalf("two clicks on End did %v, want the session ended", acts)
	}

	in.SetHold(true)
	if d.state != Held || !strings.Contains(d.badge.Text, "On hold") {
		t.Fatalf("on hold the badge shows %v %+v", d.state, d.badge)
	}
	in.SetHold(false)
	if d.state != Viewed {
		t.Fatalf("after the hold the badge shows %v", d.state)
	}
	for _, l := range i18n.Langs {
		for _, s := range []State{Viewed, Controlled, Lost, Held} {
			if Text(l, s, "Acme", "support.example") == "" {
				t.Errorf("no %s badge line for state %v", l, s)
			}
		}
	}
}
