package e2e

import (
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/agent/indicator"
	"github.com/lifeline-support/lifeline/agent/overlay"
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

	ws, dcs := rawConsole(t, hostile, sid, protocol.ChannelInput, protocol.ChannelFileControl, protocol.ChannelFileData+"0")
	input, fileData := dcs[protocol.ChannelInput], dcs[protocol.ChannelFileData+"0"]

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

// rawConsole is a hostile console: a Go client that speaks the protocol
// directly, opens session sid and connects to the agent with a data channel
// for each label, open when it returns. Its socket stays read (candidates)
// until the test ends.
func rawConsole(t *testing.T, tc *st.Tech, sid string, labels ...string) (*st.Conn, map[string]*webrtc.DataChannel) {
	t.Helper()
	ws, _, dcs := rawConsolePeer(t, tc, sid, labels...)
	return ws, dcs
}

// rawConsolePeer is rawConsole that also returns its peer connection, for
// channels opened later.
func rawConsolePeer(t *testing.T, tc *st.Tech, sid string, labels ...string) (*st.Conn, *webrtc.PeerConnection, map[string]*webrtc.DataChannel) {
	t.Helper()
	ws := tc.Dial(t, "/ws/console")
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
	dcs := map[string]*webrtc.DataChannel{}
	open := make(chan string, len(labels))
	for _, l := range labels {
		dc, err := pc.CreateDataChannel(l, nil)
		if err != nil {
			t.Fatal(err)
		}
		dc.OnOpen(func() { open <- dc.Label() })
		dcs[l] = dc
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
	// A logged-in technician's client gets its key certified like any
	// console: what it may do is the agent's to enforce.
	ws.Send(protocol.TypeOffer, sid, protocol.Offer{SessionDescription: *pc.LocalDescription(), Identity: proveOffer(t, tc, sid, pc.LocalDescription().SDP)})
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
	for range labels {
		select {
		case <-open:
		case <-time.After(Timeout):
			t.Fatal("the data channels did not open")
		}
	}
	return ws, pc, dcs
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

// A hostile console paints the customer's screen while it controls it: wide
// strokes over the whole desktop and through the indicator's badge, then
// input underneath. The real agent keeps the badge on top and visible, lets
// the drawing cover a fifth of the screen at most, refuses the input while
// anything is drawn and audits both refusals; once the drawing is erased, the
// same input lands.
func TestHostileDrawingCannotHideTheIndicatorOrInput(t *testing.T) {
	stack := Start(t)
	win := twtest.Start(t, stack.Display, twtest.Options{X: 200, Y: 120, W: 600, H: 400})
	node := st.Node{URL: stack.URL}
	hostile := st.LogInAs(t, node, "admin", AdminPassword)
	sid, token, _ := hostile.NewSession(t, "Marie Dupont")

	customer := stack.Customer(t, Invitation{Link: stack.URL + "/s/" + token})
	customer.OpenPage(t)
	customer.Allow(t) // viewing
	ws, dcs := rawConsole(t, hostile, sid, protocol.ChannelInput, protocol.ChannelDraw)
	input, draw := dcs[protocol.ChannelInput], dcs[protocol.ChannelDraw]
	ws.Send(protocol.TypePermissionRequest, sid, protocol.PermissionRequest{Permission: protocol.PermissionControl})
	customer.Allow(t)
	waitFor(t, "control granted", func() bool {
		return len(auditOf(t, hostile, "type=control.taken&session="+sid)) == 1
	})
	var badge image.Rectangle
	waitFor(t, "the red badge in the corner of the screen", func() bool {
		badge = stack.TopWindow(t)
		return badge.Max.Y == ScreenH-indicator.BottomMargin && badge.Dy() == indicator.BadgeHeight && IsRed(stack.Screen(t).RGBAAt(badge.Min.X+2, badge.Min.Y+2))
	})

	send := func(dc *webrtc.DataChannel, v any) {
		t.Helper()
		b, _ := json.Marshal(v)
		if err := dc.SendText(string(b)); err != nil {
			t.Fatal(err)
		}
	}
	// Bands of the widest blue strokes, down the whole screen and through the badge.
	for k := range ScreenH/protocol.MaxStrokeWidth + 1 {
		y := min(1, float64(k*protocol.MaxStrokeWidth)/ScreenH)
		send(draw, protocol.DrawMessage{Kind: protocol.DrawStroke, ID: fmt.Sprint("band", k), Color: "#0000ff",
			Width: protocol.MaxStrokeWidth, Points: []float64{0, y, 1, y}})
	}
	send(draw, protocol.DrawMessage{Kind: protocol.DrawStroke, ID: "badge", Color: "#0000ff", Width: protocol.MaxStrokeWidth,
		Points: []float64{0, float64(badge.Min.Y+2) / ScreenH, 1, float64(badge.Min.Y+2) / ScreenH}})
	isBlue := func(c color.RGBA) bool { return c.B > 200 && c.R < 60 && c.G < 60 }
	// Then dots one by one, each raising the drawing again as it shows.
	for i := range 10 {
		p := image.Pt(ScreenW/2+12*i, ScreenH*3/4) // clear of the badge in the corner
		send(draw, protocol.DrawMessage{Kind: protocol.DrawStroke, ID: fmt.Sprint("dot", i), Color: "#0000ff", Width: 6,
			Points: []float64{float64(p.X) / (ScreenW - 1), float64(p.Y) / (ScreenH - 1)}})
		waitFor(t, fmt.Sprint("dot ", i, " on the screen"), func() bool { return isBlue(stack.Screen(t).RGBAAt(p.X, p.Y)) })
	}
	waitFor(t, "the badge on top of the drawing, its pixels red on the screen", func() bool {
		if stack.TopWindow(t) != badge {
			return false
		}
		scr := stack.Screen(t)
		for y := badge.Min.Y + 1; y < badge.Max.Y-1; y++ {
			if !IsRed(scr.RGBAAt(badge.Min.X+2, y)) {
				return false
			}
		}
		return true
	})
	waitFor(t, "the drawing refused once it covers too much", func() bool {
		return containsDetail(auditOf(t, hostile, "type=agent.refused&session="+sid), "covers too much")
	})
	scr := stack.Screen(t)
	blue := 0
	for y := range ScreenH {
		for x := range ScreenW {
			if isBlue(scr.RGBAAt(x, y)) {
				blue++
			}
		}
	}
	if blue == 0 {
		t.Fatal("nothing was drawn: the test proves nothing")
	}
	if share := float64(blue) / (ScreenW * ScreenH); share > overlay.MaxCoverage {
		t.Errorf("the drawing covers %.0f%% of the screen", 100*share)
	}
	t.Logf("the drawing covers %.1f%% of the screen", 100*float64(blue)/(ScreenW*ScreenH))

	// Input under the drawing: refused and audited.
	cx, cy := win.Center()
	fx, fy := float64(cx)/ScreenW, float64(cy)/ScreenH
	sendInput := func() {
		for _, ev := range []protocol.InputEvent{
			{Kind: protocol.InputMove, X: fx, Y: fy},
			{Kind: protocol.InputButton, X: fx, Y: fy, Button: protocol.ButtonLeft, Down: true},
			{Kind: protocol.InputButton, X: fx, Y: fy, Button: protocol.ButtonLeft},
			{Kind: protocol.InputText, Text: "pwned"},
		} {
			send(input, ev)
		}
	}
	mark := win.Mark(t)
	sendInput()
	waitFor(t, "the input refused in the audit trail", func() bool {
		return containsDetail(auditOf(t, hostile, "type=agent.refused&session="+sid), "input while drawing")
	})
	if evs := win.Events(t)[mark:]; len(twtest.Filter(evs, "button_press"))+len(twtest.Filter(evs, "key_press")) != 0 {
		t.Fatalf("input under the drawing reached the desktop: %+v", evs)
	}

	// Positive control: once the drawing is erased, the same input lands.
	send(draw, protocol.DrawMessage{Kind: protocol.DrawClear})
	waitFor(t, "the drawing erased", func() bool { return !isBlue(stack.Screen(t).RGBAAt(ScreenW/2, ScreenH/2)) })
	mark = win.Mark(t)
	sendInput()
	win.WaitFor(t, mark, "the typed text once the drawing is erased", func(evs []twtest.Event) bool {
		return twtest.Typed(evs) == "pwned"
	})
}

// Issue 15: a hostile console asks for a restart; the customer says Not
// now. The real agent writes no autostart entry and runs no restart, audits
// the refusal, and the session does not show Rebooting. A program that
// claims a restart the technician's group does not allow is refused too
// (signaling/server TestRebootNeedsThePermission).
func TestHostileRebootNeedsTheCustomer(t *testing.T) {
	stack := Start(t)
	config, ran := stack.FakeReboot(t)
	node := st.Node{URL: stack.URL}
	hostile := st.LogInAs(t, node, "admin", AdminPassword)
	sid, token, _ := hostile.NewSession(t, "Marie Dupont")
	customer := stack.Customer(t, Invitation{Link: stack.URL + "/s/" + token})
	customer.OpenPage(t)
	customer.Allow(t) // viewing only

	ws, _ := rawConsole(t, hostile, sid, protocol.ChannelInput)
	ws.Send(protocol.TypePermissionRequest, sid, protocol.PermissionRequest{Permission: protocol.PermissionReboot})
	if q := customer.WaitAsked(t); !strings.Contains(q, "restart your computer") {
		t.Fatalf("the customer is asked %q", q)
	}
	customer.Deny(t) // Not now
	waitFor(t, "the refusal in the audit trail", func() bool {
		return containsDetail(auditOf(t, hostile, "type=agent.refused&session="+sid), "restart of the computer, declined by the customer")
	})
	if n := ranCount(ran); n != 0 {
		t.Fatalf("the restart ran %d times without the customer's yes", n)
	}
	if left, _ := filepath.Glob(filepath.Join(config, "autostart", "*")); len(left) != 0 {
		t.Fatalf("autostart entries without the customer's yes: %q", left)
	}
	if evs := auditOf(t, hostile, "type=session.rebooting&session="+sid); len(evs) != 0 {
		t.Fatalf("the session restarted: %+v", evs)
	}
}
