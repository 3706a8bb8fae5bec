package indicator

import (
	"image"
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

// pickDisplay is a badgeDisplay that can point at a window: the test ends
// the pick.
type pickDisplay struct {
	badgeDisplay
	done func(image.Point, bool)
}

func (d *pickDisplay) Pick(done func(image.Point, bool)) error { d.done = done; return nil }

// "Hide a window" on the badge: the customer clicks it, the badge asks them
// to click the window, and the place they click goes to be hidden; a
// cancelled pick hides nothing. A display that cannot point, or an agent
// without private windows, shows no such button.
func TestBadgeHideAWindowPointsAtIt(t *testing.T) {
	plain := &badgeDisplay{}
	in := New(plain, i18n.EN, nil)
	in.OnHide(func(image.Point) {})
	in.SetGrants(protocol.Permissions{View: true})
	if plain.badge.Hide != "" {
		t.Fatalf("a display that cannot point shows %q", plain.badge.Hide)
	}

	d := &pickDisplay{}
	in = New(d, i18n.EN, nil)
	in.SetGrants(protocol.Permissions{View: true})
	if d.badge.Hide != "" {
		t.Fatalf("without private windows the badge shows %q", d.badge.Hide)
	}
	var hidden []image.Point
	in.OnHide(func(at image.Point) { hidden = append(hidden, at) })
	if d.badge.Hide != "Hide a window" {
		t.Fatalf("the badge shows %+v, want a Hide a window button", d.badge)
	}
	normal := d.badge.Text
	in.Click(ZoneHide)
	if d.done == nil || !strings.Contains(d.badge.Text, "Click the window") || d.badge.Hide != "" {
		t.Fatalf("after Hide a window: pick %v, badge %+v", d.done != nil, d.badge)
	}
	d.done(image.Pt(120, 80), true)
	if len(hidden) != 1 || hidden[0] != image.Pt(120, 80) || d.badge.Text != normal {
		t.Fatalf("after the click on a window: hidden %v, badge %+v", hidden, d.badge)
	}
	in.Click(ZoneHide)
	d.done(image.Point{}, false)
	if len(hidden) != 1 || d.badge.Text != normal {
		t.Fatalf("a cancelled pick: hidden %v, badge %+v", hidden, d.badge)
	}
	for _, l := range i18n.Langs {
		if i18n.T(l, "agent.indicator.hide") == "" || i18n.T(l, "agent.indicator.pick") == "" {
			t.Errorf("no %s text for Hide a window", l)
		}
	}
}

// The badge names the technician's colleagues in the session too, and
// stops naming them when they leave.
func TestBadgeNamesTheColleagues(t *testing.T) {
	d := &badgeDisplay{}
	in := New(d, i18n.EN, nil)
	in.SetNames("Acme IT", "Alice", "support.example")
	in.SetGrants(protocol.Permissions{View: true})
	in.SetHelpers([]string{"Bob Colleague", "Carol"})
	d.mu.Lock()
	text := d.badge.Text
	d.mu.Unlock()
	if want := "Acme IT with Bob Colleague, Carol (via support.example)"; !strings.Contains(text, want) {
		t.Errorf("the badge says %q, want it to contain %q", text, want)
	}
	in.SetHelpers(nil)
	d.mu.Lock()
	text = d.badge.Text
	d.mu.Unlock()
	if strings.Contains(text, "Bob") {
		t.Errorf("the badge still names Bob after he left: %q", text)
	}
}

// The badge says when the customer's microphone is on in a call with the
// technician, and stops saying it when it is off.
func TestBadgeSaysTheMicrophoneIsOn(t *testing.T) {
	d := &badgeDisplay{}
	in := New(d, i18n.EN, nil)
	in.SetNames("Acme IT", "Alice", "support.example")
	in.SetGrants(protocol.Permissions{View: true})
	text := func() string {
		d.mu.Lock()
		defer d.mu.Unlock()
		return d.badge.Text
	}
	in.SetMic(true)
	if got := text(); !strings.HasPrefix(got, "Microphone on · ") || !strings.Contains(got, "Acme IT") {
		t.Errorf("with the microphone on the badge says %q", got)
	}
	in.SetMic(false)
	if got := text(); strings.Contains(got, "Microphone") {
		t.Errorf("with the microphone off the badge says %q", got)
	}
}
