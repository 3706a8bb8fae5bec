package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/e2e/testwindow/twtest"
	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/signaling/audit"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// A hostile console — a Go client speaking the protocol directly, not our
// console page — sends input and file data without the customer's grants: the
// real agent injects nothing, writes nothing, and the attempts land in the
// audit trail. Once the customer allows control, the same client's input does
// land, so the silence before was the agent's refusal, not a broken harness.
func TestHostileConsoleGetsNothingDone(t *testing.T) {
	stack := Start(t)
	win := twtest.Start(t, stack.Display, twtest.Options{X: 200, Y: 120, W: 600, H: 400})
	node := st.Node{URL: stack.URL}
	hostile := st.LogInAs(t, node, "admin", AdminPassword)
	sid, token, _ := hostile.NewSession(t, "Marie Dupont")

	customer := stack.Customer(t, Invitation{Link: stack.URL + "/s/" + token})
	customer.OpenPage(t)
	customer.WaitAsked(t)
	customer.Allow(t) // viewing only

	ws := hostile.Dial(t, "/ws/console")
	ws.Expect(protocol.TypeConsoleWelcome)
	ws.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{})

	pc, err := webrtc.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pc.Close() })
	if _, err := pc.AddTransceiverFromKind(webrtc.RTPCodecTypeVideo, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}); err != nil {
		t.Fatal(err)
	}
	input, _ := pc.CreateDataChannel(protocol.ChannelInput, nil)
	fileCtl, _ := pc.CreateDataChannel(protocol.ChannelFileControl, nil)
	fileData, _ := pc.CreateDataChannel(protocol.ChannelFileData+"0", nil)
	open := make(chan string, 3)
	for _, dc := range []*webrtc.DataChannel{input, fileCtl, fileData} {
		dc.OnOpen(func() { open <- dc.Label() })
	}
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(offer); err != nil {
		t.Fatal(err)
	}
	<-gathered
	ws.Send(protocol.TypeOffer, sid, protocol.Offer{SessionDescription: *pc.LocalDescription()})
	// Candidates may come before the answer: read both in order, then keep
	// adding candidates until the socket closes with the test.
	var early []webrtc.ICECandidateInit
	for {
		m, err := ws.Read(Timeout)
		if err != nil {
			t.Fatalf("waiting for the answer: %v", err)
		}
		if c, ok := m.Body.(*protocol.Candidate); ok {
			early = append(early, c.ICECandidateInit)
		}
		if a, ok := m.Body.(*protocol.Answer); ok {
			if err := pc.SetRemoteDescription(a.SessionDescription); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	for _, c := range early {
		_ = pc.AddICECandidate(c)
	}
	go func() {
		for {
			m, err := ws.Read(time.Hour)
			if err != nil {
				return
			}
			if c, ok := m.Body.(*protocol.Candidate); ok {
				_ = pc.AddICECandidate(c.ICECandidateInit)
			}
		}
	}()
	for range 3 {
		select {
		case <-open:
		case <-time.After(Timeout):
			t.Fatal("the data channels did not open")
		}
	}

	// Input without the control grant: a click and typing in the test window.
	cx, cy := win.Center()
	fx, fy := float64(cx)/ScreenW, float64(cy)/ScreenH
	mark := win.Mark(t)
	sendInput := func() {
		for _, ev := range []protocol.InputEvent{
			{Kind: protocol.InputMove, X: fx, Y: fy},
			{Kind: protocol.InputButton, X: fx, Y: fy, Button: protocol.ButtonLeft, Down: true},
			{Kind: protocol.InputButton, X: fx, Y: fy, Button: protocol.ButtonLeft},
			{Kind: protocol.InputText, Text: "pwned"},
		} {
			b, _ := json.Marshal(ev)
			if err := input.SendText(string(b)); err != nil {
				t.Fatal(err)
			}
		}
	}
	sendInput()
	// File data for a transfer the customer never accepted.
	chunk := protocol.AppendFileChunkHeader(nil, 1, 0)
	chunk = append(chunk, []byte("#!/bin/sh\nrm -rf ~\n")...)
	if err := fileData.Send(chunk); err != nil {
		t.Fatal(err)
	}

	// The agent reports both refusals to the audit trail.
	var refused []audit.Event
	waitFor(t, "the agent's refusals in the audit trail", func() bool {
		refused = auditOf(t, hostile, "type=agent.refused&session="+sid)
		return containsDetail(refused, "input without control") && containsDetail(refused, "file data without an accepted transfer")
	})
	for _, e := range refused {
		if e.Actor != "customer" {
			t.Errorf("refusal recorded for %q, want the customer's agent", e.Actor)
		}
	}
	if evs := win.Events(t)[mark:]; len(twtest.Filter(evs, "button_press"))+len(twtest.Filter(evs, "key_press")) != 0 {
		t.Fatalf("input without a grant reached the desktop: %+v", evs)
	}
	if strings.Contains(customer.PageText(t), "rm -rf") {
		t.Error("the unaccepted file shows on the customer's page")
	}

	// Positive control: once the customer allows it, the same input lands.
	ws.Send(protocol.TypePermissionRequest, sid, protocol.PermissionRequest{Permission: protocol.PermissionControl})
	customer.WaitAsked(t)
	customer.Allow(t)
	waitFor(t, "control granted", func() bool {
		return len(auditOf(t, hostile, "type=control.taken&session="+sid)) == 1
	})
	mark = win.Mark(t)
	sendInput()
	win.WaitFor(t, mark, "the typed text once control is granted", func(evs []twtest.Event) bool {
		return twtest.Typed(evs) == "pwned"
	})
}

func auditOf(t *testing.T, tc *st.Tech, query string) []audit.Event {
	t.Helper()
	code, body := tc.Get(t, "/admin/audit?format=json&"+query)
	if code != http.StatusOK {
		t.Fatalf("audit export: %d %s", code, body)
	}
	var events []audit.Event
	if err := json.Unmarshal([]byte(body), &events); err != nil {
		t.Fatalf("audit export: %v", err)
	}
	return events
}

func containsDetail(events []audit.Event, s string) bool {
	for _, e := range events {
		if strings.Contains(e.Detail, s) {
			return true
		}
	}
	return false
}
