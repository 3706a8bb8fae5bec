// Package session is the one session state machine: the states a support session
// goes through and the transitions allowed between them, after the session states
// of the LogMeIn Rescue appendix ("États de session").
package session

import (
	"errors"
	"fmt"
	"time"
)

// State is where a session is in its life.
type State string

// States. Invitation and Collaboration are reserved for the issue that
// brings several technicians.
const (
	// Connecting: created by a technician, the customer has not connected yet.
	Connecting State = "connecting"
	// Waiting: the customer's agent is connected; no technician started the session.
	Waiting State = "waiting"
	// Active: a technician started the session and is working on it.
	Active State = "active"
	// OnHold: the technician put the session on hold; no remote control, the
	// customer stays connected and is told they are on hold.
	OnHold State = "on_hold"
	// Outgoing: the technician offered the session to another technician, who
	// has not accepted yet. The stored state is Outgoing; the receiver sees it as
	// Incoming (see ViewedBy).
	Outgoing State = "outgoing"
	// Incoming: a session offered to this technician (the receiver's view of Outgoing).
	Incoming State = "incoming"
	// Reconnecting: the customer's side lost its connection; it is coming back.
	Reconnecting State = "reconnecting"
	// Offline: reconnecting failed for longer than Timeouts.Offline; the agent
	// keeps trying.
	Offline State = "offline"
	// Rebooting: the customer's machine is restarting, as the customer
	// agreed; the session waits Timeouts.Rebooting for the program to come
	// back after the customer logs in, then times out.
	Rebooting State = "rebooting"
	// Invitation: a technician was invited to collaborate (reserved).
	Invitation State = "invitation"
	// Collaboration: several technicians work on the session (reserved).
	Collaboration State = "collaboration"
	// ClosedByCustomer: the customer ended the session.
	ClosedByCustomer State = "closed_by_customer"
	// ClosedByTechnician: the technician ended the session.
	ClosedByTechnician State = "closed_by_technician"
	// TimedOut: the session expired (invitation unused, nobody started it, idle).
	TimedOut State = "timed_out"
)

// States lists every state, in the order a queue shows them.
var States = []State{Connecting, Waiting, Active, OnHold, Incoming, Outgoing, Reconnecting, Offline,
	Rebooting, Invitation, Collaboration, ClosedByCustomer, ClosedByTechnician, TimedOut}

// ErrTransition means a state change that the machine does not allow.
var ErrTransition = errors.New("session state change not allowed")

// connected are the states a session returns to after Reconnecting, Offline or
// Rebooting: whatever it was before the customer's side went away.
var connected = []State{Waiting, Active, OnHold, Outgoing, Incoming, Collaboration}

// allowed follows the appendix's "previous state / next state" columns, keeping
// only what applies to Lifeline. The closed states are final: "removed from the
// queue" is not a state here. Back to Waiting from Active, On hold or
// Collaboration: the lead's console gone past its grace with no colleague to
// take the session over, it returns to the queue.
var allowed = map[State][]State{
	Connecting:    {Waiting, ClosedByTechnician, TimedOut},
	Waiting:       {Active, Outgoing, Reconnecting, Rebooting, ClosedByCustomer, ClosedByTechnician, TimedOut},
	Active:        {Waiting, OnHold, Outgoing, Reconnecting, Rebooting, Collaboration, ClosedByCustomer, ClosedByTechnician, TimedOut},
	OnHold:        {Active, Waiting, Outgoing, Reconnecting, Rebooting, Collaboration, ClosedByCustomer, ClosedByTechnician, TimedOut},
	Outgoing:      {Active, Waiting, OnHold, Incoming, Reconnecting, Rebooting, ClosedByCustomer, ClosedByTechnician, TimedOut},
	Incoming:      {Active, Waiting, OnHold, Outgoing, Reconnecting, Rebooting, ClosedByCustomer, ClosedByTechnician, TimedOut},
	Reconnecting:  append(append([]State{}, connected...), Offline, ClosedByCustomer, ClosedByTechnician, TimedOut),
	Offline:       append(append([]State{}, connected...), ClosedByCustomer, ClosedByTechnician, TimedOut),
	Rebooting:     append(append([]State{}, connected...), Offline, ClosedByCustomer, ClosedByTechnician, TimedOut),
	Invitation:    {Collaboration, ClosedByTechnician},
	Collaboration: {Active, OnHold, Waiting, Rebooting, Reconnecting, ClosedByCustomer, ClosedByTechnician, TimedOut},
}

// Closed reports whether s is a final state.
func (s State) Closed() bool {
	return s == ClosedByCustomer || s == ClosedByTechnician || s == TimedOut
}

// Away reports whether the customer's side is gone for now (the session
// returns to its previous state when it comes back).
func (s State) Away() bool {
	return s == Reconnecting || s == Offline || s == Rebooting
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

// ViewedBy is the state as a technician sees it: a session on its way to
// someone else shows Outgoing to the sender and Incoming to the receiver.
func ViewedBy(s State, receiver bool) State {
	if s == Outgoing && receiver {
		return Incoming
	}
	return s
}

// Timeouts are the time limits of a session; zero means no limit.
type Timeouts struct {
	// Invitation: a Connecting session whose link or PIN was never used
	// (the invitation's own expiry applies too).
	Invitation time.Duration
	// Waiting: a Waiting session that no technician starts.
	Waiting time.Duration
	// Offline: how long Reconnecting lasts before the session shows Offline.
	Offline time.Duration
	// Idle: an Active or On hold session with no change (default none, like GoToAssist).
	Idle time.Duration
	// Rebooting: how long a Rebooting session waits for the customer's
	// computer to come back before it times out.
	Rebooting time.Duration
}

// DefaultRebooting is how long a restarting computer has to come back, as
// Rescue and GoToAssist wait: 10 minutes.
const DefaultRebooting = 10 * time.Minute

// DefaultTimeouts are the limits a server uses unless told otherwise.
func DefaultTimeouts() Timeouts {
	return Timeouts{Invitation: 24 * time.Hour, Waiting: time.Hour, Offline: 5 * time.Minute, Rebooting: DefaultRebooting}
}

// Expire returns the state a session in state s, unchanged since changed, must
// move to at now, and whether it must move at all.
func (t Timeouts) Expire(s State, changed, now time.Time) (State, bool) {
	over := func(d time.Duration) bool { return d > 0 && now.Sub(changed) >= d }
	switch {
	case s == Connecting && over(t.Invitation),
		s == Waiting && over(t.Waiting),
		(s == Active || s == OnHold) && over(t.Idle),
		s == Rebooting && over(t.Rebooting):
		return TimedOut, true
	case s == Reconnecting && over(t.Offline):
		return Offline, true
	}
	return s, false
}
