package session

import (
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/agent/peer"
	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/shared/protocol"
	sessionstate "github.com/lifeline-support/lifeline/shared/session"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// fakeRebooter records what the session asked of the restart (the OS edge).
type fakeRebooter struct {
	mu       sync.Mutex
	left     []RebootTicket
	restarts int
	undone   []string
	fail     error
}

func (f *fakeRebooter) Leave(t RebootTicket) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.left = append(f.left, t)
	return nil
}

func (f *fakeRebooter) Restart() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.restarts++
	return f.fail
}

func (f *fakeRebooter) Undo(sid string) { f.mu.Lock(); f.undone = append(f.undone, sid); f.mu.Unlock() }

func (f *fakeRebooter) counts() (left, restarts, undone int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.left), f.restarts, len(f.undone)
}

// Issue 15: the agent restarts the computer only on the customer's yes to
// this very request: Not now leaves no entry and runs nothing (audited,
// the technician told); a failed restart removes the entry and the session
// goes on; a yes leaves an entry bound to the session's secret, runs the
// restart, and ends the program with ErrRestarting.
func TestAgentRestartsOnlyOnTheCustomersYes(t *testing.T) {
	node := st.StartNode(t, natstest.Server(t), "node")
	tech := st.LogIn(t, node)
	sid, token, _ := tech.NewSession(t, "Marie")
	console := tech.Dial(t, "/ws/console")
	console.Expect(protocol.TypeConsoleWelcome)
	console.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{})
	console.Expect(protocol.TypeSessionState)

	ui, term := terminalConsent(t)
	rb := &fakeRebooter{}
	done := runAgent(t, ui, Config{
		Server: node.URL, Code: token, Consent: ui, Reboot: rb,
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		NewPeer:     func(peer.Config) (Peer, error) { return &fakePeer{}, nil },
		NewInjector: func() (Injector, error) { return &fakeInjector{}, nil },
	})
	term.answer(1, "y") // viewing
	console.Send(protocol.TypeSessionStart, sid, protocol.SessionStart{})
	ask := func() {
		t.Helper()
		console.Send(protocol.TypePermissionRequest, sid, protocol.PermissionRequest{Permission: protocol.PermissionReboot})
	}
	refused := func(what string) {
		t.Helper()
		deadline := time.Now().Add(hang)
		for time.Now().Before(deadline) {
			m := console.Expect(protocol.TypePermissionUpdate).Body.(*protocol.PermissionUpdate)
			if m.Refused == protocol.PermissionReboot {
				return
			}
		}
		t.Fatalf("%s: the technician was not told", what)
	}

	ask()
	term.answer(2, "n") // Not now
	refused("not now")
	if l, r, _ := rb.counts(); l != 0 || r != 0 {
		t.Fatalf("after Not now: %d entries, %d restarts", l, r)
	}

	rb.mu.Lock()
	rb.fail = errors.New("polkit said no")
	rb.mu.Unlock()
	ask()
	term.answer(3, "y")
	refused("a failed restart")
	if l, r, u := rb.counts(); l != 1 || r != 1 || u != 1 {
		t.Fatalf("after a failed restart: %d entries, %d restarts, %d removed", l, r, u)
	}

	rb.mu.Lock()
	rb.fail = nil
	rb.mu.Unlock()
	ask()
	term.answer(4, "y")
	select {
	case err := <-done:
		if !errors.Is(err, ErrRestarting) {
			t.Fatalf("Run = %v, want ErrRestarting", err)
		}
		done <- err
	case <-time.After(hang):
		t.Fatal("the program did not end for the restart")
	}
	rb.mu.Lock()
	last := rb.left[len(rb.left)-1]
	rb.mu.Unlock()
	if last.SID != sid || last.Secret == "" || last.Server != node.URL || last.Technician == "" || last.Wait != sessionstate.DefaultRebooting {
		t.Fatalf("entry %+v: want this session, its secret, the server, the technician and the server's wait", last)
	}
}

