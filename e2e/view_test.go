package e2e

import (
	"fmt"
	"testing"

	"github.com/lifeline-support/lifeline/e2e/testwindow/twtest"
)

// pressed lists the key presses and releases among evs by keysym name.
func pressed(evs []twtest.Event) []string {
	var seq []string
	for _, e := range evs {
		switch e.Event {
		case "key_press":
			seq = append(seq, "+"+e.KeysymName)
		case "key_release":
			seq = append(seq, "-"+e.KeysymName)
		}
	}
	return seq
}

// On a customer's AZERTY desktop, the technician's physical keys type what the
// customer's layout puts there (remote mode), the characters the technician
// types arrive as typed (local mode), and Ctrl+Alt+Del arrives as that
// combination.
func TestSpecialKeysAndKeyboardModes(t *testing.T) {
	stack := Start(t)
	stack.SetKeyboardLayout(t, "fr")
	win := twtest.Start(t, stack.Display, twtest.Options{X: 200, Y: 120, W: 600, H: 400})
	tech := stack.Technician(t)
	inv := tech.NewSession(t, "Marie Dupont")
	customer := stack.Customer(t, inv)
	customer.OpenPage(t)
	customer.Allow(t)
	tech.WaitVideo(t)
	tech.RequestControl(t)
	customer.WaitAsked(t)
	customer.Allow(t)
	tech.WaitStatus(t, "in control")
	cx, cy := win.Center()
	mark := win.Mark(t)
	tech.Click(t, cx, cy) // focuses the remote screen
	win.WaitFor(t, mark, "the click", func(evs []twtest.Event) bool { return twtest.Released(evs) && len(evs) > 0 })

	// Remote mode (the default): Q and W of a QWERTY keyboard are A and Z on AZERTY.
	mark = win.Mark(t)
	tech.Type(t, "qw")
	win.WaitFor(t, mark, "a and z from the physical keys", func(evs []twtest.Event) bool {
		return twtest.Typed(evs) == "az" && twtest.Released(evs)
	})

	// Local mode: characters arrive as typed, AltGr characters included.
	tech.KeyboardMode(t, "local")
	mark = win.Mark(t)
	const text = "é€@qw"
	tech.Type(t, text)
	win.WaitFor(t, mark, fmt.Sprintf("%q typed in local mode", text), func(evs []twtest.Event) bool {
		return twtest.Typed(evs) == text && twtest.Released(evs)
	})

	// Ctrl+Alt+Del reaches the desktop as that combination.
	mark = win.Mark(t)
	tech.CtrlAltDel(t)
	evs := win.WaitFor(t, mark, "Ctrl+Alt+Del", func(evs []twtest.Event) bool {
		return len(twtest.Filter(evs, "key_release")) == 3
	})
	want := "[+Control_L +Alt_L +Delete -Delete -Alt_L -Control_L]"
	if got := fmt.Sprint(pressed(evs)); got != want {
		t.Errorf("Ctrl+Alt+Del arrived as %s, want %s", got, want)
	}
	del := twtest.Filter(evs, "key_press")[2]
	const ctrl, alt = 1 << 2, 1 << 3 // ControlMask, Mod1Mask
	if del.State&ctrl == 0 || del.State&alt == 0 {
		t.Errorf("Delete pressed with state %#x, want Control and Alt held", del.State)
	}
}
