package pagepeer

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

// dialPage connects a page to r's WebSocket.
func dialPage(t *testing.T, r *Relay) *websocket.Conn {
	t.Helper()
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/ws?lang=fr", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.CloseNow() })
	return c
}

func readPage(t *testing.T, c *websocket.Conn) toPage {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, b, err := c.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var m toPage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func writePage(t *testing.T, c *websocket.Conn, v any) {
	t.Helper()
	b, _ := json.Marshal(v)
	if err := c.Write(context.Background(), websocket.MessageText, b); err != nil {
		t.Fatal(err)
	}
}

// What the technician sends before the page connects reaches it when it
// does (a new offer replacing the negotiation before it); what the page
// sends goes to the technician only if the page may send it: never an
// offer or a share, and no call when the group does not allow voice.
func TestRelayBetweenTechnicianAndPage(t *testing.T) {
	mic := make(chan bool, 4)
	r := New(Config{OnMic: func(on bool) { mic <- on }})
	sent := make(chan protocol.PageSignal, 8)
	r.SetPageSender(func(p protocol.PageSignal) { sent <- p })
	r.SetICEServers([]webrtc.ICEServer{{URLs: []string{"turn:example.org"}}})
	r.SetAllowed(true, false)

	offer := &webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: "v=0\r\n"}
	r.FromTechnician(protocol.PageSignal{Kind: protocol.PageShare, On: true, Name: "Bob"})
	r.FromTechnician(protocol.PageSignal{Kind: protocol.PageOffer, SDP: offer, Screen: true})
	r.FromTechnician(protocol.PageSignal{Kind: protocol.PageCandidate, Candidate: &webrtc.ICECandidateInit{Candidate: "old"}})
	r.FromTechnician(protocol.PageSignal{Kind: protocol.PageOffer, SDP: offer, Screen: true})

	page := dialPage(t, r)
	hello := readPage(t, page)
	if hello.Type != "hello" || len(hello.ICE) != 1 || hello.Voice || hello.Strings["agent.pp.close"] != "Fermer l'écran du technicien" {
		t.Fatalf("hello %+v: want the ICE servers, no voice, French strings", hello)
	}
	var kinds []string
	for range 2 {
		m := readPage(t, page)
		kinds = append(kinds, m.Signal.Kind)
	}
	if strings.Join(kinds, ",") != "share,offer" {
		t.Errorf("the page got %v, want the share and the last offer only", kinds)
	}

	writePage(t, page, protocol.PageSignal{Kind: protocol.PageOffer, SDP: offer})
	writePage(t, page, protocol.PageSignal{Kind: protocol.PageShare, On: true})
	writePage(t, page, protocol.PageSignal{Kind: protocol.PageCall, On: true})
	writePage(t, page, protocol.PageSignal{Kind: protocol.PageClosed, Name: "Mallory", Screen: true})
	select {
	case p := <-sent:
		if p.Kind != protocol.PageClosed || p.Name != "" || p.Screen {
			t.Errorf("the technician got %+v, want the close only, with nothing the page made up", p)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the page's close never reached the technician")
	}

	// Voice allowed: the page hears it, and its call goes through.
	r.SetAllowed(true, true)
	if m := readPage(t, page); m.Type != "hello" || !m.Voice {
		t.Errorf("after voice was allowed the page got %+v", m)
	}
	writePage(t, page, protocol.PageSignal{Kind: protocol.PageCall, On: true})
	if p := nextSent(t, sent); p.Kind != protocol.PageCall || !p.On {
		t.Errorf("the technician got %+v, want the call", p)
	}

	// The page says its microphone is on: the badge hears it, and again
	// when the session ends.
	writePage(t, page, map[string]bool{"mic": true})
	if on := <-mic; !on {
		t.Error("the microphone on was heard as off")
	}

	r.SessionEnded()
	if on := <-mic; on {
		t.Error("the microphone stayed on at the end")
	}
	if m := readPage(t, page); m.Type != "ended" {
		t.Errorf("at the end the page got %+v", m)
	}
}

// A screen shown or a call going on stops when the technician changes, on
// hold (Reset), and when the group no longer allows it (SetAllowed): the
// page hears a reset naming the technician from now on, and nothing kept
// for the former one reaches it.
func TestRelayResetsThePage(t *testing.T) {
	mic := make(chan bool, 4)
	r := New(Config{OnMic: func(on bool) { mic <- on }})
	sent := make(chan protocol.PageSignal, 8)
	r.SetPageSender(func(p protocol.PageSignal) { sent <- p })
	r.SetAllowed(true, true)
	r.Reset("tech-1", "")
	select {
	case p := <-sent:
		t.Errorf("the first technician's reset told the consoles %+v: nothing ran yet", p)
	default:
	}
	page := dialPage(t, r)
	if m := readPage(t, page); m.Type != "hello" || m.Tech != "tech-1" {
		t.Fatalf("first the page got %+v, want a hello naming tech-1", m)
	}
	writePage(t, page, map[string]bool{"mic": true})
	if on := <-mic; !on {
		t.Fatal("the microphone on was heard as off")
	}

	// Another technician: the page resets, the microphone badge goes off.
	r.Reset("tech-2", protocol.ResetTechnician)
	if m := readPage(t, page); m.Type != "reset" || m.Tech != "tech-2" {
		t.Errorf("after the technician changed the page got %+v, want a reset naming tech-2", m)
	}
	// Every technician's console is told, with why.
	if p := nextSent(t, sent); p.Kind != protocol.PageReset || p.Tech != "" || p.Reason != protocol.ResetTechnician {
		t.Errorf("the consoles were told %+v, want a reset for everyone: another technician", p)
	}
	if on := <-mic; on {
		t.Error("the microphone badge stayed on after the reset")
	}

	// Voice no longer allowed: reset, then the hello that says so.
	r.SetAllowed(true, false)
	if m := readPage(t, page); m.Type != "reset" || m.Tech != "tech-2" {
		t.Errorf("after voice was denied the page got %+v, want a reset", m)
	}
	if p := nextSent(t, sent); p.Kind != protocol.PageReset || p.Reason != protocol.ResetPermission {
		t.Errorf("the consoles were told %+v, want a reset: permission", p)
	}
	if m := readPage(t, page); m.Type != "hello" || m.Voice {
		t.Errorf("after the reset the page got %+v, want a hello without voice", m)
	}
	// Something more allowed: no reset, a hello only.
	r.SetAllowed(true, true)
	if m := readPage(t, page); m.Type != "hello" || !m.Voice {
		t.Errorf("after voice was allowed again the page got %+v, want a hello with voice", m)
	}

	// What was kept for a page not connected is dropped by a reset.
	page.CloseNow()
	waitGone(t, r)
	r.FromTechnician(protocol.PageSignal{Kind: protocol.PageShare, On: true, Name: "Bob"})
	r.Reset("tech-3", protocol.ResetHold)
	r.FromTechnician(protocol.PageSignal{Kind: protocol.PageCall, On: true, Name: "Eve"})
	page = dialPage(t, r)
	if m := readPage(t, page); m.Type != "hello" || m.Tech != "tech-3" {
		t.Errorf("the new page got %+v, want a hello naming tech-3", m)
	}
	if m := readPage(t, page); m.Signal == nil || m.Signal.Name != "Eve" {
		t.Errorf("the new page got %+v, want Eve's call only", m)
	}
}

// waitGone waits until r has noticed that its page went away.
func waitGone(t *testing.T, r *Relay) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		r.mu.Lock()
		gone := r.page == nil
		r.mu.Unlock()
		if gone {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the relay never noticed the page went away")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Colleagues each have their own connection with the page: their signals
// reach it tagged with who sent them, the page's reach the technician it
// names; a colleague without voice gets no call from the page, somebody
// not in the session gets nothing, and a colleague removed (or who lost
// voice) has their connection dropped at once, their console told why.
func TestRelayColleagues(t *testing.T) {
	r := New(Config{})
	sent := make(chan protocol.PageSignal, 8)
	r.SetPageSender(func(p protocol.PageSignal) { sent <- p })
	r.SetAllowed(true, true)
	r.Reset("lead", "")
	r.SetColleagues(map[string]Allowed{"claire": {Voice: true}, "dan": {Screen: true}})
	page := dialPage(t, r)
	if m := readPage(t, page); m.Type != "hello" {
		t.Fatalf("first the page got %+v", m)
	}

	r.FromTechnician(protocol.PageSignal{Kind: protocol.PageCall, On: true, Tech: "claire", Name: "Claire"})
	r.FromTechnician(protocol.PageSignal{Kind: protocol.PageCall, On: true, Tech: "mallory", Name: "Mallory"})
	r.FromTechnician(protocol.PageSignal{Kind: protocol.PageCall, On: true, Name: "Lead"})
	for _, want := range []string{"claire", "lead"} {
		if m := readPage(t, page); m.Signal == nil || m.Signal.Tech != want {
			t.Errorf("the page got %+v, want a call of %s (nothing of mallory)", m, want)
		}
	}

	// The page answers each: what it says reaches the technician it names,
	// but no call reaches dan, whose group has no voice.
	writePage(t, page, protocol.PageSignal{Kind: protocol.PageAccept, On: true, Tech: "dan"})
	writePage(t, page, protocol.PageSignal{Kind: protocol.PageAccept, On: true, Tech: "mallory"})
	writePage(t, page, protocol.PageSignal{Kind: protocol.PageAccept, On: true, Tech: "claire"})
	if p := nextSent(t, sent); p.Kind != protocol.PageAccept || p.Tech != "claire" {
		t.Errorf("the technicians got %+v, want claire's accept only", p)
	}

	// Claire is removed: the page drops her connection, her console is told.
	r.SetColleagues(map[string]Allowed{"dan": {Screen: true}})
	if m := readPage(t, page); m.Type != "drop" || m.Tech != "claire" {
		t.Errorf("after claire left the page got %+v, want her connection dropped", m)
	}
	if p := nextSent(t, sent); p.Kind != protocol.PageReset || p.Tech != "claire" || p.Reason != protocol.ResetRemoved {
		t.Errorf("claire's console was told %+v, want a reset: removed", p)
	}
	// Dan loses the screen: the same, for the permission.
	r.SetColleagues(map[string]Allowed{"dan": {}})
	if m := readPage(t, page); m.Type != "drop" || m.Tech != "dan" {
		t.Errorf("after dan lost the screen the page got %+v, want his connection dropped", m)
	}
	if p := nextSent(t, sent); p.Kind != protocol.PageReset || p.Tech != "dan" || p.Reason != protocol.ResetPermission {
		t.Errorf("dan's console was told %+v, want a reset: permission", p)
	}
}

// nextSent is the next page signal the relay sent the technicians.
func nextSent(t *testing.T, sent <-chan protocol.PageSignal) protocol.PageSignal {
	t.Helper()
	select {
	case p := <-sent:
		return p
	case <-time.After(5 * time.Second):
		t.Fatal("the technicians were told nothing")
		return protocol.PageSignal{}
	}
}

// Review item 2: a colleague removed while no page is connected (the page
// reloading, its socket gone) still loses their connection with the page:
// the next page's hello lists only the colleagues still in the session, and
// the drops not delivered follow it (a colleague who lost a permission but
// stays in the session is named by neither otherwise).
func TestRelayDropsReachALaterPage(t *testing.T) {
	r := New(Config{})
	r.SetPageSender(func(protocol.PageSignal) {})
	r.SetAllowed(true, true)
	r.Reset("lead", "")
	r.SetColleagues(map[string]Allowed{"claire": {Voice: true}, "dan": {Screen: true}})
	page := dialPage(t, r)
	if m := readPage(t, page); m.Type != "hello" || strings.Join(m.Colleagues, ",") != "claire,dan" {
		t.Fatalf("first the page got %+v, want a hello naming claire and dan", m)
	}
	page.Close(websocket.StatusNormalClosure, "reload")
	waitNoPage(t, r)

	r.SetColleagues(map[string]Allowed{"dan": {}}) // claire removed, dan loses the screen
	page = dialPage(t, r)
	if m := readPage(t, page); m.Type != "hello" || strings.Join(m.Colleagues, ",") != "dan" {
		t.Fatalf("the new page got %+v, want a hello naming dan only", m)
	}
	got := map[string]bool{}
	for range 2 {
		if m := readPage(t, page); m.Type == "drop" {
			got[m.Tech] = true
		}
	}
	if !got["claire"] || !got["dan"] {
		t.Fatalf("the new page was told to drop %v, want claire and dan", got)
	}
}

// waitNoPage waits until r has no page connected.
func waitNoPage(t *testing.T, r *Relay) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		r.mu.Lock()
		gone := r.page == nil
		r.mu.Unlock()
		if gone {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the page's socket stayed")
}