// Without a way to restart (nil Reboot), or when the technician's group
// does not allow it, the agent refuses at once, without asking.
func TestAgentRefusesRestartWithoutAWay(t *testing.T) {
	node := st.StartNode(t, natstest.Server(t), "node")
	tech := st.LogIn(t, node)
	sid, token, _ := tech.NewSession(t, "Marie")
	console := tech.Dial(t, "/ws/console")
	console.Expect(protocol.TypeConsoleWelcome)
	console.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{})
	console.Expect(protocol.TypeSessionState)
	ui, term := terminalConsent(t)
	runAgent(t, ui, Config{
		Server: node.URL, Code: token, Consent: ui,
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		NewPeer:     func(peer.Config) (Peer, error) { return &fakePeer{}, nil },
		NewInjector: func() (Injector, error) { return &fakeInjector{}, nil },
	})
	term.answer(1, "y")
	console.Send(protocol.TypeSessionStart, sid, protocol.SessionStart{})
	console.Send(protocol.TypePermissionRequest, sid, protocol.PermissionRequest{Permission: protocol.PermissionReboot})
	deadline := time.Now().Add(hang)
	for time.Now().Before(deadline) {
		if m := console.Expect(protocol.TypePermissionUpdate).Body.(*protocol.PermissionUpdate); m.Refused == protocol.PermissionReboot {
			if term.asked() != 1 {
				t.Fatalf("the customer was asked %d times", term.asked())
			}
			return
		}
	}
	t.Fatal("no refusal")
}

// Review item 1: in an unattended session nobody may be at the computer,
// and the device policy answers for them (silent and notify at once, ask
// with "allow on timeout" after the wait): a restart must not be one of
// those answers. The agent refuses it without asking anyone.
func TestAgentRefusesRestartInUnattendedSession(t *testing.T) {
	node := st.StartNode(t, natstest.Server(t), "node")
	tech := st.LogIn(t, node)
	for _, policy := range []Policy{
		{Mode: protocol.PolicySilent},
		{Mode: protocol.PolicyNotify},
		{Mode: protocol.PolicyAsk, AskWait: 50 * time.Millisecond, AllowOnTimeout: true},
	} {
		t.Run(policy.Mode, func(t *testing.T) {
			sid, token, _ := tech.NewSession(t, "Marie")
			console := tech.Dial(t, "/ws/console")
			console.Expect(protocol.TypeConsoleWelcome)
			console.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{})
			console.Expect(protocol.TypeSessionState)
			ui, term := terminalConsent(t)
			rb := &fakeRebooter{}
			p := policy
			runAgent(t, ui, Config{
				Server: node.URL, Code: token, Consent: ui, Reboot: rb, Unattended: &p,
				Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
				NewPeer:     func(peer.Config) (Peer, error) { return &fakePeer{}, nil },
				NewInjector: func() (Injector, error) { return &fakeInjector{}, nil },
			})
			if p.Mode == protocol.PolicyAsk {
				term.answer(1, "y") // viewing, asked of whoever sits there
			}
			for !console.Expect(protocol.TypePermissionUpdate).Body.(*protocol.PermissionUpdate).Permissions.View {
			}
			console.Send(protocol.TypeSessionStart, sid, protocol.SessionStart{})
			console.Send(protocol.TypePermissionRequest, sid, protocol.PermissionRequest{Permission: protocol.PermissionReboot})
			deadline := time.Now().Add(hang)
			for time.Now().Before(deadline) {
				m, err := console.Read(time.Until(deadline))
				if err != nil {
					break
				}
				if u, _ := m.Body.(*protocol.PermissionUpdate); u != nil && u.Refused == protocol.PermissionReboot {
					if l, r, _ := rb.counts(); l != 0 || r != 0 {
						t.Fatalf("refused, yet %d entries and %d restarts", l, r)
					}
					return
				}
			}
			l, r, _ := rb.counts()
			t.Fatalf("the restart was not refused (%d entries, %d restarts)", l, r)
		})
	}
}
