package session

import (
	"errors"
	"testing"
)

func TestNext(t *testing.T) {
	tests := []struct {
		name     string
		from, to State
		wantErr  error
	}{
		{"customer connects", Connecting, Waiting, nil},
		{"technician cancels an unused invitation", Connecting, ClosedByTechnician, nil},
		{"invitation expires", Connecting, TimedOut, nil},
		{"cannot be active before the customer connects", Connecting, Active, ErrTransition},
		{"customer allows viewing", Waiting, Active, nil},
		{"customer stops sharing", Active, Waiting, nil},
		{"agent drops", Active, Offline, nil},
		{"agent comes back", Offline, Waiting, nil},
		{"customer ends", Active, ClosedByCustomer, nil},
		{"technician ends", Waiting, ClosedByTechnician, nil},
		{"closed stays closed", ClosedByCustomer, Active, ErrTransition},
		{"closed cannot reopen", ClosedByTechnician, Waiting, ErrTransition},
		{"same state is fine", Active, Active, nil},
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
		})
	}
}

func TestClosed(t *testing.T) {
	for _, s := range []State{ClosedByCustomer, ClosedByTechnician, TimedOut} {
		if !s.Closed() {
			t.Errorf("%s should be closed", s)
		}
	}
	for _, s := range []State{Connecting, Waiting, Active, Offline} {
		if s.Closed() {
			t.Errorf("%s should not be closed", s)
		}
	}
}
