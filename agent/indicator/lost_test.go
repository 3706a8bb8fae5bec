package indicator

import (
	"testing"

	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

type fakeDisplay struct{ shown []State }

func (f *fakeDisplay) Show(s State, _ Badge) error { f.shown = append(f.shown, s); return nil }
func (f *fakeDisplay) Close() error                { return nil }

// While the technician's connection is lost the indicator shows Lost, not
// Viewed or Controlled, and goes back to what the grants say when it returns.
func TestIndicatorNeverClaimsALostViewer(t *testing.T) {
	d := &fakeDisplay{}
	in := New(d, i18n.EN, nil)
	in.SetGrants(protocol.Permissions{View: true, Control: true})
	in.SetPeerLost(true)
	in.SetGrants(protocol.Permissions{View: true}) // control revoked while lost
	in.SetPeerLost(false)
	in.SetGrants(protocol.Permissions{})
	in.SetPeerLost(true) // nothing granted: nothing to show
	want := []State{Controlled, Lost, Viewed, Off}
	if len(d.shown) != len(want) {
		t.Fatalf("shown %v, want %v", d.shown, want)
	}
	for i := range want {
		if d.shown[i] != want[i] {
			t.Fatalf("shown %v, want %v", d.shown, want)
		}
	}
	if Text(i18n.EN, Lost, "Acme", "support.example") == "" || Text(i18n.FR, Lost, "Acme", "support.example") == Text(i18n.EN, Lost, "Acme", "support.example") {
		t.Error("the Lost badge needs its English and French line")
	}
}
