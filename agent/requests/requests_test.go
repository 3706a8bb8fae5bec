package requests

import (
	"encoding/json"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
)

func newAPI() *webrtc.API {
	var se webrtc.SettingEngine
	se.SetIncludeLoopbackCandidate(true)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	return webrtc.NewAPI(webrtc.WithSettingEngine(se))
}

// open connects two real pion peers; serve takes the agent's side of the
// channel; it returns the browser's side, open, and its replies as text.
func open(t *testing.T, serve func(dc *webrtc.DataChannel)) (*webrtc.DataChannel, chan string) {
	t.Helper()
	browser, err := newAPI().NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	agent, err := newAPI().NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = browser.Close(); _ = agent.Close() })
	agent.OnDataChannel(serve)
	dc, err := browser.CreateDataChannel("test", nil)
	if err != nil {
		t.Fatal(err)
	}
	replies := make(chan string, 16)
	dc.OnMessage(func(m webrtc.DataChannelMessage) { replies <- string(m.Data) })
	opened := make(chan struct{})
	dc.OnOpen(func() { close(opened) })
	offer, _ := browser.CreateOffer(nil)
	gather := webrtc.GatheringCompletePromise(browser)
	_ = browser.SetLocalDescription(offer)
	<-gather
	_ = agent.SetRemoteDescription(*browser.LocalDescription())
	answer, _ := agent.CreateAnswer(nil)
	gather = webrtc.GatheringCompletePromise(agent)
	_ = agent.SetLocalDescription(answer)
	<-gather
	if err := browser.SetRemoteDescription(*agent.LocalDescription()); err != nil {
		t.Fatal(err)
	}
	select {
	case <-opened:
	case <-time.After(30 * time.Second):
		t.Fatal("the channel did not open")
	}
	return dc, replies
}

// Requests sent one after another over real pion peers are answered in
// their order, as JSON, even when the first takes longer than the others.
func TestServeAnswersInOrder(t *testing.T) {
	dc, replies := open(t, func(dc *webrtc.DataChannel) {
		Serve(dc, 16, slog.Default(), "test", func(b []byte) any {
			n, _ := strconv.Atoi(string(b))
			if n == 0 {
				time.Sleep(50 * time.Millisecond) // a slow first request
			}
			return map[string]int{"n": n}
		})
	})
	for i := range 5 {
		if err := dc.SendText(strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	for want := range 5 {
		select {
		case text := <-replies:
			var r struct{ N int }
			if err := json.Unmarshal([]byte(text), &r); err != nil {
				t.Errorf("reply %q: %v", text, err)
			}
			if r.N != want {
				t.Fatalf("reply %d answered request %d: out of order", want, r.N)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("no reply to request %d", want)
		}
	}
}

// An urgent request (a cancel) is answered while the request before it is
// still being served, and can end it: it does not wait its turn.
func TestServeUrgentAnswersWhileARequestRuns(t *testing.T) {
	release := make(chan struct{})
	dc, replies := open(t, func(dc *webrtc.DataChannel) {
		ServeUrgent(dc, 16, slog.Default(), "test", func(b []byte) any {
			<-release // a copy that runs until cancelled
			return "copy " + string(b) + " cancelled"
		}, func(b []byte) (any, bool) {
			if string(b) != "cancel" {
				return nil, false
			}
			close(release)
			return "cancel done", true
		})
	})
	for _, m := range []string{"1", "cancel"} {
		if err := dc.SendText(m); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []string{`"cancel done"`, `"copy 1 cancelled"`} {
		select {
		case got := <-replies:
			if got != want {
				t.Fatalf("reply %s, want %s", got, want)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("no reply %s", want)
		}
	}
}
