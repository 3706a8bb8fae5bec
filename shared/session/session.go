// Package session is the one session state machine: the states a support session
// goes through and the transitions allowed between them.
package session

import (
	"errors"
	"fmt"
)

// State is where a session is in its life.
type State string

// States used so far; the queue issue adds On hold, transfer and the rest.
const (
	// Connecting: created by a technician, the customer has not connected yet.
	Connecting State = "connecting"
	// Waiting: the customer's agent is connected, no screen is shared yet.
	Waiting State = "waiting"
	// Active: the customer allowed viewing; the technician is working.
	Active State = "active"
	// Offline: the customer's agent lost its connection to the server.
	Offline State = "offline"
	// ClosedByCustomer: the customer ended the session.
	ClosedByCustomer State = "closed_by_customer"
	// ClosedByTechnician: the technician ended the session.
	ClosedByTechnician State = "closed_by_technician"
	// TimedOut: the invitation was never used before it expired.
	TimedOut State = "timed_out"
)

// ErrTransition means a state change that the machine does not allow.
var ErrTransition = errors.New("session state change not allowed")

var allowed = map[State][]State{
	Connecting: {Waiting, ClosedByTechnician, TimedOut},
	Waiting:    {Active, Offline, ClosedByCustomer, ClosedByTechnician},
	Active:     {Waiting, Offline, ClosedByCustomer, ClosedByTechnician},
	Offline:    {Waiting, ClosedByCustomer, ClosedByTechnician, TimedOut},
}

// Closed reports whether s is a final state.
func (s State) Closed() bool {
	return s == ClosedByCustomer || s == ClosedByTechnician || s == TimedOut
}

// Next checks that from may change to to and returns to, or an error wrapping
// ErrTransition. Staying in the same state is always allowed.
func Next(from, to State) (State, error) {
	if from == to {
		return to, nil
	}
	for _, s := range allowed[from] {
		if s == to {
			return to, nil
		}
	}
	return from, fmt.Errorf("%w: %s → %s", ErrTransition, from, to)
}
