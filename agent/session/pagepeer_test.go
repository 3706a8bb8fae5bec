package session

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coder/websocket"

	"github.com/lifeline-support/lifeline/agent/consent"
	"github.com/lifeline-support/lifeline/agent/pagepeer"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// The agent refuses the technician's screen and voice to a group that does
// not allow them, whatever the server passed on (agent.welcome's denied),
// and a colleague's as their own group allows (the collaboration's denied);
// nothing from a group lead who watches or from somebody not in the session.
func TestPageSignalsTheGroupDenies(t *testing.T) {
	for _, tc := range []struct {
		name   string
		denied []string
		p      protocol.PageSignal
		want   bool
	}{
		{"share allowed", nil, protocol.PageSignal{Kind: protocol.PageShare, On: true}, true},
		{"share denied", []string{protocol.DeniedShowScreen}, protocol.PageSignal{Kind: protocol.PageShare, On: true}, false},
		{"screen offer denied", []string{protocol.DeniedShowScreen}, protocol.PageSignal{Kind: protocol.PageOffer, Screen: true}, false},
		{"voice offer, screen denied", []string{protocol.DeniedShowScreen}, protocol.PageSignal{Kind: protocol.PageOffer, Voice: true}, true},
		{"call denied", []string{protocol.DeniedVoice}, protocol.PageSignal{Kind: protocol.PageCall, On: true}, false},
		{"mute denied", []string{protocol.DeniedVoice}, protocol.PageSignal{Kind: protocol.PageMute, On: true}, false},
		{"screen and voice offer, voice denied", []string{protocol.DeniedVoice}, protocol.PageSignal{Kind: protocol.PageOffer, Screen: true, Voice: true}, false},
		{"candidate with one allowed", []string{protocol.DeniedVoice}, protocol.PageSignal{Kind: protocol.PageCandidate}, true},
		{"candidate with both denied", []string{protocol.DeniedVoice, protocol.DeniedShowScreen}, protocol.PageSignal{Kind: protocol.PageCandidate}, false},
		{"share off, screen denied", []string{protocol.DeniedShowScreen, protocol.DeniedVoice}, protocol.PageSignal{Kind: protocol.PageShare}, true},
		{"call off, voice denied", []string{protocol.DeniedShowScreen, protocol.DeniedVoice}, protocol.PageSignal{Kind: protocol.PageCall}, true},
		// Colleagues: by what their own group allows, as the collaboration says.
		{"colleague's call", nil, protocol.PageSignal{Kind: protocol.PageCall, On: true, Tech: "claire"}, true},
		{"colleague's call, her voice denied", nil, protocol.PageSignal{Kind: protocol.PageCall, On: true, Tech: "dan"}, false},
		{"colleague's voice offer, her voice denied", nil, protocol.PageSignal{Kind: protocol.PageOffer, Voice: true, Tech: "dan"}, false},
		{"colleague's share, her voice denied", nil, protocol.PageSignal{Kind: protocol.PageShare, On: true, Tech: "dan"}, true},
		{"group lead who watches", nil, protocol.PageSignal{Kind: protocol.PageCall, On: true, Tech: "gina"}, false},
		{"somebody not in the session", nil, protocol.PageSignal{Kind: protocol.PageCall, On: true, Tech: "mallory"}, false},
		{"somebody not in the session hangs up", nil, protocol.PageSignal{Kind: protocol.PageCall, Tech: "mallory"}, false},
		{"lead's voice denied, colleague's call", []string{protocol.DeniedVoice}, protocol.PageSignal{Kind: protocol.PageCall, On: true, Tech: "claire"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &runner{denied: map[string]bool{}, techID: "alice", collab: protocol.Collaboration{Members: []protocol.Collaborator{
				{ID: "claire", Role: protocol.RoleCollaborator, Denied: []string{}},
				{ID: "dan", Role: protocol.RoleCollaborator, Denied: []string{protocol.DeniedVoice}},
				{ID: "gina", Role: protocol.RoleMonitor, Denied: []string{}},
			}}}
			for _, d := range tc.denied {
				s.denied[d] = true
			}
			if got := s.pageAllowed(&tc.p); got != tc.want {
				t.Errorf("pageAllowed = %v, want %v", got, tc.want)
			}
		})
	}
}

