package session

import (
	"errors"
	"testing"
	"time"
)

// TestNext has one row per transition of the Rescue appendix that applies to
// Lifeline (its "cheminement" in the name), then the ones Lifeline refuses.
func TestNext(t *testing.T) {
	tests := []struct {
		name     string
		from, to State
		wantErr  error
	}{
		// Allowed, from the appendix.
		{"customer downloads and starts the agent", Connecting, Waiting, nil},
		{"invitation never used expires", Connecting, TimedOut, nil},
		{"technician deletes an unused invitation", Connecting, ClosedByTechnician, nil},
		{"technician starts a waiting session", Waiting, Active, nil},
		{"technician transfers from the queue", Waiting, Outgoing, nil},
		{"nobody starts it in time", Waiting, TimedOut, nil},
		{"network drops while waiting", Waiting, Reconnecting, nil},
		{"customer reboots while waiting", Waiting, Rebooting, nil},
		{"customer leaves before being started", Waiting, ClosedByCustomer, nil},
		{"technician removes a waiting session", Waiting, ClosedByTechnician, nil},
		{"customer closes the agent", Active, ClosedByCustomer, nil},
		{"idle session expires", Active, TimedOut, nil},
		{"technician ends the session", Active, ClosedByTechnician, nil},
		{"technician reboots the customer's machine", Active, Rebooting, nil},
		{"customer's network drops", Active, Reconnecting, nil},
		{"technician invites a colleague", Active, Collaboration, nil},
		{"technician puts the session on hold", Active, OnHold, nil},
		{"technician transfers an active session", Active, Outgoing, nil},
		{"technician resumes a held session", OnHold, Active, nil},
		{"lead gone with no colleague: back to the queue", Active, Waiting, nil},
		{"lead of a held session gone: back to the queue", OnHold, Waiting, nil},
		{"lead of a collaboration gone, nobody left: back to the queue", Collaboration, Waiting, nil},
		{"technician transfers a held session", OnHold, Outgoing, nil},
		{"customer reboots while on hold", OnHold, Rebooting, nil},
		{"held session joins a collaboration", OnHold, Collaboration, nil},
		{"customer closes the agent while on hold", OnHold, ClosedByCustomer, nil},
		{"network drops while on hold", OnHold, Reconnecting, nil},
		{"held session expires", OnHold, TimedOut, nil},
		{"network back, session was active", Reconnecting, Active, nil},
		{"network back, session was on hold", Reconnecting, OnHold, nil},
		{"network back, session was waiting", Reconnecting, Waiting, nil},
		{"network back, session was being transferred", Reconnecting, Outgoing, nil},
		{"network back, receiver's view", Reconnecting, Incoming, nil},
		{"idle limit while reconnecting", Reconnecting, TimedOut, nil},
		{"technician ends while reconnecting", Reconnecting, ClosedByTechnician, nil},
		{"five minutes without a path", Reconnecting, Offline, nil},
		{"offline machine comes back, was active", Offline, Active, nil},
		{"offline machine comes back, was on hold", Offline, OnHold, nil},
		{"offline machine comes back, was waiting", Offline, Waiting, nil},
		{"offline machine comes back, was transferred", Offline, Outgoing, nil},
		{"idle limit while offline", Offline, TimedOut, nil},
		{"technician ends an offline session", Offline, ClosedByTechnician, nil},
		{"receiver sends it back", Outgoing, Incoming, nil},
		{"transferred session sent on again", Incoming, Outgoing, nil},
		{"network drops during a transfer", Incoming, Reconnecting, nil},
		{"customer reboots during a transfer", Incoming, Rebooting, nil},
		{"receiver accepts", Incoming, Active, nil},
		{"sender takes it back (cancel) or receiver accepts", Outgoing, Active, nil},
		{"customer closes during a transfer", Outgoing, ClosedByCustomer, nil},
		{"reboot during a transfer", Outgoing, Rebooting, nil},
		{"transfer expires", Outgoing, TimedOut, nil},
		{"invited technician accepts", Invitation, Collaboration, nil},
		{"collaboration goes back to one technician", Collaboration, Active, nil},
		{"collaboration on hold", Collaboration, OnHold, nil},
		{"reboot during a collaboration", Collaboration, Rebooting, nil},
		{"collaboration closed", Collaboration, ClosedByTechnician, nil},
		{"rebooted machine is back", Rebooting, Active, nil},
		{"rebooted while on hold", Rebooting, OnHold, nil},
		{"rebooted while transferred", Rebooting, Outgoing, nil},
		{"rebooted while incoming", Rebooting, Incoming, nil},
		{"rebooted during a collaboration", Rebooting, Collaboration, nil},
		{"rebooted before being started", Rebooting, Waiting, nil},
		{"technician ends during a reboot", Rebooting, ClosedByTechnician, nil},
		{"the restarted computer never came back", Rebooting, TimedOut, nil},
		{"a second reboot is not a change", Rebooting, Rebooting, nil},
		{"a restarting computer is not reconnecting", Rebooting, Reconnecting, ErrTransition},
		// Lifeline's own: cancelling a transfer returns to what the session was.
		{"sender cancels a transfer of a waiting session", Outgoing, Waiting, nil},
		{"sender cancels a transfer of a held session", Outgoing, OnHold, nil},
		{"same state is fine", Active, Active, nil},

		// Refused.
		{"cannot be active before the customer connects", Connecting, Active, ErrTransition},
		{"cannot hold a session nobody started", Waiting, OnHold, ErrTransition},
		{"cannot go offline without reconnecting first", Active, Offline, ErrTransition},
		{"an unused invitation has nobody to reconnect", Connecting, Reconnecting, ErrTransition},
		{"closed by the customer stays closed", ClosedByCustomer, Active, ErrTransition},
		{"closed by the technician cannot reopen", ClosedByTechnician, Waiting, ErrTransition},
		{"closed states are final", ClosedByCustomer, ClosedByTechnician, ErrTransition},
		{"timed out stays timed out", TimedOut, Active, ErrTransition},
		{"an invitation cannot be started directly", Invitation, Active, ErrTransition},
		{"waiting cannot be incoming without a transfer", Waiting, Incoming, ErrTransition},
		{"unknown state", State("lost"), Active, ErrTransition},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Next(tt.from, tt.to)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Next(%s, %s) error = %v, want %v", tt.from, tt.to, err, tt.wantErr)
			}
			if err == nil && got != tt.to {
				t.Fatalf("Next = %s, want %s", got, tt.to)
			}
			if err != nil && got != tt.from {
				t.Fatalf("refused Next = %s, want it to stay %s", got, tt.from)
			}
		})
	}
}

