package consent

import (
	"strings"
	"testing"

	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// The page never says the screen is viewed while the technician's
// connection is lost, and says the session continues while only signaling is.
func TestPeerLostAndSignalingLostStatus(t *testing.T) {
	viewed := protocol.Permissions{View: true}
	controlled := protocol.Permissions{View: true, Control: true}
	for _, tc := range []struct {
		name              string
		perms             protocol.Permissions
		reconnect, lost   bool
		status, text, not string
		canStop           bool
	}{
		{"viewed", viewed, false, false, statusViewed, "being viewed", "lost", false},
		{"technician lost", viewed, false, true, statusPeerLost, "technician's connection was lost", "being viewed", false},
		{"technician lost in control", controlled, false, true, statusPeerLost, "waiting for them to come back", "controlled", true},
		{"signaling lost, peer alive", viewed, true, false, statusViewed, "being viewed — the session continues", "Connection lost", false},
		{"signaling lost in control", controlled, true, false, statusControlled, "being controlled — the session continues", "Connection lost", true},
		{"both lost", viewed, true, true, statusReconnecting, "Connection lost — reconnecting", "being viewed", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := start(t, Config{})
			h.ui.SetState(tc.perms, true)
			h.ui.SetReconnecting(tc.reconnect)
			h.ui.SetPeerLost(tc.lost)
			h.ui.mu.Lock()
			v := h.ui.viewLocked(i18n.EN)
			h.ui.mu.Unlock()
			if v.Status != tc.status || !strings.Contains(v.StatusText, tc.text) || strings.Contains(v.StatusText, tc.not) || v.CanStop != tc.canStop {
				t.Errorf("status %q %q canStop %v; want %q with %q, without %q, canStop %v", v.Status, v.StatusText, v.CanStop, tc.status, tc.text, tc.not, tc.canStop)
			}
		})
	}
}