// pageMessage is one message the customer's page reads from the relay.
type pageMessage struct {
	Type   string               `json:"type"`
	Tech   string               `json:"tech"`
	Voice  bool                 `json:"voice"`
	Signal *protocol.PageSignal `json:"signal"`
}

// nextPageMessage reads the page's next message.
func nextPageMessage(t *testing.T, c *websocket.Conn) pageMessage {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hang)
	defer cancel()
	_, b, err := c.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var m pageMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// A screen shown or a call going on stops on hold, when another technician
// takes the session, and when the group no longer allows it: the page
// (a real relay and its WebSocket) is reset each time. On hold nothing but
// stopping passes; once the group denies them, share off and call off still
// reach the page.
func TestPageResetOnHoldAndNewTechnician(t *testing.T) {
	ui := newTermUI(t)
	relay := pagepeer.New(pagepeer.Config{})
	s, ctx := testRunner(t, ui, &fakeInjector{}, relay)
	s.techID, s.techName = "alice", "Alice Durand" // as the first welcome named her
	go func() { _ = ui.Run(ctx) }()
	ui.SetInfo(consent.Info{TechnicianName: "Alice Durand", OrgName: "Acme Support"})
	s.pageDenied()
	relay.Reset(s.techID, "")

	srv := httptest.NewServer(relay)
	t.Cleanup(srv.Close)
	dctx, cancel := context.WithTimeout(ctx, hang)
	defer cancel()
	page, _, err := websocket.Dial(dctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { page.CloseNow() })
	if m := nextPageMessage(t, page); m.Type != "hello" || m.Tech != "alice" || !m.Voice {
		t.Fatalf("the page first got %+v, want a hello for alice with voice", m)
	}

	share := func(on bool) { s.receive(ctx, t, &protocol.PageSignal{Kind: protocol.PageShare, On: on}) }
	wantSignal := func(when, kind string, on bool) {
		t.Helper()
		if m := nextPageMessage(t, page); m.Type != "signal" || m.Signal.Kind != kind || m.Signal.On != on {
			t.Errorf("%s the page got %+v, want %s on=%v", when, m, kind, on)
		}
	}
	share(true)
	wantSignal("sharing", protocol.PageShare, true)

	// On hold: reset, and only stopping passes.
	s.receive(ctx, t, &protocol.SessionHold{On: true})
	if m := nextPageMessage(t, page); m.Type != "reset" || m.Tech != "alice" {
		t.Errorf("on hold the page got %+v, want a reset", m)
	}
	share(true)
	share(false)
	wantSignal("on hold", protocol.PageShare, false)
	s.receive(ctx, t, &protocol.SessionHold{On: false})

	// Another technician: reset, tied to her.
	s.receive(ctx, t, &protocol.AgentWelcome{TechnicianID: "claire", TechnicianName: "Claire Martin", OrgName: "Acme Support"})
	if m := nextPageMessage(t, page); m.Type != "reset" || m.Tech != "claire" {
		t.Errorf("after the transfer the page got %+v, want a reset for claire", m)
	}

	// Her group loses screen and voice: reset, then stopping still passes.
	share(true)
	wantSignal("after the transfer", protocol.PageShare, true)
	s.receive(ctx, t, &protocol.AgentWelcome{TechnicianID: "claire", TechnicianName: "Claire Martin", OrgName: "Acme Support",
		Denied: []string{protocol.DeniedShowScreen, protocol.DeniedVoice}})
	if m := nextPageMessage(t, page); m.Type != "reset" {
		t.Errorf("once screen and voice were denied the page got %+v, want a reset", m)
	}
	if m := nextPageMessage(t, page); m.Type != "hello" || m.Voice {
		t.Errorf("after the reset the page got %+v, want a hello without voice", m)
	}
	share(true)
	share(false)
	wantSignal("screen denied", protocol.PageShare, false)
	s.receive(ctx, t, &protocol.PageSignal{Kind: protocol.PageCall})
	wantSignal("voice denied", protocol.PageCall, false)
}