// Every state's transitions lead to known states, and closed states lead nowhere.
func TestMachineIsClosed(t *testing.T) {
	known := map[State]bool{}
	for _, s := range States {
		known[s] = true
	}
	for from, tos := range allowed {
		if !known[from] || from.Closed() {
			t.Errorf("transitions from %s", from)
		}
		for _, to := range tos {
			if !known[to] {
				t.Errorf("%s → unknown %s", from, to)
			}
		}
	}
}

func TestClosedAndAway(t *testing.T) {
	for _, s := range States {
		wantClosed := s == ClosedByCustomer || s == ClosedByTechnician || s == TimedOut
		if s.Closed() != wantClosed {
			t.Errorf("%s.Closed() = %v", s, s.Closed())
		}
		wantAway := s == Reconnecting || s == Offline || s == Rebooting
		if s.Away() != wantAway {
			t.Errorf("%s.Away() = %v", s, s.Away())
		}
	}
}

func TestViewedBy(t *testing.T) {
	if ViewedBy(Outgoing, true) != Incoming || ViewedBy(Outgoing, false) != Outgoing || ViewedBy(Active, true) != Active {
		t.Fatal("ViewedBy")
	}
}

func TestExpire(t *testing.T) {
	to := DefaultTimeouts()
	t0 := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		s     State
		after time.Duration
		want  State
		moved bool
	}{
		{"fresh invitation", Connecting, time.Hour, Connecting, false},
		{"invitation never used", Connecting, 25 * time.Hour, TimedOut, true},
		{"waiting a little", Waiting, 10 * time.Minute, Waiting, false},
		{"nobody started it", Waiting, 2 * time.Hour, TimedOut, true},
		{"active has no limit by default", Active, 72 * time.Hour, Active, false},
		{"reconnecting a moment", Reconnecting, time.Minute, Reconnecting, false},
		{"reconnecting five minutes", Reconnecting, 5 * time.Minute, Offline, true},
		{"offline keeps trying", Offline, 72 * time.Hour, Offline, false},
		{"closed stays", ClosedByCustomer, 72 * time.Hour, ClosedByCustomer, false},
		{"restarting a few minutes", Rebooting, 9 * time.Minute, Rebooting, false},
		{"not back after ten minutes", Rebooting, 10 * time.Minute, TimedOut, true},
	}
	for _, tt := range tests {
		got, moved := to.Expire(tt.s, t0, t0.Add(tt.after))
		if got != tt.want || moved != tt.moved {
			t.Errorf("%s: Expire = %s, %v; want %s, %v", tt.name, got, moved, tt.want, tt.moved)
		}
		if moved {
			if _, err := Next(tt.s, got); err != nil {
				t.Errorf("%s: expiry breaks the machine: %v", tt.name, err)
			}
		}
	}
	idle := Timeouts{Idle: time.Hour}
	if got, moved := idle.Expire(Active, t0, t0.Add(2*time.Hour)); got != TimedOut || !moved {
		t.Errorf("idle limit: %s %v", got, moved)
	}
}
